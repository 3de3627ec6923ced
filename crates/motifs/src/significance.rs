//! Motif significance against a null model: z-scores, empirical p-values and significance
//! profiles for the triad census and the 4-node census.
//!
//! The significance profile normalises the z-score vector to unit length,
//! SP_i = Z_i / sqrt(Σ_j Z_j²), as in Milo et al. (2004), "Superfamilies of evolved and
//! designed networks", Science 303:1538–1542, so that networks of different sizes compare.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::census::{TRIAD_CLASSES, TriadCensus, triad_census};
use crate::census4::{Census4, census4, census4_class_name};
use crate::error::MotifError;
use crate::graph::{DiGraph, SignedDiGraph};
use crate::null::{
    DEFAULT_SWITCHES_PER_EDGE, NullModel, SwitchStats, randomise_signed_with_rng,
    randomise_with_rng, validate_switches_per_edge,
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

/// Graph handed to the significance functions: unsigned, or signed for
/// [`NullModel::SignPreserving`]. Unsigned null models randomise a signed graph's union of
/// arcs ([`SignedDiGraph::graph`]).
#[derive(Debug, Clone, Copy)]
pub enum NullInput<'a> {
    /// A graph without arc signs.
    Unsigned(&'a DiGraph),
    /// A graph with excitatory and inhibitory arcs.
    Signed(&'a SignedDiGraph),
}

impl<'a> From<&'a DiGraph> for NullInput<'a> {
    fn from(graph: &'a DiGraph) -> Self {
        Self::Unsigned(graph)
    }
}

impl<'a> From<&'a SignedDiGraph> for NullInput<'a> {
    fn from(graph: &'a SignedDiGraph) -> Self {
        Self::Signed(graph)
    }
}

impl NullInput<'_> {
    /// Returns all arcs, regardless of sign.
    pub fn graph(&self) -> &DiGraph {
        match self {
            Self::Unsigned(graph) => graph,
            Self::Signed(graph) => graph.graph(),
        }
    }
}

/// Comparison of one motif class with its null distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassSignificance {
    /// Class name from [`TRIAD_CLASSES`] or [`census4_class_name`].
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

/// Former name of [`ClassSignificance`], kept for the triad census.
pub type TriadClassSignificance = ClassSignificance;

/// Triad census of a graph compared with a null model, one entry per class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriadSignificance {
    /// Settings that produced the null graphs.
    pub config: NullConfig,
    /// Census of the observed graph.
    pub observed: TriadCensus,
    /// One entry per class, in the order of [`TRIAD_CLASSES`].
    pub classes: Vec<ClassSignificance>,
    /// Significance profile over the 13 connected classes (021D to 300), as Milo et al. 2004
    /// used: `None` for 003, 012 and 102, for classes without a z-score, and everywhere when
    /// all the z-scores are 0.
    pub significance_profile: Vec<Option<f64>>,
    /// Switch counts summed over all null graphs, saturating at `u64::MAX`.
    pub switches: SwitchStats,
}

/// 4-node census of a graph compared with a null model, one entry per class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Census4Significance {
    /// Settings that produced the null graphs.
    pub config: NullConfig,
    /// Census of the observed graph.
    pub observed: Census4,
    /// One entry per class, in class-index order.
    pub classes: Vec<ClassSignificance>,
    /// Significance profile over the 199 classes: `None` for classes without a z-score, and
    /// everywhere when all the z-scores are 0.
    pub significance_profile: Vec<Option<f64>>,
    /// Switch counts summed over all null graphs, saturating at `u64::MAX`.
    pub switches: SwitchStats,
}

/// Index of the first connected triad class (021D) in [`TRIAD_CLASSES`].
const FIRST_CONNECTED_TRIAD: usize = 3;

