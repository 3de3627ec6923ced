//! Fixed-point regimes of the modern Hopfield network of Ramsauer et al. 2021 (ICLR,
//! "Hopfield networks is all you need"): a fixed point averages over all patterns, over a
//! subset (a metastable state), or sits near a single pattern.
//!
//! The regime is read from the attention weights p = softmax(beta X^T xi) at the fixed point
//! through their perplexity k = exp(-sum_mu p_mu ln p_mu), the effective number of patterns
//! averaged: k = 1 for one pattern and k = P for uniform weights. Rounding k to the nearest
//! integer gives the regime: 1 is a single pattern, P is the global average and anything in
//! between is a metastable subset. For P = 2 there is no metastable case.

use serde::Serialize;

/// Kind of fixed point of the modern Hopfield update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Regime {
    /// Perplexity >= P - 1/2: the fixed point is close to the mean of all patterns.
    GlobalAverage,
    /// Perplexity in [3/2, P - 1/2): the fixed point averages over a subset of patterns.
    Metastable,
    /// Perplexity < 3/2: the fixed point is close to one pattern.
    SinglePattern,
}

impl Regime {
    /// Classifies attention weights that sum to 1 by their perplexity.
    ///
    /// With one pattern the result is [`Regime::SinglePattern`]; NaN weights give
    /// [`Regime::Metastable`].
    pub fn from_attention(weights: &[f64]) -> Self {
        let perplexity = perplexity(weights);
        if perplexity < 1.5 || weights.len() <= 1 {
            Self::SinglePattern
        } else if perplexity >= weights.len() as f64 - 0.5 {
            Self::GlobalAverage
        } else {
            Self::Metastable
        }
    }
}

/// Computes exp(-sum_mu p_mu ln p_mu), skipping zero weights (0 ln 0 = 0).
pub(crate) fn perplexity(weights: &[f64]) -> f64 {
    let entropy: f64 = weights
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| -p * p.ln())
        .sum();
    entropy.exp()
}
