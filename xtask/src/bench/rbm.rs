//! Benchmark of one training epoch of a Bernoulli RBM: ncm against scikit-learn's
//! `BernoulliRBM.fit` with `n_iter=1`. Both train on the scikit-learn digits (1797 images of
//! 64 pixels scaled to [0, 1]) with 100 hidden units, batch 10, learning rate 0.06 and no
//! momentum or weight decay.
//!
//! scikit-learn's BernoulliRBM trains by persistent CD-1 (Tieleman 2008) with one chain per
//! batch row, so the like-for-like ncm row is PCD-1. CD-1 does the same arithmetic per batch
//! and is timed too. Rows:
//! - ncm host engine ([`Engine::Host`]), PCD-1 and CD-1: the CPU fast path;
//! - ncm tensor engine on the `--backend` device, PCD-1: the Burn path;
//! - scikit-learn on float32 data (its float64 run is about 20 % slower on this machine).
//!
//! Each timed call builds the trainer (or estimator) and runs one epoch from the same initial
//! weights. After the timing, the mean exact pseudo-log-likelihood of the data under each
//! implementation's one-epoch model is printed, so that the timed code is seen to learn.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use burn::tensor::Device;
use ncm_ebm::rbm::{Engine, Rbm, RbmConfig, TrainConfig};
use serde::{Deserialize, Serialize};
use tracing::info;

use super::python::{NUMPY_VERSION, SKLEARN_VERSION, ensure_sklearn_venv, run_script};
use super::{TimingSettings, measure_mean_s, target_dir};
use crate::GlobalOptions;
use crate::experiments::rbm_digits::{DigitsImages, load_digits};

const N_HIDDEN: usize = 100;
const LEARNING_RATE: f64 = 0.06;
const BATCH_SIZE: usize = 10;
const SEED: u64 = 0;

/// Reference script, run by the virtual environment's python with one argument, the path of
/// a JSON [`SklearnSettings`]. It prints one JSON object, read as [`SklearnReport`].
const SKLEARN_SCRIPT: &str = r#""""One epoch of scikit-learn's BernoulliRBM on the digits, timed like criterion.

