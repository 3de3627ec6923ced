//! Tests of the batched tensor evaluation of the Ising energy E(s) = -h . s - (1/2) s^T J s
//! (Schneidman et al. 2006, Nature 440:1007) against the f64 reference. They need the `flex`
//! feature, which the workspace test build switches on.

#![cfg(feature = "flex")]

mod common;

use ncm_ebm::{EbmError, IsingModel, batch_energy, state_to_spins};

#[test]
fn batch_energy_matches_f64_energy_on_flex() {
    let n = 7;
    let model = common::random_model(n, 1.0, 0.8, 71);
    let states: Vec<i8> = (0..(1u32 << n)).flat_map(|x| state_to_spins(x, n)).collect();
    let device = burn::tensor::Device::flex();
    let energies = batch_energy(&model, &states, &device).unwrap();

    assert_eq!(energies.len(), 1 << n);
    for (x, &got) in energies.iter().enumerate() {
        let want = model.energy_of_index(x as u32).unwrap();
        // f32 arithmetic over at most 7 + 21 terms of size <= 1.
        assert!((f64::from(got) - want).abs() < 1e-4, "state {x}: {got} vs {want}");
    }
}

#[test]
fn batch_energy_empty_batch_is_empty() {
    let model = IsingModel::independent(vec![0.5; 3]).unwrap();
    let device = burn::tensor::Device::flex();
    assert_eq!(batch_energy(&model, &[], &device), Ok(Vec::new()));
}

#[test]
fn batch_energy_rejects_bad_states() {
    let model = IsingModel::independent(vec![0.5; 3]).unwrap();
    let device = burn::tensor::Device::flex();
    assert!(matches!(
        batch_energy(&model, &[1, 1], &device),
        Err(EbmError::SampleLengthMismatch { len: 2, n_spins: 3 })
    ));
    assert!(matches!(
        batch_energy(&model, &[1, 0, 1], &device),
        Err(EbmError::InvalidSpin { value: 0, .. })
    ));
}
