//! Invariants of the 4-node census and the newer null models across crates. Edge lists read
//! by ncm-data, which renumbers the nodes, give the same census as the original numbering.
//! The significance functions keep the observed census under every null model.

use std::io::Write;

use ncm_data::SynapseKind;
use ncm_motifs::{
    DiGraph, NullConfig, NullModel, Sign, SignedDiGraph, census4, census4_significance,
    triad_census, triad_significance,
};
use proptest::prelude::*;

/// Writes `edges` as a comma-separated edge list whose node names are the reversed ids, so the
/// reader's first-appearance numbering differs from the original one.
fn read_back(edges: &[(usize, usize)]) -> DiGraph {
    let path = std::env::temp_dir().join(format!(
        "ncm-motif-census-{}-{}.csv",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let mut out = std::fs::File::create(&path).unwrap();
    for (pre, post) in edges.iter().rev() {
        writeln!(out, "cell{pre},cell{post},2,chemical").unwrap();
    }
    drop(out);
    let connectome = ncm_data::read_edge_list(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let pairs = connectome.directed_pairs(SynapseKind::Chemical);
    DiGraph::from_edges(connectome.node_count(), &pairs).unwrap()
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn edge_sets() -> impl Strategy<Value = Vec<(usize, usize)>> {
    proptest::collection::vec((0usize..20, 0usize..20), 1..80)
}

/// Builds the graph on the nodes named in `edges`, numbered in ascending id order (the
/// edge-list reader numbers them by first appearance instead).
fn compact(edges: &[(usize, usize)]) -> DiGraph {
    let arcs: Vec<(usize, usize)> = edges.iter().copied().filter(|(a, b)| a != b).collect();
    let mut ids = std::collections::BTreeSet::new();
    for &(a, b) in edges {
        ids.insert(a);
        ids.insert(b);
    }
    let index = |node: usize| ids.iter().position(|&id| id == node).unwrap();
    let renumbered: Vec<(usize, usize)> = arcs.iter().map(|&(a, b)| (index(a), index(b))).collect();
    DiGraph::from_edges(ids.len(), &renumbered).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn census_ignores_node_numbering(edges in edge_sets()) {
        let original = compact(&edges);
        let read = read_back(&edges);
        prop_assert_eq!(read.edge_count(), original.edge_count());
        prop_assert_eq!(census4(&read), census4(&original));
        prop_assert_eq!(triad_census(&read).unwrap(), triad_census(&original).unwrap());
    }

    #[test]
    fn significance_keeps_observed_census(edges in edge_sets(), seed in any::<u64>()) {
        let graph = read_back(&edges);
        let observed = census4(&graph);
        for model in [NullModel::ErdosRenyi, NullModel::MutualPreserving] {
            let config = NullConfig { model, samples: 3, switches_per_edge: 2.0, seed };
            let result = census4_significance(&graph, &config).unwrap();
            prop_assert_eq!(&result.observed, &observed);
        }

        // Alternate signs by arc order; the union census is the unsigned census.
        let signed_edges: Vec<(usize, usize, Sign)> = graph
            .edges()
            .enumerate()
            .map(|(i, (s, t))| (s, t, if i % 3 == 0 { Sign::Inhibitory } else { Sign::Excitatory }))
            .collect();
        let signed = SignedDiGraph::from_signed_edges(graph.node_count(), &signed_edges).unwrap();
        let config = NullConfig { model: NullModel::SignPreserving, samples: 3, switches_per_edge: 2.0, seed };
        let result = triad_significance(&signed, &config).unwrap();
        prop_assert_eq!(result.observed, triad_census(&graph).unwrap());
    }
}
