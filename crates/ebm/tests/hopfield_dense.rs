//! Tests of the dense associative memory of Krotov and Hopfield 2016 (NeurIPS, "Dense
//! associative memory for pattern recognition"), E(s) = -sum_mu F(xi_mu . s), with polynomial,
//! rectified polynomial and exponential (Demircigil et al. 2017, J. Stat. Phys. 168:288)
//! interactions: capacity against the Hebb rule, energy descent, batched retrieval on the flex
//! device and input errors.

use ncm_ebm::hopfield::{corrupt, overlap, random_patterns};
use ncm_ebm::{
    ClassicHopfield, DenseAssociativeMemory, DenseUpdateConfig, EbmError, Interaction, LearningRule,
    UpdateConfig,
};

/// Fraction of patterns whose 10%-corrupted cue relaxes to overlap > 0.95 under `relax`.
fn retrieved_fraction(patterns: &[i8], n: usize, mut relax: impl FnMut(&mut Vec<i8>)) -> f64 {
    let p = patterns.len() / n;
    let mut retrieved = 0;
    for (mu, pattern) in patterns.chunks_exact(n).enumerate() {
        let mut state = corrupt(pattern, 0.1, 100 + mu as u64).unwrap();
        relax(&mut state);
        if overlap(&state, pattern).unwrap() > 0.95 {
            retrieved += 1;
        }
    }
    retrieved as f64 / p as f64
}

#[test]
fn cubic_memory_stores_above_hebb_capacity() {
    // P = 0.4 N, far above the Hebb capacity of about 0.14 N.
    let n = 100;
    let patterns = random_patterns(40, n, 21);
    let dense = DenseAssociativeMemory::new(&patterns, n, Interaction::Polynomial { degree: 3 }).unwrap();
    let hebb = ClassicHopfield::train(&patterns, n, LearningRule::Hebb).unwrap();

    let dense_fraction = retrieved_fraction(&patterns, n, |state| {
        dense.update_async(state, &DenseUpdateConfig::default()).unwrap();
    });
    let hebb_fraction = retrieved_fraction(&patterns, n, |state| {
        hebb.update_async(state, &UpdateConfig::default()).unwrap();
    });

    assert_eq!(dense_fraction, 1.0, "degree-3 memory retrieved {dense_fraction} of 40 patterns");
    assert!(hebb_fraction < 0.5, "Hebb network retrieved {hebb_fraction} of 40 patterns");
}

#[test]
fn rectified_and_exponential_memories_retrieve() {
    let n = 100;
    let patterns = random_patterns(40, n, 22);
    for interaction in [Interaction::RectifiedPolynomial { degree: 3 }, Interaction::Exponential] {
        let memory = DenseAssociativeMemory::new(&patterns, n, interaction).unwrap();
        let fraction = retrieved_fraction(&patterns, n, |state| {
            memory.update_async(state, &DenseUpdateConfig::default()).unwrap();
        });
        assert_eq!(fraction, 1.0, "{interaction:?} retrieved {fraction}");
    }
}

#[test]
fn exponential_memory_handles_n_1000() {
    // exp(xi . s) reaches exp(1000), beyond f64, so only the shifted update stays finite.
    let n = 1000;
    let patterns = random_patterns(30, n, 23);
    let memory = DenseAssociativeMemory::new(&patterns, n, Interaction::Exponential).unwrap();
    let target = &patterns[2 * n..3 * n];
    let mut state = corrupt(target, 0.3, 1).unwrap();

    let outcome = memory.update_async(&mut state, &DenseUpdateConfig::default()).unwrap();

    assert!(outcome.converged);
    assert_eq!(overlap(&state, target).unwrap(), 1.0);
    assert_eq!(outcome.energy, f64::NEG_INFINITY, "-exp(1000) overflows f64 as documented");
}

#[test]
fn async_updates_never_raise_dense_energy() {
    let n = 30;
    let patterns = random_patterns(12, n, 24);
    for interaction in [
        Interaction::Polynomial { degree: 2 },
        Interaction::Polynomial { degree: 3 },
        Interaction::RectifiedPolynomial { degree: 4 },
        Interaction::Exponential,
    ] {
        let memory = DenseAssociativeMemory::new(&patterns, n, interaction).unwrap();
        let start = random_patterns(1, n, 25);
        let mut previous = memory.energy(&start).unwrap();
        // The same seed replays the same order, so k sweeps extend k - 1 sweeps.
        for sweeps in 1..=6 {
            let mut state = start.clone();
            let config = DenseUpdateConfig { max_sweeps: sweeps, seed: 7 };
            let outcome = memory.update_async(&mut state, &config).unwrap();
            let tolerance = 1e-9 * previous.abs().max(1.0);
            assert!(outcome.energy <= previous + tolerance, "{interaction:?}: {} > {previous}", outcome.energy);
            previous = outcome.energy;
        }
    }
}

