//! Attention, maximum-entropy couplings and correlation baselines of each HCP subject, scored
//! against the subject's diffusion structural connectivity (SC).
//!
//! Every matrix is symmetrised, `(M + M^T) / 2`, before scoring. Attention is row-stochastic
//! and directed, but SC from tractography has no direction. The diagonal is never scored.
//! Each method gets four scores over the 4371 region pairs `i < j`:
//!
//! - the Spearman correlation with SC and its two-sided Mantel p-value, from relabelling the
//!   regions of SC (rows and columns together). Spearman is a rank statistic, so it is the same
//!   against `SC` and against `log(1 + SC)`;
//! - the Pearson correlation with `log(1 + SC)`, because SC counts span orders of magnitude;
//! - the undirected AUROC and AUPRC for the reference graph of the strongest SC pairs (the top
//!   `sc_top_fraction` of pairs, ties at the cut included), with the node-label permutation
//!   p-value of `ncm_mapping::permutation_test` for the AUROC. The share of pairs with
//!   SC > 0 is reported next to it, because a dense SC would make "SC > 0" a reference graph
//!   of nearly every pair.
//!
//! Weights keep their sign, so a negative coupling or correlation ranks below an absent one.
//!
//! Attention comes from the two trained transformers, averaged over the non-overlapping
//! windows of each subject with no region hidden. The head-averaged map is the mean over all
//! heads of all blocks. The best single head is the one of highest Spearman correlation with
//! the subject's SC. Picking it on the same data makes its scores optimistic, so its p-values
//! are multiplied by the number of heads (Bonferroni) and capped at 1.

use anyhow::{Context, Result, bail};
use burn::tensor::{Device, Tensor, TensorData};
use ncm_data::DataDir;
use ncm_ebm::PseudoLikelihoodConfig;
use ncm_mapping::{
    ArcWeights, Direction, Orientation, TimeSeries, WeightSign, correlation_matrix,
    digraph_from_adjacency, edge_recovery, partial_correlation_ledoit_wolf, permutation_test,
};
use ncm_motifs::DiGraph;
use ncm_transformer::{ForwardMask, Transformer};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::path::Path;
use std::time::Instant;
use tracing::info;

use super::{Config, EVAL_BATCH, Subject, to_vec, write_npy};
use crate::aal2;
use crate::experiments::energy_landscape::load_subject;
use crate::experiments::maxent_scale::upper_triangle;
use crate::report::{cell, table};
use crate::stats::{mantel_spearman_symmetric, pearson, spearman};

/// Methods in table order.
const METHODS: [&str; 7] = [
    "attention, masked model, mean of heads",
    "attention, masked model, best head",
    "attention, forecasting model, mean of heads",
    "attention, forecasting model, best head",
    "max-ent couplings (pseudo-likelihood)",
    "correlation",
    "partial correlation (Ledoit-Wolf)",
];

/// Index of the correlation baseline in [`METHODS`].
const CORRELATION: usize = 5;

/// Significance level of the per-subject counts in the report.
const ALPHA: f64 = 0.05;

/// Returns `(M + M^T) / 2` of a row-major `n x n` matrix.
fn symmetrise(matrix: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
        }
    }
    out
}

/// Builds the undirected reference graph of the strongest pairs of a symmetric `n x n`
/// weight matrix: every pair `i < j` whose weight is positive and at least the
/// `ceil(fraction * n (n - 1) / 2)`-th largest pair weight gets both arcs. Pairs tied with the
/// cut are all included, so the graph may hold more pairs than that rank. Returns the graph
/// and its number of pairs.
fn strongest_pairs_graph(weights: &[f64], n: usize, fraction: f64) -> Result<(DiGraph, usize)> {
    if n < 2 || weights.len() != n * n {
        bail!(
            "expected a square matrix of at least 2 regions, got {} values for {n}",
            weights.len()
        );
    }
    if !(fraction > 0.0 && fraction < 1.0) {
        bail!("invalid pair fraction {fraction}; use a value in (0, 1)");
    }
    if let Some(bad) = weights.iter().find(|w| !w.is_finite()) {
        bail!("the structural connectivity contains {bad}; every entry must be finite");
    }
    let mut pair_weights = upper_triangle(weights, n);
    pair_weights.sort_by(|a, b| b.total_cmp(a));
    let rank = ((fraction * pair_weights.len() as f64).ceil() as usize).max(1);
    let cut = pair_weights[rank - 1];

    let mut adjacency = vec![false; n * n];
    let mut pairs = 0;
    for i in 0..n {
        for j in i + 1..n {
            let w = weights[i * n + j];
            if w >= cut && w > 0.0 {
                adjacency[i * n + j] = true;
                adjacency[j * n + i] = true;
                pairs += 1;
            }
        }
    }
    if pairs == 0 || pairs == pair_weights.len() {
        bail!(
            "the strongest {fraction} of pairs gives {pairs} of {} pairs as edges; the \
             reference graph needs both edges and non-edges, so change sc_top_fraction",
            pair_weights.len()
        );
    }
    Ok((digraph_from_adjacency(&adjacency, n)?, pairs))
}

