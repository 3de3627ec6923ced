//! ULA, MALA and HMC against closed-form targets: moments of a correlated Gaussian within Monte
//! Carlo error, invariance of a one-dimensional double well under MALA, acceptance rates as
//! the step shrinks, annealing, seeding and input errors.
#![cfg(feature = "flex")]

use burn::tensor::{Device, Tensor, TensorData};
use ncm_ebm::continuous::{
    Annealing, ContinuousError, DoubleWell, GaussianEnergy, SamplerConfig, SamplerMethod,
    rows_to_tensor, sample,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const MEAN: [f64; 2] = [1.0, -2.0];
const COVARIANCE: [f64; 4] = [1.0, 0.5, 0.5, 2.0];

fn gaussian(device: &Device) -> GaussianEnergy {
    GaussianEnergy::new(&MEAN, &COVARIANCE, device).unwrap()
}

/// Chains started on a grid around the origin, away from the target mean.
fn grid_starts(n: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..n)
        .flat_map(|i| {
            [
                ((i % 40) as f32 - 20.0) * 0.1,
                ((i / 40) as f32 - 25.0) * 0.1,
            ]
        })
        .collect();
    Tensor::from_data(TensorData::new(values, [n, 2]), device)
}

/// Sample mean and covariance of row-major n x 2 rows.
fn moments(rows: &[f32]) -> ([f64; 2], [f64; 4]) {
    let n = (rows.len() / 2) as f64;
    let mut mean = [0.0; 2];
    for row in rows.chunks(2) {
        mean[0] += f64::from(row[0]) / n;
        mean[1] += f64::from(row[1]) / n;
    }
    let mut cov = [0.0; 4];
    for row in rows.chunks(2) {
        let d = [f64::from(row[0]) - mean[0], f64::from(row[1]) - mean[1]];
        for i in 0..2 {
            for j in 0..2 {
                cov[i * 2 + j] += d[i] * d[j] / (n - 1.0);
            }
        }
    }
    (mean, cov)
}

/// Asserts the sample moments of n independent chains lie within 4 standard errors of the
/// target, whose covariance at temperature T is T Sigma. The standard error of a mean is
/// sqrt(Sigma_ii / n), and of a covariance entry sqrt((Sigma_ii Sigma_jj + Sigma_ij^2) / n).
fn assert_gaussian_moments(rows: &[f32], temperature: f64, label: &str) {
    let n = (rows.len() / 2) as f64;
    let sigma: Vec<f64> = COVARIANCE.iter().map(|c| c * temperature).collect();
    let (mean, cov) = moments(rows);
    for i in 0..2 {
        let error = (sigma[i * 2 + i] / n).sqrt();
        assert!(
            (mean[i] - MEAN[i]).abs() < 4.0 * error,
            "{label}: mean {i} = {} vs {}",
            mean[i],
            MEAN[i]
        );
        for j in 0..2 {
            let error =
                ((sigma[i * 2 + i] * sigma[j * 2 + j] + sigma[i * 2 + j].powi(2)) / n).sqrt();
            let target = sigma[i * 2 + j];
            assert!(
                (cov[i * 2 + j] - target).abs() < 4.0 * error,
                "{label}: cov {i}{j} = {} vs {target}",
                cov[i * 2 + j]
            );
        }
    }
}

fn config(method: SamplerMethod, step_size: f64, n_steps: usize) -> SamplerConfig {
    SamplerConfig {
        method,
        step_size,
        n_steps,
        seed: 11,
        ..SamplerConfig::default()
    }
}

#[test]
fn ula_samples_gaussian_moments() {
    // ULA's stationary covariance is Sigma (I - eps P / 2)^{-1}: 0.6% above Sigma at eps = 0.01,
    // well inside the Monte Carlo tolerance of 2000 chains.
    let device = Device::flex();
    let output = sample(
        &gaussian(&device),
        grid_starts(2000, &device),
        &config(SamplerMethod::Ula, 0.01, 1500),
    )
    .unwrap();
    assert_eq!(output.acceptance_rate, None);
    assert_gaussian_moments(&output.rows, 1.0, "ULA");
}

#[test]
fn mala_samples_gaussian_moments() {
    let device = Device::flex();
    let output = sample(
        &gaussian(&device),
        grid_starts(2000, &device),
        &config(SamplerMethod::Mala, 0.3, 400),
    )
    .unwrap();
    let rate = output.acceptance_rate.unwrap();
    assert!(rate > 0.5, "acceptance {rate}");
    assert!(rate < 1.0, "acceptance {rate}");
    assert_gaussian_moments(&output.rows, 1.0, "MALA");
}

