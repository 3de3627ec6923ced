//! Gradient clipping: the global norm against a hand computation from the gradients read back,
//! settings files old and new, and typed errors.

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::{
    Clip, ForwardMask, MaskKind, Objective, Prediction, TrainConfig, Trainer, Transformer,
    TransformerConfig, TransformerError, clip_global_norm,
};

/// Reads back every parameter's gradient, in visiting order.
struct ReadGradients<'a> {
    gradients: &'a GradientsParams,
    read: Vec<(ParamId, Vec<f32>)>,
}

impl ModuleVisitor for ReadGradients<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(gradient) = self.gradients.get::<D>(param.id) {
            let values = gradient.into_data().try_to_vec::<f32>().unwrap();
            self.read.push((param.id, values));
        }
    }
}

fn read_gradients(gradients: &GradientsParams, model: &Transformer) -> Vec<(ParamId, Vec<f32>)> {
    let mut visitor = ReadGradients {
        gradients,
        read: Vec::new(),
    };
    model.visit(&mut visitor);
    visitor.read
}

/// Gradients of 50 x the sum of the predicted means of a tiny model, large enough to clip.
fn gradients(device: &Device) -> (Transformer, GradientsParams) {
    let autodiff = device.clone().autodiff();
    let model = TransformerConfig::new(2, 3)
        .with_d_model(4)
        .with_heads(1)
        .with_depth(1)
        .with_d_ff(4)
        .with_seed(11)
        .init(&autodiff)
        .unwrap();
    let values: Vec<f32> = (0..6).map(|i| (i as f32 * 0.9).sin()).collect();
    let input = Tensor::<3>::from_data(TensorData::new(values, [1, 3, 2]), &autodiff);
    let Prediction::Gaussian { mean, .. } = model
        .forward(input, &ForwardMask::default())
        .unwrap()
        .prediction
    else {
        unreachable!()
    };
    let loss = mean.sum().mul_scalar(50.0);
    let gradients = GradientsParams::from_grads(loss.backward(), &model);
    (model, gradients)
}

fn hand_norm(gradients: &[(ParamId, Vec<f32>)]) -> f64 {
    gradients
        .iter()
        .flat_map(|(_, g)| g.iter())
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt()
}

#[test]
fn global_norm_scales_every_gradient_alike() {
    let device = Device::flex();
    let (model, mut gradients) = gradients(&device);
    let before = read_gradients(&gradients, &model);
    // Every parameter but the unused mask token has a gradient: 18 tensors.
    assert_eq!(before.len(), 18);
    let norm = hand_norm(&before);
    assert!(norm > 1.0, "norm {norm} too small to test clipping");

    let max_norm = (norm / 4.0) as f32;
    let reported = clip_global_norm(&mut gradients, &model, max_norm).unwrap();
    assert!(
        (reported - norm).abs() < 1e-5 * norm,
        "{reported} vs {norm}"
    );
    let factor = f64::from(max_norm) / (norm + 1e-6);
    let after = read_gradients(&gradients, &model);
    assert_eq!(after.len(), before.len());
    for ((id, old), (id_after, new)) in before.iter().zip(&after) {
        assert_eq!(id, id_after);
        for (&o, &n) in old.iter().zip(new) {
            let expected = f64::from(o) * factor;
            assert!(
                (f64::from(n) - expected).abs() <= 1e-6 * expected.abs().max(1e-3),
                "{n} vs {expected}"
            );
        }
    }
    let clipped = hand_norm(&after);
    assert!(
        (clipped - f64::from(max_norm)).abs() < 1e-4 * clipped,
        "{clipped}"
    );

    // Below the threshold nothing changes.
    let (model, mut gradients) = self::gradients(&device);
    let before = read_gradients(&gradients, &model);
    clip_global_norm(&mut gradients, &model, (norm * 10.0) as f32).unwrap();
    assert_eq!(read_gradients(&gradients, &model), before);

    for bad in [0.0, -1.0, f32::NAN] {
        assert!(matches!(
            clip_global_norm(&mut gradients, &model, bad),
            Err(TransformerError::InvalidSetting {
                name: "max_norm",
                ..
            })
        ));
    }
}

#[test]
fn settings_files_old_and_new() {
    let parse = |json: &str| serde_json::from_str::<TrainConfig>(json).unwrap();
    assert_eq!(parse("{}").clip, Clip::GlobalNorm(1.0));
    assert_eq!(parse(r#"{"clip_norm": 0.5}"#).clip, Clip::PerTensor(0.5));
    assert_eq!(parse(r#"{"clip_norm": null}"#).clip, Clip::None);
    assert_eq!(
        parse(r#"{"clip": {"kind": "global_norm", "max_norm": 2.0}}"#).clip,
        Clip::GlobalNorm(2.0)
    );
    assert_eq!(parse(r#"{"clip": {"kind": "none"}}"#).clip, Clip::None);
    let old_objective = parse(
        r#"{"objective": {"kind": "masked_reconstruction", "mask": {"kind": "random"},
            "ratio": 0.2}}"#,
    );
    assert_eq!(
        old_objective.objective,
        Objective::MaskedReconstruction {
            mask: MaskKind::Random,
            ratio: 0.2,
            contrastive: None,
        }
    );
    for clip in [Clip::None, Clip::PerTensor(0.3), Clip::GlobalNorm(4.0)] {
        let config = TrainConfig {
            clip,
            ..TrainConfig::default()
        };
        let text = serde_json::to_string(&config).unwrap();
        assert_eq!(parse(&text), config, "{text}");
    }
}

#[test]
fn every_clip_mode_trains() {
    let device = Device::flex();
    let series: Vec<f32> = (0..120 * 2).map(|i| (i as f32 * 0.3).sin()).collect();
    let model = || {
        TransformerConfig::new(2, 6)
            .with_d_model(8)
            .with_heads(2)
            .with_depth(1)
            .init(&device)
            .unwrap()
    };
    for clip in [Clip::None, Clip::PerTensor(0.5), Clip::GlobalNorm(0.5)] {
        let config = TrainConfig {
            window: 6,
            steps: 5,
            batch_size: 4,
            eval_every: 5,
            clip,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(model(), &series, config, &device).unwrap();
        let history = trainer.run().unwrap();
        assert!(history.iter().all(|r| r.loss.is_finite()), "{clip:?}");
    }
    for clip in [Clip::PerTensor(0.0), Clip::GlobalNorm(f32::NAN)] {
        let config = TrainConfig {
            window: 6,
            clip,
            ..TrainConfig::default()
        };
        assert!(matches!(
            Trainer::new(model(), &series, config, &device).err(),
            Some(TransformerError::InvalidSetting { name: "clip", .. })
        ));
    }
}
