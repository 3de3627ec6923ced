//! Permutation p-values for edge recovery and Benjamini-Hochberg adjustment across heads.
//!
//! The null relabels the nodes of the scored matrix uniformly at random, rows and columns by
//! the same permutation, and keeps the reference fixed. It keeps the score distribution and
//! the matrix structure but breaks their alignment with the reference. The
//! p-value counts the observed statistic among the null ones (Phipson and Smyth 2010, Stat.
//! Appl. Genet. Mol. Biol. 9:39): `p = (1 + #{null >= observed}) / (1 + samples)`.

use ncm_motifs::DiGraph;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::MappingError;
use crate::matrix::ArcWeights;
use crate::score::{Direction, auroc, scored_items};

/// Observed AUROC and its node-label permutation p-value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PermutationTest {
    /// AUROC of the scores as given.
    pub observed: f64,
    /// `(1 + #{null >= observed}) / (1 + samples)`.
    pub p_value: f64,
    /// AUROC of each relabelled copy, in sample order.
    pub null: Vec<f64>,
}

/// Tests whether `weights` recovers `reference` better than node-relabelled copies of itself.
///
/// Sample `i` draws its permutation from `ChaCha8Rng::seed_from_u64(seed)` with stream `i`, so
/// the result does not depend on the thread count.
///
/// # Errors
/// [`MappingError::InvalidParameter`] for `samples = 0`, and those of
/// [`crate::edge_recovery`].
pub fn permutation_test(
    weights: &ArcWeights,
    reference: &DiGraph,
    direction: Direction,
    samples: usize,
    seed: u64,
) -> Result<PermutationTest, MappingError> {
    if samples == 0 {
        return Err(MappingError::invalid(
            "samples",
            samples,
            "at least 1 permutation",
        ));
    }
    let observed = recovery_auroc(weights, reference, direction)?;
    let n = weights.node_count();
    let null: Vec<f64> = (0..samples)
        .into_par_iter()
        .map(|index| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(index as u64);
            let permutation = random_permutation(n, &mut rng);
            recovery_auroc(&weights.relabelled(&permutation), reference, direction)
        })
        .collect::<Result<_, _>>()?;
    let exceed = null.iter().filter(|&&value| value >= observed).count();
    let p_value = (1 + exceed) as f64 / (1 + samples) as f64;
    tracing::debug!(
        observed,
        p_value,
        samples,
        "finished node-label permutation test"
    );
    Ok(PermutationTest {
        observed,
        p_value,
        null,
    })
}

/// AUROC of `weights` against `reference`.
pub(crate) fn recovery_auroc(
    weights: &ArcWeights,
    reference: &DiGraph,
    direction: Direction,
) -> Result<f64, MappingError> {
    let (scores, labels) = scored_items(weights, reference, direction)?;
    auroc(&scores, &labels)
}

/// Draws a uniform permutation of `0..n` by the Fisher-Yates shuffle.
pub(crate) fn random_permutation(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut permutation: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i);
        permutation.swap(i, j);
    }
    permutation
}

/// Benjamini-Hochberg (1995, J. R. Stat. Soc. B 57:289) adjusted p-values, in input order:
/// `q_(k) = min_{j >= k} min(1, m p_(j) / j)` over the ascending order `p_(1) <= ... <= p_(m)`.
///
/// # Errors
/// [`MappingError::Empty`] for no p-values and [`MappingError::InvalidParameter`] for a value
/// outside `[0, 1]` or NaN.
pub fn benjamini_hochberg(p_values: &[f64]) -> Result<Vec<f64>, MappingError> {
    if p_values.is_empty() {
        return Err(MappingError::Empty { what: "p-values" });
    }
    if let Some(&bad) = p_values.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(MappingError::invalid("p-value", bad, "a number in [0, 1]"));
    }
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running_min = 1.0_f64;
    for (rank, &index) in order.iter().enumerate().rev() {
        let candidate = p_values[index] * m as f64 / (rank + 1) as f64;
        running_min = running_min.min(candidate);
        adjusted[index] = running_min;
    }
    Ok(adjusted)
}
