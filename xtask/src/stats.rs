//! Rank correlation between two symmetric region-by-region matrices, with a Mantel test.
//!
//! Written by hand because both are a few dozen lines over matrices of at most 20 regions,
//! which does not justify a statistics dependency in the runner.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Largest number of regions for which every permutation is enumerated (8! = 40320).
const EXACT_PERMUTATION_MAX_REGIONS: usize = 8;

/// Spearman correlation of two symmetric n x n matrices over the pairs i < j, with its
/// two-sided Mantel permutation p-value.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct MantelTest {
    /// Spearman rank correlation over the n(n-1)/2 region pairs.
    pub rho: f64,
    /// Fraction of region relabellings whose |rho| is at least the observed |rho|.
    pub p_value: f64,
    /// Number of relabellings compared (all n! of them when n <= 8).
    pub permutations: usize,
}

/// Runs a Mantel test between `a` and `b` (row-major n x n, symmetric). The region labels of
/// `b` are permuted, rows and columns together, because pairs that share a region are not
/// independent. Returns `None` when the correlation is undefined (see [`spearman`]).
pub fn mantel_spearman(
    a: &[f64],
    b: &[f64],
    n: usize,
    random_permutations: usize,
    seed: u64,
) -> Option<MantelTest> {
    let upper = |matrix: &[f64], order: &[usize]| -> Vec<f64> {
        let mut values = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n {
            for j in i + 1..n {
                values.push(matrix[order[i] * n + order[j]]);
            }
        }
        values
    };
    let identity: Vec<usize> = (0..n).collect();
    let a_pairs = upper(a, &identity);
    let rho = spearman(&a_pairs, &upper(b, &identity))?;

    let orders = permutations(n, random_permutations, seed);
    let at_least = orders
        .iter()
        .filter(|order| {
            spearman(&a_pairs, &upper(b, order)).is_some_and(|r| r.abs() >= rho.abs() - 1e-12)
        })
        .count();
    Some(MantelTest {
        rho,
        p_value: at_least as f64 / orders.len() as f64,
        permutations: orders.len(),
    })
}

/// Runs the same test as [`mantel_spearman`] with the same relabellings, in time linear in
/// the pairs per relabelling rather than a sort. It needs `b` symmetric: relabelling the
/// regions then only moves the pair values of `b` among the pairs, so the midranks of the
/// relabelled pairs are the relabelled midranks. Returns `None` when `b` is not symmetric, a
/// size is wrong or the correlation is undefined.
pub fn mantel_spearman_symmetric(
    a: &[f64],
    b: &[f64],
    n: usize,
    random_permutations: usize,
    seed: u64,
) -> Option<MantelTest> {
    if n < 3 || a.len() != n * n || b.len() != n * n {
        return None;
    }
    if (0..n).any(|i| (0..i).any(|j| b[i * n + j] != b[j * n + i])) {
        return None;
    }
    let upper = |matrix: &[f64]| -> Vec<f64> {
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| matrix[i * n + j]))
            .collect()
    };
    let (a_pairs, b_pairs) = (upper(a), upper(b));
    let rho = spearman(&a_pairs, &b_pairs)?;

    // Both rank vectors hold the same multiset under every relabelling, so their means and
    // norms are fixed and only the cross product changes.
    let centred = |ranks: Vec<f64>| -> Vec<f64> {
        let mean = ranks.iter().sum::<f64>() / ranks.len() as f64;
        ranks.iter().map(|r| r - mean).collect()
    };
    let a_ranks = centred(average_ranks(&a_pairs));
    let b_ranks = centred(average_ranks(&b_pairs));
    let norm = (a_ranks.iter().map(|r| r * r).sum::<f64>()
        * b_ranks.iter().map(|r| r * r).sum::<f64>())
    .sqrt();
    let mut b_rank_matrix = vec![0.0; n * n];
    let mut index = 0;
    for i in 0..n {
        for j in i + 1..n {
            b_rank_matrix[i * n + j] = b_ranks[index];
            b_rank_matrix[j * n + i] = b_ranks[index];
            index += 1;
        }
    }

    let orders = permutations(n, random_permutations, seed);
    let at_least = orders
        .iter()
        .filter(|order| {
            let mut index = 0;
            let mut cross = 0.0;
            for i in 0..n {
                for j in i + 1..n {
                    cross += a_ranks[index] * b_rank_matrix[order[i] * n + order[j]];
                    index += 1;
                }
            }
            (cross / norm).abs() >= rho.abs() - 1e-12
        })
        .count();
    Some(MantelTest {
        rho,
        p_value: at_least as f64 / orders.len() as f64,
        permutations: orders.len(),
    })
}

