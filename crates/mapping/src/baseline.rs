//! Connectivity baselines from recordings, to be scored like attention heads: correlation,
//! shrunk partial correlation, and Granger causality.
//!
//! Each returns an `n x n` row-major matrix; wrap it with [`crate::ArcWeights::from_matrix`]
//! using the orientation its doc states.
//!
//! - Correlation and partial correlation are symmetric: read them with
//!   [`crate::Orientation::Symmetric`].
//! - Partial correlation inverts the shrunk covariance `(1 - lambda) S + lambda diag(S)`
//!   (shrinkage toward the diagonal with a stated `lambda`), then takes
//!   `-P_ij / sqrt(P_ii P_jj)`. [`partial_correlation_ledoit_wolf`] instead shrinks toward a
//!   multiple of the identity by the Ledoit-Wolf estimate of the shrinkage.
//! - Granger causality (Granger 1969, Econometrica 37:424) fits, per target channel, a vector
//!   autoregression of order `p` by least squares with an intercept. The full model has the
//!   lags of all channels and the restricted one drops the lags of one source. The score is
//!   `ln(RSS_restricted / RSS_full)`, the log ratio of residual variances of Geweke (1982,
//!   JASA 77:304). Read it with [`crate::Orientation::SourceRow`]: `G[s][t]` scores `s -> t`.
//!   The restricted residual sums come from the full fit through the restricted least-squares
//!   identity, so one Gram inverse serves all `n (n - 1)` pairs.

use ncm_data::Recording;

use crate::error::MappingError;
use crate::matrix::{check_matrix, cholesky, cholesky_solve, spd_inverse};

/// A samples x channels matrix, row-major: `get(t, c)` is sample `t` of channel `c`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeries {
    data: Vec<f64>,
    samples: usize,
    channels: usize,
}

impl TimeSeries {
    /// Wraps samples x channels row-major data.
    ///
    /// # Errors
    /// [`MappingError::Empty`], [`MappingError::Shape`] and [`MappingError::NonFinite`].
    pub fn new(data: Vec<f64>, samples: usize, channels: usize) -> Result<Self, MappingError> {
        check_matrix("time series", &data, samples, channels)?;
        Ok(Self {
            data,
            samples,
            channels,
        })
    }

    /// Transposes a [`Recording`] (channels x time) into samples x channels.
    ///
    /// # Errors
    /// As for [`TimeSeries::new`], checked against the recording's declared sizes.
    pub fn from_recording(recording: &Recording) -> Result<Self, MappingError> {
        let (channels, samples) = (recording.channels, recording.samples);
        check_matrix("recording", &recording.data, channels, samples)?;
        let mut data = vec![0.0; samples * channels];
        for c in 0..channels {
            for t in 0..samples {
                data[t * channels + c] = recording.data[c * samples + t];
            }
        }
        Self::new(data, samples, channels)
    }

    /// Number of samples (time points).
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Number of channels (nodes).
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Sample `t` of channel `c`.
    pub fn get(&self, t: usize, c: usize) -> f64 {
        self.data[t * self.channels + c]
    }

    /// Computes the sample covariance (denominator `samples - 1`), `channels x channels`.
    fn covariance(&self) -> Result<Vec<f64>, MappingError> {
        let (t_len, n) = (self.samples, self.channels);
        if t_len < 2 {
            return Err(MappingError::TooFewSamples {
                what: "a covariance",
                samples: t_len,
                needed: 2,
            });
        }
        let means: Vec<f64> = (0..n)
            .map(|c| (0..t_len).map(|t| self.get(t, c)).sum::<f64>() / t_len as f64)
            .collect();
        let mut cov = vec![0.0; n * n];
        for t in 0..t_len {
            let row = &self.data[t * n..(t + 1) * n];
            for i in 0..n {
                let di = row[i] - means[i];
                for j in i..n {
                    cov[i * n + j] += di * (row[j] - means[j]);
                }
            }
        }
        for i in 0..n {
            for j in i..n {
                cov[i * n + j] /= (t_len - 1) as f64;
                cov[j * n + i] = cov[i * n + j];
            }
            if cov[i * n + i] <= 0.0 {
                return Err(MappingError::Constant {
                    what: "a channel of the time series",
                });
            }
        }
        Ok(cov)
    }
}

