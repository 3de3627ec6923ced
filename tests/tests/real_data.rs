//! The readers and the census on the real fetched files, against published or independently
//! computed figures. These tests fail, with the command to run, when the data is not fetched.

use ncm_data::{DataDir, HCP_SUBJECTS, SynapseKind};
use ncm_motifs::{DiGraph, triad_census};
use ncm_tests::data_dir;

fn dir() -> DataDir {
    DataDir::new(data_dir())
}

#[test]
fn varshney_matches_published_counts() {
    let connectome = ncm_data::read_varshney_2011(&dir().varshney_2011()).unwrap();

    // Varshney et al. 2011 (PLoS Comput Biol 7:e1001066): 279 neurons, 2194 directed chemical
    // connections, 890 gap junctions.
    assert_eq!(connectome.node_count(), 279);
    assert_eq!(connectome.directed_pairs(SynapseKind::Chemical).len(), 2194);
    assert_eq!(connectome.gap_junction_total(), 890);
    // The paper reports 6393 chemical synapses, but the S + Sp rows of NeuronConnect.xls sum
    // to 6394. The R + Rp rows, which list the same synapses from the other side, agree.
    assert_eq!(connectome.total_synapses(SynapseKind::Chemical), 6394);
}

#[test]
fn varshney_triad_census_matches_networkx() {
    let connectome = ncm_data::read_varshney_2011(&dir().varshney_2011()).unwrap();
    let pairs = connectome.directed_pairs(SynapseKind::Chemical);
    let graph = DiGraph::from_edges(connectome.node_count(), &pairs).unwrap();
    let census = triad_census(&graph).unwrap();

    // networkx 3.6.1 `triadic_census` on the S and Sp rows of NeuronConnect.xls read with
    // xlrd 2 (names stripped, self-loops and zero counts dropped, nodes from S, Sp and EJ rows).
    let expected: [(&str, u64); 16] = [
        ("003", 3077866),
        ("012", 409609),
        ("102", 55878),
        ("021D", 7118),
        ("021U", 8478),
        ("021C", 12279),
        ("111D", 3134),
        ("111U", 3200),
        ("030T", 1453),
        ("030C", 65),
        ("201", 359),
        ("120D", 385),
        ("120U", 552),
        ("120C", 180),
        ("210", 175),
        ("300", 48),
    ];
    for (class, count) in expected {
        assert_eq!(census.count(class), Some(count), "class {class}");
    }
}

#[test]
fn connectome_readers_give_cross_checked_sizes() {
    let dir = dir();
    // (nodes, distinct directed chemical pairs), counted independently with numpy, xlrd and
    // openpyxl from the same files.
    let white = ncm_data::read_white_1986(&dir.white_1986()).unwrap();
    assert_eq!(
        (
            white.node_count(),
            white.directed_pairs(SynapseKind::Chemical).len()
        ),
        (309, 2386)
    );
    let cook = ncm_data::read_cook_2019(&dir.cook_2019()).unwrap();
    assert_eq!(
        (
            cook.node_count(),
            cook.directed_pairs(SynapseKind::Chemical).len()
        ),
        (448, 4647)
    );

    let witvliet = [
        (187, 775),
        (194, 986),
        (198, 1012),
        (204, 1136),
        (211, 1515),
        (216, 1525),
        (222, 2191),
        (219, 2186),
    ];
    for (stage, expected) in (1u8..=8).zip(witvliet) {
        let connectome = ncm_data::read_witvliet_2021(&dir.witvliet_2021(stage).unwrap()).unwrap();
        let found = (
            connectome.node_count(),
            connectome.directed_pairs(SynapseKind::Chemical).len(),
        );
        assert_eq!(found, expected, "Witvliet stage {stage}");
    }
}

