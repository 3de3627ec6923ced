//! Node-label permutation p-values: uniform under the null, small for a planted signal,
//! reproducible from the seed, and typed errors.

use ncm_mapping::{ArcWeights, Direction, MappingError, Orientation, WeightSign, permutation_test};
use ncm_motifs::DiGraph;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn reference() -> anyhow::Result<DiGraph> {
    Ok(DiGraph::from_edges(
        7,
        &[
            (0, 1),
            (1, 2),
            (2, 0),
            (3, 4),
            (4, 5),
            (5, 6),
            (6, 3),
            (0, 4),
        ],
    )?)
}

fn random_weights(seed: u64) -> anyhow::Result<ArcWeights> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let matrix: Vec<f64> = (0..49).map(|_| rng.random::<f64>()).collect();
    Ok(ArcWeights::from_matrix(
        &matrix,
        7,
        Orientation::SourceRow,
        WeightSign::Signed,
    )?)
}

/// Under the null (scores independent of the reference) the p-value satisfies
/// `P(p <= a) <= a`, with equality up to ties. Over 400 independent draws the empirical CDF
/// must stay within 0.08 of the identity at a = 0.05, 0.10, ..., 1.00; the Kolmogorov-Smirnov
/// critical value at the 1% level for 400 draws is 1.63 / sqrt(400) = 0.0815.
#[test]
fn p_values_are_uniform_under_the_null() -> anyhow::Result<()> {
    let reference = reference()?;
    let draws = 400;
    let mut p_values = Vec::with_capacity(draws);
    for draw in 0..draws as u64 {
        let weights = random_weights(10_000 + draw)?;
        let test = permutation_test(&weights, &reference, Direction::Directed, 99, draw)?;
        p_values.push(test.p_value);
    }
    for step in 1..=20 {
        let level = step as f64 * 0.05;
        let below = p_values.iter().filter(|&&p| p <= level + 1e-12).count() as f64 / draws as f64;
        assert!((below - level).abs() < 0.08, "P(p <= {level}) = {below}");
    }
    Ok(())
}

#[test]
fn planted_signal_gets_the_smallest_p_value() -> anyhow::Result<()> {
    let reference = reference()?;
    let mut matrix = vec![0.0; 49];
    for (s, t) in reference.edges() {
        matrix[s * 7 + t] = 1.0;
    }
    let weights = ArcWeights::from_matrix(&matrix, 7, Orientation::SourceRow, WeightSign::Signed)?;
    let test = permutation_test(&weights, &reference, Direction::Directed, 199, 3)?;
    assert_eq!(test.observed, 1.0);
    // A relabelling that maps the reference onto itself also scores 1, so allow a few.
    assert!(test.p_value <= 5.0 / 200.0, "p = {}", test.p_value);
    Ok(())
}

#[test]
fn same_seed_gives_the_same_null() -> anyhow::Result<()> {
    let (reference, weights) = (reference()?, random_weights(1)?);
    let first = permutation_test(&weights, &reference, Direction::Undirected, 50, 11)?;
    let second = permutation_test(&weights, &reference, Direction::Undirected, 50, 11)?;
    let other = permutation_test(&weights, &reference, Direction::Undirected, 50, 12)?;
    assert_eq!(first, second);
    assert_ne!(first.null, other.null);
    Ok(())
}

#[test]
fn bad_permutation_inputs_give_typed_errors() -> anyhow::Result<()> {
    let (reference, weights) = (reference()?, random_weights(1)?);
    assert!(matches!(
        permutation_test(&weights, &reference, Direction::Directed, 0, 0),
        Err(MappingError::InvalidParameter {
            name: "samples",
            ..
        })
    ));
    let small = DiGraph::from_edges(3, &[(0, 1)])?;
    assert!(matches!(
        permutation_test(&weights, &small, Direction::Directed, 10, 0),
        Err(MappingError::SizeMismatch {
            left: 7,
            right: 3,
            ..
        })
    ));
    Ok(())
}
