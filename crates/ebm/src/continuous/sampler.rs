//! Markov chain Monte Carlo samplers for p_T(x) proportional to exp(-E(x) / T), running many
//! chains in parallel as rows of one tensor:
//!
//! - unadjusted Langevin algorithm (ULA; Roberts and Tweedie 1996, Bernoulli 2:341):
//!   x' = x - eps grad U(x) + sqrt(2 eps) z with U = E / T and z ~ N(0, I). It has no
//!   accept/reject step, so its stationary law is biased by O(eps).
//! - Metropolis-adjusted Langevin (MALA; same paper): the ULA move as a proposal y, accepted with
//!   probability min(1, exp(U(x) - U(y)) q(x | y) / q(y | x)),
//!   q(y | x) = N(y; x - eps grad U(x), 2 eps I). It leaves p_T invariant for every eps > 0.
//! - Hamiltonian Monte Carlo (Duane et al. 1987, Phys. Lett. B 195:216; Neal 2011, Handbook of
//!   MCMC ch. 5): momentum p ~ N(0, I), L leapfrog steps of size eps on H = U(x) + |p|^2 / 2,
//!   accepted with probability min(1, exp(H_0 - H_L)).
//!
//! Annealing moves T from `start_temperature` to `end_temperature` across the steps, linearly
//! or geometrically; each step is a kernel for the current T. Noise and the acceptance draws
//! come from one ChaCha8 stream per call, so a seed gives the same chains on every backend.

use burn::tensor::{Bool, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::continuous::energy::Energy;
use crate::continuous::error::{ContinuousError, ContinuousResult, check_nonzero, check_positive};
use crate::continuous::tensor::{normal_tensor, read, read_scalar, uniform_tensor};

/// Markov chain kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamplerMethod {
    /// Unadjusted Langevin algorithm.
    Ula,
    /// Metropolis-adjusted Langevin algorithm.
    Mala,
    /// Hamiltonian Monte Carlo with the given number of leapfrog steps (at least 1).
    Hmc { leapfrog_steps: usize },
}

/// Temperature schedule between the start and end values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Annealing {
    /// T_t = T_0 + (T_1 - T_0) t / (steps - 1).
    Linear,
    /// T_t = T_0 (T_1 / T_0)^(t / (steps - 1)).
    Geometric,
}

/// Settings of [`sample`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplerConfig {
    /// Kernel. Default MALA.
    pub method: SamplerMethod,
    /// Step size eps, finite and > 0. Default 0.01.
    pub step_size: f64,
    /// Number of Markov steps, at least 1. Default 1000.
    pub n_steps: usize,
    /// Temperature at the first step, finite and > 0. Default 1.
    pub start_temperature: f64,
    /// Temperature at the last step, finite and > 0. Default 1.
    pub end_temperature: f64,
    /// Temperature schedule. Default geometric.
    pub annealing: Annealing,
    /// Seed of the noise. Default 0.
    pub seed: u64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self {
            method: SamplerMethod::Mala,
            step_size: 0.01,
            n_steps: 1000,
            start_temperature: 1.0,
            end_temperature: 1.0,
            annealing: Annealing::Geometric,
            seed: 0,
        }
    }
}

impl SamplerConfig {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] naming the first bad value.
    pub fn validate(&self) -> ContinuousResult<()> {
        check_positive("step_size", self.step_size)?;
        check_nonzero("n_steps", self.n_steps)?;
        check_positive("start_temperature", self.start_temperature)?;
        check_positive("end_temperature", self.end_temperature)?;
        if let SamplerMethod::Hmc { leapfrog_steps } = self.method {
            check_nonzero("leapfrog_steps", leapfrog_steps)?;
        }
        Ok(())
    }

    /// Temperature at step `t` (0-based).
    pub fn temperature(&self, t: usize) -> f64 {
        let fraction = if self.n_steps <= 1 {
            1.0
        } else {
            t as f64 / (self.n_steps - 1) as f64
        };
        let (start, end) = (self.start_temperature, self.end_temperature);
        match self.annealing {
            Annealing::Linear => start + (end - start) * fraction,
            Annealing::Geometric => start * (end / start).powf(fraction),
        }
    }
}

