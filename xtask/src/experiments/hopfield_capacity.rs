//! Storage capacity, dense-memory scaling and basins of attraction of Hopfield associative
//! memories, on random patterns and on the scikit-learn handwritten digits.
//!
//! 1. Capacity sweep of the binary network of Hopfield 1982 (PNAS 79:2554) trained by the
//!    Hebb, Storkey and pseudo-inverse rules: each stored pattern is the initial state, a
//!    fixed number of synchronous steps run on the Burn device, and the final overlap m, the
//!    bit error rate (1 - m) / 2 and the fraction of patterns recalled without error are
//!    recorded against the load alpha = P / N.
//! 2. Error-free capacity: the largest P for which every stored pattern is a fixed point.
//! 3. Dense associative memory of Krotov and Hopfield 2016 (NeurIPS) with F(x) = x^n: the
//!    largest P whose patterns are all fixed points, and the log-log slope of P against N.
//! 4. Retrieval probability against the fraction of flipped bits for the Hebb and
//!    pseudo-inverse networks and the modern continuous network of Ramsauer et al. 2021 (ICLR)
//!    on the same patterns.
//! 5. Ten binarised digit images, one per class, recalled from corrupted cues.
//!
//! Theory drawn beside the measurements:
//! - Hebb rule: retrieval states exist up to the critical load alpha_c ≈ 0.138, where the
//!   overlap drops from about 0.97 (1.5 % of bits wrong) to near zero (Amit, Gutfreund and
//!   Sompolinsky 1987, Ann. Phys. 173:30-67).
//! - Hebb rule, error-free storage (McEliece, Posner, Rodemich and Venkatesh 1987, IEEE Trans.
//!   Inf. Theory 33:461-482): a given pattern is a fixed point with probability tending to 1
//!   for P up to N / (2 ln N). All patterns are fixed points at once for P up to N / (4 ln N).
//! - Storkey rule: Storkey 1997 (ICANN) reports an absolute capacity of N / sqrt(2 ln N).
//! - Pseudo-inverse rule: any P <= N linearly independent patterns are fixed points of the
//!   full projection (Personnaz, Guyon and Dreyfus 1985, J. Physique Lett. 46:L359). ncm sets
//!   the diagonal to 0, which keeps pattern mu fixed only while every w_ii < 1.
//! - Dense memory with F(x) = x^n: the number of storable patterns grows as N^(n - 1)
//!   (Krotov and Hopfield 2016).
//!
//! Every random choice (patterns, corruptions) is seeded from [`Config::seed`] through
//! `derive_seed`, so a run is reproducible.

mod basins;
mod dense_scaling;
mod digits;
mod render;
mod sweep;

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail, ensure};
use burn::tensor::Device;
use clap::Args;
use ncm_ebm::LearningRule;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::backend::Backend;
use crate::report::Section;

/// Critical load of the Hebb rule (Amit, Gutfreund and Sompolinsky 1987).
pub const HEBB_CRITICAL_LOAD: f64 = 0.138;

/// Overlap of the Hebb retrieval state just below the critical load, 1.5 % of bits wrong
/// (Amit, Gutfreund and Sompolinsky 1987).
pub const HEBB_CRITICAL_OVERLAP: f64 = 0.97;

/// The learning rules of the capacity sweep, in report order.
const RULES: [LearningRule; 3] = [
    LearningRule::Hebb,
    LearningRule::Storkey,
    LearningRule::PseudoInverse,
];

