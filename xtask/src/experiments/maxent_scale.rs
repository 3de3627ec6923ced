//! Pairwise maximum-entropy models of all 94 AAL2 regions of resting-state HCP BOLD, beyond
//! exact enumeration.
//!
//! Each subject's regions are binarised at their means with the preprocessing of the
//! energy-landscape experiment. Then, per subject and for all subjects pooled:
//!
//! 1. a pseudo-likelihood fit (Aurell and Ekeberg 2012, Phys. Rev. Lett. 108:090201) with a
//!    small L2 penalty, and one on each half of the recording (split-half reliability);
//! 2. the Spearman correlation of the couplings J_ij with diffusion structural connectivity
//!    sc_ij over the 4371 region pairs, with a Mantel permutation p-value;
//! 3. Boltzmann learning with persistent Gibbs chains on the Burn device, started from the
//!    pseudo-likelihood fit, and a moment check of both models (data against model pairwise
//!    correlations, from fresh Gibbs samples);
//! 4. the energy landscape of the refined model over the data, its samples and their descent
//!    paths (minima, basin sizes from the samples, barriers).
//!
//! Across subjects the pseudo-likelihood couplings are compared pairwise (Pearson and
//! Spearman of the upper triangles). On the eight default-mode regions of the pooled data,
//! pseudo-likelihood, mean field and Boltzmann learning are compared with the exact
//! maximum-likelihood fit.

