//! Training of an energy with one of the [`objectives`](crate::continuous::objectives) by Adam
//! (Kingma and Ba 2015, ICLR), seeded.
//!
//! A divergence guard checks every step before the update. When the loss is not finite, or a
//! data energy exceeds `energy_limit` in magnitude, training stops with
//! [`ContinuousError::Diverged`]. The trainer then keeps the parameters of the last step that
//! passed, in memory (`Module::into_record` turns them into a record).

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::continuous::energy::Energy;
use crate::continuous::error::{
    ContinuousError, ContinuousResult, check_nonzero, check_positive, invalid,
};
use crate::continuous::linalg::{cholesky, mean_and_covariance, solve_lower};
use crate::continuous::objectives::{
    contrastive_divergence, denoising_score_matching, noise_contrastive_estimation,
    sliced_score_matching,
};
use crate::continuous::sampler::{Annealing, SamplerConfig, SamplerMethod, run_chains};
use crate::continuous::tensor::{check_rows, normal_tensor, read, read_scalar, standard_normal};

/// Training objective and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Objective {
    /// Denoising score matching averaged over the noise levels (each finite and > 0).
    DenoisingScoreMatching { noise_levels: Vec<f64> },
    /// Sliced score matching with this many Gaussian projections per data point (at least 1).
    SlicedScoreMatching { projections: usize },
    /// Contrastive divergence with ULA negatives from a replay buffer.
    ContrastiveDivergence {
        /// ULA steps per training step, at least 1.
        langevin_steps: usize,
        /// ULA step size, finite and > 0.
        step_size: f64,
        /// Energy-magnitude regulariser alpha, finite and >= 0.
        regulariser: f64,
        /// Rows kept in the replay buffer, at least 1.
        buffer_size: usize,
        /// Fraction of chains restarted from uniform noise over the data's bounding box, in [0, 1].
        reinit_fraction: f64,
    },
    /// Noise-contrastive estimation against a Gaussian fitted to the training data.
    NoiseContrastive {
        /// Noise rows per data row, at least 1.
        noise_ratio: usize,
    },
}

/// Settings of a [`Trainer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Objective. Default denoising score matching at sigma = 0.1.
    pub objective: Objective,
    /// Adam steps, at least 1. Default 500.
    pub steps: usize,
    /// Data rows per step, drawn with replacement, at least 1. Default 128.
    pub batch_size: usize,
    /// Adam learning rate, finite and > 0. Default 1e-3.
    pub learning_rate: f64,
    /// Learning rate at the last step, reached by geometric decay from `learning_rate`;
    /// `None` keeps the rate constant. Default `None`.
    pub final_learning_rate: Option<f64>,
    /// Largest |E| allowed on a data batch before training counts as diverged, > 0. Default 1e6.
    pub energy_limit: f64,
    /// Seed of batches, noise and negatives. Default 0.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            objective: Objective::DenoisingScoreMatching {
                noise_levels: vec![0.1],
            },
            steps: 500,
            batch_size: 128,
            learning_rate: 1e-3,
            final_learning_rate: None,
            energy_limit: 1e6,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] naming the first bad value.
    pub fn validate(&self) -> ContinuousResult<()> {
        check_nonzero("steps", self.steps)?;
        check_nonzero("batch_size", self.batch_size)?;
        check_positive("learning_rate", self.learning_rate)?;
        if let Some(rate) = self.final_learning_rate {
            check_positive("final_learning_rate", rate)?;
        }
        check_positive("energy_limit", self.energy_limit)?;
        match &self.objective {
            Objective::DenoisingScoreMatching { noise_levels } => {
                if noise_levels.is_empty() {
                    return Err(invalid("noise_levels", "[]", "at least one noise level"));
                }
                noise_levels
                    .iter()
                    .try_for_each(|&sigma| check_positive("noise_levels", sigma))
            }
            Objective::SlicedScoreMatching { projections } => {
                check_nonzero("projections", *projections)
            }
            Objective::ContrastiveDivergence {
                langevin_steps,
                step_size,
                regulariser,
                buffer_size,
                reinit_fraction,
            } => {
                check_nonzero("langevin_steps", *langevin_steps)?;
                check_positive("step_size", *step_size)?;
                check_nonzero("buffer_size", *buffer_size)?;
                if !(regulariser.is_finite() && *regulariser >= 0.0) {
                    return Err(invalid("regulariser", regulariser, "a finite value >= 0"));
                }
                if !(0.0..=1.0).contains(reinit_fraction) {
                    return Err(invalid(
                        "reinit_fraction",
                        reinit_fraction,
                        "a fraction in [0, 1]",
                    ));
                }
                Ok(())
            }
            Objective::NoiseContrastive { noise_ratio } => {
                check_nonzero("noise_ratio", *noise_ratio)
            }
        }
    }
}

