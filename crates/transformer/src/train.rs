//! Seeded training of a [`Transformer`] by Adam (Kingma and Ba 2015, ICLR). The learning rate
//! warms up linearly, then decays by a cosine (Loshchilov and Hutter 2017, ICLR). Gradients are
//! clipped by their global norm (or per tensor), training stops early on a validation split by
//! time blocks, and checkpoints resume a run exactly.
//!
//! Objectives:
//! - masked reconstruction: a share of the tokens is hidden (their input embedding is replaced
//!   by a learned mask embedding), and the loss is the negative log-likelihood of the hidden
//!   entries only, averaged over them. The contrastive option of STNDT (Le and Shlizerman
//!   2022, NeurIPS) adds an NT-Xent loss between two masked views of each window, see
//!   [`Contrastive`];
//! - next-step forecasting: with a causal mask, the prediction at time bin t is scored against
//!   the value at t + 1 (temporal and spatiotemporal layouts). The spatial layout has no time
//!   tokens, so its windows span `window + 1` samples: the model reads the first `window`
//!   samples without a causal mask, and its prediction at the last time position of each
//!   channel token is scored against the sample after the window.
//!
//! Split: the last `validation_fraction` of the time samples form the validation block, cut
//! into non-overlapping windows (of `window + 1` samples for spatial forecasting). Training
//! windows start at random positions within the training block, so no window straddles the
//! two.
//!
//! Checkpoints are a folder of four files: `model.bpk` and `best.bpk` (Burn's burnpack module
//! records, bit-for-bit), `optimizer.bpk` (the Adam moments) and `state.bin`, the trainer's
//! position in a little-endian format: the magic `NCMTFM01`, then u64 seed, u64 step, u128 ChaCha8 word
//! position, f64 best validation loss, u64 best step, u64 evaluations without improvement, u8
//! stopped flag, u64 history length, and per history entry u64 step, f64 loss, f64 learning
//! rate and f64 validation loss (NaN when not evaluated).

use std::path::Path;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Deserializer, Serialize};

use crate::contrastive::{Contrastive, nt_xent};
use crate::error::{
    TransformerError, TransformerResult, check_finite, check_nonzero, invalid, read,
};
use crate::likelihood::{gaussian_nll, poisson_nll};
use crate::masking::{MaskKind, draw_mask};
use crate::model::{ForwardMask, Layout, Likelihood, Prediction, Transformer};

/// Training objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Objective {
    /// Masked reconstruction with `ratio` in (0, 1) of the tokens hidden per window, and an
    /// optional contrastive term (absent from older settings files, which read as None).
    MaskedReconstruction {
        mask: MaskKind,
        ratio: f64,
        #[serde(default)]
        contrastive: Option<Contrastive>,
    },
    /// Next-step forecasting: with a causal mask in the temporal and spatiotemporal layouts,
    /// from a window of `window` samples to the next sample in the spatial layout.
    Forecast,
}

/// Gradient clipping before each Adam step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "max_norm")]
pub enum Clip {
    /// No clipping.
    None,
    /// Each parameter tensor's gradient is scaled to an L2 norm of at most the value (Burn's
    /// `GradientClipping::Norm`).
    PerTensor(f32),
    /// All gradients are scaled by min(1, c / (||g|| + 1e-6)), where ||g|| is the L2 norm over
    /// every parameter together, as `torch.nn.utils.clip_grad_norm_` does in the training
    /// code of STNDT (Le and Shlizerman 2022).
    GlobalNorm(f32),
}

/// Settings files name the clipping either in the tagged form of [`Clip`] or, as older files
/// do under `clip_norm`, as a number (per-tensor clipping) or null (none).
#[derive(Deserialize)]
#[serde(untagged)]
enum ClipForm {
    Legacy(Option<f32>),
    Tagged(ClipTagged),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "max_norm")]
enum ClipTagged {
    None,
    PerTensor(f32),
    GlobalNorm(f32),
}

