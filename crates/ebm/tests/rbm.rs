//! Tests of the restricted Boltzmann machines in `ncm_ebm::rbm` against brute-force
//! enumeration of every visible and hidden state of tiny models: the Bernoulli energy
//! E(v, h) = -b . v - c . h - v^T W h of Hinton 2010 (UTML TR 2010-003) and the
//! Gaussian-Bernoulli energy sum_i (v_i - b_i)^2 / (2 sigma_i^2) - c . h - sum_ij
//! (v_i / sigma_i) W_ij h_j. They need the `flex` feature, which the workspace test build
//! switches on.

#![cfg(feature = "flex")]

mod common;

use burn::tensor::Device;
use common::Xorshift;
use ncm_ebm::rbm::{
    AisConfig, Engine, MAX_WEIGHTS, Rbm, RbmConfig, RbmError, Sigma, TrainConfig, VisibleUnits,
};

/// Random Bernoulli RBM with weights and biases uniform in [-scale, scale).
fn random_rbm(n_visible: usize, n_hidden: usize, scale: f64, seed: u64) -> Rbm {
    random_rbm_with(VisibleUnits::Bernoulli, n_visible, n_hidden, scale, seed)
}

fn random_rbm_with(
    visible: VisibleUnits,
    n_visible: usize,
    n_hidden: usize,
    scale: f64,
    seed: u64,
) -> Rbm {
    let mut rng = Xorshift::new(seed);
    let mut draw = |count: usize| -> Vec<f32> {
        (0..count)
            .map(|_| rng.range(-scale, scale) as f32)
            .collect()
    };
    let weights = draw(n_visible * n_hidden);
    let visible_bias = draw(n_visible);
    let hidden_bias = draw(n_hidden);
    Rbm::from_parameters(
        visible,
        n_visible,
        n_hidden,
        weights,
        visible_bias,
        hidden_bias,
    )
    .unwrap()
}

fn bits(index: usize, n: usize) -> Vec<f64> {
    (0..n).map(|i| ((index >> i) & 1) as f64).collect()
}

fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// -E(v, h) in f64 for either visible type, written out from the energy functions.
fn negative_energy(rbm: &Rbm, v: &[f64], h: &[f64]) -> f64 {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let sigma = rbm.sigma();
    let gaussian = !rbm.visible_units().is_bernoulli();
    let mut total = 0.0;
    for i in 0..nv {
        let b = f64::from(rbm.visible_bias()[i]);
        let s = f64::from(sigma[i]);
        total += if gaussian {
            -(v[i] - b).powi(2) / (2.0 * s * s)
        } else {
            b * v[i]
        };
        for j in 0..nh {
            total += v[i] / s * f64::from(rbm.weights()[i * nh + j]) * h[j];
        }
    }
    for j in 0..nh {
        total += f64::from(rbm.hidden_bias()[j]) * h[j];
    }
    total
}

/// log sum_h exp(-E(v, h)) = -F(v) by enumerating the hidden states.
fn brute_log_marginal(rbm: &Rbm, v: &[f64]) -> f64 {
    let nh = rbm.n_hidden();
    let terms: Vec<f64> = (0..1 << nh)
        .map(|x| negative_energy(rbm, v, &bits(x, nh)))
        .collect();
    log_sum_exp(&terms)
}

/// Exact p(v) of a Bernoulli RBM over all 2^V visible states.
fn exact_visible_distribution(rbm: &Rbm) -> Vec<f64> {
    let nv = rbm.n_visible();
    let log_marginals: Vec<f64> = (0..1 << nv)
        .map(|x| brute_log_marginal(rbm, &bits(x, nv)))
        .collect();
    let log_z = log_sum_exp(&log_marginals);
    log_marginals.iter().map(|l| (l - log_z).exp()).collect()
}

/// Exact log Z of a Bernoulli RBM by the double sum over v and h.
fn brute_log_partition(rbm: &Rbm) -> f64 {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut terms = Vec::new();
    for x in 0..1 << nv {
        for y in 0..1 << nh {
            terms.push(negative_energy(rbm, &bits(x, nv), &bits(y, nh)));
        }
    }
    log_sum_exp(&terms)
}

fn to_f32(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}

fn all_binary_states(n: usize) -> Vec<f32> {
    (0..1 << n).flat_map(|x| to_f32(&bits(x, n))).collect()
}

fn device() -> Device {
    Device::flex()
}

