//! Attention is one update of a modern Hopfield network (Ramsauer et al. 2021, ICLR,
//! "Hopfield networks is all you need"): ncm-transformer's attention with identity projections
//! (queries are the states xi, keys and values are the stored patterns X) must match
//! ncm-ebm's Hopfield layer on tensors and its modern Hopfield network on the host in f64.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_ebm::{HopfieldLayerConfig, ModernHopfield};
use ncm_transformer::hopfield_attention;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const PATTERNS: usize = 6;
const QUERIES: usize = 4;
const DIM: usize = 8;

/// Stored patterns `[PATTERNS, DIM]` and queries `[QUERIES, DIM]`, row-major, drawn from a
/// standard normal distribution. The queries are noisy copies of the first patterns, the
/// usual retrieval setting.
fn patterns_and_queries(seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = move || -> f32 { StandardNormal.sample(&mut rng) };
    let patterns: Vec<f32> = (0..PATTERNS * DIM).map(|_| normal()).collect();
    let queries: Vec<f32> = (0..QUERIES * DIM)
        .map(|index| patterns[index] + 0.5 * normal())
        .collect();
    (patterns, queries)
}

fn tensor(values: &[f32], rows: usize, device: &Device) -> Tensor<3> {
    Tensor::from_data(TensorData::new(values.to_vec(), [1, rows, DIM]), device)
}

fn read(tensor: Tensor<3>) -> Vec<f32> {
    tensor.into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn single_head_attention_is_one_hopfield_update() {
    let device = Device::flex();
    let (patterns, queries) = patterns_and_queries(1);
    let beta = 1.0 / (DIM as f64).sqrt();
    let stored = tensor(&patterns, PATTERNS, &device);
    let (attended, weights) = hopfield_attention(
        tensor(&queries, QUERIES, &device),
        stored.clone(),
        stored.clone(),
        beta,
        0,
    )
    .unwrap();
    let attended = read(attended);

    // ncm-ebm's Hopfield layer, Z = softmax(beta Q K^T) K with beta = 1 / sqrt(d) by default.
    let layer = HopfieldLayerConfig::new().init(&device).unwrap();
    let (retrieved, layer_weights) = layer
        .forward_with_attention(tensor(&queries, QUERIES, &device), stored)
        .unwrap();
    for (a, b) in attended.iter().zip(read(retrieved)) {
        assert!((a - b).abs() < 1e-5, "attention {a} against the Hopfield layer {b}");
    }
    let weights = weights.into_data().try_to_vec::<f32>().unwrap();
    let layer_weights = layer_weights.into_data().try_to_vec::<f32>().unwrap();
    for (a, b) in weights.iter().zip(&layer_weights) {
        assert!((a - b).abs() < 1e-6, "weights {a} against {b}");
    }

    // The host network in f64: xi <- X softmax(beta X^T xi), one query at a time.
    let network = ModernHopfield::new(patterns, DIM, beta).unwrap();
    for (q, query) in queries.chunks_exact(DIM).enumerate() {
        let next = network.update(query).unwrap();
        for (k, &expected) in next.iter().enumerate() {
            let found = attended[q * DIM + k];
            assert!(
                (found - expected).abs() < 1e-5,
                "query {q}, unit {k}: attention {found}, Hopfield update {expected}"
            );
        }
    }
}

#[test]
fn hopfield_attention_iterates_the_update() {
    // Identity projections turn `updates` retrievals plus the read-out into updates + 1
    // Hopfield steps. A larger beta makes each step move the states.
    let device = Device::flex();
    let (patterns, queries) = patterns_and_queries(2);
    let beta = 0.8;
    let network = ModernHopfield::new(patterns.clone(), DIM, beta).unwrap();
    let stored = tensor(&patterns, PATTERNS, &device);
    for updates in [1, 3] {
        let (attended, _) = hopfield_attention(
            tensor(&queries, QUERIES, &device),
            stored.clone(),
            stored.clone(),
            beta,
            updates,
        )
        .unwrap();
        let attended = read(attended);
        for (q, query) in queries.chunks_exact(DIM).enumerate() {
            let mut state = query.to_vec();
            for _ in 0..=updates {
                state = network.update(&state).unwrap();
            }
            for (k, &expected) in state.iter().enumerate() {
                let found = attended[q * DIM + k];
                assert!(
                    (found - expected).abs() < 1e-4,
                    "{updates} updates, query {q}, unit {k}: {found} against {expected}"
                );
            }
        }
    }
}
