//! Modern continuous Hopfield network of Ramsauer et al. 2021 (ICLR, "Hopfield networks is
//! all you need"), with stored patterns x_1..x_P in R^N (the columns of X) and state xi:
//!
//! E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(P) / beta + M^2 / 2,
//! lse(beta, z) = ln(sum_mu exp(beta z_mu)) / beta,  M = max_mu |x_mu|,
//! xi <- X softmax(beta X^T xi).
//!
//! The update is the concave-convex procedure on E, so E never increases along it.
//!
//! The single-pattern retrieval condition is that of Ramsauer et al. 2021 for a pattern that
//! is well separated from the others. It is written here with P patterns of N units, while
//! the paper writes N for the number of patterns and d for the dimension:
//!
//! Delta_i >= 2 / (beta P) + ln(2 (P - 1) P beta M^2) / beta,
//! Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j.
//!
//! It is sufficient, not necessary: it guarantees a fixed point within distance
//! 1 / (beta P M) of x_i to which the update converges from that sphere.
//! The separation and the smallest beta that satisfies this condition are in `separation`.

use serde::Serialize;

use crate::error::{EbmError, Result};
use crate::hopfield::dense::log_sum_exp;
use crate::hopfield::regime::Regime;

/// Modern continuous Hopfield network with validated f32 patterns and inverse temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct ModernHopfield {
    patterns: Vec<f32>,
    n_units: usize,
    beta: f64,
}

/// Result of [`ModernHopfield::retrieve`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retrieval {
    /// Final state xi, N values.
    pub state: Vec<f32>,
    /// Updates performed.
    pub steps: usize,
    /// Whether the last update moved every component by at most the tolerance.
    pub converged: bool,
    /// Energy of the final state.
    pub energy: f64,
    /// Softmax weights softmax(beta X^T xi) at the final state, one per pattern.
    pub attention: Vec<f64>,
    /// Fixed-point regime read from `attention`, see [`Regime::from_attention`].
    pub regime: Regime,
}

impl ModernHopfield {
    /// Stores patterns with inverse temperature `beta`.
    ///
    /// # Arguments
    /// - `patterns`: row-major P x N, row mu holding pattern x_mu (X^T in the paper's notation).
    /// - `n`: number of units N (the pattern dimension).
    /// - `beta`: inverse temperature, finite and > 0.
    ///
    /// # Errors
    /// [`EbmError::ZeroSpins`], [`EbmError::EmptyPatterns`],
    /// [`EbmError::PatternLengthMismatch`], [`EbmError::NonFinitePattern`] and
    /// [`EbmError::InvalidBeta`].
    pub fn new(patterns: Vec<f32>, n: usize, beta: f64) -> Result<Self> {
        validate_beta(beta)?;
        if n == 0 {
            return Err(EbmError::ZeroSpins);
        }
        if patterns.is_empty() {
            return Err(EbmError::EmptyPatterns);
        }
        if patterns.len() % n != 0 {
            return Err(EbmError::PatternLengthMismatch { len: patterns.len(), n_units: n });
        }
        if let Some(position) = patterns.iter().position(|v| !v.is_finite()) {
            return Err(EbmError::NonFinitePattern {
                pattern: position / n,
                unit: position % n,
                value: f64::from(patterns[position]),
            });
        }
        Ok(Self { patterns, n_units: n, beta })
    }

    /// Returns a copy with another inverse temperature.
    ///
    /// # Errors
    /// [`EbmError::InvalidBeta`].
    pub fn with_beta(&self, beta: f64) -> Result<Self> {
        validate_beta(beta)?;
        Ok(Self { beta, ..self.clone() })
    }

    /// Number of units N.
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Number of stored patterns P.
    pub fn n_patterns(&self) -> usize {
        self.patterns.len() / self.n_units
    }

    /// Stored patterns, row-major P x N.
    pub fn patterns(&self) -> &[f32] {
        &self.patterns
    }

    /// Inverse temperature beta.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Largest pattern norm M = max_mu |x_mu|.
    pub fn max_norm(&self) -> f64 {
        self.rows().map(|row| dot(row, row).sqrt()).fold(0.0, f64::max)
    }

    /// Computes E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(P) / beta + M^2 / 2 in f64.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::NonFiniteState`].
    pub fn energy(&self, xi: &[f32]) -> Result<f64> {
        self.validate_state(xi)?;
        Ok(self.energy_unchecked(xi))
    }

    fn energy_unchecked(&self, xi: &[f32]) -> f64 {
        let scaled: Vec<f64> = self.similarities(xi).iter().map(|&z| self.beta * z).collect();
        let lse = log_sum_exp(&scaled) / self.beta;
        let max_norm = self.max_norm();
        -lse + 0.5 * dot(xi, xi) + (self.n_patterns() as f64).ln() / self.beta + 0.5 * max_norm * max_norm
    }