#[test]
fn hmc_samples_gaussian_moments() {
    let device = Device::flex();
    let method = SamplerMethod::Hmc { leapfrog_steps: 8 };
    let output = sample(
        &gaussian(&device),
        grid_starts(2000, &device),
        &config(method, 0.25, 60),
    )
    .unwrap();
    let rate = output.acceptance_rate.unwrap();
    assert!(rate > 0.7, "acceptance {rate}");
    assert!(rate < 1.0, "acceptance {rate}");
    assert_gaussian_moments(&output.rows, 1.0, "HMC");
}

#[test]
fn temperature_scales_the_covariance() {
    let device = Device::flex();
    let tempered = SamplerConfig {
        start_temperature: 2.0,
        end_temperature: 2.0,
        ..config(SamplerMethod::Mala, 0.3, 400)
    };
    let output = sample(&gaussian(&device), grid_starts(2000, &device), &tempered).unwrap();
    assert_gaussian_moments(&output.rows, 2.0, "MALA at T = 2");

    // Annealed from T = 4 down to T = 1, the chains end in the T = 1 target.
    let annealed = SamplerConfig {
        start_temperature: 4.0,
        end_temperature: 1.0,
        ..config(SamplerMethod::Mala, 0.3, 600)
    };
    let output = sample(&gaussian(&device), grid_starts(2000, &device), &annealed).unwrap();
    assert_gaussian_moments(&output.rows, 1.0, "MALA annealed");
}

#[test]
fn temperature_schedules() {
    let linear = SamplerConfig {
        start_temperature: 4.0,
        end_temperature: 1.0,
        annealing: Annealing::Linear,
        n_steps: 4,
        ..SamplerConfig::default()
    };
    let temperatures: Vec<f64> = (0..4).map(|t| linear.temperature(t)).collect();
    assert_eq!(temperatures, vec![4.0, 3.0, 2.0, 1.0]);
    let geometric = SamplerConfig {
        annealing: Annealing::Geometric,
        n_steps: 3,
        ..linear
    };
    let temperatures: Vec<f64> = (0..3).map(|t| geometric.temperature(t)).collect();
    for (t, expected) in temperatures.iter().zip([4.0, 2.0, 1.0]) {
        assert!((t - expected).abs() < 1e-12, "{t} vs {expected}");
    }
}

/// Moments E[x^2] and E[x^4] of p(x) proportional to exp(-(x^2 - 1)^2), by the trapezoid rule on
/// [-4, 4] with 80001 points (the tails beyond are below e^-200).
fn double_well_moments() -> (f64, f64) {
    let (mut z, mut m2, mut m4) = (0.0, 0.0, 0.0);
    let h = 1e-4;
    for i in 0..=80_000 {
        let x = -4.0 + i as f64 * h;
        let weight =
            if i == 0 || i == 80_000 { 0.5 } else { 1.0 } * (-(x * x - 1.0f64).powi(2)).exp();
        z += weight;
        m2 += weight * x * x;
        m4 += weight * x.powi(4);
    }
    (m2 / z, m4 / z)
}

/// Exact draws from the double well by rejection from U(-3, 3), bound 1.
fn double_well_draws(n: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut draws = Vec::with_capacity(n);
    while draws.len() < n {
        let x = rng.random::<f64>() * 6.0 - 3.0;
        if rng.random::<f64>() < (-(x * x - 1.0f64).powi(2)).exp() {
            draws.push(x as f32);
        }
    }
    draws
}

#[test]
fn mala_leaves_double_well_invariant() {
    // Started from exact draws, a large MALA step (where ULA diverges) keeps the law:
    // the moments stay within 4 standard errors, estimated from the exact moments.
    let device = Device::flex();
    let n = 4000;
    let energy = DoubleWell::new(1, 1.0).unwrap();
    let start = rows_to_tensor("draws", &double_well_draws(n), 1, &device).unwrap();
    let (m2, m4) = double_well_moments();
    let m8_bound = 10.0; // E[x^8] < 10 for this law, so sd(x^4) < 3.2
    let output = sample(&energy, start, &config(SamplerMethod::Mala, 0.5, 30)).unwrap();
    let rows: Vec<f64> = output.rows.iter().map(|&x| f64::from(x)).collect();
    let mean = rows.iter().sum::<f64>() / n as f64;
    let second = rows.iter().map(|x| x * x).sum::<f64>() / n as f64;
    let fourth = rows.iter().map(|x| x.powi(4)).sum::<f64>() / n as f64;
    assert!(mean.abs() < 4.0 * (m2 / n as f64).sqrt(), "mean {mean}");
    assert!(
        (second - m2).abs() < 4.0 * ((m4 - m2 * m2) / n as f64).sqrt(),
        "E[x^2] {second} vs {m2}"
    );
    assert!(
        (fourth - m4).abs() < 4.0 * ((m8_bound - m4 * m4) / n as f64).sqrt(),
        "E[x^4] {fourth} vs {m4}"
    );
}

