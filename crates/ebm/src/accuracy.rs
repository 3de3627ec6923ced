//! Accuracy of fit of the pairwise maximum-entropy model, after Ezaki et al. 2017 (Phil. Trans.
//! R. Soc. A 375:20160287):
//!
//! r = (S1 - S2) / (S1 - SN) and r_D = (D1 - D2) / D1,
//!
//! where S1, S2 and SN are the entropies of the independent (first-order) model, the pairwise
//! model and the empirical distribution of states, and D1, D2 are the Kullback-Leibler
//! divergences D(empirical || independent) and D(empirical || pairwise). All in nats.
//!
//! Both indices are 1 when the pairwise model reproduces the empirical distribution and 0 when
//! it does no better than the independent model. For a maximum-likelihood fit D_k = S_k - SN,
//! so r = r_D. This module computes D2 from the given model's likelihood directly, so r and
//! r_D differ when the model is not the maximum-likelihood fit to these samples.

use serde::Serialize;

use crate::error::{EbmError, Result};
use crate::model::{IsingModel, validate_enumerable, validate_samples};
use crate::moments::EmpiricalDistribution;
use crate::walsh::{all_energies, boltzmann, deterministic_sum};

/// Denominators at or below this (in nats) make an index undefined.
const MIN_DENOMINATOR: f64 = 1e-12;

/// Entropies, divergences and accuracy indices of a pairwise model on data (nats).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyIndices {
    /// (S1 - S2) / (S1 - SN). NaN when S1 - SN <= 1e-12, because the data then match the
    /// independent model and the index is 0 / 0.
    pub r: f64,
    /// (D1 - D2) / D1. NaN when D1 <= 1e-12, for the same reason.
    pub r_d: f64,
    /// Entropy of the maximum-likelihood independent model.
    pub s1: f64,
    /// Entropy of the pairwise model.
    pub s2: f64,
    /// Entropy of the empirical distribution of states.
    pub sn: f64,
    /// Kullback-Leibler divergence from the empirical distribution to the independent model.
    pub d1: f64,
    /// Kullback-Leibler divergence from the empirical distribution to the pairwise model.
    pub d2: f64,
}

/// Computes the accuracy indices of `pairwise` on row-major samples x `n_spins` data of +-1
/// values.
///
/// The independent model is fitted in closed form, h_i = atanh(<s_i>), and evaluated through
/// its marginals P(s_i = +1) = (1 + <s_i>) / 2, so constant channels are allowed here (their
/// marginal is 0 or 1).
///
/// # Errors
/// [`EbmError::SpinCountMismatch`] when `n_spins` differs from the model's N,
/// [`EbmError::TooManySpins`] for N > 20, the sample errors ([`EbmError::EmptySamples`],
/// [`EbmError::SampleLengthMismatch`], [`EbmError::InvalidSpin`]) and model errors from
/// [`IsingModel::validate`].
pub fn accuracy_indices(samples: &[i8], n_spins: usize, pairwise: &IsingModel) -> Result<AccuracyIndices> {
    pairwise.validate()?;
    let n = pairwise.n_spins();
    if n_spins != n {
        return Err(EbmError::SpinCountMismatch { n_spins, model_spins: n });
    }
    validate_enumerable(n)?;
    let n_samples = validate_samples(samples, n)?;
    let data = EmpiricalDistribution::new(samples, n, n_samples);
    let sn = data.entropy();

    // For the independent model the mean log-likelihood of the data equals -S1, because the
    // model matches every <s_i>, so D1 = -SN - (-S1).
    let s1: f64 = (0..n).map(|i| binary_entropy((1.0 + data.mean(i)) / 2.0)).sum();
    let d1 = s1 - sn;

    let energies = all_energies(&pairwise.field, &pairwise.coupling);
    let distribution = boltzmann(&energies);
    let log_z = distribution.log_partition_function;
    let mean_model_energy: Vec<f64> =
        distribution.probability.iter().zip(&energies).map(|(p, e)| p * e).collect();
    let s2 = deterministic_sum(&mean_model_energy) + log_z;
    let mean_data_energy: f64 = data
        .counts
        .iter()
        .zip(&energies)
        .filter(|&(&c, _)| c > 0)
        .map(|(&c, &e)| c as f64 * e)
        .sum::<f64>()
        / n_samples as f64;
    let d2 = -sn + mean_data_energy + log_z;

    Ok(AccuracyIndices {
        r: ratio(s1 - s2, s1 - sn),
        r_d: ratio(d1 - d2, d1),
        s1,
        s2,
        sn,
        d1,
        d2,
    })
}

/// Entropy -p ln p - (1 - p) ln(1 - p) in nats, with 0 ln 0 = 0.
fn binary_entropy(p: f64) -> f64 {
    let term = |x: f64| if x > 0.0 { -x * x.ln() } else { 0.0 };
    term(p) + term(1.0 - p)
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > MIN_DENOMINATOR { numerator / denominator } else { f64::NAN }
}
