//! Pseudo-likelihood fit of the pairwise maximum-entropy (Ising) model of Schneidman et al.
//! 2006 (Nature 440:1007), E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j, for N up to several
//! hundred spins.
//!
//! Besag's pseudo-likelihood (Besag 1975, J. R. Stat. Soc. D 24:179-195) replaces ln P(s) by
//! sum_i ln P(s_i | s_-i). For the Ising model the conditional is a logistic regression,
//!
//! P(s_i | s_-i) = exp(s_i H_i) / (2 cosh H_i),  H_i = h_i + sum_{j != i} J_{i|j} s_j,
//!
//! so each site is fitted on its own, as in the asymmetric pseudo-likelihood maximisation of
//! Aurell and Ekeberg 2012 (Phys. Rev. Lett. 108:090201) and Ekeberg et al. 2014 (J. Comput.
//! Phys. 276:341-356). Site i minimises the convex
//!
//! f_i(w) = sum_t q_t [ln(2 cosh H_i(t)) - s_i(t) H_i(t)] + lambda sum_{j != i} J_{i|j}^2
//!
//! (q_t the normalised sample weights, 1/T for plain samples) by Newton's method with the
//! exact Hessian sum_t q_t (1 - tanh^2 H_i(t)) x_t x_t^T + 2 lambda (x_t is s(t) with s_i
//! replaced by 1), a Cholesky solve and a backtracking line search. The sites run in parallel.
//! The two estimates of each coupling are averaged, J_ij = (J_{i|j} + J_{j|i}) / 2.
//!
//! Pseudo-likelihood is a consistent estimator but not the maximum-likelihood one: with
//! finite samples its couplings differ from the exact fit's by an amount of the order of the
//! sampling error, and for the exact distribution (weights over all states) it returns the
//! true parameters.

use rayon::prelude::*;
use serde::Serialize;
use tracing::debug;

use crate::error::{EbmError, Result};
use crate::linalg::cholesky_solve;
use crate::model::{IsingModel, validate_samples};

/// Halvings of the Newton step tried by the line search.
const MAX_STEP_HALVINGS: usize = 50;
/// Sufficient-decrease constant of the Armijo line search.
const ARMIJO_FRACTION: f64 = 1e-4;

/// Settings of [`fit_pseudolikelihood`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PseudoLikelihoodConfig {
    /// L2 penalty lambda on each conditional coupling J_{i|j}, per unit sample weight.
    /// Default 0 (plain pseudo-likelihood).
    pub l2_penalty: f64,
    /// Stop a site when its largest absolute gradient entry is below this. Default 1e-8.
    pub tolerance: f64,
    /// Maximum Newton iterations per site. Default 50.
    pub max_iterations: usize,
}

impl Default for PseudoLikelihoodConfig {
    fn default() -> Self {
        Self {
            l2_penalty: 0.0,
            tolerance: 1e-8,
            max_iterations: 50,
        }
    }
}

impl PseudoLikelihoodConfig {
    /// Checks that the penalty is finite and >= 0, the tolerance finite and > 0, and
    /// `max_iterations` at least 1.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if !(self.l2_penalty.is_finite() && self.l2_penalty >= 0.0) {
            return Err(EbmError::InvalidConfig {
                name: "l2_penalty",
                value: self.l2_penalty.to_string(),
                expected: "must be finite and >= 0 (default 0)",
            });
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(EbmError::InvalidConfig {
                name: "tolerance",
                value: self.tolerance.to_string(),
                expected: "must be finite and > 0 (default 1e-8)",
            });
        }
        if self.max_iterations == 0 {
            return Err(EbmError::InvalidConfig {
                name: "max_iterations",
                value: "0".to_string(),
                expected: "must be at least 1 (default 50)",
            });
        }
        Ok(())
    }
}

/// Result of [`fit_pseudolikelihood`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PseudoLikelihoodFit {
    /// Fitted model with the symmetrised couplings (J_{i|j} + J_{j|i}) / 2.
    pub model: IsingModel,
    /// Conditional couplings before symmetrisation: row i holds J_{i|j}, with 0 on the
    /// diagonal. N x N row-major.
    pub conditional_coupling: Vec<f64>,
    /// Newton iterations of each site.
    pub iterations: Vec<usize>,
    /// Largest absolute gradient entry over all sites at the returned parameters.
    pub max_gradient: f64,
    /// sum_i sum_t q_t ln P(s_i(t) | s_-i(t)) at the conditional parameters, penalty
    /// excluded, in nats per sample.
    pub pseudo_log_likelihood: f64,
}

