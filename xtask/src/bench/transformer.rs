//! Benchmark of masked-reconstruction training steps of ncm's spatial-layout transformer
//! against the same model written in JAX, both on the CPU in f32.
//!
//! The model has 94 tokens, one per channel as for the 94 regions of the HCP recordings, and
//! each token is a window of 32 time samples. It has 4 pre-norm blocks with 4 heads, d_model
//! 128 and d_ff 256, which is twice d_model as in [`TransformerConfig`]'s defaults (32 and 64),
//! and a Gaussian head. Each step trains on a batch of 32 windows with 25 % of the tokens
//! hidden. Adam runs with learning rate 1e-3, betas 0.9 and 0.999 and epsilon 1e-5 (Burn's
//! `AdamConfig` defaults), without a schedule or gradient clipping. The batch is a fixed draw
//! of standard normal values.
//!
//! One step is a forward pass, a backward pass and an Adam update:
//! - ncm: [`objective_loss`] with a fresh random mask, `backward`, and Burn's Adam, on the
//!   `--backend` device; the step reads the loss back, as [`ncm_transformer::Trainer`] does;
//! - JAX: [`JAX_SCRIPT`], one `jax.jit`-compiled function that draws the mask, computes the
//!   loss and its gradient and applies optax's Adam, followed by `jax.block_until_ready`.
//!
//! Both start from ncm's initial weights: xtask writes every parameter to a file, and the
//! script checks their names and shapes against its own list. Before the timing, both compute
//! the loss on one fixed batch and mask, take one Adam step on it and compute the loss again.
//! The two pairs of losses must agree within [`LOSS_TOLERANCE`], so the timed code is the same
//! model, gradient and update.
//!
//! Threads: the script inherits the CPU set of the xtask process, and both rayon (which
//! runs burn-flex's kernels) and XLA's CPU client size their thread pools to it. Run
//! `taskset -c 0 cargo xtask bench transformer` to compare on one core.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::likelihood::gaussian_nll;
use ncm_transformer::train::objective_loss;
use ncm_transformer::{
    ForwardMask, Layout, Likelihood, MaskKind, Objective, Prediction, Transformer,
    TransformerConfig, draw_mask,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use tracing::info;

use super::python::{JAX_VERSION, OPTAX_VERSION, ensure_jax_venv, run_script};
use super::{TimingSettings, measure_mean_s, measure_with_cpu_time, target_dir};
use crate::backend::Backend;

/// Model size of the benchmark.
const MODEL: ModelSize = ModelSize {
    channels: 94,
    window: 32,
    d_model: 128,
    d_ff: 256,
    depth: 4,
    heads: 4,
};
const BATCH: usize = 32;
const MASK_RATIO: f64 = 0.25;
const LEARNING_RATE: f64 = 1e-3;
/// Burn 0.22's `AdamConfig` default epsilon, passed to optax so that both updates agree.
const ADAM_EPSILON: f64 = 1e-5;
const SEED: u64 = 1200;
/// Largest accepted |ncm - JAX| / max(1, |ncm|) of the check losses. Both sides sum in f32
/// in different orders; on the benchmark model they differed by about 1e-7.
const LOSS_TOLERANCE: f64 = 1e-4;

const OBJECTIVE: Objective = Objective::MaskedReconstruction {
    mask: MaskKind::Random,
    ratio: MASK_RATIO,
    contrastive: None,
};

/// Sizes of a spatial-layout transformer with a Gaussian head.
#[derive(Clone, Copy, Debug, Serialize)]
struct ModelSize {
    channels: usize,
    window: usize,
    d_model: usize,
    d_ff: usize,
    depth: usize,
    heads: usize,
}

impl ModelSize {
    fn config(&self) -> TransformerConfig {
        TransformerConfig::new(self.channels, self.window)
            .with_layout(Layout::Spatial)
            .with_likelihood(Likelihood::Gaussian)
            .with_d_model(self.d_model)
            .with_heads(self.heads)
            .with_depth(self.depth)
            .with_d_ff(self.d_ff)
            .with_seed(SEED)
    }

    /// Name and shape of every parameter, named by ncm's module paths and listed in the order
    /// of the model's fields. Weights are `[fan_in, fan_out]`, as Burn stores them.
    fn parameter_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (d, d_ff, window) = (self.d_model, self.d_ff, self.window);
        let mut shapes = vec![
            ("input.weight".to_string(), vec![window, d]),
            ("input.bias".to_string(), vec![d]),
            ("learned".to_string(), vec![self.channels, d]),
            ("mask_token".to_string(), vec![1, d]),
        ];
        for index in 0..self.depth {
            let block = [
                ("norm_attention.gamma", vec![d]),
                ("norm_attention.beta", vec![d]),
                ("qkv.weight", vec![d, 3 * d]),
                ("qkv.bias", vec![3 * d]),
                ("projection.weight", vec![d, d]),
                ("projection.bias", vec![d]),
                ("norm_feedforward.gamma", vec![d]),
                ("norm_feedforward.beta", vec![d]),
                ("hidden.weight", vec![d, d_ff]),
                ("hidden.bias", vec![d_ff]),
                ("output.weight", vec![d_ff, d]),
                ("output.bias", vec![d]),
            ];
            shapes.extend(
                block
                    .into_iter()
                    .map(|(name, shape)| (format!("blocks.{index}.{name}"), shape)),
            );
        }
        shapes.extend([
            ("final_norm.gamma".to_string(), vec![d]),
            ("final_norm.beta".to_string(), vec![d]),
            // The Gaussian head gives a mean and a log-variance per time sample of each token.
            ("head.weight".to_string(), vec![d, 2 * window]),
            ("head.bias".to_string(), vec![2 * window]),
        ]);
        shapes
    }

    /// Number of scalar parameters.
    fn parameter_count(&self) -> usize {
        self.parameter_shapes()
            .iter()
            .map(|(_, shape)| shape.iter().product::<usize>())
            .sum()
    }
}