/// Settings of the Hopfield capacity experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Network sizes N of the capacity sweep and the error-free capacity search.
    pub sizes: Vec<usize>,
    /// Loads alpha = P / N of the Hebb and Storkey sweeps; P = round(alpha N), at least 1.
    pub local_rule_loads: Vec<f64>,
    /// Loads of the pseudo-inverse sweep, each below 1. At each size the loads that give
    /// P = round(alpha N) >= N are left out: of the defaults, 0.98 for N <= 25 and 0.95
    /// for N <= 10.
    pub pseudo_inverse_loads: Vec<f64>,
    /// Largest N of the pseudo-inverse sweep, whose weights cost O(N^3); larger sizes are
    /// left out of it.
    pub pseudo_inverse_max_size: usize,
    /// Independent pattern sets per size, for every measurement on random patterns.
    pub repeats: usize,
    /// Synchronous steps of every binary retrieval, and the update limit of the modern one.
    pub steps: usize,
    /// Largest load searched for the error-free capacity.
    pub error_free_max_load: f64,
    /// Degrees n of the dense memories, F(x) = x^n.
    pub dense_degrees: Vec<u32>,
    /// Network sizes N of the dense memories.
    pub dense_sizes: Vec<usize>,
    /// Largest P searched for a dense memory; a result equal to it is only a lower bound.
    pub dense_max_patterns: usize,
    /// Network size N of the basin measurement.
    pub basin_size: usize,
    /// Loads alpha = P / N of the basin measurement.
    pub basin_loads: Vec<f64>,
    /// Fractions of flipped bits in the cues, each in [0, 1].
    pub basin_flip_fractions: Vec<f64>,
    /// Corrupted cues per stored pattern and flip fraction.
    pub basin_cues_per_pattern: usize,
    /// A cue counts as retrieved when the final overlap with its pattern exceeds this.
    pub retrieval_overlap: f64,
    /// Inverse temperatures of the modern network as multiples of 1 / sqrt(N).
    pub modern_beta_scales: Vec<f64>,
    /// A digit pixel (0 to 16) above this value becomes +1, else -1.
    pub digit_threshold: u8,
    /// Fractions of flipped pixels in the digit cues.
    pub digit_flip_fractions: Vec<f64>,
    /// Corrupted cues per stored digit and flip fraction.
    pub digit_cues_per_pattern: usize,
    /// Seed of every random pattern and corruption.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            sizes: vec![100, 200, 500, 1000],
            // Steps of 0.02 around the Hebb transition, then of 0.05 to follow Storkey's.
            local_rule_loads: (1..=15)
                .map(|k| 0.02 * k as f64)
                .chain((7..=12).map(|k| 0.05 * k as f64))
                .collect(),
            pseudo_inverse_loads: (1..=9)
                .map(|k| 0.1 * k as f64)
                .chain([0.95, 0.98])
                .collect(),
            pseudo_inverse_max_size: 1000,
            repeats: 3,
            steps: 20,
            error_free_max_load: 0.5,
            dense_degrees: vec![2, 3, 4],
            dense_sizes: vec![20, 30, 40, 60],
            dense_max_patterns: 8192,
            basin_size: 500,
            basin_loads: vec![0.05, 0.10],
            basin_flip_fractions: (0..=10).map(|k| 0.05 * k as f64).collect(),
            basin_cues_per_pattern: 4,
            retrieval_overlap: 0.95,
            modern_beta_scales: vec![1.0, 8.0],
            digit_threshold: 7,
            digit_flip_fractions: vec![0.1, 0.2],
            digit_cues_per_pattern: 100,
            seed: 1982,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment hopfield-capacity`. Absent flags keep
/// the defaults of [`Config`].
#[derive(Args)]
pub struct Cli {
    /// Network sizes N of the capacity sweep, comma separated (default 100,200,500,1000).
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Largest N of the pseudo-inverse sweep, whose cost grows as N^3 (default 1000).
    #[arg(long)]
    pseudo_inverse_max_size: Option<usize>,
    /// Independent pattern sets per size (default 3).
    #[arg(long)]
    repeats: Option<usize>,
    /// Synchronous retrieval steps (default 20).
    #[arg(long)]
    steps: Option<usize>,
    /// Degrees n of the dense memories, comma separated (default 2,3,4).
    #[arg(long, value_delimiter = ',')]
    dense_degrees: Vec<u32>,
    /// Network sizes of the dense memories, comma separated (default 20,30,40,60).
    #[arg(long, value_delimiter = ',')]
    dense_sizes: Vec<usize>,
    /// Seed of every random pattern and corruption (default 1982).
    #[arg(long)]
    seed: Option<u64>,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Result<Config> {
        let mut config = Config::default();
        if !self.sizes.is_empty() {
            config.sizes = self.sizes.clone();
        }
        if !self.dense_degrees.is_empty() {
            config.dense_degrees = self.dense_degrees.clone();
        }
        if !self.dense_sizes.is_empty() {
            config.dense_sizes = self.dense_sizes.clone();
        }
        config.pseudo_inverse_max_size = self
            .pseudo_inverse_max_size
            .unwrap_or(config.pseudo_inverse_max_size);
        config.repeats = self.repeats.unwrap_or(config.repeats);
        config.steps = self.steps.unwrap_or(config.steps);
        config.seed = self.seed.unwrap_or(config.seed);
        Ok(config)
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    validate_sizes("sizes", &config.sizes, 10)?;
    validate_loads("local_rule_loads", &config.local_rule_loads)?;
    validate_loads("pseudo_inverse_loads", &config.pseudo_inverse_loads)?;
    let smallest = config
        .sizes
        .iter()
        .min()
        .expect("validated sizes are not empty");
    ensure!(
        config.pseudo_inverse_max_size >= *smallest,
        "pseudo_inverse_max_size {} is below every size in {:?}; raise it to at least {smallest}",
        config.pseudo_inverse_max_size,
        config.sizes
    );
    if let Some(&load) = config
        .pseudo_inverse_loads
        .iter()
        .find(|&&load| load >= 1.0)
    {
        bail!(
            "pseudo_inverse_loads contains {load}, which gives P >= N; the pseudo-inverse \
             sweep needs P < N, so use loads below 1"
        );
    }
    for &size in &config.pseudo_inverse_sizes() {
        if config.pseudo_inverse_loads_for(size).is_empty() {
            bail!(
                "every pseudo-inverse load gives P >= N = {size}; add a load below {}",
                1.0 - 0.5 / size as f64
            );
        }
    }
    ensure!(
        config.repeats >= 1,
        "repeats is 0; use at least 1 (default 3)"
    );
    ensure!(
        config.steps >= 1,
        "steps is 0; use at least 1 synchronous step (default 20)"
    );
    ensure!(
        config.error_free_max_load > 0.0 && config.error_free_max_load <= 1.0,
        "invalid error_free_max_load {}; use a value in (0, 1] (default 0.5)",
        config.error_free_max_load
    );

    validate_dense(config)?;
    validate_basins(config)?;
    validate_digits(config)
}

fn validate_sizes(name: &str, sizes: &[usize], min: usize) -> Result<()> {
    ensure!(
        !sizes.is_empty(),
        "{name} is empty; give at least one network size"
    );
    if let Some(&size) = sizes.iter().find(|&&size| !(min..=4000).contains(&size)) {
        bail!("{name} contains N = {size}; use sizes from {min} to 4000");
    }
    if let Some(size) = super::first_repeat(sizes) {
        bail!("{name} lists N = {size} twice; list each size once");
    }
    Ok(())
}

fn validate_loads(name: &str, loads: &[f64]) -> Result<()> {
    ensure!(
        !loads.is_empty(),
        "{name} is empty; give at least one load alpha = P / N"
    );
    if let Some(&load) = loads
        .iter()
        .find(|&&load| !(load.is_finite() && load > 0.0 && load <= 2.0))
    {
        bail!("{name} contains {load}; loads alpha = P / N must be in (0, 2]");
    }
    if loads.windows(2).any(|pair| pair[0] >= pair[1]) {
        bail!("{name} must be strictly increasing, got {loads:?}");
    }
    Ok(())
}

fn validate_dense(config: &Config) -> Result<()> {
    ensure!(
        !config.dense_degrees.is_empty(),
        "dense_degrees is empty; give at least one degree n >= 2"
    );
    if let Some(&degree) = config
        .dense_degrees
        .iter()
        .find(|&&degree| !(2..=8).contains(&degree))
    {
        bail!("dense_degrees contains {degree}; use degrees from 2 to 8");
    }
    validate_sizes("dense_sizes", &config.dense_sizes, 4)?;
    ensure!(
        config.dense_sizes.len() >= 2,
        "dense_sizes has one size; the log-log slope needs at least two"
    );
    ensure!(
        (2..=1 << 16).contains(&config.dense_max_patterns),
        "invalid dense_max_patterns {}; use 2 to 65536 (default 8192)",
        config.dense_max_patterns
    );
    Ok(())
}

fn validate_basins(config: &Config) -> Result<()> {
    validate_sizes("basin_size", &[config.basin_size], 10)?;
    validate_loads("basin_loads", &config.basin_loads)?;
    validate_fractions("basin_flip_fractions", &config.basin_flip_fractions)?;
    ensure!(
        config.basin_cues_per_pattern >= 1,
        "basin_cues_per_pattern is 0; use at least 1"
    );
    ensure!(
        config.retrieval_overlap > -1.0 && config.retrieval_overlap < 1.0,
        "invalid retrieval_overlap {}; use a value in (-1, 1) (default 0.95)",
        config.retrieval_overlap
    );
    ensure!(
        !config.modern_beta_scales.is_empty(),
        "modern_beta_scales is empty; give at least one"
    );
    if let Some(&scale) = config
        .modern_beta_scales
        .iter()
        .find(|&&s| !(s.is_finite() && s > 0.0))
    {
        bail!("modern_beta_scales contains {scale}; each must be finite and > 0");
    }
    Ok(())
}

fn validate_digits(config: &Config) -> Result<()> {
    ensure!(
        config.digit_threshold < ncm_data::MAX_DIGIT_PIXEL,
        "invalid digit_threshold {}; pixels range from 0 to 16, so use 0 to 15 (default 7)",
        config.digit_threshold
    );
    validate_fractions("digit_flip_fractions", &config.digit_flip_fractions)?;
    ensure!(
        config.digit_cues_per_pattern >= 1,
        "digit_cues_per_pattern is 0; use at least 1"
    );
    Ok(())
}

fn validate_fractions(name: &str, fractions: &[f64]) -> Result<()> {
    ensure!(
        !fractions.is_empty(),
        "{name} is empty; give at least one fraction"
    );
    if let Some(&fraction) = fractions.iter().find(|&&f| !(0.0..=1.0).contains(&f)) {
        bail!("{name} contains {fraction}; fractions of flipped bits must be in [0, 1]");
    }
    Ok(())
}

/// Runs the experiment and writes `report/hopfield-capacity/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
    backend: Backend,
) -> Result<Section> {
    validate(config)?;
    let out_dir = super::create_output_dir(report_dir, "hopfield-capacity")?;

    let results = measure(config, data_dir, device)?;
    render::write_figures(&out_dir, config, &results)?;
    let summary = json!({
        "config": config,
        "backend": backend,
        "hebb_critical_load": HEBB_CRITICAL_LOAD,
        "sweeps": results.sweeps,
        "error_free": results.error_free,
        "dense": results.dense,
        "basins": results.basins,
        "digits": results.digits,
    });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "hopfield_capacity".to_owned(),
        title: "Storage capacity and basins of Hopfield networks".to_owned(),
        html: render::html(config, backend, &results),
        summary,
    })
}

