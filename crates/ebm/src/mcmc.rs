//! Gibbs sampling and Boltzmann learning of the pairwise maximum-entropy (Ising) model of
//! Schneidman et al. 2006 (Nature 440:1007), E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j,
//! with many chains as tensors on a Burn device.
//!
//! - Gibbs sampling (Geman and Geman 1984, IEEE Trans. PAMI 6:721-741): a sweep visits the
//!   sites in order 0..N and sets s_i = +1 with probability sigmoid(2 H_i), where
//!   H_i = h_i + sum_j J_ij s_j. All chains update site i in one tensor step, so the state
//!   matrix is C chains x N sites and H_i for every chain is one matrix-vector product.
//! - Boltzmann learning (Ackley, Hinton and Sejnowski 1985, Cogn. Sci. 9:147-169) climbs the
//!   log-likelihood, whose gradient is <s_i>_data - <s_i>_model for h_i and
//!   <s_i s_j>_data - <s_i s_j>_model for J_ij. The model moments come from persistent chains
//!   (Tieleman 2008, ICML) advanced a few sweeps per step. The learning rate
//!   decays as eta_t = eta_0 / (1 + t / tau) and the returned parameters are the average of
//!   the iterates after a burn-in (Polyak and Juditsky 1992, SIAM J. Control Optim.
//!   30:838-855), which cancels much of the Monte Carlo noise.
//!
//! Uniform random numbers come from a seeded ChaCha8 generator on the host and are uploaded
//! once per sweep, so a seed gives the same chains on every backend up to the f32 rounding of
//! the fields.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tracing::{debug, info};

use crate::error::{EbmError, Result};
use crate::model::{IsingModel, validate_samples};
use crate::moments::empirical_moments;

/// Settings of [`gibbs_sample`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GibbsConfig {
    /// Independent chains run side by side. Default 256.
    pub chains: usize,
    /// Sweeps discarded before the first sample. Default 200.
    pub burn_in_sweeps: usize,
    /// Samples kept from each chain. Default 10.
    pub samples_per_chain: usize,
    /// Sweeps between two kept samples of a chain. Default 10.
    pub sweeps_between_samples: usize,
    /// Seed of the initial states and of the updates. Default 0.
    pub seed: u64,
}

impl Default for GibbsConfig {
    fn default() -> Self {
        Self {
            chains: 256,
            burn_in_sweeps: 200,
            samples_per_chain: 10,
            sweeps_between_samples: 10,
            seed: 0,
        }
    }
}

impl GibbsConfig {
    /// Checks that `chains`, `samples_per_chain` and `sweeps_between_samples` are at least 1.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        positive("chains", self.chains, "must be at least 1 (default 256)")?;
        positive(
            "samples_per_chain",
            self.samples_per_chain,
            "must be at least 1 (default 10)",
        )?;
        positive(
            "sweeps_between_samples",
            self.sweeps_between_samples,
            "must be at least 1 (default 10)",
        )
    }
}

fn positive(name: &'static str, value: usize, expected: &'static str) -> Result<()> {
    if value == 0 {
        return Err(EbmError::InvalidConfig {
            name,
            value: "0".to_string(),
            expected,
        });
    }
    Ok(())
}

/// Draws samples of `model` by Gibbs sampling on `device`.
///
/// # Shapes
/// - returns: (`samples_per_chain` * `chains`) x N row-major +-1 values; draw k of every chain
///   comes before draw k + 1.
///
/// # Errors
/// [`EbmError::InvalidConfig`], model errors from [`IsingModel::validate`], and
/// [`EbmError::Backend`] when the device fails.
pub fn gibbs_sample(model: &IsingModel, config: &GibbsConfig, device: &Device) -> Result<Vec<i8>> {
    model.validate()?;
    config.validate()?;
    let n = model.n_spins();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let initial: Vec<i8> = (0..config.chains * n)
        .map(|_| if rng.random::<bool>() { 1 } else { -1 })
        .collect();
    let mut chains = Chains::new(&initial, config.chains, n, rng, device);
    let parameters = DeviceModel::upload(&model.field, &model.coupling, device);

    for _ in 0..config.burn_in_sweeps {
        chains.sweep(&parameters);
    }
    let mut samples = Vec::with_capacity(config.samples_per_chain * config.chains * n);
    for _ in 0..config.samples_per_chain {
        for _ in 0..config.sweeps_between_samples {
            chains.sweep(&parameters);
        }
        samples.extend(chains.download()?);
    }
    Ok(samples)
}

/// Fields and couplings as f32 tensors on the device.
struct DeviceModel {
    field: Vec<f32>,
    coupling: Tensor<2>,
}

impl DeviceModel {
    fn upload(field: &[f64], coupling: &[f64], device: &Device) -> Self {
        let n = field.len();
        let values: Vec<f32> = coupling.iter().map(|&j| j as f32).collect();
        Self {
            field: field.iter().map(|&h| h as f32).collect(),
            coupling: Tensor::<2>::from_data(TensorData::new(values, [n, n]), device),
        }
    }
}