#[test]
fn mala_acceptance_approaches_one() {
    let device = Device::flex();
    let energy = DoubleWell::new(1, 1.0).unwrap();
    let start = rows_to_tensor("draws", &double_well_draws(1000), 1, &device).unwrap();
    let mut previous = 0.0;
    for step_size in [0.5, 0.1, 0.02, 0.004] {
        let rate = sample(
            &energy,
            start.clone(),
            &config(SamplerMethod::Mala, step_size, 20),
        )
        .unwrap()
        .acceptance_rate
        .unwrap();
        assert!(
            rate > previous,
            "acceptance {rate} at eps = {step_size} after {previous}"
        );
        previous = rate;
    }
    assert!(previous > 0.99, "acceptance {previous} at eps = 0.004");
}

#[test]
fn same_seed_same_chains() {
    let device = Device::flex();
    let run = |seed: u64| {
        let settings = SamplerConfig {
            seed,
            ..config(SamplerMethod::Hmc { leapfrog_steps: 3 }, 0.2, 20)
        };
        sample(&gaussian(&device), grid_starts(50, &device), &settings)
            .unwrap()
            .rows
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn bad_sampler_inputs_are_rejected() {
    let device = Device::flex();
    let energy = gaussian(&device);
    let starts = grid_starts(10, &device);
    let setting = |settings: SamplerConfig| match sample(&energy, starts.clone(), &settings) {
        Err(ContinuousError::InvalidSetting { name, .. }) => name,
        other => panic!("expected an invalid setting, got {other:?}"),
    };
    assert_eq!(setting(config(SamplerMethod::Mala, 0.0, 10)), "step_size");
    assert_eq!(setting(config(SamplerMethod::Ula, -0.1, 10)), "step_size");
    assert_eq!(
        setting(config(SamplerMethod::Mala, f64::NAN, 10)),
        "step_size"
    );
    assert_eq!(setting(config(SamplerMethod::Mala, 0.1, 0)), "n_steps");
    assert_eq!(
        setting(config(SamplerMethod::Hmc { leapfrog_steps: 0 }, 0.1, 10)),
        "leapfrog_steps"
    );
    assert_eq!(
        setting(SamplerConfig {
            start_temperature: 0.0,
            ..SamplerConfig::default()
        }),
        "start_temperature"
    );
    assert_eq!(
        setting(SamplerConfig {
            end_temperature: -1.0,
            ..SamplerConfig::default()
        }),
        "end_temperature"
    );

    let wrong_width = Tensor::<2>::zeros([4, 3], &device);
    assert!(matches!(
        sample(&energy, wrong_width, &SamplerConfig::default()),
        Err(ContinuousError::DimensionMismatch {
            found: 3,
            expected: 2,
            ..
        })
    ));
    let empty = Tensor::<2>::zeros([0, 2], &device);
    assert!(matches!(
        sample(&energy, empty, &SamplerConfig::default()),
        Err(ContinuousError::EmptyData { .. })
    ));
    let nan = Tensor::<2>::from_data(TensorData::new(vec![0.0f32, f32::NAN], [1, 2]), &device);
    assert!(matches!(
        sample(&energy, nan, &SamplerConfig::default()),
        Err(ContinuousError::NonFiniteData {
            row: 0,
            column: 1,
            ..
        })
    ));
    assert!(matches!(
        rows_to_tensor("x", &[1.0, 2.0, 3.0], 2, &device),
        Err(ContinuousError::LengthMismatch { len: 3, dim: 2, .. })
    ));

    // A step far beyond the stability limit of ULA (eps < 2 / lambda_max(P)) blows the chains up.
    assert!(matches!(
        sample(&energy, starts, &config(SamplerMethod::Ula, 50.0, 200)),
        Err(ContinuousError::NonFiniteStates { .. })
    ));
    assert!(matches!(
        GaussianEnergy::new(&[0.0, 0.0], &[1.0, 2.0, 2.0, 1.0], &device),
        Err(ContinuousError::InvalidSetting { .. })
    ));
    assert!(matches!(
        GaussianEnergy::new(&[], &[], &device),
        Err(ContinuousError::EmptyData { .. })
    ));
}