mod render;
mod synthetic;

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use clap::Args;
use ncm_data::DataDir;
use ncm_ebm::{
    BoltzmannConfig, ExactFitConfig, GibbsConfig, IsingModel, LandscapeSearchConfig,
    MeanFieldMethod, PseudoLikelihoodConfig, SampledLandscape,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use super::energy_landscape::{DEFAULT_MODE_REGIONS, load_subject};
use crate::aal2;
use crate::backend::Backend;
use crate::report::Section;
use crate::stats::{MantelTest, mantel_spearman, pearson, spearman};

/// Name of the fit on all subjects' samples together.
const POOLED: &str = "all subjects";

/// Settings of the maximum-entropy-at-scale experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HCP subject ids; each is fitted separately, then all are pooled.
    pub subjects: Vec<String>,
    /// L2 penalty lambda of the pseudo-likelihood fits, per sample. Default 0.001.
    pub l2_penalty: f64,
    /// Random region relabellings of the Mantel test of J against sc, at least 99. Default
    /// 1000.
    pub mantel_permutations: usize,
    /// Gibbs chains that sample each fitted model. Default 200.
    pub chains: usize,
    /// Sweeps before the first kept sample. Default 300.
    pub burn_in_sweeps: usize,
    /// Samples kept per chain, 10 sweeps apart. Default 10. chains x samples_per_chain must
    /// be at least 100.
    pub samples_per_chain: usize,
    /// Nearest minima each minimum is joined to by a greedy bridge path. Default 8.
    pub bridge_neighbours: usize,
    /// Boltzmann-learning steps that refine each subject's pseudo-likelihood fit; 0 skips
    /// them, and the landscape then uses the pseudo-likelihood model. The eight-region
    /// comparison and the synthetic check keep their own step counts. Default 200.
    pub boltzmann_iterations: usize,
    /// Persistent chains of Boltzmann learning. Default 500.
    pub boltzmann_chains: usize,
    /// Units of the planted synthetic model whose couplings the methods must recover; 0
    /// skips the check. Default 200.
    pub synthetic_units: usize,
    /// Seed of every sampler and of the planted model. Default 2012.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            subjects: ncm_data::HCP_SUBJECTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            l2_penalty: 1e-3,
            mantel_permutations: 1000,
            chains: 200,
            burn_in_sweeps: 300,
            samples_per_chain: 10,
            bridge_neighbours: 8,
            boltzmann_iterations: 200,
            boltzmann_chains: 500,
            synthetic_units: 200,
            seed: 2012,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment maxent-scale`.
#[derive(Args)]
pub struct Cli {
    /// HCP subject ids, comma separated (default: all seven).
    #[arg(long, value_delimiter = ',')]
    subject: Vec<String>,
    /// L2 penalty of the pseudo-likelihood fits.
    #[arg(long, default_value_t = 1e-3)]
    l2_penalty: f64,
    /// Boltzmann-learning steps that refine each subject's fit (0 skips them; the
    /// eight-region comparison and the synthetic check keep their own step counts).
    #[arg(long, default_value_t = 200)]
    boltzmann_iterations: usize,
    /// Units of the planted synthetic model (0 skips the check).
    #[arg(long, default_value_t = 200)]
    synthetic_units: usize,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Config {
        let mut config = Config {
            l2_penalty: self.l2_penalty,
            boltzmann_iterations: self.boltzmann_iterations,
            synthetic_units: self.synthetic_units,
            ..Config::default()
        };
        if !self.subject.is_empty() {
            config.subjects = self.subject.iter().map(|s| s.trim().to_owned()).collect();
        }
        config
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    super::validate_subjects(&config.subjects)?;
    if config.synthetic_units == 1 || config.synthetic_units == 2 {
        bail!(
            "invalid synthetic_units {}; use 0 to skip the check or at least 3",
            config.synthetic_units
        );
    }
    if !(config.l2_penalty.is_finite() && config.l2_penalty >= 0.0) {
        bail!(
            "invalid l2_penalty {}; use a finite value >= 0, for example 0.001",
            config.l2_penalty
        );
    }
    for (name, value) in [
        ("chains", config.chains),
        ("samples_per_chain", config.samples_per_chain),
        ("boltzmann_chains", config.boltzmann_chains),
    ] {
        if value == 0 {
            bail!("invalid {name} 0; it must be at least 1");
        }
    }
    if config.mantel_permutations < MIN_MANTEL_PERMUTATIONS {
        bail!(
            "invalid mantel_permutations {}; use at least {MIN_MANTEL_PERMUTATIONS} (default \
             1000), because with fewer relabellings the smallest possible Mantel p-value \
             is above 0.01",
            config.mantel_permutations
        );
    }
    let model_samples = config.chains.saturating_mul(config.samples_per_chain);
    if model_samples < MIN_MODEL_SAMPLES {
        bail!(
            "chains x samples_per_chain = {} x {} gives only {model_samples} model samples; \
             use at least {MIN_MODEL_SAMPLES} (default 200 x 10) so that basin sizes and \
             moments are estimated from enough samples",
            config.chains,
            config.samples_per_chain
        );
    }
    Ok(())
}

/// Minimum number of random relabellings of the Mantel test. With 99 the smallest p-value
/// is 1/100.
const MIN_MANTEL_PERMUTATIONS: usize = 99;

/// Minimum number of Gibbs samples (chains x samples_per_chain) of each fitted model.
const MIN_MODEL_SAMPLES: usize = 100;

/// Fit, reliability, structure-function and landscape summary of one subject or the pool.
#[derive(Clone, Serialize)]
pub(crate) struct SubjectResult {
    subject: String,
    samples: usize,
    fit_seconds: f64,
    max_newton_iterations: usize,
    /// Pseudo-likelihood fields.
    field: Vec<f64>,
    /// Pseudo-likelihood couplings, N x N row-major.
    coupling: Vec<f64>,
    /// Pearson correlation of the couplings fitted on the two halves of the recording.
    split_half_pearson: Option<f64>,
    coupling_sc: Option<MantelTest>,
    /// Moment check of the pseudo-likelihood model.
    moment_check: MomentCheck,
    refinement: Option<Refinement>,
    /// Landscape of the refined model, or of the pseudo-likelihood model without refinement.
    landscape: LandscapeSummary,
}

/// Minima listed with their states and barriers in `result.json`; all minima keep their
/// energies, basin sizes and merges.
const SUMMARISED_MINIMA: usize = 30;

/// The parts of a [`SampledLandscape`] written to `result.json`. The full barrier matrix of
/// a thousand minima would take tens of megabytes per subject.
#[derive(Clone, Serialize)]
pub(crate) struct LandscapeSummary {
    searched_states: usize,
    minima_count: usize,
    /// The lowest minima as strings of region activities, `1` for +1 (above the mean).
    lowest_minima: Vec<String>,
    /// Barriers among the lowest minima, row-major, infinite (null in JSON) if unconnected.
    lowest_barrier: Vec<f64>,
    minima_energy: Vec<f64>,
    basin_sample_fraction: Vec<f64>,
    basin_data_fraction: Vec<f64>,
    merges: Vec<ncm_ebm::Merge>,
}

impl LandscapeSummary {
    fn new(landscape: SampledLandscape) -> Self {
        let k = landscape.minima.len();
        let listed = k.min(SUMMARISED_MINIMA);
        let pattern = |state: &Vec<i8>| {
            state
                .iter()
                .map(|&s| if s == 1 { '1' } else { '0' })
                .collect()
        };
        Self {
            searched_states: landscape.searched_states,
            minima_count: k,
            lowest_minima: landscape.minima[..listed].iter().map(pattern).collect(),
            lowest_barrier: (0..listed)
                .flat_map(|a| (0..listed).map(move |b| (a, b)))
                .map(|(a, b)| landscape.barrier[a * k + b])
                .collect(),
            minima_energy: landscape.minima_energy,
            basin_sample_fraction: landscape.basin_sample_fraction,
            basin_data_fraction: landscape.basin_data_fraction,
            merges: landscape.merges,
        }
    }
}

/// Differences of <s_i s_j> (i < j) between the data and Gibbs samples of a model.
#[derive(Clone, Copy, Serialize)]
pub(crate) struct MomentCheck {
    rms_error: f64,
    max_error: f64,
}

/// Runs the experiment and writes `report/maxent-scale/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
    backend: Backend,
) -> Result<Section> {
    validate(config)?;
    let out_dir = super::create_output_dir(report_dir, "maxent-scale")?;
    let dir = DataDir::new(data_dir);
    let all_regions: Vec<usize> = (0..aal2::REGIONS.len()).collect();
    let n = all_regions.len();

    let mut results = Vec::new();
    let mut pooled_states = Vec::new();
    let mut pooled_sc = vec![0.0; n * n];
    for (index, subject) in config.subjects.iter().enumerate() {
        let (states, sc) = load_subject(&dir, subject, &all_regions)?;
        results.push(analyse(
            subject,
            &states,
            &sc,
            config,
            index as u64,
            device,
        )?);
        pooled_states.extend_from_slice(&states);
        pooled_sc
            .iter_mut()
            .zip(&sc)
            .for_each(|(total, v)| *total += v / config.subjects.len() as f64);
    }
    // With one subject the pooled data is that subject's data, so its fit is reused rather
    // than repeated; the figures and tables then describe that subject.
    let pooled = match results.as_slice() {
        [only] => only.clone(),
        _ => analyse(
            POOLED,
            &pooled_states,
            &pooled_sc,
            config,
            config.subjects.len() as u64,
            device,
        )?,
    };
    let consistency = Consistency::new(&results, n);
    let small = compare_with_exact(&pooled_states, n, config, device)?;
    let synthetic = match config.synthetic_units {
        0 => None,
        units => Some(synthetic::run(
            units,
            config.l2_penalty,
            config.seed,
            device,
        )?),
    };

    render::write_figures(&out_dir, &results, &pooled, &consistency, &pooled_sc)?;
    let summary = json!({
        "config": config,
        "backend": backend,
        "subjects": results,
        "pooled": pooled,
        "consistency": consistency,
        "default_mode_comparison": small,
        "synthetic": synthetic,
    });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "maxent_scale".to_owned(),
        title: "Maximum-entropy models of all 94 brain regions".to_owned(),
        html: render::html(
            config,
            backend,
            &results,
            &pooled,
            &consistency,
            &small,
            synthetic.as_ref(),
        ),
        summary,
    })
}

