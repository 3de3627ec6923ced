//! Template assignment: a planted head finds its template with a small p-value, p-values are
//! uniform under the null, q-values follow a hand-worked Benjamini-Hochberg case, and typed
//! errors.

use ncm_mapping::{ArcWeights, Direction, MappingError, Orientation, WeightSign, assign_templates};
use ncm_motifs::DiGraph;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const NODES: usize = 8;

fn templates() -> anyhow::Result<Vec<DiGraph>> {
    let chain: Vec<_> = (0..NODES - 1).map(|v| (v, v + 1)).collect();
    let ring: Vec<_> = (0..NODES).map(|v| ((v + 1) % NODES, v)).collect();
    let star: Vec<_> = (1..NODES).map(|v| (0, v)).collect();
    Ok(vec![
        DiGraph::from_edges(NODES, &chain)?,
        DiGraph::from_edges(NODES, &ring)?,
        DiGraph::from_edges(NODES, &star)?,
    ])
}

fn random_head(seed: u64) -> anyhow::Result<ArcWeights> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let matrix: Vec<f64> = (0..NODES * NODES).map(|_| rng.random::<f64>()).collect();
    Ok(ArcWeights::from_matrix(
        &matrix,
        NODES,
        Orientation::SourceRow,
        WeightSign::Signed,
    )?)
}

fn planted_head(template: &DiGraph) -> anyhow::Result<ArcWeights> {
    let mut matrix = vec![0.1; NODES * NODES];
    for (source, target) in template.edges() {
        matrix[source * NODES + target] = 1.0;
    }
    Ok(ArcWeights::from_matrix(
        &matrix,
        NODES,
        Orientation::SourceRow,
        WeightSign::Signed,
    )?)
}

#[test]
fn planted_head_finds_its_template() -> anyhow::Result<()> {
    let templates = templates()?;
    let heads = vec![planted_head(&templates[1])?, random_head(5)?];
    let matches = assign_templates(&heads, &templates, Direction::Directed, 199, 1)?;
    assert_eq!(matches[0].template, 1);
    assert_eq!(matches[0].aurocs[1], 1.0);
    // Only relabellings that map the ring onto itself (8 rotations of 8! orders) also reach 1.
    assert!(
        matches[0].p_value <= 3.0 / 200.0,
        "p = {}",
        matches[0].p_value
    );

    // Two heads, hand-worked BH: the larger p-value stays, the smaller becomes
    // min(2 p_small, p_large).
    let (p0, p1) = (matches[0].p_value, matches[1].p_value);
    assert!(p0 < p1);
    assert_eq!(matches[1].q_value, p1);
    assert_eq!(matches[0].q_value, (2.0 * p0).min(p1));
    Ok(())
}

/// Under the null the max-statistic p-value satisfies `P(p <= a) <= a` up to ties. Over 300
/// random heads the empirical CDF must stay within 0.094 of the identity at a = 0.05, ...,
/// 1.00, the Kolmogorov-Smirnov critical value at the 1% level (1.63 / sqrt(300)).
#[test]
fn null_p_values_are_uniform() -> anyhow::Result<()> {
    let templates = templates()?;
    let heads: Vec<ArcWeights> = (0..300)
        .map(|i| random_head(1_000 + i))
        .collect::<Result<_, _>>()?;
    let matches = assign_templates(&heads, &templates, Direction::Directed, 49, 2)?;
    for step in 1..=20 {
        let level = step as f64 * 0.05;
        let below = matches
            .iter()
            .filter(|m| m.p_value <= level + 1e-12)
            .count() as f64
            / 300.0;
        assert!((below - level).abs() < 0.094, "P(p <= {level}) = {below}");
    }
    Ok(())
}

#[test]
fn bad_assignment_inputs_give_typed_errors() -> anyhow::Result<()> {
    let templates = templates()?;
    let head = random_head(0)?;
    assert!(matches!(
        assign_templates(&[], &templates, Direction::Directed, 10, 0),
        Err(MappingError::Empty { what: "heads" })
    ));
    assert!(matches!(
        assign_templates(std::slice::from_ref(&head), &[], Direction::Directed, 10, 0),
        Err(MappingError::Empty { what: "templates" })
    ));
    assert!(matches!(
        assign_templates(
            std::slice::from_ref(&head),
            &templates,
            Direction::Directed,
            0,
            0
        ),
        Err(MappingError::InvalidParameter {
            name: "samples",
            ..
        })
    ));
    let small = vec![DiGraph::from_edges(3, &[(0, 1)])?];
    assert!(matches!(
        assign_templates(
            std::slice::from_ref(&head),
            &small,
            Direction::Directed,
            10,
            0
        ),
        Err(MappingError::SizeMismatch {
            left: 8,
            right: 3,
            ..
        })
    ));
    Ok(())
}
