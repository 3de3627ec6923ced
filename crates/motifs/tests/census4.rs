//! 4-node census checks: class count, labelling, brute force over all 4-sets, igraph counts.

use std::collections::{BTreeSet, HashSet};

use ncm_motifs::{
    BI_FAN_ARCS, BI_PARALLEL_ARCS, CENSUS4_CLASS_COUNT, DiGraph, MotifError, census4,
    census4_canonical_code, census4_class_index, census4_class_name, census4_class_of_arcs,
    census4_class_of_code, census4_classes_containing, census4_code, census4_triad_content,
    triad_class_index,
};
use proptest::prelude::*;

/// The 24 orderings of four local nodes, written out so the test does not share the
/// library's generator.
fn permutations() -> Vec<[usize; 4]> {
    let mut all = Vec::new();
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                for d in 0..4 {
                    let set: HashSet<usize> = [a, b, c, d].into_iter().collect();
                    if set.len() == 4 {
                        all.push([a, b, c, d]);
                    }
                }
            }
        }
    }
    all
}

/// 16-bit code of a 4-node arc set as a row-major adjacency matrix (bit 4a + b), a layout
/// unrelated to the library's 12-bit code.
fn matrix_code(arcs: &[(usize, usize)], permutation: &[usize; 4]) -> u16 {
    arcs.iter()
        .map(|&(a, b)| 1_u16 << (4 * permutation[a] + permutation[b]))
        .fold(0, |code, bit| code | bit)
}

/// Smallest matrix code over all relabellings: equal exactly for isomorphic arc sets.
fn canonical_matrix_code(arcs: &[(usize, usize)]) -> u16 {
    permutations()
        .iter()
        .map(|permutation| matrix_code(arcs, permutation))
        .min()
        .unwrap()
}

fn weakly_connected(arcs: &[(usize, usize)]) -> bool {
    let mut component = vec![0_usize];
    let mut changed = true;
    while changed {
        changed = false;
        for &(a, b) in arcs {
            for (x, y) in [(a, b), (b, a)] {
                if component.contains(&x) && !component.contains(&y) {
                    component.push(y);
                    changed = true;
                }
            }
        }
    }
    component.len() == 4
}

/// Arcs of the 4-node digraph with matrix code `code`.
fn arcs_of_matrix_code(code: u16) -> Vec<(usize, usize)> {
    (0..16)
        .filter(|bit| code >> bit & 1 == 1)
        .map(|bit| (bit / 4, bit % 4))
        .collect()
}

/// Census by examining every 4-subset, keyed by the canonical matrix code of its class.
fn brute_force_census(node_count: usize, edges: &[(usize, usize)]) -> Vec<(u16, u64)> {
    let arc_set: HashSet<(usize, usize)> = edges.iter().copied().filter(|(u, v)| u != v).collect();
    let mut counts = std::collections::BTreeMap::new();
    for a in 0..node_count {
        for b in a + 1..node_count {
            for c in b + 1..node_count {
                for d in c + 1..node_count {
                    let nodes = [a, b, c, d];
                    let mut local = Vec::new();
                    for i in 0..4 {
                        for j in 0..4 {
                            if i != j && arc_set.contains(&(nodes[i], nodes[j])) {
                                local.push((i, j));
                            }
                        }
                    }
                    if weakly_connected(&local) {
                        *counts.entry(canonical_matrix_code(&local)).or_insert(0) += 1;
                    }
                }
            }
        }
    }
    counts.into_iter().collect()
}

/// Maps each library class to the canonical matrix code of its canonical digraph.
fn matrix_code_of_class(class: usize) -> u16 {
    let code = census4_canonical_code(class).unwrap();
    let arcs = library_code_arcs(code);
    canonical_matrix_code(&arcs)
}

/// Arcs of a library 12-bit code, read through `census4_code` of single arcs.
fn library_code_arcs(code: u16) -> Vec<(usize, usize)> {
    let mut arcs = Vec::new();
    for a in 0..4 {
        for b in (0..4).filter(|&b| b != a) {
            let bit = census4_code(&[(a, b)]).unwrap();
            if code & bit != 0 {
                arcs.push((a, b));
            }
        }
    }
    arcs
}

/// Library census re-keyed by canonical matrix code, zero counts left out.
fn library_census(node_count: usize, edges: &[(usize, usize)]) -> Vec<(u16, u64)> {
    let graph = DiGraph::from_edges(node_count, edges).unwrap();
    let census = census4(&graph);
    let mut keyed: Vec<(u16, u64)> = census
        .counts()
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(class, &count)| (matrix_code_of_class(class), count))
        .collect();
    keyed.sort_unstable();
    keyed
}

