//! Retrieval of correlated real patterns: the first image of each digit 0 to 9 of the
//! scikit-learn digits, binarised to +1 where the pixel exceeds [`Config::digit_threshold`]
//! and -1 elsewhere. The Hebb, pseudo-inverse and modern networks store the ten patterns and
//! recall them from cues with a fraction of their pixels flipped.
//!
//! A cue is recalled exactly when its final state equals the stored image, and ends nearest
//! the right image when its final state has a strictly larger overlap with that image than
//! with any other stored one.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use ncm_data::{DIGIT_PIXELS, DataDir, Digits};
use ncm_ebm::{ClassicHopfield, LearningRule, ModernHopfield};
use serde::Serialize;
use tracing::info;

use super::basins::{CueSet, as_continuous, corrupted_cues, modern_final_signs, signed_overlap};
use super::{Config, derive_seed};

/// Seed stream of the digit cues.
const DIGIT_CUE_STREAM: u64 = 6;

/// One method at one flip fraction.
#[derive(Serialize)]
pub(super) struct DigitScore {
    pub flip_fraction: f64,
    /// Fraction of cues whose final state equals the cued image.
    pub exact_fraction: f64,
    /// Fraction of cues whose final state is strictly nearest the cued image.
    pub nearest_fraction: f64,
    /// Mean final overlap with the cued image.
    pub mean_overlap: f64,
}

/// One retrieval method on the digits.
#[derive(Serialize)]
pub(super) struct DigitMethod {
    pub name: String,
    /// Inverse temperature of a modern network.
    pub beta: Option<f64>,
    /// Stored images recalled exactly when the dynamics start at them; `None` for the cue
    /// baseline, which has no dynamics.
    pub stored_recalled: Option<usize>,
    pub scores: Vec<DigitScore>,
}

/// The digit patterns and every method's scores.
#[derive(Serialize)]
pub(super) struct DigitsResult {
    /// Index in the data set of the stored image of each digit 0 to 9.
    pub image_indices: Vec<usize>,
    /// Pixels set to +1 in each stored pattern.
    pub active_pixels: Vec<usize>,
    /// Mean and largest overlap between two distinct stored patterns.
    pub mean_pair_overlap: f64,
    pub max_pair_overlap: f64,
    /// Cues per flip fraction (10 digits times the cues per pattern).
    pub cues_per_fraction: usize,
    pub methods: Vec<DigitMethod>,
}

/// Loads the digits, stores one image per class and scores every method.
pub(super) fn run(config: &Config, data_dir: &Path, device: &Device) -> Result<DigitsResult> {
    let path = DataDir::new(data_dir).digits();
    let digits = ncm_data::read_digits(&path).with_context(|| {
        format!(
            "cannot read the scikit-learn digits from {}",
            path.display()
        )
    })?;
    let image_indices = first_image_per_digit(&digits)?;
    let patterns = binarise(&digits, &image_indices, config.digit_threshold);
    let (mean_pair_overlap, max_pair_overlap) = pair_overlaps(&patterns);

    let cue_set = corrupted_cues(
        &patterns,
        DIGIT_PIXELS,
        &config.digit_flip_fractions,
        config.digit_cues_per_pattern,
        |fraction, pattern, copy| {
            derive_seed(
                config.seed,
                &[
                    DIGIT_CUE_STREAM,
                    fraction as u64,
                    pattern as u64,
                    copy as u64,
                ],
            )
        },
    )?;

    let mut methods = vec![DigitMethod {
        name: "cue, no dynamics".to_owned(),
        beta: None,
        stored_recalled: None,
        scores: score(config, &patterns, &cue_set, &cue_set.cues),
    }];
    for rule in [LearningRule::Hebb, LearningRule::PseudoInverse] {
        let network = ClassicHopfield::train(&patterns, DIGIT_PIXELS, rule).with_context(|| {
            format!(
                "{} training on the ten digit patterns failed",
                super::rule_name(rule)
            )
        })?;
        let from_stored = network.retrieve_batch(&patterns, config.steps, device)?;
        let finals = network.retrieve_batch(&cue_set.cues, config.steps, device)?;
        methods.push(DigitMethod {
            name: super::rule_name(rule).to_owned(),
            beta: None,
            stored_recalled: Some(count_exact(&patterns, &from_stored)),
            scores: score(config, &patterns, &cue_set, &finals),
        });
    }
    for &scale in &config.modern_beta_scales {
        let beta = scale / (DIGIT_PIXELS as f64).sqrt();
        let memory = ModernHopfield::new(as_continuous(&patterns), DIGIT_PIXELS, beta)?;
        let from_stored = modern_final_signs(&memory, &patterns, config.steps)?;
        let finals = modern_final_signs(&memory, &cue_set.cues, config.steps)?;
        methods.push(DigitMethod {
            name: format!("modern, beta = {beta}"),
            beta: Some(beta),
            stored_recalled: Some(count_exact(&patterns, &from_stored)),
            scores: score(config, &patterns, &cue_set, &finals),
        });
    }

    info!(
        mean_pair_overlap,
        max_pair_overlap, "digit retrieval measured"
    );
    Ok(DigitsResult {
        active_pixels: patterns
            .chunks_exact(DIGIT_PIXELS)
            .map(|p| p.iter().filter(|&&s| s > 0).count())
            .collect(),
        image_indices,
        mean_pair_overlap,
        max_pair_overlap,
        cues_per_fraction: 10 * config.digit_cues_per_pattern,
        methods,
    })
}

