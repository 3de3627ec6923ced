//! Tests of the accuracy indices r = (S1 - S2) / (S1 - SN) and r_D = (D1 - D2) / D1 of Ezaki
//! et al. 2017 (Phil. Trans. R. Soc. A 375:20160287) on cases with closed forms.

mod common;

use ncm_ebm::{EbmError, ExactFitConfig, IsingModel, accuracy_indices, fit_exact};

fn fitted(samples: &[i8], n: usize) -> IsingModel {
    fit_exact(samples, n, &ExactFitConfig::default()).unwrap().model
}

#[test]
fn product_distribution_has_zero_divergences() {
    // P(s0 = +1) = 3/4 and P(s1 = +1) = 1/2 independently: counts 1, 3, 1, 3 of 8 over state
    // indices 0..4 (bit 0 is s0).
    let samples = common::samples_from_counts(&[1, 3, 1, 3], 2);
    let model = fitted(&samples, 2);
    let indices = accuracy_indices(&samples, model.n_spins(), &model).unwrap();

    let expected_entropy = -2.0 * (0.125f64 * 0.125f64.ln() + 0.375 * 0.375f64.ln());
    assert!((indices.sn - expected_entropy).abs() < 1e-12, "SN {}", indices.sn);
    assert!((indices.s1 - expected_entropy).abs() < 1e-12, "S1 {}", indices.s1);
    assert!((indices.s2 - expected_entropy).abs() < 1e-10, "S2 {}", indices.s2);
    assert!(indices.d1.abs() < 1e-12, "D1 {}", indices.d1);
    assert!(indices.d2.abs() < 1e-10, "D2 {}", indices.d2);
    assert!(indices.r.is_nan(), "r {} must be NaN for 0 / 0", indices.r);
    assert!(indices.r_d.is_nan(), "r_D {} must be NaN for 0 / 0", indices.r_d);
}

#[test]
fn two_spin_pairwise_model_is_exact() {
    // With N = 2 the pairwise model has three parameters for three free probabilities, so the
    // fit reproduces the empirical distribution: S2 = SN, D2 = 0 and r = r_D = 1.
    let samples = common::samples_from_counts(&[5, 1, 2, 8], 2);
    let model = fitted(&samples, 2);
    let indices = accuracy_indices(&samples, model.n_spins(), &model).unwrap();

    assert!(indices.d1 > 0.01, "D1 {}", indices.d1);
    assert!(indices.d2.abs() < 1e-10, "D2 {}", indices.d2);
    assert!((indices.s2 - indices.sn).abs() < 1e-10, "S2 {} vs SN {}", indices.s2, indices.sn);
    let r = indices.r;
    let r_d = indices.r_d;
    assert!((r - 1.0).abs() < 1e-6, "r {r}");
    assert!((r_d - 1.0).abs() < 1e-6, "r_D {r_d}");
}

#[test]
fn third_order_data_gives_zero_accuracy() {
    // States with s0 s1 s2 = +1 are three times as frequent. Flipping any two spins keeps the
    // product, so every mean and pairwise moment is 0, the pairwise fit is uniform and
    // S1 = S2 = 3 ln 2, giving r = r_D = 0.
    let counts: Vec<usize> = (0..8u32)
        .map(|x| if (3 - x.count_ones()) % 2 == 0 { 3 } else { 1 })
        .collect();
    let samples = common::samples_from_counts(&counts, 3);
    let model = fitted(&samples, 3);
    let indices = accuracy_indices(&samples, model.n_spins(), &model).unwrap();

    let uniform_entropy = 3.0 * 2f64.ln();
    assert!((indices.s1 - uniform_entropy).abs() < 1e-12, "S1 {}", indices.s1);
    assert!((indices.s2 - uniform_entropy).abs() < 1e-10, "S2 {}", indices.s2);
    assert!(indices.r.abs() < 1e-8, "r {}", indices.r);
    assert!(indices.r_d.abs() < 1e-8, "r_D {}", indices.r_d);
}

#[test]
fn maximum_likelihood_fit_gives_equal_indices() {
    let truth = common::random_model(6, 0.4, 0.6, 51);
    let samples = common::sample(&truth, 4_000, 52);
    let model = fitted(&samples, 6);
    let indices = accuracy_indices(&samples, model.n_spins(), &model).unwrap();

    let r = indices.r;
    let r_d = indices.r_d;
    assert!((0.0..=1.0).contains(&r), "r {r}");
    assert!((r - r_d).abs() < 1e-6, "r {r} vs r_D {r_d}");
    assert!((indices.d1 - (indices.s1 - indices.sn)).abs() < 1e-12);
    assert!((indices.d2 - (indices.s2 - indices.sn)).abs() < 1e-6);
}

#[test]
fn accuracy_indices_reject_bad_input() {
    let model = IsingModel::independent(vec![0.0; 3]).unwrap();
    assert_eq!(accuracy_indices(&[], 3, &model), Err(EbmError::EmptySamples));
    assert!(matches!(
        accuracy_indices(&[1, -1], 3, &model),
        Err(EbmError::SampleLengthMismatch { len: 2, n_spins: 3 })
    ));
    assert!(matches!(
        accuracy_indices(&[1, -1, 5], 3, &model),
        Err(EbmError::InvalidSpin { value: 5, .. })
    ));
    assert!(matches!(
        accuracy_indices(&[1, -1], 2, &model),
        Err(EbmError::SpinCountMismatch { n_spins: 2, model_spins: 3 })
    ));
    let wide = IsingModel::independent(vec![0.0; 21]).unwrap();
    assert!(matches!(
        accuracy_indices(&[1; 21], 21, &wide),
        Err(EbmError::TooManySpins { n_spins: 21, .. })
    ));

    let mut edited = IsingModel::independent(vec![0.0; 3]).unwrap();
    edited.coupling[1] = f64::NAN;
    assert!(matches!(
        accuracy_indices(&[1, -1, 1], 3, &edited),
        Err(EbmError::NonFiniteCoupling { row: 0, col: 1, .. })
    ));
}
