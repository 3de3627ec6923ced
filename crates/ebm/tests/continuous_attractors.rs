//! Attractor analysis of the double well against its known stationary points and Hessians,
//! and the evaluation helpers (mixture density, MMD, denoising error) against closed forms.
#![cfg(feature = "flex")]

use burn::tensor::Device;
use ncm_ebm::continuous::{
    AttractorConfig, ContinuousError, DoubleWell, GaussianEnergy, GaussianMixture, Stability,
    denoising_error, find_attractors, median_distance, mmd_rbf, oracle_denoising_error,
};

#[test]
fn double_well_minima_and_saddle() {
    // E = b (x_1^2 - 1)^2 + x_2^2 / 2 with b = 0.5: minima (+-1, 0) with Hessian diag(4, 1), saddle
    // (0, 0) with Hessian diag(-2, 1), energies 0 and b.
    let device = Device::flex();
    let energy = DoubleWell::new(2, 0.5).unwrap();
    let starts = [
        0.3f32, 0.8, 1.7, -0.4, -0.2, 0.5, -1.5, -1.0, 0.0, 0.7, 0.0, -1.2,
    ];
    let analysis = find_attractors(&energy, &starts, &AttractorConfig::default(), &device).unwrap();
    assert_eq!(analysis.fixed_points.len(), 3, "{analysis:?}");
    assert_eq!(
        analysis.basin,
        vec![Some(0), Some(0), Some(1), Some(1), Some(2), Some(2)]
    );

    let expected = [
        ([1.0, 0.0], [1.0, 4.0], 0.0),
        ([-1.0, 0.0], [1.0, 4.0], 0.0),
        ([0.0, 0.0], [-2.0, 1.0], 0.5),
    ];
    for (fixed, (location, eigenvalues, energy_value)) in analysis.fixed_points.iter().zip(expected)
    {
        for (a, b) in fixed.location.iter().zip(location) {
            assert!((a - b).abs() < 1e-3, "location {:?}", fixed.location);
        }
        // Central differences with h = 1e-2 in f32: truncation h^2 E''' / 6 <= 1e-4 plus
        // rounding 1e-7 / 1e-2.
        for (a, b) in fixed.eigenvalues.iter().zip(eigenvalues) {
            assert!((a - b).abs() < 1e-2, "eigenvalues {:?}", fixed.eigenvalues);
        }
        assert!(
            (fixed.energy - energy_value).abs() < 1e-5,
            "energy {}",
            fixed.energy
        );
        assert_eq!(fixed.basin_size, 2);
    }
    assert_eq!(analysis.fixed_points[0].stability, Stability::Stable);
    assert_eq!(analysis.fixed_points[1].stability, Stability::Stable);
    assert_eq!(
        analysis.fixed_points[2].stability,
        Stability::Saddle {
            negative_directions: 1
        }
    );
}

#[test]
fn correlated_gaussian_has_one_minimum_with_known_spectrum() {
    // E = (x - mu)^T Sigma^{-1} (x - mu) / 2: one minimum at mu; the Hessian Sigma^{-1} of
    // Sigma = [[2, 1, 0], [1, 2, 0], [0, 0, 4]] has eigenvalues 1/3, 1/4 and 1.
    let device = Device::flex();
    let mean = [0.5, -1.0, 2.0];
    let covariance = [2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 4.0];
    let energy = GaussianEnergy::new(&mean, &covariance, &device).unwrap();
    let starts = [0.0f32, 0.0, 0.0, 3.0, -2.0, 1.0];
    let config = AttractorConfig {
        step_size: 0.5,
        ..AttractorConfig::default()
    };
    let analysis = find_attractors(&energy, &starts, &config, &device).unwrap();
    assert_eq!(analysis.fixed_points.len(), 1);
    let fixed = &analysis.fixed_points[0];
    for (eigenvalue, expected) in fixed.eigenvalues.iter().zip([0.25, 1.0 / 3.0, 1.0]) {
        assert!(
            (eigenvalue - expected).abs() < 1e-3,
            "{:?}",
            fixed.eigenvalues
        );
    }
    assert_eq!(fixed.stability, Stability::Stable);
}

#[test]
fn unconverged_starts_have_no_basin() {
    let device = Device::flex();
    let energy = DoubleWell::new(1, 1.0).unwrap();
    let config = AttractorConfig {
        max_steps: 1,
        ..AttractorConfig::default()
    };
    let analysis = find_attractors(&energy, &[0.3, 1.0], &config, &device).unwrap();
    assert_eq!(analysis.basin, vec![None, Some(0)]);
}

#[test]
fn bad_attractor_inputs_are_rejected() {
    let device = Device::flex();
    let energy = DoubleWell::new(2, 1.0).unwrap();
    let config = AttractorConfig::default();
    assert!(matches!(
        find_attractors(&energy, &[], &config, &device),
        Err(ContinuousError::EmptyData { .. })
    ));
    assert!(matches!(
        find_attractors(&energy, &[1.0], &config, &device),
        Err(ContinuousError::LengthMismatch { .. })
    ));
    assert!(matches!(
        find_attractors(&energy, &[1.0, f32::INFINITY], &config, &device),
        Err(ContinuousError::NonFiniteData {
            row: 0,
            column: 1,
            ..
        })
    ));
    let setting =
        |config: AttractorConfig| match find_attractors(&energy, &[1.0, 0.0], &config, &device) {
            Err(ContinuousError::InvalidSetting { name, .. }) => name,
            other => panic!("expected an invalid setting, got {other:?}"),
        };
    assert_eq!(
        setting(AttractorConfig {
            step_size: 0.0,
            ..AttractorConfig::default()
        }),
        "step_size"
    );
    assert_eq!(
        setting(AttractorConfig {
            max_steps: 0,
            ..AttractorConfig::default()
        }),
        "max_steps"
    );
    assert_eq!(
        setting(AttractorConfig {
            hessian_step: -1.0,
            ..AttractorConfig::default()
        }),
        "hessian_step"
    );
    // A descent step beyond 2 / curvature diverges.
    let huge = AttractorConfig {
        step_size: 10.0,
        ..AttractorConfig::default()
    };
    assert!(matches!(
        find_attractors(&energy, &[2.0, 0.0], &huge, &device),
        Err(ContinuousError::NonFiniteStates { .. })
    ));
    assert!(matches!(
        DoubleWell::new(0, 1.0),
        Err(ContinuousError::InvalidSetting { name: "dim", .. })
    ));
}