impl<'de> Deserialize<'de> for Clip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match ClipForm::deserialize(deserializer)? {
            ClipForm::Legacy(None) | ClipForm::Tagged(ClipTagged::None) => Clip::None,
            ClipForm::Legacy(Some(norm)) | ClipForm::Tagged(ClipTagged::PerTensor(norm)) => {
                Clip::PerTensor(norm)
            }
            ClipForm::Tagged(ClipTagged::GlobalNorm(norm)) => Clip::GlobalNorm(norm),
        })
    }
}

/// Training settings; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Objective. Default forecasting.
    pub objective: Objective,
    /// Time samples per window, at least 2 (the spatial layout needs the model's window, and
    /// its forecasting windows take one more sample as the target). Default 32.
    pub window: usize,
    /// Adam steps, at least 1. Default 1000.
    pub steps: usize,
    /// Windows per step, at least 1. Default 16.
    pub batch_size: usize,
    /// Peak learning rate, finite and > 0. Default 1e-3.
    pub learning_rate: f64,
    /// Steps of linear warm-up from lr / warmup to lr. Default 50.
    pub warmup_steps: usize,
    /// Learning rate at the end of the cosine decay, as a fraction of the peak, in [0, 1].
    /// Default 0.1.
    pub final_fraction: f64,
    /// Gradient clipping. Default `Clip::GlobalNorm(1.0)`, the global-norm clipping of
    /// STNDT's training code. Older files name this `clip_norm` with a number, which means
    /// `Clip::PerTensor`.
    #[serde(alias = "clip_norm")]
    pub clip: Clip,
    /// Share of the time samples, at the end, held out for validation, in (0, 1). Default 0.2.
    pub validation_fraction: f64,
    /// Steps between validation evaluations, at least 1. Default 50.
    pub eval_every: usize,
    /// Evaluations without improvement before stopping; 0 disables early stopping. Default 5.
    pub patience: usize,
    /// Seed of batches and masks. Default 0.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            objective: Objective::Forecast,
            window: 32,
            steps: 1000,
            batch_size: 16,
            learning_rate: 1e-3,
            warmup_steps: 50,
            final_fraction: 0.1,
            clip: Clip::GlobalNorm(1.0),
            validation_fraction: 0.2,
            eval_every: 50,
            patience: 5,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`TransformerError::InvalidSetting`] naming the first bad setting.
    pub fn validate(&self) -> TransformerResult<()> {
        if self.window < 2 {
            return Err(invalid("window", self.window, "at least 2"));
        }
        check_nonzero("steps", self.steps)?;
        check_nonzero("batch_size", self.batch_size)?;
        check_nonzero("eval_every", self.eval_every)?;
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(invalid(
                "learning_rate",
                self.learning_rate,
                "a finite value > 0",
            ));
        }
        if !(0.0..=1.0).contains(&self.final_fraction) {
            return Err(invalid(
                "final_fraction",
                self.final_fraction,
                "a value in [0, 1]",
            ));
        }
        if let Clip::PerTensor(norm) | Clip::GlobalNorm(norm) = self.clip
            && !(norm.is_finite() && norm > 0.0)
        {
            return Err(invalid(
                "clip",
                norm,
                "a finite maximum norm > 0, or Clip::None",
            ));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(invalid(
                "validation_fraction",
                self.validation_fraction,
                "a value in (0, 1)",
            ));
        }
        if let Objective::MaskedReconstruction {
            ratio, contrastive, ..
        } = self.objective
        {
            if !(ratio > 0.0 && ratio < 1.0) {
                return Err(invalid("mask_ratio", ratio, "a value in (0, 1)"));
            }
            if let Some(contrastive) = contrastive {
                contrastive.validate()?;
                if self.batch_size < 2 {
                    return Err(invalid(
                        "batch_size",
                        self.batch_size,
                        "at least 2 for the contrastive loss (the other windows are its negatives)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Time samples that one window of a model with `layout` spans: `window`, plus the target
    /// sample of spatial forecasting.
    pub fn span(&self, layout: Layout) -> usize {
        match (layout, self.objective) {
            (Layout::Spatial, Objective::Forecast) => self.window + 1,
            _ => self.window,
        }
    }

    /// Learning rate of step `step`: linear warm-up, then cosine decay to
    /// `final_fraction * learning_rate` at the last step.
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        let peak = self.learning_rate;
        if step < self.warmup_steps {
            return peak * (step + 1) as f64 / self.warmup_steps as f64;
        }
        let span = self.steps.saturating_sub(self.warmup_steps).max(1);
        let progress = ((step - self.warmup_steps) as f64 / span as f64).min(1.0);
        let end = peak * self.final_fraction;
        end + 0.5 * (peak - end) * (1.0 + (std::f64::consts::PI * progress).cos())
    }
}

/// One training step's record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepRecord {
    /// Step index, from 0.
    pub step: usize,
    /// Training loss (mean negative log-likelihood per scored entry, nats).
    pub loss: f64,
    /// Learning rate of the step.
    pub learning_rate: f64,
    /// Validation loss when evaluated after this step.
    pub validation: Option<f64>,
}

/// Adam training of a [`Transformer`] on one recording, see [`TrainConfig`].
pub struct Trainer {
    model: Transformer,
    best: Transformer,
    best_loss: f64,
    best_step: usize,
    bad_evaluations: usize,
    stopped: bool,
    optimizer: ModuleOptimizer,
    config: TrainConfig,
    series: Vec<f32>,
    channels: usize,
    /// Time samples per window, see [`TrainConfig::span`].
    span: usize,
    train_end: usize,
    device: Device,
    rng: ChaCha8Rng,
    step: usize,
    history: Vec<StepRecord>,
}

impl Trainer {
    /// Prepares training.
    ///
    /// # Arguments
    /// - `model`: the model; its parameters are switched to autodiff.
    /// - `series`: the recording, row-major `[time, channels]`; counts for a Poisson model.
    /// - `config`: settings, see [`TrainConfig`].
    /// - `device`: device of the model's parameters.
    ///
    /// # Errors
    /// [`TransformerError::InvalidSetting`] for bad settings or Poisson data that are not
    /// counts, [`TransformerError::ShapeMismatch`] for a series or window that does not fit the
    /// model,
    /// [`TransformerError::NonFiniteData`] and [`TransformerError::TooShort`] for bad data.
    pub fn new(
        model: Transformer,
        series: &[f32],
        config: TrainConfig,
        device: &Device,
    ) -> TransformerResult<Self> {
        config.validate()?;
        let channels = model.channels();
        if series.is_empty() || series.len() % channels != 0 {
            return Err(TransformerError::ShapeMismatch {
                what: "series",
                expected: format!("a non-empty length divisible by {channels} channels"),
                found: format!("length {}", series.len()),
            });
        }
        check_finite("series", series)?;
        if model.layout() == Layout::Spatial && config.window != model.window() {
            return Err(TransformerError::ShapeMismatch {
                what: "training window",
                expected: format!("{} samples (the model's window)", model.window()),
                found: format!("{} samples", config.window),
            });
        }
        if let Objective::MaskedReconstruction { .. } = config.objective
            && model.tokens(config.window) < 2
        {
            return Err(invalid(
                "window",
                config.window,
                "at least 2 tokens to mask",
            ));
        }
        if model.likelihood() == Likelihood::Poisson
            && let Some(index) = series.iter().position(|&k| k < 0.0 || k.fract() != 0.0)
        {
            return Err(invalid(
                "series",
                format!("{} at index {index}", series[index]),
                "spike counts (whole numbers >= 0) for a Poisson model",
            ));
        }
        let span = config.span(model.layout());
        let time = series.len() / channels;
        let validation = (config.validation_fraction * time as f64).ceil() as usize;
        let train_end = time - validation;
        if train_end < span || validation < span {
            return Err(TransformerError::TooShort {
                what: "series for the training and validation blocks",
                available: time,
                needed: span.max(
                    (span as f64
                        / config
                            .validation_fraction
                            .min(1.0 - config.validation_fraction))
                    .ceil() as usize,
                ),
            });
        }
        let mut optimizer = AdamConfig::new().init();
        if let Clip::PerTensor(norm) = config.clip {
            optimizer =
                optimizer.with_grad_clipping(burn::grad_clipping::GradientClipping::Norm(norm));
        }
        let model = model.train();
        Ok(Self {
            best: model.clone(),
            model,
            best_loss: f64::INFINITY,
            best_step: 0,
            bad_evaluations: 0,
            stopped: false,
            optimizer,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            series: series.to_vec(),
            channels,
            span,
            train_end,
            device: device.clone().autodiff(),
            step: 0,
            history: Vec::new(),
        })
    }

    /// Runs until `config.steps` or early stopping, and returns the history.
    ///
    /// # Errors
    /// As [`Trainer::step`].
    pub fn run(&mut self) -> TransformerResult<&[StepRecord]> {
        while !self.finished() {
            self.step()?;
        }
        Ok(&self.history)
    }

    /// Returns whether all steps ran or early stopping triggered.
    pub fn finished(&self) -> bool {
        self.stopped || self.step >= self.config.steps
    }

    /// Runs one Adam step (and a validation evaluation every `eval_every` steps).
    ///
    /// # Errors
    /// [`TransformerError::NonFiniteLoss`] when the loss is NaN or infinite and
    /// [`TransformerError::NonFiniteGradient`] when the global gradient norm is (the parameters
    /// stay those before the step), [`TransformerError::Backend`] when a read-back fails.
    pub fn step(&mut self) -> TransformerResult<StepRecord> {
        let window = self.span;
        let mut rows = Vec::with_capacity(self.config.batch_size * window * self.channels);
        for _ in 0..self.config.batch_size {
            let start = self.rng.random_range(0..=self.train_end - window);
            rows.extend_from_slice(
                &self.series[start * self.channels..(start + window) * self.channels],
            );
        }
        let batch = Tensor::<3>::from_data(
            TensorData::new(rows, [self.config.batch_size, window, self.channels]),
            &self.device,
        );
        let loss = objective_loss(&self.model, batch, &self.config.objective, &mut self.rng)?;
        let value = f64::from(read(loss.clone())?[0]);
        if !value.is_finite() {
            tracing::warn!(step = self.step, value, "transformer training diverged");
            return Err(TransformerError::NonFiniteLoss {
                step: self.step,
                value,
            });
        }
        let learning_rate = self.config.learning_rate_at(self.step);
        let mut gradients = GradientsParams::from_grads(loss.backward(), &self.model);
        if let Clip::GlobalNorm(max_norm) = self.config.clip {
            clip_global_norm(&mut gradients, &self.model, max_norm).inspect_err(|error| {
                tracing::warn!(step = self.step, %error, "transformer training diverged");
            })?;
        }
        self.model = self
            .optimizer
            .step(learning_rate, self.model.clone(), gradients);
        self.step += 1;
        let validation =
            if self.step % self.config.eval_every == 0 || self.step == self.config.steps {
                let loss = self.validation_loss()?;
                if loss < self.best_loss {
                    self.best_loss = loss;
                    self.best_step = self.step;
                    self.best = self.model.clone();
                    self.bad_evaluations = 0;
                } else {
                    self.bad_evaluations += 1;
                    if self.config.patience > 0 && self.bad_evaluations >= self.config.patience {
                        self.stopped = true;
                    }
                }
                Some(loss)
            } else {
                None
            };
        let record = StepRecord {
            step: self.step - 1,
            loss: value,
            learning_rate,
            validation,
        };
        self.history.push(record);
        Ok(record)
    }

    /// Loss of the current model on the validation windows, with masks from a fixed stream
    /// (seed + 1), so repeated evaluations are comparable.
    ///
    /// # Errors
    /// [`TransformerError::Backend`] when a read-back fails.
    pub fn validation_loss(&self) -> TransformerResult<f64> {
        let window = self.span;
        let time = self.series.len() / self.channels;
        let count = (time - self.train_end) / window;
        let rows = self.series
            [self.train_end * self.channels..(self.train_end + count * window) * self.channels]
            .to_vec();
        let batch = Tensor::<3>::from_data(
            TensorData::new(rows, [count, window, self.channels]),
            &self.device,
        )
        .inner();
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed.wrapping_add(1));
        let loss = objective_loss(&self.model.valid(), batch, &self.config.objective, &mut rng)?;
        Ok(f64::from(read(loss)?[0]))
    }

    /// Current model.
    pub fn model(&self) -> &Transformer {
        &self.model
    }

    /// Model of the best validation loss so far, and the step after which it was taken.
    pub fn best(&self) -> (&Transformer, usize) {
        (&self.best, self.best_step)
    }

    /// Records of the steps run so far.
    pub fn history(&self) -> &[StepRecord] {
        &self.history
    }

    /// First time index of the validation block.
    pub fn validation_start(&self) -> usize {
        self.train_end
    }

    /// Writes a checkpoint folder (created if missing), see the module documentation.
    ///
    /// # Errors
    /// [`TransformerError::Checkpoint`] when a file cannot be written.
    pub fn save(&self, folder: &Path) -> TransformerResult<()> {
        let fail = |path: &Path, reason: String| TransformerError::Checkpoint {
            path: path.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(folder).map_err(|e| fail(folder, e.to_string()))?;
        save_model(&self.model, &folder.join("model.bpk"))?;
        save_model(&self.best, &folder.join("best.bpk"))?;
        let optimizer_path = folder.join("optimizer.bpk");
        self.optimizer
            .save(&optimizer_path)
            .map_err(|e| fail(&optimizer_path, e.to_string()))?;
        let mut state = Vec::new();
        state.extend_from_slice(MAGIC);
        state.extend_from_slice(&self.config.seed.to_le_bytes());
        state.extend_from_slice(&(self.step as u64).to_le_bytes());
        state.extend_from_slice(&self.rng.get_word_pos().to_le_bytes());
        state.extend_from_slice(&self.best_loss.to_le_bytes());
        state.extend_from_slice(&(self.best_step as u64).to_le_bytes());
        state.extend_from_slice(&(self.bad_evaluations as u64).to_le_bytes());
        state.push(u8::from(self.stopped));
        state.extend_from_slice(&(self.history.len() as u64).to_le_bytes());
        for record in &self.history {
            state.extend_from_slice(&(record.step as u64).to_le_bytes());
            state.extend_from_slice(&record.loss.to_le_bytes());
            state.extend_from_slice(&record.learning_rate.to_le_bytes());
            state.extend_from_slice(&record.validation.unwrap_or(f64::NAN).to_le_bytes());
        }
        let state_path = folder.join("state.bin");
        std::fs::write(&state_path, state).map_err(|e| fail(&state_path, e.to_string()))
    }

    /// Restores a checkpoint written by [`Trainer::save`] into a trainer prepared with
    /// [`Trainer::new`] from the same model configuration, series and settings. The resumed run
    /// continues exactly where the saved one stopped.
    ///
    /// # Errors
    /// [`TransformerError::Checkpoint`] when a file is missing or truncated, or does not match
    /// the model or the seed.
    pub fn resume(mut self, folder: &Path) -> TransformerResult<Self> {
        let fail = |path: &Path, reason: String| TransformerError::Checkpoint {
            path: path.display().to_string(),
            reason,
        };
        self.model = load_model(self.model, &folder.join("model.bpk"))?;
        self.best = load_model(self.best, &folder.join("best.bpk"))?;
        let optimizer_path = folder.join("optimizer.bpk");
        let bytes =
            std::fs::read(&optimizer_path).map_err(|e| fail(&optimizer_path, e.to_string()))?;
        self.optimizer = self
            .optimizer
            .from_bytes(Bytes::from_bytes_vec(bytes))
            .map_err(|e| fail(&optimizer_path, e.to_string()))?;
        let state_path = folder.join("state.bin");
        let bytes = std::fs::read(&state_path).map_err(|e| fail(&state_path, e.to_string()))?;
        let truncated = || fail(&state_path, "truncated or not a trainer state".to_string());
        let mut reader = Reader {
            bytes: &bytes,
            at: 0,
        };
        if reader.take(MAGIC.len()).ok_or_else(truncated)? != MAGIC {
            return Err(truncated());
        }
        let u64_at = |r: &mut Reader| -> TransformerResult<u64> {
            Ok(u64::from_le_bytes(
                r.take(8)
                    .ok_or_else(truncated)?
                    .try_into()
                    .expect("8 bytes"),
            ))
        };
        let f64_at = |r: &mut Reader| -> TransformerResult<f64> { Ok(f64::from_bits(u64_at(r)?)) };
        let seed = u64_at(&mut reader)?;
        if seed != self.config.seed {
            return Err(fail(
                &state_path,
                format!(
                    "saved with seed {seed}, but the trainer has seed {}; use the saved settings",
                    self.config.seed
                ),
            ));
        }
        self.step = u64_at(&mut reader)? as usize;
        let word = u128::from_le_bytes(
            reader
                .take(16)
                .ok_or_else(truncated)?
                .try_into()
                .expect("16 bytes"),
        );
        self.rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        self.rng.set_word_pos(word);
        self.best_loss = f64_at(&mut reader)?;
        self.best_step = u64_at(&mut reader)? as usize;
        self.bad_evaluations = u64_at(&mut reader)? as usize;
        self.stopped = reader.take(1).ok_or_else(truncated)?[0] != 0;
        let entries = u64_at(&mut reader)? as usize;
        self.history.clear();
        for _ in 0..entries {
            let step = u64_at(&mut reader)? as usize;
            let loss = f64_at(&mut reader)?;
            let learning_rate = f64_at(&mut reader)?;
            let validation = f64_at(&mut reader)?;
            self.history.push(StepRecord {
                step,
                loss,
                learning_rate,
                validation: (!validation.is_nan()).then_some(validation),
            });
        }
        Ok(self)
    }
}

/// Writes the parameters of `model` to `path` as a burnpack module record.
///
/// # Errors
/// [`TransformerError::Checkpoint`] when the file cannot be written.
pub fn save_model(model: &Transformer, path: &Path) -> TransformerResult<()> {
    model
        .clone()
        .into_record()
        .save(path)
        .map_err(|e| TransformerError::Checkpoint {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}

/// Loads parameters written by [`save_model`] into `model`, which must come from the same
/// [`TransformerConfig`](crate::TransformerConfig). The file is read into memory, so it may be
/// removed afterwards.
///
/// # Errors
/// [`TransformerError::Checkpoint`] when the file is missing, corrupt or does not match the
/// model.
pub fn load_model(model: Transformer, path: &Path) -> TransformerResult<Transformer> {
    let fail = |reason: String| TransformerError::Checkpoint {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let record =
        ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)).map_err(|e| fail(e.to_string()))?;
    model
        .try_load_record(record)
        .map_err(|e| fail(e.to_string()))
}

/// Scales the gradients of `module`'s parameters in place by min(1, max_norm / (norm + 1e-6)),
/// where norm is the L2 norm of all of them together, as `torch.nn.utils.clip_grad_norm_`
/// does. Parameters without a gradient are left out of the norm.
///
/// # Returns
/// The norm before clipping.
///
/// # Errors
/// [`TransformerError::InvalidSetting`] for a `max_norm` that is not finite and > 0,
/// [`TransformerError::NonFiniteGradient`] for a NaN or infinite norm (the gradients are left
/// unchanged), [`TransformerError::Backend`] when the read-back of the norm fails.
pub fn clip_global_norm<M: Module>(
    gradients: &mut GradientsParams,
    module: &M,
    max_norm: f32,
) -> TransformerResult<f64> {
    if !(max_norm.is_finite() && max_norm > 0.0) {
        return Err(invalid("max_norm", max_norm, "a finite value > 0"));
    }
    let mut squares = SumOfSquares {
        gradients,
        total: None,
    };
    module.visit(&mut squares);
    let Some(total) = squares.total else {
        return Ok(0.0);
    };
    let norm = f64::from(read(total)?[0]).sqrt();
    if !norm.is_finite() {
        return Err(TransformerError::NonFiniteGradient { norm });
    }
    let factor = f64::from(max_norm) / (norm + 1e-6);
    if factor < 1.0 {
        module.visit(&mut ScaleGradients { gradients, factor });
    }
    Ok(norm)
}

/// Sum of the squared gradient entries of the visited parameters.
struct SumOfSquares<'a> {
    gradients: &'a GradientsParams,
    total: Option<Tensor<1>>,
}

impl ModuleVisitor for SumOfSquares<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(gradient) = self.gradients.get::<D>(param.id) {
            let squares = gradient.square().sum();
            self.total = Some(match self.total.take() {
                Some(total) => total.add(squares),
                None => squares,
            });
        }
    }
}