/// Fits the pairwise Ising model to row-major samples x `n_spins` data of +-1 values by
/// maximum pseudo-likelihood.
///
/// # Errors
/// Input errors ([`EbmError::ZeroSpins`], [`EbmError::EmptySamples`],
/// [`EbmError::SampleLengthMismatch`], [`EbmError::InvalidSpin`]),
/// [`EbmError::ConstantChannel`], [`EbmError::UnobservedPairState`] when `l2_penalty` is 0
/// (the conditional coupling would be infinite), [`EbmError::InvalidConfig`] and
/// [`EbmError::PseudoLikelihoodNotConverged`].
pub fn fit_pseudolikelihood(
    samples: &[i8],
    n_spins: usize,
    config: &PseudoLikelihoodConfig,
) -> Result<PseudoLikelihoodFit> {
    let n_samples = validate_samples(samples, n_spins)?;
    fit_pseudolikelihood_weighted(samples, &vec![1.0; n_samples], n_spins, config)
}

/// Fits like [`fit_pseudolikelihood`] with a weight q_t >= 0 per sample, for example the
/// count of each distinct state or the exact probabilities of all 2^N states. Weights are
/// normalised to sum to 1.
///
/// # Errors
/// As [`fit_pseudolikelihood`], plus [`EbmError::WeightLengthMismatch`] and
/// [`EbmError::InvalidWeight`].
pub fn fit_pseudolikelihood_weighted(
    samples: &[i8],
    weights: &[f64],
    n_spins: usize,
    config: &PseudoLikelihoodConfig,
) -> Result<PseudoLikelihoodFit> {
    config.validate()?;
    let n_samples = validate_samples(samples, n_spins)?;
    let weights = normalised_weights(weights, n_samples)?;
    let data = WeightedSpins::new(samples, weights, n_spins);
    data.check_channels(config.l2_penalty == 0.0)?;

    let sites: Vec<SiteFit> = (0..n_spins)
        .into_par_iter()
        .map(|site| fit_site(&data, site, config))
        .collect::<Result<_>>()?;
    let n = n_spins;
    let mut conditional_coupling = vec![0.0; n * n];
    let mut field = vec![0.0; n];
    for (i, site) in sites.iter().enumerate() {
        field[i] = site.parameters[i];
        for j in (0..n).filter(|&j| j != i) {
            conditional_coupling[i * n + j] = site.parameters[j];
        }
    }
    let mut coupling = vec![0.0; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            let value = 0.5 * (conditional_coupling[i * n + j] + conditional_coupling[j * n + i]);
            coupling[i * n + j] = value;
            coupling[j * n + i] = value;
        }
    }
    Ok(PseudoLikelihoodFit {
        model: IsingModel::new(field, coupling)?,
        conditional_coupling,
        iterations: sites.iter().map(|s| s.iterations).collect(),
        max_gradient: sites.iter().fold(0.0, |acc, s| acc.max(s.max_gradient)),
        pseudo_log_likelihood: -sites.iter().map(|s| s.loss).sum::<f64>(),
    })
}

/// Checks the weights and divides them by their sum.
fn normalised_weights(weights: &[f64], n_samples: usize) -> Result<Vec<f64>> {
    if weights.len() != n_samples {
        return Err(EbmError::WeightLengthMismatch {
            len: weights.len(),
            n_samples,
        });
    }
    if let Some(index) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(EbmError::InvalidWeight {
            index,
            value: weights[index],
        });
    }
    let total: f64 = weights.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(EbmError::InvalidWeight {
            index: n_samples - 1,
            value: weights[n_samples - 1],
        });
    }
    Ok(weights.iter().map(|w| w / total).collect())
}

/// Samples as f64 spins with normalised weights; rows of zero weight are dropped.
struct WeightedSpins {
    n_spins: usize,
    spins: Vec<f64>,
    weights: Vec<f64>,
}

impl WeightedSpins {
    fn new(samples: &[i8], weights: Vec<f64>, n_spins: usize) -> Self {
        let mut spins = Vec::with_capacity(samples.len());
        let mut kept = Vec::with_capacity(weights.len());
        for (row, &weight) in samples.chunks_exact(n_spins).zip(&weights) {
            if weight > 0.0 {
                spins.extend(row.iter().map(|&s| f64::from(s)));
                kept.push(weight);
            }
        }
        Self {
            n_spins,
            spins,
            weights: kept,
        }
    }