/// Lists every permutation of 0..n when n is small, otherwise the identity and seeded random
/// ones.
fn permutations(n: usize, random_permutations: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut orders = vec![(0..n).collect::<Vec<usize>>()];
    if n <= EXACT_PERMUTATION_MAX_REGIONS {
        // Heap's algorithm, iterative form.
        let mut order: Vec<usize> = (0..n).collect();
        let mut counters = vec![0; n];
        let mut i = 0;
        while i < n {
            if counters[i] < i {
                let swap_with = if i % 2 == 0 { 0 } else { counters[i] };
                order.swap(swap_with, i);
                orders.push(order.clone());
                counters[i] += 1;
                i = 0;
            } else {
                counters[i] = 0;
                i += 1;
            }
        }
        return orders;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..random_permutations {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        orders.push(order);
    }
    orders
}

/// Returns the Spearman rank correlation of `x` and `y`, with tied values given their average
/// rank, or `None` when the inputs differ in length, have fewer than three pairs, contain a
/// non-finite value or one of them is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 3 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks are 1-based; a tie group spanning positions start..end shares their mean.
        let rank = (start + end + 1) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = rank;
        }
        start = end;
    }
    ranks
}

/// Returns the Pearson correlation of `x` and `y`, or `None` when they differ in length, have
/// fewer than two values, or one of them is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mean_x) * (b - mean_y);
        sxx += (a - mean_x) * (a - mean_x);
        syy += (b - mean_y) * (b - mean_y);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::{mantel_spearman, mantel_spearman_symmetric, permutations, spearman};

    #[test]
    fn permutations_of_four_are_all_distinct() {
        let mut orders = permutations(4, 0, 0);
        assert_eq!(orders.len(), 24);
        orders.sort();
        orders.dedup();
        assert_eq!(orders.len(), 24);
    }

    #[test]
    fn mantel_of_matrix_with_itself() {
        // 5 regions with distinct pair values: only relabellings that map every pair onto a
        // pair of equal rank reach |rho| = 1, which for distinct values is the identity
        // alone, so p = 1/120 exactly.
        let n = 5;
        let mut matrix = vec![0.0; n * n];
        let mut value = 1.0;
        for i in 0..n {
            for j in i + 1..n {
                value *= 1.7;
                matrix[i * n + j] = value;
                matrix[j * n + i] = value;
            }
        }
        let test = mantel_spearman(&matrix, &matrix, n, 0, 0).unwrap();
        assert!((test.rho - 1.0).abs() < 1e-12);
        assert_eq!(test.permutations, 120);
        assert!(
            (test.p_value - 1.0 / 120.0).abs() < 1e-12,
            "p = {}",
            test.p_value
        );
    }

    #[test]
    fn symmetric_mantel_equals_sorting_mantel() {
        // 12 regions (random relabellings) and 6 regions (all relabellings), with tied pair
        // values in both matrices. `a` is not symmetric, but both tests read only its upper
        // triangle.
        for n in [12usize, 6] {
            let (mut a, mut b) = (vec![0.0; n * n], vec![0.0; n * n]);
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] = ((i * 7 + j * 3) % 5) as f64 + 0.1 * (i % 2) as f64;
                    b[i * n + j] = ((i + j) % 4) as f64 + ((i * j) % 3) as f64;
                }
            }
            let slow = mantel_spearman(&a, &b, n, 500, 9).unwrap();
            let fast = mantel_spearman_symmetric(&a, &b, n, 500, 9).unwrap();
            assert_eq!(fast.permutations, slow.permutations);
            assert!((fast.rho - slow.rho).abs() < 1e-12);
            assert_eq!(fast.p_value, slow.p_value, "n = {n}");
        }
        let mut asymmetric = vec![1.0; 16];
        asymmetric[1] = 2.0;
        assert!(mantel_spearman_symmetric(&[0.5; 16], &asymmetric, 4, 10, 0).is_none());
    }

    #[test]
    fn spearman_with_ties_matches_scipy() {
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic (scipy 1.x)
        // = 0.8207826816681233, which is 8 / sqrt(95) from the average ranks.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert!((rho - 0.8207826816681233).abs() < 1e-12, "rho = {rho}");
    }

    #[test]
    fn spearman_of_reversed_order_is_minus_one() {
        let rho = spearman(&[0.1, 0.5, 0.9, 2.0], &[9.0, 3.0, 1.0, -4.0]).unwrap();
        assert!((rho + 1.0).abs() < 1e-12);
    }

    #[test]
    fn spearman_rejects_degenerate_input() {
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[1.0, 2.0]), None);
    }
}
