//! Tests of the exact maximum-likelihood fit of the pairwise maximum-entropy model (Schneidman
//! et al. 2006, Nature 440:1007), whose optimum matches <s_i> and <s_i s_j> of the data.

mod common;

use ncm_ebm::{EbmError, ExactFitConfig, IsingModel, empirical_moments, fit_exact, state_to_spins};

/// Fits samples of a known model and checks the fitted model's moments, computed by an
/// independent enumeration, against the sample moments to 1e-6.
fn check_fit_reproduces_moments(n: usize, count: usize, seed: u64) {
    let truth = common::random_model(n, 0.5, 0.3, seed);
    let samples = common::sample(&truth, count, seed + 100);
    let fit = fit_exact(&samples, n, &ExactFitConfig::default()).unwrap();
    assert!(fit.max_moment_error < 1e-8, "reported mismatch {}", fit.max_moment_error);

    let (data_mean, data_pair) = common::sample_moments(&samples, n);
    let (model_mean, model_pair) = common::moments_of(&common::probabilities(&fit.model), n);
    for i in 0..n {
        let error = (data_mean[i] - model_mean[i]).abs();
        assert!(error < 1e-6, "N={n}: mean {i} differs by {error}");
    }
    for i in 0..n {
        for j in 0..n {
            let error = (data_pair[i * n + j] - model_pair[i * n + j]).abs();
            assert!(error < 1e-6, "N={n}: pair ({i}, {j}) differs by {error}");
        }
    }

    // Recovery of the generating parameters is limited by sampling noise (about 0.01 here).
    for (i, (fitted, true_field)) in fit.model.field.iter().zip(truth.field).enumerate() {
        assert!((fitted - true_field).abs() < 0.15, "N={n}: field {i} {fitted} vs {true_field}");
    }
    for (a, (fitted, true_coupling)) in fit.model.coupling.iter().zip(truth.coupling).enumerate() {
        assert!((fitted - true_coupling).abs() < 0.15, "N={n}: coupling {a} {fitted} vs {true_coupling}");
    }
}

#[test]
fn fit_reproduces_moments_n5() {
    check_fit_reproduces_moments(5, 20_000, 11);
}

#[test]
fn fit_reproduces_moments_n10() {
    check_fit_reproduces_moments(10, 50_000, 12);
}

#[test]
fn log_likelihood_matches_enumeration() {
    let n = 6;
    let truth = common::random_model(n, 0.5, 0.4, 21);
    let samples = common::sample(&truth, 5_000, 22);
    let fit = fit_exact(&samples, n, &ExactFitConfig::default()).unwrap();

    let probability = common::probabilities(&fit.model);
    let rows = samples.len() / n;
    let mut total = 0.0;
    for row in samples.chunks_exact(n) {
        let index = row.iter().enumerate().filter(|&(_, &s)| s == 1).map(|(i, _)| 1usize << i).sum::<usize>();
        total += probability[index].ln();
    }
    let expected = total / rows as f64;
    let error = (fit.log_likelihood_per_sample - expected).abs();
    assert!(error < 1e-10, "log-likelihood {} vs {expected}", fit.log_likelihood_per_sample);
}

/// Mean log-likelihood and its gradient for N = 3 by direct enumeration. Parameters are
/// (h0, h1, h2, J01, J02, J12).
fn three_spin_gradient(theta: &[f64; 6], data: &[f64; 6]) -> [f64; 6] {
    let mut weights = [0.0; 8];
    let mut stats = [[0.0; 6]; 8];
    for x in 0..8u32 {
        let s: Vec<f64> = state_to_spins(x, 3).into_iter().map(f64::from).collect();
        stats[x as usize] = [s[0], s[1], s[2], s[0] * s[1], s[0] * s[2], s[1] * s[2]];
        let exponent: f64 = theta.iter().zip(&stats[x as usize]).map(|(t, f)| t * f).sum();
        weights[x as usize] = exponent.exp();
    }
    let z: f64 = weights.iter().sum();
    let mut gradient = *data;
    for x in 0..8 {
        for a in 0..6 {
            gradient[a] -= weights[x] / z * stats[x][a];
        }
    }
    gradient
}

#[test]
fn fit_matches_gradient_ascent_n3() {
    let counts = [5, 9, 2, 7, 3, 11, 6, 4];
    let samples = common::samples_from_counts(&counts, 3);
    let (mean, pair) = common::sample_moments(&samples, 3);
    let data = [mean[0], mean[1], mean[2], pair[1], pair[2], pair[5]];

    // Plain gradient ascent: the Hessian's eigenvalues are at most 6 (six +-1 statistics),
    // so a step of 0.1 is stable.
    let mut theta = [0.0; 6];
    for _ in 0..200_000 {
        let gradient = three_spin_gradient(&theta, &data);
        if gradient.iter().all(|g| g.abs() < 1e-13) {
            break;
        }
        for a in 0..6 {
            theta[a] += 0.1 * gradient[a];
        }
    }

    let fit = fit_exact(&samples, 3, &ExactFitConfig::default()).unwrap();
    let fitted = [
        fit.model.field[0],
        fit.model.field[1],
        fit.model.field[2],
        fit.model.coupling_at(0, 1),
        fit.model.coupling_at(0, 2),
        fit.model.coupling_at(1, 2),
    ];
    for a in 0..6 {
        assert!((fitted[a] - theta[a]).abs() < 1e-4, "parameter {a}: Newton {} vs ascent {}", fitted[a], theta[a]);
    }
}

