//! Tests of the pairwise maximum-entropy (Ising) model beyond enumeration: pseudo-likelihood
//! (Aurell and Ekeberg 2012, Phys. Rev. Lett. 108:090201), mean-field inversion (Kappen and
//! Rodriguez 1998, Neural Comput. 10:1137), the +-1 / 0/1 conversion, and the landscape over a
//! searched set of states (Ezaki et al. 2017, Phil. Trans. R. Soc. A 375:20160287).
//!
//! References are planted models, exact enumeration and the exact fit, never the code under
//! test. The Gibbs-sampler and Boltzmann-learning tests are in `maxent_device.rs`.

mod common;

use ncm_ebm::{
    EbmError, ExactFitConfig, IsingModel, LandscapeSearchConfig, MAX_LANDSCAPE_MINIMA,
    MeanFieldMethod, Moments, PseudoLikelihoodConfig, ZeroOneModel, energy_landscape, fit_exact,
    fit_mean_field, fit_pseudolikelihood, fit_pseudolikelihood_weighted, mean_field_from_moments,
    sampled_energy_landscape, spins_to_zero_one, state_to_spins, zero_one_to_spins,
};

fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0, |acc, (x, y)| acc.max((x - y).abs()))
}

fn all_states(n: usize) -> Vec<i8> {
    (0..(1u32 << n))
        .flat_map(|x| state_to_spins(x, n))
        .collect()
}

// ---------------------------------------------------------------------------
// Spin conventions
// ---------------------------------------------------------------------------

#[test]
fn zero_one_conversion_by_hand() {
    // h = (0.3, -0.2), J_12 = 0.5: W_12 = 4 * 0.5 = 2, a_1 = 2 * 0.3 - 2 * 0.5 = -0.4,
    // a_2 = 2 * (-0.2) - 2 * 0.5 = -1.4, c = 0.3 - 0.2 - 0.5 = -0.4.
    let model = IsingModel::new(vec![0.3, -0.2], vec![0.0, 0.5, 0.5, 0.0]).unwrap();
    let (zero_one, offset) = model.to_zero_one().unwrap();
    assert!(
        max_abs_difference(&zero_one.field, &[-0.4, -1.4]) < 1e-15,
        "{:?}",
        zero_one.field
    );
    assert_eq!(zero_one.coupling, vec![0.0, 2.0, 2.0, 0.0]);
    assert!((offset + 0.4).abs() < 1e-15, "offset {offset}");
    // E_s(+1, +1) = -0.3 + 0.2 - 0.5 = -0.6 and E_x(1, 1) = 0.4 + 1.4 - 2 = -0.2.
    assert!((model.energy(&[1, 1]).unwrap() + 0.6).abs() < 1e-15);
    assert!((zero_one.energy(&[1, 1]).unwrap() + 0.2).abs() < 1e-15);
}

#[test]
fn zero_one_conversion_round_trips() {
    for seed in 0..5 {
        let model = common::random_model(9, 1.0, 0.7, 300 + seed);
        let (zero_one, offset) = model.to_zero_one().unwrap();
        let (back, back_offset) = zero_one.to_plus_minus_one().unwrap();
        assert!(
            max_abs_difference(&back.field, &model.field) < 1e-12,
            "seed {seed} field"
        );
        assert!(
            max_abs_difference(&back.coupling, &model.coupling) < 1e-12,
            "seed {seed} coupling"
        );
        assert!(
            (offset - back_offset).abs() < 1e-12,
            "seed {seed}: {offset} vs {back_offset}"
        );

        // E_s(s) = E_x(x) + c for every state, so energy differences agree exactly.
        for x in 0..(1u32 << 9) {
            let spins = state_to_spins(x, 9);
            let bits = spins_to_zero_one(&spins).unwrap();
            let e_s = model.energy(&spins).unwrap();
            let e_x = zero_one.energy(&bits).unwrap();
            assert!(
                (e_s - e_x - offset).abs() < 1e-12,
                "seed {seed} state {x}: {e_s} vs {e_x} + {offset}"
            );
        }
    }
}

#[test]
fn zero_one_data_round_trips() {
    let spins = vec![1, -1, -1, 1, 1, -1];
    let bits = spins_to_zero_one(&spins).unwrap();
    assert_eq!(bits, vec![1, 0, 0, 1, 1, 0]);
    assert_eq!(zero_one_to_spins(&bits).unwrap(), spins);
}