/// Runs the five measurements in turn, logging the time each takes.
fn measure(config: &Config, data_dir: &Path, device: &Device) -> Result<render::Results> {
    let started = Instant::now();
    let sweeps = sweep::run_sweeps(config, device)?;
    let error_free = sweep::run_error_free(config, device)?;
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "capacity sweep finished"
    );

    let started = Instant::now();
    let dense = dense_scaling::run(config)?;
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "dense memory scaling finished"
    );

    let started = Instant::now();
    let basins = basins::run(config, device)?;
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "basins of attraction finished"
    );

    let started = Instant::now();
    let digits = digits::run(config, data_dir, device)?;
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "digit retrieval finished"
    );

    Ok(render::Results {
        sweeps,
        error_free,
        dense,
        basins,
        digits,
    })
}

impl Config {
    /// Sizes of the pseudo-inverse sweep: those of `sizes` up to `pseudo_inverse_max_size`.
    fn pseudo_inverse_sizes(&self) -> Vec<usize> {
        self.sizes
            .iter()
            .copied()
            .filter(|&size| size <= self.pseudo_inverse_max_size)
            .collect()
    }

    /// Loads of the pseudo-inverse sweep at `size`: those of `pseudo_inverse_loads` that give
    /// P < N. Loads increase, so the ones left out are the largest.
    fn pseudo_inverse_loads_for(&self, size: usize) -> Vec<f64> {
        self.pseudo_inverse_loads
            .iter()
            .copied()
            .filter(|&load| patterns_for_load(load, size) < size)
            .collect()
    }
}

