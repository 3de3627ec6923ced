//! Edge-recovery scores, correlations, Benjamini-Hochberg and graph construction against
//! values from scikit-learn, SciPy and statsmodels, hand-worked cases, and typed errors.

use ncm_mapping::{
    ArcWeights, Direction, EdgeSelection, MappingError, Orientation, WeightSign, auroc,
    average_precision, benjamini_hochberg, digraph_from_adjacency, edge_recovery, pearson,
    profile_distance, spearman, to_digraph, weight_correlation,
};
use ncm_motifs::{DiGraph, NullConfig, triad_significance};

const TOL: f64 = 1e-12;

fn labels(bits: &[u8]) -> Vec<bool> {
    bits.iter().map(|&b| b == 1).collect()
}

/// Values from scikit-learn 1.9.1: `roc_auc_score(y, s)` and `average_precision_score(y, s)`
/// with `s = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1]`,
/// `y = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0]` (ties at 0.8 and 0.5 across classes), and with
/// `s = [0.1, 0.4, 0.35, 0.8, 0.65, 0.2, 0.9, 0.55]`, `y = [0, 0, 1, 1, 0, 1, 1, 0]`.
#[test]
fn auroc_and_average_precision_match_scikit_learn() -> anyhow::Result<()> {
    let scores = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1];
    let y = labels(&[1, 1, 0, 1, 0, 1, 0, 0, 1, 0]);
    assert!((auroc(&scores, &y)? - 0.7).abs() < TOL);
    assert!((average_precision(&scores, &y)? - 0.7087301587301587).abs() < TOL);

    let scores = [0.1, 0.4, 0.35, 0.8, 0.65, 0.2, 0.9, 0.55];
    let y = labels(&[0, 0, 1, 1, 0, 1, 1, 0]);
    assert!((auroc(&scores, &y)? - 0.625).abs() < TOL);
    assert!((average_precision(&scores, &y)? - 0.7678571428571428).abs() < TOL);
    Ok(())
}

#[test]
fn perfect_reversed_and_tied_scores_give_closed_forms() -> anyhow::Result<()> {
    let y = labels(&[1, 1, 0, 0, 0]);
    let perfect = [5.0, 4.0, 3.0, 2.0, 1.0];
    let reversed = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(auroc(&perfect, &y)?, 1.0);
    assert_eq!(average_precision(&perfect, &y)?, 1.0);
    assert_eq!(auroc(&reversed, &y)?, 0.0);
    // Positives at ranks 4 and 5 from the top: AP = (1/4 + 2/5) / 2.
    assert!((average_precision(&reversed, &y)? - 0.325).abs() < TOL);
    // All scores tied: AUROC 1/2 and AP equal to the positive rate.
    let tied = [1.0; 5];
    assert_eq!(auroc(&tied, &y)?, 0.5);
    assert!((average_precision(&tied, &y)? - 0.4).abs() < TOL);
    Ok(())
}

/// SciPy 1.17.1: `pearsonr(x, z)[0]` and `spearmanr(x, z)[0]` for the vectors below (x has a tie).
#[test]
fn correlations_match_scipy() -> anyhow::Result<()> {
    let x = [1.0, 2.5, 2.5, 4.0, 7.0, 3.0, -1.0];
    let z = [2.0, 3.0, 1.0, 8.0, 6.0, 3.0, 0.5];
    assert!((pearson(&x, &z)? - 0.7588874729706315).abs() < TOL);
    assert!((spearman(&x, &z)? - 0.8818181818181818).abs() < TOL);
    Ok(())
}

/// statsmodels 0.15.0: `multipletests([0.01, 0.04, 0.03, 0.20, 0.005, 0.5], method="fdr_bh")[1]`.
#[test]
fn benjamini_hochberg_matches_statsmodels() -> anyhow::Result<()> {
    let adjusted = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.20, 0.005, 0.5])?;
    let expected = [0.03, 0.06, 0.06, 0.24, 0.03, 0.5];
    for (a, e) in adjusted.iter().zip(expected) {
        assert!((a - e).abs() < TOL, "{adjusted:?}");
    }
    Ok(())
}

