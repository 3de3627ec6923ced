//! Rate dynamics on connectomes: the sign rule, weight and gap-junction scaling on a
//! hand-built connectome, the Perron bounds on matrices with known spectral radius, and a run
//! on the Varshney et al. 2011 *C. elegans* connectome. That test fails, with the command to
//! run, when the data is not fetched.

use std::path::PathBuf;

use ncm_data::{Connectome, Edge, SynapseKind};
use ncm_motifs::CellType;
use ncm_motifs::dynamics::{
    Activation, ConnectomeConfig, ConnectomeModel, Input, Normalisation, RateConfig,
    SimulationError, in_class, perron_bounds,
};

/// Nodes AVAL, DD01, RMEL, VB01 with chemical synapses AVAL->DD01 (3), AVAL->VB01 (1 + 2),
/// DD01->VB01 (2), RMEL->AVAL (4), VB01->AVAL (1), a self-loop VB01->VB01 (5), and gap
/// junctions AVAL-VB01 (2, listed both ways) and DD01-RMEL (1, listed once).
fn small_connectome() -> Connectome {
    let nodes = ["AVAL", "DD01", "RMEL", "VB01"].map(String::from).to_vec();
    let chemical = |pre, post, synapses| Edge {
        pre,
        post,
        kind: SynapseKind::Chemical,
        synapses,
    };
    let electrical = |pre, post, synapses| Edge {
        kind: SynapseKind::Electrical,
        ..chemical(pre, post, synapses)
    };
    let edges = vec![
        chemical(0, 1, 3),
        chemical(0, 3, 1),
        chemical(0, 3, 2),
        chemical(1, 3, 2),
        chemical(2, 0, 4),
        chemical(3, 0, 1),
        chemical(3, 3, 5),
        electrical(0, 3, 2),
        electrical(3, 0, 2),
        electrical(1, 2, 1),
    ];
    Connectome::new("test", nodes, edges).unwrap()
}

#[test]
fn class_names_follow_the_suffix_rule() {
    assert!(in_class("DD01", "DD"));
    assert!(in_class("VD13", "VD"));
    assert!(in_class("RMEV", "RME"));
    assert!(in_class("SMDVR", "SMD"));
    assert!(in_class("RIS", "RIS"));
    assert!(!in_class("RIS", "RI"), "suffix S is not a side letter");
    assert!(!in_class("ASEL", "AS"));
    assert!(!in_class("AVAL", "AVL"));
}

#[test]
fn small_connectome_weights_follow_sign_rule_and_scaling() {
    let model = ConnectomeModel::new(&small_connectome(), &ConnectomeConfig::default()).unwrap();
    let circuit = model.circuit();
    use CellType::{Excitatory, Inhibitory};
    assert_eq!(
        circuit.cell_types(),
        [Excitatory, Inhibitory, Inhibitory, Excitatory]
    );
    // Input counts per neuron: AVAL 4 + 1, DD01 3, RMEL 0, VB01 3 + 2, so the largest total
    // input is 5 and one synapse weighs 0.9 / 5 = 0.18.
    assert!((model.chemical_scale() - 0.18).abs() < 1e-15);
    let w = |pre: &str, post: &str| {
        let index = |name: &str| model.names().iter().position(|n| n == name).unwrap();
        circuit.weight(index(pre), index(post)).unwrap()
    };
    let expected = [
        ("AVAL", "DD01", 3.0 * 0.18),
        ("AVAL", "VB01", 3.0 * 0.18),
        ("DD01", "VB01", -2.0 * 0.18),
        ("RMEL", "AVAL", -4.0 * 0.18),
        ("VB01", "AVAL", 0.18),
        ("VB01", "VB01", 0.0),
        ("DD01", "AVAL", 0.0),
    ];
    for (pre, post, weight) in expected {
        assert!((w(pre, post) - weight).abs() < 1e-12, "{pre} -> {post}");
    }
    assert_eq!(circuit.graph().edge_count(), 5);

    // Gap counts per pair: AVAL-VB01 max(2, 2) = 2, DD01-RMEL 1; the largest total is 2, so
    // one gap junction conducts 0.5 / 2 = 0.25.
    let g = model.gap_conductance();
    assert_eq!(model.gap_scale(), 0.25);
    let mut expected_gap = vec![0.0; 16];
    for (i, j, value) in [(0, 3, 0.5), (1, 2, 0.25)] {
        expected_gap[i * 4 + j] = value;
        expected_gap[j * 4 + i] = value;
    }
    assert_eq!(g, expected_gap.as_slice());
    assert_eq!(model.rate_network().labels(), model.names());
}

