//! Learning rules that turn +-1 patterns xi_mu (P x N) into the symmetric weights of the binary
//! Hopfield network of Hopfield 1982 (PNAS 79:2554).
//!
//! - Hebb: w_ij = (1/N) sum_mu xi_mu,i xi_mu,j for i != j, w_ii = 0.
//! - Storkey 1997 (ICANN, "Increasing the capacity of a Hopfield network without sacrificing
//!   functionality"), applied one pattern at a time from W = 0:
//!   w_ij += (1/N) (xi_i xi_j - xi_i h_ji - h_ij xi_j) for i != j, with the local field
//!   h_ij = sum_{k != i, j} w_ik xi_k of the weights before the pattern; w_ii stays 0.
//! - Pseudo-inverse (projection) rule of Personnaz et al. 1985 (J. Physique Lett. 46:L359) and
//!   Kanter and Sompolinsky 1987 (Phys. Rev. A 35:380): W = Xi (Xi^T Xi)^-1 Xi^T with Xi the
//!   N x P matrix whose columns are the patterns, so W xi_mu = xi_mu for every pattern. The
//!   diagonal is then set to 0, the variant Kanter and Sompolinsky analyse: the projection's
//!   diagonal is about P/N, and keeping it makes almost every state near a pattern stable,
//!   which shrinks the basins of attraction as P approaches N. Each pattern stays a fixed
//!   point after zeroing as long as every w_ii < 1.

use crate::error::{EbmError, Result};

/// Smallest Cholesky pivot of the Gram matrix Xi^T Xi, relative to N, accepted as linearly
/// independent. Pivots of exactly dependent +-1 patterns are 0 up to rounding of about
/// 1e-16 N P, and those of random independent patterns are of order N - mu.
// NOTE: an independent but nearly dependent set whose pivot falls below this bound is
// rejected as dependent.
const MIN_RELATIVE_PIVOT: f64 = 1e-10;

/// Rule that sets the weights of a [`crate::hopfield::ClassicHopfield`] from +-1 patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearningRule {
    /// Outer-product rule w_ij = (1/N) sum_mu xi_mu,i xi_mu,j, zero diagonal. It stores about
    /// 0.14 N random patterns.
    Hebb,
    /// Incremental rule of Storkey 1997, zero diagonal; stores more random patterns than Hebb
    /// while staying local and incremental.
    Storkey,
    /// Projection rule W = Xi (Xi^T Xi)^-1 Xi^T with the diagonal set to 0. It needs linearly
    /// independent patterns (so P <= N) and keeps every pattern a fixed point while all
    /// projection diagonals are below 1.
    PseudoInverse,
}

/// Computes the Hebb weights, row-major N x N in f64.
pub(crate) fn hebb_weights(patterns: &[i8], n: usize) -> Vec<f64> {
    let mut weights = vec![0.0; n * n];
    for pattern in patterns.chunks_exact(n) {
        for i in 0..n {
            let row = &mut weights[i * n..(i + 1) * n];
            let xi_i = f64::from(pattern[i]);
            for (w, &xi_j) in row.iter_mut().zip(pattern) {
                *w += xi_i * f64::from(xi_j);
            }
        }
    }
    let scale = 1.0 / n as f64;
    weights.iter_mut().for_each(|w| *w *= scale);
    zero_diagonal(&mut weights, n);
    weights
}

/// Computes the Storkey weights, row-major N x N in f64.
pub(crate) fn storkey_weights(patterns: &[i8], n: usize) -> Vec<f64> {
    let mut weights = vec![0.0; n * n];
    let scale = 1.0 / n as f64;
    for pattern in patterns.chunks_exact(n) {
        let xi: Vec<f64> = pattern.iter().map(|&v| f64::from(v)).collect();
        // Because w_ii = 0, sum_{k != i} w_ik xi_k is the full row product.
        let field: Vec<f64> = weights
            .chunks_exact(n)
            .map(|row| row.iter().zip(&xi).map(|(w, x)| w * x).sum())
            .collect();

        let previous = weights.clone();
        for i in 0..n {
            for j in (i + 1)..n {
                let h_ij = field[i] - previous[i * n + j] * xi[j];
                let h_ji = field[j] - previous[j * n + i] * xi[i];
                let delta = scale * (xi[i] * xi[j] - xi[i] * h_ji - h_ij * xi[j]);
                let updated = previous[i * n + j] + delta;
                weights[i * n + j] = updated;
                weights[j * n + i] = updated;
            }
        }
    }
    weights
}

