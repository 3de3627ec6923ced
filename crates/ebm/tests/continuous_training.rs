//! Training objectives against closed forms on Gaussian data.
//!
//! Over the Gaussian model family, score matching is minimised by the sample mean and
//! covariance (Hyvarinen 2005, JMLR 6:695). Denoising score matching at noise sigma is minimised
//! by the covariance plus sigma^2 I, because it fits the data law convolved with the noise.
//! Noise-contrastive estimation also recovers the normaliser. The divergence guard, seeding and
//! input errors are tested too.
#![cfg(feature = "flex")]

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use ncm_ebm::continuous::{
    ContinuousError, Energy, EnergyNetConfig, GaussianMixture, Objective, QuadraticEnergy,
    TrainConfig, Trainer,
};

const MEAN: [f64; 2] = [1.0, -2.0];
const COVARIANCE: [f64; 4] = [1.0, 0.5, 0.5, 2.0];

/// Training data from N(MEAN, COVARIANCE) and its sample mean and (divide-by-n) covariance.
fn gaussian_data(n: usize) -> (Vec<f32>, [f64; 2], [f64; 4]) {
    let data = GaussianMixture::new(&[1.0], &MEAN, &COVARIANCE)
        .unwrap()
        .sample(n, 21);
    let mut mean = [0.0; 2];
    for row in data.chunks(2) {
        mean[0] += f64::from(row[0]) / n as f64;
        mean[1] += f64::from(row[1]) / n as f64;
    }
    let mut cov = [0.0; 4];
    for row in data.chunks(2) {
        let d = [f64::from(row[0]) - mean[0], f64::from(row[1]) - mean[1]];
        for i in 0..2 {
            for j in 0..2 {
                cov[i * 2 + j] += d[i] * d[j] / n as f64;
            }
        }
    }
    (data, mean, cov)
}

fn train_quadratic(
    objective: Objective,
    data: &[f32],
    steps: usize,
    batch_size: usize,
) -> QuadraticEnergy {
    let device = Device::flex().autodiff();
    let model = QuadraticEnergy::standard(2, &device).unwrap();
    let config = TrainConfig {
        objective,
        steps,
        batch_size,
        learning_rate: 0.05,
        final_learning_rate: Some(0.002),
        seed: 3,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, data, config, &device).unwrap();
    trainer.run().unwrap();
    trainer.into_model()
}

/// Asserts mean and covariance within absolute tolerances, which cover the minibatch noise left
/// after Adam with the learning rate decaying from 0.05 to 0.002.
fn assert_fit(
    model: &QuadraticEnergy,
    mean: [f64; 2],
    cov: [f64; 4],
    mean_tolerance: f64,
    cov_tolerance: f64,
    label: &str,
) {
    let centre = model.centre().unwrap();
    for i in 0..2 {
        assert!(
            (f64::from(centre[i]) - mean[i]).abs() < mean_tolerance,
            "{label}: mean {i} = {} vs {}",
            centre[i],
            mean[i]
        );
    }
    let fitted = model.covariance().unwrap();
    for i in 0..4 {
        assert!(
            (fitted[i] - cov[i]).abs() < cov_tolerance,
            "{label}: cov {i} = {} vs {}",
            fitted[i],
            cov[i]
        );
    }
}

#[test]
fn sliced_score_matching_recovers_gaussian() {
    let (data, mean, cov) = gaussian_data(4000);
    let model = train_quadratic(
        Objective::SlicedScoreMatching { projections: 2 },
        &data,
        600,
        256,
    );
    assert_fit(&model, mean, cov, 0.03, 0.05, "SSM");
}

#[test]
fn denoising_score_matching_recovers_smoothed_gaussian() {
    let (data, mean, mut cov) = gaussian_data(4000);
    let sigma = 0.5;
    cov[0] += sigma * sigma;
    cov[3] += sigma * sigma;
    // The noise term makes this loss noisier than the others, so the batch is larger.
    let model = train_quadratic(
        Objective::DenoisingScoreMatching {
            noise_levels: vec![sigma],
        },
        &data,
        600,
        2048,
    );
    assert_fit(&model, mean, cov, 0.03, 0.05, "DSM");
}

