//! Figures and HTML of the maximum-entropy-at-scale experiment.

use std::path::Path;

use anyhow::Result;

use super::synthetic::SyntheticCheck;
use super::{Config, Consistency, ExactComparison, POOLED, SubjectResult, upper_triangle};
use crate::backend::Backend;
use crate::figures::{
    ProfileSeries, write_bar_svg, write_disconnectivity_svg, write_heatmap_svg, write_scatter_svg,
};
use crate::report::{cell, table};

/// Minima drawn in the disconnectivity graph: the lowest ones, enough to show every minimum
/// that contains at least 1 % of the samples in these data.
const DRAWN_MINIMA: usize = 12;

/// Minima listed in the pooled table.
const LISTED_MINIMA: usize = 12;

pub(super) fn write_figures(
    out_dir: &Path,
    results: &[SubjectResult],
    pooled: &SubjectResult,
    consistency: &Consistency,
    pooled_sc: &[f64],
) -> Result<()> {
    let n = pooled.field.len();
    let mut coupling = pooled.coupling.clone();
    (0..n).for_each(|i| coupling[i * n + i] = f64::NAN);
    write_heatmap_svg(
        &out_dir.join("coupling_pooled.svg"),
        &format!("Couplings J_ij, {} (AAL2 order)", pooled_label(pooled)),
        "region j",
        "region i",
        &coupling,
        n,
        n,
    )?;
    let k = consistency.subjects.len();
    write_heatmap_svg(
        &out_dir.join("consistency.svg"),
        "Pearson correlation of couplings between subjects",
        "subject (report order)",
        "subject (report order)",
        &consistency.pearson,
        k,
        k,
    )?;

    let points: Vec<(f64, f64)> = upper_triangle(&pooled.coupling, n)
        .into_iter()
        .zip(upper_triangle(pooled_sc, n))
        .map(|(j, sc)| (j, (1.0 + sc).log10()))
        .collect();
    write_scatter_svg(
        &out_dir.join("coupling_vs_sc.svg"),
        "Pooled coupling J_ij against mean structural connectivity, 4371 region pairs",
        "J_ij",
        "log10(1 + sc_ij)",
        &points,
    )?;

    let subjects: Vec<String> = results.iter().map(|r| r.subject.clone()).collect();
    let series = vec![
        ProfileSeries {
            label: "split-half Pearson r of J".into(),
            values: results
                .iter()
                .map(|r| r.split_half_pearson.unwrap_or(f64::NAN))
                .collect(),
        },
        ProfileSeries {
            label: "Spearman(J, sc)".into(),
            values: results
                .iter()
                .map(|r| r.coupling_sc.map_or(f64::NAN, |t| t.rho))
                .collect(),
        },
    ];
    write_bar_svg(
        &out_dir.join("reliability.svg"),
        "Reliability and structure-function correlation per subject",
        "correlation",
        &subjects,
        &series,
    )?;

    let landscape = &pooled.landscape;
    let drawn = landscape.minima_count.min(DRAWN_MINIMA);
    let labels: Vec<String> = (1..=drawn).map(|k| k.to_string()).collect();
    let listed = landscape.lowest_minima.len();
    let merges = single_linkage(&landscape.lowest_barrier, listed, drawn);
    write_disconnectivity_svg(
        &out_dir.join("disconnectivity_pooled.svg"),
        &format!(
            "Disconnectivity graph, {drawn} lowest minima, {}",
            pooled_label(pooled)
        ),
        &landscape.minima_energy[..drawn],
        &labels,
        &merges,
    )
}

/// Builds the disconnectivity graph of the first `drawn` minima from their barriers (row-major,
/// `listed` x `listed`), numbered like a scipy linkage matrix. Minimax barriers form an
/// ultrametric, so joining the two clusters with the lowest barrier first (single linkage)
/// reproduces the graph that the full landscape restricts to these minima. Pairs that are
/// not connected (infinite barrier) stay apart.
fn single_linkage(barrier: &[f64], listed: usize, drawn: usize) -> Vec<(usize, usize, f64)> {
    let mut clusters: Vec<(usize, Vec<usize>)> = (0..drawn).map(|a| (a, vec![a])).collect();
    let mut merges = Vec::new();
    while clusters.len() > 1 {
        let mut best: Option<(usize, usize, f64)> = None;
        for x in 0..clusters.len() {
            for y in (x + 1)..clusters.len() {
                let height = clusters[x]
                    .1
                    .iter()
                    .flat_map(|&a| clusters[y].1.iter().map(move |&b| barrier[a * listed + b]))
                    .fold(f64::INFINITY, f64::min);
                if height.is_finite() && best.is_none_or(|(_, _, h)| height < h) {
                    best = Some((x, y, height));
                }
            }
        }
        let Some((x, y, height)) = best else { break };
        let (right_id, right_members) = clusters.remove(y);
        let (left_id, mut members) = clusters.remove(x);
        members.extend(right_members);
        merges.push((left_id.min(right_id), left_id.max(right_id), height));
        clusters.push((drawn + merges.len() - 1, members));
    }
    merges
}