/// Loss after one step, for training curves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainRecord {
    /// Step index, from 0.
    pub step: usize,
    /// Objective value on the step's batch, before the update.
    pub loss: f64,
    /// Mean energy of the step's data batch.
    pub mean_energy: f64,
}

/// Gaussian N(mean, L L^T) fitted to the training data: the noise of noise-contrastive estimation.
struct FittedGaussian {
    mean: Vec<f64>,
    lower: Vec<f64>,
    log_normaliser: f64,
}

impl FittedGaussian {
    fn fit(data: &[f32], dim: usize) -> ContinuousResult<Self> {
        let (mean, covariance) = mean_and_covariance(data, dim);
        // A pivot below 1e-6 of the largest standard deviation means (nearly) collinear data,
        // whose Gaussian fit has no density.
        let largest_variance = (0..dim)
            .map(|i| covariance[i * dim + i])
            .fold(0.0, f64::max);
        let lower = cholesky(&covariance, dim)
            .filter(|lower| (0..dim).all(|i| lower[i * dim + i] > 1e-6 * largest_variance.sqrt()))
            .ok_or_else(|| {
                invalid(
                    "data",
                    "a degenerate sample",
                    "data whose covariance is positive definite",
                )
            })?;
        let log_det: f64 = (0..dim).map(|i| lower[i * dim + i].ln()).sum();
        let log_normaliser = log_det + 0.5 * dim as f64 * (2.0 * std::f64::consts::PI).ln();
        Ok(Self {
            mean,
            lower,
            log_normaliser,
        })
    }

    fn log_density(&self, rows: &[f32]) -> Vec<f32> {
        let dim = self.mean.len();
        rows.chunks_exact(dim)
            .map(|row| {
                let centred: Vec<f64> = row
                    .iter()
                    .zip(&self.mean)
                    .map(|(&x, m)| f64::from(x) - m)
                    .collect();
                let whitened = solve_lower(&self.lower, dim, &centred);
                (-0.5 * whitened.iter().map(|w| w * w).sum::<f64>() - self.log_normaliser) as f32
            })
            .collect()
    }

    fn sample(&self, rng: &mut ChaCha8Rng, count: usize) -> Vec<f32> {
        let dim = self.mean.len();
        let z = standard_normal(rng, count * dim);
        let mut rows = Vec::with_capacity(count * dim);
        for zrow in z.chunks_exact(dim) {
            for i in 0..dim {
                let value: f64 = self.mean[i]
                    + (0..=i)
                        .map(|k| self.lower[i * dim + k] * f64::from(zrow[k]))
                        .sum::<f64>();
                rows.push(value as f32);
            }
        }
        rows
    }
}

/// Persistent negatives of contrastive divergence (Du and Mordatch 2019).
struct ReplayBuffer {
    rows: Vec<f32>,
    capacity: usize,
    next: usize,
    low: Vec<f32>,
    high: Vec<f32>,
}

