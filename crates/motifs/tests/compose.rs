//! Composition checks: triad counts that planted motifs add to an empty background (derived
//! by hand), labelling of motif and background arcs, cell types, seeding and every invalid
//! placement or background parameter.

use std::collections::{BTreeSet, HashSet};

use ncm_motifs::{
    BackgroundConfig, BackgroundModel, CellType, Circuit, CircuitError, CompositionConfig,
    DEFAULT_INPUT_GAIN, FeedbackLoopConfig, FeedforwardChainConfig, LateralInhibitionConfig,
    LateralStructure, MotifConfig, MotifKind, MotifPlacement, PlantedMotif,
    RecurrentExcitationConfig, RecurrentStructure, example_circuit, plant, triad_census,
};

/// Census as `(class, count)` pairs for every non-zero class.
fn nonzero_census(circuit: &Circuit) -> Vec<(&'static str, u64)> {
    let census = triad_census(circuit.graph()).unwrap();
    census.iter().filter(|&(_, count)| count > 0).collect()
}

fn empty_background(neuron_count: usize) -> BackgroundConfig {
    BackgroundConfig {
        neuron_count,
        model: BackgroundModel::ErdosRenyi { p: 0.0 },
        ..Default::default()
    }
}

/// Builds the feedforward loop A -> B -> C, A -> C, labelled as one planted motif.
fn feedforward_loop() -> Circuit {
    let e = CellType::Excitatory;
    let mut weights = vec![0.0; 9];
    for (pre, post) in [(0, 1), (1, 2), (0, 2)] {
        weights[post * 3 + pre] = 0.5;
    }
    let arcs = vec![(0, 1), (0, 2), (1, 2)];
    Circuit::new(weights, vec![e, e, e])
        .unwrap()
        .with_motifs(vec![PlantedMotif {
            kind: MotifKind::FeedforwardChain,
            nodes: vec![0, 1, 2],
            arcs,
        }])
        .unwrap()
}

fn single_neuron_chain() -> MotifConfig {
    MotifConfig::FeedforwardChain(FeedforwardChainConfig {
        layer_sizes: vec![1, 1, 1],
        ..Default::default()
    })
}

fn three_cycle() -> MotifConfig {
    MotifConfig::FeedbackLoop(FeedbackLoopConfig {
        layer_sizes: vec![1, 1, 1],
        ..Default::default()
    })
}

fn reciprocal_pair() -> MotifConfig {
    MotifConfig::RecurrentExcitation(RecurrentExcitationConfig {
        structure: RecurrentStructure::ReciprocalPairs { pair_count: 1 },
        ..Default::default()
    })
}

fn placed(motif: MotifConfig, nodes: Option<Vec<usize>>) -> MotifPlacement {
    MotifPlacement { motif, nodes }
}

#[test]
fn feedforward_loop_adds_one_030t() {
    let motif = feedforward_loop();
    let circuit = plant(&empty_background(10), &[(&motif, Some(&[2, 5, 7]))]).unwrap();

    let arcs: BTreeSet<(usize, usize)> = circuit.graph().edges().collect();
    assert_eq!(arcs, BTreeSet::from([(2, 5), (2, 7), (5, 7)]));
    // Each of the 3 arcs with each of the 7 other nodes is a 012 triad.
    // C(10, 3) = 120, so 120 - 1 - 21 = 98 triads stay empty.
    assert_eq!(
        nonzero_census(&circuit),
        vec![("003", 98), ("012", 21), ("030T", 1)]
    );
    assert_eq!(circuit.motifs()[0].nodes, vec![2, 5, 7]);
    assert_eq!(circuit.motifs()[0].arcs, vec![(2, 5), (2, 7), (5, 7)]);
}

#[test]
fn random_placement_of_chain_adds_one_021c() {
    for seed in 0..5 {
        let config = CompositionConfig {
            background: BackgroundConfig {
                seed,
                ..empty_background(12)
            },
            motifs: vec![placed(single_neuron_chain(), None)],
        };
        let circuit = config.build().unwrap();
        // C(12, 3) = 220; the 2 arcs with each of the 9 other nodes give 18 triads of 012.
        assert_eq!(
            nonzero_census(&circuit),
            vec![("003", 201), ("012", 18), ("021C", 1)],
            "seed {seed}"
        );
        let nodes = &circuit.motifs()[0].nodes;
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes.iter().collect::<HashSet<_>>().len(), 3);
        assert_eq!(
            circuit.motifs()[0].arcs,
            vec![(nodes[0], nodes[1]), (nodes[1], nodes[2])]
        );
    }
}

