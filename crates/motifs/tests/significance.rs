//! Triad significance checks: reproducibility, a planted motif, degenerate nulls, bad config.

use ncm_motifs::{
    BI_FAN_ARCS, CENSUS4_CLASS_COUNT, DiGraph, MotifError, NullConfig, NullModel, Sign,
    SignedDiGraph, TRIAD_CLASSES, census4_class_of_arcs, census4_significance,
    significance_profile, triad_class_index, triad_significance,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Random background arcs plus `loop_count` planted feed-forward loops `a -> b -> c, a -> c`.
fn graph_with_feed_forward_loops(
    node_count: usize,
    background: usize,
    loop_count: usize,
) -> DiGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut edges = Vec::new();
    for _ in 0..background {
        edges.push((
            rng.random_range(0..node_count),
            rng.random_range(0..node_count),
        ));
    }
    for _ in 0..loop_count {
        let a = rng.random_range(0..node_count);
        let b = rng.random_range(0..node_count);
        let c = rng.random_range(0..node_count);
        edges.extend([(a, b), (b, c), (a, c)]);
    }
    DiGraph::from_edges(node_count, &edges).unwrap()
}

fn small_config(model: NullModel) -> NullConfig {
    NullConfig {
        model,
        samples: 20,
        switches_per_edge: 5.0,
        seed: 9,
    }
}

#[test]
fn significance_is_deterministic() {
    let graph = graph_with_feed_forward_loops(60, 150, 20);
    for model in [NullModel::DegreePreserving, NullModel::MutualPreserving] {
        let config = small_config(model);
        let first = triad_significance(&graph, &config).unwrap();
        let second = triad_significance(&graph, &config).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one_thread = pool
            .install(|| triad_significance(&graph, &config))
            .unwrap();
        assert_eq!(first, second, "{model:?}");
        assert_eq!(first, one_thread, "{model:?}");
    }
}

#[test]
fn significance_depends_on_seed() {
    let graph = graph_with_feed_forward_loops(60, 150, 20);
    let config = small_config(NullModel::DegreePreserving);
    let first = triad_significance(&graph, &config).unwrap();
    let reseeded = triad_significance(&graph, &NullConfig { seed: 10, ..config }).unwrap();
    assert_ne!(first.classes, reseeded.classes);
}

#[test]
fn planted_feed_forward_loops_are_over_represented() {
    let graph = graph_with_feed_forward_loops(300, 600, 150);
    let config = NullConfig {
        samples: 30,
        ..NullConfig::default()
    };
    let result = triad_significance(&graph, &config).unwrap();
    let transitive = &result.classes[triad_class_index("030T").unwrap()];

    assert_eq!(transitive.class, "030T");
    let z_score = transitive.z_score.expect("030T varies across null graphs");
    assert!(z_score > 10.0, "030T: {transitive:?}");
    assert_eq!(transitive.p_over, 1.0 / 31.0);
    assert_eq!(transitive.p_under, 1.0);
    assert!(result.switches.accepted > 0);
}

#[test]
fn significance_fields_are_consistent() {
    let graph = graph_with_feed_forward_loops(60, 150, 20);
    let result = triad_significance(&graph, &small_config(NullModel::MutualPreserving)).unwrap();
    assert_eq!(result.classes.len(), 16);
    for (entry, name) in result.classes.iter().zip(TRIAD_CLASSES) {
        assert_eq!(entry.class, name);
        assert_eq!(Some(entry.observed), result.observed.count(name));
        assert!(entry.null_std >= 0.0, "{entry:?}");
        assert!(entry.p_over > 0.0, "{entry:?}");
        assert!(entry.p_over <= 1.0, "{entry:?}");
        assert!(entry.p_under > 0.0, "{entry:?}");
        assert!(entry.p_under <= 1.0, "{entry:?}");
        assert!(entry.p_over + entry.p_under >= 1.0, "{entry:?}");
    }
}

#[test]
fn constant_null_gives_no_z_score() {
    // No arcs can be switched, so every null graph equals the observed one.
    let graph = DiGraph::from_edges(6, &[(0, 1)]).unwrap();
    let result = triad_significance(
        &graph,
        &NullConfig {
            samples: 5,
            ..NullConfig::default()
        },
    )
    .unwrap();
    for entry in &result.classes {
        assert_eq!(entry.z_score, None, "{entry:?}");
        assert_eq!(entry.null_std, 0.0, "{entry:?}");
        assert_eq!(entry.null_mean, entry.observed as f64, "{entry:?}");
        assert_eq!(entry.p_over, 1.0, "{entry:?}");
    }
    let json = serde_json::to_value(&result).unwrap();
    assert!(json["classes"][0]["z_score"].is_null());
    assert_eq!(json["classes"][1]["class"], "012");
}