/// Position of one parameter in the file of [`export_parameters`].
#[derive(Clone, Debug, PartialEq, Serialize)]
struct ParameterEntry {
    /// Module path, such as `blocks.0.qkv.weight`.
    name: String,
    shape: Vec<usize>,
    /// Index of the first value in the file, in f32 values.
    offset: usize,
}

/// Module visitor that copies every float parameter to the host with its module path.
#[derive(Default)]
struct ParameterExport {
    path: Vec<String>,
    entries: Vec<ParameterEntry>,
    values: Vec<f32>,
    first_error: Option<String>,
}

impl ModuleVisitor for ParameterExport {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let name = self.path.join(".");
        match read_values(tensor) {
            Ok(values) => {
                self.entries.push(ParameterEntry {
                    name,
                    shape,
                    offset: self.values.len(),
                });
                self.values.extend(values);
            }
            Err(error) => {
                self.first_error
                    .get_or_insert_with(|| format!("parameter {name}: {error}"));
            }
        }
    }
}

/// Copies every parameter of `model` to the host, in the order of its fields.
fn export_parameters(model: &Transformer) -> Result<(Vec<ParameterEntry>, Vec<f32>)> {
    let mut export = ParameterExport::default();
    model.visit(&mut export);
    if let Some(error) = export.first_error {
        bail!("cannot read the model's parameters back: {error}");
    }
    Ok((export.entries, export.values))
}

fn read_values<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor
        .try_into_data()
        .map_err(|e| anyhow::anyhow!("cannot read a tensor back: {e}"))?
        .try_into_vec_as::<f32>()
        .map_err(|e| anyhow::anyhow!("cannot read a tensor back: {e}"))
}

/// Gaussian NLL of the entries of the `hidden` tokens, averaged over them: the loss of
/// [`objective_loss`] for the spatial layout with a given mask in place of a random one.
fn masked_loss(model: &Transformer, windows: Tensor<3>, hidden: &[bool]) -> Result<Tensor<1>> {
    let [batch, window, channels] = windows.dims();
    let forward_mask = ForwardMask {
        masked: Some(hidden.to_vec()),
        ..ForwardMask::default()
    };
    let Prediction::Gaussian { mean, log_variance } =
        model.forward(windows.clone(), &forward_mask)?.prediction
    else {
        bail!("the benchmark model must have a Gaussian head");
    };
    let weights: Vec<f32> = hidden.iter().map(|&h| f32::from(u8::from(h))).collect();
    let weights = Tensor::<3>::from_data(
        TensorData::new(weights, [batch, 1, channels]),
        &windows.device(),
    );
    let hidden_count = hidden.iter().filter(|&&h| h).count();
    Ok(gaussian_nll(mean, log_variance, windows)
        .mul(weights)
        .sum()
        .div_scalar((hidden_count * window) as f64))
}

/// Losses of the agreement check: before and after one Adam step on the check mask.
#[derive(Clone, Copy, Debug)]
struct CheckLosses {
    before: f64,
    after: f64,
}

/// Computes [`CheckLosses`] for ncm, starting from `model`.
fn ncm_check_losses(
    model: &Transformer,
    windows: &[f32],
    hidden: &[bool],
    device: &Device,
) -> Result<CheckLosses> {
    let model = model.clone().train();
    let batch = windows_tensor(windows, &device.clone().autodiff());
    let loss = masked_loss(&model, batch.clone(), hidden)?;
    let before = f64::from(read_values(loss.clone())?[0]);
    let gradients = GradientsParams::from_grads(loss.backward(), &model);
    let mut optimizer = AdamConfig::new().with_epsilon(ADAM_EPSILON as f32).init();
    let model = optimizer.step(LEARNING_RATE, model, gradients);
    let after = f64::from(read_values(masked_loss(&model, batch, hidden)?)?[0]);
    Ok(CheckLosses { before, after })
}