/// Returns the index of the first image of each digit 0 to 9.
fn first_image_per_digit(digits: &Digits) -> Result<Vec<usize>> {
    (0..=9u8)
        .map(
            |digit| match digits.labels.iter().position(|&label| label == digit) {
                Some(index) => Ok(index),
                None => {
                    bail!("the digits data has no image of digit {digit}; fetch the data again")
                }
            },
        )
        .collect()
}

/// Binarises the chosen images: +1 where the pixel exceeds `threshold`, else -1.
fn binarise(digits: &Digits, indices: &[usize], threshold: u8) -> Vec<i8> {
    indices
        .iter()
        .flat_map(|&index| digits.image(index).expect("indices come from the labels"))
        .map(|&pixel| if pixel > threshold { 1 } else { -1 })
        .collect()
}

/// Returns the mean and the largest overlap over pairs of distinct patterns.
fn pair_overlaps(patterns: &[i8]) -> (f64, f64) {
    let rows: Vec<&[i8]> = patterns.chunks_exact(DIGIT_PIXELS).collect();
    let mut overlaps = Vec::new();
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            overlaps.push(signed_overlap(a, b));
        }
    }
    let mean = overlaps.iter().sum::<f64>() / overlaps.len() as f64;
    (
        mean,
        overlaps.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

fn count_exact(patterns: &[i8], finals: &[i8]) -> usize {
    patterns
        .chunks_exact(DIGIT_PIXELS)
        .zip(finals.chunks_exact(DIGIT_PIXELS))
        .filter(|(stored, last)| stored == last)
        .count()
}

/// Scores the final states `finals` of the cues in `cue_set`, one score per flip fraction.
fn score(config: &Config, patterns: &[i8], cue_set: &CueSet, finals: &[i8]) -> Vec<DigitScore> {
    let rows: Vec<&[i8]> = patterns.chunks_exact(DIGIT_PIXELS).collect();
    let fractions = &config.digit_flip_fractions;
    let mut exact = vec![0usize; fractions.len()];
    let mut nearest = vec![0usize; fractions.len()];
    let mut overlap_sum = vec![0.0; fractions.len()];
    let mut cues = vec![0usize; fractions.len()];
    for (cue, last) in finals.chunks_exact(DIGIT_PIXELS).enumerate() {
        let target = cue_set.target[cue];
        let bucket = cue_set.fraction_index[cue];
        let overlaps: Vec<f64> = rows.iter().map(|row| signed_overlap(last, row)).collect();
        let own = overlaps[target];
        cues[bucket] += 1;
        overlap_sum[bucket] += own;
        if last == rows[target] {
            exact[bucket] += 1;
        }
        if overlaps
            .iter()
            .enumerate()
            .all(|(other, &m)| other == target || m < own)
        {
            nearest[bucket] += 1;
        }
    }

    fractions
        .iter()
        .enumerate()
        .map(|(bucket, &flip_fraction)| DigitScore {
            flip_fraction,
            exact_fraction: exact[bucket] as f64 / cues[bucket] as f64,
            nearest_fraction: nearest[bucket] as f64 / cues[bucket] as f64,
            mean_overlap: overlap_sum[bucket] / cues[bucket] as f64,
        })
        .collect()
}
