//! Checks of the transformer forward pass: attention rows, masks, shapes and typed errors.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::{
    ForwardMask, Layout, Likelihood, Positions, Prediction, TransformerConfig, TransformerError,
};

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn input(batch: usize, time: usize, channels: usize, device: &Device) -> Tensor<3> {
    let values: Vec<f32> = (0..batch * time * channels)
        .map(|i| ((i as f32) * 0.37).sin())
        .collect();
    Tensor::from_data(TensorData::new(values, [batch, time, channels]), device)
}

#[test]
fn attention_rows_sum_to_one_in_both_layouts() {
    let device = Device::flex();
    for layout in [Layout::Temporal, Layout::Spatial] {
        let model = TransformerConfig::new(3, 6)
            .with_layout(layout)
            .with_heads(2)
            .with_d_model(8)
            .init(&device)
            .unwrap();
        let out = model
            .forward(input(2, 6, 3, &device), &ForwardMask::default())
            .unwrap();
        assert_eq!(out.attention.len(), 2);
        let tokens = if layout == Layout::Temporal { 6 } else { 3 };
        for attention in out.attention {
            assert_eq!(attention.dims(), [2, 2, tokens, tokens]);
            let weights = read(attention);
            for row in weights.chunks_exact(tokens) {
                let sum: f32 = row.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "{layout:?} row sums to {sum}");
                assert!(row.iter().all(|&w| w > 0.0));
            }
        }
        match out.prediction {
            Prediction::Gaussian { mean, log_variance } => {
                assert_eq!(mean.dims(), [2, 6, 3]);
                assert_eq!(log_variance.dims(), [2, 6, 3]);
            }
            Prediction::Poisson { .. } => panic!("Gaussian by default"),
        }
    }
}

#[test]
fn padded_and_future_keys_get_zero_weight() {
    let device = Device::flex();
    let model = TransformerConfig::new(2, 5)
        .with_heads(2)
        .with_d_model(8)
        .with_positions(Positions::Learned)
        .with_likelihood(Likelihood::Poisson)
        .init(&device)
        .unwrap();
    // Sequence 0 pads token 4, sequence 1 pads tokens 0 and 2.
    let padding = vec![
        false, false, false, false, true, //
        true, false, true, false, false,
    ];
    let mask = ForwardMask {
        key_padding: Some(padding.clone()),
        ..ForwardMask::default()
    };
    let out = model.forward(input(2, 5, 2, &device), &mask).unwrap();
    let weights = read(out.attention[0].clone());
    for b in 0..2 {
        for h in 0..2 {
            for q in 0..5 {
                for k in 0..5 {
                    let w = weights[((b * 2 + h) * 5 + q) * 5 + k];
                    if padding[b * 5 + k] {
                        assert_eq!(w, 0.0, "padded key {k} of sequence {b} got {w}");
                    } else {
                        assert!(w > 0.0);
                    }
                }
            }
        }
    }

    let causal = ForwardMask {
        causal: true,
        ..ForwardMask::default()
    };
    let out = model.forward(input(1, 5, 2, &device), &causal).unwrap();
    for attention in out.attention {
        let weights = read(attention);
        for (row_index, row) in weights.chunks_exact(5).enumerate() {
            let q = row_index % 5;
            for (k, &w) in row.iter().enumerate() {
                assert!(if k > q { w == 0.0 } else { w > 0.0 }, "q {q} k {k} w {w}");
            }
        }
    }
}

#[test]
fn causal_predictions_ignore_the_future() {
    let device = Device::flex();
    let model = TransformerConfig::new(3, 6)
        .with_d_model(8)
        .init(&device)
        .unwrap();
    let mask = ForwardMask {
        causal: true,
        ..ForwardMask::default()
    };
    let base = input(1, 6, 3, &device);
    let mut changed = read(base.clone());
    for v in &mut changed[12..] {
        *v += 5.0; // alter time steps 4 and 5
    }
    let changed = Tensor::from_data(TensorData::new(changed, [1, 6, 3]), &device);
    let mean = |t| match model.forward(t, &mask).unwrap().prediction {
        Prediction::Gaussian { mean, .. } => read(mean),
        Prediction::Poisson { .. } => unreachable!(),
    };
    let (a, b) = (mean(base), mean(changed));
    assert_eq!(a[..12], b[..12]);
    assert_ne!(a[12..], b[12..]);
}

#[test]
fn seeded_init_and_mask_token() {
    let device = Device::flex();
    let config = TransformerConfig::new(3, 4).with_d_model(8).with_seed(7);
    let a = config.init(&device).unwrap();
    let b = config.init(&device).unwrap();
    let masked = ForwardMask {
        masked: Some(vec![false, true, false, false]),
        ..ForwardMask::default()
    };
    let out = |m: &ncm_transformer::Transformer, mask: &ForwardMask| match m
        .forward(input(1, 4, 3, &device), mask)
        .unwrap()
        .prediction
    {
        Prediction::Gaussian { mean, .. } => read(mean),
        Prediction::Poisson { .. } => unreachable!(),
    };
    assert_eq!(out(&a, &masked), out(&b, &masked));
    assert_ne!(out(&a, &masked), out(&a, &ForwardMask::default()));
}