fn windows_tensor(windows: &[f32], device: &Device) -> Tensor<3> {
    Tensor::from_data(
        TensorData::new(windows.to_vec(), [BATCH, MODEL.window, MODEL.channels]),
        device,
    )
}

/// State of ncm's timed training loop.
struct NcmTraining {
    model: Transformer,
    optimizer: ModuleOptimizer,
    batch: Tensor<3>,
    rng: ChaCha8Rng,
}

impl NcmTraining {
    fn new(model: &Transformer, windows: &[f32], device: &Device) -> Self {
        Self {
            model: model.clone().train(),
            optimizer: AdamConfig::new().with_epsilon(ADAM_EPSILON as f32).init(),
            batch: windows_tensor(windows, &device.clone().autodiff()),
            rng: ChaCha8Rng::seed_from_u64(SEED + 2),
        }
    }

    /// Runs one training step and returns its loss.
    fn step(&mut self) -> Result<f64> {
        let loss = objective_loss(&self.model, self.batch.clone(), &OBJECTIVE, &mut self.rng)?;
        let value = f64::from(read_values(loss.clone())?[0]);
        ensure!(value.is_finite(), "ncm's training loss is {value}");
        let gradients = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self
            .optimizer
            .step(LEARNING_RATE, self.model.clone(), gradients);
        Ok(value)
    }
}

/// Reference script, run by the virtual environment's python with one argument, the path of
/// a JSON [`JaxSettings`]. It prints one JSON object, read as [`JaxReport`].
const JAX_SCRIPT: &str = r#""""Masked-reconstruction training steps of ncm's spatial-layout transformer, written in JAX.

Written and run by `cargo xtask bench transformer`. The model repeats ncm's `Transformer` with
the spatial layout and a Gaussian head: one token per channel whose features are the window's
time samples, a linear input projection, a learned mask embedding on hidden tokens, a learned
channel identity embedding, pre-norm blocks (layer norm, fused qkv projection, softmax
attention, output projection, layer norm, exact-erf GELU feed-forward), a final layer norm and
a linear head giving each entry's mean and log-variance. The loss is the Gaussian negative
log-likelihood of the hidden tokens' entries, averaged over them, and optax's Adam updates the
parameters. The initial parameters are ncm's, read from the files that xtask writes.

Timing follows criterion's flat sampling: a warm-up of at least warm_up_s seconds estimates the
time per call, every sample then runs ceil(measurement_s / samples / estimate) calls, and the
result is the mean over samples of the time per call. Each call runs one jitted step and waits
for its results; compilation happens before the warm-up. A second measurement times the loss
alone (forward pass, no gradient) on the fixed check mask.
"""

import json
import math
import os
import sys
import time
import timeit

import numpy as np

import jax
import jax.numpy as jnp
import jaxlib
import optax

LAYER_NORM_EPSILON = 1e-5  # burn-nn 0.22 LayerNormConfig default
LOG_TWO_PI = math.log(2.0 * math.pi)


def parameter_shapes(config):
    """Name and shape of every parameter, named by ncm's module paths."""
    channels, window = config["channels"], config["window"]
    d_model, d_ff = config["d_model"], config["d_ff"]
    shapes = {
        "input.weight": (window, d_model),
        "input.bias": (d_model,),
        "learned": (channels, d_model),
        "mask_token": (1, d_model),
    }
    for index in range(config["depth"]):
        block = f"blocks.{index}."
        shapes.update({
            block + "norm_attention.gamma": (d_model,),
            block + "norm_attention.beta": (d_model,),
            block + "qkv.weight": (d_model, 3 * d_model),
            block + "qkv.bias": (3 * d_model,),
            block + "projection.weight": (d_model, d_model),
            block + "projection.bias": (d_model,),
            block + "norm_feedforward.gamma": (d_model,),
            block + "norm_feedforward.beta": (d_model,),
            block + "hidden.weight": (d_model, d_ff),
            block + "hidden.bias": (d_ff,),
            block + "output.weight": (d_ff, d_model),
            block + "output.bias": (d_model,),
        })
    shapes.update({
        "final_norm.gamma": (d_model,),
        "final_norm.beta": (d_model,),
        "head.weight": (d_model, 2 * window),
        "head.bias": (2 * window,),
    })
    return shapes


def load_parameters(settings, config):
    """Reads ncm's initial parameters and checks them against parameter_shapes."""
    values = np.fromfile(settings["parameters_path"], dtype="<f4")
    expected = parameter_shapes(config)
    manifest = settings["parameters"]
    names = [entry["name"] for entry in manifest]
    if sorted(names) != sorted(expected):
        missing = sorted(set(expected) - set(names))
        unexpected = sorted(set(names) - set(expected))
        raise ValueError(f"parameter names differ from ncm's: missing {missing}, unexpected {unexpected}")
    parameters = {}
    for entry in manifest:
        name, shape = entry["name"], tuple(entry["shape"])
        if shape != expected[name]:
            raise ValueError(f"parameter {name} has shape {shape}, expected {expected[name]}")
        start = entry["offset"]
        array = values[start:start + math.prod(shape)].reshape(shape)
        parameters[name] = jnp.asarray(array, dtype=jnp.float32)
    return parameters


