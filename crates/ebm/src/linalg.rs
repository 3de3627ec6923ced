//! Dense Cholesky solve for the Newton step of the Ising maximum-likelihood fit of
//! Schneidman et al. 2006 (Nature 440:1007): (C + lambda I) delta = m_data - m_model, where C
//! is the covariance of the sufficient statistics s_i and s_i s_j under the model.
//!
//! The system has at most N + N(N-1)/2 = 210 unknowns (N = 20), so a hand-written O(P^3)
//! factorisation takes milliseconds and avoids a LAPACK dependency.

/// Solves (matrix + damping I) x = rhs for a symmetric `size` x `size` row-major matrix.
///
/// Returns `None` when the damped matrix is not numerically positive definite, so the caller
/// can retry with more damping.
pub(crate) fn cholesky_solve(matrix: &[f64], size: usize, damping: f64, rhs: &[f64]) -> Option<Vec<f64>> {
    let lower = cholesky_factor(matrix, size, damping)?;

    // Forward substitution L y = rhs.
    let mut y = vec![0.0; size];
    for i in 0..size {
        let row = &lower[i * size..i * size + i];
        let dot: f64 = row.iter().zip(&y).map(|(l, v)| l * v).sum();
        y[i] = (rhs[i] - dot) / lower[i * size + i];
    }

    // Back substitution L^T x = y.
    let mut x = vec![0.0; size];
    for i in (0..size).rev() {
        let mut sum = y[i];
        for k in (i + 1)..size {
            sum -= lower[k * size + i] * x[k];
        }
        x[i] = sum / lower[i * size + i];
    }
    Some(x)
}

/// Computes the lower-triangular L with L L^T = matrix + damping I, or `None` when a pivot is
/// not positive and finite.
fn cholesky_factor(matrix: &[f64], size: usize, damping: f64) -> Option<Vec<f64>> {
    let mut lower = vec![0.0; size * size];
    for i in 0..size {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| lower[i * size + k] * lower[j * size + k]).sum();
            let mut value = matrix[i * size + j] - dot;
            if i == j {
                value += damping;
                if !(value > 0.0 && value.is_finite()) {
                    return None;
                }
                lower[i * size + i] = value.sqrt();
            } else {
                lower[i * size + j] = value / lower[j * size + j];
            }
        }
    }
    Some(lower)
}

#[cfg(test)]
mod tests {
    use super::cholesky_solve;

    #[test]
    fn solves_small_positive_definite_system() {
        let matrix = [4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let x_true = [1.0, -2.0, 0.5];
        let rhs: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| matrix[i * 3 + j] * x_true[j]).sum())
            .collect();
        let x = cholesky_solve(&matrix, 3, 0.0, &rhs).expect("matrix is positive definite");
        for (got, want) in x.iter().zip(x_true) {
            assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
        }
    }

    #[test]
    fn rejects_indefinite_matrix() {
        let matrix = [1.0, 2.0, 2.0, 1.0];
        assert!(cholesky_solve(&matrix, 2, 0.0, &[1.0, 1.0]).is_none());
    }
}
