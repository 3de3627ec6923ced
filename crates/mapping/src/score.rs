//! Scores of arc weights against a reference graph or reference weights.
//!
//! - AUROC is the Mann-Whitney U statistic over (edge, non-edge) pairs divided by their count,
//!   with tied scores given their mean rank (midrank), so a tie counts one half. This equals
//!   scikit-learn's `roc_auc_score`.
//! - AUPRC is average precision as scikit-learn's `average_precision_score` defines it: the
//!   step-wise sum `sum_k (R_k - R_{k-1}) P_k` over the distinct score thresholds, highest
//!   first, with no interpolation.
//! - Undirected scoring reads each unordered pair `{i, j}` once: its score is the larger of
//!   the two arc scores (max, so one strong direction suffices) and it is an edge when the
//!   reference has either arc.
//! - Weight correlations use the `n (n - 1)` off-diagonal entries.
//! - Motif-profile distances compare the triad significance profiles of Milo et al. 2004
//!   (Science 303:1538) over the classes both profiles define.

use ncm_motifs::{DiGraph, TriadSignificance};
use serde::Serialize;

use crate::error::MappingError;
use crate::matrix::ArcWeights;

/// Whether edge recovery reads arcs or unordered pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Each of the `n (n - 1)` arcs is one item.
    Directed,
    /// Each of the `n (n - 1) / 2` pairs is one item, scored by the larger arc score.
    Undirected,
}

/// Edge-recovery scores of arc weights against a reference graph.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EdgeRecovery {
    /// Area under the ROC curve, in `[0, 1]`; 0.5 is chance.
    pub auroc: f64,
    /// Average precision, in `(0, 1]`; chance is `positives / (positives + negatives)`.
    pub auprc: f64,
    /// Scored items that are reference edges.
    pub positives: usize,
    /// Scored items that are not.
    pub negatives: usize,
}

/// Checks that `scores` and `labels` match, are non-empty and finite, and contain both classes.
fn check_binary(scores: &[f64], labels: &[bool]) -> Result<(usize, usize), MappingError> {
    if scores.is_empty() {
        return Err(MappingError::Empty { what: "scores" });
    }
    if scores.len() != labels.len() {
        return Err(MappingError::SizeMismatch {
            what: "scores against labels",
            left: scores.len(),
            right: labels.len(),
        });
    }
    if let Some(index) = scores.iter().position(|s| !s.is_finite()) {
        return Err(MappingError::NonFinite {
            what: "scores",
            row: index,
            col: 0,
            value: scores[index],
        });
    }
    let positives = labels.iter().filter(|&&l| l).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(MappingError::OneClass {
            positives,
            negatives,
        });
    }
    Ok((positives, negatives))
}

/// Ranks `1..=len` of `values`, ties sharing their mean rank.
pub(crate) fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; their mean is (start + 1 + end) / 2.
        let rank = 0.5 * (start + 1 + end) as f64;
        order[start..end].iter().for_each(|&i| ranks[i] = rank);
        start = end;
    }
    ranks
}

/// Area under the ROC curve of `scores` for the binary `labels` (true = edge), by the
/// Mann-Whitney U statistic with midranks.
///
/// # Errors
/// [`MappingError::Empty`], [`MappingError::SizeMismatch`], [`MappingError::NonFinite`], and
/// [`MappingError::OneClass`] when the labels hold a single class.
pub fn auroc(scores: &[f64], labels: &[bool]) -> Result<f64, MappingError> {
    let (positives, negatives) = check_binary(scores, labels)?;
    Ok(auroc_unchecked(scores, labels, positives, negatives))
}

/// AUROC for inputs already checked by [`check_binary`].
pub(crate) fn auroc_unchecked(
    scores: &[f64],
    labels: &[bool],
    positives: usize,
    negatives: usize,
) -> f64 {
    let ranks = midranks(scores);
    let rank_sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|&(_, &label)| label)
        .map(|(rank, _)| rank)
        .sum();
    let (p, q) = (positives as f64, negatives as f64);
    (rank_sum - p * (p + 1.0) / 2.0) / (p * q)
}

/// Average precision of `scores` for the binary `labels`, as scikit-learn defines it.
///
/// # Errors
/// As for [`auroc`].
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Result<f64, MappingError> {
    let (positives, _) = check_binary(scores, labels)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));

    let mut precision_sum = 0.0;
    let (mut true_positives, mut seen) = (0_usize, 0_usize);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let new_positives = order[start..end].iter().filter(|&&i| labels[i]).count();
        true_positives += new_positives;
        seen = end;
        // Each threshold adds (recall step) x (precision at that threshold).
        precision_sum += new_positives as f64 * true_positives as f64 / seen as f64;
        start = end;
    }
    debug_assert_eq!(seen, order.len());
    Ok(precision_sum / positives as f64)
}