#[test]
fn dense_energy_matches_definition() {
    let patterns = [1, 1, -1, -1, 1, 1];
    let state = [1, 1, 1];
    // Overlaps: xi_1 . s = 1, xi_2 . s = 1.
    let cases = [
        (Interaction::Polynomial { degree: 3 }, -2.0),
        (Interaction::RectifiedPolynomial { degree: 2 }, -2.0),
        (Interaction::Exponential, -2.0 * 1f64.exp()),
    ];
    for (interaction, want) in cases {
        let memory = DenseAssociativeMemory::new(&patterns, 3, interaction).unwrap();
        let got = memory.energy(&state).unwrap();
        assert!((got - want).abs() < 1e-12, "{interaction:?}: {got} vs {want}");
    }
    let state = [-1, -1, 1];
    // Overlaps: -3 and 1; rectification drops the negative one.
    let rectified = DenseAssociativeMemory::new(&patterns, 3, Interaction::RectifiedPolynomial { degree: 2 }).unwrap();
    assert_eq!(rectified.energy(&state), Ok(-1.0));
}

#[test]
fn bad_dense_inputs_give_typed_errors() {
    let patterns = random_patterns(2, 4, 26);
    for degree in [0, 1] {
        assert_eq!(
            DenseAssociativeMemory::new(&patterns, 4, Interaction::Polynomial { degree }),
            Err(EbmError::InvalidDegree { degree })
        );
        assert_eq!(
            DenseAssociativeMemory::new(&patterns, 4, Interaction::RectifiedPolynomial { degree }),
            Err(EbmError::InvalidDegree { degree })
        );
    }
    assert_eq!(
        DenseAssociativeMemory::new(&patterns, 4, Interaction::Polynomial { degree: u32::MAX }),
        Err(EbmError::InvalidDegree { degree: u32::MAX })
    );
    assert_eq!(DenseAssociativeMemory::new(&[], 4, Interaction::Exponential), Err(EbmError::EmptyPatterns));
    assert_eq!(
        DenseAssociativeMemory::new(&patterns[..5], 4, Interaction::Exponential),
        Err(EbmError::PatternLengthMismatch { len: 5, n_units: 4 })
    );
    assert!(matches!(
        DenseAssociativeMemory::new(&[1, 1, 3, 1], 4, Interaction::Exponential),
        Err(EbmError::InvalidSpin { value: 3, .. })
    ));

    let memory = DenseAssociativeMemory::new(&patterns, 4, Interaction::Exponential).unwrap();
    let mut short = [1, 1, 1];
    assert_eq!(
        memory.update_async(&mut short, &DenseUpdateConfig::default()),
        Err(EbmError::StateLengthMismatch { len: 3, n_spins: 4 })
    );
    let mut state = [1, 1, 1, 1];
    assert!(matches!(
        memory.update_sync(&mut state, &DenseUpdateConfig { max_sweeps: 0, seed: 0 }),
        Err(EbmError::InvalidConfig { name: "max_sweeps", .. })
    ));
}

#[cfg(feature = "flex")]
mod flex {
    use super::*;

    #[test]
    fn dense_retrieve_batch_equals_update_sync() {
        // N = 64 and P N^3 <= 2^24 make every f32 term exact (see retrieve_batch).
        let n = 64;
        let patterns = random_patterns(20, n, 27);
        let mut cues = random_patterns(6, n, 28);
        for mu in 0..6 {
            cues.extend(corrupt(&patterns[mu * n..(mu + 1) * n], 0.3, mu as u64).unwrap());
        }
        let device = burn::tensor::Device::flex();
        for interaction in [Interaction::Polynomial { degree: 3 }, Interaction::RectifiedPolynomial { degree: 3 }] {
            let memory = DenseAssociativeMemory::new(&patterns, n, interaction).unwrap();
            let batch = memory.retrieve_batch(&cues, 4, &device).unwrap();
            for (b, cue) in cues.chunks_exact(n).enumerate() {
                let mut state = cue.to_vec();
                memory.update_sync(&mut state, &DenseUpdateConfig { max_sweeps: 4, seed: 0 }).unwrap();
                assert_eq!(&batch[b * n..(b + 1) * n], state.as_slice(), "{interaction:?}, cue {b}");
            }
        }
    }

    #[test]
    fn exponential_retrieve_batch_at_n_1000() {
        let n = 1000;
        let patterns = random_patterns(50, n, 29);
        let memory = DenseAssociativeMemory::new(&patterns, n, Interaction::Exponential).unwrap();
        let cues: Vec<i8> = (0..4)
            .flat_map(|mu| corrupt(&patterns[mu * n..(mu + 1) * n], 0.2, mu as u64).unwrap())
            .collect();
        let retrieved = memory.retrieve_batch(&cues, 3, &burn::tensor::Device::flex()).unwrap();
        for mu in 0..4 {
            let state = &retrieved[mu * n..(mu + 1) * n];
            assert_eq!(overlap(state, &patterns[mu * n..(mu + 1) * n]).unwrap(), 1.0, "pattern {mu}");
        }
    }
}