#[test]
fn attention_rows_are_read_as_incoming_arcs() -> anyhow::Result<()> {
    // Token 0 attends to token 1 and token 2 to token 0: arcs 1 -> 0 and 0 -> 2.
    let attention = [0.0, 0.9, 0.1, 0.2, 0.0, 0.3, 0.8, 0.1, 0.0];
    let weights =
        ArcWeights::from_matrix(&attention, 3, Orientation::TargetRow, WeightSign::Signed)?;
    assert_eq!(weights.get(1, 0), 0.9);
    assert_eq!(weights.get(0, 2), 0.8);
    let graph = to_digraph(&weights, EdgeSelection::TopKIncoming(1))?;
    let arcs: Vec<_> = graph.edges().collect();
    assert_eq!(arcs, vec![(0, 2), (1, 0), (2, 1)]);
    let graph = to_digraph(&weights, EdgeSelection::Threshold(0.5))?;
    assert_eq!(graph.edges().collect::<Vec<_>>(), vec![(0, 2), (1, 0)]);
    let graph = to_digraph(&weights, EdgeSelection::TopKGlobal(3))?;
    assert_eq!(
        graph.edges().collect::<Vec<_>>(),
        vec![(0, 2), (1, 0), (2, 1)]
    );
    let graph = to_digraph(&weights, EdgeSelection::TopKOutgoing(1))?;
    assert_eq!(
        graph.edges().collect::<Vec<_>>(),
        vec![(0, 2), (1, 0), (2, 1)]
    );
    Ok(())
}

#[test]
fn couplings_are_symmetrised_and_signs_follow_the_choice() -> anyhow::Result<()> {
    let coupling = [0.0, -0.8, 0.2, -0.4, 0.0, 0.1, 0.2, 0.1, 0.0];
    let absolute =
        ArcWeights::from_matrix(&coupling, 3, Orientation::Symmetric, WeightSign::Absolute)?;
    assert!((absolute.get(0, 1) - 0.6).abs() < TOL);
    assert!((absolute.get(1, 0) - 0.6).abs() < TOL);
    let signed = ArcWeights::from_matrix(&coupling, 3, Orientation::Symmetric, WeightSign::Signed)?;
    assert!((signed.get(1, 0) + 0.6).abs() < TOL);
    let graph = to_digraph(&absolute, EdgeSelection::Threshold(0.5))?;
    assert_eq!(graph.edges().collect::<Vec<_>>(), vec![(0, 1), (1, 0)]);
    Ok(())
}

#[test]
fn edge_recovery_reads_arcs_or_pairs() -> anyhow::Result<()> {
    // Reference: 0 -> 1 and 2 -> 1 on 3 nodes. Source-row scores.
    let reference = digraph_from_adjacency(
        &[false, true, false, false, false, false, false, true, false],
        3,
    )?;
    let scores = [0.0, 0.9, 0.1, 0.5, 0.0, 0.2, 0.3, 0.7, 0.0];
    let weights = ArcWeights::from_matrix(&scores, 3, Orientation::SourceRow, WeightSign::Signed)?;
    // Arcs in order (0,1) (0,2) (1,0) (1,2) (2,0) (2,1): scores 0.9 0.1 0.5 0.2 0.3 0.7.
    let directed = edge_recovery(&weights, &reference, Direction::Directed)?;
    assert_eq!((directed.positives, directed.negatives), (2, 4));
    assert_eq!(directed.auroc, 1.0);
    // Pairs {0,1} max 0.9 edge, {0,2} max 0.3 no, {1,2} max 0.7 edge.
    let undirected = edge_recovery(&weights, &reference, Direction::Undirected)?;
    assert_eq!((undirected.positives, undirected.negatives), (2, 1));
    assert_eq!(undirected.auroc, 1.0);
    assert_eq!(undirected.auprc, 1.0);
    Ok(())
}

#[test]
fn weight_correlation_uses_off_diagonal_entries() -> anyhow::Result<()> {
    // Diagonals differ wildly; the off-diagonal entries are an affine map of each other.
    let first = [100.0, 1.0, 2.0, 3.0, -50.0, 4.0, 5.0, 6.0, 7.0];
    let second = [0.0, 3.0, 5.0, 7.0, 1e6, 9.0, 11.0, 13.0, 0.0];
    let a = ArcWeights::from_matrix(&first, 3, Orientation::SourceRow, WeightSign::Signed)?;
    let b = ArcWeights::from_matrix(&second, 3, Orientation::SourceRow, WeightSign::Signed)?;
    let correlation = weight_correlation(&a, &b)?;
    assert!((correlation.pearson - 1.0).abs() < TOL);
    assert!((correlation.spearman - 1.0).abs() < TOL);
    Ok(())
}

