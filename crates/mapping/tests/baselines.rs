//! Correlation, partial correlation and Granger baselines against NumPy values and a planted
//! vector autoregression, and their typed errors.

use ncm_data::Recording;
use ncm_mapping::{
    ArcWeights, Direction, MappingError, Orientation, TimeSeries, WeightSign, correlation_matrix,
    edge_recovery, granger_causality, partial_correlation, partial_correlation_ledoit_wolf,
};
use ncm_motifs::DiGraph;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOL: f64 = 1e-12;

/// Six samples of three channels (rows are samples).
const SAMPLES: [f64; 18] = [
    1.0, 2.0, 0.5, 2.0, 1.0, 1.5, 0.0, 3.0, 2.5, 4.0, 0.5, 1.0, 3.0, 2.5, 0.0, 1.5, 1.0, 3.0,
];

fn assert_close(actual: &[f64], expected: &[f64]) {
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < TOL, "{actual:?} against {expected:?}");
    }
}

/// NumPy 2.4.6: `np.corrcoef(X, rowvar=False)` for `X = SAMPLES.reshape(6, 3)`.
#[test]
fn correlation_matches_numpy() -> anyhow::Result<()> {
    let series = TimeSeries::new(SAMPLES.to_vec(), 6, 3)?;
    let (a, b, c) = (
        -0.5931819989552857,
        -0.5186104272541061,
        -0.11707874272593884,
    );
    assert_close(
        &correlation_matrix(&series)?,
        &[1.0, a, b, a, 1.0, c, b, c, 1.0],
    );
    Ok(())
}

/// NumPy 2.4.6: with `S = np.cov(X, rowvar=False)`, `Sh = (1 - lam) S + lam diag(S)`,
/// `P = np.linalg.inv(Sh)`, the partial correlation is `-P_ij / sqrt(P_ii P_jj)` with a unit
/// diagonal; for `lam = 0` and `lam = 0.25`.
#[test]
fn partial_correlation_matches_numpy_inverse() -> anyhow::Result<()> {
    let series = TimeSeries::new(SAMPLES.to_vec(), 6, 3)?;
    let (a, b, c) = (-0.770082224193899, -0.7355048859934855, -0.6170029991005884);
    assert_close(
        &partial_correlation(&series, 0.0)?,
        &[1.0, a, b, a, 1.0, c, b, c, 1.0],
    );
    let (a, b, c) = (
        -0.5220028954764815,
        -0.4797776520682885,
        -0.3161584938945878,
    );
    assert_close(
        &partial_correlation(&series, 0.25)?,
        &[1.0, a, b, a, 1.0, c, b, c, 1.0],
    );
    Ok(())
}

/// scikit-learn 1.9.1: `LedoitWolf().fit(X)` for the 8 x 4 `X` below gives `shrinkage_` and
/// `precision_`, turned into `-P_ij / sqrt(P_ii P_jj)` with a unit diagonal.
#[test]
fn ledoit_wolf_matches_scikit_learn() -> anyhow::Result<()> {
    let samples = [
        1.0, 2.0, 0.5, -1.0, 2.0, 1.0, 1.5, 0.0, 0.0, 3.0, 2.5, 1.0, 4.0, 0.5, 1.0, 2.0, 3.0, 2.5,
        0.0, -0.5, 1.5, 1.0, 3.0, 1.5, 2.5, -1.0, 0.5, 0.5, 0.5, 1.5, 2.0, 3.0,
    ];
    let series = TimeSeries::new(samples.to_vec(), 8, 4)?;
    let (partial, shrinkage) = partial_correlation_ledoit_wolf(&series)?;
    assert!((shrinkage - 0.8109478155250314).abs() < TOL);
    let (a, b, c) = (
        -0.09687642552992469,
        -0.09533364661136876,
        -0.01565784061355658,
    );
    let (d, e, f) = (
        0.022347760115402595,
        -0.04325880284504864,
        0.10105893428183504,
    );
    assert_close(
        &partial,
        &[1.0, a, b, c, a, 1.0, d, e, b, d, 1.0, f, c, e, f, 1.0],
    );
    Ok(())
}

#[test]
fn recording_is_transposed_into_samples_by_channels() -> anyhow::Result<()> {
    // Channels x time: channel 0 = [1, 2, 3], channel 1 = [4, 5, 6].
    let recording = Recording::new(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3, 1.0)?;
    let series = TimeSeries::from_recording(&recording)?;
    assert_eq!((series.samples(), series.channels()), (3, 2));
    assert_eq!((series.get(2, 0), series.get(0, 1)), (3.0, 4.0));
    Ok(())
}

