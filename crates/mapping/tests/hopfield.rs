//! Hopfield diagnosis of attention heads: the regime rule against `ncm_ebm`'s, closed forms
//! for uniform, one-hot and two-pattern rows, recovery of a known inverse temperature, and
//! typed errors.

use ncm_ebm::hopfield::Regime;
use ncm_mapping::{HopfieldRegime, MappingError, diagnose_head, fit_inverse_temperature};

const TOL: f64 = 1e-12;

fn same_regime(ours: HopfieldRegime, theirs: Regime) -> bool {
    matches!(
        (ours, theirs),
        (HopfieldRegime::SinglePattern, Regime::SinglePattern)
            | (HopfieldRegime::Metastable, Regime::Metastable)
            | (HopfieldRegime::GlobalAverage, Regime::GlobalAverage)
    )
}

#[test]
fn regime_agrees_with_ebm_rule() -> anyhow::Result<()> {
    let rows: [&[f64]; 8] = [
        &[1.0],
        &[1.0, 0.0, 0.0],
        &[0.25, 0.25, 0.25, 0.25],
        &[0.5, 0.5, 0.0, 0.0, 0.0],
        &[0.9, 0.05, 0.05],
        &[0.7, 0.3],
        &[0.4, 0.3, 0.2, 0.1],
        &[0.34, 0.33, 0.33, 0.0],
    ];
    for row in rows {
        let diagnosis = diagnose_head(row, 1, row.len())?;
        let theirs = Regime::from_attention(row);
        assert!(
            same_regime(diagnosis.regime, theirs),
            "{row:?}: {diagnosis:?} against {theirs:?}"
        );
    }
    Ok(())
}

#[test]
fn head_summary_has_closed_forms() -> anyhow::Result<()> {
    // Uniform (perplexity 4, entropy ratio 1, k90 = 4), one-hot (1, 0, 1) and an even split of
    // two patterns (2, ln 2 / ln 4 = 1/2, 2).
    let attention = [
        0.25, 0.25, 0.25, 0.25, //
        0.0, 1.0, 0.0, 0.0, //
        0.5, 0.0, 0.5, 0.0,
    ];
    let diagnosis = diagnose_head(&attention, 3, 4)?;
    assert_eq!(diagnosis.regime, HopfieldRegime::Metastable);
    assert!((diagnosis.median_perplexity - 2.0).abs() < TOL);
    assert!((diagnosis.mean_normalised_entropy - 0.5).abs() < TOL);
    assert_eq!(diagnosis.median_k90, 2.0);
    assert_eq!(diagnosis.row_regimes, [1, 1, 1]);
    Ok(())
}

fn softmax_rows(similarities: &[f64], cols: usize, beta: f64) -> Vec<f64> {
    similarities
        .chunks_exact(cols)
        .flat_map(|row| {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let weights: Vec<f64> = row.iter().map(|&s| (beta * (s - max)).exp()).collect();
            let total: f64 = weights.iter().sum();
            weights.into_iter().map(move |w| w / total)
        })
        .collect()
}

#[test]
fn inverse_temperature_of_softmax_rows_is_recovered() -> anyhow::Result<()> {
    let similarities = [
        0.3, -1.2, 2.0, 0.7, 1.1, //
        -0.4, 0.9, 0.1, -2.2, 0.5, //
        1.5, 1.4, -0.3, 0.0, 2.4,
    ];
    for beta in [2.5, 0.125, -0.7] {
        let attention = softmax_rows(&similarities, 5, beta);
        let fitted = fit_inverse_temperature(&attention, &similarities, 3, 5)?;
        assert!((fitted - beta).abs() < 1e-9, "fitted {fitted} for {beta}");
    }
    Ok(())
}

#[test]
fn bad_hopfield_inputs_give_typed_errors() -> anyhow::Result<()> {
    assert!(matches!(
        diagnose_head(&[], 0, 3),
        Err(MappingError::Empty { .. })
    ));
    assert!(matches!(
        diagnose_head(&[0.5, 0.4], 1, 2),
        Err(MappingError::NotDistribution { row: 0, .. })
    ));
    assert!(matches!(
        diagnose_head(&[1.0, 0.0, 1.5, -0.5], 2, 2),
        Err(MappingError::NotDistribution { row: 1, .. })
    ));
    assert!(matches!(
        diagnose_head(&[f64::NAN, 1.0], 1, 2),
        Err(MappingError::NonFinite { .. })
    ));
    assert!(matches!(
        fit_inverse_temperature(&[0.5, 0.5], &[1.0, 2.0, 3.0], 1, 2),
        Err(MappingError::Shape { .. })
    ));
    assert!(matches!(
        fit_inverse_temperature(&[0.3, 0.7], &[1.0, 1.0], 1, 2),
        Err(MappingError::Constant { .. })
    ));
    // All mass on the largest similarity is the limit beta -> infinity.
    assert!(matches!(
        fit_inverse_temperature(&[0.0, 1.0], &[1.0, 2.0], 1, 2),
        Err(MappingError::UnboundedInverseTemperature { .. })
    ));
    // All mass on the smallest similarity is the limit beta -> -infinity.
    assert!(matches!(
        fit_inverse_temperature(&[1.0, 0.0], &[1.0, 2.0], 1, 2),
        Err(MappingError::UnboundedInverseTemperature { .. })
    ));
    Ok(())
}