/// Computes the zero-diagonal projection weights, row-major N x N in f64.
///
/// # Errors
/// [`EbmError::LinearlyDependentPatterns`] when the Gram matrix is singular.
pub(crate) fn pseudo_inverse_weights(patterns: &[i8], n: usize) -> Result<Vec<f64>> {
    let p = patterns.len() / n;
    let rows: Vec<f64> = patterns.iter().map(|&v| f64::from(v)).collect();

    let mut gram = vec![0.0; p * p];
    for mu in 0..p {
        for nu in 0..=mu {
            let dot: f64 = rows[mu * n..(mu + 1) * n]
                .iter()
                .zip(&rows[nu * n..(nu + 1) * n])
                .map(|(a, b)| a * b)
                .sum();
            gram[mu * p + nu] = dot;
            gram[nu * p + mu] = dot;
        }
    }
    let lower = cholesky_factor(&gram, p, n as f64)?;

    // coefficients = G^-1 Xi^T, P x N, one triangular solve pair per unit.
    let mut coefficients = vec![0.0; p * n];
    let mut column = vec![0.0; p];
    for unit in 0..n {
        for mu in 0..p {
            column[mu] = rows[mu * n + unit];
        }
        cholesky_solve_in_place(&lower, p, &mut column);
        for mu in 0..p {
            coefficients[mu * n + unit] = column[mu];
        }
    }

    // W = Xi G^-1 Xi^T: w_ij = sum_mu xi_mu,i coefficients_mu,j.
    let mut weights = vec![0.0; n * n];
    for mu in 0..p {
        let pattern = &rows[mu * n..(mu + 1) * n];
        let coefficient_row = &coefficients[mu * n..(mu + 1) * n];
        for (i, &xi_i) in pattern.iter().enumerate() {
            let row = &mut weights[i * n..(i + 1) * n];
            for (w, c) in row.iter_mut().zip(coefficient_row) {
                *w += xi_i * c;
            }
        }
    }
    zero_diagonal(&mut weights, n);
    Ok(weights)
}

fn zero_diagonal(weights: &mut [f64], n: usize) {
    for i in 0..n {
        weights[i * n + i] = 0.0;
    }
}

/// Computes L with L L^T = gram, rejecting pivots (before the square root) below
/// [`MIN_RELATIVE_PIVOT`] times `scale`.
fn cholesky_factor(gram: &[f64], size: usize, scale: f64) -> Result<Vec<f64>> {
    let min_pivot = MIN_RELATIVE_PIVOT * scale;
    let mut lower = vec![0.0; size * size];
    for i in 0..size {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| lower[i * size + k] * lower[j * size + k]).sum();
            let value = gram[i * size + j] - dot;
            if i == j {
                if !(value > min_pivot && value.is_finite()) {
                    return Err(EbmError::LinearlyDependentPatterns {
                        pattern: i,
                        pivot: value / scale,
                    });
                }
                lower[i * size + i] = value.sqrt();
            } else {
                lower[i * size + j] = value / lower[j * size + j];
            }
        }
    }
    Ok(lower)
}

/// Overwrites `rhs` with the solution x of L L^T x = rhs.
fn cholesky_solve_in_place(lower: &[f64], size: usize, rhs: &mut [f64]) {
    for i in 0..size {
        let dot: f64 = (0..i).map(|k| lower[i * size + k] * rhs[k]).sum();
        rhs[i] = (rhs[i] - dot) / lower[i * size + i];
    }
    for i in (0..size).rev() {
        let dot: f64 = ((i + 1)..size).map(|k| lower[k * size + i] * rhs[k]).sum();
        rhs[i] = (rhs[i] - dot) / lower[i * size + i];
    }
}