impl ReplayBuffer {
    fn new(data: &[f32], dim: usize, capacity: usize) -> Self {
        let mut low = vec![f32::INFINITY; dim];
        let mut high = vec![f32::NEG_INFINITY; dim];
        for row in data.chunks_exact(dim) {
            for i in 0..dim {
                low[i] = low[i].min(row[i]);
                high[i] = high[i].max(row[i]);
            }
        }
        // Widen the box by 10% on each side so the chains also visit the margins.
        for i in 0..dim {
            let margin = 0.1 * (high[i] - low[i]).max(1e-3);
            low[i] -= margin;
            high[i] += margin;
        }
        Self {
            rows: Vec::new(),
            capacity,
            next: 0,
            low,
            high,
        }
    }

    fn draw(&self, rng: &mut ChaCha8Rng, count: usize, reinit_fraction: f64) -> Vec<f32> {
        let dim = self.low.len();
        let stored = self.rows.len() / dim;
        let mut out = Vec::with_capacity(count * dim);
        for _ in 0..count {
            if stored == 0 || rng.random::<f64>() < reinit_fraction {
                out.extend(
                    (0..dim)
                        .map(|i| self.low[i] + rng.random::<f32>() * (self.high[i] - self.low[i])),
                );
            } else {
                let index = rng.random_range(0..stored);
                out.extend_from_slice(&self.rows[index * dim..(index + 1) * dim]);
            }
        }
        out
    }

    fn push(&mut self, samples: &[f32]) {
        let dim = self.low.len();
        for row in samples.chunks_exact(dim) {
            if self.rows.len() / dim < self.capacity {
                self.rows.extend_from_slice(row);
            } else {
                self.rows[self.next * dim..(self.next + 1) * dim].copy_from_slice(row);
                self.next = (self.next + 1) % self.capacity;
            }
        }
    }
}

/// Adam training of an energy model with a divergence guard, see [`TrainConfig`].
pub struct Trainer<M: Module + Energy> {
    model: M,
    checkpoint: M,
    checkpoint_step: usize,
    optimizer: ModuleOptimizer,
    config: TrainConfig,
    data: Vec<f32>,
    dim: usize,
    device: Device,
    rng: ChaCha8Rng,
    buffer: Option<ReplayBuffer>,
    noise: Option<FittedGaussian>,
    history: Vec<TrainRecord>,
    step: usize,
}

impl<M: Module + Energy> Trainer<M> {
    /// Prepares training of `model` on the rows of `data`.
    ///
    /// The model's parameters are switched to autodiff with `Module::train`, so a model built on
    /// a plain device works too. Batches are uploaded to `device` with autodiff enabled.
    ///
    /// # Arguments
    /// - `model`: energy with d = `model.dim()`.
    /// - `data`: row-major n x d training data.
    /// - `config`: objective, steps, batch size, learning rate, energy limit and seed.
    /// - `device`: device of the model's parameters.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] for bad settings (and, for noise-contrastive
    /// estimation, data with a singular covariance), and [`ContinuousError::EmptyData`],
    /// [`ContinuousError::LengthMismatch`] or [`ContinuousError::NonFiniteData`] for bad data.
    pub fn new(
        model: M,
        data: &[f32],
        config: TrainConfig,
        device: &Device,
    ) -> ContinuousResult<Self> {
        config.validate()?;
        let dim = model.dim();
        check_rows("training data", data, dim)?;
        let buffer = match config.objective {
            Objective::ContrastiveDivergence { buffer_size, .. } => {
                Some(ReplayBuffer::new(data, dim, buffer_size))
            }
            _ => None,
        };
        let noise = match config.objective {
            Objective::NoiseContrastive { .. } => Some(FittedGaussian::fit(data, dim)?),
            _ => None,
        };
        let model = model.train();
        Ok(Self {
            checkpoint: model.clone(),
            model,
            checkpoint_step: 0,
            optimizer: AdamConfig::new().init(),
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            data: data.to_vec(),
            dim,
            device: device.clone().autodiff(),
            buffer,
            noise,
            history: Vec::new(),
            step: 0,
        })
    }