#[test]
fn free_energy_matches_brute_force_bernoulli() {
    let rbm = random_rbm(4, 3, 1.5, 11);
    let mut data = all_binary_states(4);
    data.extend_from_slice(&[0.25, 0.5, 0.75, 1.0]); // probabilities are valid data too
    let free_energy = rbm.free_energy(&data, &device()).unwrap();
    for (row, &got) in data.chunks_exact(4).zip(&free_energy) {
        let v: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
        let want = -brute_log_marginal(&rbm, &v);
        // f32 sums of 4 + 3 softplus terms of size <= 10.
        assert!(
            (f64::from(got) - want).abs() < 1e-4,
            "row {row:?}: {got} vs {want}"
        );
    }
}

#[test]
fn free_energy_matches_brute_force_gaussian() {
    let visible = VisibleUnits::Gaussian(Sigma::PerUnit(vec![0.5, 1.0, 2.0]));
    let rbm = random_rbm_with(visible, 3, 4, 1.0, 12);
    let data = vec![0.3, -1.2, 2.5, 0.0, 0.0, 0.0, -0.7, 1.9, -3.0];
    let free_energy = rbm.free_energy(&data, &device()).unwrap();
    for (row, &got) in data.chunks_exact(3).zip(&free_energy) {
        let v: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
        let want = -brute_log_marginal(&rbm, &v);
        assert!(
            (f64::from(got) - want).abs() < 1e-4,
            "row {row:?}: {got} vs {want}"
        );
    }
}

#[test]
fn exact_pseudo_likelihood_matches_brute_force() {
    let rbm = random_rbm(4, 3, 1.5, 13);
    let data = all_binary_states(4);
    let probability = exact_visible_distribution(&rbm);
    let pseudo = rbm.pseudo_log_likelihood(&data, &device()).unwrap();
    for x in 0..16 {
        // log p(v_i | v_-i) = log p(v) - log(p(v) + p(v with bit i flipped)).
        let want: f64 = (0..4)
            .map(|i| (probability[x] / (probability[x] + probability[x ^ (1 << i)])).ln())
            .sum();
        assert!(
            (f64::from(pseudo[x]) - want).abs() < 1e-4,
            "state {x}: {} vs {want}",
            pseudo[x]
        );
    }
}

#[test]
fn stochastic_pseudo_likelihood_is_one_scaled_term() {
    let rbm = random_rbm(4, 3, 1.5, 14);
    let data = all_binary_states(4);
    let probability = exact_visible_distribution(&rbm);
    let stochastic = rbm
        .pseudo_log_likelihood_stochastic(&data, 5, &device())
        .unwrap();
    for x in 0..16 {
        // scikit-learn's estimate is V log p(v_i | v_-i) for one unit i drawn at random.
        let candidates: Vec<f64> = (0..4)
            .map(|i| 4.0 * (probability[x] / (probability[x] + probability[x ^ (1 << i)])).ln())
            .collect();
        let got = f64::from(stochastic[x]);
        assert!(
            candidates.iter().any(|c| (c - got).abs() < 1e-4),
            "state {x}: {got} is none of {candidates:?}"
        );
    }
    let again = rbm
        .pseudo_log_likelihood_stochastic(&data, 5, &device())
        .unwrap();
    assert_eq!(stochastic, again);
}

#[test]
fn ais_matches_exact_log_partition_bernoulli() {
    let rbm = random_rbm(8, 5, 1.0, 15);
    let exact = brute_log_partition(&rbm);
    let config = AisConfig {
        chains: 200,
        temperatures: 500,
        seed: 3,
        ..AisConfig::default()
    };
    let estimate = rbm.log_partition_ais(&config, &device()).unwrap();
    let error = (estimate.log_partition - exact).abs();
    // Three standard errors, with a floor for the case where the chains agree closely.
    assert!(
        error < (3.0 * estimate.standard_error).max(0.02),
        "AIS {} +- {} vs exact {exact}",
        estimate.log_partition,
        estimate.standard_error
    );
    assert!(
        estimate.standard_error > 0.0 && estimate.standard_error < 0.1,
        "SE {}",
        estimate.standard_error
    );
    assert!(estimate.effective_sample_size > 1.0);
    assert!(estimate.effective_sample_size <= 200.0);
    assert_eq!(estimate.log_weights.len(), 200);
}

