//! Small dense linear algebra in f64 for d up to a few tens: Cholesky factorisation, inversion
//! of symmetric positive definite matrices, and the cyclic Jacobi eigenvalue method for
//! symmetric matrices (Golub and Van Loan, Matrix Computations, 4th ed., section 8.5).

/// Returns the lower Cholesky factor L (row-major) with L L^T = matrix, or `None` when the
/// matrix is not positive definite.
pub(crate) fn cholesky(matrix: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut lower = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let partial: f64 = (0..j).map(|k| lower[i * n + k] * lower[j * n + k]).sum();
            if i == j {
                let pivot = matrix[i * n + i] - partial;
                if !(pivot > 0.0 && pivot.is_finite()) {
                    return None;
                }
                lower[i * n + i] = pivot.sqrt();
            } else {
                lower[i * n + j] = (matrix[i * n + j] - partial) / lower[j * n + j];
            }
        }
    }
    Some(lower)
}

/// Inverts a symmetric positive definite matrix through its Cholesky factor.
pub(crate) fn invert_spd(matrix: &[f64], n: usize) -> Option<Vec<f64>> {
    let lower = cholesky(matrix, n)?;
    let mut inverse = vec![0.0; n * n];
    for column in 0..n {
        let mut unit = vec![0.0; n];
        unit[column] = 1.0;
        let solution = solve_lower_transposed(&lower, n, &solve_lower(&lower, n, &unit));
        for row in 0..n {
            inverse[row * n + column] = solution[row];
        }
    }
    Some(inverse)
}

/// Solves L y = b by forward substitution.
pub(crate) fn solve_lower(lower: &[f64], n: usize, rhs: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let partial: f64 = (0..i).map(|k| lower[i * n + k] * y[k]).sum();
        y[i] = (rhs[i] - partial) / lower[i * n + i];
    }
    y
}

/// Solves L^T x = y by back substitution.
pub(crate) fn solve_lower_transposed(lower: &[f64], n: usize, rhs: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let partial: f64 = (i + 1..n).map(|k| lower[k * n + i] * x[k]).sum();
        x[i] = (rhs[i] - partial) / lower[i * n + i];
    }
    x
}

/// Returns the eigenvalues of a symmetric matrix in ascending order, by cyclic Jacobi
/// rotations until the off-diagonal Frobenius norm falls below 1e-12 times the matrix norm
/// (or 100 sweeps, far more than the quadratic convergence needs for d <= 50).
pub(crate) fn symmetric_eigenvalues(matrix: &[f64], n: usize) -> Vec<f64> {
    let mut a = matrix.to_vec();
    let scale: f64 = a
        .iter()
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        if off.sqrt() <= 1e-12 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                rotate(&mut a, n, p, q);
            }
        }
    }
    let mut eigenvalues: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    eigenvalues.sort_by(f64::total_cmp);
    eigenvalues
}

/// Applies the Jacobi rotation that zeroes a[p][q] (and a[q][p]).
fn rotate(a: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = a[p * n + q];
    if apq == 0.0 {
        return;
    }
    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let t = if theta == 0.0 { 1.0 } else { t };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        let akp = a[k * n + p];
        let akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for k in 0..n {
        let apk = a[p * n + k];
        let aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
}

/// Returns the column means and the (biased, divide-by-n) covariance of row-major n x d data.
pub(crate) fn mean_and_covariance(data: &[f32], d: usize) -> (Vec<f64>, Vec<f64>) {
    let n = data.len() / d;
    let mut mean = vec![0.0; d];
    for row in data.chunks_exact(d) {
        for (m, &x) in mean.iter_mut().zip(row) {
            *m += f64::from(x);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut covariance = vec![0.0; d * d];
    for row in data.chunks_exact(d) {
        for i in 0..d {
            let di = f64::from(row[i]) - mean[i];
            for j in 0..d {
                covariance[i * d + j] += di * (f64::from(row[j]) - mean[j]);
            }
        }
    }
    covariance.iter_mut().for_each(|c| *c /= n as f64);
    (mean, covariance)
}
