//! Pure helpers of the recorded-data comparison: rows from recordings, time-block splits, the
//! fitted Gaussian baseline, importance-sampling estimates of log Z, and the map from
//! continuous attractors to the +-1 patterns of a maximum-entropy model.

use anyhow::{Result, ensure};
use ncm_data::Recording;
use ncm_ebm::continuous::GaussianMixture;

/// Returns every `stride`-th time point of `recording` as row-major `[t, channels]` f32 rows.
pub fn rows_from_recording(recording: &Recording, stride: usize) -> Vec<f32> {
    let (channels, samples) = (recording.channels, recording.samples);
    (0..samples)
        .step_by(stride.max(1))
        .flat_map(|t| (0..channels).map(move |c| recording.data[c * samples + t] as f32))
        .collect()
}

/// Splits row-major rows of width `dim` into consecutive blocks of `block` rows and sends
/// every `every`-th block (the 4th, 8th, ... for `every` = 4) to the held-out set.
///
/// Returns (training rows, held-out rows).
pub fn split_blocks(rows: &[f32], dim: usize, block: usize, every: usize) -> (Vec<f32>, Vec<f32>) {
    let mut train = Vec::new();
    let mut held_out = Vec::new();
    for (index, chunk) in rows.chunks(dim * block.max(1)).enumerate() {
        if every > 0 && (index + 1) % every == 0 {
            held_out.extend_from_slice(chunk);
        } else {
            train.extend_from_slice(chunk);
        }
    }
    (train, held_out)
}

/// Computes the sample mean and covariance (divided by n, the maximum-likelihood estimate) of `rows`.
pub fn mean_covariance(rows: &[f32], dim: usize) -> (Vec<f64>, Vec<f64>) {
    let n = (rows.len() / dim) as f64;
    let mut mean = vec![0.0; dim];
    for row in rows.chunks(dim) {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, &x)| *m += f64::from(x) / n);
    }
    let mut covariance = vec![0.0; dim * dim];
    for row in rows.chunks(dim) {
        for i in 0..dim {
            for j in 0..dim {
                covariance[i * dim + j] +=
                    (f64::from(row[i]) - mean[i]) * (f64::from(row[j]) - mean[j]) / n;
            }
        }
    }
    (mean, covariance)
}

/// Fits the single Gaussian with the sample mean and covariance of `rows`, its covariance
/// multiplied by `inflation`.
pub fn fitted_gaussian(rows: &[f32], dim: usize, inflation: f64) -> Result<GaussianMixture> {
    let (mean, mut covariance) = mean_covariance(rows, dim);
    covariance.iter_mut().for_each(|c| *c *= inflation);
    Ok(GaussianMixture::new(&[1.0], &mean, &covariance)?)
}

/// Computes the mean log density per row of `rows` under `gaussian`, in nats.
pub fn mean_log_likelihood(gaussian: &GaussianMixture, rows: &[f32]) -> Result<f64> {
    let values = gaussian.log_density(rows)?;
    ensure!(
        !values.is_empty(),
        "no rows to score; pass at least one row"
    );
    Ok(values.iter().sum::<f64>() / values.len() as f64)
}

/// Importance-sampling estimate of log Z = log of the integral of exp(-E(x)).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct LogPartition {
    /// log Z^ = log mean_i w_i with w_i = exp(-E(x_i)) / q(x_i), x_i ~ q.
    pub log_z: f64,
    /// Delta-method standard error of log Z^: sd(w) / (mean(w) sqrt(M)).
    pub standard_error: f64,
    /// Effective sample size (sum w)^2 / sum w^2.
    pub effective_samples: f64,
}