#[test]
fn several_motifs_add_their_triads() {
    let config = CompositionConfig {
        background: empty_background(8),
        motifs: vec![
            placed(three_cycle(), None),
            placed(reciprocal_pair(), None),
            placed(
                MotifConfig::LateralInhibition(LateralInhibitionConfig {
                    structure: LateralStructure::WinnerTakeAll {
                        excitatory_count: 2,
                        inhibitory_count: 1,
                    },
                    ..Default::default()
                }),
                None,
            ),
        ],
    };
    let circuit = config.build().unwrap();

    // Cycle (3 nodes), pair (2) and winner-take-all (3: two units, each reciprocally joined
    // to the pool neuron) fill all 8 nodes, with no arcs between motifs.
    // 030C: the cycle. 201: the winner-take-all triple.
    // 012: a cycle arc with one of the 5 nodes outside the cycle (3 × 5 = 15).
    // 102: the pair with one of 6 other nodes (6), plus a reciprocal unit-pool pair with one
    //      of the 5 nodes outside the winner-take-all (2 × 5 = 10).
    // C(8, 3) = 56, so 56 - 1 - 1 - 15 - 16 = 23 triads stay empty.
    assert_eq!(
        nonzero_census(&circuit),
        vec![
            ("003", 23),
            ("012", 15),
            ("102", 16),
            ("030C", 1),
            ("201", 1)
        ]
    );
    let kinds: Vec<MotifKind> = circuit.motifs().iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![
            MotifKind::FeedbackLoop,
            MotifKind::RecurrentExcitation,
            MotifKind::LateralInhibition
        ]
    );
}

fn busy_config(seed: u64) -> CompositionConfig {
    let placements = [
        (MotifKind::FeedforwardChain, Some((10..22).collect())),
        (MotifKind::LateralInhibition, None),
        (MotifKind::DimensionalityExpansion, None),
        (MotifKind::TopographicMap, None),
    ];
    CompositionConfig {
        background: BackgroundConfig {
            neuron_count: 80,
            model: BackgroundModel::ErdosRenyi { p: 0.2 },
            seed,
            ..Default::default()
        },
        motifs: placements
            .into_iter()
            .map(|(kind, nodes)| placed(MotifConfig::default_for(kind), nodes))
            .collect(),
    }
}

#[test]
fn motif_and_background_arcs_are_disjoint() {
    let config = busy_config(4);
    let circuit = config.build().unwrap();
    let all: BTreeSet<(usize, usize)> = circuit.graph().edges().collect();
    let background: BTreeSet<(usize, usize)> = circuit.background_arcs().into_iter().collect();
    assert!(!background.is_empty());

    let mut union = background.clone();
    for (index, motif) in circuit.motifs().iter().enumerate() {
        let original = config.motifs[index].motif.build().unwrap();
        assert_eq!(motif.kind, config.motifs[index].motif.kind());
        assert_eq!(
            motif.arcs.len(),
            original.graph().edge_count(),
            "motif {index}"
        );

        let members: HashSet<usize> = motif.nodes.iter().copied().collect();
        assert_eq!(members.len(), original.neuron_count(), "motif {index}");
        let motif_arcs: BTreeSet<(usize, usize)> = motif.arcs.iter().copied().collect();
        // Inside a motif, the circuit has exactly the motif's arcs and no background arc.
        let inside: BTreeSet<(usize, usize)> = all
            .iter()
            .copied()
            .filter(|(pre, post)| members.contains(pre) && members.contains(post))
            .collect();
        assert_eq!(inside, motif_arcs, "motif {index}");
        assert!(motif_arcs.is_disjoint(&background), "motif {index}");

        let relabelled: BTreeSet<(usize, usize)> = original
            .graph()
            .edges()
            .map(|(pre, post)| (motif.nodes[pre], motif.nodes[post]))
            .collect();
        assert_eq!(relabelled, motif_arcs, "motif {index}");
        for (v, &node) in motif.nodes.iter().enumerate() {
            assert_eq!(circuit.cell_types()[node], original.cell_types()[v]);
        }
        union.extend(motif_arcs);
    }
    assert_eq!(union, all);
    assert_eq!(circuit.motifs()[0].nodes, (10..22).collect::<Vec<_>>());

    let mut seen = HashSet::new();
    for node in circuit.motifs().iter().flat_map(|m| &m.nodes) {
        assert!(seen.insert(*node), "node {node} is in two motifs");
    }
}