/// C chains of N spins as an f32 tensor, with the generator of their updates.
struct Chains {
    states: Tensor<2>,
    n_chains: usize,
    n_spins: usize,
    rng: ChaCha8Rng,
    device: Device,
}

impl Chains {
    fn new(
        initial: &[i8],
        n_chains: usize,
        n_spins: usize,
        rng: ChaCha8Rng,
        device: &Device,
    ) -> Self {
        let values: Vec<f32> = initial.iter().map(|&s| f32::from(s)).collect();
        let states = Tensor::<2>::from_data(TensorData::new(values, [n_chains, n_spins]), device);
        Self {
            states,
            n_chains,
            n_spins,
            rng,
            device: device.clone(),
        }
    }

    /// Updates every site once, in order 0..N, in all chains.
    fn sweep(&mut self, model: &DeviceModel) {
        let (c, n) = (self.n_chains, self.n_spins);
        let uniform: Vec<f32> = (0..c * n).map(|_| self.rng.random::<f32>()).collect();
        let uniform = Tensor::<2>::from_data(TensorData::new(uniform, [c, n]), &self.device);
        for site in 0..n {
            let column = model.coupling.clone().narrow(1, site, 1); // [N, 1]
            let local_field = self
                .states
                .clone()
                .matmul(column)
                .add_scalar(model.field[site]); // [C, 1]
            let probability_up = sigmoid(local_field.mul_scalar(2.0));
            let up = uniform
                .clone()
                .narrow(1, site, 1)
                .lower(probability_up)
                .float();
            let spins = up.mul_scalar(2.0).sub_scalar(1.0);
            self.states = self
                .states
                .clone()
                .slice_assign([0..c, site..site + 1], spins);
        }
    }

    /// Returns the chain means <s_i> (length N) and second moments <s_i s_j> (N x N).
    fn moments(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        let scale = 1.0 / self.n_chains as f32;
        let mean = self.states.clone().sum_dim(0).mul_scalar(scale);
        let second = self
            .states
            .clone()
            .transpose()
            .matmul(self.states.clone())
            .mul_scalar(scale);
        Ok((download_f64(mean)?, download_f64(second)?))
    }

    fn download(&self) -> Result<Vec<i8>> {
        let values = download_f64(self.states.clone())?;
        Ok(values
            .iter()
            .map(|&v| if v > 0.0 { 1 } else { -1 })
            .collect())
    }
}

fn download_f64(tensor: Tensor<2>) -> Result<Vec<f64>> {
    let data = tensor.try_into_data().map_err(|error| EbmError::Backend {
        reason: error.to_string(),
    })?;
    let values = data
        .try_into_vec_as::<f32>()
        .map_err(|error| EbmError::Backend {
            reason: error.to_string(),
        })?;
    Ok(values.into_iter().map(f64::from).collect())
}

/// Settings of [`fit_boltzmann`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoltzmannConfig {
    /// Persistent chains that estimate the model moments. Default 1000.
    pub chains: usize,
    /// Learning steps. Default 400.
    pub iterations: usize,
    /// Gibbs sweeps of every chain per learning step. Default 1.
    pub sweeps_per_iteration: usize,
    /// Initial learning rate eta_0. Default 0.05.
    pub learning_rate: f64,
    /// Decay time tau of eta_t = eta_0 / (1 + t / tau), in steps. Default 100.
    pub decay_iterations: f64,
    /// Fraction of the steps after which the iterates are averaged, in [0, 1). Default 0.5.
    pub averaging_start: f64,
    /// L2 penalty lambda on the couplings: the gradient of J_ij gains -2 lambda J_ij. Default 0.
    pub l2_penalty: f64,
    /// Seed of the chain initialisation and updates. Default 0.
    pub seed: u64,
}

impl Default for BoltzmannConfig {
    fn default() -> Self {
        Self {
            chains: 1000,
            iterations: 400,
            sweeps_per_iteration: 1,
            learning_rate: 0.05,
            decay_iterations: 100.0,
            averaging_start: 0.5,
            l2_penalty: 0.0,
            seed: 0,
        }
    }
}

impl BoltzmannConfig {
    /// Checks every field's range.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        positive("chains", self.chains, "must be at least 1 (default 1000)")?;
        positive(
            "iterations",
            self.iterations,
            "must be at least 1 (default 400)",
        )?;
        positive(
            "sweeps_per_iteration",
            self.sweeps_per_iteration,
            "must be at least 1 (default 1)",
        )?;
        let checks: [(&'static str, f64, bool, &'static str); 4] = [
            (
                "learning_rate",
                self.learning_rate,
                self.learning_rate > 0.0,
                "must be finite and > 0 (default 0.05)",
            ),
            (
                "decay_iterations",
                self.decay_iterations,
                self.decay_iterations > 0.0,
                "must be finite and > 0 (default 100)",
            ),
            (
                "averaging_start",
                self.averaging_start,
                (0.0..1.0).contains(&self.averaging_start),
                "must be in [0, 1) (default 0.5)",
            ),
            (
                "l2_penalty",
                self.l2_penalty,
                self.l2_penalty >= 0.0,
                "must be finite and >= 0 (default 0)",
            ),
        ];
        for (name, value, in_range, expected) in checks {
            if !(value.is_finite() && in_range) {
                return Err(EbmError::InvalidConfig {
                    name,
                    value: value.to_string(),
                    expected,
                });
            }
        }
        Ok(())
    }
}

