//! Training: recovery of a noiseless linear system, seeded determinism, checkpoints, resume,
//! and typed errors.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::metrics::r_squared;
use ncm_transformer::{
    ForwardMask, Layout, Likelihood, MaskKind, Objective, Prediction, TrainConfig, Trainer,
    TransformerConfig, TransformerError, load_model, save_model,
};

/// x_{t+1} = A x_t with A the rotation by 0.3 rad about the axis (1, 1, 1) / sqrt(3).
fn rotation_series(time: usize) -> Vec<f32> {
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    let u = [1.0 / 3f64.sqrt(); 3];
    let mut a = [[0.0; 3]; 3];
    let cross = [[0.0, -u[2], u[1]], [u[2], 0.0, -u[0]], [-u[1], u[0], 0.0]];
    for i in 0..3 {
        for j in 0..3 {
            let identity = if i == j { 1.0 } else { 0.0 };
            a[i][j] = c * identity + s * cross[i][j] + (1.0 - c) * u[i] * u[j];
        }
    }
    let mut x = [1.0f64, -0.5, 0.0];
    let mut out = Vec::with_capacity(time * 3);
    for _ in 0..time {
        out.extend(x.iter().map(|&v| v as f32));
        x = [0, 1, 2].map(|i| (0..3).map(|j| a[i][j] * x[j]).sum());
    }
    out
}

fn small_model(seed: u64) -> TransformerConfig {
    TransformerConfig::new(3, 12)
        .with_d_model(32)
        .with_heads(2)
        .with_depth(1)
        .with_d_ff(64)
        .with_seed(seed)
}

fn forecast_config(steps: usize) -> TrainConfig {
    TrainConfig {
        window: 12,
        steps,
        batch_size: 16,
        learning_rate: 3e-3,
        warmup_steps: 20,
        eval_every: 25,
        patience: 0,
        ..TrainConfig::default()
    }
}

#[test]
fn forecasting_recovers_a_noiseless_rotation() {
    let device = Device::flex();
    let series = rotation_series(300);
    let model = small_model(1).init(&device).unwrap();
    let mut trainer = Trainer::new(model, &series, forecast_config(400), &device).unwrap();
    trainer.run().unwrap();
    let start = trainer.validation_start();
    let model = trainer.model().valid();
    // Forecast every validation step from the 11 preceding samples.
    let mut predicted = Vec::new();
    let mut target = Vec::new();
    for t in start..300 {
        let context = series[(t - 11) * 3..t * 3].to_vec();
        let input = Tensor::<3>::from_data(TensorData::new(context, [1, 11, 3]), &device);
        let mask = ForwardMask {
            causal: true,
            ..ForwardMask::default()
        };
        let Prediction::Gaussian { mean, .. } = model.forward(input, &mask).unwrap().prediction
        else {
            unreachable!()
        };
        let mean = mean.into_data().try_to_vec::<f32>().unwrap();
        predicted.extend_from_slice(&mean[30..33]);
        target.extend_from_slice(&series[t * 3..t * 3 + 3]);
    }
    let r2 = r_squared(&predicted, &target, 3).unwrap();
    assert!(r2 > 0.99, "forecast R^2 {r2}");
}

#[test]
fn seeded_runs_and_exact_resume() {
    let device = Device::flex();
    let series = rotation_series(200);
    let config = TrainConfig {
        objective: Objective::MaskedReconstruction {
            mask: MaskKind::Span { span: 2 },
            ratio: 0.25,
            contrastive: None,
        },
        eval_every: 5,
        patience: 3,
        ..forecast_config(20)
    };
    let run = || {
        let model = small_model(4).init(&device).unwrap();
        let mut trainer = Trainer::new(model, &series, config.clone(), &device).unwrap();
        trainer.run().unwrap();
        trainer
    };
    let (a, b) = (run(), run());
    assert_eq!(a.history(), b.history());
    assert!(a.history().iter().all(|r| r.loss.is_finite()));

    // Interrupted after 8 steps, saved, restored into a fresh trainer, and finished.
    let folder = std::env::temp_dir().join(format!("ncm-tfm-resume-{}", std::process::id()));
    let model = small_model(4).init(&device).unwrap();
    let mut first = Trainer::new(model, &series, config.clone(), &device).unwrap();
    for _ in 0..8 {
        first.step().unwrap();
    }
    first.save(&folder).unwrap();
    drop(first);
    let fresh = small_model(99).init(&device).unwrap();
    let mut resumed = Trainer::new(fresh, &series, config.clone(), &device)
        .unwrap()
        .resume(&folder)
        .unwrap();
    let other_seed = TrainConfig {
        seed: 5,
        ..config.clone()
    };
    let mismatch = Trainer::new(
        small_model(4).init(&device).unwrap(),
        &series,
        other_seed,
        &device,
    )
    .unwrap()
    .resume(&folder);
    assert!(matches!(
        mismatch.err(),
        Some(TransformerError::Checkpoint { .. })
    ));
    resumed.run().unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
    assert_eq!(resumed.history(), a.history());
    let input = Tensor::<3>::from_data(TensorData::new(series[..36].to_vec(), [1, 12, 3]), &device);
    let bits = |m: &ncm_transformer::Transformer| {
        let Prediction::Gaussian { mean, log_variance } = m
            .valid()
            .forward(input.clone(), &ForwardMask::default())
            .unwrap()
            .prediction
        else {
            unreachable!()
        };
        let mut values = mean.into_data().try_to_vec::<f32>().unwrap();
        values.extend(log_variance.into_data().try_to_vec::<f32>().unwrap());
        values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    };
    assert_eq!(bits(resumed.model()), bits(a.model()));
    assert_eq!(bits(resumed.best().0), bits(a.best().0));
    assert_eq!(resumed.best().1, a.best().1);
}