#[test]
fn fit_single_spin_is_atanh_of_mean() {
    let samples = [1, 1, 1, -1];
    let fit = fit_exact(&samples, 1, &ExactFitConfig::default()).unwrap();
    let expected = 0.5f64.atanh();
    assert!((fit.model.field[0] - expected).abs() < 1e-12, "field {}", fit.model.field[0]);
    assert_eq!(fit.iterations, 0);
}

#[test]
fn fit_rejects_bad_samples() {
    let config = ExactFitConfig::default();
    assert_eq!(fit_exact(&[], 3, &config), Err(EbmError::EmptySamples));
    assert_eq!(fit_exact(&[1, -1], 0, &config), Err(EbmError::ZeroSpins));
    assert!(matches!(
        fit_exact(&[1, -1, 0, 1, -1, 1], 3, &config),
        Err(EbmError::InvalidSpin { value: 0, position: 2, sample: 0, spin: 2 })
    ));
    assert!(matches!(
        fit_exact(&[1, -1, 1, 1, 2, 1], 3, &config),
        Err(EbmError::InvalidSpin { value: 2, position: 4, sample: 1, spin: 1 })
    ));
    assert!(matches!(
        fit_exact(&[1, -1, 1, 1], 3, &config),
        Err(EbmError::SampleLengthMismatch { len: 4, n_spins: 3 })
    ));
    let wide: Vec<i8> = (0..42).map(|k| if k % 3 == 0 { 1 } else { -1 }).collect();
    assert!(matches!(
        fit_exact(&wide, 21, &config),
        Err(EbmError::TooManySpins { n_spins: 21, max: 20 })
    ));
}

#[test]
fn fit_rejects_infinite_mle_data() {
    let config = ExactFitConfig::default();
    // Channel 1 is +1 in every sample.
    let constant = [1, 1, -1, 1, 1, 1, -1, 1];
    assert!(matches!(
        fit_exact(&constant, 2, &config),
        Err(EbmError::ConstantChannel { channel: 1, value: 1 })
    ));
    // Channels 0 and 1 are identical, so (+1, -1) never occurs.
    let identical = [1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1, -1];
    assert!(matches!(
        fit_exact(&identical, 3, &config),
        Err(EbmError::UnobservedPairState { first: 0, second: 1, .. })
    ));
}

#[test]
fn fit_rejects_invalid_config() {
    let samples = common::samples_from_counts(&[1, 2, 3, 4], 2);
    let nan_tolerance = ExactFitConfig { tolerance: f64::NAN, ..ExactFitConfig::default() };
    assert!(matches!(
        fit_exact(&samples, 2, &nan_tolerance),
        Err(EbmError::InvalidConfig { name: "tolerance", .. })
    ));
    let no_iterations = ExactFitConfig { max_iterations: 0, ..ExactFitConfig::default() };
    assert!(matches!(
        fit_exact(&samples, 2, &no_iterations),
        Err(EbmError::InvalidConfig { name: "max_iterations", .. })
    ));
}

#[test]
fn fit_reports_mismatch_when_out_of_iterations() {
    let truth = common::random_model(6, 0.5, 0.8, 31);
    let samples = common::sample(&truth, 5_000, 32);
    let config = ExactFitConfig { tolerance: 1e-12, max_iterations: 1 };
    match fit_exact(&samples, 6, &config) {
        Err(EbmError::NotConverged { iterations, max_moment_error, tolerance }) => {
            assert_eq!(iterations, 1);
            assert!(max_moment_error > 1e-12, "mismatch {max_moment_error}");
            assert!(max_moment_error.is_finite(), "mismatch {max_moment_error}");
            assert_eq!(tolerance, 1e-12);
        }
        other => panic!("expected NotConverged, got {other:?}"),
    }
}

#[test]
fn empirical_moments_match_direct_sums() {
    let model = common::random_model(4, 0.5, 0.5, 41);
    let samples = common::sample(&model, 3_000, 42);
    let moments = empirical_moments(&samples, 4).unwrap();
    let (mean, pair) = common::sample_moments(&samples, 4);
    for (a, b) in moments.mean.iter().zip(&mean) {
        assert!((a - b).abs() < 1e-15);
    }
    for (a, b) in moments.correlation.iter().zip(&pair) {
        assert!((a - b).abs() < 1e-15);
    }
    assert_eq!(empirical_moments(&[], 4), Err(EbmError::EmptySamples));
}

#[test]
fn independent_model_has_zero_coupling() {
    let model = IsingModel::independent(vec![0.1, -0.2]).unwrap();
    assert_eq!(model.coupling, &[0.0; 4]);
}
