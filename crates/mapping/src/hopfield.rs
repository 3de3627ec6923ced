//! Diagnosis of an attention head as a modern Hopfield update (Ramsauer et al. 2021, ICLR,
//! "Hopfield networks is all you need"): each attention row is the softmax
//! `p = softmax(beta X^T xi)` of one query `xi` over the stored patterns (keys) `X`.
//!
//! - Regime: each row's perplexity `k = exp(-sum_j p_j ln p_j)` is the effective number of
//!   patterns it averages (1 for one-hot, `P` for uniform). A row is a single pattern for
//!   `k < 3/2`, a global average for `k >= P - 1/2`, and metastable in between, the rule of
//!   `ncm_ebm::hopfield::Regime::from_attention`. The head's regime is that of its median
//!   row perplexity.
//! - Ramsauer et al. also count, per row, the largest weights needed to reach 90% of the mass
//!   (their `k` in the analysis of BERT heads). The head reports the median of that count.
//! - Effective inverse temperature: given the raw similarities `s = X^T xi` behind each row,
//!   [`fit_inverse_temperature`] finds the `beta` that maximises
//!   `sum_rows sum_j p_j ln softmax(beta s)_j`, the cross-entropy fit of `softmax(beta s)` to
//!   the observed rows. Its gradient `sum_rows (E_p[s] - E_softmax(beta s)[s])` falls
//!   monotonically in `beta`, so bisection finds the root. For rows built as
//!   `softmax(beta_0 s)` it returns `beta_0`.

use serde::Serialize;

use crate::error::MappingError;
use crate::matrix::check_matrix;

/// Fixed-point regime of a modern Hopfield update, with the perplexity thresholds of
/// `ncm_ebm::hopfield::Regime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HopfieldRegime {
    /// Perplexity `>= P - 1/2`: the update returns close to the mean of all patterns.
    GlobalAverage,
    /// Perplexity in `[3/2, P - 1/2)`: the update averages a subset of patterns.
    Metastable,
    /// Perplexity `< 3/2`: the update retrieves one pattern.
    SinglePattern,
}

impl HopfieldRegime {
    /// Classifies a row of `patterns` weights by its perplexity.
    pub fn from_perplexity(perplexity: f64, patterns: usize) -> Self {
        if perplexity < 1.5 || patterns <= 1 {
            Self::SinglePattern
        } else if perplexity >= patterns as f64 - 0.5 {
            Self::GlobalAverage
        } else {
            Self::Metastable
        }
    }
}

/// Hopfield diagnosis of one attention head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadDiagnosis {
    /// Regime of the median row perplexity.
    pub regime: HopfieldRegime,
    /// Median over rows of the perplexity, in `[1, P]`.
    pub median_perplexity: f64,
    /// Mean over rows of the entropy divided by `ln P`: 0 for one-hot rows, 1 for uniform ones.
    /// Zero when `P = 1`.
    pub mean_normalised_entropy: f64,
    /// Median over rows of the number of largest weights that reach 90% of the row's mass.
    pub median_k90: f64,
    /// Rows in each regime: single pattern, metastable, global average.
    pub row_regimes: [usize; 3],
}

/// Checks that every row of `attention` is a probability distribution (within `1e-6`).
fn check_rows(attention: &[f64], rows: usize, cols: usize) -> Result<(), MappingError> {
    check_matrix("attention", attention, rows, cols)?;
    for (row, weights) in attention.chunks_exact(cols).enumerate() {
        let sum: f64 = weights.iter().sum();
        let min = weights.iter().copied().fold(f64::INFINITY, f64::min);
        if min < 0.0 || (sum - 1.0).abs() > 1e-6 {
            return Err(MappingError::NotDistribution { row, sum, min });
        }
    }
    Ok(())
}

/// Returns the entropy of a distribution in nats (`0 ln 0 = 0`).
fn entropy(weights: &[f64]) -> f64 {
    weights
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| -p * p.ln())
        .sum()
}

/// Returns the number of largest weights whose sum reaches 90% of the row's mass.
fn k90(weights: &[f64]) -> usize {
    let mut sorted = weights.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = sorted.iter().sum();
    let mut cumulative = 0.0;
    for (index, weight) in sorted.iter().enumerate() {
        cumulative += weight;
        // The small slack keeps rounding from pushing an exact 90% to the next weight.
        if cumulative >= 0.9 * total - 1e-12 {
            return index + 1;
        }
    }
    sorted.len()
}

/// Returns the median of a non-empty sample.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        0.5 * (values[middle - 1] + values[middle])
    }
}