#[test]
fn hcp_matrices_have_expected_shapes() {
    let dir = dir();
    for subject in HCP_SUBJECTS {
        let recording =
            ncm_data::Recording::from_mat(&dir.hcp_timeseries(subject), "tc", 0.72).unwrap();
        assert_eq!(
            (recording.channels, recording.samples),
            (94, 1200),
            "subject {subject}"
        );
        let sc = ncm_data::read_mat_matrix(&dir.hcp_structural(subject), "sc").unwrap();
        assert_eq!((sc.rows, sc.cols), (94, 94), "subject {subject}");
    }

    // First values of subject 101309, read with scipy.io.loadmat (scipy 1.x).
    let recording =
        ncm_data::Recording::from_mat(&dir.hcp_timeseries("101309"), "tc", 0.72).unwrap();
    let first = recording.channel(0).unwrap();
    assert!(
        (first[0] - 9361.322414).abs() < 1e-5,
        "tc[0, 0] = {}",
        first[0]
    );
    assert!(
        (first[1] - 9357.927934).abs() < 1e-5,
        "tc[0, 1] = {}",
        first[1]
    );
    let sc = ncm_data::read_mat_matrix(&dir.hcp_structural("101309"), "sc").unwrap();
    assert_eq!(sc.get(0, 1), Some(663434.5));
}

#[test]
fn grasshopper_spike_counts() {
    let trials = ncm_data::read_spike_times(&dir().grasshopper_spike_times(1).unwrap()).unwrap();
    assert_eq!(trials.trial_count(), 1);
    assert_eq!(trials.spike_count(), 929);
    let trials = ncm_data::read_spike_times(&dir().grasshopper_spike_times(2).unwrap()).unwrap();
    assert_eq!(trials.spike_count(), 868);
}

#[test]
fn digits_match_scikit_learn() {
    let digits = ncm_data::read_digits(&dir().digits()).unwrap();

    // sklearn.datasets.load_digits(): 1797 images of 8 x 8 pixels, labels 0 to 9, and the
    // first image shows a 0.
    assert_eq!(digits.len(), 1797);
    assert_eq!(digits.n_pixels, 64);
    assert_eq!(digits.images.len(), 1797 * 64);
    assert!(digits.labels.iter().all(|&label| label <= 9));
    for label in 0..=9 {
        assert!(digits.labels.contains(&label), "label {label} is missing");
    }
    assert_eq!(digits.labels[0], 0);
    assert_eq!(&digits.image(0).unwrap()[..8], &[0, 0, 5, 13, 9, 1, 0, 0]);
}

#[test]
fn funatlas_matches_h5py() {
    let atlas = ncm_data::FunctionalAtlas::read(&dir().funatlas()).unwrap();

    // Read independently with h5py 3.16 from wormneuroatlas 0.0.7.3's funatlas.h5: 300 names,
    // NaN and q < 0.05 counts per strain, sums of occ1, and single entries
    // [responding, stimulated].
    assert_eq!(atlas.len(), 300);
    assert_eq!(&atlas.neuron_ids[..3], ["ADAL", "ADAR", "ADEL"]);
    assert_eq!(atlas.index_of("AWCOF"), Some(76));
    let count = |values: &[f64], keep: fn(f64) -> bool| values.iter().filter(|v| keep(**v)).count();
    assert_eq!(count(&atlas.wt.q, f64::is_nan), 65925);
    assert_eq!(count(&atlas.wt.dff, f64::is_nan), 65926);
    assert_eq!(count(&atlas.wt.q, |q| q < 0.05), 1310);
    assert_eq!(count(&atlas.unc31.q, f64::is_nan), 80772);
    assert_eq!(count(&atlas.unc31.q, |q| q < 0.05), 430);
    assert_eq!(atlas.wt.occ1.iter().sum::<u64>(), 130682);
    assert_eq!(atlas.unc31.occ1.iter().sum::<u64>(), 20849);

    let aval = atlas.index_of("AVAL").unwrap();
    let avar = atlas.index_of("AVAR").unwrap();
    let ris = atlas.index_of("RIS").unwrap();
    let n = atlas.len();
    assert_eq!(atlas.wt.q_value(aval, avar), 0.26481690019663967);
    assert_eq!(atlas.wt.dff[aval * n + avar], 0.1629989966887222);
    assert_eq!(atlas.wt.occ1[aval * n + avar], 6);
    assert_eq!(atlas.wt.q_value(ris, aval), 0.4359369654136416);
    assert_eq!(atlas.unc31.q_value(aval, avar), 0.6336219124268997);
    assert!(atlas.unc31.q_value(ris, aval).is_nan());
}