/// Result of [`fit_boltzmann`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoltzmannFit {
    /// The averaged parameters.
    pub model: IsingModel,
    /// Largest |data - chain| moment difference (means and pairwise moments) at each step, a
    /// Monte Carlo estimate with noise of order 1 / sqrt(chains).
    pub moment_error: Vec<f64>,
}

/// Fits the model to row-major samples x `n_spins` data of +-1 values by Boltzmann learning
/// with persistent Gibbs chains on `device`, starting from `initial` (for example a
/// mean-field or pseudo-likelihood fit). The chains start at randomly chosen data samples.
///
/// # Errors
/// Sample errors ([`EbmError::EmptySamples`], [`EbmError::SampleLengthMismatch`],
/// [`EbmError::InvalidSpin`]), [`EbmError::SpinCountMismatch`] when `initial` has another
/// N, [`EbmError::InvalidConfig`], [`EbmError::BoltzmannDiverged`] and [`EbmError::Backend`].
pub fn fit_boltzmann(
    samples: &[i8],
    n_spins: usize,
    initial: &IsingModel,
    config: &BoltzmannConfig,
    device: &Device,
) -> Result<BoltzmannFit> {
    config.validate()?;
    initial.validate()?;
    let n_samples = validate_samples(samples, n_spins)?;
    if initial.n_spins() != n_spins {
        return Err(EbmError::SpinCountMismatch {
            n_spins,
            model_spins: initial.n_spins(),
        });
    }
    let data = empirical_moments(samples, n_spins)?;
    let n = n_spins;

    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut start = Vec::with_capacity(config.chains * n);
    for _ in 0..config.chains {
        let row = rng.random_range(0..n_samples);
        start.extend_from_slice(&samples[row * n..(row + 1) * n]);
    }
    let mut chains = Chains::new(&start, config.chains, n, rng, device);

    let mut field = initial.field.clone();
    let mut coupling = initial.coupling.clone();
    let mut average = Average::new(n);
    let averaging_from = (config.averaging_start * config.iterations as f64) as usize;
    let mut moment_error = Vec::with_capacity(config.iterations);
    for iteration in 0..config.iterations {
        let parameters = DeviceModel::upload(&field, &coupling, device);
        for _ in 0..config.sweeps_per_iteration {
            chains.sweep(&parameters);
        }
        let (model_mean, model_second) = chains.moments()?;
        let rate = config.learning_rate / (1.0 + iteration as f64 / config.decay_iterations);
        let mut largest = 0.0f64;
        for i in 0..n {
            let difference = data.mean[i] - model_mean[i];
            largest = largest.max(difference.abs());
            field[i] += rate * difference;
            for j in (i + 1)..n {
                let difference = data.correlation[i * n + j] - model_second[i * n + j];
                largest = largest.max(difference.abs());
                let value = coupling[i * n + j]
                    + rate * (difference - 2.0 * config.l2_penalty * coupling[i * n + j]);
                coupling[i * n + j] = value;
                coupling[j * n + i] = value;
            }
        }
        if field.iter().chain(&coupling).any(|v| !v.is_finite()) {
            return Err(EbmError::BoltzmannDiverged { iteration });
        }
        debug!(
            iteration,
            moment_error = largest,
            rate,
            "Boltzmann learning"
        );
        moment_error.push(largest);
        if iteration >= averaging_from {
            average.add(&field, &coupling);
        }
    }
    let (field, coupling) = average.finish();
    info!(
        iterations = config.iterations,
        final_moment_error = moment_error.last().copied().unwrap_or(f64::NAN),
        "Boltzmann learning finished"
    );
    Ok(BoltzmannFit {
        model: IsingModel::new(field, coupling)?,
        moment_error,
    })
}

/// Running mean of the parameter iterates.
struct Average {
    count: usize,
    field: Vec<f64>,
    coupling: Vec<f64>,
}

impl Average {
    fn new(n: usize) -> Self {
        Self {
            count: 0,
            field: vec![0.0; n],
            coupling: vec![0.0; n * n],
        }
    }

    fn add(&mut self, field: &[f64], coupling: &[f64]) {
        self.count += 1;
        self.field.iter_mut().zip(field).for_each(|(a, v)| *a += v);
        self.coupling
            .iter_mut()
            .zip(coupling)
            .for_each(|(a, v)| *a += v);
    }

    fn finish(mut self) -> (Vec<f64>, Vec<f64>) {
        let scale = 1.0 / self.count.max(1) as f64;
        self.field
            .iter_mut()
            .chain(self.coupling.iter_mut())
            .for_each(|v| *v *= scale);
        debug_assert!(
            self.count > 0,
            "the averaging window holds at least the last step"
        );
        (self.field, self.coupling)
    }
}