/// Chains after [`sample`].
#[derive(Debug, Clone)]
pub struct SampleOutput {
    /// Final states, `[n_chains, d]`.
    pub samples: Tensor<2>,
    /// Final states read back, row-major n_chains x d.
    pub rows: Vec<f32>,
    /// Fraction of accepted proposals over all chains and steps; `None` for ULA, which accepts
    /// every move.
    pub acceptance_rate: Option<f64>,
}

/// Runs `config.n_steps` Markov steps of every chain, starting from the rows of `init`.
///
/// # Arguments
/// - `energy`: the energy E; the target is exp(-E / T).
/// - `init`: initial states, one chain per row, on the device the energy lives on.
/// - `config`: kernel, step size, steps, temperature schedule and seed.
///
/// # Shapes
/// - `init`: `[n_chains, d]` with d = `energy.dim()`.
///
/// # Errors
/// [`ContinuousError::InvalidSetting`] for a bad setting, [`ContinuousError::EmptyData`] for
/// zero chains, [`ContinuousError::DimensionMismatch`] when the columns differ from d,
/// [`ContinuousError::NonFiniteData`] for a NaN or infinite initial state,
/// [`ContinuousError::NonFiniteStates`] when the chains leave the finite range, and
/// [`ContinuousError::Backend`] when a read-back fails.
pub fn sample<E: Energy>(
    energy: &E,
    init: Tensor<2>,
    config: &SamplerConfig,
) -> ContinuousResult<SampleOutput> {
    config.validate()?;
    check_states("initial states", &init, energy.dim())?;

    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let (samples, accepted) = run_chains(energy, init, config, &mut rng);
    let [n_chains, _] = samples.dims();
    let rows = read(samples.clone())?;
    if rows.iter().any(|v| !v.is_finite()) {
        return Err(ContinuousError::NonFiniteStates {
            what: "the sampler",
            step_size: config.step_size,
        });
    }
    let acceptance_rate = match accepted {
        Some(count) => Some(read_scalar(count)? / (n_chains * config.n_steps) as f64),
        None => None,
    };
    Ok(SampleOutput {
        samples,
        rows,
        acceptance_rate,
    })
}

/// Checks that `states` is non-empty with `dim` columns and finite entries.
pub(crate) fn check_states(
    what: &'static str,
    states: &Tensor<2>,
    dim: usize,
) -> ContinuousResult<()> {
    let [rows, cols] = states.dims();
    if rows == 0 {
        return Err(ContinuousError::EmptyData { what, dim });
    }
    if cols != dim {
        return Err(ContinuousError::DimensionMismatch {
            what,
            found: cols,
            expected: dim,
        });
    }
    crate::continuous::tensor::check_finite(what, &read(states.clone())?, dim)
}

/// Runs the chains without checks; returns the states and, for MALA and HMC, the number of
/// accepted proposals as a one-element tensor.
pub(crate) fn run_chains<E: Energy>(
    energy: &E,
    init: Tensor<2>,
    config: &SamplerConfig,
    rng: &mut ChaCha8Rng,
) -> (Tensor<2>, Option<Tensor<1>>) {
    match config.method {
        SamplerMethod::Ula => (run_ula(energy, init, config, rng), None),
        SamplerMethod::Mala => {
            let (x, accepted) = run_mala(energy, init, config, rng);
            (x, Some(accepted))
        }
        SamplerMethod::Hmc { leapfrog_steps } => {
            let (x, accepted) = run_hmc(energy, init, config, leapfrog_steps, rng);
            (x, Some(accepted))
        }
    }
}

fn run_ula<E: Energy>(
    energy: &E,
    mut x: Tensor<2>,
    config: &SamplerConfig,
    rng: &mut ChaCha8Rng,
) -> Tensor<2> {
    let [n, d] = x.dims();
    let device = x.device();
    let eps = config.step_size;
    for t in 0..config.n_steps {
        let temperature = config.temperature(t);
        let noise = normal_tensor(rng, n, d, &device);
        let drift = energy.grad(x.clone()).mul_scalar(eps / temperature);
        x = x.sub(drift).add(noise.mul_scalar((2.0 * eps).sqrt()));
    }
    x
}