#[test]
fn weights_obey_dale_and_gain() {
    let circuit = busy_config(1).build().unwrap();
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
    let gain = circuit.max_input_sum();
    assert!((gain - DEFAULT_INPUT_GAIN).abs() < 1e-12, "{gain}");
}

#[test]
fn weights_keep_their_ratios() {
    let circuit = busy_config(2).build().unwrap();
    let n = circuit.neuron_count();
    let inhibitory_background = circuit
        .background_arcs()
        .into_iter()
        .find(|&(pre, _)| circuit.cell_types()[pre] == CellType::Inhibitory)
        .unwrap();
    let excitatory_background = circuit
        .background_arcs()
        .into_iter()
        .find(|&(pre, _)| circuit.cell_types()[pre] == CellType::Excitatory)
        .unwrap();
    let weight = |(pre, post): (usize, usize)| circuit.weights()[post * n + pre];
    let ratio = weight(inhibitory_background) / weight(excitatory_background);
    assert!((ratio + 4.0).abs() < 1e-12, "{ratio}");

    // The default winner-take-all has unit -> pool weight 1/6 and pool -> unit weight -2/2
    // before scaling, a ratio of -6 that planting keeps.
    let wta = &circuit.motifs()[1];
    let (unit, pool) = (wta.nodes[0], wta.nodes[6]);
    let ratio = weight((pool, unit)) / weight((unit, pool));
    assert!((ratio + 6.0).abs() < 1e-12, "{ratio}");

    // Motif weights have mean magnitude equal to one excitatory background synapse.
    let chain = &circuit.motifs()[0];
    let mean: f64 =
        chain.arcs.iter().map(|&arc| weight(arc).abs()).sum::<f64>() / chain.arcs.len() as f64;
    assert!((mean / weight(excitatory_background) - 1.0).abs() < 1e-12);
}

#[test]
fn background_cell_type_count_is_exact() {
    for (neuron_count, fraction, inhibitory) in
        [(50, 0.2, 10), (7, 0.5, 4), (9, 0.0, 0), (9, 1.0, 9)]
    {
        let background = BackgroundConfig {
            neuron_count,
            inhibitory_fraction: fraction,
            ..Default::default()
        };
        let circuit = CompositionConfig {
            background,
            motifs: vec![],
        }
        .build()
        .unwrap();
        let count = circuit
            .cell_types()
            .iter()
            .filter(|&&t| t == CellType::Inhibitory)
            .count();
        assert_eq!(count, inhibitory, "{neuron_count} × {fraction}");
        assert!(circuit.motifs().is_empty());
    }
}

/// 100 nodes give 9900 ordered pairs; with p = 0.3 the arc count has mean 2970 and standard
/// deviation √(9900 × 0.3 × 0.7) ≈ 45.6. The test allows 5 of them.
#[test]
fn erdos_renyi_density() {
    let background = BackgroundConfig {
        neuron_count: 100,
        model: BackgroundModel::ErdosRenyi { p: 0.3 },
        seed: 9,
        ..Default::default()
    };
    let circuit = plant(&background, &[]).unwrap();
    let arcs = circuit.graph().edge_count() as f64;
    assert!((arcs - 2970.0).abs() < 5.0 * 45.6, "{arcs} arcs");
    assert!(circuit.positions().is_none());
}

