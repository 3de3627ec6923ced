//! Spatial transformers on resting-state HCP BOLD: next-step forecasting and masked
//! reconstruction of all 94 AAL2 regions, tested on held-out subjects.
//!
//! Each subject's regions are z-scored over its recording. The model is the spatial layout of
//! `ncm-transformer`: one token per region with a learned identity embedding and the last
//! `window` samples of the region as its features. A Gaussian head gives a mean and a
//! log-variance per entry, and each attention matrix is region by region. Two models are trained by Adam
//! on the training subjects:
//!
//! - forecasting: the window of samples t - W .. t - 1 goes in, and the last of the W outputs
//!   of each region token is scored as the Gaussian forecast of sample t;
//! - masked reconstruction: a share of the region tokens is hidden (a learned mask embedding
//!   replaces their input), and the hidden regions' whole windows are scored.
//!
//! Training windows come from the first `1 - validation_fraction` of each training subject.
//! The validation loss is taken on non-overlapping windows of the rest, and the model of the
//! best validation loss is kept. On the test subjects the forecasts are scored by R^2,
//! Gaussian negative log-likelihood and central-interval coverage against persistence
//! (x_t = x_{t-1}) and a ridge vector autoregression, whose Gaussian variances are their
//! residual variances per region on the training subjects.
//!
//! The attention of both models on every subject, training and test, is then scored against
//! the subject's diffusion structural connectivity, next to maximum-entropy couplings and
//! correlation baselines (see the `structure` submodule).