/// Mean and sample standard deviation (denominator `len - 1`). The deviation of one value
/// is NaN.
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1.0);
    (mean, variance.sqrt())
}

/// Symmetrised SC of one subject (or the group) with its reference graph.
struct Reference {
    regions: usize,
    sc: Vec<f64>,
    log_sc_pairs: Vec<f64>,
    graph: DiGraph,
    edge_pairs: usize,
    positive_pairs: usize,
}

impl Reference {
    fn new(sc: &[f64], regions: usize, fraction: f64) -> Result<Self> {
        let sc = symmetrise(sc, regions);
        if let Some(bad) = sc.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            bail!("the structural connectivity contains {bad}; streamline counts must be >= 0");
        }
        let (graph, edge_pairs) = strongest_pairs_graph(&sc, regions, fraction)?;
        let log_sc: Vec<f64> = sc.iter().map(|w| w.ln_1p()).collect();
        let positive_pairs = upper_triangle(&sc, regions)
            .iter()
            .filter(|&&w| w > 0.0)
            .count();
        Ok(Self {
            positive_pairs,
            regions,
            log_sc_pairs: upper_triangle(&log_sc, regions),
            sc,
            graph,
            edge_pairs,
        })
    }

    /// Share of the region pairs that are reference edges: the chance level of the AUPRC.
    fn density(&self) -> f64 {
        self.edge_pairs as f64 / self.pair_count()
    }

    /// Share of the region pairs with SC > 0.
    fn positive_density(&self) -> f64 {
        self.positive_pairs as f64 / self.pair_count()
    }

    fn pair_count(&self) -> f64 {
        let n = self.regions;
        (n * (n - 1) / 2) as f64
    }
}

/// Scores of one symmetric matrix against one subject's SC.
#[derive(Clone, Copy, Serialize)]
struct Score {
    spearman: f64,
    /// Two-sided Mantel p-value of the Spearman correlation.
    spearman_p: f64,
    pearson_log_sc: f64,
    auroc: f64,
    /// One-sided node-label permutation p-value of the AUROC.
    auroc_p: f64,
    auprc: f64,
}

impl Score {
    /// Multiplies both p-values by `tests` (Bonferroni), capped at 1.
    fn bonferroni(mut self, tests: usize) -> Self {
        self.spearman_p = (self.spearman_p * tests as f64).min(1.0);
        self.auroc_p = (self.auroc_p * tests as f64).min(1.0);
        self
    }
}

fn score(matrix: &[f64], reference: &Reference, permutations: usize, seed: u64) -> Result<Score> {
    let n = reference.regions;
    let mantel = mantel_spearman_symmetric(matrix, &reference.sc, n, permutations, seed)
        .context("the Spearman correlation with SC is undefined (a constant matrix)")?;
    let pearson_log_sc = pearson(&upper_triangle(matrix, n), &reference.log_sc_pairs)
        .context("the Pearson correlation with log(1 + SC) is undefined (a constant matrix)")?;
    let weights = ArcWeights::from_matrix(matrix, n, Orientation::Symmetric, WeightSign::Signed)?;
    let recovery = edge_recovery(&weights, &reference.graph, Direction::Undirected)?;
    let test = permutation_test(
        &weights,
        &reference.graph,
        Direction::Undirected,
        permutations,
        seed,
    )?;
    Ok(Score {
        spearman: mantel.rho,
        spearman_p: mantel.p_value,
        pearson_log_sc,
        auroc: recovery.auroc,
        auroc_p: test.p_value,
        auprc: recovery.auprc,
    })
}

