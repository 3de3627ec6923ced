//! Checks of the modern Hopfield attention: closed forms of the retrieval, equality with softmax
//! attention, masks, and typed errors.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::{
    AttentionKind, ForwardMask, Layout, MAX_HOPFIELD_UPDATES, Prediction, TransformerConfig,
    TransformerError, hopfield_attention,
};

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn tensor3(values: Vec<f32>, shape: [usize; 3], device: &Device) -> Tensor<3> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

fn input(batch: usize, time: usize, channels: usize, device: &Device) -> Tensor<3> {
    let values: Vec<f32> = (0..batch * time * channels)
        .map(|i| ((i as f32) * 0.37).sin())
        .collect();
    tensor3(values, [batch, time, channels], device)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Two orthogonal stored patterns a e1 and a e2 and the state (x, y): the softmax over the two
/// scores beta a x and beta a y is (s, 1 - s) with s = sigmoid(beta a (x - y)), and the update
/// moves the state to a (s, 1 - s).
#[test]
fn retrieval_matches_the_closed_form() {
    let device = Device::flex();
    let (a, beta) = (2.0f64, 1.0f64);
    let keys = tensor3(vec![2.0, 0.0, 0.0, 2.0], [1, 2, 2], &device);
    let values = tensor3(vec![1.0, 0.0, 0.0, 1.0], [1, 2, 2], &device);
    let query = tensor3(vec![1.0, 0.0], [1, 1, 2], &device);
    let (mut x, mut y) = (1.0f64, 0.0f64);
    // Attention after 0, 1 and 2 updates, from the closed form evaluated in f64 by Python:
    // s0 = sigmoid(2), s1 = sigmoid(2 (2 s0 - 2 (1 - s0))) and so on.
    let published = [
        0.880_797_077_977_882_3,
        0.954_625_836_998_471_3,
        0.974_344_493_309_840_3,
    ];
    for (updates, &expected) in published.iter().enumerate() {
        let s = sigmoid(beta * a * (x - y));
        assert!(
            (s - expected).abs() < 1e-12,
            "closed form {s} vs {expected}"
        );
        let (output, attention) =
            hopfield_attention(query.clone(), keys.clone(), values.clone(), beta, updates).unwrap();
        assert_eq!(attention.dims(), [1, 1, 2]);
        let attention = read(attention);
        assert!(
            (f64::from(attention[0]) - s).abs() < 1e-6,
            "{attention:?} vs {s}"
        );
        assert!((f64::from(attention[1]) - (1.0 - s)).abs() < 1e-6);
        // With identity values the output is the attention row.
        let output = read(output);
        assert!((f64::from(output[0]) - s).abs() < 1e-6);
        (x, y) = (a * s, a * (1.0 - s));
    }

    // A large beta makes a e1 a fixed point: the retrieved pattern (values = keys) is a e1.
    let (retrieved, _) = hopfield_attention(query, keys.clone(), keys, 5.0, 3).unwrap();
    let retrieved = read(retrieved);
    assert!((retrieved[0] - 2.0).abs() < 1e-6, "{retrieved:?}");
    assert!(retrieved[1].abs() < 1e-6, "{retrieved:?}");
}

/// With no update, the output is softmax(beta Q K^T) V of three queries over three keys,
/// written out here with the scores computed by hand.
#[test]
fn no_update_is_scaled_softmax() {
    let device = Device::flex();
    let queries = vec![1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0];
    let keys = vec![1.0f32, 0.0, 0.0, 1.0, -1.0, 1.0];
    let values = vec![1.0f32, 2.0, 3.0];
    let beta = 0.7f64;
    let (output, attention) = hopfield_attention(
        tensor3(queries.clone(), [1, 3, 2], &device),
        tensor3(keys.clone(), [1, 3, 2], &device),
        tensor3(values.clone(), [1, 3, 1], &device),
        beta,
        0,
    )
    .unwrap();
    let (output, attention) = (read(output), read(attention));
    for q in 0..3 {
        let scores: Vec<f64> = (0..3)
            .map(|k| {
                beta * f64::from(
                    queries[2 * q] * keys[2 * k] + queries[2 * q + 1] * keys[2 * k + 1],
                )
            })
            .collect();
        let total: f64 = scores.iter().map(|s| s.exp()).sum();
        let mut mixed = 0.0;
        for k in 0..3 {
            let weight = scores[k].exp() / total;
            assert!((f64::from(attention[3 * q + k]) - weight).abs() < 1e-6);
            mixed += weight * f64::from(values[k]);
        }
        assert!((f64::from(output[q]) - mixed).abs() < 1e-5);
    }
}

#[test]
fn zero_updates_equal_softmax_attention() {
    let device = Device::flex();
    let config = TransformerConfig::new(3, 6)
        .with_d_model(8)
        .with_heads(2)
        .with_seed(3);
    let softmax = config.clone().init(&device).unwrap();
    let exact = config
        .clone()
        .with_attention(AttentionKind::Hopfield {
            beta: None,
            updates: 0,
        })
        .init(&device)
        .unwrap();
    let scaled = config
        .with_attention(AttentionKind::Hopfield {
            beta: Some(1.0 / 2.0), // d_head = 4
            updates: 0,
        })
        .init(&device)
        .unwrap();
    let mask = ForwardMask {
        causal: true,
        ..ForwardMask::default()
    };
    let run = |model: &ncm_transformer::Transformer| {
        let out = model.forward(input(2, 6, 3, &device), &mask).unwrap();
        let Prediction::Gaussian { mean, .. } = out.prediction else {
            unreachable!()
        };
        let mut values = read(mean);
        for attention in out.attention {
            values.extend(read(attention));
        }
        values
    };
    let (reference, same, close) = (run(&softmax), run(&exact), run(&scaled));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&reference), bits(&same));
    let largest = reference
        .iter()
        .zip(&close)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        largest < 1e-5,
        "beta = 1 / sqrt(d_head) differs by {largest}"
    );
}