    /// Runs the remaining steps of `config.steps` and returns the loss history.
    ///
    /// # Errors
    /// [`ContinuousError::Diverged`] on a non-finite loss or energies beyond the limit; the
    /// parameters before that step stay available through [`Trainer::checkpoint`].
    /// [`ContinuousError::Backend`] when a read-back fails.
    pub fn run(&mut self) -> ContinuousResult<&[TrainRecord]> {
        while self.step < self.config.steps {
            self.step()?;
        }
        Ok(&self.history)
    }

    /// Runs one Adam step and returns its record.
    ///
    /// # Errors
    /// As [`Trainer::run`].
    pub fn step(&mut self) -> ContinuousResult<TrainRecord> {
        let rows = self.draw_batch();
        let (loss, energies) = self.loss(&rows);
        let loss_value = read_scalar(loss.clone())?;
        let energies = read(energies)?;
        let max_energy = energies
            .iter()
            .map(|e| f64::from(e.abs()))
            .fold(
                0.0,
                |a: f64, b| if b.is_nan() { f64::NAN } else { a.max(b) },
            );
        if !loss_value.is_finite() {
            return Err(self.diverged(format!("the loss is {loss_value}")));
        }
        if !(max_energy <= self.config.energy_limit) {
            return Err(self.diverged(format!(
                "a data energy reached {max_energy:e}, beyond the limit {:e}",
                self.config.energy_limit
            )));
        }

        self.checkpoint = self.model.clone();
        self.checkpoint_step = self.step;
        let gradients = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self
            .optimizer
            .step(self.learning_rate(), self.model.clone(), gradients);

        let mean_energy =
            energies.iter().map(|&e| f64::from(e)).sum::<f64>() / energies.len() as f64;
        let record = TrainRecord {
            step: self.step,
            loss: loss_value,
            mean_energy,
        };
        self.history.push(record);
        self.step += 1;
        Ok(record)
    }

    /// Learning rate of the current step.
    fn learning_rate(&self) -> f64 {
        let start = self.config.learning_rate;
        match self.config.final_learning_rate {
            Some(end) if self.config.steps > 1 => {
                start * (end / start).powf(self.step as f64 / (self.config.steps - 1) as f64)
            }
            _ => start,
        }
    }

    fn diverged(&self, reason: String) -> ContinuousError {
        tracing::warn!(step = self.step, %reason, "energy training diverged");
        ContinuousError::Diverged {
            step: self.step,
            reason,
            last_good_step: self.checkpoint_step,
        }
    }

    /// Current model (after the last successful step).
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Model before the last step that passed the divergence guard, and that step's index.
    pub fn checkpoint(&self) -> (&M, usize) {
        (&self.checkpoint, self.checkpoint_step)
    }

    /// Consumes the trainer and returns the current model.
    pub fn into_model(self) -> M {
        self.model
    }

    /// Loss records of the steps run so far.
    pub fn history(&self) -> &[TrainRecord] {
        &self.history
    }

    /// Draws `batch_size` data rows with replacement.
    fn draw_batch(&mut self) -> Vec<f32> {
        let n = self.data.len() / self.dim;
        let mut rows = Vec::with_capacity(self.config.batch_size * self.dim);
        for _ in 0..self.config.batch_size {
            let index = self.rng.random_range(0..n);
            rows.extend_from_slice(&self.data[index * self.dim..(index + 1) * self.dim]);
        }
        rows
    }

    fn upload(&self, rows: Vec<f32>) -> Tensor<2> {
        let count = rows.len() / self.dim;
        Tensor::from_data(TensorData::new(rows, [count, self.dim]), &self.device)
    }