pub(super) fn html(
    config: &Config,
    backend: Backend,
    results: &[SubjectResult],
    pooled: &SubjectResult,
    consistency: &Consistency,
    small: &ExactComparison,
    synthetic: Option<&SyntheticCheck>,
) -> String {
    let mut html = format!(
        "<p>All 94 AAL2 regions of each subject's HCP resting-state BOLD (1200 volumes), each \
         binarised at its mean as in the energy-landscape section. Each pairwise maximum-entropy \
         model is fitted by pseudo-likelihood: one L2-penalised (lambda = {}) logistic \
         regression per region, solved by Newton's method, with J_ij = (J_i|j + J_j|i)/2. The \
         split-half reliability is the Pearson correlation of the couplings fitted on volumes \
         1-600 and 601-1200. Spearman(J, sc) correlates couplings with diffusion structural \
         connectivity over the 4371 region pairs; its p-value is a two-sided Mantel test over \
         {} random relabellings of the regions. Each model is sampled by {} Gibbs chains on \
         the <code>{backend:?}</code> backend ({} burn-in sweeps, {} samples per chain 10 sweeps \
         apart). Boltzmann learning refines each fit with {} steps of {} persistent Gibbs \
         chains started at data volumes (learning rate 0.05 / (1 + t/100), parameters averaged \
         over the second half). The correlation errors compare the data's pairwise moments \
         &lt;s_i s_j&gt; with those of fresh samples of each model; with {} samples their Monte \
         Carlo noise alone is about {:.3} RMS. The landscape, of the refined model, is \
         searched over the data, the samples, their steepest-descent paths and \
         greedy bridge paths between each minimum and its {} nearest minima; barriers are \
         minimax paths within that set and so are upper bounds. Basin sizes are the fractions \
         of model samples (or data volumes) whose descent ends in each minimum.</p>\n",
        config.l2_penalty,
        config.mantel_permutations,
        config.chains,
        config.burn_in_sweeps,
        config.samples_per_chain,
        config.boltzmann_iterations,
        config.boltzmann_chains,
        config.chains * config.samples_per_chain,
        1.0 / ((config.chains * config.samples_per_chain) as f64).sqrt(),
        config.bridge_neighbours,
    );
    html.push_str(&subject_table(results, pooled));
    // Between-subject correlations need at least two subjects; with one there is no pair.
    if consistency.subjects.len() >= 2 {
        html.push_str(&format!(
            "<p>Across the {} subjects, the Pearson correlation of the coupling upper triangles \
             is {:.3} on average (range {:.3} to {:.3}); the Spearman correlation averages \
             {:.3}.</p>\n",
            consistency.subjects.len(),
            consistency.mean_pearson,
            consistency.min_pearson,
            consistency.max_pearson,
            consistency.mean_spearman,
        ));
    }
    html.push_str(&exact_table(small));
    if let Some(synthetic) = synthetic {
        html.push_str(&synthetic_table(synthetic));
    }
    html.push_str(&minima_table(pooled));
    html.push_str(
        "<img src=\"maxent-scale/coupling_pooled.svg\" alt=\"pooled coupling matrix\">\n\
         <img src=\"maxent-scale/consistency.svg\" alt=\"coupling similarity between subjects\">\n\
         <img src=\"maxent-scale/reliability.svg\" alt=\"split-half reliability and structure-function correlation\">\n\
         <img src=\"maxent-scale/coupling_vs_sc.svg\" alt=\"coupling against structural connectivity\">\n",
    );
    html.push_str(
        "<img src=\"maxent-scale/disconnectivity_pooled.svg\" alt=\"disconnectivity graph\">\n",
    );
    html
}