/// Estimates log Z from the energies of M draws of a proposal q and the log density of q at
/// those draws.
pub fn importance_log_partition(
    energies: &[f64],
    proposal_log_density: &[f64],
) -> Result<LogPartition> {
    ensure!(
        !energies.is_empty() && energies.len() == proposal_log_density.len(),
        "need as many proposal densities ({}) as energies ({}), at least one",
        proposal_log_density.len(),
        energies.len()
    );
    let log_weights: Vec<f64> = energies
        .iter()
        .zip(proposal_log_density)
        .map(|(&e, &q)| -e - q)
        .collect();
    ensure!(
        log_weights.iter().all(|w| w.is_finite()),
        "a log importance weight is not finite"
    );
    let top = log_weights
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    let scaled: Vec<f64> = log_weights.iter().map(|w| (w - top).exp()).collect();
    let m = scaled.len() as f64;
    let mean = scaled.iter().sum::<f64>() / m;
    let mean_square = scaled.iter().map(|w| w * w).sum::<f64>() / m;
    let variance = (mean_square - mean * mean).max(0.0) * m / (m - 1.0).max(1.0);
    Ok(LogPartition {
        log_z: top + mean.ln(),
        standard_error: variance.sqrt() / (mean * m.sqrt()),
        effective_samples: m * mean * mean / mean_square,
    })
}

/// Maps a continuous state to a maximum-entropy state index: bit i is set when x_i lies above
/// `threshold` (the binarisation threshold in the same units).
pub fn sign_pattern(location: &[f64], threshold: f64) -> u32 {
    location
        .iter()
        .enumerate()
        .filter(|(_, x)| **x > threshold)
        .fold(0, |state, (i, _)| state | 1 << i)
}

/// Returns the position in `minima` of the minimum nearest to `state` in Hamming distance, with
/// that distance. Ties go to the first minimum listed, and an empty `minima` gives `None`.
pub fn nearest_minimum(state: u32, minima: &[u32]) -> Option<(usize, u32)> {
    minima
        .iter()
        .enumerate()
        .map(|(k, &minimum)| (k, (state ^ minimum).count_ones()))
        .min_by_key(|&(k, distance)| (distance, k))
}

