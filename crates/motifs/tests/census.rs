//! Triad census checks: brute force over all triples, networkx reference counts, edge cases.

use std::collections::{HashMap, HashSet};

use ncm_motifs::{
    DiGraph, MotifError, TRIAD_CLASSES, triad_census, triad_class_index, triple_count,
};
use proptest::prelude::*;

/// One representative arc list per class, written from the class definitions over nodes
/// A = 0, B = 1, C = 2, in the order of `TRIAD_CLASSES`.
const REPRESENTATIVES: [&[(usize, usize)]; 16] = [
    &[],                                               // 003: empty
    &[(0, 1)],                                         // 012: A -> B
    &[(0, 1), (1, 0)],                                 // 102: A <-> B
    &[(1, 0), (1, 2)],                                 // 021D: A <- B -> C
    &[(0, 1), (2, 1)],                                 // 021U: A -> B <- C
    &[(0, 1), (1, 2)],                                 // 021C: A -> B -> C
    &[(0, 1), (1, 0), (2, 1)],                         // 111D: A <-> B <- C
    &[(0, 1), (1, 0), (1, 2)],                         // 111U: A <-> B -> C
    &[(0, 1), (1, 2), (0, 2)],                         // 030T: A -> B -> C, A -> C
    &[(0, 1), (1, 2), (2, 0)],                         // 030C: A -> B -> C -> A
    &[(0, 1), (1, 0), (1, 2), (2, 1)],                 // 201: A <-> B <-> C
    &[(1, 0), (1, 2), (0, 2), (2, 0)],                 // 120D: A <- B -> C, A <-> C
    &[(0, 1), (2, 1), (0, 2), (2, 0)],                 // 120U: A -> B <- C, A <-> C
    &[(0, 1), (1, 2), (0, 2), (2, 0)],                 // 120C: A -> B -> C, A <-> C
    &[(0, 1), (1, 2), (2, 1), (0, 2), (2, 0)],         // 210: A -> B <-> C, A <-> C
    &[(0, 1), (1, 0), (1, 2), (2, 1), (0, 2), (2, 0)], // 300: complete
];

const PERMUTATIONS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

/// Smallest 9-bit adjacency-matrix code of a 3-node arc set over all node relabellings,
/// which is the same for exactly the isomorphic arc sets.
fn canonical_code(arcs: &[(usize, usize)]) -> u16 {
    PERMUTATIONS
        .iter()
        .map(|p| arcs.iter().map(|&(a, b)| 1_u16 << (3 * p[a] + p[b])).sum())
        .min()
        .unwrap()
}

fn class_by_canonical_code() -> HashMap<u16, usize> {
    REPRESENTATIVES
        .iter()
        .enumerate()
        .map(|(class, arcs)| (canonical_code(arcs), class))
        .collect()
}

/// Counts triads by examining every triple; independent of the library's classification.
fn brute_force_census(node_count: usize, edges: &[(usize, usize)]) -> [u64; 16] {
    let classes = class_by_canonical_code();
    let arc_set: HashSet<(usize, usize)> = edges.iter().copied().filter(|(u, v)| u != v).collect();
    let mut counts = [0_u64; 16];
    for i in 0..node_count {
        for j in i + 1..node_count {
            for k in j + 1..node_count {
                let nodes = [i, j, k];
                let mut local_arcs = Vec::new();
                for a in 0..3 {
                    for b in 0..3 {
                        if a != b && arc_set.contains(&(nodes[a], nodes[b])) {
                            local_arcs.push((a, b));
                        }
                    }
                }
                counts[classes[&canonical_code(&local_arcs)]] += 1;
            }
        }
    }
    counts
}

fn graph_with_edges() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
    (1_usize..=12).prop_flat_map(|n| (Just(n), prop::collection::vec((0..n, 0..n), 0..80)))
}

#[test]
fn representatives_are_pairwise_non_isomorphic() {
    assert_eq!(class_by_canonical_code().len(), 16);
}

#[test]
fn representatives_cover_all_arc_sets() {
    let classes = class_by_canonical_code();
    for code in 0_u16..64 {
        let arcs: Vec<(usize, usize)> = [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)]
            .into_iter()
            .enumerate()
            .filter(|(bit, _)| code >> bit & 1 == 1)
            .map(|(_, arc)| arc)
            .collect();
        assert!(
            classes.contains_key(&canonical_code(&arcs)),
            "arc set {arcs:?} has no class"
        );
    }
}

#[test]
fn census_of_each_representative() {
    for (class, arcs) in REPRESENTATIVES.iter().enumerate() {
        let census = triad_census(&DiGraph::from_edges(3, arcs).unwrap()).unwrap();
        let mut expected = [0_u64; 16];
        expected[class] = 1;
        assert_eq!(census.counts(), &expected, "class {}", TRIAD_CLASSES[class]);
    }
}

proptest! {
    #[test]
    fn census_matches_brute_force((n, edges) in graph_with_edges()) {
        let census = triad_census(&DiGraph::from_edges(n, &edges).unwrap()).unwrap();
        prop_assert_eq!(census.counts(), &brute_force_census(n, &edges));
        prop_assert_eq!(census.total(), triple_count(n).unwrap());
    }
}