#[test]
fn bad_configs_and_shapes_give_typed_errors() {
    let device = Device::flex();
    let err = TransformerConfig::new(3, 4)
        .with_d_model(10)
        .with_heads(4)
        .init(&device);
    assert!(matches!(
        err,
        Err(TransformerError::InvalidSetting {
            name: "d_model",
            ..
        })
    ));
    let err = TransformerConfig::new(0, 4).init(&device);
    assert!(matches!(
        err,
        Err(TransformerError::InvalidSetting {
            name: "channels",
            ..
        })
    ));

    let model = TransformerConfig::new(3, 4)
        .with_layout(Layout::Spatial)
        .with_d_model(8)
        .init(&device)
        .unwrap();
    let err = model.forward(input(1, 5, 3, &device), &ForwardMask::default());
    assert!(matches!(
        err,
        Err(TransformerError::ShapeMismatch { what: "input", .. })
    ));
    let err = model.forward(input(1, 4, 2, &device), &ForwardMask::default());
    assert!(matches!(
        err,
        Err(TransformerError::ShapeMismatch { what: "input", .. })
    ));
    let causal = ForwardMask {
        causal: true,
        ..ForwardMask::default()
    };
    let err = model.forward(input(1, 4, 3, &device), &causal);
    assert!(matches!(
        err,
        Err(TransformerError::InvalidSetting { name: "causal", .. })
    ));
    let short = ForwardMask {
        key_padding: Some(vec![false; 2]),
        ..ForwardMask::default()
    };
    let err = model.forward(input(1, 4, 3, &device), &short);
    assert!(matches!(
        err,
        Err(TransformerError::ShapeMismatch {
            what: "key padding",
            ..
        })
    ));
    let all = ForwardMask {
        key_padding: Some(vec![true; 3]),
        ..ForwardMask::default()
    };
    let err = model.forward(input(1, 4, 3, &device), &all);
    assert!(matches!(
        err,
        Err(TransformerError::InvalidSetting {
            name: "key_padding",
            ..
        })
    ));

    let temporal = TransformerConfig::new(3, 4)
        .with_d_model(8)
        .init(&device)
        .unwrap();
    let causal_padded = ForwardMask {
        key_padding: Some(vec![true, false, false, false]),
        causal: true,
        ..ForwardMask::default()
    };
    let err = temporal.forward(input(1, 4, 3, &device), &causal_padded);
    assert!(matches!(
        err,
        Err(TransformerError::InvalidSetting {
            name: "key_padding",
            ..
        })
    ));

    let learned = TransformerConfig::new(3, 4)
        .with_positions(Positions::Learned)
        .with_d_model(8)
        .init(&device)
        .unwrap();
    let err = learned.forward(input(1, 5, 3, &device), &ForwardMask::default());
    assert!(matches!(err, Err(TransformerError::ShapeMismatch { .. })));
}

#[test]
fn spatiotemporal_blocks_alternate_time_and_channels() {
    let device = Device::flex();
    let model = TransformerConfig::new(3, 5)
        .with_layout(Layout::Spatiotemporal)
        .with_heads(2)
        .with_d_model(8)
        .with_depth(3)
        .init(&device)
        .unwrap();
    let mask = ForwardMask {
        causal: true,
        masked: Some((0..2 * 15).map(|i| i % 7 == 0).collect()),
        ..ForwardMask::default()
    };
    let out = model.forward(input(2, 5, 3, &device), &mask).unwrap();
    let shapes: Vec<[usize; 4]> = out.attention.iter().map(|a| a.dims()).collect();
    assert_eq!(shapes, vec![[6, 2, 5, 5], [10, 2, 3, 3], [6, 2, 5, 5]]);
    for (index, attention) in out.attention.into_iter().enumerate() {
        let width = if index % 2 == 0 { 5 } else { 3 };
        for (row_index, row) in read(attention).chunks_exact(width).enumerate() {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "block {index} row sums to {sum}");
            if index % 2 == 0 {
                let q = row_index % 5;
                assert!(
                    row[q + 1..].iter().all(|&w| w == 0.0),
                    "future weight {row:?}"
                );
            }
        }
    }
    let Prediction::Gaussian { mean, .. } = out.prediction else {
        unreachable!()
    };
    assert_eq!(mean.dims(), [2, 5, 3]);

    // With the causal mask, changing the last time bin leaves earlier predictions unchanged.
    let base = input(1, 5, 3, &device);
    let mut changed = read(base.clone());
    for v in &mut changed[12..] {
        *v += 3.0;
    }
    let changed = Tensor::from_data(TensorData::new(changed, [1, 5, 3]), &device);
    let causal = ForwardMask {
        causal: true,
        ..ForwardMask::default()
    };
    let mean = |t| match model.forward(t, &causal).unwrap().prediction {
        Prediction::Gaussian { mean, .. } => read(mean),
        Prediction::Poisson { .. } => unreachable!(),
    };
    let (a, b) = (mean(base), mean(changed));
    assert_eq!(a[..12], b[..12]);
    assert_ne!(a[12..], b[12..]);
}
