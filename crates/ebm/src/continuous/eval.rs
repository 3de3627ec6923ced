//! Evaluation against known densities: Gaussian mixtures with exact log density, score and
//! samples; the maximum mean discrepancy (MMD) of Gretton et al. 2012 (JMLR 13:723, eq. 3,
//! unbiased) with a Gaussian RBF kernel; and the held-out denoising error of the Tweedie
//! estimate x^ = x~ + sigma^2 s(x~) (Efron 2011, JASA 106:1602), which is the posterior mean
//! E[x | x~] when s is the score of the noisy density.

use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::continuous::energy::Energy;
use crate::continuous::error::{ContinuousError, ContinuousResult, check_positive, invalid};
use crate::continuous::linalg::{cholesky, solve_lower, solve_lower_transposed};
use crate::continuous::tensor::{check_finite, check_rows, read, standard_normal};

/// Mixture sum_k w_k N(mu_k, Sigma_k) on R^d.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMixture {
    dim: usize,
    weights: Vec<f64>,
    means: Vec<f64>,
    covariances: Vec<f64>,
    lowers: Vec<f64>,
    log_normalisers: Vec<f64>,
}

impl GaussianMixture {
    /// Builds a mixture of k components.
    ///
    /// # Arguments
    /// - `weights`: k positive weights; they are normalised to sum to 1.
    /// - `means`: row-major k x d.
    /// - `covariances`: k row-major d x d blocks, each symmetric positive definite.
    ///
    /// # Errors
    /// [`ContinuousError::EmptyData`] for no component, [`ContinuousError::LengthMismatch`] for
    /// inconsistent lengths, [`ContinuousError::NonFiniteData`] for NaN or infinite entries and
    /// [`ContinuousError::InvalidSetting`] for a non-positive weight or a covariance that is not
    /// positive definite.
    pub fn new(weights: &[f64], means: &[f64], covariances: &[f64]) -> ContinuousResult<Self> {
        let k = weights.len();
        if k == 0 {
            return Err(ContinuousError::EmptyData {
                what: "mixture weights",
                dim: 0,
            });
        }
        if means.is_empty() || means.len() % k != 0 {
            return Err(ContinuousError::LengthMismatch {
                what: "mixture means",
                len: means.len(),
                dim: k,
            });
        }
        let dim = means.len() / k;
        if covariances.len() != k * dim * dim {
            return Err(ContinuousError::LengthMismatch {
                what: "mixture covariances",
                len: covariances.len(),
                dim: dim * dim,
            });
        }
        check_finite("mixture means", means, dim)?;
        check_finite("mixture covariances", covariances, dim * dim)?;
        weights
            .iter()
            .try_for_each(|&w| check_positive("mixture weight", w))?;

        let total: f64 = weights.iter().sum();
        let mut lowers = Vec::with_capacity(k * dim * dim);
        let mut log_normalisers = Vec::with_capacity(k);
        for block in covariances.chunks_exact(dim * dim) {
            let lower = cholesky(block, dim).ok_or_else(|| {
                invalid(
                    "mixture covariance",
                    "a matrix that is not positive definite",
                    "symmetric positive definite blocks",
                )
            })?;
            let log_det: f64 = (0..dim).map(|i| lower[i * dim + i].ln()).sum();
            log_normalisers.push(log_det + 0.5 * dim as f64 * (2.0 * std::f64::consts::PI).ln());
            lowers.extend(lower);
        }
        Ok(Self {
            dim,
            weights: weights.iter().map(|w| w / total).collect(),
            means: means.to_vec(),
            covariances: covariances.to_vec(),
            lowers,
            log_normalisers,
        })
    }

    /// Builds a mixture of equally weighted isotropic components N(mu_k, std^2 I).
    ///
    /// # Errors
    /// As [`GaussianMixture::new`], and [`ContinuousError::InvalidSetting`] for `std` <= 0.
    pub fn isotropic(means: &[f64], dim: usize, std: f64) -> ContinuousResult<Self> {
        check_positive("std", std)?;
        if dim == 0 || means.is_empty() || means.len() % dim != 0 {
            return Err(ContinuousError::LengthMismatch {
                what: "mixture means",
                len: means.len(),
                dim,
            });
        }
        let k = means.len() / dim;
        let mut block = vec![0.0; dim * dim];
        (0..dim).for_each(|i| block[i * dim + i] = std * std);
        Self::new(&vec![1.0; k], means, &block.repeat(k))
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Returns the same mixture convolved with N(0, sigma^2 I): the density of x + sigma z.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] for `sigma` <= 0.
    pub fn smoothed(&self, sigma: f64) -> ContinuousResult<Self> {
        check_positive("sigma", sigma)?;
        let dim = self.dim;
        let mut covariances = self.covariances.clone();
        for block in covariances.chunks_exact_mut(dim * dim) {
            (0..dim).for_each(|i| block[i * dim + i] += sigma * sigma);
        }
        Self::new(&self.weights, &self.means, &covariances)
    }

