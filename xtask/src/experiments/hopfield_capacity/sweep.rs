//! The capacity sweep of the binary Hopfield network over loads alpha = P / N, and the search
//! for its error-free capacity.
//!
//! Within one size and repeat, every load stores a prefix of the same random pattern
//! sequence, so neighbouring loads differ only by the patterns added.

use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::Device;
use ncm_ebm::hopfield::{overlap, random_patterns};
use ncm_ebm::{ClassicHopfield, LearningRule};
use rayon::prelude::*;
use serde::Serialize;
use tracing::{debug, info};

use super::{
    Config, HEBB_CRITICAL_OVERLAP, RULES, derive_seed, first_crossing_below, largest_passing,
    patterns_for_load, rule_name,
};

/// Seed stream of the sweep's patterns.
const SWEEP_STREAM: u64 = 1;
/// Seed stream of the error-free capacity's patterns.
const ERROR_FREE_STREAM: u64 = 2;

/// Rules whose error-free capacity is searched. The zero-diagonal pseudo-inverse rule is left
/// out because its weights vanish at P = N, which makes every state a fixed point there.
const ERROR_FREE_RULES: [LearningRule; 2] = [LearningRule::Hebb, LearningRule::Storkey];

/// One load of a sweep, pooled over every stored pattern of every repeat.
#[derive(Serialize)]
pub(super) struct SweepPoint {
    pub load: f64,
    pub patterns: usize,
    /// Mean final overlap m with the stored pattern.
    pub mean_overlap: f64,
    /// Standard deviation of the per-repeat mean overlap (0 with one repeat).
    pub overlap_sd: f64,
    /// Bit error rate (1 - m) / 2.
    pub bit_error_rate: f64,
    /// Fraction of patterns whose final state equals the pattern.
    pub exact_fraction: f64,
}

/// The sweep of one rule at one size.
#[derive(Serialize)]
pub(super) struct RuleSweep {
    pub rule: &'static str,
    pub size: usize,
    pub points: Vec<SweepPoint>,
    /// Load at which the mean overlap first falls below 0.5, linearly interpolated between
    /// grid loads; `None` when it never does on the grid.
    pub half_overlap_load: Option<f64>,
    /// Load at which the mean overlap first falls below [`HEBB_CRITICAL_OVERLAP`], the
    /// overlap of the Hebb retrieval state at the critical load, interpolated the same way.
    pub critical_overlap_load: Option<f64>,
}

/// Error-free capacity of one rule at one size.
#[derive(Serialize)]
pub(super) struct ErrorFreeCapacity {
    pub rule: &'static str,
    pub size: usize,
    /// Largest P with every stored pattern a fixed point, per repeat.
    pub per_repeat: Vec<usize>,
    pub mean_patterns: f64,
    /// Largest P searched; a result equal to it is only a lower bound.
    pub upper: usize,
    /// N / (4 ln N): all patterns stable (McEliece et al. 1987).
    pub theory_all_patterns: f64,
    /// N / (2 ln N): one given pattern stable (McEliece et al. 1987).
    pub theory_single_pattern: f64,
    /// N / sqrt(2 ln N): Storkey 1997's capacity of its rule.
    pub theory_storkey: f64,
}

/// Sweeps every rule over its sizes and loads.
pub(super) fn run_sweeps(config: &Config, device: &Device) -> Result<Vec<RuleSweep>> {
    let mut sweeps = Vec::new();
    for rule in RULES {
        if rule == LearningRule::PseudoInverse {
            for size in config.pseudo_inverse_sizes() {
                let loads = config.pseudo_inverse_loads_for(size);
                let dropped = &config.pseudo_inverse_loads[loads.len()..];
                if !dropped.is_empty() {
                    debug!(
                        size,
                        ?dropped,
                        "pseudo-inverse loads left out because they give P >= N"
                    );
                }
                sweeps.push(sweep_rule(config, rule, size, &loads, device)?);
            }
        } else {
            for &size in &config.sizes {
                sweeps.push(sweep_rule(
                    config,
                    rule,
                    size,
                    &config.local_rule_loads,
                    device,
                )?);
            }
        }
    }
    Ok(sweeps)
}