/// Computes the Pearson correlation matrix of the channels (symmetric, unit diagonal).
///
/// # Errors
/// [`MappingError::TooFewSamples`] for fewer than 2 samples and [`MappingError::Constant`] for a
/// constant channel.
pub fn correlation_matrix(series: &TimeSeries) -> Result<Vec<f64>, MappingError> {
    let n = series.channels;
    let mut matrix = series.covariance()?;
    let scale: Vec<f64> = (0..n).map(|i| matrix[i * n + i].sqrt()).collect();
    for i in 0..n {
        for j in 0..n {
            matrix[i * n + j] /= scale[i] * scale[j];
        }
    }
    Ok(matrix)
}

/// Computes the partial correlation matrix from the covariance shrunk toward its diagonal by `shrinkage`
/// (`lambda` in `[0, 1]`; 0 is the plain inverse). The diagonal is 1.
///
/// # Errors
/// [`MappingError::InvalidParameter`] for `shrinkage` outside `[0, 1]`, those of
/// [`correlation_matrix`], and [`MappingError::NotPositiveDefinite`] when the shrunk covariance
/// is singular (for example fewer samples than channels with `shrinkage = 0`).
pub fn partial_correlation(series: &TimeSeries, shrinkage: f64) -> Result<Vec<f64>, MappingError> {
    if !(0.0..=1.0).contains(&shrinkage) {
        return Err(MappingError::invalid(
            "shrinkage",
            shrinkage,
            "a number in [0, 1]",
        ));
    }
    let n = series.channels;
    let mut shrunk = series.covariance()?;
    for i in 0..n {
        for j in 0..n {
            if i != j {
                shrunk[i * n + j] *= 1.0 - shrinkage;
            }
        }
    }
    partial_from_covariance(&shrunk, n)
}

/// Computes the partial correlation matrix from the covariance shrunk toward a multiple of
/// the identity with the shrinkage of Ledoit and Wolf (2004, J. Multivar. Anal. 88:365), as
/// scikit-learn's `LedoitWolf` estimates it from the covariance with denominator `samples`.
/// Returns the matrix and the shrinkage in `[0, 1]`.
///
/// # Errors
/// Those of [`correlation_matrix`], and [`MappingError::NotPositiveDefinite`] when the shrunk
/// covariance is singular.
pub fn partial_correlation_ledoit_wolf(
    series: &TimeSeries,
) -> Result<(Vec<f64>, f64), MappingError> {
    let (t_len, n) = (series.samples, series.channels);
    // Checks the sample count and rejects constant channels.
    series.covariance()?;
    let centred: Vec<f64> = {
        let means: Vec<f64> = (0..n)
            .map(|c| (0..t_len).map(|t| series.get(t, c)).sum::<f64>() / t_len as f64)
            .collect();
        (0..t_len * n)
            .map(|k| series.data[k] - means[k % n])
            .collect()
    };
    let samples = t_len as f64;

    // Maximum-likelihood covariance and the sums that the shrinkage formula needs.
    let mut covariance = vec![0.0; n * n];
    let mut fourth_moments = 0.0;
    for row in centred.chunks_exact(n) {
        for i in 0..n {
            for j in 0..n {
                covariance[i * n + j] += row[i] * row[j] / samples;
                fourth_moments += row[i] * row[i] * row[j] * row[j];
            }
        }
    }
    let trace: f64 = (0..n).map(|i| covariance[i * n + i]).sum();
    let mu = trace / n as f64;
    let squared_norm: f64 = covariance.iter().map(|c| c * c).sum();

    // beta estimates the error of the sample covariance and delta its distance to mu I.
    let beta = (fourth_moments / samples - squared_norm) / (n as f64 * samples);
    let delta = (squared_norm - 2.0 * mu * trace + n as f64 * mu * mu) / n as f64;
    let beta = beta.min(delta);
    let shrinkage = if beta == 0.0 { 0.0 } else { beta / delta };

    let mut shrunk: Vec<f64> = covariance.iter().map(|c| (1.0 - shrinkage) * c).collect();
    for i in 0..n {
        shrunk[i * n + i] += shrinkage * mu;
    }
    Ok((partial_from_covariance(&shrunk, n)?, shrinkage))
}

/// Returns `-P_ij / sqrt(P_ii P_jj)` with a unit diagonal, where `P` inverts `covariance`.
fn partial_from_covariance(covariance: &[f64], n: usize) -> Result<Vec<f64>, MappingError> {
    let precision = spd_inverse("shrunk covariance", covariance, n)?;
    let mut partial = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            partial[i * n + j] = if i == j {
                1.0
            } else {
                -precision[i * n + j] / (precision[i * n + i] * precision[j * n + j]).sqrt()
            };
        }
    }
    Ok(partial)
}

