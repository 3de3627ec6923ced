//! Null-model checks: degree and mutual-degree preservation, reproducibility, mixing.

use std::collections::HashSet;

use ncm_motifs::null::{MAX_ATTEMPTS_PER_SWITCH, SwitchStats, randomise_with_stats};
use ncm_motifs::{DiGraph, MotifError, NullModel, randomise};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const MODELS: [NullModel; 2] = [NullModel::DegreePreserving, NullModel::MutualPreserving];

/// Random digraph with about `arc_count` single arcs and `pair_count` mutual pairs.
fn random_graph(node_count: usize, arc_count: usize, pair_count: usize, seed: u64) -> DiGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut edges = Vec::new();
    for _ in 0..arc_count {
        edges.push((
            rng.random_range(0..node_count),
            rng.random_range(0..node_count),
        ));
    }
    for _ in 0..pair_count {
        let (u, v) = (
            rng.random_range(0..node_count),
            rng.random_range(0..node_count),
        );
        edges.extend([(u, v), (v, u)]);
    }
    DiGraph::from_edges(node_count, &edges).unwrap()
}

fn degrees(graph: &DiGraph) -> Vec<(usize, usize, usize)> {
    (0..graph.node_count())
        .map(|v| {
            (
                graph.out_degree(v),
                graph.in_degree(v),
                graph.mutual_degree(v),
            )
        })
        .collect()
}

fn graph_and_seed() -> impl Strategy<Value = (DiGraph, u64)> {
    (
        2_usize..20,
        0_usize..60,
        0_usize..15,
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(n, arcs, pairs, graph_seed, switch_seed)| {
            (random_graph(n, arcs, pairs, graph_seed), switch_seed)
        })
}

proptest! {
    #[test]
    fn degree_preserving_keeps_degrees((graph, seed) in graph_and_seed()) {
        let random = randomise(&graph, NullModel::DegreePreserving, 5.0, seed).unwrap();
        prop_assert_eq!(random.edge_count(), graph.edge_count());
        for v in 0..graph.node_count() {
            prop_assert_eq!(random.out_degree(v), graph.out_degree(v), "out-degree of {}", v);
            prop_assert_eq!(random.in_degree(v), graph.in_degree(v), "in-degree of {}", v);
        }
    }

    #[test]
    fn mutual_preserving_keeps_mutual_degrees((graph, seed) in graph_and_seed()) {
        let random = randomise(&graph, NullModel::MutualPreserving, 5.0, seed).unwrap();
        prop_assert_eq!(random.edge_count(), graph.edge_count());
        prop_assert_eq!(random.mutual_edge_count(), graph.mutual_edge_count());
        // Equal (out, in, mutual) degrees imply equal single in- and out-degrees too.
        prop_assert_eq!(degrees(&random), degrees(&graph));
    }
}

#[test]
fn randomise_same_seed_same_graph() {
    let graph = random_graph(100, 400, 40, 1);
    for model in MODELS {
        let first = randomise(&graph, model, 10.0, 42).unwrap();
        let second = randomise(&graph, model, 10.0, 42).unwrap();
        let other_seed = randomise(&graph, model, 10.0, 43).unwrap();
        assert_eq!(first, second, "{model:?}");
        assert_ne!(first, other_seed, "{model:?}");
    }
}

#[test]
fn randomise_moves_most_arcs() {
    let graph = random_graph(200, 1000, 100, 2);
    let original: HashSet<(usize, usize)> = graph.edges().collect();
    for model in MODELS {
        let (random, stats) = randomise_with_stats(&graph, model, 10.0, 7).unwrap();
        let kept = random.edges().filter(|arc| original.contains(arc)).count();
        let kept_fraction = kept as f64 / graph.edge_count() as f64;
        assert!(
            kept_fraction < 0.2,
            "{model:?} kept {kept_fraction:.3} of the arcs"
        );
        assert_eq!(stats.accepted, stats.target, "{model:?}: {stats:?}");
    }
}

#[test]
fn switch_target_counts_units() {
    let graph = random_graph(200, 1000, 100, 3);
    let singles = graph.edge_count() - 2 * graph.mutual_edge_count();
    let units = singles + graph.mutual_edge_count();

    let (_, degree) = randomise_with_stats(&graph, NullModel::DegreePreserving, 2.5, 0).unwrap();
    let (_, mutual) = randomise_with_stats(&graph, NullModel::MutualPreserving, 2.5, 0).unwrap();
    assert_eq!(
        degree.target,
        (2.5 * graph.edge_count() as f64).ceil() as u64
    );
    assert_eq!(mutual.target, (2.5 * units as f64).ceil() as u64);
    assert!(degree.attempts >= degree.accepted);
}

#[test]
fn complete_graph_stops_at_attempt_cap() {
    let edges: Vec<(usize, usize)> = (0..5)
        .flat_map(|u| (0..5).map(move |v| (u, v)))
        .filter(|(u, v)| u != v)
        .collect();
    let graph = DiGraph::from_edges(5, &edges).unwrap();
    let expected_targets = [20, 10]; // 20 arcs, or 10 mutual pairs and no single arcs
    for (model, expected_target) in MODELS.into_iter().zip(expected_targets) {
        let (random, stats) = randomise_with_stats(&graph, model, 1.0, 0).unwrap();
        assert_eq!(stats.target, expected_target, "{model:?}");
        assert_eq!(random, graph, "{model:?}");
        assert_eq!(stats.accepted, 0, "{model:?}");
        assert_eq!(
            stats.attempts,
            stats.target * MAX_ATTEMPTS_PER_SWITCH,
            "{model:?}"
        );
    }
}

#[test]
fn graph_without_switchable_pairs_is_unchanged() {
    let graph = DiGraph::from_edges(3, &[(0, 1)]).unwrap();
    for model in MODELS {
        let (random, stats) = randomise_with_stats(&graph, model, 10.0, 0).unwrap();
        assert_eq!(random, graph, "{model:?}");
        assert_eq!(
            stats,
            SwitchStats {
                target: 10,
                attempts: 0,
                accepted: 0
            },
            "{model:?}"
        );
    }
}

#[test]
fn randomise_rejects_bad_switches_per_edge() {
    let graph = random_graph(10, 20, 0, 4);
    for value in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = randomise(&graph, NullModel::DegreePreserving, value, 0).unwrap_err();
        assert!(
            matches!(error, MotifError::InvalidSwitchesPerEdge { .. }),
            "switches_per_edge = {value}: {error:?}"
        );
    }
}

#[test]
fn randomise_rejects_huge_switch_target() {
    let graph = random_graph(10, 20, 0, 5);
    let error = randomise(&graph, NullModel::DegreePreserving, 1e300, 0).unwrap_err();
    assert!(
        matches!(error, MotifError::TooManySwitches { .. }),
        "{error:?}"
    );
}