#[test]
fn class_count_is_199() {
    // OEIS A003085 lists 199 weakly connected digraphs on 4 unlabelled nodes; this counts
    // them independently of the library by canonicalising all 2^12 arc sets.
    let mut classes = BTreeSet::new();
    for code in 0..1_u32 << 16 {
        let code = code as u16;
        let loops = (0..4).any(|i| code >> (5 * i) & 1 == 1);
        let arcs = arcs_of_matrix_code(code);
        if !loops && weakly_connected(&arcs) {
            classes.insert(canonical_matrix_code(&arcs));
        }
    }
    assert_eq!(classes.len(), 199);
    assert_eq!(CENSUS4_CLASS_COUNT, 199);
}

#[test]
fn every_class_maps_to_a_distinct_isomorphism_class() {
    let keys: BTreeSet<u16> = (0..CENSUS4_CLASS_COUNT).map(matrix_code_of_class).collect();
    assert_eq!(keys.len(), CENSUS4_CLASS_COUNT);
    assert!(census4_canonical_code(CENSUS4_CLASS_COUNT).is_none());
    assert!(census4_class_name(CENSUS4_CLASS_COUNT).is_none());
}

#[test]
fn canonical_codes_ascend_and_name_their_class() {
    for class in 0..CENSUS4_CLASS_COUNT {
        let code = census4_canonical_code(class).unwrap();
        if class > 0 {
            assert!(
                code > census4_canonical_code(class - 1).unwrap(),
                "class {class}"
            );
        }
        assert_eq!(census4_class_of_code(code), Some(class));
        let name = census4_class_name(class).unwrap();
        assert_eq!(name, format!("{code:03X}"));
        assert_eq!(census4_class_index(name), Some(class));
    }
}

#[test]
fn every_relabelling_has_the_same_class() {
    for code in 0..4096_u16 {
        let arcs = library_code_arcs(code);
        let class = census4_class_of_code(code);
        assert_eq!(class.is_some(), weakly_connected(&arcs), "code {code:#05x}");
        for permutation in permutations() {
            let relabelled: Vec<(usize, usize)> = arcs
                .iter()
                .map(|&(a, b)| (permutation[a], permutation[b]))
                .collect();
            let relabelled_code = census4_code(&relabelled).unwrap();
            assert_eq!(
                census4_class_of_code(relabelled_code),
                class,
                "code {code:#05x}"
            );
        }
    }
}

#[test]
fn bi_fan_and_bi_parallel_are_distinct_classes() {
    let bi_fan = census4_class_of_arcs(&BI_FAN_ARCS).unwrap();
    let bi_parallel = census4_class_of_arcs(&BI_PARALLEL_ARCS).unwrap();
    assert_ne!(bi_fan, bi_parallel);
    // A bi-fan drawn with the targets first is the same class.
    assert_eq!(
        census4_class_of_arcs(&[(2, 0), (2, 1), (3, 0), (3, 1)]).unwrap(),
        bi_fan
    );
    // Its triads are two out-stars (021D) and two in-stars (021U); a bi-parallel has the
    // out-star and in-star plus two chains (021C), and no feed-forward loop.
    let fan_triads = census4_triad_content(bi_fan).unwrap();
    assert_eq!(fan_triads[triad_class_index("021D").unwrap()], 2);
    assert_eq!(fan_triads[triad_class_index("021U").unwrap()], 2);
    let parallel_triads = census4_triad_content(bi_parallel).unwrap();
    assert_eq!(parallel_triads[triad_class_index("021C").unwrap()], 2);
    assert_eq!(parallel_triads[triad_class_index("021D").unwrap()], 1);
    assert_eq!(parallel_triads[triad_class_index("021U").unwrap()], 1);
}

#[test]
fn feed_forward_classes_contain_a_030t_triad() {
    let with_loop = census4_classes_containing("030T");
    let triad = triad_class_index("030T").unwrap();
    // A feed-forward loop plus one pendant arc is one of them, the bi-fan is not.
    let loop_with_tail = census4_class_of_arcs(&[(0, 1), (1, 2), (0, 2), (2, 3)]).unwrap();
    assert!(with_loop.contains(&loop_with_tail));
    assert!(!with_loop.contains(&census4_class_of_arcs(&BI_FAN_ARCS).unwrap()));
    for class in 0..CENSUS4_CLASS_COUNT {
        // Independent check: some 3 of the 4 nodes carry exactly a -> b, b -> c, a -> c.
        let arcs = library_code_arcs(census4_canonical_code(class).unwrap());
        let has_loop = (0..4).any(|left_out| {
            let nodes: Vec<usize> = (0..4).filter(|&n| n != left_out).collect();
            let inner: Vec<(usize, usize)> = arcs
                .iter()
                .copied()
                .filter(|(a, b)| nodes.contains(a) && nodes.contains(b))
                .collect();
            inner.len() == 3
                && inner.iter().all(|&(a, b)| !inner.contains(&(b, a)))
                && nodes
                    .iter()
                    .any(|&n| inner.iter().filter(|&&(a, _)| a == n).count() == 2)
                && nodes
                    .iter()
                    .any(|&n| inner.iter().filter(|&&(_, b)| b == n).count() == 2)
        });
        assert_eq!(with_loop.contains(&class), has_loop, "class {class}");
        assert_eq!(census4_triad_content(class).unwrap()[triad] > 0, has_loop);
    }
    assert!(census4_classes_containing("no such triad").is_empty());
}