    fn rows(&self) -> impl Iterator<Item = (&[f64], f64)> {
        self.spins
            .chunks_exact(self.n_spins)
            .zip(self.weights.iter().copied())
    }

    /// Rejects constant channels and, when `check_pairs`, pairs with an unobserved joint value.
    fn check_channels(&self, check_pairs: bool) -> Result<()> {
        let n = self.n_spins;
        let first: Vec<f64> = self.spins[..n].to_vec();
        for channel in 0..n {
            if self.rows().all(|(row, _)| row[channel] == first[channel]) {
                return Err(EbmError::ConstantChannel {
                    channel,
                    value: first[channel] as i8,
                });
            }
        }
        if !check_pairs {
            return Ok(());
        }
        // seen[(i * n + j) * 4 + code] for the joint value code of (s_i, s_j).
        let mut seen = vec![false; n * n * 4];
        for (row, _) in self.rows() {
            for i in 0..n {
                let code_i = usize::from(row[i] > 0.0) * 2;
                for j in (i + 1)..n {
                    seen[(i * n + j) * 4 + code_i + usize::from(row[j] > 0.0)] = true;
                }
            }
        }
        for first in 0..n {
            for second in (first + 1)..n {
                if let Some(code) = (0..4).find(|&code| !seen[(first * n + second) * 4 + code]) {
                    let value = |bit: usize| if bit == 1 { 1 } else { -1 };
                    return Err(EbmError::UnobservedPairState {
                        first,
                        second,
                        first_value: value(code / 2),
                        second_value: value(code % 2),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Parameters of one site: position `site` holds h_i, position j != i holds J_{i|j}.
struct SiteFit {
    parameters: Vec<f64>,
    iterations: usize,
    max_gradient: f64,
    loss: f64,
}

/// Loss (penalty included), gradient and optionally the Hessian of f_i at one point.
struct SiteEvaluation {
    loss: f64,
    data_loss: f64,
    gradient: Vec<f64>,
    hessian: Vec<f64>,
}

fn fit_site(data: &WeightedSpins, site: usize, config: &PseudoLikelihoodConfig) -> Result<SiteFit> {
    let n = data.n_spins;
    let mean: f64 = data.rows().map(|(row, q)| q * row[site]).sum();
    let mut parameters = vec![0.0; n];
    parameters[site] = mean.clamp(-0.999, 0.999).atanh();

    let mut iterations = 0;
    loop {
        let at = evaluate_site(data, site, &parameters, config.l2_penalty, true);
        let max_gradient = at.gradient.iter().fold(0.0f64, |acc, g| acc.max(g.abs()));
        if max_gradient < config.tolerance {
            debug!(
                site,
                iterations, max_gradient, "pseudo-likelihood site converged"
            );
            return Ok(SiteFit {
                parameters,
                iterations,
                max_gradient,
                loss: at.data_loss,
            });
        }
        let not_converged = || EbmError::PseudoLikelihoodNotConverged {
            site,
            iterations,
            gradient: max_gradient,
            tolerance: config.tolerance,
        };
        if iterations == config.max_iterations {
            return Err(not_converged());
        }
        let descent: Vec<f64> = at.gradient.iter().map(|g| -g).collect();
        let direction = newton_direction(&at.hessian, n, &descent).ok_or_else(not_converged)?;
        parameters = line_search(data, site, &parameters, &at, &direction, config.l2_penalty)
            .ok_or_else(not_converged)?;
        iterations += 1;
    }
}

/// Solves the Newton system, adding damping when the Hessian is numerically singular.
fn newton_direction(hessian: &[f64], n: usize, descent: &[f64]) -> Option<Vec<f64>> {
    let scale = (0..n)
        .map(|a| hessian[a * n + a])
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut damping = 0.0;
    for _ in 0..12 {
        if let Some(direction) = cholesky_solve(hessian, n, damping, descent) {
            return Some(direction);
        }
        damping = (damping * 10.0).max(1e-12 * scale);
    }
    None
}

fn line_search(
    data: &WeightedSpins,
    site: usize,
    parameters: &[f64],
    at: &SiteEvaluation,
    direction: &[f64],
    l2_penalty: f64,
) -> Option<Vec<f64>> {
    let slope: f64 = at.gradient.iter().zip(direction).map(|(g, d)| g * d).sum();
    if !(slope.is_finite() && slope <= 0.0) {
        return None;
    }
    // Losses below this difference are rounding noise, so a step that changes the loss by less
    // is accepted: near the optimum the gradient test, not the loss, decides convergence.
    let slack = 1e-13 * (1.0 + at.loss.abs());
    let mut step = 1.0;
    for _ in 0..MAX_STEP_HALVINGS {
        let trial: Vec<f64> = parameters
            .iter()
            .zip(direction)
            .map(|(p, d)| p + step * d)
            .collect();
        let loss = evaluate_site(data, site, &trial, l2_penalty, false).loss;
        if loss.is_finite() && loss <= at.loss + ARMIJO_FRACTION * step * slope + slack {
            return Some(trial);
        }
        step *= 0.5;
    }
    None
}

/// Computes f_i, its gradient and (when `with_hessian`) its Hessian, upper and lower parts.
fn evaluate_site(
    data: &WeightedSpins,
    site: usize,
    parameters: &[f64],
    l2_penalty: f64,
    with_hessian: bool,
) -> SiteEvaluation {
    let n = data.n_spins;
    let mut data_loss = 0.0;
    let mut gradient = vec![0.0; n];
    let mut hessian = if with_hessian {
        vec![0.0; n * n]
    } else {
        Vec::new()
    };
    let mut features = vec![0.0; n];
    let mut block = HessianBlock::new(n);
    for (row, q) in data.rows() {
        features.copy_from_slice(row);
        features[site] = 1.0;
        let local_field: f64 = features.iter().zip(parameters).map(|(x, w)| x * w).sum();
        let target = row[site];
        data_loss += q * (log_two_cosh(local_field) - target * local_field);
        let expected = local_field.tanh();
        let residual = q * (expected - target);
        gradient
            .iter_mut()
            .zip(&features)
            .for_each(|(g, x)| *g += residual * x);
        if with_hessian {
            block.push(&features, q * (1.0 - expected * expected), &mut hessian);
        }
    }
    if with_hessian {
        block.flush(&mut hessian);
    }

    let mut penalty = 0.0;
    for j in (0..n).filter(|&j| j != site) {
        penalty += l2_penalty * parameters[j] * parameters[j];
        gradient[j] += 2.0 * l2_penalty * parameters[j];
        if with_hessian {
            hessian[j * n + j] += 2.0 * l2_penalty;
        }
    }
    if with_hessian {
        for a in 0..n {
            for b in 0..a {
                hessian[a * n + b] = hessian[b * n + a];
            }
        }
    }
    SiteEvaluation {
        loss: data_loss + penalty,
        data_loss,
        gradient,
        hessian,
    }
}

/// Rows per block of the Hessian accumulation.
const BLOCK_ROWS: usize = 16;

/// Accumulates the upper triangle of sum_t c_t x_t x_t^T over blocks of rows. Each Hessian
/// entry then gains one dot product of length `BLOCK_ROWS` per block, not one update per row,
/// which keeps the block in cache and cuts the passes over the N x N matrix 16-fold.
struct HessianBlock {
    n: usize,
    len: usize,
    /// features[a][k] = x_{t_k, a}.
    features: Vec<[f64; BLOCK_ROWS]>,
    /// weighted[a][k] = c_{t_k} x_{t_k, a}.
    weighted: Vec<[f64; BLOCK_ROWS]>,
}

impl HessianBlock {
    fn new(n: usize) -> Self {
        Self {
            n,
            len: 0,
            features: vec![[0.0; BLOCK_ROWS]; n],
            weighted: vec![[0.0; BLOCK_ROWS]; n],
        }
    }

    fn push(&mut self, features: &[f64], curvature: f64, hessian: &mut [f64]) {
        for (a, &x) in features.iter().enumerate() {
            self.features[a][self.len] = x;
            self.weighted[a][self.len] = curvature * x;
        }
        self.len += 1;
        if self.len == BLOCK_ROWS {
            self.flush(hessian);
        }
    }

    fn flush(&mut self, hessian: &mut [f64]) {
        let n = self.n;
        // Unused slots of a partial block must not contribute.
        for a in 0..n {
            self.weighted[a][self.len..].fill(0.0);
        }
        for a in 0..n {
            let weighted = &self.weighted[a];
            let hessian_row = &mut hessian[a * n + a..(a + 1) * n];
            for (h, features) in hessian_row.iter_mut().zip(&self.features[a..]) {
                let mut dot = 0.0;
                for k in 0..BLOCK_ROWS {
                    dot += weighted[k] * features[k];
                }
                *h += dot;
            }
        }
        self.len = 0;
    }
}

/// Computes ln(2 cosh x) without overflow.
fn log_two_cosh(x: f64) -> f64 {
    let magnitude = x.abs();
    magnitude + (-2.0 * magnitude).exp().ln_1p()
}