fn pseudolikelihood_config(config: &Config) -> PseudoLikelihoodConfig {
    PseudoLikelihoodConfig {
        l2_penalty: config.l2_penalty,
        ..PseudoLikelihoodConfig::default()
    }
}

/// Derives the seed of random stream `stream` from the configured seed.
fn stream_seed(config: &Config, stream: u64) -> u64 {
    config
        .seed
        .wrapping_add(stream.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn gibbs_config(config: &Config, stream: u64) -> GibbsConfig {
    GibbsConfig {
        chains: config.chains,
        burn_in_sweeps: config.burn_in_sweeps,
        samples_per_chain: config.samples_per_chain,
        sweeps_between_samples: 10,
        seed: stream_seed(config, stream),
    }
}

fn analyse(
    subject: &str,
    states: &[i8],
    sc: &[f64],
    config: &Config,
    stream: u64,
    device: &Device,
) -> Result<SubjectResult> {
    let n = sc.len().isqrt();
    let started = Instant::now();
    let fit = ncm_ebm::fit_pseudolikelihood(states, n, &pseudolikelihood_config(config))
        .with_context(|| format!("pseudo-likelihood fit of subject {subject} failed"))?;
    let fit_seconds = started.elapsed().as_secs_f64();

    let half = states.len() / n / 2 * n;
    let first =
        ncm_ebm::fit_pseudolikelihood(&states[..half], n, &pseudolikelihood_config(config))?;
    let second =
        ncm_ebm::fit_pseudolikelihood(&states[half..], n, &pseudolikelihood_config(config))?;
    let split_half_pearson = pearson(
        &upper_triangle(&first.model.coupling, n),
        &upper_triangle(&second.model.coupling, n),
    );
    let coupling_sc = mantel_spearman(
        &fit.model.coupling,
        sc,
        n,
        config.mantel_permutations,
        config.seed,
    );

    let samples = ncm_ebm::gibbs_sample(&fit.model, &gibbs_config(config, 3 * stream), device)?;
    let moment_check = moment_check(states, &samples, n)?;
    let (model, samples, refinement) =
        match refine(states, &fit.model, moment_check, config, stream, device)? {
            Some((model, samples, refinement)) => (model, samples, Some(refinement)),
            None => (fit.model.clone(), samples, None),
        };
    let search = LandscapeSearchConfig {
        bridge_neighbours: config.bridge_neighbours,
    };
    let landscape = ncm_ebm::sampled_energy_landscape(&model, states, &samples, &search)?;
    info!(
        subject,
        fit_seconds,
        split_half = split_half_pearson.unwrap_or(f64::NAN),
        spearman_sc = coupling_sc.map_or(f64::NAN, |t| t.rho),
        minima = landscape.minima.len(),
        "maximum-entropy model of 94 regions"
    );
    Ok(SubjectResult {
        subject: subject.to_owned(),
        samples: states.len() / n,
        fit_seconds,
        max_newton_iterations: fit.iterations.iter().copied().max().unwrap_or(0),
        field: fit.model.field,
        coupling: fit.model.coupling,
        split_half_pearson,
        coupling_sc,
        moment_check,
        refinement,
        landscape: LandscapeSummary::new(landscape),
    })
}

/// Compares the pairwise moments of the data with those of model samples.
fn moment_check(data: &[i8], samples: &[i8], n: usize) -> Result<MomentCheck> {
    let data_moments = ncm_ebm::empirical_moments(data, n)?;
    let model_moments = ncm_ebm::empirical_moments(samples, n)?;
    let differences: Vec<f64> = upper_triangle(&data_moments.correlation, n)
        .iter()
        .zip(upper_triangle(&model_moments.correlation, n))
        .map(|(d, m)| d - m)
        .collect();
    let rms_error =
        (differences.iter().map(|d| d * d).sum::<f64>() / differences.len() as f64).sqrt();
    let max_error = differences.iter().fold(0.0f64, |acc, d| acc.max(d.abs()));
    Ok(MomentCheck {
        rms_error,
        max_error,
    })
}

pub(crate) fn upper_triangle(matrix: &[f64], n: usize) -> Vec<f64> {
    (0..n)
        .flat_map(|i| ((i + 1)..n).map(move |j| matrix[i * n + j]))
        .collect()
}

/// Pairwise similarity of the subjects' coupling matrices.
#[derive(Serialize)]
pub(crate) struct Consistency {
    subjects: Vec<String>,
    /// Pearson correlation of the upper triangles, subjects x subjects row-major.
    pearson: Vec<f64>,
    /// Spearman correlation of the upper triangles, subjects x subjects row-major.
    spearman: Vec<f64>,
    mean_pearson: f64,
    min_pearson: f64,
    max_pearson: f64,
    mean_spearman: f64,
}

impl Consistency {
    fn new(results: &[SubjectResult], n: usize) -> Self {
        let k = results.len();
        let triangles: Vec<Vec<f64>> = results
            .iter()
            .map(|r| upper_triangle(&r.coupling, n))
            .collect();
        let mut pearson_matrix = vec![1.0; k * k];
        let mut spearman_matrix = vec![1.0; k * k];
        let mut off_diagonal = Vec::new();
        let mut off_diagonal_spearman = Vec::new();
        for a in 0..k {
            for b in (a + 1)..k {
                let p = pearson(&triangles[a], &triangles[b]).unwrap_or(f64::NAN);
                let s = spearman(&triangles[a], &triangles[b]).unwrap_or(f64::NAN);
                (pearson_matrix[a * k + b], pearson_matrix[b * k + a]) = (p, p);
                (spearman_matrix[a * k + b], spearman_matrix[b * k + a]) = (s, s);
                off_diagonal.push(p);
                off_diagonal_spearman.push(s);
            }
        }
        let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
        Self {
            subjects: results.iter().map(|r| r.subject.clone()).collect(),
            pearson: pearson_matrix,
            spearman: spearman_matrix,
            mean_pearson: mean(&off_diagonal),
            min_pearson: off_diagonal.iter().copied().fold(f64::INFINITY, f64::min),
            max_pearson: off_diagonal
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
            mean_spearman: mean(&off_diagonal_spearman),
        }
    }
}

/// Boltzmann learning from the pseudo-likelihood fit and its moment check.
#[derive(Clone, Serialize)]
pub(crate) struct Refinement {
    seconds: f64,
    before: MomentCheck,
    after: MomentCheck,
    /// Largest |J_Boltzmann - J_pseudo-likelihood|.
    max_coupling_change: f64,
    /// Mean of J_Boltzmann - J_pseudo-likelihood over the pairs i < j.
    mean_coupling_change: f64,
    /// Pearson correlation of the two coupling matrices' upper triangles.
    coupling_pearson: Option<f64>,
}

/// Runs Boltzmann learning from `start` and returns the refined model, fresh samples of it
/// and the comparison, or `None` when refinement is switched off.
fn refine(
    states: &[i8],
    start: &IsingModel,
    before: MomentCheck,
    config: &Config,
    stream: u64,
    device: &Device,
) -> Result<Option<(IsingModel, Vec<i8>, Refinement)>> {
    if config.boltzmann_iterations == 0 {
        return Ok(None);
    }
    let n = start.n_spins();
    let boltzmann = BoltzmannConfig {
        chains: config.boltzmann_chains,
        iterations: config.boltzmann_iterations,
        seed: stream_seed(config, 3 * stream + 1),
        ..BoltzmannConfig::default()
    };
    let started = Instant::now();
    let fit = ncm_ebm::fit_boltzmann(states, n, start, &boltzmann, device)?;
    let seconds = started.elapsed().as_secs_f64();
    let samples = ncm_ebm::gibbs_sample(&fit.model, &gibbs_config(config, 3 * stream + 2), device)?;
    let after = moment_check(states, &samples, n)?;
    let refined = upper_triangle(&fit.model.coupling, n);
    let original = upper_triangle(&start.coupling, n);
    let changes: Vec<f64> = refined.iter().zip(&original).map(|(a, b)| a - b).collect();
    let refinement = Refinement {
        seconds,
        before,
        after,
        max_coupling_change: changes.iter().fold(0.0f64, |acc, d| acc.max(d.abs())),
        mean_coupling_change: changes.iter().sum::<f64>() / changes.len() as f64,
        coupling_pearson: pearson(&refined, &original),
    };
    Ok(Some((fit.model, samples, refinement)))
}

/// Pseudo-likelihood, mean field and Boltzmann learning against the exact fit on the eight
/// default-mode regions of the pooled data.
#[derive(Serialize)]
pub(crate) struct ExactComparison {
    regions: Vec<usize>,
    /// Largest |J - J_exact| and |h - h_exact| of each method, in the order of `methods`.
    methods: Vec<&'static str>,
    max_coupling_gap: Vec<f64>,
    max_field_gap: Vec<f64>,
    max_exact_coupling: f64,
}

fn compare_with_exact(
    pooled_states: &[i8],
    n_all: usize,
    config: &Config,
    device: &Device,
) -> Result<ExactComparison> {
    let regions = DEFAULT_MODE_REGIONS.to_vec();
    let n = regions.len();
    let states: Vec<i8> = pooled_states
        .chunks_exact(n_all)
        .flat_map(|row| regions.iter().map(|&r| row[r]))
        .collect();
    let exact = ncm_ebm::fit_exact(&states, n, &ExactFitConfig::default())?;
    let plain = PseudoLikelihoodConfig::default();
    let pseudolikelihood = ncm_ebm::fit_pseudolikelihood(&states, n, &plain)?.model;
    let naive = ncm_ebm::fit_mean_field(&states, n, MeanFieldMethod::Naive)?;
    let tap = ncm_ebm::fit_mean_field(&states, n, MeanFieldMethod::Tap)?;
    let boltzmann_config = BoltzmannConfig {
        chains: 2000,
        iterations: 400,
        seed: config.seed,
        ..BoltzmannConfig::default()
    };
    let boltzmann =
        ncm_ebm::fit_boltzmann(&states, n, &pseudolikelihood, &boltzmann_config, device)?.model;

    let gap = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .fold(0.0f64, |acc, (x, y)| acc.max((x - y).abs()))
    };
    let models = [&pseudolikelihood, &naive, &tap, &boltzmann];
    Ok(ExactComparison {
        regions,
        methods: vec![
            "pseudo-likelihood",
            "naive mean field",
            "TAP",
            "Boltzmann learning",
        ],
        max_coupling_gap: models
            .iter()
            .map(|m| gap(&m.coupling, &exact.model.coupling))
            .collect(),
        max_field_gap: models
            .iter()
            .map(|m| gap(&m.field, &exact.model.field))
            .collect(),
        max_exact_coupling: exact
            .model
            .coupling
            .iter()
            .fold(0.0f64, |acc, j| acc.max(j.abs())),
    })
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
            assert!(
                error.contains("mantel_permutations"),
                "{permutations}: {error}"
            );
        }
        let config = Config {
            mantel_permutations: 99,
            ..Config::default()
        };
        validate(&config).unwrap();
    }

    #[test]
    fn validate_rejects_few_model_samples() {
        for (chains, samples_per_chain) in [(1, 1), (9, 11)] {
            let config = Config {
                chains,
                samples_per_chain,
                ..Config::default()
            };
            let error = validate(&config).unwrap_err().to_string();
            assert!(
                error.contains("at least 100"),
                "{chains} x {samples_per_chain}: {error}"
            );
        }
        let config = Config {
            chains: 10,
            samples_per_chain: 10,
            ..Config::default()
        };
        validate(&config).unwrap();
    }
}