/// Multiplies the gradients of the visited parameters by `factor`.
struct ScaleGradients<'a> {
    gradients: &'a mut GradientsParams,
    factor: f64,
}

impl ModuleVisitor for ScaleGradients<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(gradient) = self.gradients.remove::<D>(param.id) {
            self.gradients
                .register(param.id, gradient.mul_scalar(self.factor));
        }
    }
}

const MAGIC: &[u8] = b"NCMTFM01";

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, count: usize) -> Option<&[u8]> {
        let slice = self.bytes.get(self.at..self.at + count)?;
        self.at += count;
        Some(slice)
    }
}

/// Elementwise negative log-likelihood of `target` under `prediction`.
fn nll(prediction: Prediction, target: Tensor<3>) -> Tensor<3> {
    match prediction {
        Prediction::Gaussian { mean, log_variance } => gaussian_nll(mean, log_variance, target),
        Prediction::Poisson { log_rate } => poisson_nll(log_rate, target),
    }
}

fn narrow_prediction(prediction: Prediction, start: usize, length: usize) -> Prediction {
    match prediction {
        Prediction::Gaussian { mean, log_variance } => Prediction::Gaussian {
            mean: mean.narrow(1, start, length),
            log_variance: log_variance.narrow(1, start, length),
        },
        Prediction::Poisson { log_rate } => Prediction::Poisson {
            log_rate: log_rate.narrow(1, start, length),
        },
    }
}

