//! Motif generator checks: exact arcs and degrees, Dale's law, positions, triad counts derived
//! by hand, seeding, stability of rate dynamics and every invalid parameter.

use std::collections::BTreeSet;
use std::f64::consts::TAU;

use ncm_motifs::{
    CellType, Circuit, CircuitError, Connectivity, DEFAULT_INPUT_GAIN,
    DimensionalityExpansionConfig, FeedbackLoopConfig, FeedbackSign, FeedforwardChainConfig,
    LateralInhibitionConfig, LateralStructure, MapLayout, MotifConfig, MotifKind,
    RecurrentExcitationConfig, RecurrentStructure, TopographicMapConfig, example_circuit,
    triad_census,
};

fn arc_set(circuit: &Circuit) -> BTreeSet<(usize, usize)> {
    circuit.graph().edges().collect()
}

/// Census as `(class, count)` pairs for every non-zero class.
fn nonzero_census(circuit: &Circuit) -> Vec<(&'static str, u64)> {
    let census = triad_census(circuit.graph()).unwrap();
    census.iter().filter(|&(_, count)| count > 0).collect()
}

/// Asserts Dale's law arc by arc, reading signs straight from the weight matrix.
fn assert_dale(circuit: &Circuit) {
    let n = circuit.neuron_count();
    for post in 0..n {
        for pre in 0..n {
            let w = circuit.weights()[post * n + pre];
            match circuit.cell_types()[pre] {
                CellType::Excitatory => assert!(w >= 0.0, "{pre} -> {post}: {w}"),
                CellType::Inhibitory => assert!(w <= 0.0, "{pre} -> {post}: {w}"),
            }
        }
    }
}

fn assert_close(actual: f64, expected: f64, context: &str) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{context}: {actual} != {expected}"
    );
}

fn chain(layer_sizes: &[usize], connectivity: Connectivity, seed: u64) -> FeedforwardChainConfig {
    FeedforwardChainConfig {
        layer_sizes: layer_sizes.to_vec(),
        connectivity,
        seed,
        ..Default::default()
    }
}

