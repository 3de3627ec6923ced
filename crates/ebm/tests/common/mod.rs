//! Shared test helpers for the Ising model E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j of
//! Schneidman et al. 2006 (Nature 440:1007): a seeded generator, random models, exact
//! sampling by inverse CDF over all 2^N states and brute-force moments.

#![allow(dead_code)]

use ncm_ebm::{IsingModel, state_to_spins};

/// xorshift64* generator, so the tests need no extra dependency.
pub struct Xorshift(u64);

impl Xorshift {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [low, high).
    pub fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }
}

/// Random model with fields in [-field_scale, field_scale) and couplings in
/// [-coupling_scale, coupling_scale).
pub fn random_model(n: usize, field_scale: f64, coupling_scale: f64, seed: u64) -> IsingModel {
    let mut rng = Xorshift::new(seed);
    let field: Vec<f64> = (0..n).map(|_| rng.range(-field_scale, field_scale)).collect();
    let mut coupling = vec![0.0; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            let value = rng.range(-coupling_scale, coupling_scale);
            coupling[i * n + j] = value;
            coupling[j * n + i] = value;
        }
    }
    IsingModel::new(field, coupling).expect("random model is valid")
}

/// Exact Boltzmann probabilities of every state, by direct energy evaluation.
pub fn probabilities(model: &IsingModel) -> Vec<f64> {
    let n_states = 1u32 << model.n_spins();
    let energies: Vec<f64> =
        (0..n_states).map(|x| model.energy_of_index(x).expect("index in range")).collect();
    let min = energies.iter().copied().fold(f64::INFINITY, f64::min);
    let weights: Vec<f64> = energies.iter().map(|e| (min - e).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// Draws `count` independent samples by inverse CDF over all states, row-major.
pub fn sample(model: &IsingModel, count: usize, seed: u64) -> Vec<i8> {
    let n = model.n_spins();
    let probability = probabilities(model);
    let mut cdf = Vec::with_capacity(probability.len());
    let mut total = 0.0;
    for p in &probability {
        total += p;
        cdf.push(total);
    }
    let mut rng = Xorshift::new(seed);
    let mut samples = Vec::with_capacity(count * n);
    for _ in 0..count {
        let u = rng.uniform() * total;
        let state = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1);
        samples.extend(state_to_spins(state as u32, n));
    }
    samples
}

/// Means <s_i> and pairwise moments <s_i s_j> (N x N) under a distribution over states.
pub fn moments_of(probability: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; n];
    let mut pair = vec![0.0; n * n];
    for (x, &p) in probability.iter().enumerate() {
        let spins = state_to_spins(x as u32, n);
        for i in 0..n {
            mean[i] += p * f64::from(spins[i]);
            for j in 0..n {
                pair[i * n + j] += p * f64::from(spins[i] * spins[j]);
            }
        }
    }
    (mean, pair)
}

/// Means and pairwise moments of row-major samples.
pub fn sample_moments(samples: &[i8], n: usize) -> (Vec<f64>, Vec<f64>) {
    let rows = samples.len() / n;
    let mut mean = vec![0.0; n];
    let mut pair = vec![0.0; n * n];
    for row in samples.chunks_exact(n) {
        for i in 0..n {
            mean[i] += f64::from(row[i]);
            for j in 0..n {
                pair[i * n + j] += f64::from(row[i] * row[j]);
            }
        }
    }
    mean.iter_mut().chain(pair.iter_mut()).for_each(|v| *v /= rows as f64);
    (mean, pair)
}

/// Builds samples holding each state index `counts[x]` times.
pub fn samples_from_counts(counts: &[usize], n: usize) -> Vec<i8> {
    let mut samples = Vec::new();
    for (x, &c) in counts.iter().enumerate() {
        for _ in 0..c {
            samples.extend(state_to_spins(x as u32, n));
        }
    }
    samples
}