/// Loss of `objective` on `batch` `[batch, time, channels]`, as a one-element tensor.
///
/// Forecasting with the spatial layout takes `time = window + 1`: the model reads the first
/// `window` samples and its prediction at their last position is scored against the last
/// sample. Masked reconstruction draws its masks from `rng`: the reconstruction mask first,
/// then, with the contrastive term, the masks of the two views.
///
/// # Errors
/// As [`Transformer::forward`], [`draw_mask`] and [`nt_xent`];
/// [`TransformerError::ShapeMismatch`] for a spatial forecasting batch whose `time` is not
/// `window + 1`.
pub fn objective_loss(
    model: &Transformer,
    batch: Tensor<3>,
    objective: &Objective,
    rng: &mut ChaCha8Rng,
) -> TransformerResult<Tensor<1>> {
    match *objective {
        Objective::Forecast if model.layout() == Layout::Spatial => {
            spatial_forecast_loss(model, batch)
        }
        Objective::Forecast => {
            let time = batch.dims()[1];
            let mask = ForwardMask {
                causal: true,
                ..ForwardMask::default()
            };
            let out = model.forward(batch.clone(), &mask)?;
            let prediction = narrow_prediction(out.prediction, 0, time - 1);
            Ok(nll(prediction, batch.narrow(1, 1, time - 1)).mean())
        }
        Objective::MaskedReconstruction {
            mask,
            ratio,
            contrastive,
        } => {
            let (reconstruction, _) = masked_view(model, batch.clone(), mask, ratio, rng)?;
            let Some(contrastive) = contrastive else {
                return Ok(reconstruction);
            };
            let (_, first) = masked_view(model, batch.clone(), mask, ratio, rng)?;
            let (_, second) = masked_view(model, batch, mask, ratio, rng)?;
            let contrast = nt_xent(first, second, contrastive.temperature)?;
            Ok(reconstruction.add(contrast.mul_scalar(contrastive.weight)))
        }
    }
}

