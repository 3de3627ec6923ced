//! Properties of ncm-mapping's permutation tests on graphs from ncm-motifs: under the null
//! (scores independent of the reference graph) the node-label permutation p-value is uniform,
//! and the template assignment keeps its level although it picks the best of several
//! templates.

use ncm_mapping::{
    ArcWeights, Direction, Orientation, WeightSign, assign_templates, permutation_test,
};
use ncm_motifs::{DiGraph, erdos_renyi};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Independent standard normal scores for every ordered pair of `n` nodes.
fn null_weights(n: usize, rng: &mut ChaCha8Rng) -> ArcWeights {
    let matrix: Vec<f64> = (0..n * n).map(|_| StandardNormal.sample(rng)).collect();
    ArcWeights::from_matrix(&matrix, n, Orientation::SourceRow, WeightSign::Signed).unwrap()
}

/// Share of `p_values` at or below `alpha`.
fn share_at_most(p_values: &[f64], alpha: f64) -> f64 {
    p_values.iter().filter(|&&p| p <= alpha + 1e-12).count() as f64 / p_values.len() as f64
}

/// Checks that `p_values`, computed with `samples` permutations each, are uniform on the grid
/// k / (samples + 1): at each level alpha on the grid, the share at or below alpha must lie
/// within 4 binomial standard deviations of alpha. Ties between AUROCs can only make the test
/// conservative, and they are rare with continuous scores on dozens of arcs.
fn assert_uniform(p_values: &[f64], samples: usize) -> Result<(), TestCaseError> {
    let replicates = p_values.len() as f64;
    for k in [2, 5, 10, 20, 30] {
        let alpha = k as f64 / (samples + 1) as f64;
        let share = share_at_most(p_values, alpha);
        let sd = (alpha * (1.0 - alpha) / replicates).sqrt();
        prop_assert!(
            (share - alpha).abs() <= 4.0 * sd,
            "P(p <= {alpha:.3}) = {share:.3}, expected {alpha:.3} +- {:.3}",
            4.0 * sd
        );
    }
    Ok(())
}

fn reference(n: usize, arcs: usize, seed: u64) -> DiGraph {
    erdos_renyi(n, arcs, seed).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// With scores drawn independently of the graph, the rank of the observed AUROC among the
    /// permuted ones is uniform, so P(p <= k / (B + 1)) = k / (B + 1).
    #[test]
    fn permutation_p_values_are_uniform_under_the_null(
        n in 7usize..11,
        density in 0.15f64..0.45,
        seed in any::<u64>(),
        undirected in any::<bool>(),
    ) {
        let arcs = ((density * (n * (n - 1)) as f64).round() as usize).max(2);
        let graph = reference(n, arcs, seed);
        let direction = if undirected { Direction::Undirected } else { Direction::Directed };
        let samples = 39;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let p_values: Vec<f64> = (0..300)
            .map(|r| {
                let weights = null_weights(n, &mut rng);
                permutation_test(&weights, &graph, direction, samples, seed.wrapping_add(r))
                    .unwrap()
                    .p_value
            })
            .collect();
        assert_uniform(&p_values, samples)?;
    }

    /// The assignment's max-over-templates p-value is uniform under the null too, although
    /// the best of three templates is reported.
    #[test]
    fn template_p_values_are_uniform_under_the_null(
        n in 7usize..10,
        seed in any::<u64>(),
    ) {
        let templates: Vec<DiGraph> = (0..3)
            .map(|t| reference(n, n + 3 * t, seed.wrapping_add(t as u64)))
            .collect();
        let samples = 39;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xa551);
        let heads: Vec<ArcWeights> = (0..300).map(|_| null_weights(n, &mut rng)).collect();
        let matches =
            assign_templates(&heads, &templates, Direction::Directed, samples, seed).unwrap();
        let p_values: Vec<f64> = matches.iter().map(|m| m.p_value).collect();
        assert_uniform(&p_values, samples)?;
    }
}

/// A test that ignores its input and returns uniform noise would pass the properties above,
/// so this one checks that the same p-values detect a real signal.
#[test]
fn permutation_p_values_detect_a_recovered_graph() {
    let n = 10;
    let graph = reference(n, 25, 3);
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let noise = null_weights(n, &mut rng);
    let mut matrix = vec![0.0; n * n];
    for source in 0..n {
        for target in 0..n {
            let arc = f64::from(u8::from(graph.has_edge(source, target)));
            matrix[source * n + target] = 1.5 * arc + noise.get(source, target);
        }
    }
    let weights =
        ArcWeights::from_matrix(&matrix, n, Orientation::SourceRow, WeightSign::Signed).unwrap();
    let test = permutation_test(&weights, &graph, Direction::Directed, 199, 5).unwrap();
    // Nothing among 199 relabellings reaches the observed AUROC: p is the smallest possible.
    assert!(test.observed > 0.8, "AUROC {}", test.observed);
    assert!(
        (test.p_value - 1.0 / 200.0).abs() < 1e-12,
        "p = {}",
        test.p_value
    );
}