/// Short name of a learning rule for tables, logs and file names.
fn rule_name(rule: LearningRule) -> &'static str {
    match rule {
        LearningRule::Hebb => "Hebb",
        LearningRule::Storkey => "Storkey",
        LearningRule::PseudoInverse => "pseudo-inverse",
    }
}

/// Number of stored patterns P = round(alpha N) for load alpha, at least 1.
fn patterns_for_load(load: f64, size: usize) -> usize {
    ((load * size as f64).round() as usize).max(1)
}

/// Mixes `seed` with `parts` (the stream and its indices) into an independent seed, by
/// chaining the SplitMix64 finaliser of Steele, Lea and Flood 2014 (OOPSLA).
fn derive_seed(seed: u64, parts: &[u64]) -> u64 {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    parts
        .iter()
        .fold(mix(seed), |state, &part| mix(state ^ mix(part)))
}

/// Returns the largest P in [0, `upper`] with `passes(P)` true, assuming `passes` is true up
/// to some P and false above it, and treating P = 0 as passing. It doubles P from 1 until a
/// test fails, then bisects, so it calls `passes` O(log upper) times.
fn largest_passing(upper: usize, mut passes: impl FnMut(usize) -> Result<bool>) -> Result<usize> {
    let mut good = 0;
    let mut candidate = 1;
    let mut bad = loop {
        if candidate >= upper {
            if upper > good && passes(upper)? {
                return Ok(upper);
            }
            break upper;
        }
        if !passes(candidate)? {
            break candidate;
        }
        good = candidate;
        candidate *= 2;
    };

    // Invariant: passes(good) and not passes(bad).
    while bad - good > 1 {
        let middle = good + (bad - good) / 2;
        if passes(middle)? {
            good = middle;
        } else {
            bad = middle;
        }
    }
    Ok(good)
}

