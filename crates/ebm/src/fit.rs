//! Exact maximum-likelihood fit of the pairwise maximum-entropy (Ising) model of Schneidman
//! et al. 2006 (Nature 440:1007), E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j, by
//! enumerating all 2^N states (N <= 20), as in the likelihood maximisation described by
//! Ezaki et al. 2017 (Phil. Trans. R. Soc. A 375:20160287).
//!
//! With parameters theta = (h_i, J_ij) and statistics f = (s_i, s_i s_j), the mean
//! log-likelihood per sample is l(theta) = theta . <f>_data - ln Z(theta). It is concave, its
//! gradient is <f>_data - <f>_model and its Hessian is -Cov_model(f). The fit runs damped
//! Newton steps (Cov + lambda I) delta = gradient with a backtracking line search on l,
//! starting from the independent model h_i = atanh(<s_i>), J = 0. Every moment needed for
//! the gradient and the Hessian comes from one Walsh-Hadamard transform of the model
//! distribution per iteration (see `walsh`).

use serde::Serialize;
use tracing::debug;

use crate::error::{EbmError, Result};
use crate::linalg::cholesky_solve;
use crate::model::{IsingModel, validate_enumerable, validate_samples};
use crate::moments::EmpiricalDistribution;
use crate::walsh::{all_energies, boltzmann, moments_from_weights, pair_mask};

/// Halvings of the step length tried before the damping is raised.
const MAX_STEP_HALVINGS: usize = 40;
/// Damping increases tried when the line search finds no ascent.
const MAX_DAMPING_RAISES: usize = 12;
/// Sufficient-increase constant of the Armijo line search.
const ARMIJO_FRACTION: f64 = 1e-4;
/// Relative slack on l that lets the line search accept steps whose gain is below rounding.
const LIKELIHOOD_SLACK: f64 = 1e-12;

/// Settings of [`fit_exact`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactFitConfig {
    /// Stop when max_a |<f_a>_data - <f_a>_model| falls below this. Default 1e-8.
    pub tolerance: f64,
    /// Maximum number of Newton steps. Default 100.
    pub max_iterations: usize,
}

impl Default for ExactFitConfig {
    fn default() -> Self {
        Self { tolerance: 1e-8, max_iterations: 100 }
    }
}

impl ExactFitConfig {
    /// Checks that the tolerance is finite and positive and that `max_iterations` is at least 1.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
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
                expected: "must be at least 1 (default 100)",
            });
        }
        Ok(())
    }
}

/// Result of [`fit_exact`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactFit {
    /// Fitted model.
    pub model: IsingModel,
    /// Newton steps taken.
    pub iterations: usize,
    /// max_a |<f_a>_data - <f_a>_model| at the returned model, over all means and pairs.
    pub max_moment_error: f64,
    /// Mean log-likelihood per sample, sum_t ln P(s_t) / T, in nats.
    pub log_likelihood_per_sample: f64,
}

/// Fits the pairwise Ising model to row-major samples x `n_spins` data of +-1 values by exact
/// maximum likelihood.
///
/// # Errors
/// Input errors ([`EbmError::EmptySamples`], [`EbmError::SampleLengthMismatch`],
/// [`EbmError::InvalidSpin`], [`EbmError::ZeroSpins`], [`EbmError::TooManySpins`]),
/// [`EbmError::ConstantChannel`] and [`EbmError::UnobservedPairState`] when the maximum
/// likelihood is not attained at finite parameters, [`EbmError::InvalidConfig`], and
/// [`EbmError::NotConverged`] with the reached mismatch.
pub fn fit_exact(samples: &[i8], n_spins: usize, config: &ExactFitConfig) -> Result<ExactFit> {
    config.validate()?;
    validate_enumerable(n_spins)?;
    let n_samples = validate_samples(samples, n_spins)?;
    let data = EmpiricalDistribution::new(samples, n_spins, n_samples);
    data.check_interior()?;

    let problem = Problem::new(&data);
    let start: Vec<f64> = (0..problem.masks.len())
        .map(|a| if a < n_spins { problem.data_moments[a].atanh() } else { 0.0 })
        .collect();
    let mut current = problem.evaluate(start);
    let mut iterations = 0;
    loop {
        let error = problem.max_moment_error(&current);
        debug!(iterations, max_moment_error = error, log_likelihood = current.log_likelihood, "exact fit");
        if error < config.tolerance {
            return problem.finish(current, iterations, error);
        }
        if iterations == config.max_iterations {
            return Err(not_converged(iterations, error, config));
        }
        match problem.newton_step(&current) {
            Some(next) => current = next,
            None => return Err(not_converged(iterations, error, config)),
        }
        iterations += 1;
    }
}

fn not_converged(iterations: usize, max_moment_error: f64, config: &ExactFitConfig) -> EbmError {
    EbmError::NotConverged { iterations, max_moment_error, tolerance: config.tolerance }
}

/// Model quantities at one parameter vector.
struct Evaluation {
    theta: Vec<f64>,
    /// <prod_{i in A} s_i>_model for every subset index A.
    moments: Vec<f64>,
    log_likelihood: f64,
}

