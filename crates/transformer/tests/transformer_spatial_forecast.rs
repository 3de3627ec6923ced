//! Next-step forecasting with the spatial layout: the loss against a hand computation from a
//! forward pass, training on a noiseless linear system, and typed errors.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::train::objective_loss;
use ncm_transformer::{
    ForwardMask, Layout, Objective, Prediction, TrainConfig, Trainer, TransformerConfig,
    TransformerError,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const WINDOW: usize = 6;

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// x_{t+1} = A x_t: a rotation by 0.4 rad in the plane of channels 0 and 1, which drives
/// channel 2 by x2 <- 0.6 x2 + 0.4 x0.
fn linear_series(time: usize) -> Vec<f32> {
    let (c, s) = (0.4f64.cos(), 0.4f64.sin());
    let mut x = [1.0f64, 0.0, 0.0];
    let mut out = Vec::with_capacity(time * 3);
    for _ in 0..time {
        out.extend(x.iter().map(|&v| v as f32));
        x = [
            c * x[0] - s * x[1],
            s * x[0] + c * x[1],
            0.6 * x[2] + 0.4 * x[0],
        ];
    }
    out
}

fn spatial_model(seed: u64, device: &Device) -> ncm_transformer::Transformer {
    TransformerConfig::new(3, WINDOW)
        .with_layout(Layout::Spatial)
        .with_d_model(32)
        .with_heads(2)
        .with_depth(1)
        .with_d_ff(64)
        .with_seed(seed)
        .init(device)
        .unwrap()
}

#[test]
fn loss_scores_the_sample_after_the_window() {
    let device = Device::flex();
    let model = spatial_model(2, &device);
    let series = linear_series(40);
    // Two windows of WINDOW + 1 samples, starting at 0 and 9.
    let mut rows = series[..(WINDOW + 1) * 3].to_vec();
    rows.extend_from_slice(&series[9 * 3..(9 + WINDOW + 1) * 3]);
    let batch = Tensor::<3>::from_data(TensorData::new(rows.clone(), [2, WINDOW + 1, 3]), &device);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let loss = objective_loss(&model, batch.clone(), &Objective::Forecast, &mut rng).unwrap();
    let loss = f64::from(read(loss)[0]);

    // Hand computation: the forward pass on the first WINDOW samples, its mean and
    // log-variance at position WINDOW - 1, and the Gaussian NLL of sample WINDOW.
    let context = batch.narrow(1, 0, WINDOW);
    let Prediction::Gaussian { mean, log_variance } = model
        .forward(context, &ForwardMask::default())
        .unwrap()
        .prediction
    else {
        unreachable!()
    };
    let (mean, log_variance) = (read(mean), read(log_variance));
    let mut total = 0.0;
    for b in 0..2 {
        for c in 0..3 {
            let at = (b * WINDOW + WINDOW - 1) * 3 + c;
            let (mu, v) = (f64::from(mean[at]), f64::from(log_variance[at]));
            let x = f64::from(rows[(b * (WINDOW + 1) + WINDOW) * 3 + c]);
            total += 0.5 * ((2.0 * std::f64::consts::PI).ln() + v + (x - mu).powi(2) * (-v).exp());
        }
    }
    let expected = total / 6.0;
    assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");

    let wrong = Tensor::<3>::from_data(
        TensorData::new(rows[..2 * WINDOW * 3].to_vec(), [2, WINDOW, 3]),
        &device,
    );
    assert!(matches!(
        objective_loss(&model, wrong, &Objective::Forecast, &mut rng).err(),
        Some(TransformerError::ShapeMismatch {
            what: "spatial forecasting batch",
            ..
        })
    ));
}

#[test]
fn forecasting_a_linear_system_beats_persistence() {
    let device = Device::flex();
    let series = linear_series(400);
    let config = TrainConfig {
        window: WINDOW,
        steps: 300,
        batch_size: 16,
        learning_rate: 3e-3,
        warmup_steps: 20,
        eval_every: 50,
        patience: 0,
        seed: 1,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(spatial_model(1, &device), &series, config, &device).unwrap();
    let history = trainer.run().unwrap().to_vec();
    let start = trainer.validation_start();
    let model = trainer.model().valid();

    // One-step forecasts of every validation sample from the WINDOW samples before it, against
    // the persistence forecast x_{t+1} = x_t.
    let (mut model_error, mut persistence_error, mut count) = (0.0f64, 0.0f64, 0);
    for t in start + WINDOW..400 {
        let context = series[(t - WINDOW) * 3..t * 3].to_vec();
        let input = Tensor::<3>::from_data(TensorData::new(context, [1, WINDOW, 3]), &device);
        let Prediction::Gaussian { mean, .. } = model
            .forward(input, &ForwardMask::default())
            .unwrap()
            .prediction
        else {
            unreachable!()
        };
        let mean = read(mean);
        for c in 0..3 {
            let target = f64::from(series[t * 3 + c]);
            model_error += (f64::from(mean[(WINDOW - 1) * 3 + c]) - target).powi(2);
            persistence_error += (f64::from(series[(t - 1) * 3 + c]) - target).powi(2);
            count += 1;
        }
    }
    let (model_mse, persistence_mse) =
        (model_error / count as f64, persistence_error / count as f64);
    let first = history[0].loss;
    let last = history.last().unwrap().validation.unwrap();
    assert!(
        model_mse < 0.1 * persistence_mse,
        "MSE {model_mse} vs persistence {persistence_mse}; loss {first} -> {last}"
    );
    assert!(last < first - 1.0, "loss {first} -> {last}");
}

#[test]
fn spatial_forecast_windows_need_room_for_the_target() {
    let device = Device::flex();
    let config = TrainConfig {
        window: WINDOW,
        validation_fraction: 0.5,
        ..TrainConfig::default()
    };
    // 12 samples: 6 per block, one short of WINDOW + 1.
    let series = linear_series(12);
    assert!(matches!(
        Trainer::new(spatial_model(0, &device), &series, config.clone(), &device).err(),
        Some(TransformerError::TooShort { needed: 14, .. })
    ));
    let series = linear_series(14);
    let mut trainer = Trainer::new(spatial_model(0, &device), &series, config, &device).unwrap();
    assert_eq!(trainer.validation_start(), 7);
    assert!(trainer.step().unwrap().loss.is_finite());
}