def layer_norm(parameters, name, x):
    mean = x.mean(axis=-1, keepdims=True)
    variance = jnp.square(x - mean).mean(axis=-1, keepdims=True)
    normalised = (x - mean) * jax.lax.rsqrt(variance + LAYER_NORM_EPSILON)
    return normalised * parameters[name + ".gamma"] + parameters[name + ".beta"]


def dense(parameters, name, x):
    return x @ parameters[name + ".weight"] + parameters[name + ".bias"]


def attention(parameters, block, x, heads):
    batch, tokens, d_model = x.shape
    head_width = d_model // heads
    qkv = dense(parameters, block + "qkv", layer_norm(parameters, block + "norm_attention", x))
    query, key, value = (
        qkv[..., index * d_model:(index + 1) * d_model]
        .reshape(batch, tokens, heads, head_width)
        .transpose(0, 2, 1, 3)
        for index in range(3)
    )
    scores = query @ key.transpose(0, 1, 3, 2) / math.sqrt(head_width)
    weights = jax.nn.softmax(scores, axis=-1)
    mixed = (weights @ value).transpose(0, 2, 1, 3).reshape(batch, tokens, d_model)
    return dense(parameters, block + "projection", mixed)


def forward(parameters, windows, hidden, config):
    """Returns the Gaussian mean and log-variance, both [batch, window, channels]."""
    window = config["window"]
    tokens = jnp.swapaxes(windows, 1, 2)  # [batch, channels, window]
    x = dense(parameters, "input", tokens)
    hidden = hidden[..., None].astype(jnp.float32)
    x = x * (1.0 - hidden) + parameters["mask_token"][None] * hidden
    x = x + parameters["learned"][None]
    for index in range(config["depth"]):
        block = f"blocks.{index}."
        x = x + attention(parameters, block, x, config["heads"])
        feedforward_input = layer_norm(parameters, block + "norm_feedforward", x)
        activation = jax.nn.gelu(dense(parameters, block + "hidden", feedforward_input), approximate=False)
        x = x + dense(parameters, block + "output", activation)
    out = dense(parameters, "head", layer_norm(parameters, "final_norm", x))
    mean = jnp.swapaxes(out[..., :window], 1, 2)
    log_variance = jnp.swapaxes(out[..., window:], 1, 2)
    return mean, log_variance


def masked_loss(parameters, windows, hidden, config):
    """Gaussian NLL of the hidden tokens' entries, averaged over them (nats per entry)."""
    mean, log_variance = forward(parameters, windows, hidden, config)
    nll = 0.5 * (LOG_TWO_PI + log_variance + jnp.square(windows - mean) * jnp.exp(-log_variance))
    weights = hidden[:, None, :].astype(jnp.float32)  # [batch, 1, channels]
    return (nll * weights).sum() / (weights.sum() * config["window"])


def draw_hidden(key, batch, tokens, count):
    """Hides `count` tokens per row, drawn uniformly without replacement."""
    ranks = jnp.argsort(jnp.argsort(jax.random.uniform(key, (batch, tokens)), axis=1), axis=1)
    return ranks < count


def time_like_criterion(routine, samples, warm_up_s, measurement_s):
    calls = 0
    start = time.perf_counter()
    while True:
        routine()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= warm_up_s:
            break
    estimate_s = elapsed / calls
    calls_per_sample = max(1, math.ceil(measurement_s / samples / estimate_s))
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    totals = timeit.Timer(routine).repeat(repeat=samples, number=calls_per_sample)
    busy_cores = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
    per_call_s = [total / calls_per_sample for total in totals]
    return sum(per_call_s) / len(per_call_s), calls_per_sample, busy_cores


