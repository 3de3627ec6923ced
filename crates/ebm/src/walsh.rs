//! Walsh-Hadamard transforms over the 2^N spin states, used to evaluate the Ising energy
//! E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j of Schneidman et al. 2006 (Nature 440:1007)
//! and its moments <prod_{i in A} s_i> for every subset A at once.
//!
//! Both transforms cost N 2^N additions. The moment transform replaces the 2^N x P products
//! that a direct Hessian of a P-parameter model would need, because every entry of the
//! Hessian is a moment of some subset (s_i^2 = 1 folds products of statistics into
//! symmetric differences of subsets).
//!
//! Index conventions: a state index has bit i set when s_i = +1. A subset index has bit i
//! set when spin i belongs to the subset A.

use rayon::prelude::*;

/// Strides at or above this use a parallel loop inside each butterfly block.
const PARALLEL_STRIDE: usize = 1 << 12;
/// Chunk length for deterministic parallel sums.
const SUM_CHUNK: usize = 1 << 14;

/// Applies one butterfly stage per spin. `butterfly(lo, hi)` gets the entries whose bit i is
/// clear and set.
fn transform_in_place(values: &mut [f64], butterfly: fn(f64, f64) -> (f64, f64)) {
    let len = values.len();
    let mut stride = 1;
    while stride < len {
        let apply = |block: &mut [f64]| {
            let (lo, hi) = block.split_at_mut(stride);
            if stride >= PARALLEL_STRIDE {
                lo.par_iter_mut().zip(hi.par_iter_mut()).for_each(|(a, b)| {
                    (*a, *b) = butterfly(*a, *b);
                });
            } else {
                for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
                    (*a, *b) = butterfly(*a, *b);
                }
            }
        };
        if stride >= PARALLEL_STRIDE {
            values.chunks_mut(2 * stride).for_each(apply);
        } else {
            values.par_chunks_mut(2 * stride).for_each(apply);
        }
        stride *= 2;
    }
}

/// Turns weights over states into sums over states of weight(x) * prod_{i in A} s_i(x) for
/// every subset A. With a probability vector this gives every moment; entry 0 is the total.
pub(crate) fn moments_from_weights(weights: &mut [f64]) {
    // In the pair (s_i = -1, s_i = +1): leaving i out sums both, putting i in takes +1 - (-1).
    transform_in_place(weights, |minus, plus| (minus + plus, plus - minus));
}

/// Turns Walsh coefficients c_A into values f(x) = sum_A c_A prod_{i in A} s_i(x) over states.
pub(crate) fn values_from_coefficients(coefficients: &mut [f64]) {
    transform_in_place(coefficients, |without, with| (without - with, without + with));
}

/// Computes the Ising energy of every state of the model in one transform.
pub(crate) fn all_energies(field: &[f64], coupling: &[f64]) -> Vec<f64> {
    let n = field.len();
    let mut coefficients = vec![0.0; 1usize << n];
    for i in 0..n {
        coefficients[1 << i] = -field[i];
        for j in (i + 1)..n {
            coefficients[(1 << i) | (1 << j)] = -coupling[i * n + j];
        }
    }
    values_from_coefficients(&mut coefficients);
    coefficients
}

/// Sums a slice in fixed-size chunks so the result does not depend on thread scheduling.
pub(crate) fn deterministic_sum(values: &[f64]) -> f64 {
    let partial: Vec<f64> = values.par_chunks(SUM_CHUNK).map(|c| c.iter().sum::<f64>()).collect();
    partial.iter().sum()
}

/// Boltzmann distribution over all states for the given energies.
pub(crate) struct Boltzmann {
    /// P(x) for every state index x.
    pub probability: Vec<f64>,
    /// ln Z, the log partition function.
    pub log_partition_function: f64,
}

/// Computes P(x) = exp(-E(x)) / Z and ln Z, shifting by the lowest energy to avoid overflow.
pub(crate) fn boltzmann(energies: &[f64]) -> Boltzmann {
    let min_energy = energies.par_iter().copied().reduce(|| f64::INFINITY, f64::min);
    let mut probability: Vec<f64> =
        energies.par_iter().map(|&e| (min_energy - e).exp()).collect();
    let shifted_partition_function = deterministic_sum(&probability);
    let inverse = 1.0 / shifted_partition_function;
    probability.par_iter_mut().for_each(|p| *p *= inverse);
    Boltzmann {
        probability,
        log_partition_function: shifted_partition_function.ln() - min_energy,
    }
}

/// Counts how often each state index occurs in validated +-1 samples of `n_spins` columns.
pub(crate) fn state_counts(samples: &[i8], n_spins: usize) -> Vec<u64> {
    let mut counts = vec![0u64; 1usize << n_spins];
    for row in samples.chunks_exact(n_spins) {
        counts[crate::model::spins_to_state(row) as usize] += 1;
    }
    counts
}

/// Index of the subset {i} or {i, j}.
pub(crate) fn pair_mask(i: usize, j: usize) -> usize {
    (1usize << i) | (1usize << j)
}
