//! Key padding in the spatiotemporal layout: padded entries are no keys in either kind of
//! block, sequences without keys get zero attention rows, and no value flows out of a padded
//! entry.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::{
    ForwardMask, Layout, Prediction, Transformer, TransformerConfig, TransformerError,
};

const TIME: usize = 4;
const CHANNELS: usize = 3;

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn model(device: &Device) -> Transformer {
    TransformerConfig::new(CHANNELS, TIME)
        .with_layout(Layout::Spatiotemporal)
        .with_d_model(8)
        .with_heads(2)
        .with_depth(2)
        .with_seed(5)
        .init(device)
        .unwrap()
}

fn values(batch: usize) -> Vec<f32> {
    (0..batch * TIME * CHANNELS)
        .map(|i| ((i as f32) * 0.61).cos())
        .collect()
}

/// Window 0 pads time bin 3 (every channel) and entry (t 1, c 0); window 1 pads channel 2
/// (every time bin) and entry (t 0, c 1). Time-major, index (b * TIME + t) * CHANNELS + c.
fn padding() -> Vec<bool> {
    let mut padding = vec![false; 2 * TIME * CHANNELS];
    let at = |b: usize, t: usize, c: usize| (b * TIME + t) * CHANNELS + c;
    for c in 0..CHANNELS {
        padding[at(0, 3, c)] = true;
    }
    padding[at(0, 1, 0)] = true;
    for t in 0..TIME {
        padding[at(1, t, 2)] = true;
    }
    padding[at(1, 0, 1)] = true;
    padding
}

fn mean(out: ncm_transformer::Output) -> Vec<f32> {
    let Prediction::Gaussian { mean, .. } = out.prediction else {
        unreachable!()
    };
    read(mean)
}

/// Checks the rows of one block's attention `[sequences, heads, tokens, tokens]`, where
/// `is_padded(sequence, token)` says whether the key is padded and `causal` whether later
/// keys are blocked.
fn check_rows(
    weights: &[f32],
    sequences: usize,
    tokens: usize,
    causal: bool,
    is_padded: impl Fn(usize, usize) -> bool,
) {
    for sequence in 0..sequences {
        for head in 0..2 {
            for q in 0..tokens {
                let row = &weights[((sequence * 2 + head) * tokens + q) * tokens..][..tokens];
                let visible = |k: usize| !is_padded(sequence, k) && !(causal && k > q);
                if (0..tokens).any(visible) {
                    let sum: f32 = row.iter().sum();
                    assert!(
                        (sum - 1.0).abs() < 1e-5,
                        "sequence {sequence} q {q}: {row:?}"
                    );
                    for (k, &w) in row.iter().enumerate() {
                        if visible(k) {
                            assert!(w > 0.0, "sequence {sequence} q {q} k {k}: {row:?}");
                        } else {
                            assert_eq!(w, 0.0, "sequence {sequence} q {q} k {k}: {row:?}");
                        }
                    }
                } else {
                    assert!(row.iter().all(|&w| w == 0.0), "empty row {row:?}");
                }
                // A query that is not padded always has itself as a key without causality.
                if !causal && !is_padded(sequence, q) {
                    assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
                }
            }
        }
    }
}

#[test]
fn padded_entries_are_no_keys() {
    let device = Device::flex();
    let model = model(&device);
    let padding = padding();
    let padded = |b: usize, t: usize, c: usize| padding[(b * TIME + t) * CHANNELS + c];
    for causal in [false, true] {
        let mask = ForwardMask {
            key_padding: Some(padding.clone()),
            causal,
            ..ForwardMask::default()
        };
        let input =
            Tensor::<3>::from_data(TensorData::new(values(2), [2, TIME, CHANNELS]), &device);
        let out = model.forward(input, &mask).unwrap();
        assert!(
            out.attention
                .iter()
                .all(|a| read(a.clone()).iter().all(|w| w.is_finite()))
        );
        // Block 0, over time: sequence b * CHANNELS + c, tokens are time bins.
        check_rows(
            &read(out.attention[0].clone()),
            2 * CHANNELS,
            TIME,
            causal,
            |sequence, t| padded(sequence / CHANNELS, t, sequence % CHANNELS),
        );
        // Block 1, over channels: sequence b * TIME + t, tokens are channels.
        check_rows(
            &read(out.attention[1].clone()),
            2 * TIME,
            CHANNELS,
            false,
            |sequence, c| padded(sequence / TIME, sequence % TIME, c),
        );
        // Time bin 3 of window 0 and channel 2 of window 1 have no keys: zero rows.
        let channel_rows = read(out.attention[1].clone());
        assert!(
            channel_rows[3 * 2 * CHANNELS * CHANNELS..4 * 2 * CHANNELS * CHANNELS]
                .iter()
                .all(|&w| w == 0.0)
        );
        let time_rows = read(out.attention[0].clone());
        let sequence = CHANNELS + 2;
        assert!(
            time_rows[sequence * 2 * TIME * TIME..(sequence + 1) * 2 * TIME * TIME]
                .iter()
                .all(|&w| w == 0.0)
        );
        assert!(mean(out).iter().all(|v| v.is_finite()));
    }
}

#[test]
fn padded_values_do_not_reach_other_entries() {
    let device = Device::flex();
    let model = model(&device);
    let padding = padding();
    let mask = ForwardMask {
        key_padding: Some(padding.clone()),
        ..ForwardMask::default()
    };
    let base = values(2);
    let mut changed = base.clone();
    for (value, &pad) in changed.iter_mut().zip(&padding) {
        if pad {
            *value += 7.0;
        }
    }
    let run = |v: Vec<f32>| {
        let input = Tensor::<3>::from_data(TensorData::new(v, [2, TIME, CHANNELS]), &device);
        mean(model.forward(input, &mask).unwrap())
    };
    let (a, b) = (run(base), run(changed));
    for (index, &pad) in padding.iter().enumerate() {
        if pad {
            // A padded entry still reads its own input through the residual path.
            assert_ne!(a[index], b[index], "padded entry {index}");
        } else {
            assert!(
                (a[index] - b[index]).abs() < 1e-6,
                "entry {index}: {} vs {}",
                a[index],
                b[index]
            );
        }
    }
}

#[test]
fn fully_padded_window_is_rejected() {
    let device = Device::flex();
    let model = model(&device);
    let mut padding = vec![false; 2 * TIME * CHANNELS];
    padding[TIME * CHANNELS..].fill(true);
    let mask = ForwardMask {
        key_padding: Some(padding),
        ..ForwardMask::default()
    };
    let input = Tensor::<3>::from_data(TensorData::new(values(2), [2, TIME, CHANNELS]), &device);
    assert!(matches!(
        model.forward(input.clone(), &mask).err(),
        Some(TransformerError::InvalidSetting {
            name: "key_padding",
            ..
        })
    ));
    let short = ForwardMask {
        key_padding: Some(vec![false; 5]),
        ..ForwardMask::default()
    };
    assert!(matches!(
        model.forward(input, &short).err(),
        Some(TransformerError::ShapeMismatch { .. })
    ));
}
