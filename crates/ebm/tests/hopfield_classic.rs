//! Tests of the binary Hopfield network of Hopfield 1982 (PNAS 79:2554), E(s) = -1/2 s^T W s +
//! theta^T s, with the Hebb, Storkey 1997 (ICANN) and pseudo-inverse (Personnaz et al. 1985;
//! Kanter and Sompolinsky 1987) rules, its seeded dynamics, batched retrieval on the flex
//! device, the pattern helpers and the input errors.

use ncm_ebm::hopfield::{corrupt, overlap, random_patterns};
use ncm_ebm::{ClassicHopfield, EbmError, LearningRule, UpdateConfig};

/// Asserts that every pattern is left unchanged by a full asynchronous sweep.
fn assert_patterns_are_fixed_points(network: &ClassicHopfield, patterns: &[i8], n: usize) {
    for (mu, pattern) in patterns.chunks_exact(n).enumerate() {
        let mut state = pattern.to_vec();
        let outcome = network.update_async(&mut state, &UpdateConfig::default()).unwrap();
        assert_eq!(state, pattern, "pattern {mu} moved");
        assert!(outcome.converged, "pattern {mu} is not a fixed point");
        assert_eq!(outcome.sweeps, 1, "pattern {mu} needed {} sweeps", outcome.sweeps);
    }
}

#[test]
fn hebb_stores_patterns_below_capacity() {
    let n = 200;
    let patterns = random_patterns(10, n, 1); // P = 0.05 N
    let network = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();
    assert_patterns_are_fixed_points(&network, &patterns, n);
}

#[test]
fn storkey_stores_patterns_below_capacity() {
    let n = 200;
    let patterns = random_patterns(20, n, 2); // P = 0.1 N
    let network = ClassicHopfield::train(&patterns, n, LearningRule::Storkey).unwrap();
    assert_patterns_are_fixed_points(&network, &patterns, n);
}

#[test]
fn pseudo_inverse_stores_half_n_patterns() {
    let n = 200;
    let patterns = random_patterns(100, n, 3); // P = 0.5 N
    let network = ClassicHopfield::train(&patterns, n, LearningRule::PseudoInverse).unwrap();
    assert_patterns_are_fixed_points(&network, &patterns, n);
}

#[test]
fn hebb_weights_match_outer_products() {
    let patterns = [1, -1, 1, -1, 1, 1, -1, -1];
    let network = ClassicHopfield::train(&patterns, 4, LearningRule::Hebb).unwrap();
    // w_ij = (xi1_i xi1_j + xi2_i xi2_j) / 4 off the diagonal.
    let expected = [
        0.0, 0.0, 0.0, -0.5, //
        0.0, 0.0, -0.5, 0.0, //
        0.0, -0.5, 0.0, 0.0, //
        -0.5, 0.0, 0.0, 0.0,
    ];
    assert_eq!(network.weights(), expected);
}

#[test]
fn storkey_weights_match_hand_arithmetic() {
    // xi1 = (1, -1, 1, -1), xi2 = (1, 1, -1, -1). After xi1, w_ij = xi1_i xi1_j / 4. For xi2,
    // h_ij = -xi1_i (c_i + c_j) / 4 with c = xi1 * xi2 = (1, -1, -1, 1); e.g. for (0, 3):
    // h_03 = -1/2, h_30 = 1/2, delta = (-1 - 1/2 - 1/2) / 4 = -1/2, w_03 = -1/4 - 1/2.
    let patterns = [1, -1, 1, -1, 1, 1, -1, -1];
    let network = ClassicHopfield::train(&patterns, 4, LearningRule::Storkey).unwrap();
    let expected = [
        0.0, 0.0, 0.0, -0.75, //
        0.0, 0.0, -0.75, 0.0, //
        0.0, -0.75, 0.0, 0.0, //
        -0.75, 0.0, 0.0, 0.0,
    ];
    for (k, (&got, &want)) in network.weights().iter().zip(&expected).enumerate() {
        assert!((got - want).abs() < 1e-7, "w[{}][{}] = {got}, want {want}", k / 4, k % 4);
    }
}