#[test]
fn ais_with_base_rate_model_matches_exact() {
    let rbm = random_rbm(8, 5, 1.0, 16);
    let exact = brute_log_partition(&rbm);
    let data = vec![
        1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.5, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0,
    ];
    let base = rbm.base_rate_bias(&data).unwrap();
    // Unit 0 has mean 0.5, so its base-rate bias is log(1) = 0; unit 1 is never on.
    assert!(base[0].abs() < 1e-6);
    assert!((f64::from(base[1]) - (1e-3f64 / (1.0 - 1e-3)).ln()).abs() < 1e-4);
    let config = AisConfig {
        chains: 200,
        temperatures: 500,
        seed: 4,
        base_visible_bias: Some(base),
    };
    let estimate = rbm.log_partition_ais(&config, &device()).unwrap();
    let error = (estimate.log_partition - exact).abs();
    assert!(
        error < (3.0 * estimate.standard_error).max(0.02),
        "AIS {} vs exact {exact}",
        estimate.log_partition
    );
}

/// Exact log Z of a Gaussian-Bernoulli RBM, summing over hidden states after integrating
/// each v_i out of exp(-E) in closed form. With a_i = sum_j W_ij h_j,
/// int exp(-(v - b)^2 / (2 s^2) + v a / s) dv = sqrt(2 pi) s exp(b a / s + a^2 / 2).
fn gaussian_log_partition(rbm: &Rbm) -> f64 {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let sigma = rbm.sigma();
    let terms: Vec<f64> = (0..1 << nh)
        .map(|y| {
            let h = bits(y, nh);
            let mut total: f64 = (0..nh)
                .map(|j| f64::from(rbm.hidden_bias()[j]) * h[j])
                .sum();
            for i in 0..nv {
                let a: f64 = (0..nh)
                    .map(|j| f64::from(rbm.weights()[i * nh + j]) * h[j])
                    .sum();
                let (b, s) = (f64::from(rbm.visible_bias()[i]), f64::from(sigma[i]));
                total +=
                    (2.0 * std::f64::consts::PI).sqrt().ln() + s.ln() + b * a / s + a * a / 2.0;
            }
            total
        })
        .collect();
    log_sum_exp(&terms)
}

#[test]
fn ais_matches_exact_log_partition_gaussian() {
    let visible = VisibleUnits::Gaussian(Sigma::PerUnit(vec![0.5, 1.0, 1.5]));
    let rbm = random_rbm_with(visible, 3, 5, 0.8, 17);
    let exact = gaussian_log_partition(&rbm);
    let config = AisConfig {
        chains: 200,
        temperatures: 500,
        seed: 5,
        ..AisConfig::default()
    };
    let estimate = rbm.log_partition_ais(&config, &device()).unwrap();
    let error = (estimate.log_partition - exact).abs();
    assert!(
        error < (3.0 * estimate.standard_error).max(0.02),
        "AIS {} vs exact {exact}",
        estimate.log_partition
    );
}