#[test]
fn spectral_normalisation_uses_perron_root() {
    // The strongly connected part AVAL -> DD01 -> VB01 -> AVAL (3 * 2 * 1) with the 2-cycle
    // AVAL <-> VB01 (3 * 1) has characteristic polynomial l^3 - 3 l - 6, whose real root
    // (Cardano) is cbrt(3 + sqrt 8) + cbrt(3 - sqrt 8) = 2.3553013976081196.
    let config = ConnectomeConfig {
        normalisation: Normalisation::SpectralRadius,
        ..ConnectomeConfig::default()
    };
    let model = ConnectomeModel::new(&small_connectome(), &config).unwrap();
    let rho = 2.3553013976081196;
    assert!((model.chemical_scale() - 0.9 / rho).abs() < 1e-8);
    let bounds = perron_bounds(model.circuit().weights(), 4).unwrap();
    assert!((bounds.upper - 0.9).abs() < 1e-8, "{bounds:?}");
}

#[test]
fn perron_bounds_match_known_spectral_radii() {
    // [[0, 2], [8, 0]]: eigenvalues +-4, a periodic matrix that plain power iteration on A
    // does not settle on.
    let bounds = perron_bounds(&[0.0, 2.0, 8.0, 0.0], 2).unwrap();
    assert!((bounds.upper - 4.0).abs() < 1e-8);
    assert!((bounds.lower - 4.0).abs() < 1e-8);
    // Signs do not matter: the bounds are for |A|.
    let bounds = perron_bounds(&[0.0, -2.0, 8.0, 0.0], 2).unwrap();
    assert!((bounds.upper - 4.0).abs() < 1e-8);
    // Triangular [[1, 5], [0, 2]]: eigenvalues 1 and 2.
    let bounds = perron_bounds(&[1.0, 5.0, 0.0, 2.0], 2).unwrap();
    assert!(bounds.lower <= 2.0 + 1e-12);
    assert!(bounds.upper >= 2.0 - 1e-12);
    assert!((bounds.upper - 2.0).abs() < 1e-6, "{bounds:?}");
    assert!(matches!(
        perron_bounds(&[1.0; 3], 2),
        Err(SimulationError::MatrixShape { expected: 4, .. })
    ));
}

#[test]
fn connectome_model_rejects_bad_settings() {
    let connectome = small_connectome();
    let unknown = ConnectomeConfig {
        inhibitory_classes: vec!["GABA".into(), "DDX".into()],
        ..ConnectomeConfig::default()
    };
    assert!(matches!(
        ConnectomeModel::new(&connectome, &unknown),
        Err(SimulationError::UnknownNeuronClass { classes }) if classes == "GABA, DDX"
    ));
    let gain = ConnectomeConfig {
        chemical_gain: 0.0,
        ..ConnectomeConfig::default()
    };
    assert!(matches!(
        ConnectomeModel::new(&connectome, &gain),
        Err(SimulationError::InvalidParameter {
            parameter: "chemical_gain",
            ..
        })
    ));
    let gap = ConnectomeConfig {
        gap_gain: -1.0,
        ..ConnectomeConfig::default()
    };
    assert!(matches!(
        ConnectomeModel::new(&connectome, &gap),
        Err(SimulationError::InvalidParameter {
            parameter: "gap_gain",
            ..
        })
    ));
    let empty = Connectome::new("empty", vec![], vec![]).unwrap();
    assert!(matches!(
        ConnectomeModel::new(&empty, &ConnectomeConfig::default()),
        Err(SimulationError::EmptyConnectome)
    ));
}

