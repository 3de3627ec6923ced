//! Capacity scaling of the dense associative memory of Krotov and Hopfield 2016 (NeurIPS)
//! with F(x) = x^n: the largest P whose patterns are all fixed points, and the log-log slope
//! of that P against N, which the paper predicts to be n - 1.
//!
//! The fixed-point test runs [`DenseAssociativeMemory::update_sync`] for one sweep in f64 on
//! the CPU, one pattern per rayon task, so no f32 rounding can break a tie.

use std::time::Instant;

use anyhow::Result;
use ncm_ebm::hopfield::random_patterns;
use ncm_ebm::{DenseAssociativeMemory, DenseUpdateConfig, Interaction};
use rayon::prelude::*;
use serde::Serialize;
use tracing::info;

use super::sweep::{mean, standard_deviation};
use super::{Config, derive_seed, largest_passing, log_log_fit};

/// Seed stream of the dense memories' patterns.
const DENSE_STREAM: u64 = 3;

/// Capacity of one degree at one size.
#[derive(Serialize)]
pub(super) struct DenseCapacity {
    pub degree: u32,
    pub size: usize,
    /// Largest P with every stored pattern a fixed point, per repeat.
    pub per_repeat: Vec<usize>,
    pub mean_patterns: f64,
    pub sd_patterns: f64,
    /// Whether some repeat reached `dense_max_patterns`, so the mean is a lower bound.
    pub capped: bool,
}

/// Log-log fit of one degree's mean capacity against N.
#[derive(Serialize)]
pub(super) struct DenseFit {
    pub degree: u32,
    /// Slope of log10 P_max against log10 N.
    pub slope: Option<f64>,
    pub intercept: Option<f64>,
    /// Exponent n - 1 of Krotov and Hopfield 2016.
    pub predicted_slope: f64,
    /// Slope of log10 (P_max ln N) against log10 N. It removes the 1 / ln N factor that an
    /// error-free criterion carries, as in N / (4 ln N) for n = 2.
    pub log_corrected_slope: Option<f64>,
}

/// Every capacity measurement and one fit per degree.
#[derive(Serialize)]
pub(super) struct DenseResults {
    pub capacities: Vec<DenseCapacity>,
    pub fits: Vec<DenseFit>,
}

/// Measures every degree at every size and fits the slopes.
pub(super) fn run(config: &Config) -> Result<DenseResults> {
    let mut capacities = Vec::new();
    let mut fits = Vec::new();
    for &degree in &config.dense_degrees {
        let mut curve = Vec::new();
        let mut corrected = Vec::new();
        for &size in &config.dense_sizes {
            let capacity = measure(config, degree, size)?;
            curve.push((size as f64, capacity.mean_patterns));
            corrected.push((size as f64, capacity.mean_patterns * (size as f64).ln()));
            capacities.push(capacity);
        }
        let fit = log_log_fit(&curve);
        info!(degree, slope = ?fit.map(|f| f.0), predicted = degree - 1, "dense memory scaling fitted");
        fits.push(DenseFit {
            degree,
            slope: fit.map(|f| f.0),
            intercept: fit.map(|f| f.1),
            predicted_slope: f64::from(degree - 1),
            log_corrected_slope: log_log_fit(&corrected).map(|f| f.0),
        });
    }
    Ok(DenseResults { capacities, fits })
}

fn measure(config: &Config, degree: u32, size: usize) -> Result<DenseCapacity> {
    let started = Instant::now();
    let upper = config.dense_max_patterns;
    let mut per_repeat = Vec::with_capacity(config.repeats);
    for repeat in 0..config.repeats {
        let seed = derive_seed(
            config.seed,
            &[DENSE_STREAM, u64::from(degree), size as u64, repeat as u64],
        );
        let patterns = random_patterns(upper, size, seed);
        let largest = largest_passing(upper, |count| {
            all_fixed_points(&patterns[..count * size], size, degree)
        })?;
        per_repeat.push(largest);
    }

    let counts: Vec<f64> = per_repeat.iter().map(|&p| p as f64).collect();
    info!(
        degree,
        size,
        ?per_repeat,
        seconds = started.elapsed().as_secs_f64(),
        "dense memory capacity found"
    );
    Ok(DenseCapacity {
        degree,
        size,
        mean_patterns: mean(&counts),
        sd_patterns: standard_deviation(&counts),
        capped: per_repeat.contains(&upper),
        per_repeat,
    })
}

/// Checks whether one synchronous sweep from each stored pattern changes no unit.
fn all_fixed_points(patterns: &[i8], size: usize, degree: u32) -> Result<bool> {
    let memory = DenseAssociativeMemory::new(patterns, size, Interaction::Polynomial { degree })?;
    let one_sweep = DenseUpdateConfig {
        max_sweeps: 1,
        seed: 0,
    };
    let unstable = patterns
        .par_chunks_exact(size)
        .map(|pattern| -> Result<bool> {
            let mut state = pattern.to_vec();
            memory.update_sync(&mut state, &one_sweep)?;
            Ok(state == pattern)
        })
        .find_any(|stable| !matches!(stable, Ok(true)));
    match unstable {
        None => Ok(true),
        Some(Ok(_)) => Ok(false),
        Some(Err(error)) => Err(error),
    }
}