#[test]
fn hopfield_updates_respect_masks() {
    let device = Device::flex();
    for layout in [Layout::Temporal, Layout::Spatiotemporal] {
        let updates = 2;
        let config = TransformerConfig::new(2, 5)
            .with_layout(layout)
            .with_d_model(8)
            .with_heads(2);
        let hopfield = config
            .clone()
            .with_attention(AttentionKind::Hopfield {
                beta: Some(0.8),
                updates,
            })
            .init(&device)
            .unwrap();
        let tokens = hopfield.tokens(5);
        // Token 3 (temporal) or entry (t 1, c 1) (spatiotemporal) is padded.
        let padded_key = 3;
        let mut padding = vec![false; tokens];
        padding[padded_key] = true;
        let mask = ForwardMask {
            key_padding: Some(padding),
            causal: true,
            ..ForwardMask::default()
        };
        let out = hopfield.forward(input(1, 5, 2, &device), &mask).unwrap();
        // The first block attends over time: tokens 0..5 (temporal) or the time bins of each
        // channel, whose padded entry is time 1 of channel 1.
        let weights = read(out.attention[0].clone());
        let sequences = if layout == Layout::Temporal { 1 } else { 2 };
        for sequence in 0..sequences {
            for head in 0..2 {
                for q in 0..5 {
                    let row = &weights[((sequence * 2 + head) * 5 + q) * 5..][..5];
                    let sum: f32 = row.iter().sum();
                    assert!((sum - 1.0).abs() < 1e-5, "{layout:?} row {row:?}");
                    for (k, &w) in row.iter().enumerate() {
                        let blocked = k > q
                            || match layout {
                                Layout::Temporal => k == padded_key,
                                _ => sequence == 1 && k == 1,
                            };
                        assert!(if blocked { w == 0.0 } else { w > 0.0 }, "q {q} k {k} {w}");
                    }
                }
            }
        }
        let softmax = config.init(&device).unwrap();
        let reference = softmax.forward(input(1, 5, 2, &device), &mask).unwrap();
        assert_ne!(read(reference.attention[0].clone()), weights);
    }
}

#[test]
fn hopfield_settings_give_typed_errors() {
    let device = Device::flex();
    for beta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = TransformerConfig::new(3, 4)
            .with_d_model(8)
            .with_attention(AttentionKind::Hopfield {
                beta: Some(beta),
                updates: 1,
            })
            .init(&device)
            .err();
        assert!(matches!(
            err,
            Some(TransformerError::InvalidSetting { name: "beta", .. })
        ));
    }
    let err = TransformerConfig::new(3, 4)
        .with_d_model(8)
        .with_attention(AttentionKind::Hopfield {
            beta: None,
            updates: MAX_HOPFIELD_UPDATES + 1,
        })
        .init(&device)
        .err();
    assert!(matches!(
        err,
        Some(TransformerError::InvalidSetting {
            name: "updates",
            ..
        })
    ));

    let q = input(1, 2, 3, &device);
    let k = input(1, 4, 3, &device);
    let v = input(1, 4, 2, &device);
    let call = |beta, updates, v: Tensor<3>| {
        hopfield_attention(q.clone(), k.clone(), v, beta, updates).err()
    };
    assert!(matches!(
        call(f64::NAN, 1, v.clone()),
        Some(TransformerError::InvalidSetting { name: "beta", .. })
    ));
    assert!(matches!(
        call(1.0, MAX_HOPFIELD_UPDATES + 1, v.clone()),
        Some(TransformerError::InvalidSetting {
            name: "updates",
            ..
        })
    ));
    assert!(matches!(
        call(1.0, 1, input(1, 3, 2, &device)),
        Some(TransformerError::ShapeMismatch { .. })
    ));
    assert!(call(1.0, MAX_HOPFIELD_UPDATES, v).is_none());
}