/// Forecasting loss of the spatial layout on `[batch, window + 1, channels]` windows.
fn spatial_forecast_loss(model: &Transformer, batch: Tensor<3>) -> TransformerResult<Tensor<1>> {
    let [size, time, channels] = batch.dims();
    let window = model.window();
    if time != window + 1 {
        return Err(TransformerError::ShapeMismatch {
            what: "spatial forecasting batch",
            expected: format!("[batch, {}, {channels}] (window + 1 samples)", window + 1),
            found: format!("[{size}, {time}, {channels}]"),
        });
    }
    // Channels have no order and each token contains only the window, so no causal mask.
    let out = model.forward(batch.clone().narrow(1, 0, window), &ForwardMask::default())?;
    let prediction = narrow_prediction(out.prediction, window - 1, 1);

    Ok(nll(prediction, batch.narrow(1, window, 1)).mean())
}

/// Masks `ratio` of the tokens of each window, and returns the mean negative log-likelihood of
/// the hidden entries and the mean final token state of each window `[batch, d_model]`.
fn masked_view(
    model: &Transformer,
    batch: Tensor<3>,
    mask: MaskKind,
    ratio: f64,
    rng: &mut ChaCha8Rng,
) -> TransformerResult<(Tensor<1>, Tensor<2>)> {
    let [size, time, channels] = batch.dims();
    let tokens = model.tokens(time);
    let hidden = draw_mask(rng, mask, size, tokens, ratio)?;
    let count = hidden.iter().filter(|&&h| h).count();
    let weights: Vec<f32> = hidden.iter().map(|&h| f32::from(u8::from(h))).collect();
    let device = batch.device();
    let weights = match model.layout() {
        Layout::Temporal => {
            Tensor::<3>::from_data(TensorData::new(weights, [size, tokens, 1]), &device)
        }
        Layout::Spatial => {
            Tensor::<3>::from_data(TensorData::new(weights, [size, 1, tokens]), &device)
        }
        Layout::Spatiotemporal => {
            Tensor::<3>::from_data(TensorData::new(weights, [size, time, channels]), &device)
        }
    };
    let features = match model.layout() {
        Layout::Temporal => channels,
        Layout::Spatial => time,
        Layout::Spatiotemporal => 1,
    };
    let forward_mask = ForwardMask {
        masked: Some(hidden),
        ..ForwardMask::default()
    };
    let out = model.forward(batch.clone(), &forward_mask)?;
    let d_model = out.states.dims()[2];
    let embedding = out.states.mean_dim(1).reshape([size, d_model]);
    let loss = nll(out.prediction, batch)
        .mul(weights)
        .sum()
        .div_scalar((count * features) as f64);

    Ok((loss, embedding))
}