#[test]
fn mixture_density_matches_closed_form() {
    // Two components in 1-D, weights 1 : 3, N(-1, 0.25) and N(2, 1), at x = 0.5:
    // 0.25 N(0.5; -1, 0.25) + 0.75 N(0.5; 2, 1) = 0.25 * 0.008863696823876 + 0.75 * 0.129517595665892
    // (normal densities from the formula exp(-z^2 / 2) / (s sqrt(2 pi))).
    let mixture = GaussianMixture::new(&[1.0, 3.0], &[-1.0, 2.0], &[0.25, 1.0]).unwrap();
    let expected: f64 = 0.25 * 0.008863696823876 + 0.75 * 0.129517595665892;
    let log_density = mixture.log_density(&[0.5]).unwrap()[0];
    assert!(
        (log_density - expected.ln()).abs() < 1e-9,
        "{log_density} vs {}",
        expected.ln()
    );

    // The score equals the derivative of the log density (central difference, h = 1e-4).
    let score = mixture.score(&[0.5]).unwrap()[0];
    let h = 1e-4f32;
    let plus = mixture.log_density(&[0.5 + h]).unwrap()[0];
    let minus = mixture.log_density(&[0.5 - h]).unwrap()[0];
    let numeric = (plus - minus) / (2.0 * f64::from(h));
    assert!((score - numeric).abs() < 1e-3, "{score} vs {numeric}");

    // Sample moments: mean 0.25 * -1 + 0.75 * 2 = 1.25.
    let draws = mixture.sample(20_000, 1);
    let mean = draws.iter().map(|&x| f64::from(x)).sum::<f64>() / 20_000.0;
    // Variance 0.25 * 0.25 + 0.75 * 1 + 0.25 * 0.75 * 3^2 = 2.5, so the standard error is 0.011.
    assert!((mean - 1.25).abs() < 0.045, "mean {mean}");
}

#[test]
fn mmd_separates_equal_and_shifted_samples() {
    // For N(0, 1) against N(delta, 1) with kernel bandwidth h, the population MMD^2 is
    // 2 (h^2 / (h^2 + 2))^(1/2) (1 - exp(-delta^2 / (2 (h^2 + 2)))) (Gaussian integrals).
    let standard = GaussianMixture::new(&[1.0], &[0.0], &[1.0]).unwrap();
    let shifted = GaussianMixture::new(&[1.0], &[1.0], &[1.0]).unwrap();
    let a = standard.sample(1500, 1);
    let b = standard.sample(1500, 2);
    let c = shifted.sample(1500, 3);
    let h = 1.0;
    let same = mmd_rbf(&a, &b, 1, h).unwrap();
    let different = mmd_rbf(&a, &c, 1, h).unwrap();
    let population =
        2.0 * (h * h / (h * h + 2.0)).sqrt() * (1.0 - (-1.0f64 / (2.0 * (h * h + 2.0))).exp());
    assert!(same.abs() < 0.01, "same law: {same}");
    assert!(
        (different - population).abs() < 0.02,
        "shifted: {different} vs {population}"
    );
    let bandwidth = median_distance(&a, 1).unwrap();
    // The median of |X - Y| for X, Y ~ N(0, 1) is sqrt(2) * 0.6745 = 0.954.
    assert!(
        (bandwidth - 0.954).abs() < 0.05,
        "median distance {bandwidth}"
    );
    assert!(matches!(
        mmd_rbf(&a, &b, 1, 0.0),
        Err(ContinuousError::InvalidSetting {
            name: "bandwidth",
            ..
        })
    ));
    assert!(matches!(
        mmd_rbf(&a[..1], &b, 1, 1.0),
        Err(ContinuousError::InvalidSetting { .. })
    ));
}

#[test]
fn denoising_error_of_exact_score() {
    // For x ~ N(0, s^2) and x~ = x + sigma z, the posterior mean is x~ s^2 / (s^2 + sigma^2) and
    // its mean squared error is s^2 sigma^2 / (s^2 + sigma^2) = 0.2 for s = 1, sigma = 0.5.
    let device = Device::flex();
    let sigma = 0.5;
    let clean = GaussianMixture::new(&[1.0], &[0.0], &[1.0])
        .unwrap()
        .sample(20_000, 4);
    let smoothed = GaussianEnergy::new(&[0.0], &[1.0 + sigma * sigma], &device).unwrap();
    let model_error = denoising_error(&smoothed, &clean, sigma, 5, &device).unwrap();
    let mixture = GaussianMixture::new(&[1.0], &[0.0], &[1.0]).unwrap();
    let oracle = oracle_denoising_error(&mixture, &clean, sigma, 5).unwrap();
    assert!((model_error - 0.2).abs() < 0.01, "{model_error}");
    assert!(
        (oracle - model_error).abs() < 1e-5,
        "{oracle} vs {model_error}"
    );
    assert!(matches!(
        denoising_error(&smoothed, &clean, 0.0, 5, &device),
        Err(ContinuousError::InvalidSetting { .. })
    ));
}