/// Storkey rule written out with the triple sum h_ij = sum_{k != i, j} w_ik xi_k.
fn naive_storkey(patterns: &[i8], n: usize) -> Vec<f64> {
    let mut w = vec![0.0; n * n];
    for xi in patterns.chunks_exact(n) {
        let x: Vec<f64> = xi.iter().map(|&v| f64::from(v)).collect();
        let old = w.clone();
        let h = |i: usize, j: usize| -> f64 {
            (0..n).filter(|&k| k != i && k != j).map(|k| old[i * n + k] * x[k]).sum()
        };
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    w[i * n + j] = old[i * n + j] + (x[i] * x[j] - x[i] * h(j, i) - h(i, j) * x[j]) / n as f64;
                }
            }
        }
    }
    w
}

#[test]
fn storkey_weights_match_naive_triple_sum() {
    let n = 9;
    let patterns = random_patterns(4, n, 11);
    let network = ClassicHopfield::train(&patterns, n, LearningRule::Storkey).unwrap();
    let expected = naive_storkey(&patterns, n);
    for (k, (&got, &want)) in network.weights().iter().zip(&expected).enumerate() {
        // f32 rounding of values of order 1.
        assert!((f64::from(got) - want).abs() < 1e-6, "w[{}][{}] = {got}, want {want}", k / n, k % n);
    }
}

#[test]
fn pseudo_inverse_weights_match_hand_arithmetic() {
    // Orthogonal patterns: G = 4 I, so W = (xi1 xi1^T + xi2 xi2^T) / 4 with zero diagonal.
    let orthogonal = [1, -1, 1, -1, 1, 1, -1, -1];
    let network = ClassicHopfield::train(&orthogonal, 4, LearningRule::PseudoInverse).unwrap();
    let expected = [
        0.0, 0.0, 0.0, -0.5, //
        0.0, 0.0, -0.5, 0.0, //
        0.0, -0.5, 0.0, 0.0, //
        -0.5, 0.0, 0.0, 0.0,
    ];
    for (k, (&got, &want)) in network.weights().iter().zip(&expected).enumerate() {
        assert!((got - want).abs() < 1e-6, "orthogonal w[{}][{}] = {got}, want {want}", k / 4, k % 4);
    }

    // xi1 = (1, 1, 1, 1), xi2 = (1, 1, 1, -1): G = [[4, 2], [2, 4]], G^-1 = [[4, -2], [-2, 4]] / 12.
    // w_ij = (4 xi1_i xi1_j - 2 xi1_i xi2_j - 2 xi2_i xi1_j + 4 xi2_i xi2_j) / 12 gives 1/3 among
    // units 0..2 and 0 for every pair with unit 3.
    let correlated = [1, 1, 1, 1, 1, 1, 1, -1];
    let network = ClassicHopfield::train(&correlated, 4, LearningRule::PseudoInverse).unwrap();
    let third = 1.0 / 3.0;
    let expected = [
        0.0, third, third, 0.0, //
        third, 0.0, third, 0.0, //
        third, third, 0.0, 0.0, //
        0.0, 0.0, 0.0, 0.0,
    ];
    for (k, (&got, &want)) in network.weights().iter().zip(&expected).enumerate() {
        assert!((got - want).abs() < 1e-6, "correlated w[{}][{}] = {got}, want {want}", k / 4, k % 4);
    }
}

#[test]
fn energy_matches_definition() {
    let weights = vec![0.0, 0.5, -1.0, 0.5, 0.0, 2.0, -1.0, 2.0, 0.0];
    let network = ClassicHopfield::from_weights(weights, vec![0.25, -0.5, 0.0]).unwrap();
    // -1/2 s^T W s = -(0.5 s0 s1 - s0 s2 + 2 s1 s2); theta . s = 0.25 s0 - 0.5 s1.
    let state = [1, -1, 1];
    let want = -(0.5 * -1.0 - 1.0 + 2.0 * -1.0) + (0.25 + 0.5);
    assert!((network.energy(&state).unwrap() - want).abs() < 1e-12);
}