/// Compares the triad census of `graph` with `config.samples` randomised copies.
///
/// Null graphs are generated, counted and summarised one batch of rayon threads at a time,
/// so at most one null graph per thread is in memory.
///
/// # Errors
/// The errors of [`NullConfig::validate`], of [`triad_census`] and of
/// [`crate::null::randomise`], and [`MotifError::SignsRequired`] for
/// [`NullModel::SignPreserving`] on an unsigned graph.
pub fn triad_significance<'a>(
    graph: impl Into<NullInput<'a>>,
    config: &NullConfig,
) -> Result<TriadSignificance, MotifError> {
    let input = graph.into();
    check_input(input, config)?;
    let observed = triad_census(input.graph())?;
    let (classes, switches) = compare_with_null(
        input,
        config,
        observed.counts(),
        |random| triad_census(random).map(|census| *census.counts()),
        |class| TRIAD_CLASSES[class],
    )?;
    let significance_profile = profile_of(&classes, FIRST_CONNECTED_TRIAD);
    Ok(TriadSignificance {
        config: *config,
        observed,
        classes,
        significance_profile,
        switches,
    })
}

/// Compares the 4-node census of `graph` with `config.samples` randomised copies.
///
/// # Errors
/// As for [`triad_significance`], with [`census4`] in place of [`triad_census`].
pub fn census4_significance<'a>(
    graph: impl Into<NullInput<'a>>,
    config: &NullConfig,
) -> Result<Census4Significance, MotifError> {
    let input = graph.into();
    check_input(input, config)?;
    let observed = census4(input.graph());
    let (classes, switches) = compare_with_null(
        input,
        config,
        observed.counts(),
        |random| Ok(*census4(random).counts()),
        |class| census4_class_name(class).unwrap_or("?"),
    )?;
    let significance_profile = profile_of(&classes, 0);
    Ok(Census4Significance {
        config: *config,
        observed,
        classes,
        significance_profile,
        switches,
    })
}

/// Returns the significance profile SP_i = Z_i / sqrt(Σ_j Z_j²) of `z_scores`.
///
/// # Errors
/// [`MotifError::EmptyProfile`] for no z-scores, [`MotifError::NonFiniteZScore`] for a NaN
/// or infinite one, and [`MotifError::ZeroProfile`] when all are 0.
pub fn significance_profile(z_scores: &[f64]) -> Result<Vec<f64>, MotifError> {
    if z_scores.is_empty() {
        return Err(MotifError::EmptyProfile);
    }
    if let Some((index, &value)) = z_scores.iter().enumerate().find(|(_, z)| !z.is_finite()) {
        return Err(MotifError::NonFiniteZScore { index, value });
    }
    // Scaling by the largest magnitude first keeps the squares finite for huge z-scores.
    let largest = z_scores.iter().fold(0.0_f64, |max, z| max.max(z.abs()));
    if largest == 0.0 {
        return Err(MotifError::ZeroProfile {
            count: z_scores.len(),
        });
    }
    let norm = z_scores
        .iter()
        .map(|z| (z / largest).powi(2))
        .sum::<f64>()
        .sqrt();
    Ok(z_scores.iter().map(|z| z / largest / norm).collect())
}

/// Significance profile over the classes from `first` on that have a z-score.
fn profile_of(classes: &[ClassSignificance], first: usize) -> Vec<Option<f64>> {
    let included: Vec<(usize, f64)> = classes
        .iter()
        .enumerate()
        .skip(first)
        .filter_map(|(index, class)| class.z_score.map(|z| (index, z)))
        .collect();
    let z_scores: Vec<f64> = included.iter().map(|&(_, z)| z).collect();
    let mut profile = vec![None; classes.len()];
    if let Ok(values) = significance_profile(&z_scores) {
        for (&(index, _), value) in included.iter().zip(values) {
            profile[index] = Some(value);
        }
    }
    profile
}

/// Checks the settings and that the model fits the input.
fn check_input(input: NullInput<'_>, config: &NullConfig) -> Result<(), MotifError> {
    config.validate()?;
    if config.model == NullModel::SignPreserving && matches!(input, NullInput::Unsigned(_)) {
        return Err(MotifError::SignsRequired {
            model: config.model.name(),
        });
    }
    Ok(())
}

/// Running sums over the null counts of one class, relative to the observed count so that
/// integer sums stay exact and independent of the summation order. The i128 sums cannot
/// overflow while |count - observed| stays below 2^40 and samples below 2^20.
#[derive(Debug, Clone, Copy, Default)]
struct ClassTally {
    sum_offset: i128,
    sum_square: i128,
    at_least: u64,
    at_most: u64,
}

