//! Tests of Gibbs sampling and Boltzmann learning (Ackley, Hinton and Sejnowski 1985, Cogn.
//! Sci. 9:147) of the pairwise maximum-entropy model on the flex CPU device, against exact
//! enumeration, the exact maximum-likelihood fit and planted couplings. They need the `flex`
//! feature, which the workspace test build switches on.

#![cfg(feature = "flex")]

mod common;

use burn::tensor::Device;
use ncm_ebm::{
    BoltzmannConfig, EbmError, ExactFitConfig, GibbsConfig, IsingModel, MeanFieldMethod,
    PseudoLikelihoodConfig, fit_boltzmann, fit_exact, fit_mean_field, fit_pseudolikelihood,
    gibbs_sample,
};

fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0, |acc, (x, y)| acc.max((x - y).abs()))
}

#[test]
fn gibbs_moments_match_enumeration() {
    // 512 chains x 40 draws 5 sweeps apart; correlated draws make the effective sample
    // smaller than 20480, so the tolerance is 0.04, about 5 standard errors of 1/sqrt(20480).
    let n = 8;
    let model = common::random_model(n, 0.5, 0.5, 61);
    let config = GibbsConfig {
        chains: 512,
        burn_in_sweeps: 50,
        samples_per_chain: 40,
        sweeps_between_samples: 5,
        seed: 1,
    };
    let samples = gibbs_sample(&model, &config, &Device::flex()).unwrap();
    assert_eq!(samples.len(), 512 * 40 * n);
    let (mean, pair) = common::sample_moments(&samples, n);
    let (exact_mean, exact_pair) = common::moments_of(&common::probabilities(&model), n);
    let gap = max_abs_difference(&mean, &exact_mean).max(max_abs_difference(&pair, &exact_pair));
    println!("Gibbs moment gap {gap:.4}");
    assert!(gap < 0.04, "moment gap {gap}");
}

#[test]
fn gibbs_is_reproducible_for_a_seed() {
    let model = common::random_model(5, 0.5, 0.5, 2);
    let config = GibbsConfig {
        chains: 16,
        burn_in_sweeps: 3,
        samples_per_chain: 2,
        sweeps_between_samples: 1,
        seed: 9,
    };
    let first = gibbs_sample(&model, &config, &Device::flex()).unwrap();
    let second = gibbs_sample(&model, &config, &Device::flex()).unwrap();
    assert_eq!(first, second);
    let other = gibbs_sample(&model, &GibbsConfig { seed: 10, ..config }, &Device::flex()).unwrap();
    assert_ne!(first, other);
}

#[test]
fn boltzmann_learning_approaches_exact_fit() {
    // N = 8 and 4000 exact samples. The exact maximum-likelihood fit is the target; Boltzmann
    // learning from naive mean field (0.074 away in J) reaches it up to Monte Carlo noise,
    // which averaging 200 iterates of 2000 chains brings below 0.01 (measured 0.007 for J and
    // 0.004 for h at this seed). The learning rate 0.2 is four times the default, which is
    // sized for strongly correlated data with many spins; this weakly coupled model is stable
    // with it.
    let n = 8;
    let model = common::random_model(n, 0.4, 0.4, 31);
    let samples = common::sample(&model, 4000, 32);
    let exact = fit_exact(&samples, n, &ExactFitConfig::default()).unwrap();
    let start = fit_mean_field(&samples, n, MeanFieldMethod::Naive).unwrap();
    let config = BoltzmannConfig {
        chains: 2000,
        iterations: 400,
        learning_rate: 0.2,
        seed: 3,
        ..BoltzmannConfig::default()
    };
    let fit = fit_boltzmann(&samples, n, &start, &config, &Device::flex()).unwrap();
    let start_gap = max_abs_difference(&start.coupling, &exact.model.coupling);
    let coupling_gap = max_abs_difference(&fit.model.coupling, &exact.model.coupling);
    let field_gap = max_abs_difference(&fit.model.field, &exact.model.field);
    println!(
        "Boltzmann vs exact: start {start_gap:.4}, coupling {coupling_gap:.4}, field {field_gap:.4}"
    );
    assert!(coupling_gap < 0.02, "coupling gap {coupling_gap}");
    assert!(field_gap < 0.02, "field gap {field_gap}");
    assert_eq!(fit.moment_error.len(), 400);

    // Against the planted couplings, the sampling error of T = 4000 samples dominates: the
    // exact fit is itself that far from them, and Boltzmann learning adds at most its 0.02
    // gap to the exact fit.
    let planted_gap = max_abs_difference(&fit.model.coupling, &model.coupling);
    let exact_planted_gap = max_abs_difference(&exact.model.coupling, &model.coupling);
    println!("vs planted: Boltzmann {planted_gap:.4}, exact {exact_planted_gap:.4}");
    assert!(
        planted_gap < exact_planted_gap + 0.02,
        "planted gap {planted_gap}"
    );
}

