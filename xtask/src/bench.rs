//! Speed benchmarks: `cargo xtask bench TARGET`.
//!
//! ncm's side of each benchmark is timed with criterion used as a library. A reference
//! implementation in Python (numpy, scikit-learn or JAX) runs in a throwaway virtual
//! environment under the target folder.
//! Both report the same statistic: after a warm-up, every sample runs the same number of calls
//! (criterion's flat sampling), and the result is the mean over samples of the time per call.
//! The census benchmark is the exception: its runs take minutes, so it times single runs of
//! ncm and of python-igraph (see `bench/census.rs`).

mod census;
mod hopfield;
pub(crate) mod python;
mod rbm;
mod transformer;

use std::fmt::Display;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use clap::{Args, ValueEnum};
use criterion::{Criterion, SamplingMode};
use serde::Serialize;

use crate::GlobalOptions;

/// Command-line parameters of `cargo xtask bench`.
#[derive(Args)]
pub struct Cli {
    /// Benchmark to run.
    #[arg(value_enum)]
    target: Target,
    /// Samples per measurement; criterion needs at least 10.
    #[arg(long, default_value_t = 10)]
    samples: usize,
    /// Warm-up time before each measurement, in seconds.
    #[arg(long, default_value_t = 3.0)]
    warm_up_s: f64,
    /// Target time of each measurement, all samples together, in seconds.
    #[arg(long, default_value_t = 10.0)]
    measurement_s: f64,
}

/// A benchmark that `cargo xtask bench` can run.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Target {
    /// Batched synchronous retrieval in the binary Hopfield network (N = 1000, P = 100,
    /// B = 256 cues, 10 steps): ncm's dense and low-rank paths against numpy.
    Hopfield,
    /// One epoch of persistent CD-1 on the scikit-learn digits (1797 x 64, 100 hidden units,
    /// batch 10, learning rate 0.06): ncm against scikit-learn's BernoulliRBM.fit.
    Rbm,
    /// Masked-reconstruction training steps of the spatial-layout transformer (94 channel
    /// tokens of 32 samples, 4 blocks, 4 heads, d_model 128, batch 32): ncm against the same
    /// model in JAX on the CPU.
    Transformer,
    /// Triad census, 4-node census and null-model sampling on Erdős–Rényi digraphs of up to
    /// 10^5 nodes and 5 x 10^6 arcs, against python-igraph (about 15 minutes on 2 cores).
    /// Times single runs and ignores the sampling flags.
    Census,
    /// `census` plus ncm's 4-node census of the full 5 x 10^6-arc graph, which igraph does
    /// not attempt (adds about 7 minutes on 2 cores).
    CensusFull,
}

/// Sampling settings shared by the criterion and the numpy measurements.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct TimingSettings {
    /// Number of samples.
    pub samples: usize,
    /// Warm-up time, in seconds.
    pub warm_up_s: f64,
    /// Target time of all samples together, in seconds.
    pub measurement_s: f64,
}

/// Runs the requested benchmark on the device of `--backend` and prints its table.
pub fn run(cli: Cli, global: &GlobalOptions) -> Result<()> {
    ensure!(
        cli.samples >= 10,
        "--samples must be at least 10 (criterion's minimum), got {}",
        cli.samples
    );
    ensure!(
        cli.warm_up_s > 0.0 && cli.measurement_s > 0.0,
        "--warm-up-s and --measurement-s must be positive, got {} and {}",
        cli.warm_up_s,
        cli.measurement_s
    );
    let timing = TimingSettings {
        samples: cli.samples,
        warm_up_s: cli.warm_up_s,
        measurement_s: cli.measurement_s,
    };

    // SAFETY: set_var is sound only while no other thread reads or writes the environment.
    // Before this point xtask has only parsed its arguments, installed the tracing subscriber
    // and built a Burn device value (Burn 0.22 device constructors are lazy), none of which
    // starts a thread. The rayon pool and criterion start later.
    unsafe { std::env::set_var("CRITERION_HOME", criterion_home()) };

    let device = global.backend.device()?;
    match cli.target {
        Target::Hopfield => hopfield::run(&timing, &device, global.backend),
        Target::Rbm => rbm::run(&timing, &device, global),
        Target::Transformer => transformer::run(&timing, &device, global.backend),
        Target::Census => census::run(false),
        Target::CensusFull => census::run(true),
    }
}

/// Target folder of the workspace: `CARGO_TARGET_DIR` when set, else `<workspace>/target`.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"))
}

/// Folder where criterion writes its estimates and baselines.
fn criterion_home() -> PathBuf {
    target_dir().join("criterion")
}

/// Times `routine` with criterion and returns the mean time per call in seconds, read from
/// `$CRITERION_HOME/<group>/<id>/new/estimates.json`.
///
/// Every sample runs the same number of calls (flat sampling), so the mean over samples of
/// the time per call matches what the numpy script measures.
///
/// # Errors
/// The first error that `routine` returned, or a missing or unreadable estimates file.
pub fn measure_mean_s<T, E: Display>(
    timing: &TimingSettings,
    group: &str,
    id: &str,
    mut routine: impl FnMut() -> std::result::Result<T, E>,
) -> Result<f64> {
    let mut criterion = Criterion::default()
        .sample_size(timing.samples)
        .warm_up_time(Duration::from_secs_f64(timing.warm_up_s))
        .measurement_time(Duration::from_secs_f64(timing.measurement_s));
    let mut first_error = None;
    let mut benchmark_group = criterion.benchmark_group(group);
    benchmark_group.sampling_mode(SamplingMode::Flat);
    benchmark_group.bench_function(id, |bencher| {
        bencher.iter(|| match routine() {
            Ok(output) => Some(output),
            Err(error) => {
                first_error.get_or_insert_with(|| error.to_string());
                None
            }
        })
    });
    benchmark_group.finish();
    if let Some(error) = first_error {
        return Err(anyhow!("benchmark {group}/{id} failed: {error}"));
    }

    read_mean_estimate_s(group, id)
}

/// Reads criterion's mean estimate of a benchmark, stored in nanoseconds, as seconds.
fn read_mean_estimate_s(group: &str, id: &str) -> Result<f64> {
    let path = criterion_home()
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read criterion's estimates {}", path.display()))?;
    let estimates: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("invalid JSON in criterion's estimates {}", path.display()))?;
    let mean_ns = estimates["mean"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("no mean.point_estimate in {}", path.display()))?;
    Ok(mean_ns * 1e-9)
}

/// Runs `measure` and returns its result with the process's CPU time over wall time meanwhile.
pub(crate) fn measure_with_cpu_time(
    measure: impl FnOnce() -> Result<f64>,
) -> Result<(f64, Option<f64>)> {
    let cpu_start = process_cpu_s();
    let wall_start = Instant::now();
    let mean_s = measure()?;
    let wall_s = wall_start.elapsed().as_secs_f64();
    let busy_cores = cpu_start
        .zip(process_cpu_s())
        .map(|(start, end)| (end - start) / wall_s);
    Ok((mean_s, busy_cores))
}

/// User plus system CPU time of this process in seconds, from /proc/self/stat (Linux only,
/// in units of USER_HZ = 1/100 s).
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let user_ticks: f64 = fields.get(11)?.parse().ok()?;
    let system_ticks: f64 = fields.get(12)?.parse().ok()?;
    Some((user_ticks + system_ticks) / 100.0)
}
