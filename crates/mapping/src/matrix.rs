//! Square weight matrices and the arc convention that turns them into scores per arc.
//!
//! Conventions, fixed here once for the whole crate:
//!
//! - [`Orientation::TargetRow`] is how attention reads: `A[i][j]` is how much token `i` attends
//!   to token `j`, so information flows `j -> i` and the entry scores the arc `j -> i`.
//! - [`Orientation::SourceRow`] is how adjacency matrices, connectomes and the Granger baseline
//!   read: `W[i][j]` scores the arc `i -> j`.
//! - [`Orientation::Symmetric`] is for couplings (`J_ij = J_ji`): the arcs `i -> j` and
//!   `j -> i` both get the mean `(W[i][j] + W[j][i]) / 2`.
//!
//! The diagonal never scores an arc (a simple digraph has no self-loops), so it is kept in
//! [`ArcWeights`] but skipped by every score and graph built from it.

use serde::{Deserialize, Serialize};

use crate::error::MappingError;

/// Mapping from the entries of a square matrix to arcs, as the module doc describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// `M[i][j]` scores the arc `j -> i` (attention: token `i` attends to token `j`).
    #[default]
    TargetRow,
    /// `M[i][j]` scores the arc `i -> j` (adjacency, Granger).
    SourceRow,
    /// Both arcs between `i` and `j` get `(M[i][j] + M[j][i]) / 2` (couplings).
    Symmetric,
}

/// Whether arc scores keep their sign or use magnitudes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightSign {
    /// `|w|`: strong negative couplings count as strong arcs. Default.
    #[default]
    Absolute,
    /// `w` as given: negative entries rank below zero.
    Signed,
}

/// Checks that `data` is a finite `rows x cols` row-major matrix with both sizes positive.
pub(crate) fn check_matrix(
    what: &'static str,
    data: &[f64],
    rows: usize,
    cols: usize,
) -> Result<(), MappingError> {
    if rows == 0 || cols == 0 {
        return Err(MappingError::Empty { what });
    }
    let expected = rows.checked_mul(cols).unwrap_or(usize::MAX);
    if data.len() != expected {
        return Err(MappingError::Shape {
            what,
            len: data.len(),
            rows,
            cols,
            expected,
        });
    }
    if let Some(index) = data.iter().position(|value| !value.is_finite()) {
        return Err(MappingError::NonFinite {
            what,
            row: index / cols,
            col: index % cols,
            value: data[index],
        });
    }
    Ok(())
}

/// Scores of the `n (n - 1)` possible arcs of a graph on `n` nodes, stored `n x n` row-major in
/// source-row order: `get(s, t)` scores the arc `s -> t`. The diagonal is ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct ArcWeights {
    node_count: usize,
    weights: Vec<f64>,
}

impl ArcWeights {
    /// Reads an `n x n` row-major matrix with the given orientation and sign handling.
    ///
    /// # Errors
    /// [`MappingError::Empty`] for `n = 0`, [`MappingError::Shape`] if `matrix.len() != n * n`,
    /// and [`MappingError::NonFinite`] for a NaN or infinite entry.
    pub fn from_matrix(
        matrix: &[f64],
        node_count: usize,
        orientation: Orientation,
        sign: WeightSign,
    ) -> Result<Self, MappingError> {
        check_matrix("weight matrix", matrix, node_count, node_count)?;
        let n = node_count;
        let entry = |i: usize, j: usize| matrix[i * n + j];
        let mut weights = vec![0.0; n * n];
        for source in 0..n {
            for target in 0..n {
                let weight = match orientation {
                    Orientation::TargetRow => entry(target, source),
                    Orientation::SourceRow => entry(source, target),
                    Orientation::Symmetric => 0.5 * (entry(source, target) + entry(target, source)),
                };
                weights[source * n + target] = match sign {
                    WeightSign::Absolute => weight.abs(),
                    WeightSign::Signed => weight,
                };
            }
        }
        Ok(Self {
            node_count: n,
            weights,
        })
    }

