//! Invariants that span crates: edge lists read by ncm-data feed the census and null models of
//! ncm-motifs, and binarised recordings feed the exact maximum-entropy fit of ncm-ebm.

use std::io::Write;

use ncm_data::{Recording, SpinConvention, SynapseKind};
use ncm_ebm::{ExactFitConfig, empirical_moments, fit_exact};
use ncm_motifs::{DiGraph, NullModel, randomise, triad_census, triple_count};
use proptest::prelude::*;

/// Writes `edges` as a headerless comma-separated edge list with node names `n<i>`.
fn write_edge_list(edges: &[(usize, usize)]) -> tempfile_path::TempFile {
    let file = tempfile_path::TempFile::new();
    let mut out = std::fs::File::create(&file.path).unwrap();
    for (pre, post) in edges {
        writeln!(out, "n{pre},n{post},1,chemical").unwrap();
    }
    file
}

/// A temporary file removed on drop; named per process and call so parallel cases don't clash.
mod tempfile_path {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    pub struct TempFile {
        pub path: PathBuf,
    }

    impl TempFile {
        pub fn new() -> Self {
            let id = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("ncm-edges-{}-{id}.csv", std::process::id());
            Self {
                path: std::env::temp_dir().join(name),
            }
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn edge_sets() -> impl Strategy<Value = Vec<(usize, usize)>> {
    proptest::collection::vec((0usize..15, 0usize..15), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn edge_list_census_sums_to_triples(edges in edge_sets()) {
        let file = write_edge_list(&edges);
        let connectome = ncm_data::read_edge_list(&file.path).unwrap();
        let pairs = connectome.directed_pairs(SynapseKind::Chemical);
        let graph = DiGraph::from_edges(connectome.node_count(), &pairs).unwrap();

        let mut distinct: Vec<_> = edges.iter().filter(|(a, b)| a != b).copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(graph.edge_count(), distinct.len());

        let census = triad_census(&graph).unwrap();
        prop_assert_eq!(census.total(), triple_count(connectome.node_count()).unwrap());
    }

    #[test]
    fn null_models_keep_connectome_degrees(edges in edge_sets(), seed in any::<u64>()) {
        let file = write_edge_list(&edges);
        let connectome = ncm_data::read_edge_list(&file.path).unwrap();
        let pairs = connectome.directed_pairs(SynapseKind::Chemical);
        let graph = DiGraph::from_edges(connectome.node_count(), &pairs).unwrap();

        for model in [NullModel::DegreePreserving, NullModel::MutualPreserving] {
            let random = randomise(&graph, model, 5.0, seed).unwrap();
            for node in 0..graph.node_count() {
                prop_assert_eq!(random.out_degree(node), graph.out_degree(node));
                prop_assert_eq!(random.in_degree(node), graph.in_degree(node));
            }
            if model == NullModel::MutualPreserving {
                prop_assert_eq!(random.mutual_edge_count(), graph.mutual_edge_count());
            }
        }
    }

    #[test]
    fn binarised_recording_fit_matches_moments(seed in any::<u64>()) {
        // Five channels of xorshift noise with a shared component, so channels are correlated
        // and every pair shows all four joint states in 400 samples.
        let (channels, samples) = (5, 400);
        let mut state = seed | 1;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 1_000_000) as f64 / 1_000_000.0 - 0.5
        };
        let shared: Vec<f64> = (0..samples).map(|_| uniform()).collect();
        let mut data = Vec::with_capacity(channels * samples);
        for channel in 0..channels {
            for t in 0..samples {
                data.push(0.3 * channel as f64 * shared[t] + uniform());
            }
        }
        let recording = Recording::new(data, channels, samples, 1.0).unwrap();
        let binary = ncm_data::binarise(&recording, SpinConvention::PlusMinusOne).unwrap();
        let fit = fit_exact(&binary.states, channels, &ExactFitConfig::default()).unwrap();

        // Model moments by direct enumeration of the 32 states with the model's energy, which
        // is independent of the fit's own moment computation.
        let weights: Vec<f64> = (0u32..1 << channels)
            .map(|index| (-fit.model.energy_of_index(index).unwrap()).exp())
            .collect();
        let partition_function: f64 = weights.iter().sum();
        let data_moments = empirical_moments(&binary.states, channels).unwrap();
        for i in 0..channels {
            for j in i..channels {
                let mut model_moment = 0.0;
                for (index, weight) in weights.iter().enumerate() {
                    let spin = |k: usize| if index >> k & 1 == 1 { 1.0 } else { -1.0 };
                    let value = if i == j { spin(i) } else { spin(i) * spin(j) };
                    model_moment += weight * value / partition_function;
                }
                let data_moment = if i == j { data_moments.mean[i] } else { data_moments.correlation[i * channels + j] };
                prop_assert!((model_moment - data_moment).abs() < 1e-6, "moment ({i}, {j}): model {model_moment}, data {data_moment}");
            }
        }
    }
}