/// Scores and labels of the items that `direction` compares, in lexicographic order.
pub(crate) fn scored_items(
    weights: &ArcWeights,
    reference: &DiGraph,
    direction: Direction,
) -> Result<(Vec<f64>, Vec<bool>), MappingError> {
    let n = weights.node_count();
    if reference.node_count() != n {
        return Err(MappingError::SizeMismatch {
            what: "arc weights against reference graph",
            left: n,
            right: reference.node_count(),
        });
    }
    let mut scores = Vec::new();
    let mut labels = Vec::new();
    for s in 0..n {
        for t in 0..n {
            match direction {
                Direction::Directed if s != t => {
                    scores.push(weights.get(s, t));
                    labels.push(reference.has_edge(s, t));
                }
                Direction::Undirected if s < t => {
                    scores.push(weights.get(s, t).max(weights.get(t, s)));
                    labels.push(reference.has_edge(s, t) || reference.has_edge(t, s));
                }
                _ => {}
            }
        }
    }
    Ok((scores, labels))
}

/// AUROC and AUPRC of arc weights for recovering the edges of `reference`.
///
/// # Errors
/// [`MappingError::SizeMismatch`] if the node counts differ, [`MappingError::Empty`] for a
/// one-node graph, and [`MappingError::OneClass`] if the reference has no edge or every edge.
pub fn edge_recovery(
    weights: &ArcWeights,
    reference: &DiGraph,
    direction: Direction,
) -> Result<EdgeRecovery, MappingError> {
    let (scores, labels) = scored_items(weights, reference, direction)?;
    let (positives, negatives) = check_binary(&scores, &labels)?;
    Ok(EdgeRecovery {
        auroc: auroc_unchecked(&scores, &labels, positives, negatives),
        auprc: average_precision(&scores, &labels)?,
        positives,
        negatives,
    })
}

/// Checks two equal-length, finite, non-empty samples for a correlation.
fn check_pair(x: &[f64], y: &[f64]) -> Result<(), MappingError> {
    if x.len() < 2 {
        return Err(MappingError::Empty {
            what: "correlation input (needs at least 2 values)",
        });
    }
    if x.len() != y.len() {
        return Err(MappingError::SizeMismatch {
            what: "correlation inputs",
            left: x.len(),
            right: y.len(),
        });
    }
    for (what, values) in [
        ("first correlation input", x),
        ("second correlation input", y),
    ] {
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(MappingError::NonFinite {
                what,
                row: index,
                col: 0,
                value: values[index],
            });
        }
    }
    Ok(())
}

/// Pearson correlation of two samples.
///
/// # Errors
/// [`MappingError::Empty`] for fewer than 2 values, [`MappingError::SizeMismatch`],
/// [`MappingError::NonFinite`], and [`MappingError::Constant`] if either sample is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Result<f64, MappingError> {
    check_pair(x, y)?;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 {
        return Err(MappingError::Constant {
            what: "first correlation input",
        });
    }
    if syy == 0.0 {
        return Err(MappingError::Constant {
            what: "second correlation input",
        });
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Spearman rank correlation: Pearson correlation of the midranks (as `scipy.stats.spearmanr`).
///
/// # Errors
/// As for [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Result<f64, MappingError> {
    check_pair(x, y)?;
    pearson(&midranks(x), &midranks(y))
}

/// Pearson and Spearman correlation of two weight matrices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightCorrelation {
    /// Pearson correlation over the off-diagonal arcs.
    pub pearson: f64,
    /// Spearman correlation over the off-diagonal arcs.
    pub spearman: f64,
}

/// Correlates the off-diagonal arc scores of `weights` with those of `reference`.
///
/// # Errors
/// [`MappingError::SizeMismatch`] if the node counts differ, and those of [`pearson`].
pub fn weight_correlation(
    weights: &ArcWeights,
    reference: &ArcWeights,
) -> Result<WeightCorrelation, MappingError> {
    if weights.node_count() != reference.node_count() {
        return Err(MappingError::SizeMismatch {
            what: "arc weights against reference weights",
            left: weights.node_count(),
            right: reference.node_count(),
        });
    }
    let (x, y) = (weights.off_diagonal(), reference.off_diagonal());
    Ok(WeightCorrelation {
        pearson: pearson(&x, &y)?,
        spearman: spearman(&x, &y)?,
    })
}

/// Distance between two triad significance profiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfileDistance {
    /// Euclidean distance between the profiles over the shared classes; both are unit vectors
    /// over all their classes, so it lies in `[0, 2]`.
    pub euclidean: f64,
    /// Pearson correlation of the profiles over the shared classes.
    pub correlation: f64,
    /// Number of connected triad classes defined in both profiles.
    pub shared_classes: usize,
}

/// Compares the triad significance profiles of two graphs over the classes both define.
///
/// # Errors
/// [`MappingError::Empty`] if fewer than 2 classes are defined in both, and
/// [`MappingError::Constant`] if a profile is constant over them.
pub fn profile_distance(
    first: &TriadSignificance,
    second: &TriadSignificance,
) -> Result<ProfileDistance, MappingError> {
    let (x, y): (Vec<f64>, Vec<f64>) = first
        .significance_profile
        .iter()
        .zip(&second.significance_profile)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .unzip();
    let euclidean = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    Ok(ProfileDistance {
        euclidean,
        correlation: pearson(&x, &y)?,
        shared_classes: x.len(),
    })
}
