//! Likelihoods, masks and metrics against closed forms and hand-computed values.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::likelihood::{gaussian_nll, poisson_nll};
use ncm_transformer::metrics::{self, RidgeVar};
use ncm_transformer::{MaskKind, TransformerError, draw_mask};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn tensor(values: &[f32], device: &Device) -> Tensor<1> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len()]), device)
}

#[test]
fn gaussian_nll_matches_the_closed_form() {
    let device = Device::flex();
    let mean = [0.0f32, 1.5, -2.0];
    let log_var = [0.0f32, -1.0, 2.0];
    let x = [0.0f32, 0.5, 1.0];
    let nll = gaussian_nll(
        tensor(&mean, &device),
        tensor(&log_var, &device),
        tensor(&x, &device),
    )
    .into_data()
    .try_to_vec::<f32>()
    .unwrap();
    for i in 0..3 {
        // -ln N(x | m, s^2) = ln(s sqrt(2 pi)) + (x - m)^2 / (2 s^2)
        let s = (f64::from(log_var[i]) / 2.0).exp();
        let expected = (s * (2.0 * std::f64::consts::PI).sqrt()).ln()
            + (f64::from(x[i]) - f64::from(mean[i])).powi(2) / (2.0 * s * s);
        assert!(
            (f64::from(nll[i]) - expected).abs() < 1e-5,
            "{} vs {expected}",
            nll[i]
        );
    }
    // N(0 | 0, 1): ln sqrt(2 pi) = 0.9189385332.
    let host = metrics::gaussian_nll(&[0.0], &[0.0], &[0.0], 1).unwrap();
    assert!((host - 0.918_938_533_2).abs() < 1e-9);
}

#[test]
fn poisson_nll_matches_the_closed_form() {
    let device = Device::flex();
    let rate = [2.5f64, 0.1, 7.0];
    let counts = [3.0f32, 0.0, 10.0];
    let log_rate: Vec<f32> = rate.iter().map(|r| r.ln() as f32).collect();
    let nll = poisson_nll(tensor(&log_rate, &device), tensor(&counts, &device))
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    // ln k! for k = 3, 0, 10: ln 6 and ln 3628800.
    let ln_fact = [6f64.ln(), 0.0, 3_628_800f64.ln()];
    let mut total = 0.0;
    for i in 0..3 {
        let k = f64::from(counts[i]);
        let full = rate[i] - k * rate[i].ln() + ln_fact[i];
        assert!((f64::from(nll[i]) + ln_fact[i] - full).abs() < 1e-4);
        total += full;
    }
    // scipy.stats.poisson.logpmf(3, 2.5) = -1.5428872736...
    assert!((2.5 - 3.0 * 2.5f64.ln() + 6f64.ln() - 1.542_887_273_6).abs() < 1e-9);
    let host = metrics::poisson_nll(&log_rate, &counts, 3).unwrap();
    assert!((host - total / 3.0).abs() < 1e-5);
    assert!(matches!(
        metrics::poisson_nll(&[0.0], &[1.5], 1),
        Err(TransformerError::InvalidSetting { name: "counts", .. })
    ));
}

#[test]
fn bits_per_spike_true_and_mean_rates() {
    let channels = 4;
    let samples = 4000;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut rates = Vec::new();
    let mut counts = Vec::new();
    for t in 0..samples {
        for c in 0..channels {
            let rate = 1.0 + 0.8 * ((t as f64) * 0.05 + c as f64).sin();
            // Poisson draw by counting exponential arrivals in unit time.
            let mut k = 0;
            let mut clock: f64 = -rng.random::<f64>().ln() / rate;
            while clock < 1.0 {
                k += 1;
                clock += -rng.random::<f64>().ln() / rate;
            }
            rates.push(rate as f32);
            counts.push(k as f32);
        }
    }
    let bps = metrics::bits_per_spike(&rates, &counts, channels).unwrap();
    assert!(bps > 0.05, "{bps}");
    let mut means = vec![0.0f32; channels];
    for row in counts.chunks_exact(channels) {
        for c in 0..channels {
            means[c] += row[c] / samples as f32;
        }
    }
    let null: Vec<f32> = (0..samples).flat_map(|_| means.clone()).collect();
    let zero = metrics::bits_per_spike(&null, &counts, channels).unwrap();
    assert!(zero.abs() < 1e-4, "{zero}");
    assert!(matches!(
        metrics::bits_per_spike(&[1.0], &[0.0], 1),
        Err(TransformerError::InvalidSetting { name: "counts", .. })
    ));
}

