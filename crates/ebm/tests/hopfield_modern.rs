//! Tests of the modern continuous Hopfield network of Ramsauer et al. 2021 (ICLR, "Hopfield
//! networks is all you need"), xi <- X softmax(beta X^T xi): a hand-computed update, energy,
//! regimes against the separation condition, the Burn layer on flex and input errors.

use ncm_ebm::hopfield::random_patterns;
use ncm_ebm::{EbmError, ModernHopfield, Regime};

/// Patterns x_1 = (1, 0, 2) and x_2 = (0, 1, -1), i.e. the 3 x 2 matrix X.
fn three_by_two(beta: f64) -> ModernHopfield {
    ModernHopfield::new(vec![1.0, 0.0, 2.0, 0.0, 1.0, -1.0], 3, beta).unwrap()
}

#[test]
fn update_matches_hand_softmax() {
    // xi = (1, 0, 1): X^T xi = (3, -1); beta = 1/2 gives softmax(1.5, -0.5) =
    // (1, e^-2) / (1 + e^-2), so xi_new = p1 x_1 + p2 x_2.
    let network = three_by_two(0.5);
    let p1 = 1.0 / (1.0 + (-2.0f64).exp());
    let p2 = 1.0 - p1;
    let want = [p1, p2, 2.0 * p1 - p2];

    let got = network.update(&[1.0, 0.0, 1.0]).unwrap();
    for (k, (&g, w)) in got.iter().zip(want).enumerate() {
        assert!((f64::from(g) - w).abs() < 1e-6, "component {k}: {g} vs {w}");
    }
    let attention = network.attention(&[1.0, 0.0, 1.0]).unwrap();
    assert!((attention[0] - p1).abs() < 1e-12);
}

#[test]
fn energy_matches_hand_formula() {
    // E = -ln(e^1.5 + e^-0.5) / beta + |xi|^2 / 2 + ln(2) / beta + M^2 / 2 with M^2 = 5.
    let network = three_by_two(0.5);
    let want = -(1.5f64.exp() + (-0.5f64).exp()).ln() / 0.5 + 1.0 + 2f64.ln() / 0.5 + 2.5;
    let got = network.energy(&[1.0, 0.0, 1.0]).unwrap();
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
}

#[test]
fn retrieval_never_raises_energy() {
    let n = 16;
    let patterns: Vec<f32> = random_patterns(6, n, 31).iter().map(|&v| f32::from(v) * 0.5).collect();
    let network = ModernHopfield::new(patterns, n, 0.8).unwrap();
    let mut state: Vec<f32> = (0..n).map(|k| ((k * 37 % 11) as f32 - 5.0) / 5.0).collect();
    let mut previous = network.energy(&state).unwrap();
    for step in 0..20 {
        state = network.update(&state).unwrap();
        let energy = network.energy(&state).unwrap();
        // f32 rounding of the state, |xi|^2 of order 4.
        assert!(energy <= previous + 1e-6, "step {step}: {energy} > {previous}");
        previous = energy;
    }
}

#[test]
fn regimes_switch_with_beta_at_predicted_beta() {
    let n = 32;
    let p = 4;
    let patterns: Vec<f32> = random_patterns(p, n, 32).iter().map(|&v| f32::from(v)).collect();
    let network = ModernHopfield::new(patterns.clone(), n, 1.0).unwrap();

    // Small beta: one fixed point near the mean of the patterns.
    let cold = network.with_beta(1e-3).unwrap();
    let retrieval = cold.retrieve(&patterns[..n], 100, 1e-7).unwrap();
    assert!(retrieval.converged);
    assert_eq!(retrieval.regime, Regime::GlobalAverage);
    for k in 0..n {
        let mean: f32 = (0..p).map(|mu| patterns[mu * n + k]).sum::<f32>() / p as f32;
        // Deviation from the mean is about beta times the spread of x_mu . xi (< 32).
        assert!((retrieval.state[k] - mean).abs() < 0.05, "unit {k}: {} vs {mean}", retrieval.state[k]);
    }

    // At each pattern's critical beta, the sufficient condition holds and the fixed point lies
    // within the sphere of radius 1 / (beta P M) around the pattern.
    let max_norm = network.max_norm();
    for i in 0..p {
        let beta = network.critical_beta_estimate(i).unwrap().expect("random patterns are separated");
        let at_critical = network.with_beta(beta).unwrap();
        assert!(at_critical.is_well_separated(i).unwrap());
        assert!(!network.with_beta(0.9 * beta).unwrap().is_well_separated(i).unwrap());

        let pattern = &patterns[i * n..(i + 1) * n];
        let retrieval = at_critical.retrieve(pattern, 100, 1e-7).unwrap();
        assert!(retrieval.converged, "pattern {i}");
        assert_eq!(retrieval.regime, Regime::SinglePattern, "pattern {i} at beta {beta}");
        let distance = retrieval
            .state
            .iter()
            .zip(pattern)
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        let radius = 1.0 / (beta * p as f64 * max_norm);
        assert!(distance <= radius, "pattern {i}: distance {distance} > radius {radius}");
    }
}

#[test]
fn close_pair_gives_metastable_state() {
    // x_1 and x_2 are nearly equal and x_3 is opposite, so from x_1 the update averages x_1, x_2.
    let patterns = vec![3.0, 0.2, 0.0, 3.0, -0.2, 0.0, -3.0, 0.0, 0.0];
    let network = ModernHopfield::new(patterns, 3, 1.0).unwrap();
    let retrieval = network.retrieve(&[3.0, 0.2, 0.0], 200, 1e-7).unwrap();
    assert_eq!(retrieval.regime, Regime::Metastable);
    assert!((retrieval.state[0] - 3.0).abs() < 1e-3);
    assert!(retrieval.state[1].abs() < 1e-3);
}

