//! Benchmark of batched synchronous retrieval in the Hebb-rule binary Hopfield network of
//! Hopfield 1982 (PNAS 79:2554): N = 1000 units, P = 100 random patterns, B = 256 cues with
//! 10 % of their units flipped, 10 steps of S <- sign(S W), f32.
//!
//! Three implementations run on the same patterns and cues:
//! - ncm dense: [`ClassicHopfield::retrieve_batch`], one B x N x N product per step;
//! - ncm low rank: [`HebbMemory::retrieve_batch`], S W computed as ((S Xi^T) Xi - P S) / N,
//!   one B x N x P product and one B x P x N product per step. Its speed-up over a dense
//!   implementation is an algorithmic advantage (P = N / 10), not a faster kernel;
//! - numpy dense: the plain dense computation in [`NUMPY_SCRIPT`].
//!
//! Every implementation's retrieved states are checked (mean overlap with the stored pattern
//! each cue was made from above [`MIN_MEAN_OVERLAP`]) so the timed code does the real work.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use burn::tensor::Device;
use ncm_ebm::hopfield::{corrupt, overlap, random_patterns};
use ncm_ebm::{ClassicHopfield, HebbMemory, LearningRule};
use serde::{Deserialize, Serialize};
use tracing::info;

use super::python::{NUMPY_VERSION, ensure_numpy_venv, run_script};
use super::{TimingSettings, measure_mean_s, measure_with_cpu_time, target_dir};
use crate::backend::Backend;

const N_UNITS: usize = 1000;
const N_PATTERNS: usize = 100;
const BATCH: usize = 256;
const STEPS: usize = 10;
/// Fraction of each cue's units flipped from its stored pattern.
const CORRUPTION: f64 = 0.1;
const SEED: u64 = 1982;
/// Smallest accepted mean overlap between retrieved states and the patterns the cues were
/// made from. At P / N = 0.1 the Hebb network's retrieval states keep a few wrong units, so
/// the overlap is close to but below 1.
const MIN_MEAN_OVERLAP: f64 = 0.99;

/// Reference implementation in numpy, written to the target folder and run by the
/// virtual environment's python with one argument, the path of a JSON [`NumpySettings`].
/// It prints one JSON object, read as [`NumpyReport`].
const NUMPY_SCRIPT: &str = r#""""Dense batched retrieval in the Hebb-rule Hopfield network with numpy.