/// Fits log10 y = intercept + slope log10 x by least squares over the points with x, y > 0,
/// and returns (slope, intercept), or `None` with fewer than two distinct x.
fn log_log_fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0 && x.is_finite() && y.is_finite())
        .map(|(x, y)| (x.log10(), y.log10()))
        .collect();
    if logs.len() < 2 {
        return None;
    }

    let count = logs.len() as f64;
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / count;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some((slope, mean_y - slope * mean_x))
}

/// Returns the x at which the piecewise-linear curve through `points` (sorted by x) first
/// falls from at least `level` to below it, or `None` when it never does.
fn first_crossing_below(points: &[(f64, f64)], level: f64) -> Option<f64> {
    points.windows(2).find_map(|pair| {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        (y0 >= level && y1 < level).then(|| x0 + (y0 - level) / (y0 - y1) * (x1 - x0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        validate(&Config::default()).unwrap();
    }

    #[test]
    fn validate_rejects_bad_settings() {
        let cases: [(fn(&mut Config), &str); 7] = [
            (|c| c.sizes.clear(), "sizes is empty"),
            (
                |c| c.local_rule_loads = vec![0.1, 0.05],
                "strictly increasing",
            ),
            (|c| c.pseudo_inverse_loads = vec![0.5, 1.0], "P >= N"),
            (|c| c.steps = 0, "steps is 0"),
            (|c| c.dense_degrees = vec![1], "degrees from 2"),
            (|c| c.basin_flip_fractions = vec![1.5], "in [0, 1]"),
            (|c| c.digit_threshold = 16, "digit_threshold"),
        ];
        for (change, expected) in cases {
            let mut config = Config::default();
            change(&mut config);
            let error = validate(&config).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "expected {expected:?} in: {error}"
            );
        }
    }

    #[test]
    fn small_sizes_drop_large_loads() {
        let config = Config {
            sizes: vec![20, 25, 100],
            ..Config::default()
        };
        validate(&config).unwrap();
        // By hand, P = round(alpha N): at N = 20 the load 0.98 gives 19.6 -> 20 = N and 0.95
        // gives 19; at N = 25, 0.98 gives 24.5 -> 25 and 0.95 gives 23.75 -> 24; at N = 100
        // every default load gives P <= 98.
        let all = config.pseudo_inverse_loads.clone();
        assert_eq!(all.len(), 11);
        assert_eq!(config.pseudo_inverse_loads_for(20), all[..10].to_vec());
        assert_eq!(config.pseudo_inverse_loads_for(25), all[..10].to_vec());
        assert_eq!(config.pseudo_inverse_loads_for(100), all);
    }

    #[test]
    fn validate_rejects_sizes_without_pseudo_inverse_loads() {
        // 0.97 N = 9.7 rounds to P = 10 = N, so N = 10 keeps no load.
        let config = Config {
            sizes: vec![10, 100],
            pseudo_inverse_loads: vec![0.97],
            ..Config::default()
        };
        let error = validate(&config).unwrap_err().to_string();
        assert!(error.contains("P >= N = 10"), "{error}");
    }

    #[test]
    fn derive_seed_is_deterministic_and_distinct() {
        assert_eq!(derive_seed(7, &[1, 2]), derive_seed(7, &[1, 2]));
        assert_ne!(derive_seed(7, &[1, 2]), derive_seed(7, &[2, 1]));
        assert_ne!(derive_seed(7, &[1, 2]), derive_seed(8, &[1, 2]));
        assert_ne!(derive_seed(7, &[0]), derive_seed(7, &[]));
    }

    #[test]
    fn largest_passing_finds_threshold() {
        for threshold in [0, 1, 2, 3, 7, 8, 9, 50, 99, 100] {
            let mut calls = 0;
            let found = largest_passing(100, |p| {
                calls += 1;
                Ok(p <= threshold)
            })
            .unwrap();
            assert_eq!(found, threshold, "threshold {threshold}");
            // Doubling to 128 takes at most 8 tests and bisecting a gap of 64 at most 6.
            assert!(calls <= 14, "threshold {threshold}: {calls} calls");
        }
    }

    #[test]
    fn largest_passing_propagates_errors() {
        let result = largest_passing(10, |p| {
            if p > 2 {
                bail!("failed at {p}")
            } else {
                Ok(true)
            }
        });
        assert!(result.unwrap_err().to_string().contains("failed at 4"));
    }

    #[test]
    fn log_log_fit_matches_hand_computation() {
        // y = 3 x^2 exactly: slope 2, intercept log10 3.
        let (slope, intercept) =
            log_log_fit(&[(1.0, 3.0), (10.0, 300.0), (100.0, 30000.0)]).unwrap();
        assert!((slope - 2.0).abs() < 1e-12, "{slope}");
        assert!((intercept - 3f64.log10()).abs() < 1e-12, "{intercept}");

        // Points (log x, log y) = (0, 0), (1, 1), (2, 1): mean (1, 2/3), Sxx = 2, Sxy = 1.
        let (slope, intercept) = log_log_fit(&[(1.0, 1.0), (10.0, 10.0), (100.0, 10.0)]).unwrap();
        assert!((slope - 0.5).abs() < 1e-12, "{slope}");
        assert!((intercept - (2.0 / 3.0 - 0.5)).abs() < 1e-12, "{intercept}");
    }

    #[test]
    fn log_log_fit_needs_two_positive_points() {
        assert_eq!(log_log_fit(&[(10.0, 5.0)]), None);
        assert_eq!(log_log_fit(&[(10.0, 5.0), (10.0, 6.0)]), None);
        assert_eq!(log_log_fit(&[(10.0, 5.0), (20.0, 0.0)]), None);
    }

    #[test]
    fn first_crossing_interpolates() {
        let curve = [
            (0.1, 0.99),
            (0.12, 0.9),
            (0.14, 0.3),
            (0.16, 0.6),
            (0.18, 0.2),
        ];
        let crossing = first_crossing_below(&curve, 0.5).unwrap();
        // Between (0.12, 0.9) and (0.14, 0.3): 0.12 + 0.4 / 0.6 * 0.02.
        assert!(
            (crossing - (0.12 + 0.4 / 0.6 * 0.02)).abs() < 1e-12,
            "{crossing}"
        );
        assert_eq!(first_crossing_below(&curve, 0.1), None);
        assert_eq!(first_crossing_below(&[(0.1, 0.4), (0.2, 0.3)], 0.5), None);
    }

    #[test]
    fn patterns_for_load_rounds_and_keeps_one() {
        assert_eq!(patterns_for_load(0.138, 1000), 138);
        assert_eq!(patterns_for_load(0.02, 100), 2);
        assert_eq!(patterns_for_load(0.001, 100), 1);
    }
}