fn run_mala<E: Energy>(
    energy: &E,
    mut x: Tensor<2>,
    config: &SamplerConfig,
    rng: &mut ChaCha8Rng,
) -> (Tensor<2>, Tensor<1>) {
    let [n, d] = x.dims();
    let device = x.device();
    let eps = config.step_size;
    let (mut energy_x, mut grad_x) = energy.energy_and_grad(x.clone());
    let mut accepted = Tensor::<1>::zeros([1], &device);
    for t in 0..config.n_steps {
        let temperature = config.temperature(t);
        let noise = normal_tensor(rng, n, d, &device);
        let uniform = uniform_tensor(rng, n, &device);

        let mean_x = x.clone().sub(grad_x.clone().mul_scalar(eps / temperature));
        let y = mean_x.clone().add(noise.mul_scalar((2.0 * eps).sqrt()));
        let (energy_y, grad_y) = energy.energy_and_grad(y.clone());
        let mean_y = y.clone().sub(grad_y.clone().mul_scalar(eps / temperature));

        let log_forward = y
            .clone()
            .sub(mean_x)
            .square()
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .div_scalar(-4.0 * eps);
        let log_backward = x
            .clone()
            .sub(mean_y)
            .square()
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .div_scalar(-4.0 * eps);
        let log_ratio = energy_x
            .clone()
            .sub(energy_y.clone())
            .div_scalar(temperature)
            .add(log_backward)
            .sub(log_forward);
        // A NaN ratio compares false, so a proposal with a NaN energy is rejected.
        let accept = uniform.log().lower(log_ratio);

        x = x.mask_where(row_mask(&accept, d), y);
        grad_x = grad_x.mask_where(row_mask(&accept, d), grad_y);
        energy_x = energy_x.mask_where(accept.clone(), energy_y);
        accepted = accepted.add(accept.float().sum());
    }
    (x, accepted)
}

fn run_hmc<E: Energy>(
    energy: &E,
    mut x: Tensor<2>,
    config: &SamplerConfig,
    leapfrog_steps: usize,
    rng: &mut ChaCha8Rng,
) -> (Tensor<2>, Tensor<1>) {
    let [n, d] = x.dims();
    let device = x.device();
    let eps = config.step_size;
    let (mut energy_x, mut grad_x) = energy.energy_and_grad(x.clone());
    let mut accepted = Tensor::<1>::zeros([1], &device);
    for t in 0..config.n_steps {
        let temperature = config.temperature(t);
        let momentum = normal_tensor(rng, n, d, &device);
        let uniform = uniform_tensor(rng, n, &device);
        let start_hamiltonian = energy_x
            .clone()
            .div_scalar(temperature)
            .add(kinetic(&momentum));

        let mut position = x.clone();
        let mut momentum = momentum.sub(grad_x.clone().mul_scalar(0.5 * eps / temperature));
        let mut end_energy = energy_x.clone();
        let mut end_grad = grad_x.clone();
        for step in 0..leapfrog_steps {
            position = position.add(momentum.clone().mul_scalar(eps));
            (end_energy, end_grad) = energy.energy_and_grad(position.clone());
            let kick = if step + 1 < leapfrog_steps {
                eps
            } else {
                0.5 * eps
            };
            momentum = momentum.sub(end_grad.clone().mul_scalar(kick / temperature));
        }
        let end_hamiltonian = end_energy
            .clone()
            .div_scalar(temperature)
            .add(kinetic(&momentum));

        let accept = uniform.log().lower(start_hamiltonian.sub(end_hamiltonian));
        x = x.mask_where(row_mask(&accept, d), position);
        grad_x = grad_x.mask_where(row_mask(&accept, d), end_grad);
        energy_x = energy_x.mask_where(accept.clone(), end_energy);
        accepted = accepted.add(accept.float().sum());
    }
    (x, accepted)
}

/// Computes |p|^2 / 2 per row.
fn kinetic(momentum: &Tensor<2>) -> Tensor<1> {
    momentum
        .clone()
        .square()
        .sum_dim(1)
        .squeeze_dim::<1>(1)
        .mul_scalar(0.5)
}

/// Repeats a per-chain mask across the d columns.
fn row_mask(accept: &Tensor<1, Bool>, d: usize) -> Tensor<2, Bool> {
    accept.clone().unsqueeze_dim::<2>(1).repeat_dim(1, d)
}
