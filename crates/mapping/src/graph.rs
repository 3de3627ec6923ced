//! Binary directed graphs from arc scores: by threshold, or by keeping the strongest arcs per
//! node or overall. Orientation, sign and diagonal handling are settled by [`ArcWeights`].

use ncm_motifs::DiGraph;
use serde::{Deserialize, Serialize};

use crate::error::MappingError;
use crate::matrix::ArcWeights;

/// Rule that selects the arcs of an [`ArcWeights`] that become edges of the graph.
///
/// Ties at the cut are broken by the lower `(source, target)` pair, so the result is
/// deterministic. Self-loops are never kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeSelection {
    /// Every arc whose score is strictly greater than the value.
    Threshold(f64),
    /// The `k` highest-scoring incoming arcs of each node. For attention read with
    /// [`crate::Orientation::TargetRow`] these are the `k` largest entries of each row.
    TopKIncoming(usize),
    /// The `k` highest-scoring outgoing arcs of each node.
    TopKOutgoing(usize),
    /// The `k` highest-scoring arcs of the whole graph.
    TopKGlobal(usize),
}

/// Builds the graph of the arcs that `selection` keeps.
///
/// # Errors
/// [`MappingError::InvalidParameter`] for a non-finite threshold, or a `k` above the number of
/// candidate arcs (`n - 1` per node, `n (n - 1)` overall).
pub fn to_digraph(weights: &ArcWeights, selection: EdgeSelection) -> Result<DiGraph, MappingError> {
    let n = weights.node_count();
    let arcs: Vec<(usize, usize)> = match selection {
        EdgeSelection::Threshold(threshold) => {
            if !threshold.is_finite() {
                return Err(MappingError::invalid(
                    "threshold",
                    threshold,
                    "a finite number",
                ));
            }
            off_diagonal_pairs(n)
                .filter(|&(s, t)| weights.get(s, t) > threshold)
                .collect()
        }
        EdgeSelection::TopKIncoming(k) => {
            check_k(k, n.saturating_sub(1))?;
            (0..n)
                .flat_map(|t| strongest(weights, (0..n).filter(|&s| s != t).map(|s| (s, t)), k))
                .collect()
        }
        EdgeSelection::TopKOutgoing(k) => {
            check_k(k, n.saturating_sub(1))?;
            (0..n)
                .flat_map(|s| strongest(weights, (0..n).filter(|&t| t != s).map(|t| (s, t)), k))
                .collect()
        }
        EdgeSelection::TopKGlobal(k) => {
            check_k(k, n * n.saturating_sub(1))?;
            strongest(weights, off_diagonal_pairs(n), k)
        }
    };
    Ok(DiGraph::from_edges(n, &arcs)?)
}

/// Returns all `(source, target)` pairs with `source != target`, in lexicographic order.
pub(crate) fn off_diagonal_pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |s| (0..n).filter(move |&t| t != s).map(move |t| (s, t)))
}

/// Rejects a `k` larger than the number of candidates.
fn check_k(k: usize, candidates: usize) -> Result<(), MappingError> {
    if k > candidates {
        return Err(MappingError::InvalidParameter {
            name: "k",
            value: k.to_string(),
            expected: "at most the number of candidate arcs (n - 1 per node, n (n - 1) overall)",
        });
    }
    Ok(())
}

/// Returns the `k` highest-scoring pairs. The sort is stable, so ties keep the input order.
fn strongest(
    weights: &ArcWeights,
    pairs: impl Iterator<Item = (usize, usize)>,
    k: usize,
) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = pairs.collect();
    pairs.sort_by(|&(a, b), &(c, d)| weights.get(c, d).total_cmp(&weights.get(a, b)));
    pairs.truncate(k);
    pairs
}

/// Builds a graph from an `n x n` boolean adjacency in source-row order (`adjacency[s * n + t]`
/// is the arc `s -> t`); the diagonal is ignored.
///
/// # Errors
/// [`MappingError::Empty`] for `n = 0` and [`MappingError::Shape`] for a wrong length.
pub fn digraph_from_adjacency(adjacency: &[bool], n: usize) -> Result<DiGraph, MappingError> {
    if n == 0 {
        return Err(MappingError::Empty { what: "adjacency" });
    }
    if adjacency.len() != n * n {
        return Err(MappingError::Shape {
            what: "adjacency",
            len: adjacency.len(),
            rows: n,
            cols: n,
            expected: n * n,
        });
    }
    let arcs: Vec<(usize, usize)> = off_diagonal_pairs(n)
        .filter(|&(s, t)| adjacency[s * n + t])
        .collect();
    Ok(DiGraph::from_edges(n, &arcs)?)
}