    /// Returns the loss and the energies of the data batch (used by the divergence guard).
    fn loss(&mut self, rows: &[f32]) -> (Tensor<1>, Tensor<1>) {
        let batch = self.upload(rows.to_vec());
        let [n, d] = batch.dims();
        let energies = self.model.valid().energy(batch.clone().inner());
        let loss = match self.config.objective.clone() {
            Objective::DenoisingScoreMatching { noise_levels } => {
                // NOTE: the energy does not take sigma as an input, so with several levels it
                // fits one compromise between the smoothed densities, not each of them.
                let mut total: Option<Tensor<1>> = None;
                for &sigma in &noise_levels {
                    let noise = normal_tensor(&mut self.rng, n, d, &self.device);
                    let term = denoising_score_matching(&self.model, batch.clone(), noise, sigma);
                    total = Some(match total {
                        Some(sum) => sum.add(term),
                        None => term,
                    });
                }
                total
                    .expect("validate() requires a noise level")
                    .div_scalar(noise_levels.len() as f64)
            }
            Objective::SlicedScoreMatching { projections } => {
                let repeated = batch.repeat_dim(0, projections);
                let directions = normal_tensor(&mut self.rng, n * projections, d, &self.device);
                sliced_score_matching(&self.model, repeated, directions)
            }
            Objective::ContrastiveDivergence {
                langevin_steps,
                step_size,
                regulariser,
                reinit_fraction,
                ..
            } => {
                let negatives = self.negatives(n, langevin_steps, step_size, reinit_fraction);
                contrastive_divergence(&self.model, batch, negatives, regulariser)
            }
            Objective::NoiseContrastive { noise_ratio } => self.nce_loss(rows, batch, noise_ratio),
        };
        (loss, energies)
    }

    /// Draws negatives from the replay buffer, runs ULA on the current model and stores them.
    fn negatives(
        &mut self,
        count: usize,
        langevin_steps: usize,
        step_size: f64,
        reinit_fraction: f64,
    ) -> Tensor<2> {
        let buffer = self
            .buffer
            .as_mut()
            .expect("contrastive divergence has a replay buffer");
        let starts = buffer.draw(&mut self.rng, count, reinit_fraction);
        let plain = self.device.clone().without_autodiff();
        let starts = Tensor::from_data(TensorData::new(starts, [count, self.dim]), &plain);
        let config = SamplerConfig {
            method: SamplerMethod::Ula,
            step_size,
            n_steps: langevin_steps,
            start_temperature: 1.0,
            end_temperature: 1.0,
            annealing: Annealing::Geometric,
            seed: 0,
        };
        let (samples, _) = run_chains(&self.model.valid(), starts, &config, &mut self.rng);
        // A failed read-back or non-finite chains leave the buffer unchanged. Non-finite
        // negatives make the loss non-finite, which the divergence guard reports.
        if let Ok(rows) = read(samples.clone())
            && rows.iter().all(|v| v.is_finite())
        {
            self.buffer.as_mut().expect("checked above").push(&rows);
        }
        samples.autodiff()
    }

    fn nce_loss(&mut self, rows: &[f32], batch: Tensor<2>, noise_ratio: usize) -> Tensor<1> {
        let gaussian = self
            .noise
            .as_ref()
            .expect("noise-contrastive estimation has a fitted Gaussian");
        let [n, _] = batch.dims();
        let noise_rows = gaussian.sample(&mut self.rng, n * noise_ratio);
        let log_q_data = gaussian.log_density(rows);
        let log_q_noise = gaussian.log_density(&noise_rows);
        let log_q_data = Tensor::<1>::from_data(
            TensorData::new(log_q_data.clone(), [log_q_data.len()]),
            &self.device,
        );
        let log_q_noise = Tensor::<1>::from_data(
            TensorData::new(log_q_noise, [n * noise_ratio]),
            &self.device,
        );
        let noise = self.upload(noise_rows);
        noise_contrastive_estimation(
            &self.model,
            batch,
            noise,
            log_q_data,
            log_q_noise,
            noise_ratio as f64,
        )
    }
}