fn subject_table(results: &[SubjectResult], pooled: &SubjectResult) -> String {
    let header: Vec<String> = [
        "subject",
        "samples",
        "PL fit (s)",
        "Newton steps (max)",
        "split-half r",
        "Spearman(J, sc)",
        "Mantel p",
        "corr. RMS error, PL",
        "corr. max error, PL",
        "Boltzmann (s)",
        "corr. RMS error, refined",
        "corr. max error, refined",
        "mean J change",
        "minima",
        "minima with >= 1 % of samples",
        "searched states",
        "largest basin (samples)",
        "largest basin (data)",
        "lowest energy",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = results
        .iter()
        // One subject's pooled result is the subject's own, so it is not listed twice.
        .chain((results.len() > 1).then_some(pooled))
        .map(|r| {
            let landscape = &r.landscape;
            let largest = |fractions: &[f64]| fractions.iter().copied().fold(0.0, f64::max);
            vec![
                r.subject.clone(),
                r.samples.to_string(),
                cell(Some(r.fit_seconds), 2),
                r.max_newton_iterations.to_string(),
                cell(r.split_half_pearson, 3),
                cell(r.coupling_sc.map(|t| t.rho), 3),
                cell(r.coupling_sc.map(|t| t.p_value), 4),
                cell(Some(r.moment_check.rms_error), 4),
                cell(Some(r.moment_check.max_error), 3),
                cell(r.refinement.as_ref().map(|f| f.seconds), 2),
                cell(r.refinement.as_ref().map(|f| f.after.rms_error), 4),
                cell(r.refinement.as_ref().map(|f| f.after.max_error), 3),
                cell(r.refinement.as_ref().map(|f| f.mean_coupling_change), 4),
                landscape.minima_count.to_string(),
                landscape
                    .basin_sample_fraction
                    .iter()
                    .filter(|&&f| f >= 0.01)
                    .count()
                    .to_string(),
                landscape.searched_states.to_string(),
                cell(Some(largest(&landscape.basin_sample_fraction)), 3),
                cell(Some(largest(&landscape.basin_data_fraction)), 3),
                cell(landscape.minima_energy.first().copied(), 2),
            ]
        })
        .collect();
    table(&header, &rows)
}

fn exact_table(small: &ExactComparison) -> String {
    let mut html = format!(
        "<p>Approximate fits against the exact maximum-likelihood fit on the eight default-mode \
         regions {:?} of the pooled data (8400 samples, largest exact |J_ij| = {:.3}). \
         Pseudo-likelihood is unpenalised here; Boltzmann learning starts from it.</p>\n",
        small.regions, small.max_exact_coupling,
    );
    let header: Vec<String> = ["method", "max |J - J_exact|", "max |h - h_exact|"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = small
        .methods
        .iter()
        .enumerate()
        .map(|(k, method)| {
            vec![
                method.to_string(),
                cell(Some(small.max_coupling_gap[k]), 4),
                cell(Some(small.max_field_gap[k]), 4),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html
}

fn synthetic_table(synthetic: &SyntheticCheck) -> String {
    let mut html = format!(
        "<p>Planted synthetic model of {} units (each unit coupled with J = 0.25 to the two \
         nearest units on either side of a ring and with J = ±0.25 to about two random \
         partners; fields in [−0.2, 0.2]), {} Gibbs samples ({:.1} s on the device). The \
         methods fit the samples; errors are over all {} unit pairs, most of whose planted \
         couplings are 0.</p>\n",
        synthetic.units,
        synthetic.samples,
        synthetic.sampling_seconds,
        synthetic.units * (synthetic.units - 1) / 2,
    );
    let header: Vec<String> = [
        "method",
        "time (s)",
        "max |J − J_planted|",
        "RMS error",
        "Pearson(J, J_planted)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = synthetic
        .recoveries
        .iter()
        .map(|r| {
            vec![
                r.method.to_string(),
                cell(Some(r.seconds), 2),
                cell(Some(r.max_error), 3),
                cell(Some(r.rms_error), 4),
                cell(r.pearson, 3),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html
}

/// Names the data of the pooled result: all subjects, or the only subject of a one-subject run.
fn pooled_label(pooled: &SubjectResult) -> String {
    if pooled.subject == POOLED {
        "all subjects pooled".to_owned()
    } else {
        format!("subject {}", pooled.subject)
    }
}

fn minima_table(pooled: &SubjectResult) -> String {
    let landscape = &pooled.landscape;
    let header: Vec<String> = [
        "minimum",
        "energy",
        "active regions",
        "basin (samples)",
        "basin (data)",
        "barrier to minimum 1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let k = landscape.minima_count;
    let listed = landscape.lowest_minima.len();
    let rows: Vec<Vec<String>> = (0..listed.min(LISTED_MINIMA))
        .map(|m| {
            let active = landscape.lowest_minima[m]
                .chars()
                .filter(|&c| c == '1')
                .count();
            vec![
                (m + 1).to_string(),
                cell(Some(landscape.minima_energy[m]), 2),
                active.to_string(),
                cell(Some(landscape.basin_sample_fraction[m]), 3),
                cell(Some(landscape.basin_data_fraction[m]), 3),
                cell(Some(landscape.lowest_barrier[m * listed]), 2),
            ]
        })
        .collect();
    let mut html = format!(
        "<h3>Lowest minima, {} ({k} minima found)</h3>\n",
        pooled_label(pooled)
    );
    html.push_str(&table(&header, &rows));
    html
}

#[cfg(test)]
mod tests {
    use super::single_linkage;

    #[test]
    fn single_linkage_matches_scipy_numbering() {
        // Minima 0 and 2 join at -5, then minimum 1 joins them at -2; minimum 3 is listed but
        // not drawn. scipy.cluster.hierarchy.linkage numbers the first cluster 3 and the
        // second 4, so the merges are (0, 2, -5) and (1, 3, -2).
        let inf = f64::INFINITY;
        #[rustfmt::skip]
        let barrier = [
            -9.0, -2.0, -5.0, inf,
            -2.0, -8.0, -2.0, inf,
            -5.0, -2.0, -7.0, inf,
            inf, inf, inf, -6.0,
        ];
        assert_eq!(
            single_linkage(&barrier, 4, 3),
            vec![(0, 2, -5.0), (1, 3, -2.0)]
        );
        // With the unconnected minimum drawn, only the connected ones merge.
        assert_eq!(
            single_linkage(&barrier, 4, 4),
            vec![(0, 2, -5.0), (1, 4, -2.0)]
        );
    }
}