def main():
    with open(sys.argv[1]) as file:
        settings = json.load(file)
    config = settings["model"]
    batch, window, channels = settings["batch"], config["window"], config["channels"]
    windows = np.fromfile(settings["windows_path"], dtype="<f4").reshape(batch, window, channels)
    windows = jnp.asarray(windows)
    check_hidden = np.fromfile(settings["check_mask_path"], dtype=np.uint8).reshape(batch, channels)
    check_hidden = jnp.asarray(check_hidden.astype(bool))
    hidden_per_row = int(check_hidden[0].sum())

    parameters = load_parameters(settings, config)
    parameter_count = sum(int(array.size) for array in jax.tree_util.tree_leaves(parameters))
    optimizer = optax.adam(settings["learning_rate"], b1=0.9, b2=0.999, eps=settings["adam_epsilon"])

    loss_and_gradients = jax.value_and_grad(masked_loss)

    def update(parameters, optimizer_state, hidden):
        loss, gradients = loss_and_gradients(parameters, windows, hidden, config)
        updates, optimizer_state = optimizer.update(gradients, optimizer_state, parameters)
        return optax.apply_updates(parameters, updates), optimizer_state, loss

    # The agreement check: the loss before and after one Adam step on the fixed mask.
    check_loss = jax.jit(lambda parameters: masked_loss(parameters, windows, check_hidden, config))
    loss_before = float(check_loss(parameters))
    checked, _, _ = jax.jit(update)(parameters, optimizer.init(parameters), check_hidden)
    loss_after = float(check_loss(checked))

    @jax.jit
    def train_step(parameters, optimizer_state, key):
        key, mask_key = jax.random.split(key)
        hidden = draw_hidden(mask_key, batch, channels, hidden_per_row)
        parameters, optimizer_state, loss = update(parameters, optimizer_state, hidden)
        return parameters, optimizer_state, key, loss

    state = [parameters, optimizer.init(parameters), jax.random.key(settings["seed"]), None]

    def step():
        state[:] = train_step(*state[:3])
        jax.block_until_ready(state)

    compile_start = time.perf_counter()
    step()
    compile_s = time.perf_counter() - compile_start
    first_loss = float(state[3])

    timing = settings["timing"]
    mean_s, calls_per_sample, busy_cores = time_like_criterion(
        step, timing["samples"], timing["warm_up_s"], timing["measurement_s"])

    def forward_only():
        jax.block_until_ready(check_loss(state[0]))

    forward_mean_s, _, forward_busy_cores = time_like_criterion(
        forward_only, timing["samples"], timing["warm_up_s"], timing["measurement_s"])

    print(json.dumps({
        "jax_version": jax.__version__,
        "jaxlib_version": jaxlib.__version__,
        "optax_version": optax.__version__,
        "numpy_version": np.__version__,
        "devices": [str(device) for device in jax.devices()],
        "cpu_set": len(os.sched_getaffinity(0)),
        "xla_flags": os.environ.get("XLA_FLAGS"),
        "parameter_count": parameter_count,
        "loss_before": loss_before,
        "loss_after": loss_after,
        "first_loss": first_loss,
        "last_loss": float(state[3]),
        "compile_s": compile_s,
        "mean_s": mean_s,
        "calls_per_sample": calls_per_sample,
        "busy_cores": busy_cores,
        "forward_mean_s": forward_mean_s,
        "forward_busy_cores": forward_busy_cores,
    }))


if __name__ == "__main__":
    main()
"#;

/// Input of [`JAX_SCRIPT`].
#[derive(Serialize)]
struct JaxSettings<'a> {
    model: ModelSize,
    batch: usize,
    learning_rate: f64,
    adam_epsilon: f64,
    /// Seed of JAX's mask stream.
    seed: u64,
    /// The batch, `[batch, window, channels]` little-endian f32.
    windows_path: &'a Path,
    /// The check mask, `[batch, channels]` bytes, 1 for a hidden token.
    check_mask_path: &'a Path,
    /// ncm's initial parameters, little-endian f32 at the offsets of `parameters`.
    parameters_path: &'a Path,
    parameters: &'a [ParameterEntry],
    timing: TimingSettings,
}

/// Output of [`JAX_SCRIPT`].
#[derive(Debug, Deserialize)]
struct JaxReport {
    jax_version: String,
    jaxlib_version: String,
    optax_version: String,
    numpy_version: String,
    devices: Vec<String>,
    /// CPUs in the script's affinity mask.
    cpu_set: usize,
    xla_flags: Option<String>,
    parameter_count: usize,
    loss_before: f64,
    loss_after: f64,
    first_loss: f64,
    last_loss: f64,
    /// Compilation plus the first step, in seconds.
    compile_s: f64,
    mean_s: f64,
    calls_per_sample: usize,
    /// CPU time over wall time while the samples ran.
    busy_cores: f64,
    forward_mean_s: f64,
    forward_busy_cores: f64,
}

/// One timed implementation and workload.
struct Measurement {
    name: String,
    work: &'static str,
    mean_s: f64,
    /// CPU time over wall time during the measurement, None where it could not be read.
    busy_cores: Option<f64>,
    /// Time per call of JAX on the same work.
    jax_s: f64,
}