#[test]
fn checkpoint_round_trips_bit_for_bit() {
    let device = Device::flex();
    let config = TransformerConfig::new(4, 6)
        .with_layout(Layout::Spatial)
        .with_likelihood(Likelihood::Poisson)
        .with_d_model(8)
        .with_heads(2);
    let model = config.clone().with_seed(1).init(&device).unwrap();
    let path = std::env::temp_dir().join(format!("ncm-tfm-record-{}.bpk", std::process::id()));
    save_model(&model, &path).unwrap();
    let loaded = load_model(config.with_seed(2).init(&device).unwrap(), &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let original = model.clone().into_record().into_bytes().unwrap().to_vec();
    assert_eq!(
        loaded.clone().into_record().into_bytes().unwrap().to_vec(),
        original
    );
    let input = Tensor::<3>::from_data(
        TensorData::new(
            (0..24).map(|i| (i % 3) as f32).collect::<Vec<_>>(),
            [1, 6, 4],
        ),
        &device,
    );
    let rates = |m: &ncm_transformer::Transformer| {
        let Prediction::Poisson { log_rate } = m
            .forward(input.clone(), &ForwardMask::default())
            .unwrap()
            .prediction
        else {
            unreachable!()
        };
        log_rate.into_data().try_to_vec::<f32>().unwrap()
    };
    let (a, b) = (rates(&model), rates(&loaded));
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn spatial_poisson_masked_reconstruction_lowers_the_loss() {
    let device = Device::flex();
    // Counts with a channel-dependent rate: channel c fires about c spikes per bin.
    let series: Vec<f32> = (0..400 * 4)
        .map(|i| ((i % 4) + (i / 4 % 3 == 0) as usize) as f32)
        .collect();
    let model = TransformerConfig::new(4, 8)
        .with_layout(Layout::Spatial)
        .with_likelihood(Likelihood::Poisson)
        .with_d_model(16)
        .with_heads(2)
        .with_depth(1)
        .init(&device)
        .unwrap();
    let config = TrainConfig {
        objective: Objective::MaskedReconstruction {
            mask: MaskKind::Random,
            ratio: 0.25,
            contrastive: None,
        },
        window: 8,
        steps: 150,
        learning_rate: 1e-2,
        warmup_steps: 10,
        eval_every: 150,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, &series, config, &device).unwrap();
    let history = trainer.run().unwrap();
    let early: f64 = history[..10].iter().map(|r| r.loss).sum::<f64>() / 10.0;
    let late: f64 = history[140..].iter().map(|r| r.loss).sum::<f64>() / 10.0;
    assert!(late < early - 0.1, "loss {early} -> {late}");
}

#[test]
fn bad_settings_and_data_give_typed_errors() {
    let device = Device::flex();
    let series = rotation_series(100);
    let model = || small_model(0).init(&device).unwrap();
    let try_config = |config: TrainConfig| Trainer::new(model(), &series, config, &device).err();
    assert!(matches!(
        try_config(TrainConfig {
            learning_rate: -1.0,
            ..forecast_config(5)
        }),
        Some(TransformerError::InvalidSetting {
            name: "learning_rate",
            ..
        })
    ));
    assert!(matches!(
        try_config(TrainConfig {
            window: 1,
            ..forecast_config(5)
        }),
        Some(TransformerError::InvalidSetting { name: "window", .. })
    ));
    assert!(matches!(
        try_config(TrainConfig {
            validation_fraction: 1.0,
            ..forecast_config(5)
        }),
        Some(TransformerError::InvalidSetting {
            name: "validation_fraction",
            ..
        })
    ));
    assert!(matches!(
        try_config(TrainConfig {
            window: 60,
            ..forecast_config(5)
        }),
        Some(TransformerError::TooShort { .. })
    ));
    assert!(matches!(
        Trainer::new(model(), &series[..10], forecast_config(5), &device).err(),
        Some(TransformerError::ShapeMismatch { what: "series", .. })
    ));
    let mut bad = series.clone();
    bad[7] = f32::NAN;
    assert!(matches!(
        Trainer::new(model(), &bad, forecast_config(5), &device).err(),
        Some(TransformerError::NonFiniteData { index: 7, .. })
    ));
    let spatial = TransformerConfig::new(3, 12)
        .with_layout(Layout::Spatial)
        .with_d_model(8)
        .init(&device)
        .unwrap();
    let short_window = TrainConfig {
        window: 8,
        ..forecast_config(5)
    };
    assert!(matches!(
        Trainer::new(spatial, &series, short_window, &device).err(),
        Some(TransformerError::ShapeMismatch {
            what: "training window",
            ..
        })
    ));
    let poisson = small_model(0)
        .with_likelihood(Likelihood::Poisson)
        .init(&device)
        .unwrap();
    assert!(matches!(
        Trainer::new(poisson, &series, forecast_config(5), &device).err(),
        Some(TransformerError::InvalidSetting { name: "series", .. })
    ));

    // Finite values whose squares overflow f32 make the Gaussian loss infinite.
    let huge: Vec<f32> = series.iter().map(|v| v * 1e30).collect();
    let mut trainer = Trainer::new(model(), &huge, forecast_config(5), &device).unwrap();
    assert!(matches!(
        trainer.step(),
        Err(TransformerError::NonFiniteLoss { step: 0, .. })
    ));
    let missing = std::env::temp_dir().join("ncm-tfm-no-such-checkpoint");
    let fresh = Trainer::new(model(), &series, forecast_config(5), &device).unwrap();
    assert!(matches!(
        fresh.resume(&missing).err(),
        Some(TransformerError::Checkpoint { .. })
    ));
}

#[test]
fn learning_rate_warmup_and_cosine() {
    let config = TrainConfig {
        steps: 110,
        warmup_steps: 10,
        learning_rate: 1.0,
        final_fraction: 0.1,
        ..TrainConfig::default()
    };
    assert!((config.learning_rate_at(0) - 0.1).abs() < 1e-12);
    assert!((config.learning_rate_at(9) - 1.0).abs() < 1e-12);
    assert!((config.learning_rate_at(10) - 1.0).abs() < 1e-12);
    // Halfway through the decay: 0.1 + 0.45 (1 + cos(pi / 2)) = 0.55.
    assert!((config.learning_rate_at(60) - 0.55).abs() < 1e-12);
    assert!((config.learning_rate_at(110) - 0.1).abs() < 1e-12);
}

#[test]
fn early_stopping_keeps_the_best_model() {
    let device = Device::flex();
    let series = rotation_series(200);
    let config = TrainConfig {
        learning_rate: 5e-2,
        warmup_steps: 0,
        eval_every: 5,
        patience: 2,
        ..forecast_config(400)
    };
    let model = small_model(2).init(&device).unwrap();
    let mut trainer = Trainer::new(model, &series, config, &device).unwrap();
    trainer.run().unwrap();
    let history = trainer.history();
    assert!(trainer.finished());
    assert!(history.len() < 400, "ran all {} steps", history.len());
    let evaluations: Vec<(usize, f64)> = history
        .iter()
        .filter_map(|r| r.validation.map(|v| (r.step + 1, v)))
        .collect();
    let (best_step, best_loss) = evaluations
        .iter()
        .copied()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    assert_eq!(trainer.best().1, best_step);
    // The last two evaluations did not improve on the best one.
    let after: Vec<_> = evaluations.iter().filter(|e| e.0 > best_step).collect();
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|e| e.1 >= best_loss));
    // The kept model reproduces the best validation loss.
    let replay = Trainer::new(
        trainer.best().0.clone(),
        &series,
        forecast_config(400),
        &device,
    )
    .unwrap();
    assert_eq!(replay.validation_loss().unwrap(), best_loss);
}

#[test]
fn spatiotemporal_forecast_lowers_the_loss() {
    let device = Device::flex();
    let series = rotation_series(200);
    let model = small_model(3)
        .with_layout(Layout::Spatiotemporal)
        .with_d_model(16)
        .with_depth(2)
        .init(&device)
        .unwrap();
    let mut trainer = Trainer::new(model, &series, forecast_config(100), &device).unwrap();
    let history = trainer.run().unwrap();
    let early: f64 = history[..10].iter().map(|r| r.loss).sum::<f64>() / 10.0;
    let late: f64 = history[90..].iter().map(|r| r.loss).sum::<f64>() / 10.0;
    assert!(late < early - 0.5, "loss {early} -> {late}");

    // Masked reconstruction scores the hidden entries of the [batch, time, channels] grid.
    let config = TrainConfig {
        objective: Objective::MaskedReconstruction {
            mask: MaskKind::Random,
            ratio: 0.3,
            contrastive: None,
        },
        ..forecast_config(5)
    };
    let mut masked = Trainer::new(trainer.model().clone(), &series, config, &device).unwrap();
    let history = masked.run().unwrap();
    assert_eq!(history.len(), 5);
    assert!(history.iter().all(|r| r.loss.is_finite()));
}