    /// Computes the attention weights p = softmax(beta X^T xi) in f64.
    ///
    /// # Shapes
    /// - `xi`: N values; returns P weights summing to 1.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::NonFiniteState`].
    pub fn attention(&self, xi: &[f32]) -> Result<Vec<f64>> {
        self.validate_state(xi)?;
        Ok(self.attention_unchecked(xi))
    }

    fn attention_unchecked(&self, xi: &[f32]) -> Vec<f64> {
        let scaled: Vec<f64> = self.similarities(xi).iter().map(|&z| self.beta * z).collect();
        let lse = log_sum_exp(&scaled);
        scaled.iter().map(|&z| (z - lse).exp()).collect()
    }

    /// Applies one update xi <- X softmax(beta X^T xi), computed in f64 and rounded to f32.
    ///
    /// # Arguments
    /// - `xi`: current state.
    ///
    /// # Shapes
    /// - `xi`: N values; returns N values.
    ///
    /// # Returns
    /// The attention-weighted mean of the stored patterns.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::NonFiniteState`].
    pub fn update(&self, xi: &[f32]) -> Result<Vec<f32>> {
        self.validate_state(xi)?;
        Ok(self.update_unchecked(xi))
    }

    fn update_unchecked(&self, xi: &[f32]) -> Vec<f32> {
        let weights = self.attention_unchecked(xi);
        let mut next = vec![0.0f64; self.n_units];
        for (row, &weight) in self.rows().zip(&weights) {
            for (value, &x) in next.iter_mut().zip(row) {
                *value += weight * f64::from(x);
            }
        }
        next.iter().map(|&v| v as f32).collect()
    }

    /// Iterates the update from `xi` until no component moves by more than `tolerance` or
    /// `max_steps` updates have run.
    ///
    /// # Arguments
    /// - `xi`: initial state (the query).
    /// - `max_steps`: update limit, at least 1.
    /// - `tolerance`: convergence threshold on max_k |xi_new,k - xi_k|, finite and >= 0.
    ///
    /// # Shapes
    /// - `xi`: N values.
    ///
    /// # Returns
    /// The final state with its energy, attention weights and [`Regime`].
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] for `max_steps` or `tolerance`,
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::NonFiniteState`].
    pub fn retrieve(&self, xi: &[f32], max_steps: usize, tolerance: f64) -> Result<Retrieval> {
        validate_retrieval_settings(max_steps, tolerance)?;
        self.validate_state(xi)?;

        let mut state = xi.to_vec();
        let mut steps = 0;
        let mut converged = false;
        while steps < max_steps && !converged {
            let next = self.update_unchecked(&state);
            let change = next.iter().zip(&state).map(|(a, b)| f64::from((a - b).abs())).fold(0.0, f64::max);
            state = next;
            steps += 1;
            converged = change <= tolerance;
        }

        let attention = self.attention_unchecked(&state);
        let regime = Regime::from_attention(&attention);
        let energy = self.energy_unchecked(&state);
        Ok(Retrieval { state, steps, converged, energy, attention, regime })
    }

    /// Classifies the state `xi` (normally a fixed point) by its attention weights.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::NonFiniteState`].
    pub fn regime(&self, xi: &[f32]) -> Result<Regime> {
        Ok(Regime::from_attention(&self.attention(xi)?))
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = &[f32]> {
        self.patterns.chunks_exact(self.n_units)
    }

    /// Computes x_mu^T xi for every pattern.
    fn similarities(&self, xi: &[f32]) -> Vec<f64> {
        self.rows().map(|row| dot(row, xi)).collect()
    }

    fn validate_state(&self, xi: &[f32]) -> Result<()> {
        if xi.len() != self.n_units {
            return Err(EbmError::StateLengthMismatch { len: xi.len(), n_spins: self.n_units });
        }
        match xi.iter().position(|v| !v.is_finite()) {
            Some(index) => Err(EbmError::NonFiniteState { index, value: f64::from(xi[index]) }),
            None => Ok(()),
        }
    }
}

/// Computes a . b in f64.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
}

/// Checks that beta is finite and > 0.
pub(crate) fn validate_beta(beta: f64) -> Result<()> {
    if beta.is_finite() && beta > 0.0 {
        Ok(())
    } else {
        Err(EbmError::InvalidBeta { value: beta })
    }
}

fn validate_retrieval_settings(max_steps: usize, tolerance: f64) -> Result<()> {
    if max_steps == 0 {
        return Err(EbmError::InvalidConfig {
            name: "max_steps",
            value: "0".to_string(),
            expected: "must be at least 1",
        });
    }
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(EbmError::InvalidConfig {
            name: "tolerance",
            value: tolerance.to_string(),
            expected: "must be finite and >= 0",
        });
    }
    Ok(())
}