/// Computes the Granger causality of every ordered channel pair for a vector autoregression
/// of `order` lags. `G[s * n + t]` is `ln(RSS_restricted / RSS_full)` for the arc `s -> t`,
/// and the diagonal is 0.
///
/// # Errors
/// [`MappingError::InvalidParameter`] for `order = 0`, [`MappingError::TooFewSamples`] unless
/// `samples - order` exceeds the `1 + channels * order` regressors, and
/// [`MappingError::NotPositiveDefinite`] for collinear channels.
pub fn granger_causality(series: &TimeSeries, order: usize) -> Result<Vec<f64>, MappingError> {
    if order == 0 {
        return Err(MappingError::invalid("order", order, "at least 1 lag"));
    }
    let n = series.channels;
    let regressors = 1 + n * order;
    let needed = order + regressors + 1;
    if series.samples < needed {
        return Err(MappingError::TooFewSamples {
            what: "the Granger vector autoregression",
            samples: series.samples,
            needed,
        });
    }

    // Design row for time t: [1, x_{t-1}(0..n), ..., x_{t-p}(0..n)].
    let rows = series.samples - order;
    let design: Vec<f64> = (order..series.samples)
        .flat_map(|t| {
            std::iter::once(1.0)
                .chain((1..=order).flat_map(move |lag| (0..n).map(move |c| series.get(t - lag, c))))
        })
        .collect();
    let gram = gram_matrix(&design, regressors, rows);
    let gram_inverse = spd_inverse("vector-autoregression Gram matrix", &gram, regressors)?;

    let mut granger = vec![0.0; n * n];
    for target in 0..n {
        let response: Vec<f64> = (order..series.samples)
            .map(|t| series.get(t, target))
            .collect();
        let (coefficients, full) = full_fit(&design, &gram_inverse, regressors, &response);
        for source in (0..n).filter(|&s| s != target) {
            // Columns of the source's lags: 1 + (lag - 1) n + source for lag = 1..=order.
            let lags: Vec<usize> = (0..order).map(|lag| 1 + lag * n + source).collect();
            let increase = restriction_cost(&gram_inverse, regressors, &coefficients, &lags)?;
            granger[source * n + target] = (increase / full.max(f64::MIN_POSITIVE)).ln_1p();
        }
    }
    Ok(granger)
}

/// Returns `X^T X` for the `rows x width` row-major design `X`.
fn gram_matrix(design: &[f64], width: usize, rows: usize) -> Vec<f64> {
    let mut gram = vec![0.0; width * width];
    for row in design.chunks_exact(width).take(rows) {
        for a in 0..width {
            for b in a..width {
                gram[a * width + b] += row[a] * row[b];
            }
        }
    }
    for a in 0..width {
        for b in 0..a {
            gram[a * width + b] = gram[b * width + a];
        }
    }
    gram
}

/// Returns the least-squares coefficients of `response` on all columns of `design` and the
/// residual sum of squares, computed from the residuals themselves.
fn full_fit(
    design: &[f64],
    gram_inverse: &[f64],
    width: usize,
    response: &[f64],
) -> (Vec<f64>, f64) {
    let mut moment = vec![0.0; width];
    for (row, y) in design.chunks_exact(width).zip(response) {
        moment.iter_mut().zip(row).for_each(|(m, x)| *m += x * y);
    }
    let coefficients: Vec<f64> = gram_inverse
        .chunks_exact(width)
        .map(|inverse_row| inverse_row.iter().zip(&moment).map(|(g, m)| g * m).sum())
        .collect();
    let rss = design
        .chunks_exact(width)
        .zip(response)
        .map(|(row, y)| {
            let fitted: f64 = row.iter().zip(&coefficients).map(|(x, b)| x * b).sum();
            (y - fitted).powi(2)
        })
        .sum();
    (coefficients, rss)
}

/// Returns the rise in residual sum of squares from setting the coefficients in `columns` to
/// zero: `b_S^T ((X^T X)^{-1}_SS)^{-1} b_S`, the restricted least-squares identity, which
/// saves refitting the restricted model.
fn restriction_cost(
    gram_inverse: &[f64],
    width: usize,
    coefficients: &[f64],
    columns: &[usize],
) -> Result<f64, MappingError> {
    let k = columns.len();
    let block: Vec<f64> = columns
        .iter()
        .flat_map(|&a| columns.iter().map(move |&b| gram_inverse[a * width + b]))
        .collect();
    let restricted: Vec<f64> = columns.iter().map(|&c| coefficients[c]).collect();
    let lower = cholesky("inverse Gram block", &block, k)?;
    let solved = cholesky_solve(&lower, k, &restricted);
    Ok(restricted.iter().zip(&solved).map(|(b, z)| b * z).sum())
}