#[test]
fn pattern_errors_are_typed() {
    assert_eq!(
        census4_class_of_arcs(&[(0, 4)]).unwrap_err(),
        MotifError::InvalidLocalArc {
            arc_source: 0,
            arc_target: 4,
            node_count: 4
        }
    );
    assert!(matches!(
        census4_code(&[(2, 2)]),
        Err(MotifError::InvalidLocalArc { .. })
    ));
    let disconnected = [(0, 1), (2, 3)];
    assert_eq!(
        census4_class_of_arcs(&disconnected).unwrap_err(),
        MotifError::DisconnectedPattern {
            code: census4_code(&disconnected).unwrap()
        }
    );
}

/// Arcs of a fixed graph and its 4-node motif counts from igraph 1.0.0 (python-igraph
/// 1.0.0), obtained with `Graph(n=9, edges=ARCS, directed=True).motifs_randesu(size=4)`:
/// each row is a count and the arcs of `Graph.Isoclass(4, class, directed=True)`, for the
/// 37 isoclasses with a non-zero count. igraph's counts total 58.
const ARCS: [(usize, usize); 21] = [
    (0, 3),
    (0, 4),
    (0, 6),
    (1, 5),
    (1, 6),
    (2, 1),
    (2, 4),
    (2, 7),
    (3, 0),
    (3, 2),
    (3, 4),
    (3, 7),
    (4, 1),
    (4, 3),
    (4, 5),
    (4, 8),
    (5, 4),
    (6, 1),
    (6, 8),
    (7, 2),
    (8, 4),
];

#[rustfmt::skip]
const IGRAPH_COUNTS: [(u64, &[(usize, usize)]); 37] = [
    (2, &[(0, 1), (3, 0), (2, 0), (1, 0)]),
    (1, &[(2, 1), (3, 0), (2, 0)]),
    (2, &[(2, 1), (0, 1), (3, 0), (1, 0)]),
    (1, &[(2, 1), (0, 1), (3, 0), (2, 0)]),
    (3, &[(0, 2), (0, 1), (3, 0), (1, 0)]),
    (2, &[(0, 2), (0, 1), (3, 0), (2, 0), (1, 0)]),
    (1, &[(0, 2), (2, 1), (3, 0)]),
    (2, &[(0, 2), (2, 1), (3, 0), (2, 0)]),
    (1, &[(0, 2), (2, 1), (0, 1), (3, 0), (1, 0)]),
    (1, &[(0, 2), (3, 1), (2, 0), (1, 0)]),
    (1, &[(0, 2), (3, 1), (3, 0), (2, 0)]),
    (1, &[(0, 2), (3, 1), (3, 0), (2, 0), (1, 0)]),
    (1, &[(0, 2), (3, 1), (0, 1), (2, 0)]),
    (2, &[(0, 2), (3, 1), (0, 1), (2, 0), (1, 0)]),
    (1, &[(0, 2), (3, 1), (0, 1), (3, 0), (1, 0)]),
    (1, &[(0, 2), (3, 1), (0, 1), (3, 0), (2, 0)]),
    (2, &[(1, 2), (0, 2), (3, 1), (3, 0), (2, 0)]),
    (1, &[(1, 2), (0, 2), (3, 1), (0, 1), (3, 0), (2, 0)]),
    (1, &[(0, 3), (0, 2), (0, 1), (2, 0), (1, 0)]),
    (1, &[(0, 3), (0, 2), (0, 1), (3, 0), (2, 0), (1, 0)]),
    (4, &[(0, 3), (0, 2), (2, 1), (2, 0)]),
    (3, &[(0, 3), (0, 2), (2, 1), (3, 0)]),
    (2, &[(0, 3), (0, 2), (2, 1), (3, 0), (2, 0)]),
    (2, &[(0, 3), (0, 2), (2, 1), (3, 0), (2, 0), (1, 0)]),
    (1, &[(0, 3), (0, 2), (2, 1), (0, 1), (2, 0), (1, 0)]),
    (1, &[(0, 3), (0, 2), (2, 1), (0, 1), (3, 0)]),
    (2, &[(0, 3), (0, 2), (2, 1), (0, 1), (3, 0), (1, 0)]),
    (1, &[(0, 3), (0, 2), (3, 1), (2, 1), (0, 1), (2, 0), (1, 0)]),
    (5, &[(0, 3), (1, 2), (2, 1), (3, 0), (1, 0)]),
    (1, &[(0, 3), (1, 2), (2, 1), (0, 1), (2, 0), (1, 0)]),
    (1, &[(0, 3), (1, 2), (2, 1), (0, 1), (3, 0), (2, 0)]),
    (2, &[(0, 3), (1, 2), (2, 1), (0, 1), (3, 0), (2, 0), (1, 0)]),
    (1, &[(0, 3), (1, 2), (3, 1), (2, 1), (3, 0), (2, 0)]),
    (1, &[(0, 3), (1, 2), (0, 2), (2, 1), (0, 1), (1, 0)]),
    (1, &[(0, 3), (1, 2), (0, 2), (2, 1), (0, 1), (3, 0)]),
    (1, &[(0, 3), (1, 2), (0, 2), (3, 1), (3, 0), (1, 0)]),
    (1, &[(0, 3), (3, 2), (1, 2), (3, 1), (2, 1), (3, 0), (1, 0)]),
];