/// Edge list and counts from networkx 3.6.1:
/// `nx.triadic_census(G)` on a `nx.DiGraph` with nodes `range(12)` and these edges.
/// All 16 classes occur.
#[test]
fn census_matches_networkx_small() {
    let edges = [
        (0, 2),
        (0, 3),
        (0, 5),
        (0, 8),
        (1, 7),
        (1, 10),
        (2, 5),
        (2, 9),
        (2, 10),
        (2, 11),
        (3, 7),
        (4, 2),
        (4, 3),
        (4, 7),
        (5, 0),
        (5, 2),
        (5, 8),
        (5, 9),
        (5, 11),
        (6, 0),
        (7, 0),
        (7, 1),
        (7, 11),
        (8, 0),
        (8, 4),
        (8, 5),
        (8, 6),
        (8, 9),
        (8, 10),
        (9, 1),
        (9, 8),
        (10, 1),
        (11, 0),
        (11, 1),
        (11, 3),
        (11, 6),
        (11, 8),
    ];
    let networkx = [37, 62, 22, 16, 8, 26, 13, 15, 5, 3, 3, 1, 2, 4, 2, 1];

    let census = triad_census(&DiGraph::from_edges(12, &edges).unwrap()).unwrap();
    assert_eq!(census.counts(), &networkx);
}

/// Arcs of a 300-node graph drawn by the linear congruential generator
/// `x <- (1103515245 x + 12345) mod 2^31`, starting from 2024: each draw pair gives the arc
/// `((x1 >> 8) % 300, (x2 >> 8) % 300)`, and self-loops are skipped.
fn lcg_edges(node_count: usize, draws: usize) -> Vec<(usize, usize)> {
    let mut x: u64 = 2024;
    let mut step = || {
        x = (x * 1_103_515_245 + 12_345) % (1 << 31);
        (x >> 8) as usize % node_count
    };
    (0..draws)
        .map(|_| (step(), step()))
        .filter(|(u, v)| u != v)
        .collect()
}

/// Counts from networkx 3.6.1, `nx.triadic_census` on the graph of `lcg_edges(300, 3000)`
/// built with the same generator in Python (2951 distinct arcs, 47 mutual pairs).
#[test]
fn census_matches_networkx_lcg() {
    let networkx = [
        3_644_426, 744_914, 12_263, 12_623, 12_676, 25_306, 846, 809, 854, 311, 16, 17, 13, 26, 0,
        0,
    ];

    let graph = DiGraph::from_edges(300, &lcg_edges(300, 3000)).unwrap();
    assert_eq!(graph.edge_count(), 2951);
    assert_eq!(graph.mutual_edge_count(), 47);
    assert_eq!(triad_census(&graph).unwrap().counts(), &networkx);
}

#[test]
fn census_same_on_one_thread() {
    let graph = DiGraph::from_edges(300, &lcg_edges(300, 3000)).unwrap();
    let parallel = triad_census(&graph).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = pool.install(|| triad_census(&graph)).unwrap();
    assert_eq!(parallel, serial);
}

#[test]
fn census_of_tiny_graphs() {
    for n in 0..3 {
        let census = triad_census(&DiGraph::from_edges(n, &[]).unwrap()).unwrap();
        assert_eq!(census.counts(), &[0; 16], "n = {n}");
    }
    let empty = triad_census(&DiGraph::from_edges(10, &[]).unwrap()).unwrap();
    assert_eq!(empty.count("003"), Some(120));
    assert_eq!(empty.total(), 120);
}

#[test]
fn census_accessors_by_name() {
    let census = triad_census(&DiGraph::from_edges(3, &[(0, 1), (1, 2), (0, 2)]).unwrap()).unwrap();
    assert_eq!(census.count("030T"), Some(1));
    assert_eq!(census.count("030C"), Some(0));
    assert_eq!(census.count("999"), None);
    assert_eq!(triad_class_index("300"), Some(15));
    assert_eq!(census.iter().count(), 16);
    assert_eq!(census.node_count(), 3);
}

#[test]
fn census_serialises_class_map() {
    let census = triad_census(&DiGraph::from_edges(3, &[(0, 1)]).unwrap()).unwrap();
    let json = serde_json::to_value(&census).unwrap();
    assert_eq!(json["node_count"], 3);
    assert_eq!(json["counts"]["012"], 1);
    assert_eq!(json["counts"]["003"], 0);
}

#[test]
fn triple_count_limits() {
    assert_eq!(triple_count(3), Some(1));
    assert_eq!(triple_count(1_000_000), Some(166_666_166_667_000_000));
    assert!(triple_count(4_700_000).is_some());
    assert_eq!(triple_count(4_900_000), None);
}

#[test]
fn census_rejects_too_many_nodes() {
    let graph = DiGraph::from_edges(4_900_000, &[]).unwrap();
    let error = triad_census(&graph).unwrap_err();
    let MotifError::TooManyNodes {
        node_count,
        max_node_count,
    } = error
    else {
        panic!("expected TooManyNodes, got {error:?}");
    };
    assert_eq!(node_count, 4_900_000);
    assert!(triple_count(max_node_count).is_some());
    assert_eq!(triple_count(max_node_count + 1), None);
}