#[test]
fn noise_contrastive_estimation_recovers_gaussian_and_normaliser() {
    let (data, mean, cov) = gaussian_data(4000);
    let model = train_quadratic(
        Objective::NoiseContrastive { noise_ratio: 4 },
        &data,
        600,
        256,
    );
    assert_fit(&model, mean, cov, 0.08, 0.12, "NCE");
    // exp(-E) integrates to 1 when b = ln(2 pi) + ln|Sigma| / 2.
    let determinant = cov[0] * cov[3] - cov[1] * cov[2];
    let normaliser = (2.0 * std::f64::consts::PI).ln() + 0.5 * determinant.ln();
    let offset = model.offset().unwrap();
    assert!(
        (offset - normaliser).abs() < 0.1,
        "offset {offset} vs {normaliser}"
    );
}

#[test]
fn contrastive_divergence_moves_towards_data() {
    let (data, mean, cov) = gaussian_data(4000);
    let objective = Objective::ContrastiveDivergence {
        langevin_steps: 20,
        step_size: 0.05,
        regulariser: 0.0,
        buffer_size: 2000,
        reinit_fraction: 0.05,
    };
    let model = train_quadratic(objective, &data, 400, 256);
    // Short-run chains (20 ULA steps per update) under-disperse, so the fitted covariance runs
    // about 15% small here. The tolerance admits this known bias of the method.
    assert_fit(&model, mean, cov, 0.1, 0.35, "CD");
}

#[test]
fn divergence_stops_with_checkpoint() {
    let device = Device::flex().autodiff();
    let (data, _, _) = gaussian_data(500);
    let model = EnergyNetConfig::new(2)
        .with_width(16)
        .init(&device)
        .unwrap();
    // A tiny energy limit trips the guard at once: the checkpoint is the initial model.
    let config = TrainConfig {
        energy_limit: 1e-9,
        steps: 5,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model.clone(), &data, config, &device).unwrap();
    match trainer.run() {
        Err(ContinuousError::Diverged {
            step: 0,
            last_good_step: 0,
            ..
        }) => {}
        other => panic!("expected divergence at step 0, got {other:?}"),
    }

    // A huge learning rate with contrastive divergence drives energies past the limit after a few
    // steps; the checkpoint still gives finite energies.
    let config = TrainConfig {
        objective: Objective::ContrastiveDivergence {
            langevin_steps: 5,
            step_size: 0.1,
            regulariser: 0.0,
            buffer_size: 100,
            reinit_fraction: 0.5,
        },
        learning_rate: 1e3,
        energy_limit: 1e4,
        steps: 200,
        batch_size: 64,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, &data, config, &device).unwrap();
    let (step, last_good_step) = match trainer.run() {
        Err(ContinuousError::Diverged {
            step,
            last_good_step,
            ..
        }) => (step, last_good_step),
        other => panic!("expected divergence, got {other:?}"),
    };
    assert!(
        step >= 1 && last_good_step + 1 == step,
        "step {step}, last good {last_good_step}"
    );
    let (checkpoint, checkpoint_step) = trainer.checkpoint();
    assert_eq!(checkpoint_step, last_good_step);
    let x = Tensor::<2>::from_data(
        TensorData::new(data[..64].to_vec(), [32, 2]),
        &Device::flex(),
    );
    let energies = checkpoint
        .valid()
        .energy(x)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    assert!(
        energies.iter().all(|e| e.is_finite() && e.abs() <= 1e4),
        "{energies:?}"
    );
}