/// The fit's fixed data: statistics as subset masks (fields first, then pairs i < j) and the
/// data moments in the same order.
struct Problem {
    n_spins: usize,
    masks: Vec<usize>,
    data_moments: Vec<f64>,
}

impl Problem {
    fn new(data: &EmpiricalDistribution) -> Self {
        let n = data.n_spins;
        let mut masks: Vec<usize> = (0..n).map(|i| 1usize << i).collect();
        for i in 0..n {
            masks.extend(((i + 1)..n).map(|j| pair_mask(i, j)));
        }
        let data_moments = masks.iter().map(|&mask| data.moments[mask]).collect();
        Self { n_spins: n, masks, data_moments }
    }

    /// Splits theta into fields h and the N x N coupling matrix J.
    fn field_and_coupling(&self, theta: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = self.n_spins;
        let field = theta[..n].to_vec();
        let mut coupling = vec![0.0; n * n];
        for (&mask, &value) in self.masks.iter().zip(theta).skip(n) {
            let i = mask.trailing_zeros() as usize;
            let j = (usize::BITS - 1 - mask.leading_zeros()) as usize;
            coupling[i * n + j] = value;
            coupling[j * n + i] = value;
        }
        (field, coupling)
    }

    fn evaluate(&self, theta: Vec<f64>) -> Evaluation {
        let (field, coupling) = self.field_and_coupling(&theta);
        let energies = all_energies(&field, &coupling);
        let distribution = boltzmann(&energies);
        drop(energies);
        let mut moments = distribution.probability;
        moments_from_weights(&mut moments);
        let fit_term: f64 = theta.iter().zip(&self.data_moments).map(|(t, m)| t * m).sum();
        let log_likelihood = fit_term - distribution.log_partition_function;
        Evaluation { theta, moments, log_likelihood }
    }

    fn gradient(&self, at: &Evaluation) -> Vec<f64> {
        self.masks.iter().zip(&self.data_moments).map(|(&mask, &d)| d - at.moments[mask]).collect()
    }

    fn max_moment_error(&self, at: &Evaluation) -> f64 {
        self.gradient(at).iter().fold(0.0, |acc, g| acc.max(g.abs()))
    }

    /// Cov(f_a, f_b) = <s_{A xor B}> - <s_A><s_B>, because s_i^2 = 1.
    fn covariance(&self, at: &Evaluation) -> Vec<f64> {
        let size = self.masks.len();
        let mut covariance = vec![0.0; size * size];
        for (a, &mask_a) in self.masks.iter().enumerate() {
            for (b, &mask_b) in self.masks.iter().enumerate() {
                covariance[a * size + b] =
                    at.moments[mask_a ^ mask_b] - at.moments[mask_a] * at.moments[mask_b];
            }
        }
        covariance
    }

    /// Takes one damped Newton step with backtracking, or returns `None` when no damping
    /// yields an ascent step (the fit has stalled at rounding level).
    fn newton_step(&self, current: &Evaluation) -> Option<Evaluation> {
        let gradient = self.gradient(current);
        let covariance = self.covariance(current);
        let size = self.masks.len();
        let mean_diagonal = (0..size).map(|a| covariance[a * size + a]).sum::<f64>() / size as f64;
        let mut damping = 0.0;
        for _ in 0..MAX_DAMPING_RAISES {
            if let Some(direction) = cholesky_solve(&covariance, size, damping, &gradient)
                && let Some(next) = self.line_search(current, &gradient, &direction)
            {
                return Some(next);
            }
            damping = (damping * 10.0).max(1e-10 * mean_diagonal.max(f64::MIN_POSITIVE));
        }
        None
    }

    fn line_search(&self, current: &Evaluation, gradient: &[f64], direction: &[f64]) -> Option<Evaluation> {
        let slope: f64 = gradient.iter().zip(direction).map(|(g, d)| g * d).sum();
        if !(slope.is_finite() && slope >= 0.0) {
            return None;
        }
        let slack = LIKELIHOOD_SLACK * (1.0 + current.log_likelihood.abs());
        let mut step = 1.0;
        for _ in 0..MAX_STEP_HALVINGS {
            let theta: Vec<f64> =
                current.theta.iter().zip(direction).map(|(t, d)| t + step * d).collect();
            if theta.iter().all(|t| t.is_finite()) {
                let trial = self.evaluate(theta);
                let required = current.log_likelihood + ARMIJO_FRACTION * step * slope - slack;
                if trial.log_likelihood.is_finite() && trial.log_likelihood >= required {
                    return Some(trial);
                }
            }
            step *= 0.5;
        }
        None
    }

    fn finish(&self, at: Evaluation, iterations: usize, max_moment_error: f64) -> Result<ExactFit> {
        let (field, coupling) = self.field_and_coupling(&at.theta);
        Ok(ExactFit {
            model: IsingModel::new(field, coupling)?,
            iterations,
            max_moment_error,
            log_likelihood_per_sample: at.log_likelihood,
        })
    }
}