/// Runs the transformer benchmark and prints its table.
pub fn run(timing: &TimingSettings, device: &Device, backend: Backend) -> Result<()> {
    let model = MODEL.config().init(device)?;
    let (entries, values) = export_parameters(&model)?;
    check_parameter_shapes(&entries, &MODEL.parameter_shapes())?;
    let parameter_count = model.num_params();
    ensure!(
        parameter_count == MODEL.parameter_count(),
        "ncm's model has {parameter_count} parameters, but its parameter list sums to {}",
        MODEL.parameter_count()
    );
    let windows = synthetic_windows();
    let check_hidden = draw_mask(
        &mut ChaCha8Rng::seed_from_u64(SEED + 1),
        MaskKind::Random,
        BATCH,
        MODEL.channels,
        MASK_RATIO,
    )?;

    // Set up JAX first, so that a missing python3, venv or pip fails before the timing.
    let jax_run = JaxRun::prepare(&entries, &values, &windows, &check_hidden, timing)?;

    let ncm_check = ncm_check_losses(&model, &windows, &check_hidden, device)?;
    info!(?backend, "timing ncm's training step with criterion");
    let mut training = NcmTraining::new(&model, &windows, device);
    let ncm_first_loss = training.step()?;
    let (step_s, step_cores) = measure_with_cpu_time(|| {
        measure_mean_s(timing, "transformer", "ncm_train_step", || training.step())
    })?;
    let ncm_last_loss = training.step()?;
    info!(?backend, "timing ncm's forward pass with criterion");
    let inference_model = training.model.valid();
    let inference_batch = windows_tensor(&windows, device);
    let (forward_s, forward_cores) = measure_with_cpu_time(|| {
        measure_mean_s(timing, "transformer", "ncm_forward", || {
            masked_loss(&inference_model, inference_batch.clone(), &check_hidden)
                .and_then(read_values)
        })
    })?;

    info!(jax = JAX_VERSION, optax = OPTAX_VERSION, "timing JAX");
    let jax = jax_run.run()?;
    ensure!(
        jax.parameter_count == parameter_count,
        "the JAX model has {} parameters, ncm's has {parameter_count}",
        jax.parameter_count
    );
    check_agreement(&ncm_check, &jax)?;

    let measurements = [
        Measurement {
            name: format!("JAX {} (XLA CPU)", jax.jax_version),
            work: "training step",
            mean_s: jax.mean_s,
            busy_cores: Some(jax.busy_cores),
            jax_s: jax.mean_s,
        },
        Measurement {
            name: format!("ncm ({backend:?})"),
            work: "training step",
            mean_s: step_s,
            busy_cores: step_cores,
            jax_s: jax.mean_s,
        },
        Measurement {
            name: format!("JAX {} (XLA CPU)", jax.jax_version),
            work: "forward pass and loss",
            mean_s: jax.forward_mean_s,
            busy_cores: Some(jax.forward_busy_cores),
            jax_s: jax.forward_mean_s,
        },
        Measurement {
            name: format!("ncm ({backend:?})"),
            work: "forward pass and loss",
            mean_s: forward_s,
            busy_cores: forward_cores,
            jax_s: jax.forward_mean_s,
        },
    ];
    print_header(backend, parameter_count, &jax);
    print_table(&measurements);
    println!(
        "Check on one fixed batch and mask from the same initial weights: loss {:.6} (ncm) and \
         {:.6} (JAX) before one Adam step, {:.6} and {:.6} after it.",
        ncm_check.before, jax.loss_before, ncm_check.after, jax.loss_after
    );
    println!(
        "Training loss on the fixed batch with fresh masks, first and last step: ncm {:.4} -> \
         {:.4}, JAX {:.4} -> {:.4}. JAX's masks come from its own random stream.",
        ncm_first_loss, ncm_last_loss, jax.first_loss, jax.last_loss
    );
    Ok(())
}

/// Draws the benchmark batch, standard normal values `[batch, window, channels]`.
fn synthetic_windows() -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    (0..BATCH * MODEL.window * MODEL.channels)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect()
}

/// Fails unless the exported parameters have exactly the expected names and shapes, in order.
fn check_parameter_shapes(
    entries: &[ParameterEntry],
    expected: &[(String, Vec<usize>)],
) -> Result<()> {
    let found: Vec<(&str, &[usize])> = entries
        .iter()
        .map(|entry| (entry.name.as_str(), entry.shape.as_slice()))
        .collect();
    let wanted: Vec<(&str, &[usize])> = expected
        .iter()
        .map(|(name, shape)| (name.as_str(), shape.as_slice()))
        .collect();
    ensure!(
        found == wanted,
        "ncm's transformer parameters changed; update the benchmark's parameter list and the \
         JAX model to match.\nfound:    {found:?}\nexpected: {wanted:?}"
    );
    Ok(())
}

/// Fails unless ncm's and JAX's check losses agree within [`LOSS_TOLERANCE`].
fn check_agreement(ncm: &CheckLosses, jax: &JaxReport) -> Result<()> {
    for (stage, ncm_loss, jax_loss) in [
        ("before the Adam step", ncm.before, jax.loss_before),
        ("after the Adam step", ncm.after, jax.loss_after),
    ] {
        let difference = (ncm_loss - jax_loss).abs() / ncm_loss.abs().max(1.0);
        ensure!(
            difference <= LOSS_TOLERANCE,
            "ncm's and JAX's losses {stage} differ: {ncm_loss} against {jax_loss} (relative \
             difference {difference:.2e}, tolerance {LOSS_TOLERANCE:.0e}), so the two models \
             are not the same"
        );
    }
    info!(
        ncm_before = ncm.before,
        jax_before = jax.loss_before,
        ncm_after = ncm.after,
        jax_after = jax.loss_after,
        "ncm and JAX losses agree"
    );
    Ok(())
}