/// Draws the null graphs, counts each with `census` and summarises every class.
fn compare_with_null<const K: usize>(
    input: NullInput<'_>,
    config: &NullConfig,
    observed: &[u64; K],
    census: impl Fn(&DiGraph) -> Result<[u64; K], MotifError> + Sync,
    class_name: impl Fn(usize) -> &'static str,
) -> Result<(Vec<ClassSignificance>, SwitchStats), MotifError> {
    let mut tallies = [ClassTally::default(); K];
    let mut switches = SwitchStats::default();
    // One batch per rayon thread: a worker that waits inside a parallel census may run
    // another sample of its batch, but never one of a later batch.
    let batch = rayon::current_num_threads().max(1);
    for first in (0..config.samples).step_by(batch) {
        let last = (first + batch).min(config.samples);
        let runs: Vec<([u64; K], SwitchStats)> = (first..last)
            .into_par_iter()
            .map(|index| {
                let (random, stats) = null_sample(input, config, index)?;
                Ok((census(&random)?, stats))
            })
            .collect::<Result<_, MotifError>>()?;
        for (counts, stats) in runs {
            add_sample(&mut tallies, observed, &counts);
            switches.target = switches.target.saturating_add(stats.target);
            switches.attempts = switches.attempts.saturating_add(stats.attempts);
            switches.accepted = switches.accepted.saturating_add(stats.accepted);
        }
    }
    warn_short_switching(config, &switches);

    let classes = (0..K)
        .map(|class| {
            summarise(
                class_name(class),
                observed[class],
                &tallies[class],
                config.samples,
            )
        })
        .collect();
    Ok((classes, switches))
}

fn add_sample<const K: usize>(
    tallies: &mut [ClassTally; K],
    observed: &[u64; K],
    counts: &[u64; K],
) {
    for ((tally, &observed), &count) in tallies.iter_mut().zip(observed).zip(counts) {
        let offset = i128::from(count) - i128::from(observed);
        tally.sum_offset += offset;
        tally.sum_square += offset * offset;
        tally.at_least += u64::from(count >= observed);
        tally.at_most += u64::from(count <= observed);
    }
}

fn warn_short_switching(config: &NullConfig, switches: &SwitchStats) {
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
}

/// Randomises the input with the random stream of sample `index`, returning all its arcs.
fn null_sample(
    input: NullInput<'_>,
    config: &NullConfig,
    index: usize,
) -> Result<(DiGraph, SwitchStats), MotifError> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(index as u64);
    match (input, config.model) {
        (NullInput::Signed(graph), NullModel::SignPreserving) => {
            let (random, stats) =
                randomise_signed_with_rng(graph, config.switches_per_edge, &mut rng)?;
            Ok((random.graph().clone(), stats))
        }
        (input, model) => {
            randomise_with_rng(input.graph(), model, config.switches_per_edge, &mut rng)
        }
    }
}

/// Turns the tally of one class into its mean, spread, z-score and p-values.
fn summarise(
    class: &'static str,
    observed: u64,
    tally: &ClassTally,
    samples: usize,
) -> ClassSignificance {
    let n = samples as i128;
    // n² var = n Σd² − (Σd)² for offsets d from the observed count: exact in i128, and 0
    // exactly when all samples agree.
    let scaled_variance = n * tally.sum_square - tally.sum_offset * tally.sum_offset;
    let null_std = (scaled_variance as f64 / (n * (n - 1)) as f64).sqrt();
    let mean_offset = tally.sum_offset as f64 / samples as f64;
    let z_score = (scaled_variance > 0).then(|| -mean_offset / null_std);

    ClassSignificance {
        class,
        observed,
        null_mean: observed as f64 + mean_offset,
        null_std,
        z_score,
        p_over: (1 + tally.at_least) as f64 / (1.0 + samples as f64),
        p_under: (1 + tally.at_most) as f64 / (1.0 + samples as f64),
    }
}