#[test]
fn r_squared_and_coverage_match_hand_values() {
    // target 1, 2, 3, 4 (mean 2.5, SS_tot 5); prediction off by 0.5 each: SS_res 1, R^2 0.8.
    let r2 = metrics::r_squared(&[1.5, 2.5, 3.5, 4.5], &[1.0, 2.0, 3.0, 4.0], 1).unwrap();
    assert!((r2 - 0.8).abs() < 1e-12);
    // Unit variance; errors 0.5, 1.0, 1.5, 2.5 lie inside the 90% interval (z = 1.6449)
    // for the first three only.
    let target = [0.5f32, -1.0, 1.5, 2.5];
    let coverage = metrics::interval_coverage(&[0.0; 4], &[0.0; 4], &target, 1, 0.9).unwrap();
    assert_eq!(coverage, 0.75);
    // 1.95 < 1.959964 (97.5% normal quantile) < 1.97.
    let inside = metrics::interval_coverage(&[0.0], &[0.0], &[1.95], 1, 0.95).unwrap();
    let outside = metrics::interval_coverage(&[0.0], &[0.0], &[1.97], 1, 0.95).unwrap();
    assert_eq!((inside, outside), (1.0, 0.0));
    assert!(matches!(
        metrics::r_squared(&[1.0, 1.0], &[2.0, 2.0], 1),
        Err(TransformerError::InvalidSetting { name: "target", .. })
    ));
    assert!(matches!(
        metrics::r_squared(&[1.0, 1.0], &[2.0], 1),
        Err(TransformerError::ShapeMismatch { .. })
    ));
}

#[test]
fn ridge_var_and_persistence_forecasts() {
    // x_{t+1} = A x_t with A a damped rotation; a noiseless series pins A exactly.
    let (c, s) = (0.9f64.cos() * 0.98, 0.9f64.sin() * 0.98);
    let mut x = [1.0f64, 0.0];
    let mut series = Vec::new();
    for _ in 0..40 {
        series.extend(x.iter().map(|&v| v as f32));
        x = [c * x[0] - s * x[1], s * x[0] + c * x[1]];
    }
    let var = RidgeVar::fit(&series, 2, 1, 0.0).unwrap();
    let w = &var.coefficients; // rows: x1, x2, intercept; columns: channels
    assert!((w[0] - c).abs() < 1e-3, "{w:?}");
    assert!((w[1] - s).abs() < 1e-3, "{w:?}");
    assert!((w[2] + s).abs() < 1e-3, "{w:?}");
    assert!((w[3] - c).abs() < 1e-3, "{w:?}");
    assert!(w[4].abs() < 1e-3, "{w:?}");
    assert!(w[5].abs() < 1e-3, "{w:?}");
    let forecast = var.forecast(&series).unwrap();
    assert!(metrics::r_squared(&forecast, &series[2..], 2).unwrap() > 0.9999);
    let persistence = metrics::persistence_forecast(&series, 2).unwrap();
    assert_eq!(persistence, series[..78].to_vec());
    assert!(matches!(
        RidgeVar::fit(&series[..4], 2, 1, 0.0),
        Err(TransformerError::TooShort { .. })
    ));
    assert!(matches!(
        RidgeVar::fit(&series, 2, 1, -1.0),
        Err(TransformerError::InvalidSetting {
            name: "penalty",
            ..
        })
    ));
}

#[test]
fn masks_hide_the_requested_share_and_are_seeded() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for kind in [MaskKind::Random, MaskKind::Span { span: 3 }] {
        let mask = draw_mask(&mut rng, kind, 5, 20, 0.25).unwrap();
        for row in mask.chunks_exact(20) {
            assert_eq!(row.iter().filter(|&&m| m).count(), 5);
        }
        let again = draw_mask(&mut ChaCha8Rng::seed_from_u64(9), kind, 5, 20, 0.25).unwrap();
        let same = draw_mask(&mut ChaCha8Rng::seed_from_u64(9), kind, 5, 20, 0.25).unwrap();
        assert_eq!(again, same);
    }
    assert!(matches!(
        draw_mask(&mut rng, MaskKind::Random, 1, 10, 1.0),
        Err(TransformerError::InvalidSetting {
            name: "mask_ratio",
            ..
        })
    ));
    assert!(matches!(
        draw_mask(&mut rng, MaskKind::Span { span: 0 }, 1, 10, 0.5),
        Err(TransformerError::InvalidSetting { name: "span", .. })
    ));
}