/// Computes the mean and sample standard deviation (n - 1) of `values`. The sd of one value
/// is 0.
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ncm_ebm::continuous::oracle_denoising_error;

    #[test]
    fn rows_are_transposed_and_subsampled() {
        // Two channels, five samples: channel 0 is 0..5, channel 1 is 10..15.
        let recording = Recording {
            data: vec![0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0, 13.0, 14.0],
            channels: 2,
            samples: 5,
            sampling_interval_s: 1.0,
            labels: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            rows_from_recording(&recording, 2),
            vec![0.0, 10.0, 2.0, 12.0, 4.0, 14.0]
        );
    }

    #[test]
    fn every_third_block_is_held_out() {
        let rows: Vec<f32> = (0..14).map(|v| v as f32).collect();
        // dim 1, blocks of 2: [0 1] [2 3] [4 5] [6 7] [8 9] [10 11] [12 13].
        let (train, held_out) = split_blocks(&rows, 1, 2, 3);
        assert_eq!(held_out, vec![4.0, 5.0, 10.0, 11.0]);
        assert_eq!(
            train,
            vec![0.0, 1.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 12.0, 13.0]
        );
    }

    #[test]
    fn gaussian_log_likelihood_matches_the_closed_form() {
        // Training rows (0, 0), (2, 0), (0, 4), (2, 4): mean (1, 2), covariance diag(1, 4).
        let train = [0.0, 0.0, 2.0, 0.0, 0.0, 4.0, 2.0, 4.0];
        let gaussian = fitted_gaussian(&train, 2, 1.0).unwrap();
        // log N(x) = -log(2 pi) - 0.5 log(det) - 0.5 q with det = 4 and the quadratic form
        // q = 0 at (1, 2) and q = 1 + 1 = 2 at (2, 4).
        let expected = |q: f64| -(std::f64::consts::TAU).ln() - 0.5 * 4f64.ln() - 0.5 * q;
        let mean = mean_log_likelihood(&gaussian, &[1.0, 2.0, 2.0, 4.0]).unwrap();
        assert!(
            (mean - 0.5 * (expected(0.0) + expected(2.0))).abs() < 1e-9,
            "{mean}"
        );
    }

    #[test]
    fn gaussian_tweedie_error_matches_the_wiener_filter() {
        // For x ~ N(0, diag(s^2)) the posterior mean given x + sigma z has expected squared
        // error sigma^2 s^2 / (s^2 + sigma^2) per coordinate.
        let (sigma, scales) = (0.5, [0.5f64, 1.0, 2.0]);
        let unit = GaussianMixture::isotropic(&[0.0, 0.0, 0.0], 3, 1.0)
            .unwrap()
            .sample(40_000, 7);
        let rows: Vec<f32> = unit
            .chunks(3)
            .flat_map(|row| row.iter().zip(scales).map(|(&z, s)| z * s as f32))
            .collect();
        let gaussian = fitted_gaussian(&rows, 3, 1.0).unwrap();
        let error = oracle_denoising_error(&gaussian, &rows, sigma, 3).unwrap();
        let expected = scales
            .iter()
            .map(|s| sigma * sigma * s * s / (s * s + sigma * sigma))
            .sum::<f64>()
            / 3.0;
        assert!(
            (error - expected).abs() < 0.01 * expected,
            "{error} vs {expected}"
        );
    }

    #[test]
    fn importance_sampling_recovers_a_gaussian_normaliser() {
        // E(x) = |x|^2 / (2 * 0.8^2) in 3-D has log Z = 1.5 log(2 pi 0.64); the proposal is
        // N(0, 1.2^2 I).
        let (s, proposal_scale, dim) = (0.8f64, 1.2f64, 3);
        let proposal = GaussianMixture::isotropic(&[0.0; 3], dim, proposal_scale).unwrap();
        let draws = proposal.sample(20_000, 11);
        let energies: Vec<f64> = draws
            .chunks(dim)
            .map(|row| row.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / (2.0 * s * s))
            .collect();
        let log_q = proposal.log_density(&draws).unwrap();
        let estimate = importance_log_partition(&energies, &log_q).unwrap();
        let exact = 1.5 * (std::f64::consts::TAU * s * s).ln();
        assert!(estimate.standard_error < 0.02, "{estimate:?}");
        assert!(
            (estimate.log_z - exact).abs() < 4.0 * estimate.standard_error,
            "{estimate:?} vs {exact}"
        );
        // Equal weights: a proposal equal to the target gives log Z exactly and ESS = M.
        let equal = importance_log_partition(&[1.0, 2.0], &[-3.0, -4.0]).unwrap();
        assert!((equal.log_z - 2.0).abs() < 1e-12);
        assert!(equal.standard_error.abs() < 1e-12);
        assert!((equal.effective_samples - 2.0).abs() < 1e-12);
        assert!(importance_log_partition(&[], &[]).is_err());
        assert!(importance_log_partition(&[f64::NAN], &[0.0]).is_err());
    }

    #[test]
    fn patterns_and_hamming_matches_on_hand_made_cases() {
        // Bit i is set for x_i above the threshold.
        assert_eq!(sign_pattern(&[0.5, -0.1, 2.0, 0.0], 0.0), 0b0101);
        assert_eq!(sign_pattern(&[0.5, -0.1, 2.0, 0.0], 1.0), 0b0100);
        // 0b0101 is 1 away from 0b0111 and 0b0100 (the first listed wins), 4 from 0b1010.
        assert_eq!(
            nearest_minimum(0b0101, &[0b1010, 0b0111, 0b0100]),
            Some((1, 1))
        );
        assert_eq!(nearest_minimum(0b1111, &[0b0000]), Some((0, 4)));
        assert_eq!(nearest_minimum(0b1111, &[]), None);
    }

    #[test]
    fn mean_and_sample_sd() {
        assert_eq!(mean_sd(&[1.0, 3.0]), (2.0, 2f64.sqrt()));
        assert_eq!(mean_sd(&[4.0]), (4.0, 0.0));
    }
}