Written and run by `cargo xtask bench hopfield`. Timing follows criterion's flat sampling:
a warm-up of at least warm_up_s seconds estimates the time per call, every sample then runs
ceil(measurement_s / samples / estimate) calls, and the result is the mean over samples of
the time per call.
"""

import ctypes
import glob
import json
import math
import os
import sys
import time
import timeit

import numpy as np

ONE = np.float32(1.0)
MINUS_ONE = np.float32(-1.0)


def hebb_weights(patterns, n_units):
    """W = Xi^T Xi / N with a zero diagonal, float32."""
    weights = (patterns.T @ patterns) / np.float32(n_units)
    np.fill_diagonal(weights, 0.0)
    return weights


def retrieve(weights, cues, steps):
    """Synchronous updates S <- sign(S W); a unit whose field is exactly 0 keeps its state."""
    states = cues
    for _ in range(steps):
        fields = states @ weights
        states = np.where(fields > 0, ONE, np.where(fields < 0, MINUS_ONE, states))
    return states


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


def openblas_threads():
    """Thread count reported by the OpenBLAS bundled with numpy, or None if not found."""
    libs_dir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    symbols = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
               "openblas_get_num_threads")
    for path in glob.glob(os.path.join(libs_dir, "*openblas*")):
        library = ctypes.CDLL(path)
        for symbol in symbols:
            if hasattr(library, symbol):
                return int(getattr(library, symbol)())
    return None


def main():
    with open(sys.argv[1]) as file:
        settings = json.load(file)
    n_units, batch, steps = settings["n_units"], settings["batch"], settings["steps"]
    patterns = np.fromfile(settings["patterns_path"], dtype=np.int8).astype(np.float32)
    patterns = patterns.reshape(-1, n_units)
    cues = np.fromfile(settings["cues_path"], dtype=np.int8).astype(np.float32)
    cues = cues.reshape(batch, n_units)

    weights = hebb_weights(patterns, n_units)
    retrieved = retrieve(weights, cues, steps)
    assert retrieved.dtype == np.float32
    retrieved.astype(np.int8).tofile(settings["retrieved_path"])

    timing = settings["timing"]
    mean_s, calls_per_sample, busy_cores = time_like_criterion(
        lambda: retrieve(weights, cues, steps),
        timing["samples"], timing["warm_up_s"], timing["measurement_s"])

    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(json.dumps({
        "numpy_version": np.__version__,
        "blas_name": str(blas.get("name")),
        "blas_version": str(blas.get("version")),
        "blas_threads": openblas_threads(),
        "thread_variables": {name: os.environ.get(name) for name in
                             ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
        "mean_s": mean_s,
        "calls_per_sample": calls_per_sample,
        "busy_cores": busy_cores,
    }))


if __name__ == "__main__":
    main()
"#;

/// Input of [`NUMPY_SCRIPT`].
#[derive(Serialize)]
struct NumpySettings<'a> {
    n_units: usize,
    batch: usize,
    steps: usize,
    patterns_path: &'a Path,
    cues_path: &'a Path,
    retrieved_path: &'a Path,
    timing: TimingSettings,
}

/// Output of [`NUMPY_SCRIPT`].
#[derive(Debug, Deserialize)]
struct NumpyReport {
    numpy_version: String,
    blas_name: String,
    blas_version: String,
    /// Threads that numpy's OpenBLAS reports, None when its library was not found.
    blas_threads: Option<usize>,
    thread_variables: serde_json::Map<String, serde_json::Value>,
    mean_s: f64,
    calls_per_sample: usize,
    /// CPU time over wall time while the samples ran.
    busy_cores: f64,
}

/// Patterns, cues and the pattern each cue was made from.
struct Workload {
    patterns: Vec<i8>,
    cues: Vec<i8>,
    /// Index of the stored pattern behind each cue.
    sources: Vec<usize>,
}

impl Workload {
    /// Draws P patterns and B cues; cue b is pattern b mod P with [`CORRUPTION`] of its units
    /// flipped.
    fn new() -> Result<Self> {
        let patterns = random_patterns(N_PATTERNS, N_UNITS, SEED);
        let sources: Vec<usize> = (0..BATCH).map(|b| b % N_PATTERNS).collect();
        let mut cues = Vec::with_capacity(BATCH * N_UNITS);
        for (b, &mu) in sources.iter().enumerate() {
            let pattern = &patterns[mu * N_UNITS..(mu + 1) * N_UNITS];
            cues.extend(corrupt(pattern, CORRUPTION, SEED + 1 + b as u64)?);
        }
        Ok(Self {
            patterns,
            cues,
            sources,
        })
    }

    /// Returns the mean overlap between each retrieved state and its cue's source pattern.
    fn mean_overlap(&self, retrieved: &[i8]) -> Result<f64> {
        let mut total = 0.0;
        for (state, &mu) in retrieved.chunks_exact(N_UNITS).zip(&self.sources) {
            total += overlap(state, &self.patterns[mu * N_UNITS..(mu + 1) * N_UNITS])?;
        }
        Ok(total / self.sources.len() as f64)
    }

    /// Fails unless `retrieved` has B states whose mean overlap exceeds [`MIN_MEAN_OVERLAP`],
    /// and returns that overlap.
    fn check_retrieval(&self, name: &str, retrieved: &[i8]) -> Result<f64> {
        ensure!(
            retrieved.len() == self.cues.len(),
            "{name} returned {} values, expected {}",
            retrieved.len(),
            self.cues.len()
        );
        let mean_overlap = self.mean_overlap(retrieved)?;
        ensure!(
            mean_overlap > MIN_MEAN_OVERLAP,
            "{name} retrieved states with mean overlap {mean_overlap:.4}, expected above \
             {MIN_MEAN_OVERLAP}"
        );
        info!(implementation = name, mean_overlap, "retrieval checked");
        Ok(mean_overlap)
    }
}

/// Measured time per retrieval call of one implementation.
struct Measurement {
    name: &'static str,
    algorithm: &'static str,
    mean_s: f64,
    /// CPU time over wall time during the measurement, None where it could not be read.
    busy_cores: Option<f64>,
    mean_overlap: f64,
}

/// Runs the Hopfield benchmark and prints its table.
pub fn run(timing: &TimingSettings, device: &Device, backend: Backend) -> Result<()> {
    let workload = Workload::new()?;
    let network = ClassicHopfield::train(&workload.patterns, N_UNITS, LearningRule::Hebb)?;
    let memory = HebbMemory::new(workload.patterns.clone(), N_UNITS)?;

    // Set up numpy first, so that a missing python3, venv or pip fails before the timing.
    let numpy_runs = NumpyRuns::prepare(&workload, timing)?;

    let dense_states = network.retrieve_batch(&workload.cues, STEPS, device)?;
    let dense_overlap = workload.check_retrieval("ncm dense", &dense_states)?;
    let low_rank_states = memory.retrieve_batch(&workload.cues, STEPS, device)?;
    let low_rank_overlap = workload.check_retrieval("ncm low rank", &low_rank_states)?;

    info!(?backend, "timing ncm with criterion");
    let (dense_s, dense_cores) = measure_with_cpu_time(|| {
        measure_mean_s(timing, "hopfield", "ncm_dense", || {
            network.retrieve_batch(&workload.cues, STEPS, device)
        })
    })?;
    let (low_rank_s, low_rank_cores) = measure_with_cpu_time(|| {
        measure_mean_s(timing, "hopfield", "ncm_low_rank", || {
            memory.retrieve_batch(&workload.cues, STEPS, device)
        })
    })?;

    let (numpy, numpy_states) = numpy_runs.run(&[])?;
    let numpy_overlap = workload.check_retrieval("numpy dense", &numpy_states)?;
    let (numpy_one_thread, _) = numpy_runs.run(&[("OPENBLAS_NUM_THREADS", "1")])?;

    let measurements = [
        Measurement {
            name: "numpy",
            algorithm: "dense",
            mean_s: numpy.mean_s,
            busy_cores: Some(numpy.busy_cores),
            mean_overlap: numpy_overlap,
        },
        Measurement {
            name: "numpy, 1 BLAS thread",
            algorithm: "dense",
            mean_s: numpy_one_thread.mean_s,
            busy_cores: Some(numpy_one_thread.busy_cores),
            mean_overlap: numpy_overlap,
        },
        Measurement {
            name: "ncm ClassicHopfield",
            algorithm: "dense",
            mean_s: dense_s,
            busy_cores: dense_cores,
            mean_overlap: dense_overlap,
        },
        Measurement {
            name: "ncm HebbMemory",
            algorithm: "low rank (algorithmic advantage)",
            mean_s: low_rank_s,
            busy_cores: low_rank_cores,
            mean_overlap: low_rank_overlap,
        },
    ];
    print_header(backend, &numpy);
    print_table(&measurements, numpy.mean_s);
    print_agreement(&dense_states, &low_rank_states, &numpy_states);
    Ok(())
}

/// The numpy script with its input files written to the target folder, ready to run.
struct NumpyRuns {
    python: PathBuf,
    script_path: PathBuf,
    settings_path: PathBuf,
    retrieved_path: PathBuf,
}

impl NumpyRuns {
    /// Creates the virtual environment if needed and writes the script, its settings and the
    /// workload under `<target>/bench/hopfield`.
    fn prepare(workload: &Workload, timing: &TimingSettings) -> Result<Self> {
        let work_dir = target_dir().join("bench").join("hopfield");
        fs::create_dir_all(&work_dir)
            .with_context(|| format!("cannot create {}", work_dir.display()))?;
        let python = ensure_numpy_venv(&target_dir().join("bench-venv"))?;

        let patterns_path = work_dir.join("patterns.i8");
        let cues_path = work_dir.join("cues.i8");
        let retrieved_path = work_dir.join("numpy_retrieved.i8");
        let settings_path = work_dir.join("settings.json");
        let script_path = work_dir.join("hopfield_numpy.py");
        write_spins(&patterns_path, &workload.patterns)?;
        write_spins(&cues_path, &workload.cues)?;
        let settings = NumpySettings {
            n_units: N_UNITS,
            batch: BATCH,
            steps: STEPS,
            patterns_path: &patterns_path,
            cues_path: &cues_path,
            retrieved_path: &retrieved_path,
            timing: *timing,
        };
        fs::write(&settings_path, serde_json::to_vec_pretty(&settings)?)
            .with_context(|| format!("cannot write {}", settings_path.display()))?;
        fs::write(&script_path, NUMPY_SCRIPT)
            .with_context(|| format!("cannot write {}", script_path.display()))?;
        Ok(Self {
            python,
            script_path,
            settings_path,
            retrieved_path,
        })
    }

    /// Runs the script with extra environment variables and returns its report and
    /// retrieved states.
    fn run(&self, env: &[(&str, &str)]) -> Result<(NumpyReport, Vec<i8>)> {
        info!(numpy = NUMPY_VERSION, ?env, "timing numpy");
        let stdout = run_script(&self.python, &self.script_path, &[&self.settings_path], env)?;
        let report: NumpyReport = serde_json::from_str(stdout.trim())
            .with_context(|| format!("invalid report from the numpy script: {stdout}"))?;
        let retrieved = fs::read(&self.retrieved_path)
            .with_context(|| format!("cannot read {}", self.retrieved_path.display()))?
            .into_iter()
            .map(|byte| byte as i8)
            .collect();
        Ok((report, retrieved))
    }
}

/// Writes +-1 spins as one signed byte each.
fn write_spins(path: &Path, spins: &[i8]) -> Result<()> {
    let bytes: Vec<u8> = spins.iter().map(|&s| s as u8).collect();
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn print_header(backend: Backend, numpy: &NumpyReport) {
    let blas_threads = numpy
        .blas_threads
        .map_or("unknown".to_string(), |threads| threads.to_string());
    println!();
    println!(
        "Hopfield retrieval: N = {N_UNITS}, P = {N_PATTERNS} Hebb patterns, B = {BATCH} cues with \
         {:.0} % of units flipped, {STEPS} synchronous steps, f32",
        CORRUPTION * 100.0
    );
    println!(
        "ncm backend {backend:?}; numpy {} with {} {}, {blas_threads} BLAS threads by default \
         (OPENBLAS_NUM_THREADS and OMP_NUM_THREADS: {:?}), {} calls per sample",
        numpy.numpy_version,
        numpy.blas_name,
        numpy.blas_version,
        numpy.thread_variables,
        numpy.calls_per_sample
    );
    println!();
}

fn print_table(measurements: &[Measurement], numpy_s: f64) {
    println!(
        "| {:<20} | {:<32} | {:>11} | {:>12} | {:>10} | {:>12} |",
        "implementation", "algorithm", "ms per call", "numpy / this", "busy cores", "mean overlap"
    );
    println!(
        "|{:-<22}|{:-<34}|{:->13}|{:->14}|{:->12}|{:->14}|",
        "", "", "", "", "", ""
    );
    for measurement in measurements {
        let busy_cores = measurement
            .busy_cores
            .map_or("unknown".to_string(), |cores| format!("{cores:.2}"));
        println!(
            "| {:<20} | {:<32} | {:>11.2} | {:>12.2} | {:>10} | {:>12.4} |",
            measurement.name,
            measurement.algorithm,
            measurement.mean_s * 1e3,
            numpy_s / measurement.mean_s,
            busy_cores,
            measurement.mean_overlap
        );
    }
    println!();
    println!(
        "numpy / this uses the first row. Busy cores is CPU time over wall time during the \
         measurement (for ncm it includes criterion's warm-up and analysis). The low-rank row computes the same update with O(B N P) instead of \
         O(B N^2) work per step, an algorithmic advantage for P < N; only the dense rows compare \
         like with like."
    );
}

/// Prints the fraction of units on which two implementations' retrieved states agree.
fn print_agreement(dense: &[i8], low_rank: &[i8], numpy: &[i8]) {
    let agreement = |a: &[i8], b: &[i8]| {
        a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
    };
    println!(
        "Units in the same final state: ncm dense vs numpy {:.6}, ncm low rank vs ncm dense \
         {:.6} (f32 rounding of the dense weights k / N can flip units whose exact field is 0).",
        agreement(dense, numpy),
        agreement(low_rank, dense)
    );
}