#[test]
fn pseudolikelihood_recovers_planted_couplings_at_n60() {
    // A sparse planted model on 60 spins (each spin coupled to 4 neighbours on a ring with
    // J = 0.3, fields 0.1), sampled by long Gibbs runs: 400 chains x 25 draws 20 sweeps apart
    // after 200 burn-in sweeps (10000 samples). The standard error of a coupling at T = 10^4
    // is about 0.015, so the tolerance on the largest error over 1770 couplings is 0.08.
    let n = 60;
    let mut coupling = vec![0.0; n * n];
    for i in 0..n {
        for step in [1, 2] {
            let j = (i + step) % n;
            coupling[i * n + j] = 0.3;
            coupling[j * n + i] = 0.3;
        }
    }
    let model = IsingModel::new(vec![0.1; n], coupling).unwrap();
    let config = GibbsConfig {
        chains: 400,
        burn_in_sweeps: 200,
        samples_per_chain: 25,
        sweeps_between_samples: 20,
        seed: 4,
    };
    let samples = gibbs_sample(&model, &config, &Device::flex()).unwrap();
    let fit = fit_pseudolikelihood(&samples, n, &PseudoLikelihoodConfig::default()).unwrap();
    let error = max_abs_difference(&fit.model.coupling, &model.coupling);
    println!("PL planted N=60: {error:.4}");
    assert!(error < 0.08, "largest coupling error {error}");
}

#[test]
fn boltzmann_and_gibbs_reject_bad_input() {
    let device = Device::flex();
    let model = IsingModel::independent(vec![0.1, -0.1]).unwrap();
    let samples = [1, -1, -1, 1, 1, 1];
    let config = BoltzmannConfig::default();
    for bad in [
        BoltzmannConfig {
            learning_rate: f64::NAN,
            ..config.clone()
        },
        BoltzmannConfig {
            learning_rate: 0.0,
            ..config.clone()
        },
        BoltzmannConfig {
            decay_iterations: -1.0,
            ..config.clone()
        },
        BoltzmannConfig {
            averaging_start: 1.0,
            ..config.clone()
        },
        BoltzmannConfig {
            l2_penalty: f64::INFINITY,
            ..config.clone()
        },
        BoltzmannConfig {
            chains: 0,
            ..config.clone()
        },
        BoltzmannConfig {
            iterations: 0,
            ..config.clone()
        },
    ] {
        assert!(
            matches!(
                fit_boltzmann(&samples, 2, &model, &bad, &device),
                Err(EbmError::InvalidConfig { .. })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        fit_boltzmann(
            &samples,
            2,
            &IsingModel::independent(vec![0.0; 3]).unwrap(),
            &config,
            &device
        )
        .unwrap_err(),
        EbmError::SpinCountMismatch {
            n_spins: 2,
            model_spins: 3
        }
    );
    assert_eq!(
        fit_boltzmann(&[], 2, &model, &config, &device).unwrap_err(),
        EbmError::EmptySamples
    );
    assert!(matches!(
        fit_boltzmann(&[1, -1, 1], 2, &model, &config, &device),
        Err(EbmError::SampleLengthMismatch { len: 3, n_spins: 2 })
    ));
    let diverging = BoltzmannConfig {
        learning_rate: 1e308,
        iterations: 5,
        chains: 8,
        ..config
    };
    assert!(matches!(
        fit_boltzmann(&samples, 2, &model, &diverging, &device),
        Err(EbmError::BoltzmannDiverged { .. })
    ));
    let gibbs = GibbsConfig {
        chains: 0,
        ..GibbsConfig::default()
    };
    assert!(matches!(
        gibbs_sample(&model, &gibbs, &device),
        Err(EbmError::InvalidConfig { name: "chains", .. })
    ));
    let bad_model = IsingModel {
        field: vec![0.0, f64::INFINITY],
        coupling: vec![0.0; 4],
    };
    assert!(matches!(
        gibbs_sample(&bad_model, &GibbsConfig::default(), &device),
        Err(EbmError::NonFiniteField { index: 1, .. })
    ));
}