#[test]
fn distance_dependent_background_is_local() {
    let background = BackgroundConfig {
        neuron_count: 400,
        model: BackgroundModel::DistanceDependent {
            peak_probability: 1.0,
            sigma: 1.0,
        },
        seed: 5,
        ..Default::default()
    };
    let circuit = plant(&background, &[]).unwrap();

    let positions = circuit.positions().unwrap();
    assert_eq!(positions.len(), 400);
    for p in positions {
        assert!(
            (0.0..20.0).contains(&p[0]) && (0.0..20.0).contains(&p[1]),
            "{p:?}"
        );
    }
    // With p(d) = exp(-d² / 2), an arc longer than 6 spacings has probability below 1.6e-8
    // per pair, so among 159600 pairs none is expected.
    let distance = |a: usize, b: usize| {
        (positions[a][0] - positions[b][0]).hypot(positions[a][1] - positions[b][1])
    };
    assert!(circuit.graph().edge_count() > 0);
    for (pre, post) in circuit.graph().edges() {
        assert!(distance(pre, post) < 6.0, "{pre} -> {post}");
    }
    // The mean number of arcs per node is ∫ exp(-d² / 2) dA = 2π over the plane, less near the
    // border of the 20 × 20 square, so it lies between 4.5 and 2π.
    let mean_degree = circuit.graph().edge_count() as f64 / 400.0;
    assert!((4.5..6.9).contains(&mean_degree), "{mean_degree}");
}

#[test]
fn same_seed_same_composition() {
    let first = busy_config(7).build().unwrap();
    assert_eq!(first, busy_config(7).build().unwrap());
    let other = busy_config(8).build().unwrap();
    assert_ne!(first.weights(), other.weights());
    assert_ne!(first.motifs()[1].nodes, other.motifs()[1].nodes);
}

/// Euler steps of `dx/dt = -x + W tanh(x) + I`, as in the generator tests: with a largest
/// input sum of 0.9 two starting points meet within 1e-9 after 6000 steps of 0.05.
#[test]
fn composed_rate_dynamics_converge() {
    let circuit = busy_config(3).build().unwrap();
    let n = circuit.neuron_count();
    let w = circuit.weights();
    let mut states = [
        vec![2.0; n],
        (0..n).map(|i| -3.0 + 0.1 * i as f64).collect(),
    ];
    for _ in 0..6000 {
        for x in &mut states {
            let rates: Vec<f64> = x.iter().map(|v| v.tanh()).collect();
            for post in 0..n {
                let drive: f64 = (0..n).map(|pre| w[post * n + pre] * rates[pre]).sum();
                x[post] += 0.05 * (-x[post] + drive + 0.5);
            }
        }
    }
    for (a, b) in states[0].iter().zip(&states[1]) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
}

#[test]
fn example_of_each_kind_plants() {
    let circuits: Vec<Circuit> = MotifKind::ALL
        .iter()
        .map(|&kind| example_circuit(kind, 0).unwrap())
        .collect();
    let motifs: Vec<(&Circuit, Option<&[usize]>)> = circuits.iter().map(|c| (c, None)).collect();
    let background = BackgroundConfig {
        neuron_count: 120,
        ..Default::default()
    };
    let circuit = plant(&background, &motifs).unwrap();
    assert_eq!(circuit.motifs().len(), 6);
    let motif_arcs: usize = circuit.motifs().iter().map(|m| m.arcs.len()).sum();
    let expected: usize = circuits.iter().map(|c| c.graph().edge_count()).sum();
    assert_eq!(motif_arcs, expected);
}

#[test]
fn placement_errors() {
    let build = |motifs: Vec<MotifPlacement>, neuron_count| {
        CompositionConfig {
            background: empty_background(neuron_count),
            motifs,
        }
        .build()
    };
    assert_eq!(
        build(vec![placed(three_cycle(), Some(vec![0, 1]))], 10),
        Err(CircuitError::PlacementLength {
            motif: 0,
            len: 2,
            expected: 3
        })
    );
    assert_eq!(
        build(vec![placed(three_cycle(), Some(vec![0, 1, 10]))], 10),
        Err(CircuitError::PlacementOutOfRange {
            motif: 0,
            node: 10,
            neuron_count: 10
        })
    );
    assert_eq!(
        build(vec![placed(three_cycle(), Some(vec![4, 1, 4]))], 10),
        Err(CircuitError::PlacementOverlap { motif: 0, node: 4 })
    );
    assert_eq!(
        build(
            vec![
                placed(three_cycle(), Some(vec![0, 1, 2])),
                placed(reciprocal_pair(), Some(vec![3, 2])),
            ],
            10
        ),
        Err(CircuitError::PlacementOverlap { motif: 1, node: 2 })
    );
    assert_eq!(
        build(
            vec![placed(three_cycle(), None), placed(three_cycle(), None)],
            5
        ),
        Err(CircuitError::NotEnoughNodes {
            needed: 6,
            neuron_count: 5
        })
    );

    let unlabelled = Circuit::new(vec![0.0, 1.0, 0.0, 0.0], vec![CellType::Excitatory; 2]).unwrap();
    assert_eq!(
        plant(&empty_background(4), &[(&unlabelled, None)]),
        Err(CircuitError::UnlabelledMotif { motif: 0 })
    );

    let bad_motif = placed(
        MotifConfig::FeedforwardChain(FeedforwardChainConfig {
            layer_sizes: vec![2],
            ..Default::default()
        }),
        None,
    );
    assert_eq!(
        build(vec![bad_motif], 10),
        Err(CircuitError::CountTooSmall {
            field: "layer_sizes (layer count)",
            value: 1,
            min: 2
        })
    );
}

