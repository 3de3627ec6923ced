//! Evaluation on the host in f64: bits per spike, R^2, Gaussian negative log-likelihood,
//! interval coverage, and two forecasting baselines (persistence and ridge vector
//! autoregression).
//!
//! All arrays are row-major `[samples, channels]`.

use crate::error::{TransformerError, TransformerResult, check_nonzero, invalid};

fn check_pair(
    what: &'static str,
    a: &[f32],
    b: &[f32],
    channels: usize,
) -> TransformerResult<usize> {
    check_nonzero("channels", channels)?;
    if a.is_empty() || a.len() != b.len() || a.len() % channels != 0 {
        return Err(TransformerError::ShapeMismatch {
            what,
            expected: format!("two equal, non-empty lengths divisible by {channels} channels"),
            found: format!("lengths {} and {}", a.len(), b.len()),
        });
    }
    crate::error::check_finite(what, a)?;
    crate::error::check_finite(what, b)?;
    Ok(a.len() / channels)
}

fn ln_factorial(k: f64) -> f64 {
    (2..=k as u64).map(|i| (i as f64).ln()).sum()
}

fn check_counts(counts: &[f32]) -> TransformerResult<()> {
    match counts.iter().position(|&k| k < 0.0 || k.fract() != 0.0) {
        Some(index) => Err(invalid(
            "counts",
            format!("{} at index {index}", counts[index]),
            "non-negative whole numbers",
        )),
        None => Ok(()),
    }
}

/// Mean Poisson negative log-likelihood per entry (nats), ln k! included.
///
/// # Errors
/// [`TransformerError::ShapeMismatch`] or [`TransformerError::NonFiniteData`] for bad arrays,
/// [`TransformerError::InvalidSetting`] for counts that are not whole numbers >= 0.
pub fn poisson_nll(log_rate: &[f32], counts: &[f32], channels: usize) -> TransformerResult<f64> {
    check_pair("Poisson arrays", log_rate, counts, channels)?;
    check_counts(counts)?;
    let total: f64 = log_rate
        .iter()
        .zip(counts)
        .map(|(&r, &k)| {
            let (r, k) = (f64::from(r), f64::from(k));
            r.exp() - k * r + ln_factorial(k)
        })
        .sum();
    Ok(total / counts.len() as f64)
}

/// Bits per spike of predicted rates against the mean-rate baseline, as defined by the Neural
/// Latents Benchmark (Pei et al. 2021, NeurIPS Datasets and Benchmarks):
/// (ln L(model) - ln L(null)) / (n_spikes ln 2), where the null model gives each channel its
/// mean count over these samples.
///
/// # Errors
/// As [`poisson_nll`] (with `rates` instead of log-rates; rates must be > 0), and
/// [`TransformerError::InvalidSetting`] when the counts hold no spike.
pub fn bits_per_spike(rates: &[f32], counts: &[f32], channels: usize) -> TransformerResult<f64> {
    let samples = check_pair("bits-per-spike arrays", rates, counts, channels)?;
    check_counts(counts)?;
    if let Some(index) = rates.iter().position(|&r| r <= 0.0) {
        return Err(invalid(
            "rates",
            format!("{} at index {index}", rates[index]),
            "rates > 0",
        ));
    }
    let spikes: f64 = counts.iter().map(|&k| f64::from(k)).sum();
    if spikes == 0.0 {
        return Err(invalid("counts", "no spike", "at least one spike"));
    }
    let mut means = vec![0.0f64; channels];
    for row in counts.chunks_exact(channels) {
        for (m, &k) in means.iter_mut().zip(row) {
            *m += f64::from(k) / samples as f64;
        }
    }
    // ln k! cancels in the difference; a channel without spikes adds 0 to both terms.
    let mut difference = 0.0;
    for (rate_row, count_row) in rates
        .chunks_exact(channels)
        .zip(counts.chunks_exact(channels))
    {
        for c in 0..channels {
            let (lambda, k, null) = (f64::from(rate_row[c]), f64::from(count_row[c]), means[c]);
            let null_term = if null > 0.0 {
                k * null.ln() - null
            } else {
                0.0
            };
            difference += (k * lambda.ln() - lambda) - null_term;
        }
    }
    Ok(difference / (spikes * std::f64::consts::LN_2))
}