/// Averages the attention of every head of every block over the non-overlapping windows of one
/// subject with no region hidden, `[blocks * heads, regions, regions]`.
fn subject_attention(
    model: &Transformer,
    subject: &Subject,
    config: &Config,
    device: &Device,
) -> Result<Vec<f64>> {
    let regions = aal2::REGIONS.len();
    let (w, maps) = (config.window, config.depth * config.heads);
    let starts: Vec<usize> = (0..subject.samples / w).map(|i| i * w).collect();
    let mut attention = vec![0.0f64; maps * regions * regions];
    for chunk in starts.chunks(EVAL_BATCH) {
        let mut rows = Vec::with_capacity(chunk.len() * w * regions);
        for &s in chunk {
            rows.extend_from_slice(&subject.series[s * regions..(s + w) * regions]);
        }
        let input =
            Tensor::<3>::from_data(TensorData::new(rows, [chunk.len(), w, regions]), device);
        // NOTE: the masked model was trained with a share of its regions hidden, so with none
        // hidden it reads inputs unlike those of training.
        let out = model.forward(input, &ForwardMask::default())?;
        let mut summed = Vec::with_capacity(attention.len());
        for block in out.attention {
            summed.extend(to_vec(block.sum_dim(0))?);
        }
        if summed.len() != attention.len() {
            bail!(
                "expected {} attention weights from {maps} heads, got {}",
                attention.len(),
                summed.len()
            );
        }
        attention
            .iter_mut()
            .zip(&summed)
            .for_each(|(a, s)| *a += f64::from(*s));
    }
    attention.iter_mut().for_each(|a| *a /= starts.len() as f64);
    Ok(attention)
}

/// Symmetrised head-averaged map and the symmetrised map of every head.
struct AttentionMaps {
    mean: Vec<f64>,
    heads: Vec<Vec<f64>>,
}

impl AttentionMaps {
    fn new(per_head: &[f64], regions: usize) -> Self {
        let heads: Vec<Vec<f64>> = per_head
            .chunks_exact(regions * regions)
            .map(|map| symmetrise(map, regions))
            .collect();
        let mut mean = vec![0.0; regions * regions];
        for map in &heads {
            mean.iter_mut()
                .zip(map)
                .for_each(|(m, v)| *m += v / heads.len() as f64);
        }
        Self { mean, heads }
    }

    /// Index of the head whose map has the highest Spearman correlation with SC.
    fn best_head(&self, reference: &Reference) -> Result<usize> {
        let sc_pairs = upper_triangle(&reference.sc, reference.regions);
        let mut best = (0, f64::NEG_INFINITY);
        for (index, map) in self.heads.iter().enumerate() {
            let rho = spearman(&upper_triangle(map, reference.regions), &sc_pairs)
                .with_context(|| format!("head {index} has a constant attention map"))?;
            if rho > best.1 {
                best = (index, rho);
            }
        }
        Ok(best.0)
    }
}

/// The seven matrices of one subject (or the group average), in [`METHODS`] order except that
/// each model's best head is picked at scoring time.
struct Matrices {
    masked: AttentionMaps,
    forecast: AttentionMaps,
    coupling: Vec<f64>,
    correlation: Vec<f64>,
    partial_correlation: Vec<f64>,
}

impl Matrices {
    /// Scores all methods in [`METHODS`] order and returns the scores with the two best-head
    /// indices.
    fn score(
        &self,
        reference: &Reference,
        permutations: usize,
        seed: u64,
    ) -> Result<(Vec<Score>, [usize; 2])> {
        let masked_head = self.masked.best_head(reference)?;
        let forecast_head = self.forecast.best_head(reference)?;
        let heads = self.masked.heads.len();
        let matrices = [
            &self.masked.mean,
            &self.masked.heads[masked_head],
            &self.forecast.mean,
            &self.forecast.heads[forecast_head],
            &self.coupling,
            &self.correlation,
            &self.partial_correlation,
        ];
        let mut scores = matrices
            .par_iter()
            .map(|matrix| score(matrix, reference, permutations, seed))
            .collect::<Result<Vec<_>>>()?;
        scores[1] = scores[1].bonferroni(heads);
        scores[3] = scores[3].bonferroni(self.forecast.heads.len());
        Ok((scores, [masked_head, forecast_head]))
    }