fn sweep_rule(
    config: &Config,
    rule: LearningRule,
    size: usize,
    loads: &[f64],
    device: &Device,
) -> Result<RuleSweep> {
    let started = Instant::now();
    let counts: Vec<usize> = loads
        .iter()
        .map(|&load| patterns_for_load(load, size))
        .collect();
    let max_count = *counts.iter().max().expect("validated loads are not empty");

    // per_repeat[repeat][load] = (mean overlap, exact fraction)
    let per_repeat: Vec<Vec<(f64, f64)>> = (0..config.repeats)
        .into_par_iter()
        .map(|repeat| {
            let seed = derive_seed(config.seed, &[SWEEP_STREAM, size as u64, repeat as u64]);
            let patterns = random_patterns(max_count, size, seed);
            counts
                .iter()
                .map(|&count| {
                    recall_stored(&patterns[..count * size], size, rule, config.steps, device)
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;

    let points = pool_repeats(loads, &counts, &per_repeat);
    let curve: Vec<(f64, f64)> = points.iter().map(|p| (p.load, p.mean_overlap)).collect();
    let half_overlap_load = first_crossing_below(&curve, 0.5);
    let critical_overlap_load = first_crossing_below(&curve, HEBB_CRITICAL_OVERLAP);

    info!(
        rule = rule_name(rule),
        size,
        half_overlap_load = ?half_overlap_load,
        critical_overlap_load = ?critical_overlap_load,
        seconds = started.elapsed().as_secs_f64(),
        "capacity sweep of one rule and size finished"
    );
    Ok(RuleSweep {
        rule: rule_name(rule),
        size,
        points,
        half_overlap_load,
        critical_overlap_load,
    })
}

/// Pools the per-repeat results `per_repeat[repeat][load] = (mean overlap, exact fraction)`
/// into one point per load.
fn pool_repeats(
    loads: &[f64],
    counts: &[usize],
    per_repeat: &[Vec<(f64, f64)>],
) -> Vec<SweepPoint> {
    loads
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(index, (&load, &patterns))| {
            let overlaps: Vec<f64> = per_repeat.iter().map(|repeat| repeat[index].0).collect();
            let exact: Vec<f64> = per_repeat.iter().map(|repeat| repeat[index].1).collect();
            let mean_overlap = mean(&overlaps);
            SweepPoint {
                load,
                patterns,
                mean_overlap,
                overlap_sd: standard_deviation(&overlaps),
                bit_error_rate: (1.0 - mean_overlap) / 2.0,
                exact_fraction: mean(&exact),
            }
        })
        .collect()
}

/// Trains `rule` on `patterns` (P x `size`), starts the dynamics at each stored pattern, runs
/// `steps` synchronous steps and returns the mean final overlap and the fraction recalled
/// exactly.
fn recall_stored(
    patterns: &[i8],
    size: usize,
    rule: LearningRule,
    steps: usize,
    device: &Device,
) -> Result<(f64, f64)> {
    let count = patterns.len() / size;
    let network = ClassicHopfield::train(patterns, size, rule).with_context(|| {
        format!(
            "{} training failed for P = {count}, N = {size}",
            rule_name(rule)
        )
    })?;
    let recalled = network.retrieve_batch(patterns, steps, device)?;

    let mut overlap_sum = 0.0;
    let mut exact = 0;
    for (stored, last) in patterns.chunks_exact(size).zip(recalled.chunks_exact(size)) {
        overlap_sum += overlap(stored, last)?;
        if stored == last {
            exact += 1;
        }
    }
    Ok((overlap_sum / count as f64, exact as f64 / count as f64))
}

/// Searches the error-free capacity of the Hebb and Storkey rules at every size.
pub(super) fn run_error_free(config: &Config, device: &Device) -> Result<Vec<ErrorFreeCapacity>> {
    let mut results = Vec::new();
    for rule in ERROR_FREE_RULES {
        for &size in &config.sizes {
            let started = Instant::now();
            let upper = ((config.error_free_max_load * size as f64).floor() as usize).max(1);
            let per_repeat: Vec<usize> = (0..config.repeats)
                .into_par_iter()
                .map(|repeat| {
                    // Both rules see the same pattern sequence, so their results are paired.
                    let seed = derive_seed(
                        config.seed,
                        &[ERROR_FREE_STREAM, size as u64, repeat as u64],
                    );
                    let patterns = random_patterns(upper, size, seed);
                    largest_passing(upper, |count| {
                        all_fixed_points(&patterns[..count * size], size, rule, device)
                    })
                })
                .collect::<Result<_>>()?;

            let ln_n = (size as f64).ln();
            let capacity = ErrorFreeCapacity {
                rule: rule_name(rule),
                size,
                mean_patterns: mean(&per_repeat.iter().map(|&p| p as f64).collect::<Vec<_>>()),
                per_repeat,
                upper,
                theory_all_patterns: size as f64 / (4.0 * ln_n),
                theory_single_pattern: size as f64 / (2.0 * ln_n),
                theory_storkey: size as f64 / (2.0 * ln_n).sqrt(),
            };
            info!(
                rule = capacity.rule,
                size,
                per_repeat = ?capacity.per_repeat,
                seconds = started.elapsed().as_secs_f64(),
                "error-free capacity found"
            );
            results.push(capacity);
        }
    }
    Ok(results)
}

/// Checks whether one synchronous step from each of `patterns` changes no unit.
fn all_fixed_points(
    patterns: &[i8],
    size: usize,
    rule: LearningRule,
    device: &Device,
) -> Result<bool> {
    let network = ClassicHopfield::train(patterns, size, rule)?;
    let stepped = network.retrieve_batch(patterns, 1, device)?;
    Ok(stepped == patterns)
}

pub(super) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation, 0 for fewer than two values.
pub(super) fn standard_deviation(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let center = mean(values);
    let squares: f64 = values.iter().map(|v| (v - center).powi(2)).sum();
    (squares / (values.len() - 1) as f64).sqrt()
}