#[test]
fn zero_one_rejects_bad_values() {
    assert_eq!(
        zero_one_to_spins(&[0, 1, 2]),
        Err(EbmError::InvalidBit {
            value: 2,
            position: 2
        })
    );
    assert!(matches!(
        spins_to_zero_one(&[1, 0]),
        Err(EbmError::InvalidSpin { value: 0, .. })
    ));
    let model = ZeroOneModel::new(vec![0.1, 0.2], vec![0.0, 1.0, 1.0, 0.0]).unwrap();
    assert_eq!(
        model.energy(&[1, -1]),
        Err(EbmError::InvalidBit {
            value: -1,
            position: 1
        })
    );
    assert!(matches!(
        model.energy(&[1]),
        Err(EbmError::StateLengthMismatch { len: 1, n_spins: 2 })
    ));
    assert!(matches!(
        ZeroOneModel::new(vec![f64::NAN], vec![0.0]),
        Err(EbmError::NonFiniteField { index: 0, .. })
    ));
}

// ---------------------------------------------------------------------------
// Pseudo-likelihood
// ---------------------------------------------------------------------------

#[test]
fn pseudolikelihood_on_exact_distribution_recovers_model() {
    // Weighting every state by its exact probability is the infinite-sample limit, where the
    // pseudo-likelihood estimator is consistent: it must return the planted parameters.
    let n = 8;
    let model = common::random_model(n, 0.5, 0.6, 41);
    let weights = common::probabilities(&model);
    let fit = fit_pseudolikelihood_weighted(
        &all_states(n),
        &weights,
        n,
        &PseudoLikelihoodConfig::default(),
    )
    .unwrap();
    assert!(fit.max_gradient < 1e-8);
    assert!(
        max_abs_difference(&fit.model.field, &model.field) < 1e-6,
        "{:?}",
        fit.model.field
    );
    assert!(max_abs_difference(&fit.model.coupling, &model.coupling) < 1e-6);
    assert!(max_abs_difference(&fit.conditional_coupling, &model.coupling) < 1e-6);
}

#[test]
fn pseudolikelihood_agrees_with_exact_fit() {
    // N = 10, T = 20000 exact samples. Each estimator errs by about 1 / sqrt(T) ~ 0.007 per
    // coupling, but on the same data the two errors are nearly equal, so the gap between them
    // is much smaller (9e-4 for couplings and fields at this seed). The tolerance is 0.005.
    let n = 10;
    let model = common::random_model(n, 0.4, 0.3, 7);
    let samples = common::sample(&model, 20_000, 8);
    let exact = fit_exact(&samples, n, &ExactFitConfig::default()).unwrap();
    let fit = fit_pseudolikelihood(&samples, n, &PseudoLikelihoodConfig::default()).unwrap();
    let coupling_gap = max_abs_difference(&fit.model.coupling, &exact.model.coupling);
    let field_gap = max_abs_difference(&fit.model.field, &exact.model.field);
    println!("PL vs exact: coupling {coupling_gap:.4}, field {field_gap:.4}");
    assert!(coupling_gap < 0.005, "coupling gap {coupling_gap}");
    assert!(field_gap < 0.005, "field gap {field_gap}");
}

#[test]
fn pseudolikelihood_recovers_planted_couplings() {
    // N = 12, T = 30000 exact samples from a planted model with |J| <= 0.4. The standard
    // error of each coupling is of order 1 / sqrt(T) ~ 0.006; among 66 couplings the largest
    // error stays below 0.04 with a wide margin.
    let n = 12;
    let model = common::random_model(n, 0.3, 0.4, 99);
    let samples = common::sample(&model, 30_000, 100);
    let fit = fit_pseudolikelihood(&samples, n, &PseudoLikelihoodConfig::default()).unwrap();
    let error = max_abs_difference(&fit.model.coupling, &model.coupling);
    println!("PL planted N=12: {error:.4}");
    assert!(error < 0.04, "largest coupling error {error}");
}

