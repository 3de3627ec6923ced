//! Basins of attraction: the probability that a cue with a given fraction of flipped bits is
//! retrieved, for the Hebb and pseudo-inverse networks and the modern continuous network of
//! Ramsauer et al. 2021 (ICLR) storing the same random patterns as +-1 vectors.
//!
//! A cue counts as retrieved when the overlap of its final state with the cued pattern
//! exceeds [`Config::retrieval_overlap`]. The final state of the modern network is read by its
//! sign, with a component of exactly 0 counted as disagreeing.

use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::Device;
use ncm_ebm::hopfield::{corrupt, random_patterns};
use ncm_ebm::{ClassicHopfield, LearningRule, ModernHopfield};
use rayon::prelude::*;
use serde::Serialize;
use tracing::info;

use super::{Config, derive_seed, patterns_for_load, rule_name};

/// Seed stream of the basin patterns.
const BASIN_STREAM: u64 = 4;
/// Seed stream of the basin cues.
const BASIN_CUE_STREAM: u64 = 5;

/// Convergence tolerance of the modern network: it stops when no component moves by more.
pub(super) const MODERN_TOLERANCE: f64 = 1e-6;

/// Retrieval at one flip fraction.
#[derive(Serialize)]
pub(super) struct BasinPoint {
    pub flip_fraction: f64,
    /// Fraction of cues whose final overlap exceeds the retrieval threshold.
    pub retrieved_fraction: f64,
    /// Mean final overlap with the cued pattern.
    pub mean_overlap: f64,
}

/// Retrieval against the flip fraction for one network and load.
#[derive(Serialize)]
pub(super) struct BasinCurve {
    /// "Hebb", "pseudo-inverse" or "modern".
    pub model: &'static str,
    pub load: f64,
    pub patterns: usize,
    /// Inverse temperature of the modern network; `None` for the binary networks.
    pub beta: Option<f64>,
    pub points: Vec<BasinPoint>,
}

/// Corrupted copies of stored patterns, ordered by flip fraction, then pattern, then copy.
pub(super) struct CueSet {
    /// Cues, row-major B x N, values +-1.
    pub cues: Vec<i8>,
    /// Index into the flip fractions of each cue.
    pub fraction_index: Vec<usize>,
    /// Index of the stored pattern each cue was made from.
    pub target: Vec<usize>,
}

/// Makes `copies` cues per pattern and flip fraction, each flipping exactly
/// round(fraction N) units chosen with the seed `seed_of(fraction, pattern, copy)`.
pub(super) fn corrupted_cues(
    patterns: &[i8],
    size: usize,
    fractions: &[f64],
    copies: usize,
    seed_of: impl Fn(usize, usize, usize) -> u64,
) -> Result<CueSet> {
    let mut set = CueSet {
        cues: Vec::new(),
        fraction_index: Vec::new(),
        target: Vec::new(),
    };
    for (fraction_index, &fraction) in fractions.iter().enumerate() {
        for (target, pattern) in patterns.chunks_exact(size).enumerate() {
            for copy in 0..copies {
                set.cues.extend(corrupt(
                    pattern,
                    fraction,
                    seed_of(fraction_index, target, copy),
                )?);
                set.fraction_index.push(fraction_index);
                set.target.push(target);
            }
        }
    }
    Ok(set)
}

/// Runs the modern network from every cue and returns the signs of the final states,
/// row-major B x N, with 0 where a component is exactly 0.
pub(super) fn modern_final_signs(
    memory: &ModernHopfield,
    cues: &[i8],
    steps: usize,
) -> Result<Vec<i8>> {
    let size = memory.n_units();
    let states: Vec<Vec<i8>> = cues
        .par_chunks_exact(size)
        .map(|cue| -> Result<Vec<i8>> {
            let query: Vec<f32> = cue.iter().map(|&s| f32::from(s)).collect();
            let retrieval = memory.retrieve(&query, steps, MODERN_TOLERANCE)?;
            Ok(retrieval.state.iter().map(|&v| sign(v)).collect())
        })
        .collect::<Result<_>>()?;
    Ok(states.concat())
}

fn sign(value: f32) -> i8 {
    if value > 0.0 {
        1
    } else if value < 0.0 {
        -1
    } else {
        0
    }
}