    /// Entry-wise means over subjects; `all` must not be empty.
    fn average(all: &[Matrices]) -> Matrices {
        let heads = all[0].masked.heads.len();
        Matrices {
            masked: AttentionMaps {
                mean: mean_matrix(all.iter().map(|m| &m.masked.mean)),
                heads: (0..heads)
                    .map(|h| mean_matrix(all.iter().map(|m| &m.masked.heads[h])))
                    .collect(),
            },
            forecast: AttentionMaps {
                mean: mean_matrix(all.iter().map(|m| &m.forecast.mean)),
                heads: (0..heads)
                    .map(|h| mean_matrix(all.iter().map(|m| &m.forecast.heads[h])))
                    .collect(),
            },
            coupling: mean_matrix(all.iter().map(|m| &m.coupling)),
            correlation: mean_matrix(all.iter().map(|m| &m.correlation)),
            partial_correlation: mean_matrix(all.iter().map(|m| &m.partial_correlation)),
        }
    }
}

/// Entry-wise mean of equally sized matrices.
fn mean_matrix<'a>(matrices: impl Iterator<Item = &'a Vec<f64>>) -> Vec<f64> {
    let mut sum: Vec<f64> = Vec::new();
    let mut count = 0;
    for matrix in matrices {
        if sum.is_empty() {
            sum = vec![0.0; matrix.len()];
        }
        sum.iter_mut().zip(matrix).for_each(|(a, v)| *a += v);
        count += 1;
    }
    sum.iter_mut().for_each(|a| *a /= count as f64);
    sum
}

/// Scores of one subject or of the group averages.
#[derive(Serialize)]
struct Scored {
    subject: String,
    /// `train`, `test` or `group`.
    role: &'static str,
    sc_edge_pairs: usize,
    sc_edge_density: f64,
    /// Share of the region pairs with SC > 0.
    sc_positive_density: f64,
    /// Best head of the masked and of the forecasting model, `block * heads + head`.
    best_heads: [usize; 2],
    scores: Vec<Score>,
}

/// Inputs of [`compare`] that come from the rest of the experiment.
pub(super) struct Models<'a> {
    pub masked: &'a Transformer,
    pub forecast: &'a Transformer,
    pub train: &'a [Subject],
    pub test: &'a [Subject],
}

/// Builds the matrices of one subject and reads its SC. Also returns the seconds of the
/// pseudo-likelihood fit.
fn subject_matrices(
    subject: &Subject,
    models: &Models,
    dir: &DataDir,
    config: &Config,
    device: &Device,
) -> Result<(Matrices, Vec<f64>, f64)> {
    let regions = aal2::REGIONS.len();
    let all_regions: Vec<usize> = (0..regions).collect();
    let masked = subject_attention(models.masked, subject, config, device)?;
    let forecast = subject_attention(models.forecast, subject, config, device)?;

    let (states, sc) = load_subject(dir, &subject.name, &all_regions)?;
    let started = Instant::now();
    let fit = ncm_ebm::fit_pseudolikelihood(
        &states,
        regions,
        &PseudoLikelihoodConfig {
            l2_penalty: config.mem_l2_penalty,
            ..PseudoLikelihoodConfig::default()
        },
    )
    .with_context(|| format!("pseudo-likelihood fit of subject {} failed", subject.name))?;
    let fit_seconds = started.elapsed().as_secs_f64();

    let series = TimeSeries::new(
        subject.series.iter().map(|&v| f64::from(v)).collect(),
        subject.samples,
        regions,
    )?;
    let matrices = Matrices {
        masked: AttentionMaps::new(&masked, regions),
        forecast: AttentionMaps::new(&forecast, regions),
        coupling: symmetrise(&fit.model.coupling, regions),
        correlation: correlation_matrix(&series)?,
        partial_correlation: symmetrise(&partial_correlation_ledoit_wolf(&series)?.0, regions),
    };
    Ok((matrices, sc, fit_seconds))
}

/// Report part of the comparison: JSON summary and HTML.
pub(super) struct Comparison {
    pub summary: serde_json::Value,
    pub html: String,
}