/// Coefficient of determination averaged over channels (uniform average of
/// 1 - SS_res / SS_tot per channel, as scikit-learn's `r2_score`).
///
/// # Errors
/// As [`poisson_nll`]'s shape checks, and [`TransformerError::InvalidSetting`] for a constant
/// target channel or fewer than two samples.
pub fn r_squared(prediction: &[f32], target: &[f32], channels: usize) -> TransformerResult<f64> {
    let samples = check_pair("R^2 arrays", prediction, target, channels)?;
    if samples < 2 {
        return Err(invalid("samples", samples, "at least 2"));
    }
    let mut total = 0.0;
    for c in 0..channels {
        let column = |a: &[f32]| {
            a.iter()
                .skip(c)
                .step_by(channels)
                .map(|&v| f64::from(v))
                .collect::<Vec<_>>()
        };
        let (p, t) = (column(prediction), column(target));
        let mean = t.iter().sum::<f64>() / samples as f64;
        let ss_tot: f64 = t.iter().map(|v| (v - mean).powi(2)).sum();
        let ss_res: f64 = p.iter().zip(&t).map(|(a, b)| (a - b).powi(2)).sum();
        if ss_tot == 0.0 {
            return Err(invalid(
                "target",
                format!("channel {c} is constant"),
                "varying channels",
            ));
        }
        total += 1.0 - ss_res / ss_tot;
    }
    Ok(total / channels as f64)
}

/// Mean Gaussian negative log-likelihood per entry (nats).
///
/// # Errors
/// [`TransformerError::ShapeMismatch`] or [`TransformerError::NonFiniteData`] for bad arrays.
pub fn gaussian_nll(
    mean: &[f32],
    log_variance: &[f32],
    target: &[f32],
    channels: usize,
) -> TransformerResult<f64> {
    check_pair("Gaussian arrays", mean, target, channels)?;
    check_pair("Gaussian arrays", log_variance, target, channels)?;
    let total: f64 = mean
        .iter()
        .zip(log_variance)
        .zip(target)
        .map(|((&m, &v), &x)| {
            let (m, v, x) = (f64::from(m), f64::from(v), f64::from(x));
            0.5 * ((2.0 * std::f64::consts::PI).ln() + v + (x - m).powi(2) * (-v).exp())
        })
        .sum();
    Ok(total / target.len() as f64)
}

