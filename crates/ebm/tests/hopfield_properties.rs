//! Property tests of the binary Hopfield network of Hopfield 1982 (PNAS 79:2554): under
//! zero-temperature asynchronous updates with symmetric weights and zero diagonal, the energy
//! E(s) = -1/2 s^T W s + theta^T s never increases and the dynamics end at a fixed point.

use ncm_ebm::hopfield::random_patterns;
use ncm_ebm::{ClassicHopfield, UpdateConfig};
use proptest::prelude::*;

/// Random symmetric weights in [-1, 1) with zero diagonal, built from a seed.
fn symmetric_weights(n: usize, seed: u64) -> Vec<f32> {
    let signs = random_patterns(n * n, 8, seed);
    let mut weights = vec![0.0f32; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            // Eight +-1 bits give a value in [-1, 1) on a grid of 1/128.
            let bits = &signs[(i * n + j) * 8..(i * n + j + 1) * 8];
            let code: i32 = bits.iter().fold(0, |acc, &b| acc * 2 + i32::from(b > 0));
            let value = (code - 128) as f32 / 128.0;
            weights[i * n + j] = value;
            weights[j * n + i] = value;
        }
    }
    weights
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn async_energy_never_increases(
        n in 2usize..24,
        weight_seed in any::<u64>(),
        state_seed in any::<u64>(),
        update_seed in any::<u64>(),
        threshold_scale in 0.0f32..1.0,
    ) {
        let weights = symmetric_weights(n, weight_seed);
        let thresholds: Vec<f32> = random_patterns(1, n, weight_seed ^ 1)
            .iter()
            .map(|&s| f32::from(s) * threshold_scale)
            .collect();
        let network = ClassicHopfield::from_weights(weights, thresholds).unwrap();
        let start = random_patterns(1, n, state_seed);

        let mut previous = network.energy(&start).unwrap();
        // The same seed replays the same sweep orders, so k sweeps extend k - 1 sweeps.
        for sweeps in 1..=8 {
            let mut state = start.clone();
            let config = UpdateConfig { max_sweeps: sweeps, temperature: 0.0, seed: update_seed };
            let outcome = network.update_async(&mut state, &config).unwrap();
            // f64 sums of at most 24 x 24 f32 terms of size <= 1.
            prop_assert!(outcome.energy <= previous + 1e-9, "sweep {}: {} > {}", sweeps, outcome.energy, previous);
            previous = outcome.energy;
        }

        let mut state = start;
        let outcome = network.update_async(&mut state, &UpdateConfig { seed: update_seed, ..Default::default() }).unwrap();
        prop_assert!(outcome.converged);
    }
}