#[test]
fn pseudolikelihood_penalty_shrinks_couplings() {
    let n = 6;
    let model = common::random_model(n, 0.3, 0.5, 5);
    let samples = common::sample(&model, 2000, 6);
    let plain = fit_pseudolikelihood(&samples, n, &PseudoLikelihoodConfig::default()).unwrap();
    let config = PseudoLikelihoodConfig {
        l2_penalty: 0.05,
        ..PseudoLikelihoodConfig::default()
    };
    let penalised = fit_pseudolikelihood(&samples, n, &config).unwrap();
    let norm = |j: &[f64]| j.iter().map(|v| v * v).sum::<f64>();
    assert!(norm(&penalised.model.coupling) < norm(&plain.model.coupling));
    assert!(penalised.pseudo_log_likelihood < plain.pseudo_log_likelihood);
}

#[test]
fn pseudolikelihood_rejects_bad_data() {
    let config = PseudoLikelihoodConfig::default();
    assert_eq!(
        fit_pseudolikelihood(&[], 3, &config).unwrap_err(),
        EbmError::EmptySamples
    );
    assert_eq!(
        fit_pseudolikelihood(&[1, -1], 0, &config).unwrap_err(),
        EbmError::ZeroSpins
    );
    assert!(matches!(
        fit_pseudolikelihood(&[1, -1, 1, 1], 3, &config),
        Err(EbmError::SampleLengthMismatch { len: 4, n_spins: 3 })
    ));
    assert!(matches!(
        fit_pseudolikelihood(&[1, 0, 1, -1], 2, &config),
        Err(EbmError::InvalidSpin {
            value: 0,
            position: 1,
            ..
        })
    ));
    // Channel 1 is always +1.
    let constant = [1, 1, -1, 1, 1, 1, -1, 1];
    assert_eq!(
        fit_pseudolikelihood(&constant, 2, &config).unwrap_err(),
        EbmError::ConstantChannel {
            channel: 1,
            value: 1
        }
    );
    // (s_0, s_1) = (+1, -1) never occurs, so J_{0|1} would be infinite.
    let missing = [1, 1, -1, -1, -1, 1, 1, 1];
    assert_eq!(
        fit_pseudolikelihood(&missing, 2, &config).unwrap_err(),
        EbmError::UnobservedPairState {
            first: 0,
            second: 1,
            first_value: 1,
            second_value: -1
        }
    );
    // A penalty makes the same data well posed.
    let penalised = PseudoLikelihoodConfig {
        l2_penalty: 0.01,
        ..config.clone()
    };
    assert!(fit_pseudolikelihood(&missing, 2, &penalised).is_ok());
}

