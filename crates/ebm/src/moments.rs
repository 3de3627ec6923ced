//! Sample moments <s_i> and <s_i s_j> of binarised data: the sufficient statistics of the
//! pairwise maximum-entropy model of Schneidman et al. 2006 (Nature 440:1007), whose
//! maximum-likelihood fit matches them exactly.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{EbmError, Result};
use crate::model::validate_samples;
use crate::walsh::{moments_from_weights, pair_mask, state_counts};

/// Rows per parallel work item when summing sample products.
const ROWS_PER_TASK: usize = 1024;

/// First and second moments of +-1 data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moments {
    /// Number of spins N.
    pub n_spins: usize,
    /// Means <s_i>, length N.
    pub mean: Vec<f64>,
    /// Pairwise moments <s_i s_j>, N x N row-major, with 1 on the diagonal.
    pub correlation: Vec<f64>,
}

/// Computes <s_i> and <s_i s_j> of a row-major samples x `n_spins` buffer of +-1 values.
///
/// Sums are accumulated in integers, so the result does not depend on thread scheduling.
///
/// # Errors
/// [`EbmError::ZeroSpins`], [`EbmError::EmptySamples`], [`EbmError::SampleLengthMismatch`]
/// and [`EbmError::InvalidSpin`].
pub fn empirical_moments(samples: &[i8], n_spins: usize) -> Result<Moments> {
    let n_samples = validate_samples(samples, n_spins)?;
    let n = n_spins;
    let zero = || vec![0i64; n + n * n];
    let sums = samples
        .par_chunks(n * ROWS_PER_TASK)
        .map(|block| {
            let mut sums = zero();
            for row in block.chunks_exact(n) {
                for i in 0..n {
                    let s_i = i64::from(row[i]);
                    sums[i] += s_i;
                    let products = &mut sums[n + i * n..n + (i + 1) * n];
                    for (product, &s_j) in products.iter_mut().zip(row) {
                        *product += s_i * i64::from(s_j);
                    }
                }
            }
            sums
        })
        .reduce(zero, |mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        });
    let scale = 1.0 / n_samples as f64;
    Ok(Moments {
        n_spins: n,
        mean: sums[..n].iter().map(|&s| s as f64 * scale).collect(),
        correlation: sums[n..].iter().map(|&s| s as f64 * scale).collect(),
    })
}

/// Empirical distribution of validated samples over all 2^N states, with every moment.
pub(crate) struct EmpiricalDistribution {
    pub n_spins: usize,
    pub n_samples: usize,
    /// Number of samples in each state.
    pub counts: Vec<u64>,
    /// <prod_{i in A} s_i> over the samples for every subset index A.
    pub moments: Vec<f64>,
}

impl EmpiricalDistribution {
    /// Builds the distribution of already-validated samples with N <= 20.
    pub fn new(samples: &[i8], n_spins: usize, n_samples: usize) -> Self {
        let counts = state_counts(samples, n_spins);
        // Counts and their signed sums are integers below 2^53, so the transform is exact.
        let mut moments: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
        moments_from_weights(&mut moments);
        let scale = 1.0 / n_samples as f64;
        moments.iter_mut().for_each(|m| *m *= scale);
        Self { n_spins, n_samples, counts, moments }
    }

    /// Shannon entropy -sum_x q(x) ln q(x) of the empirical distribution, in nats.
    pub fn entropy(&self) -> f64 {
        let total = self.n_samples as f64;
        self.counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let q = c as f64 / total;
                -q * q.ln()
            })
            .sum()
    }

    /// Mean <s_i>.
    pub fn mean(&self, i: usize) -> f64 {
        self.moments[1 << i]
    }

    /// Rejects data whose likelihood has no finite maximiser because a channel is constant or
    /// a pair of channels never shows one of its four joint values.
    // NOTE: these are the common causes, not all of them. Data on another face of the
    // marginal polytope (for example three channels that never take some joint value while
    // every pair does) pass this check, and the fit then reports `NotConverged`.
    pub fn check_interior(&self) -> Result<()> {
        let n = self.n_spins;
        for channel in 0..n {
            let mean = self.mean(channel);
            if mean.abs() >= 1.0 {
                let value = if mean > 0.0 { 1 } else { -1 };
                return Err(EbmError::ConstantChannel { channel, value });
            }
        }
        for first in 0..n {
            for second in (first + 1)..n {
                self.check_pair(first, second)?;
            }
        }
        Ok(())
    }

    /// Rejects a pair whose table of four joint counts has an empty cell.
    fn check_pair(&self, first: usize, second: usize) -> Result<()> {
        let m_i = self.mean(first);
        let m_j = self.mean(second);
        let m_ij = self.moments[pair_mask(first, second)];
        for (first_value, second_value) in [(1i8, 1i8), (1, -1), (-1, 1), (-1, -1)] {
            let a = f64::from(first_value);
            let b = f64::from(second_value);
            // Fraction of samples with (s_i, s_j) = (a, b), from the indicator (1 + a s_i)(1 + b s_j) / 4.
            let fraction = (1.0 + a * m_i + b * m_j + a * b * m_ij) / 4.0;
            if fraction * (self.n_samples as f64) < 0.5 {
                return Err(EbmError::UnobservedPairState {
                    first,
                    second,
                    first_value,
                    second_value,
                });
            }
        }
        Ok(())
    }
}