#[test]
fn all_to_all_chain_arcs_weights_positions() {
    let circuit = chain(&[2, 3, 2], Connectivity::AllToAll, 0)
        .build()
        .unwrap();

    let mut expected = BTreeSet::new();
    for pre in 0..2 {
        for post in 2..5 {
            expected.insert((pre, post));
        }
    }
    for pre in 2..5 {
        for post in 5..7 {
            expected.insert((pre, post));
        }
    }
    assert_eq!(arc_set(&circuit), expected);

    // The largest input sum is 3 equal weights (layer 2 from layer 1), scaled to 0.9.
    for &(pre, post) in &expected {
        assert_close(circuit.weight(pre, post).unwrap(), 0.3, "weight");
    }
    assert_close(circuit.max_input_sum(), DEFAULT_INPUT_GAIN, "max input sum");
    assert!(
        circuit
            .cell_types()
            .iter()
            .all(|&t| t == CellType::Excitatory)
    );

    let expected_positions = [
        [0.0, -0.5],
        [0.0, 0.5],
        [1.0, -1.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [2.0, -0.5],
        [2.0, 0.5],
    ];
    assert_eq!(circuit.positions().unwrap(), &expected_positions);
}

#[test]
fn fixed_fan_in_chain_has_exact_in_degrees() {
    let sizes = [5, 6, 4];
    for seed in 0..5 {
        let config = chain(&sizes, Connectivity::FixedFanIn { fan_in: 3 }, seed);
        let circuit = config.build().unwrap();
        let graph = circuit.graph();
        for v in 0..5 {
            assert_eq!(graph.in_degree(v), 0, "seed {seed}, input neuron {v}");
        }
        for v in 5..11 {
            assert_eq!(graph.in_degree(v), 3, "seed {seed}, layer 1 neuron {v}");
            assert!(graph.in_neighbours(v).iter().all(|&u| u < 5));
        }
        for v in 11..15 {
            assert_eq!(graph.in_degree(v), 3, "seed {seed}, layer 2 neuron {v}");
            assert!(graph.in_neighbours(v).iter().all(|&u| (5..11).contains(&u)));
        }
        assert_eq!(graph.edge_count(), 3 * (6 + 4));
    }
}

#[test]
fn chain_of_single_neurons_is_one_021c() {
    let circuit = chain(&[1, 1, 1], Connectivity::AllToAll, 0)
        .build()
        .unwrap();
    assert_eq!(nonzero_census(&circuit), vec![("021C", 1)]);
}

#[test]
fn excitatory_feedback_closes_a_030c() {
    let config = FeedbackLoopConfig {
        layer_sizes: vec![1, 1, 1],
        from_layer: 2,
        to_layer: 0,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert_eq!(arc_set(&circuit), BTreeSet::from([(0, 1), (1, 2), (2, 0)]));
    assert_eq!(nonzero_census(&circuit), vec![("030C", 1)]);
}

#[test]
fn inhibitory_feedback_runs_through_interneurons() {
    let config = FeedbackLoopConfig {
        layer_sizes: vec![1, 1, 1],
        sign: FeedbackSign::Inhibitory,
        interneuron_count: 1,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert_eq!(
        arc_set(&circuit),
        BTreeSet::from([(0, 1), (1, 2), (2, 3), (3, 0)])
    );
    assert_eq!(circuit.cell_types()[3], CellType::Inhibitory);
    assert!(circuit.weight(3, 0).unwrap() < 0.0);
    assert_dale(&circuit);
    // A directed 4-cycle: each of its 4 triples contains a path of two arcs.
    assert_eq!(nonzero_census(&circuit), vec![("021C", 4)]);
}

#[test]
fn feedback_fan_in_is_exact() {
    for seed in 0..4 {
        let config = FeedbackLoopConfig {
            layer_sizes: vec![3, 3, 3, 3],
            from_layer: 3,
            to_layer: 1,
            feedback_connectivity: Connectivity::FixedFanIn { fan_in: 2 },
            seed,
            ..Default::default()
        };
        let circuit = config.build().unwrap();
        let graph = circuit.graph();
        for v in 3..6 {
            let feedback: Vec<usize> = graph
                .in_neighbours(v)
                .iter()
                .copied()
                .filter(|&u| u >= 9)
                .collect();
            assert_eq!(feedback.len(), 2, "seed {seed}, neuron {v}");
            assert_eq!(graph.in_degree(v), 3 + 2, "seed {seed}, neuron {v}");
        }
        assert_eq!(graph.edge_count(), 3 * 9 + 3 * 2);
    }
}

#[test]
fn inhibitory_feedback_pool_and_fan_in() {
    let config = FeedbackLoopConfig {
        layer_sizes: vec![2, 3, 4],
        sign: FeedbackSign::Inhibitory,
        interneuron_count: 3,
        feedback_connectivity: Connectivity::FixedFanIn { fan_in: 2 },
        feedback_strength: 2.0,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    let graph = circuit.graph();
    assert_eq!(circuit.neuron_count(), 12);
    for interneuron in 9..12 {
        assert_eq!(graph.in_neighbours(interneuron), &[5, 6, 7, 8]);
        assert_eq!(circuit.cell_types()[interneuron], CellType::Inhibitory);
    }
    for v in 0..2 {
        assert_eq!(graph.in_degree(v), 2, "layer 0 neuron {v}");
        assert!(graph.in_neighbours(v).iter().all(|&u| u >= 9));
    }
    // Before scaling a feedback synapse is 2 and a forward synapse 1.
    let ratio =
        circuit.weight(graph.in_neighbours(0)[0], 0).unwrap() / circuit.weight(0, 2).unwrap();
    assert_close(ratio, -2.0, "feedback to forward weight ratio");
    assert_dale(&circuit);
}

#[test]
fn reciprocal_pairs_arcs_and_census() {
    let config = RecurrentExcitationConfig {
        structure: RecurrentStructure::ReciprocalPairs { pair_count: 3 },
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert_eq!(
        arc_set(&circuit),
        BTreeSet::from([(0, 1), (1, 0), (2, 3), (3, 2), (4, 5), (5, 4)])
    );
    // Each pair with each of the 4 other neurons is a 102 triad; the other 8 triples are empty.
    assert_eq!(nonzero_census(&circuit), vec![("003", 8), ("102", 12)]);
}

#[test]
fn complete_assemblies_census() {
    let config = RecurrentExcitationConfig {
        structure: RecurrentStructure::Assemblies {
            assembly_count: 2,
            assembly_size: 3,
            p_within: 1.0,
            p_between: 0.0,
        },
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert_eq!(circuit.graph().edge_count(), 2 * 6);
    // One 300 per assembly; a pair from one assembly with a neuron of the other is a 102,
    // and there are 2 × C(3,2) × 3 = 18 of those.
    assert_eq!(nonzero_census(&circuit), vec![("102", 18), ("300", 2)]);
}

#[test]
fn sparse_assemblies_stay_inside() {
    let config = RecurrentExcitationConfig {
        structure: RecurrentStructure::Assemblies {
            assembly_count: 4,
            assembly_size: 5,
            p_within: 0.5,
            p_between: 0.0,
        },
        seed: 3,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert!(circuit.graph().edge_count() > 0);
    for (pre, post) in circuit.graph().edges() {
        assert_eq!(pre / 5, post / 5, "arc {pre} -> {post} leaves its assembly");
    }
}

#[test]
fn winner_take_all_smallest_is_one_201() {
    let config = LateralInhibitionConfig {
        structure: LateralStructure::WinnerTakeAll {
            excitatory_count: 2,
            inhibitory_count: 1,
        },
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert_eq!(nonzero_census(&circuit), vec![("201", 1)]);
}

#[test]
fn winner_take_all_arcs_and_weights() {
    let config = LateralInhibitionConfig {
        structure: LateralStructure::WinnerTakeAll {
            excitatory_count: 4,
            inhibitory_count: 2,
        },
        inhibition_ratio: 2.0,
        ..Default::default()
    };
    let circuit = config.build().unwrap();

    let mut expected = BTreeSet::new();
    for unit in 0..4 {
        for pool in 4..6 {
            expected.insert((unit, pool));
            expected.insert((pool, unit));
        }
    }
    assert_eq!(arc_set(&circuit), expected);
    assert_eq!(
        circuit.cell_types(),
        &[
            CellType::Excitatory,
            CellType::Excitatory,
            CellType::Excitatory,
            CellType::Excitatory,
            CellType::Inhibitory,
            CellType::Inhibitory
        ]
    );
    // Before scaling: unit -> pool 1/4, pool -> unit -2/2.
    let ratio = circuit.weight(4, 0).unwrap() / circuit.weight(0, 4).unwrap();
    assert_close(ratio, -4.0, "inhibitory to excitatory weight ratio");
    // Pairs of units with a pool neuron and pairs of pool neurons with a unit are 201 triads
    // (C(4,2) × 2 + 4 × 1 = 16); the 4 triples of units are empty.
    assert_eq!(nonzero_census(&circuit), vec![("003", 4), ("201", 16)]);
    assert_dale(&circuit);
}

#[test]
fn centre_surround_on_ring() {
    let config = LateralInhibitionConfig {
        structure: LateralStructure::CentreSurround {
            unit_count: 8,
            centre_radius: 1,
            surround_radius: 3,
        },
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    let ring = |i: usize, j: usize| {
        let gap = i.abs_diff(j);
        gap.min(8 - gap)
    };
    let mut expected = BTreeSet::new();
    for i in 0..8 {
        expected.insert((i, 8 + i));
        for j in 0..8 {
            match ring(i, j) {
                1 => {
                    expected.insert((i, j));
                }
                2 | 3 => {
                    expected.insert((8 + i, j));
                }
                _ => {}
            }
        }
    }
    assert_eq!(arc_set(&circuit), expected);
    // Wrap-around arcs of unit 0.
    for arc in [(0, 7), (8, 6), (8, 5), (8, 2), (8, 3)] {
        assert!(expected.contains(&arc), "{arc:?}");
    }
    for unit in 0..8 {
        assert_eq!(circuit.graph().in_degree(unit), 2 + 4, "unit {unit}");
        assert_eq!(circuit.cell_types()[8 + unit], CellType::Inhibitory);
    }
    assert_dale(&circuit);
}

fn ring_map(neuron_count: usize, radius: f64, weight_sigma: f64) -> TopographicMapConfig {
    TopographicMapConfig {
        layout: MapLayout::Ring { neuron_count },
        radius,
        peak_probability: 1.0,
        connection_sigma: None,
        weight_sigma,
        ..Default::default()
    }
}

#[test]
fn ring_map_arcs_weights_positions() {
    let circuit = ring_map(12, 2.0, 1.5).build().unwrap();
    let graph = circuit.graph();
    for v in 0..12 {
        assert_eq!(graph.in_degree(v), 4, "neuron {v}");
        assert_eq!(graph.out_degree(v), 4, "neuron {v}");
    }
    for arc in [(0, 11), (0, 10), (11, 0), (11, 1), (10, 0)] {
        assert!(graph.has_edge(arc.0, arc.1), "periodic arc {arc:?}");
    }
    assert!(!graph.has_edge(0, 3));

    // w(d) ∝ exp(-d² / (2 × 1.5²)), so w(2) / w(1) = exp(-3 / 4.5).
    let ratio = circuit.weight(0, 2).unwrap() / circuit.weight(0, 1).unwrap();
    assert_close(ratio, (-3.0_f64 / 4.5).exp(), "w(2) / w(1)");
    assert_close(
        circuit.weight(0, 11).unwrap(),
        circuit.weight(0, 1).unwrap(),
        "w across the wrap",
    );

    let positions = circuit.positions().unwrap();
    for (i, position) in positions.iter().enumerate() {
        assert_close(position[0], TAU * i as f64 / 12.0, "angle");
        assert_eq!(position[1], 0.0);
    }
}

#[test]
fn periodic_sheet_has_four_neighbours() {
    let config = TopographicMapConfig {
        layout: MapLayout::Sheet {
            width: 4,
            height: 3,
            periodic: true,
        },
        radius: 1.0,
        connection_sigma: None,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    let graph = circuit.graph();
    for v in 0..12 {
        assert_eq!(graph.in_degree(v), 4, "neuron {v}");
    }
    // Neuron 0 at (col 0, row 0): right 1, wrapped left 3, below 4, wrapped above 8.
    assert_eq!(graph.in_neighbours(0), &[1, 3, 4, 8]);
    let positions = circuit.positions().unwrap();
    assert_eq!(positions[0], [0.0, 0.0]);
    assert_eq!(positions[7], [3.0, 1.0]);
    assert_eq!(positions[9], [1.0, 2.0]);
}

#[test]
fn open_sheet_has_edge_effects() {
    let config = TopographicMapConfig {
        layout: MapLayout::Sheet {
            width: 4,
            height: 3,
            periodic: false,
        },
        radius: 1.0,
        connection_sigma: None,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    let graph = circuit.graph();
    assert_eq!(graph.in_neighbours(0), &[1, 4]);
    assert_eq!(graph.in_neighbours(5), &[1, 4, 6, 9]);
    assert_eq!(graph.in_neighbours(11), &[7, 10]);
}

#[test]
fn periodic_sheet_diagonal_distance() {
    let config = TopographicMapConfig {
        layout: MapLayout::Sheet {
            width: 5,
            height: 5,
            periodic: true,
        },
        radius: 2.0_f64.sqrt(),
        connection_sigma: None,
        weight_sigma: 1.0,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    for v in 0..25 {
        assert_eq!(circuit.graph().in_degree(v), 8, "neuron {v}");
    }
    // Neuron 24 (col 4, row 4) is a wrapped diagonal neighbour of neuron 0: d = √2.
    let ratio = circuit.weight(24, 0).unwrap() / circuit.weight(1, 0).unwrap();
    assert_close(ratio, (-0.5_f64).exp(), "w(√2) / w(1)");
}

/// Arcs at each ring distance occur with probability exp(-d² / 8) (sigma 2). Each distance
/// has 2 × 400 ordered pairs, so the binomial standard deviation is at most 0.018; the test
/// allows 4.5 of them.
#[test]
fn ring_connection_probability_follows_gaussian() {
    let config = TopographicMapConfig {
        layout: MapLayout::Ring { neuron_count: 400 },
        radius: 5.0,
        peak_probability: 1.0,
        connection_sigma: Some(2.0),
        seed: 11,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    let mut counts = [0_usize; 6];
    for (pre, post) in circuit.graph().edges() {
        let gap = pre.abs_diff(post);
        counts[gap.min(400 - gap)] += 1;
    }
    assert_eq!(counts[0], 0);
    for (d, &count) in counts.iter().enumerate().skip(1) {
        let expected = (-((d * d) as f64) / 8.0).exp();
        let observed = count as f64 / 800.0;
        let sd = (expected * (1.0 - expected) / 800.0).sqrt();
        assert!(
            (observed - expected).abs() <= 4.5 * sd.max(1e-3),
            "d = {d}: observed {observed}, expected {expected}"
        );
    }
}

#[test]
fn expansion_units_have_exactly_k_inputs() {
    for seed in 0..5 {
        let config = DimensionalityExpansionConfig {
            input_count: 5,
            expansion_count: 20,
            inputs_per_unit: 3,
            seed,
            ..Default::default()
        };
        let circuit = config.build().unwrap();
        let graph = circuit.graph();
        let inhibitory = 25;
        assert_eq!(circuit.neuron_count(), 26);
        for v in 0..5 {
            assert_eq!(graph.in_degree(v), 0, "input {v}");
        }
        for v in 5..25 {
            let from_inputs = graph.in_neighbours(v).iter().filter(|&&u| u < 5).count();
            assert_eq!(from_inputs, 3, "seed {seed}, unit {v}");
            assert_eq!(graph.in_degree(v), 4, "seed {seed}, unit {v}");
            assert!(circuit.weight(inhibitory, v).unwrap() < 0.0);
        }
        assert_eq!(graph.in_degree(inhibitory), 20);
        assert_eq!(graph.out_degree(inhibitory), 20);
        assert_eq!(circuit.cell_types()[inhibitory], CellType::Inhibitory);
        assert_dale(&circuit);
    }
}

#[test]
fn expansion_without_inhibition_is_021u() {
    let config = DimensionalityExpansionConfig {
        input_count: 2,
        expansion_count: 1,
        inputs_per_unit: 2,
        global_inhibition: false,
        ..Default::default()
    };
    let circuit = config.build().unwrap();
    assert_eq!(nonzero_census(&circuit), vec![("021U", 1)]);
    assert!(
        circuit
            .cell_types()
            .iter()
            .all(|&t| t == CellType::Excitatory)
    );
}

#[test]
fn examples_are_small_labelled_and_lawful() {
    for kind in MotifKind::ALL {
        for seed in 0..3 {
            let circuit = example_circuit(kind, seed).unwrap();
            let n = circuit.neuron_count();
            assert!((6..=30).contains(&n), "{kind:?}: {n} neurons");
            assert!(circuit.graph().edge_count() > 0, "{kind:?}");
            assert_dale(&circuit);
            assert_close(circuit.max_input_sum(), DEFAULT_INPUT_GAIN, "max input sum");
            assert_eq!(circuit.positions().map(<[_]>::len), Some(n), "{kind:?}");

            let motifs = circuit.motifs();
            assert_eq!(motifs.len(), 1, "{kind:?}");
            assert_eq!(motifs[0].kind, kind);
            assert_eq!(motifs[0].nodes, (0..n).collect::<Vec<_>>());
            assert_eq!(motifs[0].arcs.len(), circuit.graph().edge_count());
            assert!(circuit.background_arcs().is_empty());
        }
    }
}

#[test]
fn same_seed_same_circuit_other_seed_differs() {
    let stochastic = [
        MotifConfig::FeedforwardChain(chain(&[6, 6, 6], Connectivity::FixedFanIn { fan_in: 2 }, 0)),
        MotifConfig::RecurrentExcitation(RecurrentExcitationConfig::default()),
        MotifConfig::TopographicMap(TopographicMapConfig::default()),
        MotifConfig::DimensionalityExpansion(DimensionalityExpansionConfig::default()),
    ];
    for config in stochastic {
        let first = config.build().unwrap();
        assert_eq!(first, config.build().unwrap(), "{:?}", config.kind());
        let mut reseeded = config.clone();
        reseeded.set_seed(1);
        assert_ne!(first, reseeded.build().unwrap(), "{:?}", config.kind());
    }
}

/// Euler steps of `dx/dt = -x + W tanh(x) + I` (τ = 1, dt = 0.05) from two starting points.
/// With a largest input sum of 0.9 each step shrinks their max-norm distance by a factor of
/// at most 1 - 0.05 × 0.1, so after 6000 steps a gap of 10 is below 1e-11.
fn rate_trajectories_meet(circuit: &Circuit) -> bool {
    let n = circuit.neuron_count();
    let w = circuit.weights();
    let input: Vec<f64> = (0..n).map(|i| 1.0 + 0.1 * i as f64).collect();
    let mut states = [
        vec![2.0; n],
        (0..n).map(|i| -3.0 + 0.5 * i as f64).collect(),
    ];
    for _ in 0..6000 {
        for x in &mut states {
            let rates: Vec<f64> = x.iter().map(|v| v.tanh()).collect();
            for post in 0..n {
                let drive: f64 = (0..n).map(|pre| w[post * n + pre] * rates[pre]).sum();
                x[post] += 0.05 * (-x[post] + drive + input[post]);
            }
        }
    }
    states[0]
        .iter()
        .zip(&states[1])
        .all(|(a, b)| (a - b).abs() < 1e-9 && a.is_finite())
}

#[test]
fn rate_dynamics_converge_at_defaults() {
    for kind in MotifKind::ALL {
        let circuit = example_circuit(kind, 0).unwrap();
        assert!(rate_trajectories_meet(&circuit), "{kind:?}");
    }
}

#[test]
fn motif_config_reads_partial_json() {
    let json = r#"{"kind": "feedforward_chain", "layer_sizes": [2, 2],
                   "connectivity": {"type": "fixed_fan_in", "fan_in": 1}}"#;
    let config: MotifConfig = serde_json::from_str(json).unwrap();
    let MotifConfig::FeedforwardChain(chain_config) = &config else {
        panic!("wrong kind: {config:?}");
    };
    assert_eq!(chain_config.layer_sizes, vec![2, 2]);
    assert_eq!(
        chain_config.connectivity,
        Connectivity::FixedFanIn { fan_in: 1 }
    );
    assert_eq!(chain_config.input_gain, DEFAULT_INPUT_GAIN);
    assert_eq!(config.build().unwrap().graph().edge_count(), 2);

    for kind in MotifKind::ALL {
        let config = MotifConfig::default_for(kind);
        let text = serde_json::to_string(&config).unwrap();
        let back: MotifConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, config, "{text}");
    }
}

fn count_too_small(field: &'static str, value: usize, min: usize) -> CircuitError {
    CircuitError::CountTooSmall { field, value, min }
}

#[test]
fn chain_and_feedback_errors() {
    let fan_in = |fan_in| Connectivity::FixedFanIn { fan_in };
    let cases: Vec<(FeedforwardChainConfig, CircuitError)> = vec![
        (
            chain(&[3], Connectivity::AllToAll, 0),
            count_too_small("layer_sizes (layer count)", 1, 2),
        ),
        (
            chain(&[3, 0, 2], Connectivity::AllToAll, 0),
            CircuitError::EmptyLayer { layer: 1 },
        ),
        (
            chain(&[3, 3], fan_in(0), 0),
            count_too_small("connectivity.fan_in", 0, 1),
        ),
        (
            chain(&[4, 2, 3], fan_in(3), 0),
            CircuitError::FanInTooLarge {
                field: "connectivity.fan_in",
                fan_in: 3,
                available: 2,
            },
        ),
        (
            FeedforwardChainConfig {
                input_gain: 0.0,
                ..Default::default()
            },
            CircuitError::NotPositive {
                field: "input_gain",
                value: 0.0,
            },
        ),
        (
            chain(&[10_000, 10_000], Connectivity::AllToAll, 0),
            CircuitError::TooManyNeurons {
                neuron_count: 20_000,
                max: ncm_motifs::circuit::MAX_NEURONS,
            },
        ),
    ];
    for (config, expected) in cases {
        assert_eq!(config.build(), Err(expected.clone()), "{config:?}");
    }

    let feedback = |edit: fn(&mut FeedbackLoopConfig)| {
        let mut config = FeedbackLoopConfig::default();
        edit(&mut config);
        config.build()
    };
    assert_eq!(
        feedback(|c| c.from_layer = 3),
        Err(CircuitError::LayerOutOfRange {
            field: "from_layer",
            layer: 3,
            layer_count: 3
        })
    );
    assert_eq!(
        feedback(|c| c.to_layer = 5),
        Err(CircuitError::LayerOutOfRange {
            field: "to_layer",
            layer: 5,
            layer_count: 3
        })
    );
    assert_eq!(
        feedback(|c| c.to_layer = 2),
        Err(CircuitError::FeedbackNotBackward {
            from_layer: 2,
            to_layer: 2
        })
    );
    assert_eq!(
        feedback(|c| {
            c.sign = FeedbackSign::Inhibitory;
            c.interneuron_count = 0;
        }),
        Err(count_too_small("interneuron_count", 0, 1))
    );
    assert_eq!(
        feedback(|c| {
            c.sign = FeedbackSign::Inhibitory;
            c.feedback_connectivity = Connectivity::FixedFanIn { fan_in: 3 };
        }),
        Err(CircuitError::FanInTooLarge {
            field: "feedback_connectivity.fan_in",
            fan_in: 3,
            available: 2
        })
    );
    assert_eq!(
        feedback(|c| c.feedback_connectivity = Connectivity::FixedFanIn { fan_in: 0 }),
        Err(count_too_small("feedback_connectivity.fan_in", 0, 1))
    );
    assert_eq!(
        feedback(|c| c.feedback_strength = f64::INFINITY),
        Err(CircuitError::NotPositive {
            field: "feedback_strength",
            value: f64::INFINITY
        })
    );
    assert_eq!(
        feedback(|c| c.layer_sizes = vec![]),
        Err(count_too_small("layer_sizes (layer count)", 0, 2))
    );
}

#[test]
fn recurrent_and_lateral_errors() {
    let recurrent = |structure| {
        RecurrentExcitationConfig {
            structure,
            ..Default::default()
        }
        .build()
    };
    let assemblies = |assembly_count, assembly_size, p_within, p_between| {
        recurrent(RecurrentStructure::Assemblies {
            assembly_count,
            assembly_size,
            p_within,
            p_between,
        })
    };
    assert_eq!(
        recurrent(RecurrentStructure::ReciprocalPairs { pair_count: 0 }),
        Err(count_too_small("structure.pair_count", 0, 1))
    );
    assert_eq!(
        assemblies(0, 3, 0.5, 0.1),
        Err(count_too_small("structure.assembly_count", 0, 1))
    );
    assert_eq!(
        assemblies(2, 1, 0.5, 0.1),
        Err(count_too_small("structure.assembly_size", 1, 2))
    );
    assert_eq!(
        assemblies(2, 3, 1.5, 0.1),
        Err(CircuitError::NotProbability {
            field: "structure.p_within",
            value: 1.5
        })
    );
    let nan = assemblies(2, 3, 0.5, f64::NAN);
    assert!(
        matches!(
            nan,
            Err(CircuitError::NotProbability { field: "structure.p_between", value }) if value.is_nan()
        ),
        "{nan:?}"
    );

    let lateral = |structure, inhibition_ratio| {
        LateralInhibitionConfig {
            structure,
            inhibition_ratio,
            ..Default::default()
        }
        .build()
    };
    let winner = |excitatory_count, inhibitory_count| LateralStructure::WinnerTakeAll {
        excitatory_count,
        inhibitory_count,
    };
    let surround = |unit_count, centre_radius, surround_radius| LateralStructure::CentreSurround {
        unit_count,
        centre_radius,
        surround_radius,
    };
    assert_eq!(
        lateral(winner(1, 1), 2.0),
        Err(count_too_small("structure.excitatory_count", 1, 2))
    );
    assert_eq!(
        lateral(winner(3, 0), 2.0),
        Err(count_too_small("structure.inhibitory_count", 0, 1))
    );
    assert_eq!(
        lateral(winner(3, 1), -1.0),
        Err(CircuitError::NotPositive {
            field: "inhibition_ratio",
            value: -1.0
        })
    );
    assert_eq!(
        lateral(surround(2, 0, 1), 2.0),
        Err(count_too_small("structure.unit_count", 2, 3))
    );
    assert_eq!(
        lateral(surround(8, 2, 2), 2.0),
        Err(CircuitError::SurroundInsideCentre {
            centre_radius: 2,
            surround_radius: 2
        })
    );
    // On a ring of 5 the largest distance is 2, so a centre of radius 2 leaves no surround.
    assert_eq!(
        lateral(surround(5, 2, 3), 2.0),
        Err(count_too_small("structure.unit_count", 5, 6))
    );
}

#[test]
fn topographic_and_expansion_errors() {
    let map = |edit: fn(&mut TopographicMapConfig)| {
        let mut config = TopographicMapConfig::default();
        edit(&mut config);
        config.build()
    };
    fn sheet(width: usize, height: usize) -> MapLayout {
        MapLayout::Sheet {
            width,
            height,
            periodic: true,
        }
    }
    assert_eq!(
        map(|c| c.layout = MapLayout::Ring { neuron_count: 2 }),
        Err(count_too_small("layout.neuron_count", 2, 3))
    );
    assert_eq!(
        map(|c| c.layout = sheet(0, 4)),
        Err(count_too_small("layout.width", 0, 1))
    );
    assert_eq!(
        map(|c| c.layout = sheet(4, 0)),
        Err(count_too_small("layout.height", 0, 1))
    );
    assert_eq!(
        map(|c| c.layout = sheet(1, 1)),
        Err(count_too_small("layout (width × height)", 1, 2))
    );
    assert_eq!(
        map(|c| c.radius = 0.0),
        Err(CircuitError::NotPositive {
            field: "radius",
            value: 0.0
        })
    );
    assert_eq!(
        map(|c| c.peak_probability = -0.1),
        Err(CircuitError::NotProbability {
            field: "peak_probability",
            value: -0.1
        })
    );
    assert_eq!(
        map(|c| c.connection_sigma = Some(-2.0)),
        Err(CircuitError::NotPositive {
            field: "connection_sigma",
            value: -2.0
        })
    );
    assert_eq!(
        map(|c| c.weight_sigma = f64::NEG_INFINITY),
        Err(CircuitError::NotPositive {
            field: "weight_sigma",
            value: f64::NEG_INFINITY
        })
    );
    assert_eq!(
        map(|c| c.layout = sheet(200, 200)),
        Err(CircuitError::TooManyNeurons {
            neuron_count: 40_000,
            max: ncm_motifs::circuit::MAX_NEURONS
        })
    );

    let expansion = |edit: fn(&mut DimensionalityExpansionConfig)| {
        let mut config = DimensionalityExpansionConfig::default();
        edit(&mut config);
        config.build()
    };
    assert_eq!(
        expansion(|c| c.input_count = 0),
        Err(count_too_small("input_count", 0, 1))
    );
    assert_eq!(
        expansion(|c| c.expansion_count = 0),
        Err(count_too_small("expansion_count", 0, 1))
    );
    assert_eq!(
        expansion(|c| c.inputs_per_unit = 0),
        Err(count_too_small("inputs_per_unit", 0, 1))
    );
    assert_eq!(
        expansion(|c| c.inputs_per_unit = 5),
        Err(CircuitError::FanInTooLarge {
            field: "inputs_per_unit",
            fan_in: 5,
            available: 4
        })
    );
    assert_eq!(
        expansion(|c| c.inhibition_ratio = 0.0),
        Err(CircuitError::NotPositive {
            field: "inhibition_ratio",
            value: 0.0
        })
    );
    assert_eq!(
        expansion(|c| c.input_gain = f64::NAN).map_err(|e| matches!(
            e,
            CircuitError::NotPositive {
                field: "input_gain",
                ..
            }
        )),
        Err(true)
    );
}

#[test]
fn error_messages_name_field_and_fix() {
    let message = count_too_small("structure.pair_count", 0, 1).to_string();
    assert_eq!(message, "invalid structure.pair_count = 0: use at least 1");
    let message = CircuitError::FanInTooLarge {
        field: "inputs_per_unit",
        fan_in: 5,
        available: 4,
    }
    .to_string();
    assert!(message.contains("inputs_per_unit = 5"), "{message}");
    assert!(message.contains("lower the fan-in"), "{message}");
}