#[test]
fn async_dynamics_retrieve_corrupted_pattern() {
    let n = 200;
    let patterns = random_patterns(10, n, 4);
    let network = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();
    let target = &patterns[..n];
    let mut state = corrupt(target, 0.2, 5).unwrap();
    let start_energy = network.energy(&state).unwrap();

    let outcome = network.update_async(&mut state, &UpdateConfig::default()).unwrap();

    assert!(outcome.converged);
    assert_eq!(overlap(&state, target).unwrap(), 1.0);
    assert!(outcome.energy < start_energy);
}

#[test]
fn same_seed_gives_same_glauber_trajectory() {
    let n = 50;
    let patterns = random_patterns(3, n, 6);
    let network = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();
    let config = UpdateConfig { max_sweeps: 5, temperature: 0.8, seed: 42 };
    let start = random_patterns(1, n, 7);

    let mut first = start.clone();
    let mut second = start.clone();
    let mut other_seed = start.clone();
    network.update_async(&mut first, &config).unwrap();
    network.update_async(&mut second, &config).unwrap();
    network.update_async(&mut other_seed, &UpdateConfig { seed: 43, ..config.clone() }).unwrap();

    assert_eq!(first, second);
    assert_ne!(first, other_seed, "T = 0.8 trajectories with different seeds coincided");
    let mut sync_first = start.clone();
    let mut sync_second = start;
    network.update_sync(&mut sync_first, &config).unwrap();
    network.update_sync(&mut sync_second, &config).unwrap();
    assert_eq!(sync_first, sync_second);
}

#[test]
fn glauber_outcome_runs_all_sweeps() {
    let n = 20;
    let patterns = random_patterns(1, n, 8);
    let network = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();
    let mut state = patterns.clone();
    let config = UpdateConfig { max_sweeps: 7, temperature: 0.1, seed: 1 };
    let outcome = network.update_async(&mut state, &config).unwrap();
    assert_eq!(outcome.sweeps, 7);
}

#[test]
fn zero_field_keeps_current_state() {
    // With zero weights and thresholds every field is 0, so nothing moves.
    let network = ClassicHopfield::from_weights(vec![0.0; 9], vec![0.0; 3]).unwrap();
    for start in [[1, -1, 1], [-1, -1, 1]] {
        let mut state = start;
        let outcome = network.update_sync(&mut state, &UpdateConfig::default()).unwrap();
        assert_eq!(state, start);
        assert!(outcome.converged);
        assert_eq!(outcome.sweeps, 1);
    }
}

#[test]
fn sync_dynamics_report_two_cycle() {
    // w_01 = -1 with both spins equal: synchronous updates flip both forever.
    let network = ClassicHopfield::from_weights(vec![0.0, -1.0, -1.0, 0.0], vec![0.0; 2]).unwrap();
    let mut state = [1, 1];
    let outcome = network.update_sync(&mut state, &UpdateConfig { max_sweeps: 5, ..Default::default() }).unwrap();
    assert_eq!(outcome.sweeps, 5);
    assert!(!outcome.converged);
    assert_eq!(state, [-1, -1]);
}

#[cfg(feature = "flex")]
mod flex {
    use super::*;

    fn assert_batch_equals_sync(network: &ClassicHopfield, cues: &[i8], steps: usize) {
        let n = network.n_units();
        let device = burn::tensor::Device::flex();
        let batch = network.retrieve_batch(cues, steps, &device).unwrap();
        let config = UpdateConfig { max_sweeps: steps, ..Default::default() };
        for (b, cue) in cues.chunks_exact(n).enumerate() {
            let mut state = cue.to_vec();
            network.update_sync(&mut state, &config).unwrap();
            assert_eq!(&batch[b * n..(b + 1) * n], state.as_slice(), "cue {b}");
        }
    }

