//! Tests of the low-rank batched retrieval of the Hebb-rule Hopfield network, (S Xi^T) Xi - P S,
//! against the dense weights of `ClassicHopfield` on the flex device.

use ncm_ebm::hopfield::{corrupt, random_patterns};
use ncm_ebm::{ClassicHopfield, EbmError, HebbMemory, LearningRule, UpdateConfig};

#[test]
fn hebb_memory_to_network_equals_train() {
    let n = 50;
    let patterns = random_patterns(5, n, 21);
    let memory = HebbMemory::new(patterns.clone(), n).unwrap();
    let trained = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();
    assert_eq!(memory.to_network(), trained);
    assert_eq!(memory.n_units(), n);
    assert_eq!(memory.n_patterns(), 5);
    assert_eq!(memory.patterns(), patterns.as_slice());
}

#[test]
fn hebb_memory_rejects_invalid_patterns() {
    assert_eq!(HebbMemory::new(vec![1, -1, 1], 0), Err(EbmError::ZeroSpins));
    assert_eq!(HebbMemory::new(Vec::new(), 4), Err(EbmError::EmptyPatterns));
    assert!(matches!(
        HebbMemory::new(vec![1, -1, 1], 2),
        Err(EbmError::PatternLengthMismatch { len: 3, n_units: 2 })
    ));
    assert!(matches!(HebbMemory::new(vec![1, 0, 1, -1], 2), Err(EbmError::InvalidSpin { .. })));
}

#[cfg(feature = "flex")]
mod flex {
    use super::*;

    /// Asserts that low-rank retrieval returns, for every cue, the state that `update_sync` of
    /// the dense Hebb network reaches after `steps` sweeps.
    fn assert_low_rank_equals_sync(memory: &HebbMemory, cues: &[i8], steps: usize) {
        let n = memory.n_units();
        let network = memory.to_network();
        let retrieved = memory.retrieve_batch(cues, steps, &burn::tensor::Device::flex()).unwrap();
        let config = UpdateConfig { max_sweeps: steps, ..Default::default() };
        for (b, cue) in cues.chunks_exact(n).enumerate() {
            let mut state = cue.to_vec();
            network.update_sync(&mut state, &config).unwrap();
            assert_eq!(&retrieved[b * n..(b + 1) * n], state.as_slice(), "cue {b}, {steps} steps");
        }
    }

    #[test]
    fn low_rank_equals_dense_batch() {
        // N = 256 is a power of two, so the dense Hebb weights k / 256 and both sets of fields
        // are exact in f32 and the two retrievals must agree bit for bit.
        let n = 256;
        let patterns = random_patterns(30, n, 22);
        let memory = HebbMemory::new(patterns.clone(), n).unwrap();
        let network = memory.to_network();
        let mut cues = random_patterns(16, n, 23);
        for mu in 0..16 {
            cues.extend(corrupt(&patterns[mu * n..(mu + 1) * n], 0.2, 100 + mu as u64).unwrap());
        }
        let device = burn::tensor::Device::flex();
        for steps in [1, 3, 10] {
            let low_rank = memory.retrieve_batch(&cues, steps, &device).unwrap();
            let dense = network.retrieve_batch(&cues, steps, &device).unwrap();
            assert_eq!(low_rank, dense, "{steps} steps");
        }
    }

    #[test]
    fn low_rank_keeps_state_on_zero_field() {
        // With N = 4 and two or three patterns many fields are exactly 0; every one of the 16
        // states is a cue.
        let n = 4;
        let all_states: Vec<i8> = (0..16u8)
            .flat_map(|index| (0..n).map(move |i| if index >> i & 1 == 1 { 1 } else { -1 }))
            .collect();
        for patterns in [vec![1, 1, 1, 1, 1, -1, 1, -1], vec![1, 1, -1, -1, 1, -1, 1, -1, -1, 1, 1, 1]] {
            let memory = HebbMemory::new(patterns, n).unwrap();
            for steps in [1, 2, 5] {
                assert_low_rank_equals_sync(&memory, &all_states, steps);
            }
        }
    }

    /// Runs `steps` synchronous updates of one state with N times the Hebb field computed
    /// exactly in integers, keeping the state where it is 0.
    fn retrieve_exact(patterns: &[i8], n: usize, cue: &[i8], steps: usize) -> Vec<i8> {
        let p = patterns.len() / n;
        let mut state = cue.to_vec();
        for _ in 0..steps {
            let overlaps: Vec<i64> = patterns
                .chunks_exact(n)
                .map(|pattern| pattern.iter().zip(&state).map(|(&x, &s)| i64::from(x * s)).sum())
                .collect();
            state = (0..n)
                .map(|i| {
                    let projection: i64 = (0..p).map(|mu| i64::from(patterns[mu * n + i]) * overlaps[mu]).sum();
                    let scaled_field = projection - p as i64 * i64::from(state[i]);
                    if scaled_field == 0 { state[i] } else { scaled_field.signum() as i8 }
                })
                .collect();
        }
        state
    }

    #[test]
    fn low_rank_equals_integer_reference_at_n_1000() {
        // P (N + 1) < 2^24, so the f32 low-rank fields are exact integers.
        let n = 1000;
        let patterns = random_patterns(100, n, 24);
        let memory = HebbMemory::new(patterns.clone(), n).unwrap();
        let mut cues = random_patterns(4, n, 27);
        for mu in 0..8 {
            cues.extend(corrupt(&patterns[mu * n..(mu + 1) * n], 0.1, 200 + mu as u64).unwrap());
        }
        let retrieved = memory.retrieve_batch(&cues, 10, &burn::tensor::Device::flex()).unwrap();
        for (b, cue) in cues.chunks_exact(n).enumerate() {
            let expected = retrieve_exact(&patterns, n, cue, 10);
            assert_eq!(&retrieved[b * n..(b + 1) * n], expected.as_slice(), "cue {b}");
        }
    }

    #[test]
    fn low_rank_handles_empty_and_zero_steps() {
        let memory = HebbMemory::new(random_patterns(2, 8, 25), 8).unwrap();
        let device = burn::tensor::Device::flex();
        assert_eq!(memory.retrieve_batch(&[], 3, &device), Ok(Vec::new()));
        let cues = random_patterns(2, 8, 26);
        assert_eq!(memory.retrieve_batch(&cues, 0, &device), Ok(cues.clone()));
        assert!(matches!(
            memory.retrieve_batch(&cues[..7], 1, &device),
            Err(EbmError::SampleLengthMismatch { len: 7, n_spins: 8 })
        ));
    }
}