/// The JAX script with its input files written to the target folder, ready to run.
struct JaxRun {
    python: PathBuf,
    script_path: PathBuf,
    settings_path: PathBuf,
}

impl JaxRun {
    /// Creates the virtual environment if needed and writes the script, its settings, the
    /// batch, the check mask and the parameters under `<target>/bench/transformer`.
    fn prepare(
        entries: &[ParameterEntry],
        values: &[f32],
        windows: &[f32],
        check_hidden: &[bool],
        timing: &TimingSettings,
    ) -> Result<Self> {
        let work_dir = target_dir().join("bench").join("transformer");
        fs::create_dir_all(&work_dir)
            .with_context(|| format!("cannot create {}", work_dir.display()))?;
        let python = ensure_jax_venv(&target_dir().join("bench-venv"))?;

        let windows_path = work_dir.join("windows.f32");
        let check_mask_path = work_dir.join("check_mask.u8");
        let parameters_path = work_dir.join("parameters.f32");
        let settings_path = work_dir.join("settings.json");
        let script_path = work_dir.join("transformer_jax.py");
        write_f32(&windows_path, windows)?;
        write_f32(&parameters_path, values)?;
        let mask_bytes: Vec<u8> = check_hidden.iter().map(|&h| u8::from(h)).collect();
        fs::write(&check_mask_path, mask_bytes)
            .with_context(|| format!("cannot write {}", check_mask_path.display()))?;
        let settings = JaxSettings {
            model: MODEL,
            batch: BATCH,
            learning_rate: LEARNING_RATE,
            adam_epsilon: ADAM_EPSILON,
            seed: SEED + 2,
            windows_path: &windows_path,
            check_mask_path: &check_mask_path,
            parameters_path: &parameters_path,
            parameters: entries,
            timing: *timing,
        };
        fs::write(&settings_path, serde_json::to_vec_pretty(&settings)?)
            .with_context(|| format!("cannot write {}", settings_path.display()))?;
        fs::write(&script_path, JAX_SCRIPT)
            .with_context(|| format!("cannot write {}", script_path.display()))?;
        Ok(Self {
            python,
            script_path,
            settings_path,
        })
    }

    /// Runs the script on the CPU and returns its report.
    fn run(&self) -> Result<JaxReport> {
        // JAX_PLATFORMS=cpu stops JAX from probing for GPU and TPU plugins.
        let stdout = run_script(
            &self.python,
            &self.script_path,
            &[&self.settings_path],
            &[("JAX_PLATFORMS", "cpu")],
        )?;
        serde_json::from_str(stdout.trim())
            .with_context(|| format!("invalid report from the JAX script: {stdout}"))
    }
}

fn write_f32(path: &Path, values: &[f32]) -> Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn print_header(backend: Backend, parameter_count: usize, jax: &JaxReport) {
    let cpu_set = std::thread::available_parallelism().map_or(0, |cores| cores.get());
    println!();
    println!(
        "Transformer training step: spatial layout, {} channel tokens of {} samples, {} blocks, \
         {} heads, d_model {}, d_ff {}, batch {BATCH}, Gaussian NLL of {:.0} % hidden tokens, \
         Adam (learning rate {LEARNING_RATE}, epsilon {ADAM_EPSILON}), f32, {parameter_count} \
         parameters on both sides",
        MODEL.channels,
        MODEL.window,
        MODEL.depth,
        MODEL.heads,
        MODEL.d_model,
        MODEL.d_ff,
        MASK_RATIO * 100.0
    );
    println!(
        "ncm backend {backend:?} with {} rayon threads on {cpu_set} CPUs; JAX {} (jaxlib {}, \
         optax {}, numpy {}) on {:?} with {} CPUs in its set, XLA_FLAGS {:?}; JAX compile and \
         first step {:.1} s, steps per sample: {}",
        rayon::current_num_threads(),
        jax.jax_version,
        jax.jaxlib_version,
        jax.optax_version,
        jax.numpy_version,
        jax.devices,
        jax.cpu_set,
        jax.xla_flags,
        jax.compile_s,
        jax.calls_per_sample
    );
    println!();
}