    #[test]
    fn retrieve_batch_equals_update_sync_hebb() {
        // N = 256 is a power of two, so Hebb weights k / 256 and every field are exact in f32.
        let n = 256;
        let patterns = random_patterns(20, n, 9);
        let network = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();
        let mut cues = random_patterns(12, n, 10);
        for mu in 0..4 {
            cues.extend(corrupt(&patterns[mu * n..(mu + 1) * n], 0.3, mu as u64).unwrap());
        }
        assert_batch_equals_sync(&network, &cues, 10);
    }

    #[test]
    fn retrieve_batch_equals_update_sync_integer_weights() {
        // Integer weights with thresholds make ties (zero fields) and 2-cycles common.
        let n = 6;
        let weights: Vec<f32> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if i == j { 0.0 } else { (((i + j) * 7 + i * j) % 5) as f32 - 2.0 }
            })
            .collect();
        let thresholds = vec![1.0, 0.0, -1.0, 0.0, 2.0, 0.0];
        let network = ClassicHopfield::from_weights(weights, thresholds).unwrap();
        let cues = random_patterns(64, n, 12);
        for steps in [1, 2, 5] {
            assert_batch_equals_sync(&network, &cues, steps);
        }
    }

    #[test]
    fn retrieve_batch_handles_empty_and_zero_steps() {
        let network = ClassicHopfield::train(&random_patterns(2, 8, 13), 8, LearningRule::Hebb).unwrap();
        let device = burn::tensor::Device::flex();
        assert_eq!(network.retrieve_batch(&[], 3, &device), Ok(Vec::new()));
        let cues = random_patterns(2, 8, 14);
        assert_eq!(network.retrieve_batch(&cues, 0, &device), Ok(cues.clone()));
        assert!(matches!(
            network.retrieve_batch(&cues[..7], 1, &device),
            Err(EbmError::SampleLengthMismatch { len: 7, n_spins: 8 })
        ));
    }
}

#[test]
fn corrupt_flips_exact_count() {
    let pattern = random_patterns(1, 101, 15);
    for (fraction, flips) in [(0.0, 0), (0.1, 10), (0.25, 25), (1.0, 101)] {
        let corrupted = corrupt(&pattern, fraction, 3).unwrap();
        let differing = pattern.iter().zip(&corrupted).filter(|(a, b)| a != b).count();
        assert_eq!(differing, flips, "fraction {fraction}");
    }
    assert_eq!(corrupt(&pattern, 0.3, 9).unwrap(), corrupt(&pattern, 0.3, 9).unwrap());
}

#[test]
fn overlap_of_opposite_states_is_minus_one() {
    assert_eq!(overlap(&[1, -1, 1, 1], &[-1, 1, -1, -1]), Ok(-1.0));
    assert_eq!(overlap(&[1, -1, 1, 1], &[1, 1, 1, 1]), Ok(0.5));
}

#[test]
fn bad_training_inputs_give_typed_errors() {
    let train = |patterns: &[i8], n, rule| ClassicHopfield::train(patterns, n, rule);
    assert_eq!(train(&[], 4, LearningRule::Hebb), Err(EbmError::EmptyPatterns));
    assert_eq!(train(&[1, -1], 0, LearningRule::Hebb), Err(EbmError::ZeroSpins));
    assert_eq!(
        train(&[1, -1, 1], 2, LearningRule::Storkey),
        Err(EbmError::PatternLengthMismatch { len: 3, n_units: 2 })
    );
    assert!(matches!(
        train(&[1, 0, 1, 1], 2, LearningRule::Hebb),
        Err(EbmError::InvalidSpin { value: 0, position: 1, sample: 0, spin: 1 })
    ));
}