#[test]
fn profile_distance_compares_shared_classes() -> anyhow::Result<()> {
    let graph = DiGraph::from_edges(6, &[(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (5, 3), (2, 3)])?;
    let config = NullConfig {
        samples: 10,
        ..NullConfig::default()
    };
    let mut first = triad_significance(&graph, &config)?;
    let mut second = first.clone();
    // Hand-set profiles: shared classes are positions 3, 4 and 6 (5 is undefined in one).
    first.significance_profile = vec![None; 16];
    second.significance_profile = vec![None; 16];
    for (index, value) in [(3, 1.0), (4, 2.0), (5, 9.0), (6, 3.0)] {
        first.significance_profile[index] = Some(value);
    }
    for (index, value) in [(3, 2.0), (4, 2.0), (6, 5.0)] {
        second.significance_profile[index] = Some(value);
    }
    let distance = profile_distance(&first, &second)?;
    assert_eq!(distance.shared_classes, 3);
    // Differences (-1, 0, -2): distance sqrt(5). Correlation of (1, 2, 3) and (2, 2, 5):
    // centred (-1, 0, 1) and (-1, -1, 2) give 3 / (sqrt(2) sqrt(6)) = sqrt(3) / 2.
    assert!((distance.euclidean - 5.0_f64.sqrt()).abs() < TOL);
    assert!((distance.correlation - 3.0_f64.sqrt() / 2.0).abs() < TOL);
    Ok(())
}

#[test]
fn bad_inputs_give_typed_errors() -> anyhow::Result<()> {
    let square = [0.0, 1.0, 2.0, 0.0];
    assert!(matches!(
        ArcWeights::from_rows_cols(&[0.0; 6], 2, 3, Orientation::SourceRow, WeightSign::Signed),
        Err(MappingError::NotSquare {
            rows: 2,
            cols: 3,
            ..
        })
    ));
    assert!(matches!(
        ArcWeights::from_matrix(&[], 0, Orientation::SourceRow, WeightSign::Signed),
        Err(MappingError::Empty { .. })
    ));
    assert!(matches!(
        ArcWeights::from_matrix(&square[..3], 2, Orientation::SourceRow, WeightSign::Signed),
        Err(MappingError::Shape {
            len: 3,
            expected: 4,
            ..
        })
    ));
    assert!(matches!(
        ArcWeights::from_matrix(
            &[0.0, f64::NAN, 1.0, 0.0],
            2,
            Orientation::SourceRow,
            WeightSign::Signed
        ),
        Err(MappingError::NonFinite { row: 0, col: 1, .. })
    ));

    let weights = ArcWeights::from_matrix(&square, 2, Orientation::SourceRow, WeightSign::Signed)?;
    let three_nodes = DiGraph::from_edges(3, &[(0, 1)])?;
    assert!(matches!(
        edge_recovery(&weights, &three_nodes, Direction::Directed),
        Err(MappingError::SizeMismatch {
            left: 2,
            right: 3,
            ..
        })
    ));
    let empty = DiGraph::from_edges(2, &[])?;
    assert!(matches!(
        edge_recovery(&weights, &empty, Direction::Directed),
        Err(MappingError::OneClass {
            positives: 0,
            negatives: 2
        })
    ));
    assert!(matches!(
        to_digraph(&weights, EdgeSelection::TopKIncoming(2)),
        Err(MappingError::InvalidParameter { name: "k", .. })
    ));
    assert!(matches!(
        to_digraph(&weights, EdgeSelection::Threshold(f64::NAN)),
        Err(MappingError::InvalidParameter {
            name: "threshold",
            ..
        })
    ));
    assert!(matches!(
        digraph_from_adjacency(&[true; 3], 2),
        Err(MappingError::Shape { .. })
    ));

    assert!(matches!(auroc(&[], &[]), Err(MappingError::Empty { .. })));
    assert!(matches!(
        auroc(&[1.0, 2.0], &[true]),
        Err(MappingError::SizeMismatch {
            left: 2,
            right: 1,
            ..
        })
    ));
    assert!(matches!(
        average_precision(&[f64::NAN, 2.0], &[true, false]),
        Err(MappingError::NonFinite { .. })
    ));
    assert!(matches!(
        pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]),
        Err(MappingError::Constant { .. })
    ));
    assert!(matches!(
        spearman(&[1.0, 2.0], &[1.0, 2.0, 3.0]),
        Err(MappingError::SizeMismatch { .. })
    ));
    assert!(matches!(
        benjamini_hochberg(&[]),
        Err(MappingError::Empty { .. })
    ));
    assert!(matches!(
        benjamini_hochberg(&[0.1, 1.5]),
        Err(MappingError::InvalidParameter {
            name: "p-value",
            ..
        })
    ));
    assert!(matches!(
        benjamini_hochberg(&[0.1, f64::NAN]),
        Err(MappingError::InvalidParameter {
            name: "p-value",
            ..
        })
    ));
    Ok(())
}