/// Standard normal density integrated from 0 to z by composite Simpson's rule (error below
/// 1e-12 for |z| <= 10).
fn normal_half_mass(z: f64) -> f64 {
    let n = 4000;
    let h = z / n as f64;
    let f = |t: f64| (-0.5 * t * t).exp();
    let mut sum = f(0.0) + f(z);
    for i in 1..n {
        sum += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0 / (2.0 * std::f64::consts::PI).sqrt()
}

/// Half-width z, in standard deviations, of the central normal interval of probability `level`.
fn central_quantile(level: f64) -> f64 {
    let (mut low, mut high) = (0.0, 10.0);
    for _ in 0..60 {
        let mid = 0.5 * (low + high);
        if 2.0 * normal_half_mass(mid) < level {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// Fraction of targets inside the central Gaussian prediction interval of probability `level`
/// (mean +- z sigma). A calibrated model gives about `level`.
///
/// # Errors
/// As [`gaussian_nll`], and [`TransformerError::InvalidSetting`] for a level outside (0, 1).
pub fn interval_coverage(
    mean: &[f32],
    log_variance: &[f32],
    target: &[f32],
    channels: usize,
    level: f64,
) -> TransformerResult<f64> {
    check_pair("Gaussian arrays", mean, target, channels)?;
    check_pair("Gaussian arrays", log_variance, target, channels)?;
    if !(level > 0.0 && level < 1.0) {
        return Err(invalid("level", level, "a value in (0, 1)"));
    }
    let z = central_quantile(level);
    let inside = mean
        .iter()
        .zip(log_variance)
        .zip(target)
        .filter(|&((&m, &v), &x)| {
            (f64::from(x) - f64::from(m)).abs() <= z * (0.5 * f64::from(v)).exp()
        })
        .count();
    Ok(inside as f64 / target.len() as f64)
}

/// Persistence forecast: the prediction of x_{t+1} is x_t. Returns `[samples - 1, channels]`
/// predictions of rows 1.. of `series`.
///
/// # Errors
/// [`TransformerError::TooShort`] for fewer than two samples, [`TransformerError::ShapeMismatch`]
/// for a length not divisible by `channels`.
pub fn persistence_forecast(series: &[f32], channels: usize) -> TransformerResult<Vec<f32>> {
    let samples = check_series(series, channels, 2)?;
    Ok(series[..(samples - 1) * channels].to_vec())
}

fn check_series(series: &[f32], channels: usize, needed: usize) -> TransformerResult<usize> {
    check_nonzero("channels", channels)?;
    if series.len() % channels != 0 {
        return Err(TransformerError::ShapeMismatch {
            what: "series",
            expected: format!("a length divisible by {channels} channels"),
            found: format!("length {}", series.len()),
        });
    }
    crate::error::check_finite("series", series)?;
    let samples = series.len() / channels;
    if samples < needed {
        return Err(TransformerError::TooShort {
            what: "series",
            available: samples,
            needed,
        });
    }
    Ok(samples)
}

/// Vector autoregression of order p fitted by closed-form ridge regression:
/// x_t = b + sum_{l=1..p} A_l x_{t-l}, minimising the squared error plus
/// `penalty` times the squared Frobenius norm of the A_l (the intercept b is not penalised).
#[derive(Debug, Clone, PartialEq)]
pub struct RidgeVar {
    /// Coefficients `[(order * channels + 1) , channels]` row-major: lag 1 rows first, the
    /// intercept last.
    pub coefficients: Vec<f64>,
    /// Lag order p.
    pub order: usize,
    /// Number of channels.
    pub channels: usize,
}

impl RidgeVar {
    /// Fits the model to `series` `[samples, channels]` by solving
    /// (X^T X + penalty D) W = X^T Y with D the identity without the intercept entry.
    ///
    /// # Errors
    /// [`TransformerError::InvalidSetting`] for order 0, a negative or non-finite penalty, or
    /// a singular system (use a positive penalty); [`TransformerError::TooShort`] for fewer
    /// than order + 2 samples.
    pub fn fit(
        series: &[f32],
        channels: usize,
        order: usize,
        penalty: f64,
    ) -> TransformerResult<Self> {
        check_nonzero("order", order)?;
        if !(penalty.is_finite() && penalty >= 0.0) {
            return Err(invalid("penalty", penalty, "a finite value >= 0"));
        }
        let samples = check_series(series, channels, order + 2)?;
        let width = order * channels + 1;
        let mut gram = vec![0.0f64; width * width];
        let mut cross = vec![0.0f64; width * channels];
        for t in order..samples {
            let row = Self::regressors(series, channels, order, t);
            for i in 0..width {
                for j in 0..width {
                    gram[i * width + j] += row[i] * row[j];
                }
                for c in 0..channels {
                    cross[i * channels + c] += row[i] * f64::from(series[t * channels + c]);
                }
            }
        }
        for i in 0..width - 1 {
            gram[i * width + i] += penalty;
        }
        let coefficients = solve(gram, cross, width, channels).ok_or_else(|| {
            invalid(
                "penalty",
                penalty,
                "a positive value (the system is singular)",
            )
        })?;
        Ok(Self {
            coefficients,
            order,
            channels,
        })
    }

    fn regressors(series: &[f32], channels: usize, order: usize, t: usize) -> Vec<f64> {
        let mut row = Vec::with_capacity(order * channels + 1);
        for lag in 1..=order {
            row.extend(
                series[(t - lag) * channels..(t - lag + 1) * channels]
                    .iter()
                    .map(|&v| f64::from(v)),
            );
        }
        row.push(1.0);
        row
    }

    /// One-step forecasts of rows `order..` of `series`, `[samples - order, channels]`.
    ///
    /// # Errors
    /// As [`persistence_forecast`], with at least order + 1 samples.
    pub fn forecast(&self, series: &[f32]) -> TransformerResult<Vec<f32>> {
        let samples = check_series(series, self.channels, self.order + 1)?;
        let width = self.order * self.channels + 1;
        let mut out = Vec::with_capacity((samples - self.order) * self.channels);
        for t in self.order..samples {
            let row = Self::regressors(series, self.channels, self.order, t);
            for c in 0..self.channels {
                let value: f64 = (0..width)
                    .map(|i| row[i] * self.coefficients[i * self.channels + c])
                    .sum();
                out.push(value as f32);
            }
        }
        Ok(out)
    }
}

/// Solves A X = B for symmetric A `[n, n]` and B `[n, m]` by Gaussian elimination with partial
/// pivoting; None when a pivot vanishes.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize, m: usize) -> Option<Vec<f64>> {
    let scale = a
        .iter()
        .fold(0.0f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col].abs() <= 1e-12 * scale {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            for k in 0..m {
                b.swap(col * m + k, pivot * m + k);
            }
        }
        for row in col + 1..n {
            let factor = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= factor * a[col * n + k];
            }
            for k in 0..m {
                b[row * m + k] -= factor * b[col * m + k];
            }
        }
    }
    let mut x = vec![0.0; n * m];
    for row in (0..n).rev() {
        for k in 0..m {
            let tail: f64 = (row + 1..n).map(|j| a[row * n + j] * x[j * m + k]).sum();
            x[row * m + k] = (b[row * m + k] - tail) / a[row * n + row];
        }
    }
    Some(x)
}