/// Diagnoses a head from its `rows x cols` attention matrix, row-major, each row a softmax
/// over the `cols` patterns (average over batch and time first if needed).
///
/// # Errors
/// [`MappingError::Empty`], [`MappingError::Shape`], [`MappingError::NonFinite`], and
/// [`MappingError::NotDistribution`] for a row with a negative weight or a sum away from 1.
pub fn diagnose_head(
    attention: &[f64],
    rows: usize,
    cols: usize,
) -> Result<HeadDiagnosis, MappingError> {
    check_rows(attention, rows, cols)?;
    let log_patterns = (cols as f64).ln();
    let mut perplexities = Vec::with_capacity(rows);
    let mut k90s = Vec::with_capacity(rows);
    let mut entropy_sum = 0.0;
    let mut row_regimes = [0_usize; 3];
    for weights in attention.chunks_exact(cols) {
        let row_entropy = entropy(weights);
        let perplexity = row_entropy.exp();
        let slot = match HopfieldRegime::from_perplexity(perplexity, cols) {
            HopfieldRegime::SinglePattern => 0,
            HopfieldRegime::Metastable => 1,
            HopfieldRegime::GlobalAverage => 2,
        };
        row_regimes[slot] += 1;
        if cols > 1 {
            entropy_sum += row_entropy / log_patterns;
        }
        perplexities.push(perplexity);
        k90s.push(k90(weights) as f64);
    }

    let median_perplexity = median(perplexities);
    Ok(HeadDiagnosis {
        regime: HopfieldRegime::from_perplexity(median_perplexity, cols),
        median_perplexity,
        mean_normalised_entropy: entropy_sum / rows as f64,
        median_k90: median(k90s),
        row_regimes,
    })
}

/// Largest `|beta|` that [`fit_inverse_temperature`] searches.
pub const MAX_INVERSE_TEMPERATURE: f64 = 1e6;

/// Fits one inverse temperature to a head: the `beta` for which `softmax(beta s)` best matches
/// the attention rows in cross-entropy, where `similarities` contains the raw scores `s = q . k`
/// behind each row (same `rows x cols` shape, without the `1 / sqrt(d)` scaling, which the
/// fitted `beta` then absorbs).
///
/// # Errors
/// Those of [`diagnose_head`] for `attention`, [`MappingError::Shape`] and
/// [`MappingError::NonFinite`] for `similarities`, [`MappingError::Constant`] when every row of
/// `similarities` is constant (then any `beta` fits), and
/// [`MappingError::UnboundedInverseTemperature`] when no `|beta| <=`
/// [`MAX_INVERSE_TEMPERATURE`] is optimal, as for rows whose whole mass sits on their largest
/// (or smallest) similarity.
pub fn fit_inverse_temperature(
    attention: &[f64],
    similarities: &[f64],
    rows: usize,
    cols: usize,
) -> Result<f64, MappingError> {
    check_rows(attention, rows, cols)?;
    check_matrix("similarities", similarities, rows, cols)?;
    let varies = similarities
        .chunks_exact(cols)
        .any(|s| s.iter().any(|&value| value != s[0]));
    if !varies {
        return Err(MappingError::Constant {
            what: "every row of similarities",
        });
    }
    let gradient = |beta: f64| -> f64 {
        attention
            .chunks_exact(cols)
            .zip(similarities.chunks_exact(cols))
            .map(|(p, s)| {
                let observed: f64 = p.iter().zip(s).map(|(p, s)| p * s).sum();
                observed - softmax_mean(s, beta)
            })
            .sum()
    };

    // As beta -> +infinity (-infinity) the gradient tends to minus the summed gap between each
    // row's largest (plus its smallest) similarity and its observed mean similarity, so a zero
    // gap means no finite optimum.
    let (mut gap_above, mut gap_below, mut scale) = (0.0, 0.0, 0.0_f64);
    for (p, s) in attention
        .chunks_exact(cols)
        .zip(similarities.chunks_exact(cols))
    {
        let observed: f64 = p.iter().zip(s).map(|(p, s)| p * s).sum();
        let largest = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let smallest = s.iter().copied().fold(f64::INFINITY, f64::min);
        gap_above += largest - observed;
        gap_below += observed - smallest;
        scale += largest - smallest;
    }
    if gap_above <= 1e-12 * scale || gap_below <= 1e-12 * scale {
        return Err(MappingError::UnboundedInverseTemperature {
            max: MAX_INVERSE_TEMPERATURE,
        });
    }

    let (mut low, mut high) = (-1.0, 1.0);
    while gradient(low) < 0.0 || gradient(high) > 0.0 {
        if high >= MAX_INVERSE_TEMPERATURE {
            return Err(MappingError::UnboundedInverseTemperature {
                max: MAX_INVERSE_TEMPERATURE,
            });
        }
        low *= 2.0;
        high *= 2.0;
    }
    // The gradient falls from >= 0 at `low` to <= 0 at `high`.
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if gradient(middle) > 0.0 {
            low = middle;
        } else {
            high = middle;
        }
        if high - low <= 1e-12 * high.abs().max(1.0) {
            break;
        }
    }
    Ok(0.5 * (low + high))
}

/// Returns `E[s]` under `softmax(beta s)`, shifted by the maximum for stability.
fn softmax_mean(similarities: &[f64], beta: f64) -> f64 {
    let scaled: Vec<f64> = similarities.iter().map(|&s| beta * s).collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut normaliser, mut weighted) = (0.0, 0.0);
    for (&z, &s) in scaled.iter().zip(similarities) {
        let weight = (z - max).exp();
        normaliser += weight;
        weighted += weight * s;
    }
    weighted / normaliser
}
