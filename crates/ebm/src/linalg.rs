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

/// Inverts a symmetric positive definite `size` x `size` row-major matrix by its Cholesky
/// factor, or returns the index and value of the first pivot that is not positive and finite.
pub(crate) fn invert_positive_definite(matrix: &[f64], size: usize) -> Result<Vec<f64>, (usize, f64)> {
    let mut lower = vec![0.0; size * size];
    for i in 0..size {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| lower[i * size + k] * lower[j * size + k]).sum();
            let value = matrix[i * size + j] - dot;
            if i == j {
                // A pivot this small relative to the diagonal means the matrix is singular to
                // rounding, and its inverse would be noise.
                if !(value > 1e-12 * matrix[i * size + i].abs() && value.is_finite()) {
                    return Err((i, value));
                }
                lower[i * size + i] = value.sqrt();
            } else {
                lower[i * size + j] = value / lower[j * size + j];
            }
        }
    }

    // Column c of the inverse solves L L^T x = e_c.
    let mut inverse = vec![0.0; size * size];
    let mut y = vec![0.0; size];
    for column in 0..size {
        for i in 0..size {
            let unit = if i == column { 1.0 } else { 0.0 };
            let dot: f64 = (0..i).map(|k| lower[i * size + k] * y[k]).sum();
            y[i] = (unit - dot) / lower[i * size + i];
        }
        for i in (0..size).rev() {
            let mut sum = y[i];
            for k in (i + 1)..size {
                sum -= lower[k * size + i] * inverse[k * size + column];
            }
            inverse[i * size + column] = sum / lower[i * size + i];
        }
    }
    Ok(inverse)
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
    fn inverts_small_positive_definite_matrix() {
        let matrix = [4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let inverse = super::invert_positive_definite(&matrix, 3).expect("positive definite");
        for i in 0..3 {
            for j in 0..3 {
                let product: f64 = (0..3).map(|k| matrix[i * 3 + k] * inverse[k * 3 + j]).sum();
                let identity = if i == j { 1.0 } else { 0.0 };
                assert!((product - identity).abs() < 1e-12, "({i}, {j}): {product}");
            }
        }
        assert!(super::invert_positive_definite(&[1.0, 1.0, 1.0, 1.0], 2).is_err());
    }

    #[test]
    fn rejects_indefinite_matrix() {
        let matrix = [1.0, 2.0, 2.0, 1.0];
        assert!(cholesky_solve(&matrix, 2, 0.0, &[1.0, 1.0]).is_none());
    }
}