Written and run by `cargo xtask bench rbm`. Timing follows criterion's flat sampling: a
warm-up of at least warm_up_s seconds estimates the time per call, every sample then runs
ceil(measurement_s / samples / estimate) calls, and the result is the mean over samples of
the time per call.
"""

import json
import math
import sys
import time
import timeit

import numpy as np
import sklearn
from sklearn.neural_network import BernoulliRBM


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


def exact_pseudo_likelihood(rbm, data):
    """Mean over rows of sum_i log sigmoid(F(v with unit i flipped) - F(v))."""
    weights = rbm.components_.T.astype(np.float64)
    visible_bias = rbm.intercept_visible_.astype(np.float64)
    data = data.astype(np.float64)
    hidden_input = data @ weights + rbm.intercept_hidden_
    softplus = np.logaddexp(0, hidden_input)
    total = np.zeros(len(data))
    for i in range(data.shape[1]):
        flip = 1.0 - 2.0 * data[:, i]
        flipped = hidden_input + flip[:, None] * weights[i][None, :]
        change = -visible_bias[i] * flip - (np.logaddexp(0, flipped) - softplus).sum(axis=1)
        total -= np.logaddexp(0, -change)
    return float(total.mean())


def main():
    with open(sys.argv[1]) as file:
        settings = json.load(file)
    data = np.fromfile(settings["data_path"], dtype=np.float32).reshape(-1, settings["n_visible"])

    def fit():
        rbm = BernoulliRBM(n_components=settings["n_hidden"], learning_rate=settings["learning_rate"],
                           batch_size=settings["batch_size"], n_iter=1, random_state=0)
        return rbm.fit(data)

    pseudo_likelihood = exact_pseudo_likelihood(fit(), data)
    timing = settings["timing"]
    mean_s, calls_per_sample, busy_cores = time_like_criterion(
        fit, timing["samples"], timing["warm_up_s"], timing["measurement_s"])
    print(json.dumps({
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "mean_s": mean_s,
        "calls_per_sample": calls_per_sample,
        "busy_cores": busy_cores,
        "pseudo_likelihood": pseudo_likelihood,
    }))


if __name__ == "__main__":
    main()
"#;

/// Input of [`SKLEARN_SCRIPT`].
#[derive(Serialize)]
struct SklearnSettings<'a> {
    data_path: &'a Path,
    n_visible: usize,
    n_hidden: usize,
    learning_rate: f64,
    batch_size: usize,
    timing: TimingSettings,
}

/// Output of [`SKLEARN_SCRIPT`].
#[derive(Debug, Deserialize)]
struct SklearnReport {
    sklearn_version: String,
    numpy_version: String,
    mean_s: f64,
    calls_per_sample: usize,
    /// CPU time over wall time while the samples ran.
    busy_cores: f64,
    /// Mean exact pseudo-log-likelihood after one epoch, in nats per image.
    pseudo_likelihood: f64,
}

/// One timed implementation.
struct Measurement {
    name: String,
    mean_s: f64,
    pseudo_likelihood: f64,
}

/// Runs the RBM benchmark and prints its table.
pub fn run(timing: &TimingSettings, device: &Device, global: &GlobalOptions) -> Result<()> {
    let data_dir = crate::ensure_data(global)?;
    let digits = load_digits(&data_dir)?;
    // Set up Python first, so that a missing python3, venv or pip fails before the timing.
    let (python, script_path, settings_path) = prepare_sklearn(&digits, timing)?;

    let initial = Rbm::new(&RbmConfig {
        n_visible: digits.n_pixels,
        n_hidden: N_HIDDEN,
        seed: SEED,
        ..RbmConfig::default()
    })?;
    let config = |persistent: bool| TrainConfig {
        learning_rate: LEARNING_RATE,
        epochs: 1,
        batch_size: BATCH_SIZE,
        gibbs_steps: 1,
        persistent,
        momentum: 0.0,
        weight_decay: 0.0,
        seed: SEED,
    };
    let cases = [
        ("ncm host engine, PCD-1", Engine::Host, true),
        ("ncm host engine, CD-1", Engine::Host, false),
        (
            "ncm tensor engine, PCD-1",
            Engine::Tensor(device.clone()),
            true,
        ),
    ];
    let mut measurements = Vec::new();
    for (index, (name, engine, persistent)) in cases.iter().enumerate() {
        info!(implementation = name, "timing ncm with criterion");
        let config = config(*persistent);
        let mean_s = measure_mean_s(timing, "rbm", &format!("ncm_{index}"), || {
            initial.fit(&digits.pixels, &config, engine)
        })?;
        let trained = initial.fit(&digits.pixels, &config, engine)?;
        let pseudo_likelihood = mean(&trained.pseudo_log_likelihood(&digits.pixels, device)?);
        measurements.push(Measurement {
            name: name.to_string(),
            mean_s,
            pseudo_likelihood,
        });
    }

    info!(sklearn = SKLEARN_VERSION, "timing scikit-learn");
    let stdout = run_script(&python, &script_path, &[&settings_path], &[])?;
    let sklearn: SklearnReport = serde_json::from_str(stdout.trim())
        .with_context(|| format!("invalid report from the scikit-learn script: {stdout}"))?;
    let untrained = mean(&initial.pseudo_log_likelihood(&digits.pixels, device)?);
    for measurement in &measurements {
        ensure!(
            measurement.pseudo_likelihood > untrained + 5.0,
            "{} did not learn in one epoch: pseudo-log-likelihood {:.2} against {untrained:.2} untrained",
            measurement.name,
            measurement.pseudo_likelihood
        );
    }
    measurements.push(Measurement {
        name: format!("scikit-learn {} BernoulliRBM", sklearn.sklearn_version),
        mean_s: sklearn.mean_s,
        pseudo_likelihood: sklearn.pseudo_likelihood,
    });

    print_table(&digits, &sklearn, &measurements, untrained, global);
    Ok(())
}

/// Creates the virtual environment if needed and writes the script, its settings and the
/// data under `<target>/bench/rbm`.
fn prepare_sklearn(
    digits: &DigitsImages,
    timing: &TimingSettings,
) -> Result<(PathBuf, PathBuf, PathBuf)> {
    let work_dir = target_dir().join("bench").join("rbm");
    fs::create_dir_all(&work_dir)
        .with_context(|| format!("cannot create {}", work_dir.display()))?;
    let python = ensure_sklearn_venv(&target_dir().join("bench-venv"))?;

    let data_path = work_dir.join("digits.f32");
    let settings_path = work_dir.join("settings.json");
    let script_path = work_dir.join("rbm_sklearn.py");
    let bytes: Vec<u8> = digits.pixels.iter().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(&data_path, bytes)
        .with_context(|| format!("cannot write {}", data_path.display()))?;
    let settings = SklearnSettings {
        data_path: &data_path,
        n_visible: digits.n_pixels,
        n_hidden: N_HIDDEN,
        learning_rate: LEARNING_RATE,
        batch_size: BATCH_SIZE,
        timing: *timing,
    };
    fs::write(&settings_path, serde_json::to_vec_pretty(&settings)?)
        .with_context(|| format!("cannot write {}", settings_path.display()))?;
    fs::write(&script_path, SKLEARN_SCRIPT)
        .with_context(|| format!("cannot write {}", script_path.display()))?;
    Ok((python, script_path, settings_path))
}

fn mean(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64
}

fn print_table(
    digits: &DigitsImages,
    sklearn: &SklearnReport,
    measurements: &[Measurement],
    untrained: f64,
    global: &GlobalOptions,
) {
    println!();
    println!(
        "RBM epoch: {} digits x {} pixels in [0, 1], {N_HIDDEN} hidden units, batch {BATCH_SIZE}, \
         learning rate {LEARNING_RATE}, f32; tensor engine on {:?}; scikit-learn {} with numpy {} \
         ({NUMPY_VERSION} pinned), {} calls per sample, {:.2} busy cores",
        digits.len(),
        digits.n_pixels,
        global.backend,
        sklearn.sklearn_version,
        sklearn.numpy_version,
        sklearn.calls_per_sample,
        sklearn.busy_cores
    );
    println!();
    println!(
        "| {:<32} | {:>12} | {:>19} | {:>23} |",
        "implementation", "ms per epoch", "scikit-learn / this", "pseudo-LL after 1 epoch"
    );
    println!("|{:-<34}|{:->14}|{:->21}|{:->25}|", "", "", "", "");
    for measurement in measurements {
        println!(
            "| {:<32} | {:>12.2} | {:>19.2} | {:>23.2} |",
            measurement.name,
            measurement.mean_s * 1e3,
            sklearn.mean_s / measurement.mean_s,
            measurement.pseudo_likelihood
        );
    }
    println!();
    println!(
        "Pseudo-LL is the mean exact pseudo-log-likelihood sum_i log sigmoid(F(v^(i)) - F(v)) of \
         the 1797 images under the model after one epoch, in nats per image ({untrained:.2} before \
         training). The models differ only by their random numbers."
    );
}