/// Returns the data folder: `NCM_DATA_DIR`, or `data/` in the workspace.
fn data_dir() -> PathBuf {
    let dir = std::env::var_os("NCM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data"));
    assert!(
        dir.join(".stamps").is_dir(),
        "no fetched data in {}; run `cargo xtask fetch-data` (or set NCM_DATA_DIR) first",
        dir.display()
    );
    dir
}

#[test]
fn varshney_rate_dynamics_are_stable_and_labelled() {
    let path = ncm_data::DataDir::new(data_dir()).varshney_2011();
    let connectome = ncm_data::read_varshney_2011(&path).unwrap();
    let model = ConnectomeModel::new(&connectome, &ConnectomeConfig::default()).unwrap();
    let n = connectome.node_count();
    assert_eq!(n, 279);

    // All 26 GABAergic neurons of McIntire et al. 1993 occur in NeuronConnect.xls (checked
    // with `strings` on the file), and the chemical graph keeps Varshney's 2194 directed
    // connections.
    let inhibitory = model
        .circuit()
        .cell_types()
        .iter()
        .filter(|&&t| t == CellType::Inhibitory)
        .count();
    assert_eq!(inhibitory, 26);
    assert_eq!(model.circuit().graph().edge_count(), 2194);

    // Normalisation: the largest total absolute input is the gain, and so is the largest
    // total gap conductance.
    let weights = model.circuit().weights();
    let max_input = weights
        .chunks(n)
        .map(|row| row.iter().map(|w| w.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    assert!((max_input - 0.9).abs() < 1e-12);
    let g = model.gap_conductance();
    for i in 0..n {
        assert_eq!(g[i * n + i], 0.0);
        for j in 0..i {
            assert_eq!(g[i * n + j], g[j * n + i], "gap {i} - {j}");
        }
    }
    let max_gap = g
        .chunks(n)
        .map(|row| row.iter().sum::<f64>())
        .fold(0.0, f64::max);
    assert!((max_gap - 0.5).abs() < 1e-12);

    // Drive the ASE and AWC chemosensory neurons for 20 s.
    let mut drive = vec![0.0; n];
    for name in ["ASEL", "ASER", "AWCL", "AWCR"] {
        drive[connectome.node_index(name).unwrap()] = 1.0;
    }
    let config = RateConfig {
        duration_s: 20.0,
        sampling_interval_s: 0.1,
        activation: Activation::Tanh,
        noise_sigma: 0.05,
        seed: 4,
        ..RateConfig::default()
    };
    let run = model
        .simulate(&config, &Input::Constant(drive.clone()))
        .unwrap();
    assert_eq!((run.states.channels, run.states.samples), (279, 201));
    assert_eq!(run.states.labels, connectome.nodes());
    assert_eq!(run.rates.labels, connectome.nodes());
    assert!(
        run.states
            .data
            .iter()
            .all(|x| x.is_finite() && x.abs() < 10.0)
    );
    assert_eq!(run.graph.edge_count(), 2194);

    // Contraction: without noise, runs from rest and from a scattered start end in the same
    // state. Their difference shrinks at least as exp(-(1 - 0.9) t / tau) = exp(-20).
    let quiet = RateConfig {
        noise_sigma: 0.0,
        ..config
    };
    let from_rest = model
        .simulate(&quiet, &Input::Constant(drive.clone()))
        .unwrap();
    let scattered = RateConfig {
        initial_state: Some((0..n).map(|i| ((i * 37) % 11) as f64 - 5.0).collect()),
        ..quiet
    };
    let from_scattered = model.simulate(&scattered, &Input::Constant(drive)).unwrap();
    let last = from_rest.states.samples - 1;
    for i in 0..n {
        let a = from_rest.states.channel(i).unwrap()[last];
        let b = from_scattered.states.channel(i).unwrap()[last];
        assert!(
            (a - b).abs() < 1e-6,
            "{}: {a} vs {b}",
            connectome.nodes()[i]
        );
    }
}