/// NumPy 2.4.6: for the 40 x 3 series `X[t][c] = sin(0.37 (t + 1) (c + 1)) + 0.1 ((7 t + 3 c)
/// mod 5)` and order 2, `np.linalg.lstsq` fits the full regression of each target on an
/// intercept and both lags of all channels, and the restricted one without the source's lags;
/// the entries are `ln(RSS_restricted / RSS_full)`.
#[test]
fn granger_matches_numpy_least_squares() -> anyhow::Result<()> {
    let (samples, n) = (40, 3);
    let data: Vec<f64> = (0..samples)
        .flat_map(|t| {
            (0..n).map(move |c| {
                (0.37 * ((t + 1) * (c + 1)) as f64).sin() + 0.1 * ((t * 7 + c * 3) % 5) as f64
            })
        })
        .collect();
    let series = TimeSeries::new(data, samples, n)?;
    let expected = [
        0.0,
        0.5145092536276107,
        0.11483740290423182,
        0.011283411139081231,
        0.0,
        0.12363501267161833,
        0.004690591567039762,
        0.02836546800684961,
        0.0,
    ];
    let granger = granger_causality(&series, 2)?;
    for (actual, expected) in granger.iter().zip(expected) {
        assert!((actual - expected).abs() < 1e-9, "{granger:?}");
    }
    Ok(())
}

/// Standard normal draw by the Box-Muller transform.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A first-order VAR on 6 channels, `x_t = A x_{t-1} + e_t`, with self-coupling 0.3 and the
/// planted arcs coupled at 0.4; the arcs form no cycle, so every eigenvalue of `A` is 0.3.
#[test]
fn granger_recovers_planted_var_arcs() -> anyhow::Result<()> {
    let n = 6;
    let arcs = [(0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)];
    let mut coupling = vec![0.0; n * n]; // coupling[target * n + source]
    for c in 0..n {
        coupling[c * n + c] = 0.3;
    }
    for &(source, target) in &arcs {
        coupling[target * n + source] = 0.4;
    }

    let (burn_in, samples) = (100, 2000);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut state = vec![0.0; n];
    let mut data = Vec::with_capacity(samples * n);
    for step in 0..burn_in + samples {
        let next: Vec<f64> = (0..n)
            .map(|t| (0..n).map(|s| coupling[t * n + s] * state[s]).sum::<f64>() + normal(&mut rng))
            .collect();
        state = next;
        if step >= burn_in {
            data.extend_from_slice(&state);
        }
    }

    let series = TimeSeries::new(data, samples, n)?;
    let granger = granger_causality(&series, 2)?;
    let weights = ArcWeights::from_matrix(&granger, n, Orientation::SourceRow, WeightSign::Signed)?;
    let reference = DiGraph::from_edges(n, &arcs)?;
    let recovery = edge_recovery(&weights, &reference, Direction::Directed)?;
    assert!(recovery.auroc > 0.99, "AUROC {}", recovery.auroc);
    Ok(())
}

#[test]
fn bad_baseline_inputs_give_typed_errors() -> anyhow::Result<()> {
    assert!(matches!(
        TimeSeries::new(vec![], 0, 3),
        Err(MappingError::Empty { .. })
    ));
    assert!(matches!(
        TimeSeries::new(vec![1.0; 5], 2, 3),
        Err(MappingError::Shape {
            len: 5,
            expected: 6,
            ..
        })
    ));
    assert!(matches!(
        TimeSeries::new(vec![1.0, f64::INFINITY, 0.0, 2.0], 2, 2),
        Err(MappingError::NonFinite { row: 0, col: 1, .. })
    ));

    let one_sample = TimeSeries::new(vec![1.0, 2.0], 1, 2)?;
    assert!(matches!(
        correlation_matrix(&one_sample),
        Err(MappingError::TooFewSamples { .. })
    ));
    let constant = TimeSeries::new(vec![1.0, 2.0, 1.0, 3.0, 1.0, 5.0], 3, 2)?;
    assert!(matches!(
        correlation_matrix(&constant),
        Err(MappingError::Constant { .. })
    ));
    assert!(matches!(
        partial_correlation_ledoit_wolf(&constant),
        Err(MappingError::Constant { .. })
    ));

    let series = TimeSeries::new(SAMPLES.to_vec(), 6, 3)?;
    assert!(matches!(
        partial_correlation(&series, 1.5),
        Err(MappingError::InvalidParameter {
            name: "shrinkage",
            ..
        })
    ));
    // Two samples of three channels: the covariance has rank 1.
    let short = TimeSeries::new(SAMPLES[..6].to_vec(), 2, 3)?;
    assert!(matches!(
        partial_correlation(&short, 0.0),
        Err(MappingError::NotPositiveDefinite { .. })
    ));
    assert!(matches!(
        granger_causality(&series, 0),
        Err(MappingError::InvalidParameter { name: "order", .. })
    ));
    assert!(matches!(
        granger_causality(&series, 2),
        Err(MappingError::TooFewSamples {
            samples: 6,
            needed: 10,
            ..
        })
    ));
    Ok(())
}
