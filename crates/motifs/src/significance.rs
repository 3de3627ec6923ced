//! Triad significance against a null model: z-scores and empirical p-values per class.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::census::{TRIAD_CLASSES, TriadCensus, triad_census};
use crate::error::MotifError;
use crate::graph::DiGraph;
use crate::null::{
    DEFAULT_SWITCHES_PER_EDGE, NullModel, SwitchStats, randomise_with_rng,
    validate_switches_per_edge,
};

/// Default number of null-model samples.
pub const DEFAULT_SAMPLES: usize = 100;

/// Settings of a null-model comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NullConfig {
    /// Randomisation that produces the null graphs. Default: [`NullModel::DegreePreserving`].
    pub model: NullModel,
    /// Number of null graphs, at least 2. Default: [`DEFAULT_SAMPLES`] (100).
    pub samples: usize,
    /// Accepted switches per arc (or per unit, see [`SwitchStats::target`]), finite and
    /// positive. Default: [`DEFAULT_SWITCHES_PER_EDGE`] (10).
    pub switches_per_edge: f64,
    /// Seed of the random streams. Sample `i` uses `ChaCha8Rng::seed_from_u64(seed)` with its
    /// stream set to `i`, so results do not depend on the thread count. Default: 0.
    pub seed: u64,
}

impl Default for NullConfig {
    fn default() -> Self {
        Self {
            model: NullModel::default(),
            samples: DEFAULT_SAMPLES,
            switches_per_edge: DEFAULT_SWITCHES_PER_EDGE,
            seed: 0,
        }
    }
}

impl NullConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`MotifError::InvalidSamples`] if `samples < 2`, and
    /// [`MotifError::InvalidSwitchesPerEdge`] unless `switches_per_edge` is finite and positive.
    pub fn validate(&self) -> Result<(), MotifError> {
        if self.samples < 2 {
            return Err(MotifError::InvalidSamples {
                samples: self.samples,
            });
        }
        validate_switches_per_edge(self.switches_per_edge)
    }
}

/// Comparison of one triad class with its null distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriadClassSignificance {
    /// Class name from [`TRIAD_CLASSES`].
    pub class: &'static str,
    /// Count in the observed graph.
    pub observed: u64,
    /// Mean count over the null graphs.
    pub null_mean: f64,
    /// Sample standard deviation (denominator `samples - 1`) over the null graphs.
    pub null_std: f64,
    /// `(observed - null_mean) / null_std`, or `None` when `null_std` is 0 because every
    /// null graph has the same count. The z-score is undefined there and serialises as null.
    pub z_score: Option<f64>,
    /// Empirical p-value for over-representation: `(1 + #{null >= observed}) / (1 + samples)`.
    pub p_over: f64,
    /// Empirical p-value for under-representation: `(1 + #{null <= observed}) / (1 + samples)`.
    pub p_under: f64,
}

/// Triad census of a graph compared with a null model, one entry per class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriadSignificance {
    /// Settings that produced the null graphs.
    pub config: NullConfig,
    /// Census of the observed graph.
    pub observed: TriadCensus,
    /// One entry per class, in the order of [`TRIAD_CLASSES`].
    pub classes: Vec<TriadClassSignificance>,
    /// Switch counts summed over all null graphs, saturating at `u64::MAX`.
    pub switches: SwitchStats,
}

/// Compares the triad census of `graph` with `config.samples` randomised copies.
///
/// # Errors
/// The errors of [`NullConfig::validate`], of [`triad_census`] and of
/// [`crate::null::randomise`].
pub fn triad_significance(
    graph: &DiGraph,
    config: &NullConfig,
) -> Result<TriadSignificance, MotifError> {
    config.validate()?;
    let observed = triad_census(graph)?;

    let null_runs: Vec<([u64; 16], SwitchStats)> = (0..config.samples)
        .into_par_iter()
        .map(|index| null_sample(graph, config, index))
        .collect::<Result<_, _>>()?;

    let mut switches = SwitchStats::default();
    for (_, stats) in &null_runs {
        switches.target = switches.target.saturating_add(stats.target);
        switches.attempts = switches.attempts.saturating_add(stats.attempts);
        switches.accepted = switches.accepted.saturating_add(stats.accepted);
    }
    if switches.accepted < switches.target {
        tracing::warn!(
            model = ?config.model,
            samples = config.samples,
            requested = switches.target,
            accepted = switches.accepted,
            attempts = switches.attempts,
            "edge switching accepted fewer switches than requested: the graph allows few \
             switches, so the null samples stay close to the observed graph"
        );
    }
    let classes = (0..TRIAD_CLASSES.len())
        .map(|class| {
            let null_counts: Vec<u64> = null_runs.iter().map(|(counts, _)| counts[class]).collect();
            compare_class(class, observed.counts()[class], &null_counts)
        })
        .collect();

    Ok(TriadSignificance {
        config: *config,
        observed,
        classes,
        switches,
    })
}

/// Randomises `graph` with the random stream of sample `index` and counts its triads.
fn null_sample(
    graph: &DiGraph,
    config: &NullConfig,
    index: usize,
) -> Result<([u64; 16], SwitchStats), MotifError> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(index as u64);
    let (random, stats) =
        randomise_with_rng(graph, config.model, config.switches_per_edge, &mut rng)?;
    Ok((*triad_census(&random)?.counts(), stats))
}

/// Summarises the null counts of one class against its observed count.
fn compare_class(class: usize, observed: u64, null_counts: &[u64]) -> TriadClassSignificance {
    let samples = null_counts.len() as f64;
    // Offsets from the first sample keep the f64 sums exact for counts far above 2^53, and
    // make the spread exactly 0 when all samples agree.
    let reference = null_counts[0];
    let offsets: Vec<f64> = null_counts
        .iter()
        .map(|&count| signed_difference(count, reference))
        .collect();
    let mean_offset = offsets.iter().sum::<f64>() / samples;
    let squares: f64 = offsets
        .iter()
        .map(|offset| (offset - mean_offset).powi(2))
        .sum();
    let null_std = (squares / (samples - 1.0)).sqrt();
    let all_equal = null_counts.iter().all(|&count| count == reference);

    let observed_offset = signed_difference(observed, reference);
    let z_score =
        (!all_equal && null_std > 0.0).then(|| (observed_offset - mean_offset) / null_std);
    let at_least = null_counts
        .iter()
        .filter(|&&count| count >= observed)
        .count();
    let at_most = null_counts
        .iter()
        .filter(|&&count| count <= observed)
        .count();

    TriadClassSignificance {
        class: TRIAD_CLASSES[class],
        observed,
        null_mean: reference as f64 + mean_offset,
        null_std: if all_equal { 0.0 } else { null_std },
        z_score,
        p_over: (1 + at_least) as f64 / (1.0 + samples),
        p_under: (1 + at_most) as f64 / (1.0 + samples),
    }
}

/// `a - b` as f64, without the overflow of subtracting in u64 or i64.
fn signed_difference(a: u64, b: u64) -> f64 {
    (i128::from(a) - i128::from(b)) as f64
}