#[test]
fn single_pattern_critical_beta_is_zero() {
    let network = ModernHopfield::new(vec![1.0, -1.0], 2, 1.0).unwrap();
    assert_eq!(network.separation(0), Ok(f64::INFINITY));
    assert_eq!(network.critical_beta_estimate(0), Ok(Some(0.0)));
}

#[test]
fn identical_patterns_have_no_critical_beta() {
    let network = ModernHopfield::new(vec![1.0, 2.0, 1.0, 2.0], 2, 1.0).unwrap();
    assert_eq!(network.separation(0), Ok(0.0));
    assert_eq!(network.critical_beta_estimate(0), Ok(None));
}

#[test]
fn bad_modern_inputs_give_typed_errors() {
    for beta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(ModernHopfield::new(vec![1.0, 2.0], 2, beta), Err(EbmError::InvalidBeta { .. })));
    }
    assert_eq!(ModernHopfield::new(vec![], 2, 1.0), Err(EbmError::EmptyPatterns));
    assert_eq!(ModernHopfield::new(vec![1.0], 0, 1.0), Err(EbmError::ZeroSpins));
    assert_eq!(
        ModernHopfield::new(vec![1.0, 2.0, 3.0], 2, 1.0),
        Err(EbmError::PatternLengthMismatch { len: 3, n_units: 2 })
    );
    assert!(matches!(
        ModernHopfield::new(vec![1.0, 2.0, f32::NAN, 0.0], 2, 1.0),
        Err(EbmError::NonFinitePattern { pattern: 1, unit: 0, .. })
    ));

    let network = three_by_two(1.0);
    assert!(matches!(network.update(&[1.0, f32::NAN, 0.0]), Err(EbmError::NonFiniteState { index: 1, .. })));
    assert_eq!(network.energy(&[1.0]), Err(EbmError::StateLengthMismatch { len: 1, n_spins: 3 }));
    assert!(matches!(network.retrieve(&[0.0; 3], 0, 1e-6), Err(EbmError::InvalidConfig { name: "max_steps", .. })));
    assert!(matches!(
        network.retrieve(&[0.0; 3], 5, f64::NAN),
        Err(EbmError::InvalidConfig { name: "tolerance", .. })
    ));
    assert_eq!(network.separation(2), Err(EbmError::PatternIndexOutOfRange { index: 2, n_patterns: 2 }));
    assert!(matches!(network.with_beta(-0.5), Err(EbmError::InvalidBeta { .. })));
}

#[cfg(feature = "flex")]
mod flex {
    use burn::tensor::{Device, Tensor, TensorData};
    use ncm_ebm::HopfieldLayerConfig;

    use super::*;

    fn values(count: usize, seed: u64) -> Vec<f32> {
        // Deterministic values in [-1, 1) from a linear congruential sequence.
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn layer_matches_modern_update() {
        let (batch, q, p, d) = (2, 3, 4, 5);
        let queries = values(batch * q * d, 1);
        let stored = values(batch * p * d, 2);
        let device = Device::flex();

        for beta in [Some(0.7), None] {
            let layer = HopfieldLayerConfig::new().with_beta(beta).init(&device).unwrap();
            let query_tensor = Tensor::<3>::from_data(TensorData::new(queries.clone(), [batch, q, d]), &device);
            let stored_tensor = Tensor::<3>::from_data(TensorData::new(stored.clone(), [batch, p, d]), &device);
            let (retrieved, attention) = layer.forward_with_attention(query_tensor, stored_tensor).unwrap();
            assert_eq!(retrieved.dims(), [batch, q, d]);
            assert_eq!(attention.dims(), [batch, q, p]);
            let retrieved: Vec<f32> = retrieved.into_data().try_to_vec::<f32>().unwrap();
            let attention: Vec<f32> = attention.into_data().try_to_vec::<f32>().unwrap();

            let effective_beta = beta.unwrap_or(1.0 / (d as f64).sqrt());
            for b in 0..batch {
                let network = ModernHopfield::new(stored[b * p * d..(b + 1) * p * d].to_vec(), d, effective_beta).unwrap();
                for row in 0..q {
                    let offset = (b * q + row) * d;
                    let want = network.update(&queries[offset..offset + d]).unwrap();
                    for k in 0..d {
                        let got = retrieved[offset + k];
                        assert!((got - want[k]).abs() < 1e-5, "beta {beta:?}, batch {b}, query {row}, unit {k}");
                    }
                    let row_sum: f32 = attention[(b * q + row) * p..(b * q + row + 1) * p].iter().sum();
                    assert!((row_sum - 1.0).abs() < 1e-5, "attention row sums to {row_sum}");
                }
            }
        }
    }

    #[test]
    fn layer_rejects_bad_shapes_and_beta() {
        let device = Device::flex();
        for beta in [0.0, -2.0, f64::NAN] {
            assert!(matches!(
                HopfieldLayerConfig::new().with_beta(Some(beta)).init(&device),
                Err(EbmError::InvalidBeta { .. })
            ));
        }
        let layer = HopfieldLayerConfig::new().init(&device).unwrap();
        let queries = Tensor::<3>::zeros([2, 3, 4], &device);
        for stored_shape in [[1, 5, 4], [2, 5, 3], [2, 0, 4]] {
            let stored = Tensor::<3>::zeros(stored_shape, &device);
            assert_eq!(
                layer.forward(queries.clone(), stored).err(),
                Some(EbmError::LayerShapeMismatch { queries: [2, 3, 4], stored: stored_shape })
            );
        }
    }
}