#[test]
fn background_errors() {
    let build = |edit: fn(&mut BackgroundConfig)| {
        let mut background = BackgroundConfig::default();
        edit(&mut background);
        plant(&background, &[])
    };
    let not_positive = |field, value| Err(CircuitError::NotPositive { field, value });
    let not_probability = |field, value| Err(CircuitError::NotProbability { field, value });

    assert_eq!(
        build(|b| b.neuron_count = 0),
        Err(CircuitError::CountTooSmall {
            field: "neuron_count",
            value: 0,
            min: 1
        })
    );
    assert_eq!(
        build(|b| b.neuron_count = 20_000),
        Err(CircuitError::TooManyNeurons {
            neuron_count: 20_000,
            max: ncm_motifs::circuit::MAX_NEURONS
        })
    );
    assert_eq!(
        build(|b| b.model = BackgroundModel::ErdosRenyi { p: 1.2 }),
        not_probability("model.p", 1.2)
    );
    assert_eq!(
        build(|b| {
            b.model = BackgroundModel::DistanceDependent {
                peak_probability: -0.5,
                sigma: 1.0,
            }
        }),
        not_probability("model.peak_probability", -0.5)
    );
    assert_eq!(
        build(|b| {
            b.model = BackgroundModel::DistanceDependent {
                peak_probability: 0.5,
                sigma: 0.0,
            }
        }),
        not_positive("model.sigma", 0.0)
    );
    assert_eq!(
        build(|b| b.inhibitory_fraction = 2.0),
        not_probability("inhibitory_fraction", 2.0)
    );
    assert_eq!(
        build(|b| b.inhibition_ratio = -4.0),
        not_positive("inhibition_ratio", -4.0)
    );
    assert_eq!(
        build(|b| b.motif_weight = 0.0),
        not_positive("motif_weight", 0.0)
    );
    assert_eq!(
        build(|b| b.input_gain = f64::INFINITY),
        not_positive("input_gain", f64::INFINITY)
    );
}

#[test]
fn repeated_motif_node_is_rejected() {
    let e = CellType::Excitatory;
    let circuit = Circuit::new(vec![0.0, 1.0, 0.0, 0.0], vec![e, e]).unwrap();
    let motif = PlantedMotif {
        kind: MotifKind::FeedforwardChain,
        nodes: vec![1, 1],
        arcs: vec![],
    };
    assert_eq!(
        circuit.with_motifs(vec![motif]),
        Err(CircuitError::MotifNodeRepeated { motif: 0, node: 1 })
    );
}

#[test]
fn composition_reads_toml_like_json() {
    let json = r#"{
        "background": {"neuron_count": 20, "model": {"type": "erdos_renyi", "p": 0.05}},
        "motifs": [
            {"motif": {"kind": "feedback_loop", "layer_sizes": [1, 1, 1]}, "nodes": [3, 4, 5]},
            {"motif": {"kind": "lateral_inhibition"}}
        ]
    }"#;
    let config: CompositionConfig = serde_json::from_str(json).unwrap();
    assert_eq!(config.background.inhibitory_fraction, 0.2);
    assert_eq!(config.motifs[1].nodes, None);
    let circuit = config.build().unwrap();
    assert_eq!(circuit.motifs()[0].nodes, vec![3, 4, 5]);
    assert_eq!(circuit.motifs()[1].nodes.len(), 8);
}
