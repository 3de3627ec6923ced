//! Pattern helpers for retrieval experiments with the binary Hopfield network of Hopfield 1982
//! (PNAS 79:2554): the overlap m = (1/N) sum_i a_i b_i, seeded random +-1 patterns and cues
//! corrupted by flipping an exact number of bits.

use rand::seq::index::sample;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{EbmError, Result};
use crate::model::validate_spins;

/// Computes the overlap m = (1/N) sum_i a_i b_i of two +-1 states, which is 1 for equal
/// states and -1 for opposite ones.
///
/// # Errors
/// [`EbmError::ZeroSpins`] for empty states, [`EbmError::StateLengthMismatch`] when the
/// lengths differ and [`EbmError::InvalidSpin`] for values other than +-1.
pub fn overlap(a: &[i8], b: &[i8]) -> Result<f64> {
    if a.is_empty() {
        return Err(EbmError::ZeroSpins);
    }
    if a.len() != b.len() {
        return Err(EbmError::StateLengthMismatch { len: b.len(), n_spins: a.len() });
    }
    validate_spins(a, a.len())?;
    validate_spins(b, b.len())?;
    let sum: i64 = a.iter().zip(b).map(|(&x, &y)| i64::from(x) * i64::from(y)).sum();
    Ok(sum as f64 / a.len() as f64)
}

/// Draws `p` patterns of `n` independent, unbiased +-1 units, row-major P x N.
///
/// The same seed gives the same patterns.
pub fn random_patterns(p: usize, n: usize, seed: u64) -> Vec<i8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..p * n).map(|_| if rng.random::<bool>() { 1 } else { -1 }).collect()
}

/// Returns a copy of `pattern` with exactly round(fraction * N) distinct units flipped, chosen
/// uniformly at random with the given seed.
///
/// # Errors
/// [`EbmError::ZeroSpins`] for an empty pattern, [`EbmError::InvalidFraction`] for a fraction
/// outside [0, 1] or NaN, and [`EbmError::InvalidSpin`] for values other than +-1.
pub fn corrupt(pattern: &[i8], fraction: f64, seed: u64) -> Result<Vec<i8>> {
    if pattern.is_empty() {
        return Err(EbmError::ZeroSpins);
    }
    if !(0.0..=1.0).contains(&fraction) {
        return Err(EbmError::InvalidFraction { value: fraction });
    }
    validate_spins(pattern, pattern.len())?;

    let n = pattern.len();
    let n_flips = ((fraction * n as f64).round() as usize).min(n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut corrupted = pattern.to_vec();
    for index in sample(&mut rng, n, n_flips) {
        corrupted[index] = -corrupted[index];
    }
    Ok(corrupted)
}

/// Checks a row-major P x `n_units` buffer of +-1 patterns and returns P.
pub(crate) fn validate_binary_patterns(patterns: &[i8], n_units: usize) -> Result<usize> {
    if n_units == 0 {
        return Err(EbmError::ZeroSpins);
    }
    if patterns.is_empty() {
        return Err(EbmError::EmptyPatterns);
    }
    if patterns.len() % n_units != 0 {
        return Err(EbmError::PatternLengthMismatch { len: patterns.len(), n_units });
    }
    validate_spins(patterns, n_units)?;
    Ok(patterns.len() / n_units)
}

/// Checks that one state has `n_units` values of +-1.
pub(crate) fn validate_state(state: &[i8], n_units: usize) -> Result<()> {
    if state.len() != n_units {
        return Err(EbmError::StateLengthMismatch { len: state.len(), n_spins: n_units });
    }
    validate_spins(state, n_units)
}

/// Checks a row-major B x `n_units` buffer of +-1 cues and returns B (0 for an empty buffer).
pub(crate) fn validate_cues(cues: &[i8], n_units: usize) -> Result<usize> {
    if cues.len() % n_units != 0 {
        return Err(EbmError::SampleLengthMismatch { len: cues.len(), n_spins: n_units });
    }
    validate_spins(cues, n_units)?;
    Ok(cues.len() / n_units)
}