#[test]
fn census4_matches_igraph_motifs_randesu() {
    let mut expected: Vec<(u16, u64)> = IGRAPH_COUNTS
        .iter()
        .map(|&(count, arcs)| (canonical_matrix_code(arcs), count))
        .collect();
    expected.sort_unstable();
    assert_eq!(library_census(9, &ARCS), expected);

    let graph = DiGraph::from_edges(9, &ARCS).unwrap();
    assert_eq!(census4(&graph).total(), 58);
}

#[test]
fn census4_of_small_graphs_is_exact() {
    let empty = DiGraph::from_edges(10, &[]).unwrap();
    assert_eq!(census4(&empty).total(), 0);
    let none = DiGraph::from_edges(0, &[]).unwrap();
    assert_eq!(census4(&none).total(), 0);

    // A directed 4-cycle has one connected 4-set.
    let cycle = DiGraph::from_edges(4, &[(0, 1), (1, 2), (2, 3), (3, 0)]).unwrap();
    let census = census4(&cycle);
    let cycle_class = census4_class_of_arcs(&[(0, 1), (1, 2), (2, 3), (3, 0)]).unwrap();
    assert_eq!(census.counts()[cycle_class], 1);
    assert_eq!(census.total(), 1);

    // An out-star with k leaves has C(k, 3) connected 4-sets, all out-stars.
    let star: Vec<(usize, usize)> = (1..=7).map(|leaf| (0, leaf)).collect();
    let census = census4(&DiGraph::from_edges(8, &star).unwrap());
    let star_class = census4_class_of_arcs(&[(0, 1), (0, 2), (0, 3)]).unwrap();
    assert_eq!(census.counts()[star_class], 35);
    assert_eq!(census.total(), 35);
}

#[test]
fn census4_is_thread_count_independent() {
    let edges: Vec<(usize, usize)> = (0..200).map(|i| (i * 7 % 60, (i * 13 + 5) % 60)).collect();
    let graph = DiGraph::from_edges(60, &edges).unwrap();
    let parallel = census4(&graph);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = pool.install(|| census4(&graph));
    assert_eq!(parallel, serial);
}

#[test]
fn census4_serialises_non_zero_counts_by_name() {
    let graph = DiGraph::from_edges(4, &BI_FAN_ARCS).unwrap();
    let census = census4(&graph);
    let json = serde_json::to_value(&census).unwrap();
    let name = census4_class_name(census4_class_of_arcs(&BI_FAN_ARCS).unwrap()).unwrap();
    assert_eq!(json["counts"][name], 1);
    assert_eq!(json["counts"].as_object().unwrap().len(), 1);
    assert_eq!(census.count(name), Some(1));
    assert_eq!(census.count("XYZ"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn census4_equals_brute_force(
        node_count in 4_usize..13,
        raw_edges in prop::collection::vec((0_usize..13, 0_usize..13), 0..60),
    ) {
        let edges: Vec<(usize, usize)> = raw_edges
            .into_iter()
            .map(|(u, v)| (u % node_count, v % node_count))
            .collect();
        prop_assert_eq!(library_census(node_count, &edges), brute_force_census(node_count, &edges));
    }
}
