//! Tests of the Ising energy E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j (Schneidman et al.
//! 2006, Nature 440:1007) and of model validation.

mod common;

use ncm_ebm::{EbmError, IsingModel, state_to_spins};

fn three_spin_model() -> IsingModel {
    let field = vec![0.5, -1.0, 0.25];
    let coupling = vec![
        0.0, 0.3, -0.2, //
        0.3, 0.0, 0.7, //
        -0.2, 0.7, 0.0,
    ];
    IsingModel::new(field, coupling).unwrap()
}

#[test]
fn energy_of_hand_computed_state() {
    // s = (+1, -1, +1): field term 0.5 + 1.0 + 0.25 = 1.75,
    // pair term 0.3 (+1)(-1) + (-0.2)(+1)(+1) + 0.7 (-1)(+1) = -1.2, so E = -1.75 + 1.2.
    let model = three_spin_model();
    let energy = model.energy(&[1, -1, 1]).unwrap();
    assert!((energy - (-0.55)).abs() < 1e-12, "energy {energy}");

    let by_index = model.energy_of_index(0b101).unwrap();
    assert!((by_index - (-0.55)).abs() < 1e-12, "energy by index {by_index}");
}

#[test]
fn energy_of_index_matches_spins() {
    let model = common::random_model(7, 1.0, 1.0, 3);
    for x in 0..(1u32 << 7) {
        let spins = state_to_spins(x, 7);
        let direct = model.energy(&spins).unwrap();
        let indexed = model.energy_of_index(x).unwrap();
        assert!((direct - indexed).abs() < 1e-12, "state {x}: {direct} vs {indexed}");
    }
}

#[test]
fn state_to_spins_sets_bits_as_plus_one() {
    assert_eq!(state_to_spins(0b101, 3), vec![1, -1, 1]);
    assert_eq!(state_to_spins(0, 2), vec![-1, -1]);
    assert_eq!(state_to_spins(u32::MAX, 33).last(), Some(&-1));
}

#[test]
fn new_rejects_bad_parameters() {
    assert_eq!(IsingModel::new(vec![], vec![]), Err(EbmError::ZeroSpins));
    assert!(matches!(
        IsingModel::new(vec![0.0, 0.0], vec![0.0; 3]),
        Err(EbmError::CouplingShape { len: 3, n_spins: 2, expected: 4 })
    ));
    assert!(matches!(
        IsingModel::new(vec![0.0, f64::NAN], vec![0.0; 4]),
        Err(EbmError::NonFiniteField { index: 1, .. })
    ));
    assert!(matches!(
        IsingModel::new(vec![0.0, 0.0], vec![0.0, f64::NAN, f64::NAN, 0.0]),
        Err(EbmError::NonFiniteCoupling { row: 0, col: 1, .. })
    ));
    assert!(matches!(
        IsingModel::new(vec![0.0, 0.0], vec![0.0, f64::INFINITY, f64::INFINITY, 0.0]),
        Err(EbmError::NonFiniteCoupling { .. })
    ));
    assert!(matches!(
        IsingModel::new(vec![0.0, 0.0], vec![0.0, 0.5, 0.4, 0.0]),
        Err(EbmError::AsymmetricCoupling { row: 0, col: 1, .. })
    ));
    assert!(matches!(
        IsingModel::new(vec![0.0, 0.0], vec![1.0, 0.0, 0.0, 0.0]),
        Err(EbmError::NonzeroDiagonal { index: 0, .. })
    ));
}

#[test]
fn energy_rejects_bad_states() {
    let model = three_spin_model();
    assert!(matches!(
        model.energy(&[1, 1]),
        Err(EbmError::StateLengthMismatch { len: 2, n_spins: 3 })
    ));
    assert!(matches!(
        model.energy(&[1, 0, 1]),
        Err(EbmError::InvalidSpin { value: 0, position: 1, .. })
    ));
    assert!(matches!(
        model.energy_of_index(8),
        Err(EbmError::StateIndexOutOfRange { index: 8, n_spins: 3 })
    ));
}

#[test]
fn error_message_names_value_and_fix() {
    let error = IsingModel::new(vec![0.0, 0.0], vec![0.0, 0.5, 0.4, 0.0]).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("0.5"), "{message}");
    assert!(message.contains("(J + J^T) / 2"), "{message}");
}