/// Scores every subject's attention, couplings and baselines against its SC, then the group
/// averages against the group-average SC, and writes the head-averaged attention of every
/// subject as NPY.
pub(super) fn compare(
    models: &Models,
    dir: &DataDir,
    out_dir: &Path,
    config: &Config,
    device: &Device,
) -> Result<Comparison> {
    let started = Instant::now();
    let regions = aal2::REGIONS.len();
    let subjects: Vec<(&Subject, &'static str)> = models
        .train
        .iter()
        .map(|s| (s, "train"))
        .chain(models.test.iter().map(|s| (s, "test")))
        .collect();

    let mut all_matrices = Vec::new();
    let mut group_sc = vec![0.0; regions * regions];
    let mut fit_seconds = Vec::new();
    for (subject, _) in &subjects {
        let (matrices, sc, seconds) = subject_matrices(subject, models, dir, config, device)?;
        group_sc
            .iter_mut()
            .zip(&sc)
            .for_each(|(g, v)| *g += v / subjects.len() as f64);
        all_matrices.push((matrices, sc));
        fit_seconds.push(seconds);
    }
    let matrix_seconds = started.elapsed().as_secs_f64();

    let mut scored = Vec::new();
    for (&(subject, role), (matrices, sc)) in subjects.iter().zip(&all_matrices) {
        let reference = Reference::new(sc, regions, config.sc_top_fraction)?;
        let (scores, best_heads) =
            matrices.score(&reference, config.sc_permutations, config.seed)?;
        info!(
            subject = %subject.name,
            masked_attention = scores[0].spearman,
            coupling = scores[4].spearman,
            correlation = scores[CORRELATION].spearman,
            "Spearman correlation with structural connectivity"
        );
        scored.push(Scored {
            subject: subject.name.clone(),
            role,
            sc_edge_pairs: reference.edge_pairs,
            sc_edge_density: reference.density(),
            sc_positive_density: reference.positive_density(),
            best_heads,
            scores,
        });
    }
    let matrices: Vec<Matrices> = all_matrices.into_iter().map(|(m, _)| m).collect();
    let group_reference = Reference::new(&group_sc, regions, config.sc_top_fraction)?;
    let (group_scores, group_heads) = Matrices::average(&matrices).score(
        &group_reference,
        config.sc_permutations,
        config.seed,
    )?;
    let group = Scored {
        subject: "group average".into(),
        role: "group",
        sc_edge_pairs: group_reference.edge_pairs,
        sc_edge_density: group_reference.density(),
        sc_positive_density: group_reference.positive_density(),
        best_heads: group_heads,
        scores: group_scores,
    };

    let subject_maps: Vec<f64> = matrices
        .iter()
        .flat_map(|m| m.masked.mean.iter().copied())
        .collect();
    write_npy(
        &out_dir.join("attention_subjects_masked.npy"),
        &subject_maps,
        &[matrices.len(), regions, regions],
    )?;

    let methods = summarise(&scored);
    let seconds = started.elapsed().as_secs_f64();
    info!(seconds, "attention and couplings scored against SC");
    let html = render(&scored, &group, &methods, config);
    let summary = json!({
        "methods": METHODS,
        "sc_top_fraction": config.sc_top_fraction,
        "permutations": config.sc_permutations,
        "heads_per_model": config.depth * config.heads,
        "subjects": scored,
        "group": group,
        "summary": methods,
        "pseudolikelihood_fit_seconds": fit_seconds,
        "matrix_seconds": matrix_seconds,
        "seconds": seconds,
    });
    Ok(Comparison { summary, html })
}

/// Scores of one method across subjects.
#[derive(Serialize)]
struct MethodSummary {
    method: &'static str,
    spearman_mean: f64,
    spearman_sd: f64,
    spearman_train_mean: f64,
    spearman_test_mean: f64,
    pearson_log_sc_mean: f64,
    auroc_mean: f64,
    auroc_sd: f64,
    auroc_train_mean: f64,
    auroc_test_mean: f64,
    auprc_mean: f64,
    /// Subjects whose Mantel p-value is below 0.05.
    significant_subjects: usize,
}

fn summarise(scored: &[Scored]) -> Vec<MethodSummary> {
    METHODS
        .iter()
        .enumerate()
        .map(|(index, &method)| {
            let values = |role: Option<&str>, pick: fn(&Score) -> f64| -> Vec<f64> {
                scored
                    .iter()
                    .filter(|s| role.is_none_or(|r| s.role == r))
                    .map(|s| pick(&s.scores[index]))
                    .collect()
            };
            let (spearman_mean, spearman_sd) = mean_sd(&values(None, |s| s.spearman));
            let (auroc_mean, auroc_sd) = mean_sd(&values(None, |s| s.auroc));
            MethodSummary {
                method,
                spearman_mean,
                spearman_sd,
                spearman_train_mean: mean_sd(&values(Some("train"), |s| s.spearman)).0,
                spearman_test_mean: mean_sd(&values(Some("test"), |s| s.spearman)).0,
                pearson_log_sc_mean: mean_sd(&values(None, |s| s.pearson_log_sc)).0,
                auroc_mean,
                auroc_sd,
                auroc_train_mean: mean_sd(&values(Some("train"), |s| s.auroc)).0,
                auroc_test_mean: mean_sd(&values(Some("test"), |s| s.auroc)).0,
                auprc_mean: mean_sd(&values(None, |s| s.auprc)).0,
                significant_subjects: values(None, |s| s.spearman_p)
                    .iter()
                    .filter(|&&p| p < ALPHA)
                    .count(),
            }
        })
        .collect()
}

/// Formats a statistic and its p-value as `value (p)`, both to three decimals.
fn with_p(value: f64, p: f64) -> String {
    format!("{} ({})", cell(Some(value), 3), cell(Some(p), 3))
}

fn render(scored: &[Scored], group: &Scored, methods: &[MethodSummary], config: &Config) -> String {
    let header = |first: &[&str], rest: &[&str]| -> Vec<String> {
        first.iter().chain(rest).map(|h| h.to_string()).collect()
    };
    let summary_rows: Vec<Vec<String>> = methods
        .iter()
        .zip(&group.scores)
        .map(|(m, g)| {
            vec![
                m.method.to_string(),
                format!(
                    "{} ± {}",
                    cell(Some(m.spearman_mean), 3),
                    cell(Some(m.spearman_sd), 3)
                ),
                format!(
                    "{} / {}",
                    cell(Some(m.spearman_train_mean), 3),
                    cell(Some(m.spearman_test_mean), 3)
                ),
                cell(Some(m.pearson_log_sc_mean), 3),
                format!(
                    "{} ± {}",
                    cell(Some(m.auroc_mean), 3),
                    cell(Some(m.auroc_sd), 3)
                ),
                format!(
                    "{} / {}",
                    cell(Some(m.auroc_train_mean), 3),
                    cell(Some(m.auroc_test_mean), 3)
                ),
                cell(Some(m.auprc_mean), 3),
                format!("{} of {}", m.significant_subjects, scored.len()),
                with_p(g.spearman, g.spearman_p),
                with_p(g.auroc, g.auroc_p),
                cell(Some(g.auprc), 3),
            ]
        })
        .collect();
    let summary_table = table(
        &header(
            &["method"],
            &[
                "Spearman, mean ± SD",
                "Spearman, train / test",
                "Pearson with log(1 + SC), mean",
                "AUROC, mean ± SD",
                "AUROC, train / test",
                "AUPRC, mean",
                "Mantel p < 0.05",
                "group Spearman (p)",
                "group AUROC (p)",
                "group AUPRC",
            ],
        ),
        &summary_rows,
    );
    let per_subject = |pick: fn(&Score) -> (f64, f64)| -> String {
        let rows: Vec<Vec<String>> = scored
            .iter()
            .chain(std::iter::once(group))
            .map(|s| {
                let mut row = vec![s.subject.clone(), s.role.to_string()];
                row.extend(s.scores.iter().map(|score| {
                    let (value, p) = pick(score);
                    with_p(value, p)
                }));
                row
            })
            .collect();
        table(&header(&["subject", "role"], &METHODS), &rows)
    };
    let density = mean_sd(&scored.iter().map(|s| s.sc_edge_density).collect::<Vec<_>>()).0;
    let positive = mean_sd(
        &scored
            .iter()
            .map(|s| s.sc_positive_density)
            .collect::<Vec<_>>(),
    )
    .0;
    format!(
        "<h3>Attention and couplings against structural connectivity</h3>\
         <p>For each of the {subjects} subjects, each region-by-region matrix is symmetrised \
         and scored against that subject's diffusion SC over the 4371 region pairs: the \
         Spearman correlation (equal for SC and log(1 + SC), being a rank statistic) with a \
         two-sided Mantel p-value from {perms} region relabellings, the Pearson correlation \
         with log(1 + SC), and the undirected AUROC and AUPRC for the reference graph of the \
         strongest {top:.0}% of SC pairs (density {density:.3}, the AUPRC of chance; SC > 0 \
         holds for {positive:.3} of the pairs, a mean over subjects), with a \
         one-sided node-label permutation p-value for the AUROC. Attention is averaged over \
         the subject's non-overlapping {w}-sample windows with no region hidden; the mean of \
         heads averages all {heads} heads of all blocks. The best head is the one of highest \
         Spearman correlation with the same subject's SC, so its scores are optimistic and its \
         p-values are Bonferroni-corrected over the {heads} heads. Max-ent couplings are \
         pseudo-likelihood fits (L2 penalty {l2}) to BOLD binarised at each region's mean; \
         correlation and Ledoit-Wolf partial correlation come from the z-scored BOLD. The \
         group row scores the mean of the subjects' matrices against the mean SC.</p>\
         {summary_table}<p>{interpretation}</p>\
         <p>Spearman correlation with SC (Mantel p) per subject:</p>{spearman_table}\
         <p>AUROC for the strongest SC pairs (permutation p) per subject:</p>{auroc_table}",
        subjects = scored.len(),
        perms = config.sc_permutations,
        top = 100.0 * config.sc_top_fraction,
        w = config.window,
        heads = config.depth * config.heads,
        l2 = config.mem_l2_penalty,
        interpretation = interpret(methods),
        spearman_table = per_subject(|s| (s.spearman, s.spearman_p)),
        auroc_table = per_subject(|s| (s.auroc, s.auroc_p)),
    )
}

/// Writes two or three sentences that read the summary numbers, whatever they turn out to be.
fn interpret(methods: &[MethodSummary]) -> String {
    let rho = |index: usize| methods[index].spearman_mean;
    let attention_best = rho(0).max(rho(2));
    let baseline = rho(CORRELATION);
    let comparison = if attention_best > baseline {
        format!(
            "The head-averaged attention tracks SC more closely than BOLD correlation does \
             (mean Spearman {attention_best:.3} against {baseline:.3})."
        )
    } else {
        format!(
            "Neither model's head-averaged attention beats plain BOLD correlation (mean \
             Spearman {attention_best:.3} against {baseline:.3}), so attention adds no \
             structural information over that baseline here."
        )
    };
    let (masked, forecast) = (&methods[0], &methods[2]);
    let correlation = &methods[CORRELATION];
    format!(
        "Head-averaged attention correlates with SC at a mean Spearman of {m:.3} (masked \
         model) and {f:.3} (forecasting model), against {c:.3} for the max-ent couplings, \
         {r:.3} for correlation and {p:.3} for partial correlation; the best single head of \
         the forecasting model reaches {bf:.3}, an optimistic figure because it is picked on \
         the same SC. {comparison} On the held-out subjects the head-averaged attention \
         reaches {ft:.3} (forecasting) and {mt:.3} (masked) against {ftr:.3} and {mtr:.3} on \
         the training subjects, while correlation, which is not trained, differs by \
         {baseline_gap:+.3} between the same groups; with two held-out subjects this is a \
         description, not a test.",
        m = rho(0),
        f = rho(2),
        c = rho(4),
        r = baseline,
        p = rho(6),
        bf = rho(3),
        ft = forecast.spearman_test_mean,
        mt = masked.spearman_test_mean,
        ftr = forecast.spearman_train_mean,
        mtr = masked.spearman_train_mean,
        baseline_gap = correlation.spearman_test_mean - correlation.spearman_train_mean,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strongest_pairs_of_hand_matrix() {
        // Pairs of the 4 x 4 matrix below, strongest first: (0, 1) 9, (2, 3) 7, (0, 2) 5,
        // (1, 3) 5, (0, 3) 1, (1, 2) 0. A third of the 6 pairs is 2: the cut is 7.
        #[rustfmt::skip]
        let sc = [
            0.0, 9.0, 5.0, 1.0,
            9.0, 0.0, 0.0, 5.0,
            5.0, 0.0, 0.0, 7.0,
            1.0, 5.0, 7.0, 0.0,
        ];
        let (graph, pairs) = strongest_pairs_graph(&sc, 4, 1.0 / 3.0).unwrap();
        assert_eq!(pairs, 2);
        assert_eq!(graph.edge_count(), 4);
        for (s, t) in [(0, 1), (1, 0), (2, 3), (3, 2)] {
            assert!(graph.has_edge(s, t), "missing arc {s} -> {t}");
        }
        assert!(!graph.has_edge(0, 2));

        // Half of the pairs is 3: the cut is 5, shared by (0, 2) and (1, 3), so both count.
        let (graph, pairs) = strongest_pairs_graph(&sc, 4, 0.5).unwrap();
        assert_eq!(pairs, 4);
        assert!(graph.has_edge(0, 2));
        assert!(graph.has_edge(3, 1));
        assert!(!graph.has_edge(0, 3));

        // Every pair but (1, 2), whose weight is 0, reaches the cut of 0 at the sixth pair.
        let (_, pairs) = strongest_pairs_graph(&sc, 4, 0.99).unwrap();
        assert_eq!(pairs, 5);
    }

    #[test]
    fn strongest_pairs_rejects_bad_input() {
        let message = |r: Result<(DiGraph, usize)>| r.unwrap_err().to_string();
        let ones = [0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        assert!(message(strongest_pairs_graph(&ones, 3, 0.5)).contains("both edges and non-edges"));
        assert!(message(strongest_pairs_graph(&[0.0; 9], 3, 0.5)).contains("0 of 3 pairs"));
        assert!(message(strongest_pairs_graph(&ones, 3, 1.0)).contains("invalid pair fraction"));
        assert!(message(strongest_pairs_graph(&ones, 2, 0.5)).contains("9 values for 2"));
        let mut nan = ones;
        nan[1] = f64::NAN;
        assert!(message(strongest_pairs_graph(&nan, 3, 0.5)).contains("must be finite"));
    }

    #[test]
    fn symmetrise_averages_transposes() {
        let out = symmetrise(&[1.0, 2.0, 4.0, 3.0], 2);
        assert_eq!(out, vec![1.0, 3.0, 3.0, 3.0]);
    }

    #[test]
    fn mean_sd_of_hand_values() {
        // Values 1, 2, 3, 6: mean 3, squared deviations 4 + 1 + 0 + 9 = 14 over 3.
        let (mean, sd) = mean_sd(&[1.0, 2.0, 3.0, 6.0]);
        assert_eq!(mean, 3.0);
        assert!((sd - (14.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn reference_rejects_negative_sc() {
        let sc = [0.0, -1.0, 2.0, -1.0, 0.0, 3.0, 2.0, 3.0, 0.0];
        let message = Reference::new(&sc, 3, 0.3).err().unwrap().to_string();
        assert!(message.contains("must be >= 0"), "{message}");
    }

    #[test]
    fn score_of_sc_against_itself() {
        // Six regions with distinct pair weights 1.7^k, scored by log(1 + SC): the matrix
        // ranks the pairs exactly as SC does, so Spearman, AUROC, AUPRC and the Pearson
        // correlation with log(1 + SC) are 1. Only the identity among the 720
        // relabellings keeps every pair's rank, so the Mantel p-value is 1/720.
        let n = 6;
        let mut sc = vec![0.0; n * n];
        let mut value = 1.0;
        for i in 0..n {
            for j in i + 1..n {
                value *= 1.7;
                sc[i * n + j] = value;
                sc[j * n + i] = value;
            }
        }

        let reference = Reference::new(&sc, n, 0.2).unwrap();
        assert_eq!(reference.edge_pairs, 3);
        assert_eq!(reference.positive_pairs, 15);

        let log_sc: Vec<f64> = sc.iter().map(|w| w.ln_1p()).collect();
        let result = score(&log_sc, &reference, 200, 1).unwrap();
        assert!((result.spearman - 1.0).abs() < 1e-12);
        assert!((result.spearman_p - 1.0 / 720.0).abs() < 1e-12);
        assert!((result.auroc - 1.0).abs() < 1e-12);
        assert!((result.auprc - 1.0).abs() < 1e-12);
        assert!((result.pearson_log_sc - 1.0).abs() < 1e-12);
        // The edges are the triangle {3, 4, 5}, and a relabelling keeps AUROC 1 when it maps
        // that triangle onto itself: 3! 3! = 36 of 720, so the null p-value is near 0.05.
        assert!(
            result.auroc_p > 0.01 && result.auroc_p < 0.12,
            "p = {}",
            result.auroc_p
        );
    }

    #[test]
    fn mean_matrix_is_entrywise() {
        let (a, b) = (vec![1.0, 2.0], vec![3.0, 6.0]);
        assert_eq!(mean_matrix([&a, &b].into_iter()), vec![2.0, 4.0]);
    }

    #[test]
    fn bonferroni_caps_at_one() {
        let score = Score {
            spearman: 0.2,
            spearman_p: 0.01,
            pearson_log_sc: 0.1,
            auroc: 0.6,
            auroc_p: 0.3,
            auprc: 0.2,
        }
        .bonferroni(8);
        assert!((score.spearman_p - 0.08).abs() < 1e-12);
        assert_eq!(score.auroc_p, 1.0);
    }
}