fn print_table(measurements: &[Measurement]) {
    println!(
        "| {:<20} | {:<21} | {:>11} | {:>12} | {:>10} | {:>10} |",
        "implementation", "work per call", "ms per call", "calls per s", "JAX / this", "busy cores"
    );
    println!(
        "|{:-<22}|{:-<23}|{:->13}|{:->14}|{:->12}|{:->12}|",
        "", "", "", "", "", ""
    );
    for measurement in measurements {
        let busy_cores = measurement
            .busy_cores
            .map_or("unknown".to_string(), |cores| format!("{cores:.2}"));
        println!(
            "| {:<20} | {:<21} | {:>11.1} | {:>12.2} | {:>10.2} | {:>10} |",
            measurement.name,
            measurement.work,
            measurement.mean_s * 1e3,
            1.0 / measurement.mean_s,
            measurement.jax_s / measurement.mean_s,
            busy_cores
        );
    }
    println!();
    println!(
        "JAX / this is JAX's time over this row's time on the same work: above 1, the row is \
         faster than JAX. A training step is forward, backward and Adam update; ncm's includes \
         drawing the mask on the host and reading the loss back. Busy cores is CPU time over \
         wall time during the measurement (for ncm it includes criterion's warm-up and \
         analysis)."
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small model whose parameters are counted by hand below.
    const SMALL: ModelSize = ModelSize {
        channels: 3,
        window: 4,
        d_model: 8,
        d_ff: 16,
        depth: 2,
        heads: 2,
    };

    #[test]
    fn parameter_count_small_by_hand() {
        // input 4 * 8 + 8 = 40, channel identities 3 * 8 = 24, mask token 8; per block: two
        // layer norms 2 * 16 = 32, qkv 8 * 24 + 24 = 216, projection 8 * 8 + 8 = 72, hidden
        // 8 * 16 + 16 = 144, output 16 * 8 + 8 = 136, so 600; final norm 16; head
        // 8 * 8 + 8 = 72. Total 40 + 24 + 8 + 2 * 600 + 16 + 72 = 1360.
        assert_eq!(SMALL.parameter_count(), 1360);
    }

    #[test]
    fn parameter_count_benchmark_by_hand() {
        // input 32 * 128 + 128 = 4224, identities 94 * 128 = 12032, mask token 128; per block
        // 256 + 49536 + 16512 + 256 + 33024 + 32896 = 132480; final norm 256; head
        // 128 * 64 + 64 = 8256. Total 4224 + 12032 + 128 + 4 * 132480 + 256 + 8256 = 554816.
        assert_eq!(MODEL.parameter_count(), 554_816);
    }

    #[test]
    fn parameter_count_matches_burn() {
        let device = Backend::Flex.device().unwrap();
        for size in [SMALL, MODEL] {
            let model = size.config().init(&device).unwrap();
            assert_eq!(model.num_params(), size.parameter_count(), "{size:?}");
        }
    }

    #[test]
    fn export_matches_parameter_list() {
        let device = Backend::Flex.device().unwrap();
        let model = SMALL.config().init(&device).unwrap();
        let (entries, values) = export_parameters(&model).unwrap();
        check_parameter_shapes(&entries, &SMALL.parameter_shapes()).unwrap();
        assert_eq!(values.len(), 1360);
        let last = entries.last().unwrap();
        assert_eq!(
            last.offset + last.shape.iter().product::<usize>(),
            values.len()
        );
        // Layer norms start at the identity: gamma ones, beta zeros.
        let gamma = entries
            .iter()
            .find(|entry| entry.name == "final_norm.gamma")
            .unwrap();
        assert!(
            values[gamma.offset..gamma.offset + 8]
                .iter()
                .all(|&v| v == 1.0)
        );
        let beta = entries
            .iter()
            .find(|entry| entry.name == "final_norm.beta")
            .unwrap();
        assert!(
            values[beta.offset..beta.offset + 8]
                .iter()
                .all(|&v| v == 0.0)
        );
    }

    #[test]
    fn parameter_check_rejects_renamed() {
        let mut expected = SMALL.parameter_shapes();
        let entries: Vec<ParameterEntry> = expected
            .iter()
            .map(|(name, shape)| ParameterEntry {
                name: name.clone(),
                shape: shape.clone(),
                offset: 0,
            })
            .collect();
        check_parameter_shapes(&entries, &expected).unwrap();
        expected[0].0 = "input.kernel".to_string();
        let error = check_parameter_shapes(&entries, &expected).unwrap_err();
        assert!(error.to_string().contains("input.kernel"), "{error}");
    }

    #[test]
    fn agreement_check_tolerance() {
        let ncm = CheckLosses {
            before: 1.5,
            after: 1.4,
        };
        let mut jax: JaxReport = serde_json::from_value(serde_json::json!({
            "jax_version": "0", "jaxlib_version": "0", "optax_version": "0",
            "numpy_version": "0", "devices": [], "cpu_set": 1, "xla_flags": null,
            "parameter_count": 1, "loss_before": 1.50001, "loss_after": 1.40001,
            "first_loss": 0.0, "last_loss": 0.0, "compile_s": 0.0, "mean_s": 1.0,
            "calls_per_sample": 1, "busy_cores": 1.0, "forward_mean_s": 1.0,
            "forward_busy_cores": 1.0
        }))
        .unwrap();
        check_agreement(&ncm, &jax).unwrap();
        jax.loss_after = 1.401;
        let error = check_agreement(&ncm, &jax).unwrap_err();
        assert!(error.to_string().contains("after the Adam step"), "{error}");
    }
}