mod structure;

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use clap::Args;
use ncm_data::{DataDir, Recording};
use ncm_transformer::metrics::{RidgeVar, gaussian_nll, interval_coverage, r_squared};
use ncm_transformer::train::objective_loss;
use ncm_transformer::{
    ForwardMask, Layout, Likelihood, MaskKind, Objective, Prediction, TrainConfig, Transformer,
    TransformerConfig, draw_mask,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::aal2;
use crate::backend::Backend;
use crate::figures::{self, LineSeries};
use crate::report::Section;

/// Repetition time of the HCP resting-state scans, seconds.
const HCP_TR_S: f64 = 0.72;

/// Nominal levels of the calibration curve.
const CALIBRATION_LEVELS: [f64; 11] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

/// Test windows per forward pass during evaluation.
const EVAL_BATCH: usize = 128;

/// Settings of the brain-transformer experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HCP subjects the models and baselines are fitted on. Default the first five.
    pub train_subjects: Vec<String>,
    /// HCP subjects the models are scored on. Default the last two.
    pub test_subjects: Vec<String>,
    /// Samples per window (the features of each region token), at least 2. Default 16.
    pub window: usize,
    /// Model width, a multiple of `heads`. Default 32.
    pub d_model: usize,
    /// Attention heads. Default 4.
    pub heads: usize,
    /// Transformer blocks. Default 2.
    pub depth: usize,
    /// Hidden width of the feed-forward sublayers. Default 64.
    pub d_ff: usize,
    /// Adam steps per model, at least 1. Default 600.
    pub steps: usize,
    /// Windows per step, at least 1. Default 32.
    pub batch_size: usize,
    /// Peak learning rate, finite and > 0. Default 0.002.
    pub learning_rate: f64,
    /// Steps of linear warm-up before the cosine decay. Default 30.
    pub warmup_steps: usize,
    /// Steps between validation evaluations, at least 1. Default 25.
    pub eval_every: usize,
    /// Share of each training subject, at its end, used for validation, in (0, 1). Default
    /// 0.2.
    pub validation_fraction: f64,
    /// Share of region tokens hidden per window in masked reconstruction, in (0, 1). Default
    /// 0.25.
    pub mask_ratio: f64,
    /// Order of the ridge vector autoregression, at least 1. Default 1.
    pub var_order: usize,
    /// Ridge penalty of the autoregression (on sums of squares), finite and >= 0. Default 10.
    pub var_penalty: f64,
    /// Share of the region pairs with the strongest structural connectivity that form the
    /// reference graph of the AUROC and AUPRC, in (0, 1). Default 0.1.
    pub sc_top_fraction: f64,
    /// Region relabellings of the Mantel and AUROC permutation tests against structural
    /// connectivity, at least 99. Default 1000.
    pub sc_permutations: usize,
    /// L2 penalty of the pseudo-likelihood maximum-entropy fits, per sample, finite and >= 0.
    /// Default 0.001, as in the maxent-scale experiment.
    pub mem_l2_penalty: f64,
    /// Seed of the weights, batches, masks and permutation tests. Default 2021.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        let subjects: Vec<String> = ncm_data::HCP_SUBJECTS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let split = subjects.len().saturating_sub(2);
        Self {
            train_subjects: subjects[..split].to_vec(),
            test_subjects: subjects[split..].to_vec(),
            window: 16,
            d_model: 32,
            heads: 4,
            depth: 2,
            d_ff: 64,
            steps: 600,
            batch_size: 32,
            learning_rate: 2e-3,
            warmup_steps: 30,
            eval_every: 25,
            validation_fraction: 0.2,
            mask_ratio: 0.25,
            var_order: 1,
            var_penalty: 10.0,
            sc_top_fraction: 0.1,
            sc_permutations: 1000,
            mem_l2_penalty: 1e-3,
            seed: 2021,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment brain-transformer`.
#[derive(Args)]
pub struct Cli {
    /// Training subjects, comma separated (default: the first five).
    #[arg(long, value_delimiter = ',')]
    train_subject: Vec<String>,
    /// Test subjects, comma separated (default: the last two).
    #[arg(long, value_delimiter = ',')]
    test_subject: Vec<String>,
    /// Adam steps per model.
    #[arg(long, default_value_t = 600)]
    steps: usize,
    /// Samples per window.
    #[arg(long, default_value_t = 16)]
    window: usize,
    /// Seed of the weights, batches and masks.
    #[arg(long, default_value_t = 2021)]
    seed: u64,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Config {
        let mut config = Config {
            steps: self.steps,
            window: self.window,
            seed: self.seed,
            ..Config::default()
        };
        if !self.train_subject.is_empty() {
            config.train_subjects = self.train_subject.iter().map(|s| s.trim().into()).collect();
        }
        if !self.test_subject.is_empty() {
            config.test_subjects = self.test_subject.iter().map(|s| s.trim().into()).collect();
        }
        config
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    super::validate_subjects(&config.train_subjects)?;
    super::validate_subjects(&config.test_subjects)?;
    if let Some(shared) = config
        .test_subjects
        .iter()
        .find(|s| config.train_subjects.contains(s))
    {
        bail!("subject {shared} is both a training and a test subject; list it in one only");
    }
    if config.window < 2 {
        bail!("invalid window {}; use at least 2 samples", config.window);
    }
    for (name, value) in [
        ("d_model", config.d_model),
        ("heads", config.heads),
        ("depth", config.depth),
        ("d_ff", config.d_ff),
        ("steps", config.steps),
        ("batch_size", config.batch_size),
        ("eval_every", config.eval_every),
        ("var_order", config.var_order),
    ] {
        if value == 0 {
            bail!("invalid {name} 0; it must be at least 1");
        }
    }
    if config.d_model % config.heads != 0 {
        bail!(
            "invalid d_model {}; it must be a multiple of heads ({})",
            config.d_model,
            config.heads
        );
    }
    if !(config.learning_rate.is_finite() && config.learning_rate > 0.0) {
        bail!(
            "invalid learning_rate {}; use a finite value > 0, for example 0.002",
            config.learning_rate
        );
    }
    for (name, value) in [
        ("validation_fraction", config.validation_fraction),
        ("mask_ratio", config.mask_ratio),
    ] {
        if !(value > 0.0 && value < 1.0) {
            bail!("invalid {name} {value}; use a value in (0, 1)");
        }
    }
    if !(config.var_penalty.is_finite() && config.var_penalty >= 0.0) {
        bail!(
            "invalid var_penalty {}; use a finite value >= 0",
            config.var_penalty
        );
    }
    if !(config.sc_top_fraction > 0.0 && config.sc_top_fraction < 1.0) {
        bail!(
            "invalid sc_top_fraction {}; use a value in (0, 1), for example 0.1",
            config.sc_top_fraction
        );
    }
    if config.sc_permutations < 99 {
        bail!(
            "invalid sc_permutations {}; use at least 99 (default 1000), because with fewer \
             the smallest possible p-value is above 0.01",
            config.sc_permutations
        );
    }
    if !(config.mem_l2_penalty.is_finite() && config.mem_l2_penalty >= 0.0) {
        bail!(
            "invalid mem_l2_penalty {}; use a finite value >= 0, for example 0.001",
            config.mem_l2_penalty
        );
    }
    Ok(())
}

/// One subject's BOLD, z-scored per region, row-major `[time, regions]`.
struct Subject {
    name: String,
    series: Vec<f32>,
    samples: usize,
}

fn load(dir: &DataDir, subject: &str) -> Result<Subject> {
    let recording = Recording::from_mat(&dir.hcp_timeseries(subject), "tc", HCP_TR_S)
        .with_context(|| format!("cannot read the BOLD time series of subject {subject}"))?;
    if recording.channels != aal2::REGIONS.len() {
        bail!(
            "subject {subject} has {} regions, but the AAL2 atlas of this experiment has {}",
            recording.channels,
            aal2::REGIONS.len()
        );
    }
    let series = z_score_time_major(&recording.data, recording.channels, recording.samples)
        .with_context(|| format!("cannot z-score subject {subject}"))?;
    Ok(Subject {
        name: subject.to_string(),
        series,
        samples: recording.samples,
    })
}

/// Z-scores each channel of channel-major `data` (`[channels, samples]`) by its mean and
/// population standard deviation, and returns the result time-major (`[samples, channels]`).
fn z_score_time_major(data: &[f64], channels: usize, samples: usize) -> Result<Vec<f32>> {
    if data.len() != channels * samples || samples < 2 {
        bail!(
            "expected {channels} x {samples} values with at least 2 samples, got {}",
            data.len()
        );
    }
    let mut out = vec![0.0f32; data.len()];
    for c in 0..channels {
        let row = &data[c * samples..(c + 1) * samples];
        let mean = row.iter().sum::<f64>() / samples as f64;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / samples as f64;
        if !(var.is_finite() && var > 0.0) {
            bail!("channel {c} is constant or not finite (variance {var}); it cannot be z-scored");
        }
        let sd = var.sqrt();
        for (t, v) in row.iter().enumerate() {
            out[t * channels + c] = ((v - mean) / sd) as f32;
        }
    }
    Ok(out)
}

/// Training objective of one model.
#[derive(Clone, Copy, PartialEq)]
enum Task {
    Forecast,
    Masked,
}

impl Task {
    /// Samples each training window spans: the input window, plus the target for forecasting.
    fn span(self, window: usize) -> usize {
        match self {
            Task::Forecast => window + 1,
            Task::Masked => window,
        }
    }
}

/// Mean Gaussian negative log-likelihood of the forecast of the last sample of each
/// `[batch, window + 1, regions]` window from the samples before it.
fn forecast_loss(model: &Transformer, batch: Tensor<3>) -> Result<Tensor<1>> {
    let [_, span, _] = batch.dims();
    let window = span - 1;
    let out = model.forward(batch.clone().narrow(1, 0, window), &ForwardMask::default())?;
    let Prediction::Gaussian { mean, log_variance } = out.prediction else {
        bail!("the forecasting model must have a Gaussian head");
    };
    let nll = ncm_transformer::likelihood::gaussian_nll(
        mean.narrow(1, window - 1, 1),
        log_variance.narrow(1, window - 1, 1),
        batch.narrow(1, window, 1),
    );
    Ok(nll.mean())
}

fn task_loss(
    model: &Transformer,
    batch: Tensor<3>,
    task: Task,
    mask_ratio: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Tensor<1>> {
    match task {
        Task::Forecast => forecast_loss(model, batch),
        Task::Masked => Ok(objective_loss(
            model,
            batch,
            &Objective::MaskedReconstruction {
                mask: MaskKind::Random,
                ratio: mask_ratio,
                contrastive: None,
            },
            rng,
        )?),
    }
}

fn to_vec<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor
        .try_into_data()
        .map_err(|e| anyhow::anyhow!("cannot read a tensor back: {e}"))?
        .try_into_vec_as::<f32>()
        .map_err(|e| anyhow::anyhow!("cannot read a tensor back: {e}"))
}

/// Learning curve and best model of one training run.
struct Trained {
    best: Transformer,
    best_step: usize,
    train_loss: Vec<f64>,
    validation: Vec<(usize, f64)>,
    seconds: f64,
}

fn train(task: Task, subjects: &[Subject], config: &Config, device: &Device) -> Result<Trained> {
    let started = Instant::now();
    let regions = aal2::REGIONS.len();
    let span = task.span(config.window);
    let model_config = TransformerConfig::new(regions, config.window)
        .with_layout(Layout::Spatial)
        .with_likelihood(Likelihood::Gaussian)
        .with_d_model(config.d_model)
        .with_heads(config.heads)
        .with_depth(config.depth)
        .with_d_ff(config.d_ff)
        .with_seed(config.seed);
    let mut model = model_config.init(device)?.train();
    let autodiff = device.clone().autodiff();
    // The library's warm-up and cosine schedule, decaying to a tenth of the peak.
    let schedule = TrainConfig {
        steps: config.steps,
        learning_rate: config.learning_rate,
        warmup_steps: config.warmup_steps,
        final_fraction: 0.1,
        ..TrainConfig::default()
    };
    let mut optimizer = AdamConfig::new()
        .init()
        .with_grad_clipping(burn::grad_clipping::GradientClipping::Norm(1.0));
    let train_ends: Vec<usize> = subjects
        .iter()
        .map(|s| s.samples - (config.validation_fraction * s.samples as f64).ceil() as usize)
        .collect();
    if let Some(short) = subjects
        .iter()
        .zip(&train_ends)
        .find(|(s, end)| **end < span || s.samples - **end < span)
    {
        bail!(
            "subject {} has {} samples, too few for training and validation windows of {span}",
            short.0.name,
            short.0.samples
        );
    }

    let mut validation_rows = Vec::new();
    let mut validation_count = 0;
    for (subject, &end) in subjects.iter().zip(&train_ends) {
        let mut start = end;
        while start + span <= subject.samples {
            validation_rows
                .extend_from_slice(&subject.series[start * regions..(start + span) * regions]);
            validation_count += 1;
            start += span;
        }
    }
    let validation_batch = Tensor::<3>::from_data(
        TensorData::new(validation_rows, [validation_count, span, regions]),
        device,
    );

    let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ task_stream(task));
    let mut best = model.valid();
    let (mut best_loss, mut best_step) = (f64::INFINITY, 0);
    let (mut train_loss, mut validation) = (Vec::new(), Vec::new());
    for step in 0..config.steps {
        let mut rows = Vec::with_capacity(config.batch_size * span * regions);
        for _ in 0..config.batch_size {
            let subject_index = rng.random_range(0..subjects.len());
            let start = rng.random_range(0..=train_ends[subject_index] - span);
            rows.extend_from_slice(
                &subjects[subject_index].series[start * regions..(start + span) * regions],
            );
        }
        let batch = Tensor::<3>::from_data(
            TensorData::new(rows, [config.batch_size, span, regions]),
            &autodiff,
        );
        let loss = task_loss(&model, batch, task, config.mask_ratio, &mut rng)?;
        let value = f64::from(to_vec(loss.clone())?[0]);
        if !value.is_finite() {
            bail!("training diverged at step {step} (loss {value}); lower learning_rate");
        }

        let gradients = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(schedule.learning_rate_at(step), model, gradients);
        train_loss.push(value);
        if (step + 1) % config.eval_every == 0 || step + 1 == config.steps {
            // Masks of the validation windows come from a fixed stream, so evaluations compare.
            let mut eval_rng = ChaCha8Rng::seed_from_u64(config.seed.wrapping_add(1));
            let current = model.valid();
            let loss = task_loss(
                &current,
                validation_batch.clone(),
                task,
                config.mask_ratio,
                &mut eval_rng,
            )?;
            let loss = f64::from(to_vec(loss)?[0]);
            validation.push((step + 1, loss));
            if loss < best_loss {
                (best_loss, best_step) = (loss, step + 1);
                best = current;
            }
        }
    }
    Ok(Trained {
        best,
        best_step,
        train_loss,
        validation,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn task_stream(task: Task) -> u64 {
    match task {
        Task::Forecast => 0x0f0c,
        Task::Masked => 0x3a5c,
    }
}

/// Gaussian predictions and targets of one model on the test subjects, `[n, channels]`.
struct Scored {
    mean: Vec<f32>,
    log_variance: Vec<f32>,
    target: Vec<f32>,
    channels: usize,
}

impl Scored {
    fn metrics(&self) -> Result<serde_json::Value> {
        let c = self.channels;
        let mut coverage = Vec::new();
        for level in CALIBRATION_LEVELS {
            coverage.push(interval_coverage(
                &self.mean,
                &self.log_variance,
                &self.target,
                c,
                level,
            )?);
        }
        Ok(json!({
            "r_squared": r_squared(&self.mean, &self.target, c)?,
            "gaussian_nll": gaussian_nll(&self.mean, &self.log_variance, &self.target, c)?,
            "coverage_50": interval_coverage(&self.mean, &self.log_variance, &self.target, c, 0.5)?,
            "coverage_90": interval_coverage(&self.mean, &self.log_variance, &self.target, c, 0.9)?,
            "calibration_levels": CALIBRATION_LEVELS,
            "calibration_coverage": coverage,
            "entries": self.target.len(),
        }))
    }
}

/// Natural log of the mean squared residual per channel of `prediction` against `target`,
/// both `[n, channels]`: the log-variance of a Gaussian fitted to the residuals with zero mean.
fn residual_log_variance(prediction: &[f32], target: &[f32], channels: usize) -> Result<Vec<f32>> {
    if channels == 0 || prediction.len() != target.len() || target.len() % channels != 0 {
        bail!(
            "prediction ({}) and target ({}) must have equal lengths divisible by {channels}",
            prediction.len(),
            target.len()
        );
    }
    let rows = target.len() / channels;
    if rows == 0 {
        bail!("no residuals to estimate a variance from");
    }
    let mut sums = vec![0.0f64; channels];
    for (i, (p, t)) in prediction.iter().zip(target).enumerate() {
        sums[i % channels] += (f64::from(*t) - f64::from(*p)).powi(2);
    }
    Ok(sums
        .iter()
        .map(|s| (s / rows as f64).max(f64::MIN_POSITIVE).ln() as f32)
        .collect())
}

/// Forecasts of the test subjects: the transformer, persistence and the ridge autoregression,
/// all scored on the samples t >= window of each subject. Also returns the head-by-head mean
/// attention of the last block over all test windows, `[heads, regions, regions]`.
fn score_forecasts(
    model: &Transformer,
    var: &RidgeVar,
    var_log_variance: &[f32],
    persistence_log_variance: &[f32],
    test: &[Subject],
    config: &Config,
    device: &Device,
) -> Result<([Scored; 3], Vec<f64>)> {
    let regions = aal2::REGIONS.len();
    let w = config.window;
    let empty = || Scored {
        mean: Vec::new(),
        log_variance: Vec::new(),
        target: Vec::new(),
        channels: regions,
    };
    let (mut net, mut persistence, mut ar) = (empty(), empty(), empty());
    let mut attention = vec![0.0f64; config.heads * regions * regions];
    let mut windows = 0usize;
    for subject in test {
        let x = &subject.series;
        let var_forecast = var.forecast(x)?;
        let targets: Vec<usize> = (w..subject.samples).collect();
        for chunk in targets.chunks(EVAL_BATCH) {
            let mut rows = Vec::with_capacity(chunk.len() * w * regions);
            for &t in chunk {
                rows.extend_from_slice(&x[(t - w) * regions..t * regions]);
            }
            let input =
                Tensor::<3>::from_data(TensorData::new(rows, [chunk.len(), w, regions]), device);
            let out = model.forward(input, &ForwardMask::default())?;
            let Prediction::Gaussian { mean, log_variance } = out.prediction else {
                bail!("the forecasting model must have a Gaussian head");
            };
            net.mean.extend(to_vec(mean.narrow(1, w - 1, 1))?);
            net.log_variance
                .extend(to_vec(log_variance.narrow(1, w - 1, 1))?);
            let last = out.attention.last().context("the model has no block")?;
            let summed = to_vec(last.clone().sum_dim(0))?;
            attention
                .iter_mut()
                .zip(&summed)
                .for_each(|(a, s)| *a += f64::from(*s));
            windows += chunk.len();
            for &t in chunk {
                let target = &x[t * regions..(t + 1) * regions];
                net.target.extend_from_slice(target);
                persistence
                    .mean
                    .extend_from_slice(&x[(t - 1) * regions..t * regions]);
                persistence
                    .log_variance
                    .extend_from_slice(persistence_log_variance);
                persistence.target.extend_from_slice(target);
                let row = t - var.order;
                ar.mean
                    .extend_from_slice(&var_forecast[row * regions..(row + 1) * regions]);
                ar.log_variance.extend_from_slice(var_log_variance);
                ar.target.extend_from_slice(target);
            }
        }
    }
    attention.iter_mut().for_each(|a| *a /= windows as f64);
    Ok(([net, persistence, ar], attention))
}

/// Scores masked reconstruction of the test subjects on non-overlapping windows, with masks
/// from a fixed stream. Only the hidden regions' entries are scored, pooled as one channel.
fn score_masked(
    model: &Transformer,
    test: &[Subject],
    config: &Config,
    device: &Device,
) -> Result<Scored> {
    let regions = aal2::REGIONS.len();
    let w = config.window;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed.wrapping_add(2));
    let mut scored = Scored {
        mean: Vec::new(),
        log_variance: Vec::new(),
        target: Vec::new(),
        channels: 1,
    };
    for subject in test {
        let starts: Vec<usize> = (0..subject.samples / w).map(|i| i * w).collect();
        for chunk in starts.chunks(EVAL_BATCH) {
            let mut rows = Vec::with_capacity(chunk.len() * w * regions);
            for &s in chunk {
                rows.extend_from_slice(&subject.series[s * regions..(s + w) * regions]);
            }
            let hidden = draw_mask(
                &mut rng,
                MaskKind::Random,
                chunk.len(),
                regions,
                config.mask_ratio,
            )?;
            let input = Tensor::<3>::from_data(
                TensorData::new(rows.clone(), [chunk.len(), w, regions]),
                device,
            );
            let mask = ForwardMask {
                masked: Some(hidden.clone()),
                ..ForwardMask::default()
            };
            let out = model.forward(input, &mask)?;
            let Prediction::Gaussian { mean, log_variance } = out.prediction else {
                bail!("the masked model must have a Gaussian head");
            };
            let (mean, log_variance) = (to_vec(mean)?, to_vec(log_variance)?);
            for (i, value) in rows.iter().enumerate() {
                let b = i / (w * regions);
                let c = i % regions;
                if hidden[b * regions + c] {
                    scored.mean.push(mean[i]);
                    scored.log_variance.push(log_variance[i]);
                    scored.target.push(*value);
                }
            }
        }
    }
    Ok(scored)
}

/// Summary of an attention matrix: mean row entropy (nats), mean weight on the query's own
/// token, and mean weight on its homotopic partner. The partner of token 2k is 2k + 1 and
/// back, as in the AAL2 list, where left and right regions alternate.
struct AttentionSummary {
    entropy: f64,
    self_weight: f64,
    homotopic_weight: f64,
}

fn attention_summary(matrix: &[f64], tokens: usize) -> Result<AttentionSummary> {
    if tokens < 2 || tokens % 2 != 0 || matrix.len() != tokens * tokens {
        bail!(
            "expected a square matrix of an even number of tokens, got {} values for {tokens}",
            matrix.len()
        );
    }
    let mut summary = AttentionSummary {
        entropy: 0.0,
        self_weight: 0.0,
        homotopic_weight: 0.0,
    };
    for q in 0..tokens {
        let row = &matrix[q * tokens..(q + 1) * tokens];
        summary.entropy -= row
            .iter()
            .filter(|&&w| w > 0.0)
            .map(|w| w * w.ln())
            .sum::<f64>();
        summary.self_weight += row[q];
        summary.homotopic_weight += row[q ^ 1];
    }
    summary.entropy /= tokens as f64;
    summary.self_weight /= tokens as f64;
    summary.homotopic_weight /= tokens as f64;
    Ok(summary)
}

/// Writes `values` as a float32 NPY file with `shape`.
fn write_npy(path: &Path, values: &[f64], shape: &[usize]) -> Result<()> {
    let values: Vec<f32> = values.iter().map(|&v| v as f32).collect();
    fs::write(path, ncm_transformer::npy_bytes(&values, shape)?)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Runs the experiment and returns its report section.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
    backend: Backend,
) -> Result<Section> {
    validate(config)?;
    let started = Instant::now();
    let out_dir = super::create_output_dir(report_dir, "brain-transformer")?;
    let dir = DataDir::new(data_dir);
    let regions = aal2::REGIONS.len();
    let train_subjects = config
        .train_subjects
        .iter()
        .map(|s| load(&dir, s))
        .collect::<Result<Vec<_>>>()?;
    let test_subjects = config
        .test_subjects
        .iter()
        .map(|s| load(&dir, s))
        .collect::<Result<Vec<_>>>()?;

    // NOTE: the autoregression is fitted on the training subjects joined end to end, so
    // var_order rows per junction regress across two subjects.
    let joined: Vec<f32> = train_subjects
        .iter()
        .flat_map(|s| s.series.clone())
        .collect();
    let var = RidgeVar::fit(&joined, regions, config.var_order, config.var_penalty)?;
    let (mut var_pred, mut var_target, mut last_pred, mut last_target) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for subject in &train_subjects {
        var_pred.extend(var.forecast(&subject.series)?);
        var_target.extend_from_slice(&subject.series[config.var_order * regions..]);
        last_pred.extend_from_slice(&subject.series[..(subject.samples - 1) * regions]);
        last_target.extend_from_slice(&subject.series[regions..]);
    }
    let var_log_variance = residual_log_variance(&var_pred, &var_target, regions)?;
    let persistence_log_variance = residual_log_variance(&last_pred, &last_target, regions)?;

    info!(steps = config.steps, "training the forecasting transformer");
    let forecaster = train(Task::Forecast, &train_subjects, config, device)?;
    info!(
        steps = config.steps,
        "training the masked-reconstruction transformer"
    );
    let masked = train(Task::Masked, &train_subjects, config, device)?;

    let ([net, persistence, ar], attention) = score_forecasts(
        &forecaster.best,
        &var,
        &var_log_variance,
        &persistence_log_variance,
        &test_subjects,
        config,
        device,
    )?;
    let masked_scored = score_masked(&masked.best, &test_subjects, config, device)?;
    let metrics = [
        ("transformer_forecast", net.metrics()?),
        ("persistence", persistence.metrics()?),
        ("ridge_var", ar.metrics()?),
        ("transformer_masked", masked_scored.metrics()?),
    ];

    // Attention maps: per head and averaged over heads, with the region names.
    let heads = config.heads;
    let mut head_mean = vec![0.0f64; regions * regions];
    for h in 0..heads {
        for (m, a) in head_mean
            .iter_mut()
            .zip(&attention[h * regions * regions..(h + 1) * regions * regions])
        {
            *m += a / heads as f64;
        }
    }
    let mut attention_stats = Vec::new();
    for h in 0..=heads {
        let matrix = if h == heads {
            &head_mean[..]
        } else {
            &attention[h * regions * regions..(h + 1) * regions * regions]
        };
        let stats = attention_summary(matrix, regions)?;
        attention_stats.push(json!({
            "head": if h == heads { "mean".to_string() } else { h.to_string() },
            "row_entropy_nats": stats.entropy,
            "self_weight": stats.self_weight,
            "homotopic_weight": stats.homotopic_weight,
        }));
    }
    write_npy(
        &out_dir.join("attention_heads.npy"),
        &attention,
        &[heads, regions, regions],
    )?;
    write_npy(
        &out_dir.join("attention_mean.npy"),
        &head_mean,
        &[regions, regions],
    )?;
    // The maps show the excess over uniform weights, so the diverging colour scale separates
    // regions attended more than uniformly (red) from those attended less (blue).
    let excess =
        |matrix: &[f64]| -> Vec<f64> { matrix.iter().map(|w| w - 1.0 / regions as f64).collect() };
    for h in 0..heads {
        figures::write_heatmap_svg(
            &out_dir.join(format!("attention_head{h}.svg")),
            &format!("Last-block attention of head {h} minus uniform 1/{regions}"),
            "key region (AAL2 index from 0)",
            "query region (row 0 at the top)",
            &excess(&attention[h * regions * regions..(h + 1) * regions * regions]),
            regions,
            regions,
        )?;
    }
    let labels_path = out_dir.join("attention_labels.json");
    fs::write(
        &labels_path,
        serde_json::to_string_pretty(&aal2::REGIONS.to_vec())?,
    )
    .with_context(|| format!("cannot write {}", labels_path.display()))?;
    figures::write_heatmap_svg(
        &out_dir.join("attention.svg"),
        &format!("Last-block attention, mean over heads and test windows, minus 1/{regions}"),
        "key region (AAL2 index from 0)",
        "query region (row 0 at the top)",
        &excess(&head_mean),
        regions,
        regions,
    )?;

    let curve = |label: &str, points: Vec<(f64, f64)>| LineSeries {
        label: label.to_string(),
        points,
    };
    let steps_of = |losses: &[f64]| -> Vec<(f64, f64)> {
        losses
            .iter()
            .enumerate()
            .map(|(i, l)| ((i + 1) as f64, *l))
            .collect()
    };
    let evals_of = |values: &[(usize, f64)]| -> Vec<(f64, f64)> {
        values.iter().map(|(s, l)| (*s as f64, *l)).collect()
    };
    figures::write_line_svg(
        &out_dir.join("learning_curves.svg"),
        "Learning curves (Gaussian NLL per scored entry)",
        "Adam step",
        "loss (nats)",
        &[
            curve("forecast, training", steps_of(&forecaster.train_loss)),
            curve("forecast, validation", evals_of(&forecaster.validation)),
            curve("masked, training", steps_of(&masked.train_loss)),
            curve("masked, validation", evals_of(&masked.validation)),
        ],
        &[],
    )?;
    let mut calibration = vec![curve(
        "ideal",
        CALIBRATION_LEVELS.iter().map(|l| (*l, *l)).collect(),
    )];
    for (name, values) in &metrics {
        let empirical = values["calibration_coverage"]
            .as_array()
            .context("calibration coverage missing")?;
        calibration.push(curve(
            name,
            CALIBRATION_LEVELS
                .iter()
                .zip(empirical)
                .map(|(l, e)| (*l, e.as_f64().unwrap_or(f64::NAN)))
                .collect(),
        ));
    }
    figures::write_line_svg(
        &out_dir.join("calibration.svg"),
        "Calibration of the Gaussian predictions on the test subjects",
        "nominal central-interval level",
        "empirical coverage",
        &calibration,
        &[],
    )?;

    let mut rows = String::new();
    for (name, values) in &metrics {
        rows.push_str(&format!(
            "<tr><td>{name}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td></tr>",
            values["r_squared"].as_f64().unwrap_or(f64::NAN),
            values["gaussian_nll"].as_f64().unwrap_or(f64::NAN),
            values["coverage_50"].as_f64().unwrap_or(f64::NAN),
            values["coverage_90"].as_f64().unwrap_or(f64::NAN),
        ));
    }
    let comparison = structure::compare(
        &structure::Models {
            masked: &masked.best,
            forecast: &forecaster.best,
            train: &train_subjects,
            test: &test_subjects,
        },
        &dir,
        &out_dir,
        config,
        device,
    )?;

    let mean_stats = attention_summary(&head_mean, regions)?;
    let seconds = started.elapsed().as_secs_f64();
    let html = format!(
        "<p>Resting-state HCP BOLD of all {regions} AAL2 regions (TR {HCP_TR_S} s), z-scored \
         per region and subject; trained on subjects {train:?}, tested on {test:?}. Both \
         models are spatial transformers (one token per region, the last {w} samples as its \
         features, d_model {d}, {heads} heads, {depth} blocks, Gaussian head) trained by Adam \
         for {steps} steps of {batch} windows, keeping the model of the best validation loss \
         (last {vf} of each training subject). The forecaster predicts the next sample of \
         every region from the {w} before it and is scored on every test sample after the \
         first {w}, against persistence and a ridge VAR({order}) fitted on the training \
         subjects (their Gaussian variances are their residual variances there). The masked \
         model reconstructs the windows of {ratio} of the regions, hidden at random, from the \
         others; its row scores the hidden entries of non-overlapping test windows and is not \
         a forecast. A standard normal, the marginal of z-scored data, has an NLL of 1.419 \
         nats.</p>\
         <table><tr><th>model</th><th>R^2</th><th>Gaussian NLL (nats)</th>\
         <th>50% coverage</th><th>90% coverage</th></tr>{rows}</table>\
         <figure><img src=\"brain-transformer/learning_curves.svg\" alt=\"learning curves\">\
         </figure><figure><img src=\"brain-transformer/calibration.svg\" alt=\"calibration\">\
         </figure><figure><img src=\"brain-transformer/attention.svg\" alt=\"attention\">\
         <figcaption>Head-averaged attention: row entropy {entropy:.3} nats (uniform \
         {uniform_entropy:.3}), weight on the query region {self_weight:.4} and on its \
         homotopic partner {homotopic:.4} (uniform {uniform:.4}). Per-head maps are \
         attention_head0.svg and so on; attention maps as NPY (attention_heads.npy \
         [heads, 94, 94], \
         attention_mean.npy) with region names in attention_labels.json.</figcaption>\
         </figure>{structure_html}",
        structure_html = comparison.html,
        entropy = mean_stats.entropy,
        uniform_entropy = (regions as f64).ln(),
        self_weight = mean_stats.self_weight,
        homotopic = mean_stats.homotopic_weight,
        uniform = 1.0 / regions as f64,
        train = config.train_subjects,
        test = config.test_subjects,
        w = config.window,
        d = config.d_model,
        depth = config.depth,
        steps = config.steps,
        batch = config.batch_size,
        vf = config.validation_fraction,
        order = config.var_order,
        ratio = config.mask_ratio,
    );
    let summary = json!({
        "config": config,
        "backend": backend,
        "regions": regions,
        "metrics": metrics.iter().map(|(n, v)| (n.to_string(), v.clone())).collect::<serde_json::Map<_, _>>(),
        "forecast_training": {
            "best_step": forecaster.best_step,
            "seconds": forecaster.seconds,
            "train_loss": forecaster.train_loss,
            "validation": forecaster.validation,
        },
        "masked_training": {
            "best_step": masked.best_step,
            "seconds": masked.seconds,
            "train_loss": masked.train_loss,
            "validation": masked.validation,
        },
        "attention": {
            "uniform_weight": 1.0 / regions as f64,
            "uniform_entropy_nats": (regions as f64).ln(),
            "per_head": attention_stats,
        },
        "structure": comparison.summary,
        "seconds": seconds,
    });
    fs::write(
        out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    info!(seconds, "brain-transformer finished");
    Ok(Section {
        name: "brain_transformer".into(),
        title: "Transformers on resting-state BOLD".into(),
        summary,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_score_matches_hand_values() {
        // Channel 0 = [1, 2, 3] has mean 2 and population sd sqrt(2/3); channel 1 = [0, 0, 6]
        // has mean 2 and sd sqrt(8).
        let data = [1.0, 2.0, 3.0, 0.0, 0.0, 6.0];
        let out = z_score_time_major(&data, 2, 3).unwrap();
        let a = 1.0 / (2.0f64 / 3.0).sqrt();
        let b = 2.0 / 8.0f64.sqrt();
        let expected = [-a, -b, 0.0, -b, a, 4.0 / 8.0f64.sqrt()];
        for (o, e) in out.iter().zip(expected) {
            assert!((f64::from(*o) - e).abs() < 1e-6, "{out:?}");
        }
        assert!(z_score_time_major(&[1.0, 1.0, 1.0], 1, 3).is_err());
        assert!(z_score_time_major(&[1.0, 2.0], 2, 2).is_err());
    }

    #[test]
    fn residual_log_variance_is_log_mean_square() {
        // Residuals of channel 0: 1, -3 (mean square 5); channel 1: 0, 2 (mean square 2).
        let prediction = [0.0, 1.0, 3.0, 1.0];
        let target = [1.0, 1.0, 0.0, 3.0];
        let out = residual_log_variance(&prediction, &target, 2).unwrap();
        assert!((f64::from(out[0]) - 5.0f64.ln()).abs() < 1e-6);
        assert!((f64::from(out[1]) - 2.0f64.ln()).abs() < 1e-6);
        assert!(residual_log_variance(&prediction, &target[..2], 2).is_err());
    }

    #[test]
    fn attention_summary_hand_matrices() {
        // Uniform attention over 4 tokens: entropy ln 4, every weight 1/4.
        let uniform = attention_summary(&[0.25; 16], 4).unwrap();
        assert!((uniform.entropy - 4.0f64.ln()).abs() < 1e-12);
        assert!((uniform.self_weight - 0.25).abs() < 1e-12);
        assert!((uniform.homotopic_weight - 0.25).abs() < 1e-12);
        // Each query attends only to its partner (0 <-> 1, 2 <-> 3): entropy 0.
        let mut swap = [0.0; 16];
        for (q, k) in [(0, 1), (1, 0), (2, 3), (3, 2)] {
            swap[q * 4 + k] = 1.0;
        }
        let swapped = attention_summary(&swap, 4).unwrap();
        assert_eq!(swapped.entropy, 0.0);
        assert_eq!(swapped.self_weight, 0.0);
        assert_eq!(swapped.homotopic_weight, 1.0);
        assert!(attention_summary(&[1.0; 9], 3).is_err());
    }

    #[test]
    fn validate_rejects_bad_settings() {
        let cases: [(fn(&mut Config), &str); 8] = [
            (|c| c.window = 1, "invalid window"),
            (|c| c.heads = 3, "multiple of heads"),
            (|c| c.mask_ratio = 1.0, "invalid mask_ratio"),
            (
                |c| c.test_subjects = c.train_subjects.clone(),
                "both a training and a test",
            ),
            (|c| c.var_penalty = f64::NAN, "invalid var_penalty"),
            (|c| c.sc_top_fraction = 0.0, "invalid sc_top_fraction"),
            (|c| c.sc_permutations = 98, "invalid sc_permutations"),
            (|c| c.mem_l2_penalty = -1.0, "invalid mem_l2_penalty"),
        ];
        assert!(validate(&Config::default()).is_ok());
        for (change, expected) in cases {
            let mut config = Config::default();
            change(&mut config);
            let message = validate(&config).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
    }
}