#[test]
fn config_rejects_too_few_samples() {
    let graph = DiGraph::from_edges(3, &[(0, 1)]).unwrap();
    for samples in [0, 1] {
        let config = NullConfig {
            samples,
            ..NullConfig::default()
        };
        let error = triad_significance(&graph, &config).unwrap_err();
        assert_eq!(error, MotifError::InvalidSamples { samples });
    }
}

#[test]
fn config_rejects_bad_switches_per_edge() {
    let graph = DiGraph::from_edges(3, &[(0, 1)]).unwrap();
    for value in [0.0, -2.0, f64::NAN, f64::NEG_INFINITY] {
        let config = NullConfig {
            switches_per_edge: value,
            ..NullConfig::default()
        };
        let error = config.validate().unwrap_err();
        assert!(
            matches!(error, MotifError::InvalidSwitchesPerEdge { .. }),
            "{value}: {error:?}"
        );
        assert!(triad_significance(&graph, &config).is_err());
    }
}

#[test]
fn default_config_is_valid() {
    let config = NullConfig::default();
    assert_eq!(config.samples, 100);
    assert_eq!(config.switches_per_edge, 10.0);
    assert_eq!(config.model, NullModel::DegreePreserving);
    assert!(config.validate().is_ok());
}

#[test]
fn significance_profile_has_unit_norm() {
    let graph = graph_with_feed_forward_loops(60, 150, 20);
    for model in [NullModel::MutualPreserving, NullModel::ErdosRenyi] {
        let result = triad_significance(&graph, &small_config(model)).unwrap();
        let profile: Vec<f64> = result
            .significance_profile
            .iter()
            .flatten()
            .copied()
            .collect();
        let norm = profile.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-12, "{model:?}: norm {norm}");
        // 003, 012 and 102 are left out as in Milo et al. 2004.
        assert!(result.significance_profile[..3].iter().all(Option::is_none));
        for (entry, value) in result.classes.iter().zip(&result.significance_profile) {
            if let (Some(z), Some(sp)) = (entry.z_score, value) {
                assert_eq!(z.signum(), sp.signum(), "{model:?} {}", entry.class);
            }
        }
    }
}

#[test]
fn significance_profile_matches_closed_form() {
    // (3, 4) / 5 and a zero entry.
    let profile = significance_profile(&[3.0, -4.0, 0.0]).unwrap();
    assert_eq!(profile, vec![0.6, -0.8, 0.0]);
    // Huge z-scores do not overflow the squares.
    let profile = significance_profile(&[1e200, 1e200]).unwrap();
    assert!((profile[0] - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-15);
}

#[test]
fn significance_profile_rejects_bad_input() {
    assert_eq!(
        significance_profile(&[]).unwrap_err(),
        MotifError::EmptyProfile
    );
    assert_eq!(
        significance_profile(&[0.0, 0.0]).unwrap_err(),
        MotifError::ZeroProfile { count: 2 }
    );
    assert!(matches!(
        significance_profile(&[1.0, f64::NAN]),
        Err(MotifError::NonFiniteZScore { index: 1, .. })
    ));
}

#[test]
fn census4_significance_finds_planted_bi_fans() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut edges = Vec::new();
    for _ in 0..200 {
        edges.push((rng.random_range(0..200), rng.random_range(0..200)));
    }
    for _ in 0..40 {
        let [a, b, c, d] = [0; 4].map(|_| rng.random_range(0..200_usize));
        edges.extend([(a, c), (a, d), (b, c), (b, d)]);
    }
    let graph = DiGraph::from_edges(200, &edges).unwrap();
    let result = census4_significance(&graph, &small_config(NullModel::MutualPreserving)).unwrap();
    let bi_fan = census4_class_of_arcs(&BI_FAN_ARCS).unwrap();
    let entry = &result.classes[bi_fan];
    assert!(entry.z_score.unwrap() > 3.0, "{entry:?}");
    let profile: Vec<f64> = result
        .significance_profile
        .iter()
        .flatten()
        .copied()
        .collect();
    let norm = profile.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-12, "norm {norm}");
    assert_eq!(result.classes.len(), CENSUS4_CLASS_COUNT);
}

#[test]
fn sign_preserving_significance_needs_signs() {
    let graph = graph_with_feed_forward_loops(30, 60, 5);
    let config = small_config(NullModel::SignPreserving);
    assert_eq!(
        triad_significance(&graph, &config).unwrap_err(),
        MotifError::SignsRequired {
            model: "sign-preserving"
        }
    );
    let edges: Vec<(usize, usize, Sign)> = graph
        .edges()
        .map(|(s, t)| {
            (
                s,
                t,
                if (s + t) % 4 == 0 {
                    Sign::Inhibitory
                } else {
                    Sign::Excitatory
                },
            )
        })
        .collect();
    let signed = SignedDiGraph::from_signed_edges(30, &edges).unwrap();
    let result = triad_significance(&signed, &config).unwrap();
    assert_eq!(result.observed, ncm_motifs::triad_census(&graph).unwrap());
    assert!(result.switches.accepted > 0);
}