    /// Draws `n` rows (row-major n x d) with a ChaCha8 stream seeded by `seed`.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f32> {
        let dim = self.dim;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut rows = Vec::with_capacity(n * dim);
        for _ in 0..n {
            let u = rng.random::<f64>();
            let mut cumulative = 0.0;
            let component = self.weights.iter().position(|w| {
                cumulative += w;
                u < cumulative
            });
            let component = component.unwrap_or(self.weights.len() - 1);
            let z = standard_normal(&mut rng, dim);
            let lower = &self.lowers[component * dim * dim..(component + 1) * dim * dim];
            for i in 0..dim {
                let offset: f64 = (0..=i).map(|k| lower[i * dim + k] * f64::from(z[k])).sum();
                rows.push((self.means[component * dim + i] + offset) as f32);
            }
        }
        rows
    }

    /// Per-component log w_k + log N(x; mu_k, Sigma_k) and the whitened offsets L_k^{-1}(x - mu_k).
    fn component_terms(&self, row: &[f32]) -> Vec<(f64, Vec<f64>)> {
        let dim = self.dim;
        (0..self.weights.len())
            .map(|k| {
                let lower = &self.lowers[k * dim * dim..(k + 1) * dim * dim];
                let centred: Vec<f64> = (0..dim)
                    .map(|i| f64::from(row[i]) - self.means[k * dim + i])
                    .collect();
                let whitened = solve_lower(lower, dim, &centred);
                let quadratic: f64 = whitened.iter().map(|w| w * w).sum();
                (
                    self.weights[k].ln() - 0.5 * quadratic - self.log_normalisers[k],
                    whitened,
                )
            })
            .collect()
    }

    /// Computes ln p(x) per row.
    ///
    /// # Errors
    /// As [`check_rows`] with d columns.
    pub fn log_density(&self, rows: &[f32]) -> ContinuousResult<Vec<f64>> {
        check_rows("mixture query points", rows, self.dim)?;
        Ok(rows
            .chunks_exact(self.dim)
            .map(|row| {
                let terms: Vec<f64> = self
                    .component_terms(row)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                log_sum_exp(&terms)
            })
            .collect())
    }

    /// Computes the score grad ln p(x) per row, row-major n x d.
    ///
    /// # Errors
    /// As [`check_rows`] with d columns.
    pub fn score(&self, rows: &[f32]) -> ContinuousResult<Vec<f64>> {
        check_rows("mixture query points", rows, self.dim)?;
        let dim = self.dim;
        let mut scores = Vec::with_capacity(rows.len());
        for row in rows.chunks_exact(dim) {
            let terms = self.component_terms(row);
            let log_total = log_sum_exp(&terms.iter().map(|(t, _)| *t).collect::<Vec<_>>());
            let mut score = vec![0.0; dim];
            for (k, (term, whitened)) in terms.iter().enumerate() {
                let responsibility = (term - log_total).exp();
                // Sigma^{-1} (x - mu) = L^{-T} L^{-1} (x - mu)
                let lower = &self.lowers[k * dim * dim..(k + 1) * dim * dim];
                let pulled = solve_lower_transposed(lower, dim, whitened);
                score
                    .iter_mut()
                    .zip(&pulled)
                    .for_each(|(s, p)| *s -= responsibility * p);
            }
            scores.extend(score);
        }
        Ok(scores)
    }
}

fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Unbiased estimate of MMD^2 between two samples with the kernel
/// k(x, y) = exp(-|x - y|^2 / (2 h^2)), h = `bandwidth`.
///
/// # Shapes
/// - `a`: row-major m x d, `b`: row-major n x d, m, n >= 2.
///
/// # Errors
/// [`ContinuousError::InvalidSetting`] for a bandwidth that is not finite and > 0 or a sample
/// of fewer than two rows, and the errors of [`check_rows`].
pub fn mmd_rbf(a: &[f32], b: &[f32], dim: usize, bandwidth: f64) -> ContinuousResult<f64> {
    check_positive("bandwidth", bandwidth)?;
    let m = check_rows("first MMD sample", a, dim)?;
    let n = check_rows("second MMD sample", b, dim)?;
    if m < 2 || n < 2 {
        return Err(invalid(
            "MMD sample size",
            m.min(n),
            "at least two rows in each sample",
        ));
    }
    let scale = -0.5 / (bandwidth * bandwidth);
    let kernel = |x: &[f32], y: &[f32]| (scale * squared_distance(x, y)).exp();
    let within = |rows: &[f32], count: usize| -> f64 {
        let mut total = 0.0;
        for i in 0..count {
            for j in i + 1..count {
                total += kernel(&rows[i * dim..(i + 1) * dim], &rows[j * dim..(j + 1) * dim]);
            }
        }
        2.0 * total / (count * (count - 1)) as f64
    };
    let mut cross = 0.0;
    for x in a.chunks_exact(dim) {
        for y in b.chunks_exact(dim) {
            cross += kernel(x, y);
        }
    }
    Ok(within(a, m) + within(b, n) - 2.0 * cross / (m * n) as f64)
}

/// Median Euclidean distance between the rows (over all pairs), the usual bandwidth heuristic
/// for [`mmd_rbf`].
///
/// # Errors
/// The errors of [`check_rows`], and [`ContinuousError::InvalidSetting`] for fewer than two rows.
pub fn median_distance(rows: &[f32], dim: usize) -> ContinuousResult<f64> {
    let n = check_rows("bandwidth sample", rows, dim)?;
    if n < 2 {
        return Err(invalid("bandwidth sample size", n, "at least two rows"));
    }
    let mut distances = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            distances.push(
                squared_distance(&rows[i * dim..(i + 1) * dim], &rows[j * dim..(j + 1) * dim])
                    .sqrt(),
            );
        }
    }
    distances.sort_by(f64::total_cmp);
    Ok(distances[distances.len() / 2])
}

fn squared_distance(x: &[f32], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
        .sum()
}

/// Mean squared error per coordinate of the Tweedie denoiser x^ = x~ - sigma^2 grad E(x~) on
/// held-out rows x, with x~ = x + sigma z and z from a ChaCha8 stream seeded by `seed`.
///
/// The identity denoiser x^ = x~ scores sigma^2; the posterior mean scores lowest.
///
/// # Errors
/// [`ContinuousError::InvalidSetting`] for `sigma` <= 0, the errors of [`check_rows`] with
/// d = `energy.dim()`, and [`ContinuousError::Backend`] when a read-back fails.
pub fn denoising_error<E: Energy>(
    energy: &E,
    clean: &[f32],
    sigma: f64,
    seed: u64,
    device: &Device,
) -> ContinuousResult<f64> {
    check_positive("sigma", sigma)?;
    let dim = energy.dim();
    let n = check_rows("held-out data", clean, dim)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = standard_normal(&mut rng, n * dim);
    let noisy: Vec<f32> = clean
        .iter()
        .zip(&noise)
        .map(|(&x, &z)| x + (sigma as f32) * z)
        .collect();
    let noisy_tensor = Tensor::<2>::from_data(TensorData::new(noisy.clone(), [n, dim]), device);
    let gradient = read(energy.grad(noisy_tensor))?;
    let sigma_squared = sigma * sigma;
    let error: f64 = clean
        .iter()
        .zip(&noisy)
        .zip(&gradient)
        .map(|((&x, &y), &g)| (f64::from(y) - sigma_squared * f64::from(g) - f64::from(x)).powi(2))
        .sum();
    Ok(error / (n * dim) as f64)
}

/// Computes the error of [`denoising_error`] for the exact posterior mean of a mixture, from the
/// score of the mixture smoothed by sigma. A perfect model reaches this floor.
///
/// # Errors
/// As [`denoising_error`].
pub fn oracle_denoising_error(
    mixture: &GaussianMixture,
    clean: &[f32],
    sigma: f64,
    seed: u64,
) -> ContinuousResult<f64> {
    check_positive("sigma", sigma)?;
    let dim = mixture.dim();
    let n = check_rows("held-out data", clean, dim)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = standard_normal(&mut rng, n * dim);
    let noisy: Vec<f32> = clean
        .iter()
        .zip(&noise)
        .map(|(&x, &z)| x + (sigma as f32) * z)
        .collect();
    let score = mixture.smoothed(sigma)?.score(&noisy)?;
    let error: f64 = clean
        .iter()
        .zip(&noisy)
        .zip(&score)
        .map(|((&x, &y), &s)| (f64::from(y) + sigma * sigma * s - f64::from(x)).powi(2))
        .sum();
    Ok(error / (n * dim) as f64)
}