    /// Reads a matrix whose rows and columns are not yet known to be equal.
    ///
    /// # Errors
    /// [`MappingError::NotSquare`] if `rows != cols`, then those of [`ArcWeights::from_matrix`].
    pub fn from_rows_cols(
        matrix: &[f64],
        rows: usize,
        cols: usize,
        orientation: Orientation,
        sign: WeightSign,
    ) -> Result<Self, MappingError> {
        if rows != cols {
            return Err(MappingError::NotSquare {
                what: "weight matrix",
                rows,
                cols,
            });
        }
        Self::from_matrix(matrix, rows, orientation, sign)
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Score of the arc `source -> target`.
    ///
    /// # Panics
    /// If either index is `>= node_count`.
    pub fn get(&self, source: usize, target: usize) -> f64 {
        self.weights[source * self.node_count + target]
    }

    /// Returns the `n x n` scores in source-row order, with the diagonal as the input had it.
    pub fn as_slice(&self) -> &[f64] {
        &self.weights
    }

    /// Scores of all off-diagonal arcs in lexicographic `(source, target)` order.
    pub fn off_diagonal(&self) -> Vec<f64> {
        let n = self.node_count;
        (0..n)
            .flat_map(|s| (0..n).filter(move |&t| t != s).map(move |t| (s, t)))
            .map(|(s, t)| self.get(s, t))
            .collect()
    }

    /// Returns the scores with nodes relabelled: node `v` becomes `permutation[v]`.
    pub(crate) fn relabelled(&self, permutation: &[usize]) -> Self {
        let n = self.node_count;
        let mut weights = vec![0.0; n * n];
        for s in 0..n {
            for t in 0..n {
                weights[permutation[s] * n + permutation[t]] = self.get(s, t);
            }
        }
        Self {
            node_count: n,
            weights,
        }
    }
}

/// Cholesky factor `L` (lower, row-major) of a symmetric positive definite `n x n` matrix.
pub(crate) fn cholesky(
    what: &'static str,
    matrix: &[f64],
    n: usize,
) -> Result<Vec<f64>, MappingError> {
    let mut lower = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| lower[i * n + k] * lower[j * n + k]).sum();
            let value = matrix[i * n + j] - dot;
            if i == j {
                // A relative floor keeps a numerically singular matrix from passing.
                let scale = matrix[i * n + i].abs().max(f64::MIN_POSITIVE);
                if !(value > 1e-12 * scale) {
                    return Err(MappingError::NotPositiveDefinite {
                        what,
                        row: i,
                        pivot: value,
                    });
                }
                lower[i * n + i] = value.sqrt();
            } else {
                lower[i * n + j] = value / lower[j * n + j];
            }
        }
    }
    Ok(lower)
}

/// Solves `L L^T x = b` given the Cholesky factor `L`.
pub(crate) fn cholesky_solve(lower: &[f64], n: usize, rhs: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let dot: f64 = (0..i).map(|k| lower[i * n + k] * y[k]).sum();
        y[i] = (rhs[i] - dot) / lower[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let dot: f64 = (i + 1..n).map(|k| lower[k * n + i] * x[k]).sum();
        x[i] = (y[i] - dot) / lower[i * n + i];
    }
    x
}

/// Inverse of a symmetric positive definite matrix, through its Cholesky factor.
pub(crate) fn spd_inverse(
    what: &'static str,
    matrix: &[f64],
    n: usize,
) -> Result<Vec<f64>, MappingError> {
    let lower = cholesky(what, matrix, n)?;
    let mut inverse = vec![0.0; n * n];
    let mut unit = vec![0.0; n];
    for column in 0..n {
        unit.iter_mut().for_each(|u| *u = 0.0);
        unit[column] = 1.0;
        let solved = cholesky_solve(&lower, n, &unit);
        for row in 0..n {
            inverse[row * n + column] = solved[row];
        }
    }
    Ok(inverse)
}