/// Exact gradient of the mean log-likelihood of `data`, as (dW, db, dc) concatenated.
fn exact_gradient(rbm: &Rbm, data: &[f32]) -> Vec<f64> {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let hidden_probability = |v: &[f64]| -> Vec<f64> {
        (0..nh)
            .map(|j| {
                let x = f64::from(rbm.hidden_bias()[j])
                    + (0..nv)
                        .map(|i| v[i] * f64::from(rbm.weights()[i * nh + j]))
                        .sum::<f64>();
                1.0 / (1.0 + (-x).exp())
            })
            .collect()
    };
    let statistics = |v: &[f64], weight: f64, out: &mut Vec<f64>| {
        let h = hidden_probability(v);
        for i in 0..nv {
            for j in 0..nh {
                out[i * nh + j] += weight * v[i] * h[j];
            }
        }
        for i in 0..nv {
            out[nv * nh + i] += weight * v[i];
        }
        for j in 0..nh {
            out[nv * nh + nv + j] += weight * h[j];
        }
    };
    let mut gradient = vec![0.0; nv * nh + nv + nh];
    let rows = data.len() / nv;
    for row in data.chunks_exact(nv) {
        let v: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
        statistics(&v, 1.0 / rows as f64, &mut gradient);
    }
    for (x, p) in exact_visible_distribution(rbm).into_iter().enumerate() {
        statistics(&bits(x, nv), -p, &mut gradient);
    }
    gradient
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// Takes one plain gradient step on a single batch and returns
/// (theta_new - theta_old) / learning_rate.
fn cd_gradient(rbm: &Rbm, data: &[f32], gibbs_steps: usize, engine: &Engine) -> Vec<f64> {
    let rows = data.len() / rbm.n_visible();
    let learning_rate = 1e-3;
    let config = TrainConfig {
        learning_rate,
        epochs: 1,
        batch_size: rows,
        gibbs_steps,
        persistent: false,
        momentum: 0.0,
        weight_decay: 0.0,
        seed: 21,
    };
    let trained = rbm.fit(data, &config, engine).unwrap();
    let flatten = |r: &Rbm| -> Vec<f64> {
        r.weights()
            .iter()
            .chain(r.visible_bias())
            .chain(r.hidden_bias())
            .map(|&v| f64::from(v))
            .collect()
    };
    flatten(&trained)
        .iter()
        .zip(flatten(rbm))
        .map(|(new, old)| (new - old) / learning_rate)
        .collect()
}

#[test]
fn cd_gradient_points_along_exact_gradient() {
    let rbm = random_rbm(4, 3, 1.0, 18);
    // Eight distinct patterns, each repeated 1000 times, as one batch.
    let patterns = [
        0b0011usize,
        0b0111,
        0b1100,
        0b1110,
        0b0001,
        0b1000,
        0b1111,
        0b0110,
    ];
    let data: Vec<f32> = (0..1000)
        .flat_map(|_| patterns.iter().flat_map(|&x| to_f32(&bits(x, 4))))
        .collect();
    let exact = exact_gradient(&rbm, &data);
    for engine in [Engine::Host, Engine::Tensor(device())] {
        // With k = 50 the chains of this 4 x 3 model are close to equilibrium, so CD-k is
        // close to the likelihood gradient; 8000 chains leave a Monte Carlo error of a few
        // percent of its norm.
        let estimate = cd_gradient(&rbm, &data, 50, &engine);
        let similarity = cosine(&estimate, &exact);
        assert!(similarity > 0.98, "{engine:?}: cosine {similarity}");
    }
}

#[test]
fn gibbs_sampler_matches_exact_marginal() {
    let rbm = random_rbm(4, 3, 1.5, 19);
    let exact = exact_visible_distribution(&rbm);
    let chains = 20_000;
    let initial = vec![0.0f32; chains * 4];
    let samples = rbm.sample_gibbs(&initial, 30, 7, &device()).unwrap();
    let mut counts = [0usize; 16];
    for row in samples.chunks_exact(4) {
        let index = row
            .iter()
            .enumerate()
            .map(|(i, &v)| (v as usize) << i)
            .sum::<usize>();
        counts[index] += 1;
    }
    let total_variation: f64 = counts
        .iter()
        .zip(&exact)
        .map(|(&c, &p)| (c as f64 / chains as f64 - p).abs())
        .sum::<f64>()
        / 2.0;
    // With 20 000 independent draws over 16 states the expected distance is about 0.01.
    assert!(total_variation < 0.025, "total variation {total_variation}");
}

#[test]
fn gaussian_gibbs_sampler_matches_exact_mean() {
    let visible = VisibleUnits::Gaussian(Sigma::PerUnit(vec![0.5, 1.0]));
    let rbm = random_rbm_with(visible, 2, 3, 1.0, 20);
    let (nv, nh) = (2, 3);
    let sigma = rbm.sigma();
    // p(h) is proportional to exp(c . h + sum_i (b_i a_i / s_i + a_i^2 / 2)) (see the AIS
    // test), and E[v_i | h] = b_i + s_i a_i.
    let mut log_weights = Vec::new();
    let mut means = Vec::new();
    for y in 0..1 << nh {
        let h = bits(y, nh);
        let mut log_weight: f64 = (0..nh)
            .map(|j| f64::from(rbm.hidden_bias()[j]) * h[j])
            .sum();
        let mut mean = Vec::new();
        for i in 0..nv {
            let a: f64 = (0..nh)
                .map(|j| f64::from(rbm.weights()[i * nh + j]) * h[j])
                .sum();
            let (b, s) = (f64::from(rbm.visible_bias()[i]), f64::from(sigma[i]));
            log_weight += b * a / s + a * a / 2.0;
            mean.push(b + s * a);
        }
        log_weights.push(log_weight);
        means.push(mean);
    }
    let log_z = log_sum_exp(&log_weights);
    let chains = 20_000;
    let samples = rbm
        .sample_gibbs(&vec![0.0f32; chains * nv], 30, 8, &device())
        .unwrap();
    for i in 0..nv {
        let want: f64 = log_weights
            .iter()
            .zip(&means)
            .map(|(l, m)| (l - log_z).exp() * m[i])
            .sum();
        let got = samples
            .chunks_exact(nv)
            .map(|row| f64::from(row[i]))
            .sum::<f64>()
            / chains as f64;
        // The marginal standard deviation is below 2, so the standard error is below 0.015.
        assert!((got - want).abs() < 0.05, "unit {i}: {got} vs {want}");
    }
}

fn small_data() -> Vec<f32> {
    let mut rng = Xorshift::new(30);
    (0..40 * 6)
        .map(|_| {
            if rng.uniform() < 0.3 {
                1.0
            } else {
                rng.uniform() as f32 * 0.5
            }
        })
        .collect()
}

fn small_rbm(seed: u64) -> Rbm {
    Rbm::new(&RbmConfig {
        n_visible: 6,
        n_hidden: 5,
        init_std: 0.1,
        seed,
        ..RbmConfig::default()
    })
    .unwrap()
}

#[test]
fn same_seed_gives_identical_weights() {
    let data = small_data();
    for persistent in [false, true] {
        let config = TrainConfig {
            epochs: 3,
            batch_size: 7,
            gibbs_steps: 2,
            persistent,
            ..TrainConfig::default()
        };
        for engine in [Engine::Host, Engine::Tensor(device())] {
            let first = small_rbm(1).fit(&data, &config, &engine).unwrap();
            let second = small_rbm(1).fit(&data, &config, &engine).unwrap();
            assert_eq!(first, second, "{engine:?}, persistent {persistent}");
            let other = small_rbm(1)
                .fit(
                    &data,
                    &TrainConfig {
                        seed: 9,
                        ..config.clone()
                    },
                    &engine,
                )
                .unwrap();
            assert_ne!(first.weights(), other.weights());
        }
    }
    assert_ne!(small_rbm(1).weights(), small_rbm(2).weights());
}

#[test]
fn host_and_tensor_engines_agree() {
    let data = small_data();
    let cases = [
        (VisibleUnits::Bernoulli, false),
        (VisibleUnits::Bernoulli, true),
        (VisibleUnits::Gaussian(Sigma::Unit), false),
        (
            VisibleUnits::Gaussian(Sigma::PerUnit(vec![0.5, 1.0, 1.5, 2.0, 1.0, 0.8])),
            true,
        ),
    ];
    for (visible, persistent) in cases {
        let rbm = Rbm::new(&RbmConfig {
            n_visible: 6,
            n_hidden: 5,
            visible: visible.clone(),
            init_std: 0.1,
            seed: 3,
        })
        .unwrap();
        let config = TrainConfig {
            learning_rate: 0.05,
            epochs: 2,
            batch_size: 8,
            gibbs_steps: 2,
            persistent,
            ..TrainConfig::default()
        };
        let host = rbm.fit(&data, &config, &Engine::Host).unwrap();
        let tensor = rbm.fit(&data, &config, &Engine::Tensor(device())).unwrap();
        let largest_difference = host
            .weights()
            .iter()
            .chain(host.visible_bias())
            .chain(host.hidden_bias())
            .zip(
                tensor
                    .weights()
                    .iter()
                    .chain(tensor.visible_bias())
                    .chain(tensor.hidden_bias()),
            )
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        // Same random numbers; only f32 summation order differs.
        assert!(
            largest_difference < 1e-5,
            "{visible:?}, persistent {persistent}: {largest_difference}"
        );
        assert_ne!(host.weights(), rbm.weights());
    }
}

#[test]
fn bad_data_gives_typed_errors() {
    let rbm = small_rbm(1);
    let dev = device();
    let mut nan = vec![0.5f32; 12];
    nan[7] = f32::NAN;
    assert!(matches!(
        rbm.free_energy(&nan, &dev),
        Err(RbmError::NonFiniteData {
            sample: 1,
            unit: 1,
            ..
        })
    ));
    assert_eq!(
        rbm.free_energy(&[0.5; 7], &dev),
        Err(RbmError::DataLengthMismatch {
            len: 7,
            n_visible: 6
        })
    );
    assert_eq!(
        rbm.free_energy(&[], &dev),
        Err(RbmError::EmptyData { n_visible: 6 })
    );
    let mut outside = vec![0.5f32; 6];
    outside[2] = 1.5;
    assert_eq!(
        rbm.pseudo_log_likelihood(&outside, &dev),
        Err(RbmError::OutOfRangeData {
            sample: 0,
            unit: 2,
            value: 1.5
        })
    );
    outside[2] = -0.25;
    assert!(matches!(
        rbm.fit(&outside, &TrainConfig::default(), &Engine::Host),
        Err(RbmError::OutOfRangeData { .. })
    ));
    assert!(matches!(
        rbm.sample_gibbs(&[0.5; 5], 1, 0, &dev),
        Err(RbmError::DataLengthMismatch { .. })
    ));
    assert!(matches!(
        rbm.hidden_probabilities(&[f32::INFINITY; 6], &dev),
        Err(RbmError::NonFiniteData { .. })
    ));

    let gaussian = Rbm::new(&RbmConfig {
        n_visible: 6,
        visible: VisibleUnits::Gaussian(Sigma::Unit),
        ..RbmConfig::default()
    })
    .unwrap();
    // Gaussian units accept any finite value but have no pseudo-likelihood.
    assert!(
        gaussian
            .free_energy(&[-3.0, 5.0, 0.0, 1.0, 2.0, 9.0], &dev)
            .is_ok()
    );
    assert!(matches!(
        gaussian.pseudo_log_likelihood(&[0.0; 6], &dev),
        Err(RbmError::RequiresBernoulli { .. })
    ));
    assert!(matches!(
        gaussian.pseudo_log_likelihood_stochastic(&[0.0; 6], 0, &dev),
        Err(RbmError::RequiresBernoulli { .. })
    ));
    assert!(matches!(
        gaussian.base_rate_bias(&[0.0; 6]),
        Err(RbmError::RequiresBernoulli { .. })
    ));
}

#[test]
fn bad_model_configs_give_typed_errors() {
    let config = |visible, n_visible, n_hidden, init_std| RbmConfig {
        n_visible,
        n_hidden,
        visible,
        init_std,
        seed: 0,
    };
    assert_eq!(
        Rbm::new(&config(VisibleUnits::Bernoulli, 0, 3, 0.01)),
        Err(RbmError::ZeroUnits { layer: "visible" })
    );
    assert_eq!(
        Rbm::new(&config(VisibleUnits::Bernoulli, 3, 0, 0.01)),
        Err(RbmError::ZeroUnits { layer: "hidden" })
    );
    assert!(matches!(
        Rbm::new(&config(VisibleUnits::Bernoulli, 3, 2, f64::NAN)),
        Err(RbmError::InvalidSetting {
            name: "init_std",
            ..
        })
    ));
    // 2^14 * 2^14 = 2^28 weights is the limit; one more hidden unit exceeds it. The check
    // runs before any allocation, so the limit case is tested through validate only.
    assert_eq!(MAX_WEIGHTS, 1 << 28);
    assert_eq!(
        config(VisibleUnits::Bernoulli, 1 << 14, 1 << 14, 0.01).validate(),
        Ok(())
    );
    assert_eq!(
        Rbm::new(&config(
            VisibleUnits::Bernoulli,
            1 << 14,
            (1 << 14) + 1,
            0.01
        )),
        Err(RbmError::TooManyWeights {
            n_visible: 1 << 14,
            n_hidden: (1 << 14) + 1,
            weights: (1 << 28) + (1 << 14),
            max: 1 << 28
        })
    );
    // The product overflows usize; the check must not wrap around.
    assert!(matches!(
        Rbm::new(&config(VisibleUnits::Bernoulli, usize::MAX, 2, 0.01)),
        Err(RbmError::TooManyWeights { .. })
    ));
    let sigma = |values: Vec<f32>| VisibleUnits::Gaussian(Sigma::PerUnit(values));
    assert_eq!(
        Rbm::new(&config(sigma(vec![1.0, 0.0, 1.0]), 3, 2, 0.01)),
        Err(RbmError::InvalidSigma {
            unit: 1,
            value: 0.0
        })
    );
    assert_eq!(
        Rbm::new(&config(sigma(vec![1.0, 1.0]), 3, 2, 0.01)),
        Err(RbmError::SigmaLengthMismatch {
            len: 2,
            n_visible: 3
        })
    );
    assert_eq!(
        Rbm::from_parameters(
            VisibleUnits::Bernoulli,
            2,
            2,
            vec![0.0; 3],
            vec![0.0; 2],
            vec![0.0; 2]
        ),
        Err(RbmError::ParameterLengthMismatch {
            name: "weights",
            len: 3,
            expected: 4
        })
    );
    assert!(matches!(
        Rbm::from_parameters(
            VisibleUnits::Bernoulli,
            2,
            2,
            vec![0.0; 4],
            vec![0.0, f32::NAN],
            vec![0.0; 2]
        ),
        Err(RbmError::NonFiniteParameter {
            name: "visible_bias",
            index: 1,
            ..
        })
    ));
}

#[test]
fn bad_training_configs_give_typed_errors() {
    let rbm = small_rbm(1);
    let data = small_data();
    let cases: Vec<(&str, TrainConfig)> = vec![
        (
            "learning_rate",
            TrainConfig {
                learning_rate: 0.0,
                ..TrainConfig::default()
            },
        ),
        (
            "learning_rate",
            TrainConfig {
                learning_rate: f64::NAN,
                ..TrainConfig::default()
            },
        ),
        (
            "epochs",
            TrainConfig {
                epochs: 0,
                ..TrainConfig::default()
            },
        ),
        (
            "batch_size",
            TrainConfig {
                batch_size: 0,
                ..TrainConfig::default()
            },
        ),
        (
            "gibbs_steps",
            TrainConfig {
                gibbs_steps: 0,
                ..TrainConfig::default()
            },
        ),
        (
            "momentum",
            TrainConfig {
                momentum: 1.0,
                ..TrainConfig::default()
            },
        ),
        (
            "momentum",
            TrainConfig {
                momentum: -0.1,
                ..TrainConfig::default()
            },
        ),
        (
            "weight_decay",
            TrainConfig {
                weight_decay: -1e-4,
                ..TrainConfig::default()
            },
        ),
    ];
    for (name, config) in cases {
        match rbm.fit(&data, &config, &Engine::Host) {
            Err(RbmError::InvalidSetting { name: got, .. }) => assert_eq!(got, name),
            other => panic!("{name}: expected InvalidSetting, got {other:?}"),
        }
    }

    // small_data() has 40 rows: a batch of 40 is accepted, 41 is not.
    let whole = TrainConfig {
        batch_size: 40,
        epochs: 1,
        ..TrainConfig::default()
    };
    assert!(rbm.fit(&data, &whole, &Engine::Host).is_ok());
    assert_eq!(
        rbm.fit(
            &data,
            &TrainConfig {
                batch_size: 41,
                ..whole
            },
            &Engine::Host
        ),
        Err(RbmError::BatchLargerThanData {
            batch_size: 41,
            n_samples: 40
        })
    );

    let dev = device();
    let ais = |config: AisConfig| rbm.log_partition_ais(&config, &dev);
    assert!(matches!(
        ais(AisConfig {
            chains: 1,
            ..AisConfig::default()
        }),
        Err(RbmError::InvalidSetting { name: "chains", .. })
    ));
    assert!(matches!(
        ais(AisConfig {
            temperatures: 0,
            ..AisConfig::default()
        }),
        Err(RbmError::InvalidSetting {
            name: "temperatures",
            ..
        })
    ));
    assert!(matches!(
        ais(AisConfig {
            base_visible_bias: Some(vec![0.0; 5]),
            ..AisConfig::default()
        }),
        Err(RbmError::ParameterLengthMismatch {
            name: "base_visible_bias",
            len: 5,
            expected: 6
        })
    ));
    assert!(matches!(
        rbm.mean_log_likelihood(&data, f64::NAN, &dev),
        Err(RbmError::NonFiniteParameter {
            name: "log_partition",
            ..
        })
    ));
}

#[test]
fn divergent_training_is_reported() {
    let rbm = Rbm::new(&RbmConfig {
        n_visible: 3,
        n_hidden: 2,
        visible: VisibleUnits::Gaussian(Sigma::Unit),
        init_std: 0.1,
        seed: 0,
    })
    .unwrap();
    let data: Vec<f32> = (0..30).map(|i| (i % 7) as f32 * 1e3).collect();
    let config = TrainConfig {
        learning_rate: 1e3,
        epochs: 20,
        momentum: 0.9,
        ..TrainConfig::default()
    };
    for engine in [Engine::Host, Engine::Tensor(device())] {
        assert!(
            matches!(
                rbm.fit(&data, &config, &engine),
                Err(RbmError::Diverged { .. })
            ),
            "{engine:?}"
        );
    }
}

#[test]
fn training_raises_pseudo_likelihood() {
    // Two prototypes with 5 % of bits flipped: an RBM with a few hidden units learns them.
    let mut rng = Xorshift::new(40);
    let prototypes = [
        [1.0f32, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0],
    ];
    let data: Vec<f32> = (0..400)
        .flat_map(|n| {
            prototypes[n % 2].map(|bit| if rng.uniform() < 0.05 { 1.0 - bit } else { bit })
        })
        .collect();
    let rbm = Rbm::new(&RbmConfig {
        n_visible: 8,
        n_hidden: 4,
        seed: 2,
        ..RbmConfig::default()
    })
    .unwrap();
    let mean =
        |values: Vec<f32>| values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
    let before = mean(rbm.pseudo_log_likelihood(&data, &device()).unwrap());
    let config = TrainConfig {
        epochs: 20,
        ..TrainConfig::default()
    };
    let trained = rbm.fit(&data, &config, &Engine::Host).unwrap();
    let after = mean(trained.pseudo_log_likelihood(&data, &device()).unwrap());
    // Untrained, every unit is a fair coin: 8 ln(1/2) = -5.55. The 5 % noise floor is
    // 8 (0.05 ln 0.05 + 0.95 ln 0.95) = -1.59 per sample.
    assert!((before - 8.0 * 0.5f64.ln()).abs() < 0.05, "before {before}");
    assert!(after > -2.5, "after {after}");
}

#[test]
fn gaussian_training_raises_exact_likelihood() {
    // Two clusters at (1, 1, -1, -1) and (-1, -1, 1, 1) with noise of standard deviation 0.3.
    let mut rng = Xorshift::new(41);
    let mut normal = || {
        let (u, w) = (1.0 - rng.uniform(), rng.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * w).cos()
    };
    let centres = [[1.0, 1.0, -1.0, -1.0], [-1.0, -1.0, 1.0, 1.0]];
    let data: Vec<f32> = (0..400)
        .flat_map(|n| centres[n % 2].map(|c| (c + 0.3 * normal()) as f32))
        .collect();
    let rbm = Rbm::new(&RbmConfig {
        n_visible: 4,
        n_hidden: 3,
        visible: VisibleUnits::Gaussian(Sigma::Unit),
        init_std: 0.1,
        seed: 6,
    })
    .unwrap();
    // Exact mean log density: -mean F(v) - log Z, with F by hidden enumeration.
    let log_likelihood = |model: &Rbm| -> f64 {
        let log_z = gaussian_log_partition(model);
        let total: f64 = data
            .chunks_exact(4)
            .map(|row| {
                let v: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
                brute_log_marginal(model, &v)
            })
            .sum();
        total / 400.0 - log_z
    };
    let config = TrainConfig {
        learning_rate: 0.01,
        epochs: 30,
        ..TrainConfig::default()
    };
    let before = log_likelihood(&rbm);
    let trained = rbm.fit(&data, &config, &Engine::Host).unwrap();
    let after = log_likelihood(&trained);
    // The initial model is close to a unit-variance Gaussian at the origin, which scores
    // -2 ln(2 pi) - E|v|^2 / 2 = -5.86 nats here. An equal mixture of unit-variance Gaussians
    // at the two centres would score ln(1/2) - 2 ln(2 pi) - 4 (0.3^2) / 2 = -4.55.
    assert!(after > before + 1.0, "before {before}, after {after}");
}

#[test]
fn weight_decay_shrinks_weights_by_rate_times_decay() {
    // One full-batch step without momentum: with the same random numbers the gradient is the
    // same, so the two runs differ by exactly -learning_rate * weight_decay * W_old.
    let rbm = small_rbm(5);
    let data = small_data();
    let step = |weight_decay: f64| {
        let config = TrainConfig {
            learning_rate: 0.1,
            epochs: 1,
            batch_size: data.len() / 6,
            momentum: 0.0,
            weight_decay,
            ..TrainConfig::default()
        };
        rbm.fit(&data, &config, &Engine::Host).unwrap()
    };
    let (plain, decayed) = (step(0.0), step(0.5));
    for ((&with, &without), &old) in decayed
        .weights()
        .iter()
        .zip(plain.weights())
        .zip(rbm.weights())
    {
        assert!(
            (with - without + 0.05 * old).abs() < 1e-6,
            "{with} - {without} vs -0.05 * {old}"
        );
    }
    assert_eq!(decayed.visible_bias(), plain.visible_bias());
    assert_eq!(decayed.hidden_bias(), plain.hidden_bias());
}
