//! Checks of the Erdős–Rényi and sign-preserving null models and of signed graphs.

use std::collections::HashMap;

use ncm_motifs::{
    DiGraph, MotifError, NullModel, Sign, SignedDiGraph, erdos_renyi, randomise, randomise_signed,
};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_signed_graph(node_count: usize, arc_count: usize, seed: u64) -> SignedDiGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut signs = HashMap::new();
    for _ in 0..arc_count {
        let arc = (
            rng.random_range(0..node_count),
            rng.random_range(0..node_count),
        );
        // About one arc in five is inhibitory, as in many cortical and C. elegans estimates.
        let sign = if rng.random_bool(0.2) {
            Sign::Inhibitory
        } else {
            Sign::Excitatory
        };
        signs.entry(arc).or_insert(sign);
    }
    let edges: Vec<(usize, usize, Sign)> = signs
        .into_iter()
        .map(|((s, t), sign)| (s, t, sign))
        .collect();
    SignedDiGraph::from_signed_edges(node_count, &edges).unwrap()
}

/// Excitatory out, excitatory in, inhibitory out, inhibitory in degree of every node.
fn signed_degrees(graph: &SignedDiGraph) -> Vec<[usize; 4]> {
    (0..graph.node_count())
        .map(|v| {
            [
                graph.excitatory().out_degree(v),
                graph.excitatory().in_degree(v),
                graph.inhibitory().out_degree(v),
                graph.inhibitory().in_degree(v),
            ]
        })
        .collect()
}

proptest! {
    #[test]
    fn erdos_renyi_keeps_node_and_arc_counts(
        node_count in 0_usize..30,
        fraction in 0.0_f64..=1.0,
        seed in any::<u64>(),
    ) {
        let slots = node_count * node_count.saturating_sub(1);
        let arc_count = (fraction * slots as f64).round() as usize;
        let graph = erdos_renyi(node_count, arc_count, seed).unwrap();
        prop_assert_eq!(graph.node_count(), node_count);
        prop_assert_eq!(graph.edge_count(), arc_count);
        prop_assert!(graph.edges().all(|(s, t)| s != t && t < node_count));
    }

    #[test]
    fn sign_preserving_keeps_signed_degrees(
        node_count in 2_usize..25,
        arc_count in 0_usize..120,
        graph_seed in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let graph = random_signed_graph(node_count, arc_count, graph_seed);
        let random = randomise_signed(&graph, 5.0, seed).unwrap();
        prop_assert_eq!(signed_degrees(&random), signed_degrees(&graph));
        prop_assert_eq!(
            random.graph().edge_count(),
            random.excitatory().edge_count() + random.inhibitory().edge_count()
        );
    }
}

#[test]
fn erdos_renyi_null_keeps_counts_of_the_graph() {
    let graph = erdos_renyi(50, 300, 1).unwrap();
    let random = randomise(&graph, NullModel::ErdosRenyi, 10.0, 2).unwrap();
    assert_eq!(random.node_count(), 50);
    assert_eq!(random.edge_count(), 300);
    assert_ne!(random, graph);
    assert_eq!(
        randomise(&graph, NullModel::ErdosRenyi, 10.0, 2).unwrap(),
        random
    );
}

#[test]
fn erdos_renyi_is_uniform_over_arc_sets() {
    // On 3 nodes there are C(6, 3) = 20 sets of 3 arcs, each expected 4000 / 20 = 200 times.
    // With sd = sqrt(200 * 0.95) ≈ 13.8, the bounds 140..260 sit more than 4 sd away.
    // The second case draws 4 of 6 arcs, which runs the complement path.
    for arc_count in [3, 4] {
        let mut seen: HashMap<Vec<(usize, usize)>, usize> = HashMap::new();
        for seed in 0..4000 {
            let graph = erdos_renyi(3, arc_count, seed).unwrap();
            *seen.entry(graph.edges().collect()).or_default() += 1;
        }
        let expected_sets = if arc_count == 3 { 20 } else { 15 };
        assert_eq!(seen.len(), expected_sets, "{arc_count} arcs");
        let mean = 4000 / expected_sets;
        for (arcs, &count) in &seen {
            let low = mean * 7 / 10;
            let high = mean * 13 / 10;
            assert!((low..high).contains(&count), "{arcs:?} drawn {count} times");
        }
    }
}

#[test]
fn erdos_renyi_rejects_too_many_arcs() {
    assert_eq!(
        erdos_renyi(4, 13, 0).unwrap_err(),
        MotifError::TooManyArcs {
            arc_count: 13,
            node_count: 4,
            max_arc_count: 12
        }
    );
    assert!(matches!(
        erdos_renyi(1, 1, 0),
        Err(MotifError::TooManyArcs { .. })
    ));
    assert_eq!(erdos_renyi(4, 12, 0).unwrap().edge_count(), 12);
}

#[test]
fn sign_preserving_needs_a_signed_graph() {
    let graph = DiGraph::from_edges(3, &[(0, 1), (1, 2)]).unwrap();
    assert_eq!(
        randomise(&graph, NullModel::SignPreserving, 10.0, 0).unwrap_err(),
        MotifError::SignsRequired {
            model: "sign-preserving"
        }
    );
}

#[test]
fn sign_preserving_moves_arcs_and_repeats() {
    let graph = random_signed_graph(60, 400, 3);
    let first = randomise_signed(&graph, 10.0, 4).unwrap();
    assert_eq!(randomise_signed(&graph, 10.0, 4).unwrap(), first);
    let kept = graph
        .excitatory()
        .edges()
        .filter(|&(s, t)| first.excitatory().has_edge(s, t))
        .count();
    assert!(
        kept * 4 < graph.excitatory().edge_count(),
        "{kept} arcs kept"
    );
    assert!(matches!(
        randomise_signed(&graph, f64::NAN, 0),
        Err(MotifError::InvalidSwitchesPerEdge { .. })
    ));
}

#[test]
fn signed_graph_rejects_bad_input() {
    let conflict = [(0, 1, Sign::Excitatory), (0, 1, Sign::Inhibitory)];
    assert_eq!(
        SignedDiGraph::from_signed_edges(2, &conflict).unwrap_err(),
        MotifError::ConflictingSign {
            edge_source: 0,
            edge_target: 1
        }
    );
    assert!(matches!(
        SignedDiGraph::from_signed_edges(2, &[(0, 2, Sign::Excitatory)]),
        Err(MotifError::NodeOutOfRange { node: 2, .. })
    ));
    let excitatory = DiGraph::from_edges(3, &[(0, 1)]).unwrap();
    let inhibitory = DiGraph::from_edges(4, &[(2, 3)]).unwrap();
    assert_eq!(
        SignedDiGraph::from_parts(excitatory, inhibitory).unwrap_err(),
        MotifError::NodeCountMismatch {
            excitatory: 3,
            inhibitory: 4
        }
    );
}

#[test]
fn signed_graph_reports_signs_and_union() {
    let edges = [
        (0, 1, Sign::Excitatory),
        (1, 2, Sign::Inhibitory),
        (1, 2, Sign::Inhibitory),
        (2, 2, Sign::Excitatory),
    ];
    let graph = SignedDiGraph::from_signed_edges(3, &edges).unwrap();
    assert_eq!(graph.sign(0, 1), Some(Sign::Excitatory));
    assert_eq!(graph.sign(1, 2), Some(Sign::Inhibitory));
    assert_eq!(graph.sign(2, 1), None);
    assert_eq!(
        graph.graph().edges().collect::<Vec<_>>(),
        vec![(0, 1), (1, 2)]
    );
}