#[test]
fn pseudolikelihood_rejects_bad_weights_and_config() {
    let samples = [1, -1, -1, 1, 1, 1, -1, -1];
    let config = PseudoLikelihoodConfig::default();
    assert_eq!(
        fit_pseudolikelihood_weighted(&samples, &[1.0, 1.0], 2, &config).unwrap_err(),
        EbmError::WeightLengthMismatch {
            len: 2,
            n_samples: 4
        }
    );
    let nan = fit_pseudolikelihood_weighted(&samples, &[1.0, f64::NAN, 1.0, 1.0], 2, &config)
        .unwrap_err();
    assert!(
        matches!(nan, EbmError::InvalidWeight { index: 1, .. }),
        "{nan:?}"
    );
    assert!(matches!(
        fit_pseudolikelihood_weighted(&samples, &[1.0, -1.0, 1.0, 1.0], 2, &config),
        Err(EbmError::InvalidWeight { index: 1, .. })
    ));
    assert!(matches!(
        fit_pseudolikelihood_weighted(&samples, &[0.0; 4], 2, &config),
        Err(EbmError::InvalidWeight { index: 3, .. })
    ));
    for bad in [
        PseudoLikelihoodConfig {
            l2_penalty: f64::NAN,
            ..config.clone()
        },
        PseudoLikelihoodConfig {
            l2_penalty: -1.0,
            ..config.clone()
        },
        PseudoLikelihoodConfig {
            tolerance: 0.0,
            ..config.clone()
        },
        PseudoLikelihoodConfig {
            max_iterations: 0,
            ..config.clone()
        },
    ] {
        assert!(
            matches!(
                fit_pseudolikelihood(&samples, 2, &bad),
                Err(EbmError::InvalidConfig { .. })
            ),
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Mean field
// ---------------------------------------------------------------------------

fn exact_moments(model: &IsingModel) -> Moments {
    let n = model.n_spins();
    let (mean, correlation) = common::moments_of(&common::probabilities(model), n);
    Moments {
        n_spins: n,
        mean,
        correlation,
    }
}

#[test]
fn mean_field_is_exact_to_first_order() {
    // With exact moments of a weakly coupled model, naive mean field errs at second order in
    // J and TAP at third. Halving the couplings must cut the naive error about 4-fold and the
    // TAP error about 8-fold; the asserted factors 3 and 5 leave room for higher orders.
    let n = 8;
    let strong = common::random_model(n, 0.4, 0.08, 17);
    let weak = IsingModel::new(
        strong.field.clone(),
        strong.coupling.iter().map(|j| j / 2.0).collect(),
    )
    .unwrap();
    let mut errors = Vec::new();
    for model in [&strong, &weak] {
        let moments = exact_moments(model);
        let naive = mean_field_from_moments(&moments, MeanFieldMethod::Naive).unwrap();
        let tap = mean_field_from_moments(&moments, MeanFieldMethod::Tap).unwrap();
        errors.push((
            max_abs_difference(&naive.coupling, &model.coupling),
            max_abs_difference(&tap.coupling, &model.coupling),
            max_abs_difference(&naive.field, &model.field),
        ));
    }
    println!("mean field errors {errors:?}");
    let (naive_strong, tap_strong, field_strong) = errors[0];
    let (naive_weak, tap_weak, _) = errors[1];
    // Second order: |J| <= 0.08 gives errors of order 0.08^2 = 6.4e-3.
    assert!(naive_strong < 0.08 * 0.08, "naive error {naive_strong}");
    assert!(
        field_strong < 0.08 * 0.08 * n as f64,
        "field error {field_strong}"
    );
    assert!(
        tap_strong < naive_strong,
        "TAP {tap_strong} vs naive {naive_strong}"
    );
    assert!(
        naive_strong / naive_weak > 3.0,
        "naive {naive_strong} -> {naive_weak}"
    );
    assert!(
        tap_strong / tap_weak > 5.0,
        "TAP {tap_strong} -> {tap_weak}"
    );
}

#[test]
fn mean_field_from_samples_matches_moments() {
    let n = 5;
    let model = common::random_model(n, 0.3, 0.1, 3);
    let samples = common::sample(&model, 4000, 4);
    let (mean, correlation) = common::sample_moments(&samples, n);
    let direct = mean_field_from_moments(
        &Moments {
            n_spins: n,
            mean,
            correlation,
        },
        MeanFieldMethod::Tap,
    )
    .unwrap();
    let fitted = fit_mean_field(&samples, n, MeanFieldMethod::Tap).unwrap();
    assert!(max_abs_difference(&direct.coupling, &fitted.coupling) < 1e-12);
}

#[test]
fn mean_field_rejects_bad_moments() {
    let good = Moments {
        n_spins: 2,
        mean: vec![0.1, -0.2],
        correlation: vec![1.0, 0.3, 0.3, 1.0],
    };
    assert!(mean_field_from_moments(&good, MeanFieldMethod::Naive).is_ok());
    let short = Moments {
        correlation: vec![1.0, 0.3, 0.3],
        ..good.clone()
    };
    assert_eq!(
        mean_field_from_moments(&short, MeanFieldMethod::Naive).unwrap_err(),
        EbmError::MomentShape {
            mean_len: 2,
            correlation_len: 3
        }
    );
    let nan = Moments {
        mean: vec![f64::NAN, 0.0],
        ..good.clone()
    };
    assert!(matches!(
        mean_field_from_moments(&nan, MeanFieldMethod::Tap),
        Err(EbmError::InvalidMoment {
            name: "mean",
            index: 0,
            ..
        })
    ));
    let outside = Moments {
        correlation: vec![1.0, 1.5, 1.5, 1.0],
        ..good.clone()
    };
    assert!(matches!(
        mean_field_from_moments(&outside, MeanFieldMethod::Tap),
        Err(EbmError::InvalidMoment {
            name: "correlation",
            index: 1,
            ..
        })
    ));
    let constant = Moments {
        mean: vec![0.1, -1.0],
        ..good.clone()
    };
    assert_eq!(
        mean_field_from_moments(&constant, MeanFieldMethod::Naive).unwrap_err(),
        EbmError::ConstantChannel {
            channel: 1,
            value: -1
        }
    );
    let empty = Moments {
        n_spins: 0,
        mean: vec![],
        correlation: vec![],
    };
    assert_eq!(
        mean_field_from_moments(&empty, MeanFieldMethod::Naive).unwrap_err(),
        EbmError::ZeroSpins
    );
    // Channel 2 copies channel 0, so C is singular.
    let duplicated = [1, -1, 1, -1, 1, -1, 1, 1, 1, -1, -1, -1];
    assert!(matches!(
        fit_mean_field(&duplicated, 3, MeanFieldMethod::Naive),
        Err(EbmError::SingularCorrelation { channel: 2, .. })
    ));
    assert_eq!(
        fit_mean_field(&[], 3, MeanFieldMethod::Naive).unwrap_err(),
        EbmError::EmptySamples
    );
}

// ---------------------------------------------------------------------------
// Landscape over a searched set
// ---------------------------------------------------------------------------

#[test]
fn sampled_landscape_with_all_states_equals_exact() {
    for (seed, coupling_scale) in [(11, 0.6), (12, 0.9), (13, 1.2)] {
        let n = 10;
        let model = common::random_model(n, 0.3, coupling_scale, seed);
        let data = common::sample(&model, 500, seed + 1);
        let exact = energy_landscape(&model, &data).unwrap();
        let sampled = sampled_energy_landscape(
            &model,
            &data,
            &all_states(n),
            &LandscapeSearchConfig::default(),
        )
        .unwrap();

        let minima: Vec<Vec<i8>> = exact.minima.iter().map(|&x| state_to_spins(x, n)).collect();
        assert!(exact.minima.len() > 1, "seed {seed} has one minimum");
        assert_eq!(sampled.minima, minima, "seed {seed} minima");
        assert_eq!(
            sampled.minima_energy, exact.minima_energy,
            "seed {seed} energies"
        );
        assert_eq!(
            sampled.basin_state_count, exact.basin_state_count,
            "seed {seed} basin states"
        );
        assert_eq!(
            sampled.basin_data_fraction, exact.basin_data_fraction,
            "seed {seed} data fractions"
        );
        assert_eq!(sampled.barrier, exact.barrier, "seed {seed} barriers");
        assert_eq!(sampled.merges, exact.merges, "seed {seed} merges");
        assert_eq!(sampled.searched_states, 1 << n);
        let uniform: Vec<f64> = exact
            .basin_state_count
            .iter()
            .map(|&c| c as f64 / 1024.0)
            .collect();
        assert!(max_abs_difference(&sampled.basin_sample_fraction, &uniform) < 1e-15);
    }
}

#[test]
fn sampled_landscape_from_samples_finds_true_minima() {
    // From a few hundred exact samples of a 12-spin model, every reported minimum is a true
    // local minimum, and the sampled basin fractions estimate the exact basin probabilities
    // within 4 standard errors of a proportion from 800 samples (4 * 0.5 / sqrt(800) = 0.07).
    let n = 12;
    let model = common::random_model(n, 0.2, 0.8, 21);
    let data = common::sample(&model, 300, 22);
    let samples = common::sample(&model, 800, 23);
    let exact = energy_landscape(&model, &all_states(n)).unwrap();
    let sampled =
        sampled_energy_landscape(&model, &data, &samples, &LandscapeSearchConfig::default())
            .unwrap();

    let probability = common::probabilities(&model);
    for (k, minimum) in sampled.minima.iter().enumerate() {
        let index = exact
            .minima
            .iter()
            .position(|&x| state_to_spins(x, n) == *minimum);
        let Some(position) = index else {
            panic!("minimum {k} {minimum:?} is not a true local minimum")
        };
        assert_eq!(sampled.minima_energy[k], exact.minima_energy[position]);
        let basin_probability: f64 = (0..probability.len())
            .filter(|&x| exact.basin_of_state[x] as usize == position)
            .map(|x| probability[x])
            .sum();
        let gap = (sampled.basin_sample_fraction[k] - basin_probability).abs();
        assert!(
            gap < 0.07,
            "minimum {k}: sampled {} vs exact {basin_probability}",
            sampled.basin_sample_fraction[k]
        );
        // A barrier over a subset of paths can only be higher than the exact one.
        for (l, other) in sampled.minima.iter().enumerate() {
            let other_position = exact
                .minima
                .iter()
                .position(|&x| state_to_spins(x, n) == *other)
                .unwrap();
            let exact_barrier = exact.barrier[position * exact.minima.len() + other_position];
            assert!(
                sampled.barrier[k * sampled.minima.len() + l] >= exact_barrier,
                "{k}-{l}"
            );
        }
    }
    let total: f64 = sampled.basin_sample_fraction.iter().sum();
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn sampled_landscape_scales_to_many_spins() {
    // N = 150 with planted block structure: two groups with strong positive couplings inside
    // each group. Descent from random states must end in true local minima.
    let n = 150;
    let mut coupling = vec![0.0; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            let value = if (i < 75) == (j < 75) { 0.05 } else { -0.01 };
            coupling[i * n + j] = value;
            coupling[j * n + i] = value;
        }
    }
    let model = IsingModel::new(vec![0.0; n], coupling).unwrap();
    let mut rng = common::Xorshift::new(5);
    let random: Vec<i8> = (0..200 * n)
        .map(|_| if rng.uniform() < 0.5 { 1 } else { -1 })
        .collect();
    let landscape = sampled_energy_landscape(
        &model,
        &random[..100 * n],
        &random[100 * n..],
        &LandscapeSearchConfig::default(),
    )
    .unwrap();
    assert!(!landscape.minima.is_empty());
    for (k, minimum) in landscape.minima.iter().enumerate() {
        let energy = model.energy(minimum).unwrap();
        assert!((energy - landscape.minima_energy[k]).abs() < 1e-9);
        for i in 0..n {
            let mut flipped = minimum.clone();
            flipped[i] = -flipped[i];
            assert!(
                model.energy(&flipped).unwrap() >= energy - 1e-9,
                "minimum {k} falls by flipping {i}"
            );
        }
    }
    // The two group-aligned states (+ in one group, - in the other, or all equal) dominate.
    assert!(
        landscape.minima.len() <= 4,
        "{} minima",
        landscape.minima.len()
    );
    assert_eq!(
        landscape.merges.len(),
        landscape.minima.len() - 1,
        "bridges connect all minima"
    );
}

#[test]
fn sampled_landscape_rejects_bad_input() {
    let model = IsingModel::independent(vec![0.1, -0.2]).unwrap();
    let config = LandscapeSearchConfig::default();
    assert_eq!(
        sampled_energy_landscape(&model, &[], &[1, 1], &config).unwrap_err(),
        EbmError::EmptySamples
    );
    assert_eq!(
        sampled_energy_landscape(&model, &[1, 1], &[], &config).unwrap_err(),
        EbmError::EmptySamples
    );
    assert!(matches!(
        sampled_energy_landscape(&model, &[1, 1, 1], &[1, 1], &config),
        Err(EbmError::SampleLengthMismatch { len: 3, n_spins: 2 })
    ));
    assert!(matches!(
        sampled_energy_landscape(&model, &[1, 1], &[1, 2], &config),
        Err(EbmError::InvalidSpin { value: 2, .. })
    ));
    let bad_model = IsingModel {
        field: vec![f64::NAN, 0.0],
        coupling: vec![0.0; 4],
    };
    assert!(matches!(
        sampled_energy_landscape(&bad_model, &[1, 1], &[1, 1], &config),
        Err(EbmError::NonFiniteField { index: 0, .. })
    ));
}

#[test]
fn sampled_landscape_of_flat_model_reports_too_many_minima() {
    // With every field and coupling 0 no flip lowers the energy, so each of the 2^16 distinct
    // data states is its own minimum, above the limit of MAX_LANDSCAPE_MINIMA.
    let flat = IsingModel::independent(vec![0.0; 16]).unwrap();
    assert_eq!(
        sampled_energy_landscape(
            &flat,
            &all_states(16),
            &[1; 16],
            &LandscapeSearchConfig::default()
        ),
        Err(EbmError::TooManyMinima {
            minima: 1 << 16,
            max: MAX_LANDSCAPE_MINIMA
        })
    );
}