#[test]
fn same_seed_same_training() {
    let device = Device::flex().autodiff();
    let (data, _, _) = gaussian_data(300);
    let run = |seed: u64| {
        let model = EnergyNetConfig::new(2)
            .with_width(8)
            .with_seed(1)
            .init(&device)
            .unwrap();
        let config = TrainConfig {
            objective: Objective::SlicedScoreMatching { projections: 1 },
            steps: 5,
            batch_size: 32,
            seed,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(model, &data, config, &device).unwrap();
        trainer
            .run()
            .unwrap()
            .iter()
            .map(|r| r.loss)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn bad_training_inputs_are_rejected() {
    let device = Device::flex().autodiff();
    let model = || QuadraticEnergy::standard(2, &device).unwrap();
    let (data, _, _) = gaussian_data(100);
    let start =
        |data: &[f32], config: TrainConfig| Trainer::new(model(), data, config, &device).err();

    let mut nan_data = data.clone();
    nan_data[7] = f32::NAN;
    assert!(matches!(
        start(&nan_data, TrainConfig::default()),
        Some(ContinuousError::NonFiniteData {
            row: 3,
            column: 1,
            ..
        })
    ));
    assert!(matches!(
        start(&[], TrainConfig::default()),
        Some(ContinuousError::EmptyData { .. })
    ));
    assert!(matches!(
        start(&data[..5], TrainConfig::default()),
        Some(ContinuousError::LengthMismatch { len: 5, dim: 2, .. })
    ));

    let setting = |config: TrainConfig| match start(&data, config) {
        Some(ContinuousError::InvalidSetting { name, .. }) => name,
        other => panic!("expected an invalid setting, got {other:?}"),
    };
    assert_eq!(
        setting(TrainConfig {
            learning_rate: 0.0,
            ..TrainConfig::default()
        }),
        "learning_rate"
    );
    assert_eq!(
        setting(TrainConfig {
            final_learning_rate: Some(f64::INFINITY),
            ..TrainConfig::default()
        }),
        "final_learning_rate"
    );
    assert_eq!(
        setting(TrainConfig {
            steps: 0,
            ..TrainConfig::default()
        }),
        "steps"
    );
    assert_eq!(
        setting(TrainConfig {
            batch_size: 0,
            ..TrainConfig::default()
        }),
        "batch_size"
    );
    assert_eq!(
        setting(TrainConfig {
            energy_limit: -1.0,
            ..TrainConfig::default()
        }),
        "energy_limit"
    );
    let with = |objective: Objective| TrainConfig {
        objective,
        ..TrainConfig::default()
    };
    assert_eq!(
        setting(with(Objective::DenoisingScoreMatching {
            noise_levels: vec![]
        })),
        "noise_levels"
    );
    assert_eq!(
        setting(with(Objective::DenoisingScoreMatching {
            noise_levels: vec![0.1, -0.2]
        })),
        "noise_levels"
    );
    assert_eq!(
        setting(with(Objective::SlicedScoreMatching { projections: 0 })),
        "projections"
    );
    assert_eq!(
        setting(with(Objective::NoiseContrastive { noise_ratio: 0 })),
        "noise_ratio"
    );
    let cd = |step_size: f64, regulariser: f64, reinit_fraction: f64| {
        with(Objective::ContrastiveDivergence {
            langevin_steps: 5,
            step_size,
            regulariser,
            buffer_size: 10,
            reinit_fraction,
        })
    };
    assert_eq!(setting(cd(0.0, 0.1, 0.05)), "step_size");
    assert_eq!(setting(cd(0.1, -0.1, 0.05)), "regulariser");
    assert_eq!(setting(cd(0.1, 0.1, 1.5)), "reinit_fraction");

    // Noise-contrastive estimation needs a non-degenerate Gaussian fit.
    let constant = vec![1.0f32; 20];
    assert!(matches!(
        start(
            &constant,
            with(Objective::NoiseContrastive { noise_ratio: 1 })
        ),
        Some(ContinuousError::InvalidSetting { name: "data", .. })
    ));
}