/// Overlap (1/N) sum_i a_i b_i of two states whose entries are -1, 0 or +1.
pub(super) fn signed_overlap(a: &[i8], b: &[i8]) -> f64 {
    let dot: i64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| i64::from(x) * i64::from(y))
        .sum();
    dot as f64 / a.len() as f64
}

/// Converts +-1 patterns to the f32 patterns of a [`ModernHopfield`].
pub(super) fn as_continuous(patterns: &[i8]) -> Vec<f32> {
    patterns.iter().map(|&s| f32::from(s)).collect()
}

/// Measures the basin curves of every load.
pub(super) fn run(config: &Config, device: &Device) -> Result<Vec<BasinCurve>> {
    let mut curves = Vec::new();
    for (load_index, &load) in config.basin_loads.iter().enumerate() {
        let started = Instant::now();
        let count = patterns_for_load(load, config.basin_size);
        curves.extend(measure_load(config, load_index, device)?);
        info!(
            load,
            patterns = count,
            seconds = started.elapsed().as_secs_f64(),
            "basin curves measured"
        );
    }
    Ok(curves)
}

/// Measures every network's basin curve at load `config.basin_loads[load_index]`.
fn measure_load(config: &Config, load_index: usize, device: &Device) -> Result<Vec<BasinCurve>> {
    let size = config.basin_size;
    let load = config.basin_loads[load_index];
    let count = patterns_for_load(load, size);
    let patterns = random_patterns(
        count,
        size,
        derive_seed(config.seed, &[BASIN_STREAM, load_index as u64]),
    );
    let cue_seed = |fraction: usize, pattern: usize, copy: usize| {
        let indices = [load_index, fraction, pattern, copy].map(|i| i as u64);
        derive_seed(config.seed, &[&[BASIN_CUE_STREAM][..], &indices].concat())
    };
    let cue_set = corrupted_cues(
        &patterns,
        size,
        &config.basin_flip_fractions,
        config.basin_cues_per_pattern,
        cue_seed,
    )?;

    let mut curves = Vec::new();
    for rule in [LearningRule::Hebb, LearningRule::PseudoInverse] {
        let network = ClassicHopfield::train(&patterns, size, rule)?;
        let finals = network.retrieve_batch(&cue_set.cues, config.steps, device)?;
        let points = score(config, &patterns, &cue_set, &finals);
        curves.push(BasinCurve {
            model: rule_name(rule),
            load,
            patterns: count,
            beta: None,
            points,
        });
    }
    for &scale in &config.modern_beta_scales {
        let beta = scale / (size as f64).sqrt();
        let memory = ModernHopfield::new(as_continuous(&patterns), size, beta)
            .with_context(|| format!("invalid modern network with beta = {beta}"))?;
        let finals = modern_final_signs(&memory, &cue_set.cues, config.steps)?;
        let points = score(config, &patterns, &cue_set, &finals);
        curves.push(BasinCurve {
            model: "modern",
            load,
            patterns: count,
            beta: Some(beta),
            points,
        });
    }
    Ok(curves)
}

/// Scores the final states `finals` of the cues in `cue_set`, one point per flip fraction.
fn score(config: &Config, patterns: &[i8], cue_set: &CueSet, finals: &[i8]) -> Vec<BasinPoint> {
    let size = config.basin_size;
    let fractions = &config.basin_flip_fractions;
    let mut retrieved = vec![0usize; fractions.len()];
    let mut overlap_sum = vec![0.0; fractions.len()];
    let mut cues = vec![0usize; fractions.len()];
    for (cue, last) in finals.chunks_exact(size).enumerate() {
        let target = cue_set.target[cue];
        let bucket = cue_set.fraction_index[cue];
        let overlap = signed_overlap(last, &patterns[target * size..(target + 1) * size]);
        overlap_sum[bucket] += overlap;
        cues[bucket] += 1;
        if overlap > config.retrieval_overlap {
            retrieved[bucket] += 1;
        }
    }

    fractions
        .iter()
        .enumerate()
        .map(|(bucket, &flip_fraction)| BasinPoint {
            flip_fraction,
            retrieved_fraction: retrieved[bucket] as f64 / cues[bucket] as f64,
            mean_overlap: overlap_sum[bucket] / cues[bucket] as f64,
        })
        .collect()
}