#[test]
fn pseudo_inverse_rejects_dependent_patterns() {
    let n = 8;
    let mut duplicated = random_patterns(3, n, 16);
    duplicated.extend_from_slice(&duplicated[n..2 * n].to_vec());
    assert!(matches!(
        ClassicHopfield::train(&duplicated, n, LearningRule::PseudoInverse),
        Err(EbmError::LinearlyDependentPatterns { pattern: 3, .. })
    ));

    let mut negated = random_patterns(1, n, 17);
    let negative: Vec<i8> = negated.iter().map(|&v| -v).collect();
    negated.extend(negative);
    assert!(matches!(
        ClassicHopfield::train(&negated, n, LearningRule::PseudoInverse),
        Err(EbmError::LinearlyDependentPatterns { pattern: 1, .. })
    ));

    // More patterns than units are always dependent.
    let too_many = random_patterns(5, 4, 18);
    assert!(matches!(
        ClassicHopfield::train(&too_many, 4, LearningRule::PseudoInverse),
        Err(EbmError::LinearlyDependentPatterns { .. })
    ));
}

#[test]
fn bad_weights_give_typed_errors() {
    assert_eq!(ClassicHopfield::from_weights(vec![], vec![]), Err(EbmError::ZeroSpins));
    assert_eq!(
        ClassicHopfield::from_weights(vec![0.0; 3], vec![0.0; 2]),
        Err(EbmError::WeightShape { len: 3, n_units: 2, expected: 4 })
    );
    assert!(matches!(
        ClassicHopfield::from_weights(vec![0.0, f32::NAN, f32::NAN, 0.0], vec![0.0; 2]),
        Err(EbmError::NonFiniteCoupling { row: 0, col: 1, .. })
    ));
    assert!(matches!(
        ClassicHopfield::from_weights(vec![0.0, 1.0, 2.0, 0.0], vec![0.0; 2]),
        Err(EbmError::AsymmetricCoupling { row: 0, col: 1, .. })
    ));
    assert!(matches!(
        ClassicHopfield::from_weights(vec![-0.5, 0.0, 0.0, 0.0], vec![0.0; 2]),
        Err(EbmError::NegativeSelfCoupling { index: 0, .. })
    ));
    assert!(matches!(
        ClassicHopfield::from_weights(vec![0.0; 4], vec![0.0, f32::INFINITY]),
        Err(EbmError::NonFiniteThreshold { index: 1, .. })
    ));
}

#[test]
fn bad_states_and_configs_give_typed_errors() {
    let network = ClassicHopfield::train(&random_patterns(2, 4, 19), 4, LearningRule::Hebb).unwrap();
    assert_eq!(network.energy(&[1, 1, 1]), Err(EbmError::StateLengthMismatch { len: 3, n_spins: 4 }));
    assert!(matches!(network.energy(&[1, 1, 2, 1]), Err(EbmError::InvalidSpin { value: 2, .. })));

    let mut state = [1, -1, 1, -1];
    let nan_temperature = UpdateConfig { temperature: f64::NAN, ..Default::default() };
    assert!(matches!(
        network.update_async(&mut state, &nan_temperature),
        Err(EbmError::InvalidTemperature { .. })
    ));
    let negative_temperature = UpdateConfig { temperature: -1.0, ..Default::default() };
    assert!(matches!(
        network.update_sync(&mut state, &negative_temperature),
        Err(EbmError::InvalidTemperature { .. })
    ));
    let no_sweeps = UpdateConfig { max_sweeps: 0, ..Default::default() };
    assert!(matches!(
        network.update_async(&mut state, &no_sweeps),
        Err(EbmError::InvalidConfig { name: "max_sweeps", .. })
    ));

    assert_eq!(overlap(&[], &[]), Err(EbmError::ZeroSpins));
    assert_eq!(overlap(&[1, 1], &[1]), Err(EbmError::StateLengthMismatch { len: 1, n_spins: 2 }));
    assert!(matches!(corrupt(&[1, -1], f64::NAN, 0), Err(EbmError::InvalidFraction { .. })));
    assert!(matches!(corrupt(&[1, -1], 1.5, 0), Err(EbmError::InvalidFraction { .. })));
    assert_eq!(corrupt(&[], 0.1, 0), Err(EbmError::ZeroSpins));
}
