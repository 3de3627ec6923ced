//! Continuous energy-based models, one per training objective: first on Gaussian mixtures
//! whose density is known, compared by samples and denoising, then on simulated motif activity
//! and HCP default-mode BOLD, compared with a fitted Gaussian and a maximum-entropy model.
//!
//! For a 2-D ring of eight Gaussians and a 10-D mixture of four, an MLP energy is trained with
//! each objective of `ncm_ebm::continuous`: denoising score matching (Vincent 2011), sliced
//! score matching (Song et al. 2019), contrastive divergence with Langevin negatives and a
//! replay buffer (Du and Mordatch 2019) and noise-contrastive estimation against a fitted
//! Gaussian (Gutmann and Hyvarinen 2010). For each model the experiment
//!
//! 1. draws samples by annealed MALA (temperature 4 down to 1) from the fitted Gaussian, and
//!    scores them by the unbiased MMD^2 of Gretton et al. 2012 against fresh draws from the true
//!    mixture, with an RBF kernel whose bandwidth is a stated fraction of the median distance
//!    between true draws;
//!    MMD^2 of the fitted Gaussian itself and of a second true sample are the reference points;
//! 2. measures the held-out denoising error of the Tweedie estimate x~ - sigma^2 grad E(x~),
//!    next to the identity (sigma^2) and the exact posterior mean of the mixture (the floor);
//! 3. for the 2-D denoising model, finds fixed points by gradient descent from data points,
//!    with Hessian eigenvalues and basin sizes.
//!
//! The second part ([`recorded`]) trains each objective with [`Config::recorded_seeds`] seeds
//! on two data sets: the noisy rate activity of the recurrent-excitation example circuit of
//! `ncm_motifs`, split into training and held-out time blocks, and the BOLD of the eight
//! default-mode regions, z-scored per subject, with five HCP subjects for training and two
//! for testing. It reports
//!
//! 4. the held-out denoising error at [`Config::recorded_noise`] (mean and sd over seeds) next
//!    to the identity and the Tweedie estimate of the fitted Gaussian (the Wiener filter);
//! 5. the held-out log-likelihood -E(x) - log Z^, with log Z^ estimated by importance sampling
//!    from the fitted Gaussian (covariance scaled by [`Config::proposal_inflation`]), its
//!    delta-method standard error and effective sample size, next to the Gaussian's own
//!    held-out log-likelihood;
//! 6. on the HCP data, the stable fixed points of each objective's first-seed model, mapped to
//!    +-1 patterns by their sign (the binarisation threshold of z-scored rows is 0) and matched
//!    by Hamming distance with the local minima of the exact pairwise maximum-entropy model
//!    fitted to the binarised training subjects (Ezaki et al. 2017), with basin sizes.
//!
//! Every random draw (data, initial weights, batches, chains) is seeded from [`Config::seed`].

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use clap::Args;
use ncm_ebm::continuous::{
    Annealing, AttractorConfig, EnergyNet, EnergyNetConfig, GaussianMixture, Objective,
    SamplerConfig, SamplerMethod, Stability, TrainConfig, TrainRecord, Trainer, denoising_error,
    find_attractors, median_distance, mmd_rbf, oracle_denoising_error, sample,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::backend::Backend;

mod baselines;
mod recorded;
use crate::figures::{LineSeries, ScatterGroup, write_group_scatter_svg, write_line_svg};
use crate::report::{Section, cell, table};

/// Settings of the continuous EBM experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Training rows per data set (default 2000).
    pub train_samples: usize,
    /// Held-out rows for the denoising error and model samples for the MMD (default 500).
    pub eval_samples: usize,
    /// Hidden units per layer (default 64).
    pub width: usize,
    /// Hidden layers (default 2).
    pub depth: usize,
    /// Confinement c of the energy's (c / 2) |x|^2 term (default 0.01).
    pub confinement: f64,
    /// Adam steps per model (default 1500).
    pub steps: usize,
    /// Rows per Adam step (default 128).
    pub batch_size: usize,
    /// Learning rate at the first step, decaying geometrically to a tenth (default 1e-2).
    pub learning_rate: f64,
    /// Noise levels of denoising score matching (default [0.1]).
    pub dsm_noise_levels: Vec<f64>,
    /// ULA steps per contrastive-divergence update (default 20).
    pub cd_langevin_steps: usize,
    /// ULA step size of contrastive divergence (default 0.005).
    pub cd_step_size: f64,
    /// Energy-magnitude regulariser alpha of contrastive divergence (default 0.1).
    pub cd_regulariser: f64,
    /// Noise rows per data row of noise-contrastive estimation (default 4).
    pub nce_noise_ratio: usize,
    /// MALA steps of the evaluation samples (default 800).
    pub sampler_steps: usize,
    /// MALA step size (default 0.01).
    pub sampler_step_size: f64,
    /// MMD kernel bandwidth as a multiple of the median distance between true draws
    /// (default 0.25: the median spans whole mixtures, which hides the modes).
    pub mmd_bandwidth_scale: f64,
    /// Noise level sigma of the held-out denoising error (default 0.1).
    pub eval_noise: f64,
    /// Seed of every random draw (default 2019).
    pub seed: u64,
    /// Seeds per objective on the recorded data sets (default 3).
    pub recorded_seeds: usize,
    /// Adam steps per model on the recorded data sets (default 600).
    pub recorded_steps: usize,
    /// Noise level sigma of the recorded data sets, for both the DSM training noise and the
    /// held-out denoising error (default 0.5: the rows are z-scored, and at sigma = 0.1 every
    /// denoiser, the identity included, scores within 1% of sigma^2).
    pub recorded_noise: f64,
    /// Simulated seconds of the noisy motif circuit (default 300).
    pub motif_duration_s: f64,
    /// Noise amplitude of the rate network, state units per square-root second (default 0.5).
    pub motif_noise_sigma: f64,
    /// Keep every this many 10 ms samples of the motif activity (default 5, i.e. 50 ms).
    pub motif_stride: usize,
    /// Rows per time block of the motif train/held-out split (default 200, i.e. 10 s).
    pub block_rows: usize,
    /// Every this many blocks, one is held out (default 4: a quarter).
    pub held_out_every: usize,
    /// HCP subjects whose default-mode BOLD trains the models (default: the first five).
    pub hcp_train_subjects: Vec<String>,
    /// HCP subjects held out (default: the last two).
    pub hcp_test_subjects: Vec<String>,
    /// Proposal draws of the importance-sampling estimate of log Z (default 20000).
    pub importance_samples: usize,
    /// Factor on the fitted covariance of the importance proposal, at least 1 so its tails
    /// are wider than the data's (default 1.5).
    pub proposal_inflation: f64,
    /// Training rows from which the HCP fixed points are sought (default 300).
    pub attractor_starts: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            train_samples: 2000,
            eval_samples: 500,
            width: 64,
            depth: 2,
            confinement: 0.01,
            steps: 1500,
            batch_size: 128,
            learning_rate: 1e-2,
            dsm_noise_levels: vec![0.1],
            cd_langevin_steps: 20,
            cd_step_size: 0.005,
            cd_regulariser: 0.1,
            nce_noise_ratio: 4,
            sampler_steps: 800,
            sampler_step_size: 0.01,
            mmd_bandwidth_scale: 0.25,
            eval_noise: 0.1,
            seed: 2019,
            recorded_seeds: 3,
            recorded_steps: 600,
            recorded_noise: 0.5,
            motif_duration_s: 300.0,
            motif_noise_sigma: 0.5,
            motif_stride: 5,
            block_rows: 200,
            held_out_every: 4,
            hcp_train_subjects: ncm_data::HCP_SUBJECTS[..5]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            hcp_test_subjects: ncm_data::HCP_SUBJECTS[5..]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            importance_samples: 20_000,
            proposal_inflation: 1.5,
            attractor_starts: 300,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment continuous-ebm`. Absent flags keep the
/// defaults of [`Config`].
#[derive(Args)]
pub struct Cli {
    /// Adam steps per model (default 1500).
    #[arg(long)]
    steps: Option<usize>,
    /// Training rows per data set (default 2000).
    #[arg(long)]
    train_samples: Option<usize>,
    /// MALA steps of the evaluation samples (default 800).
    #[arg(long)]
    sampler_steps: Option<usize>,
    /// Seed of every random draw (default 2019).
    #[arg(long)]
    seed: Option<u64>,
    /// Seeds per objective on the recorded data sets (default 3).
    #[arg(long)]
    recorded_seeds: Option<usize>,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Result<Config> {
        let mut config = Config::default();
        config.steps = self.steps.unwrap_or(config.steps);
        config.train_samples = self.train_samples.unwrap_or(config.train_samples);
        config.sampler_steps = self.sampler_steps.unwrap_or(config.sampler_steps);
        config.seed = self.seed.unwrap_or(config.seed);
        config.recorded_seeds = self.recorded_seeds.unwrap_or(config.recorded_seeds);
        Ok(config)
    }
}

/// Checks the settings before any work starts; the library checks the rest when it builds
/// the models, trainers and samplers.
pub fn validate(config: &Config) -> Result<()> {
    ensure!(
        config.train_samples >= 10,
        "train_samples is {}; use at least 10 (default 2000)",
        config.train_samples
    );
    ensure!(
        config.eval_samples >= 10,
        "eval_samples is {}; use at least 10 (default 500)",
        config.eval_samples
    );
    ensure!(
        config.steps >= 1,
        "steps is 0; use at least 1 (default 1500)"
    );
    ensure!(
        config.sampler_steps >= 1,
        "sampler_steps is 0; use at least 1 (default 800)"
    );
    ensure!(
        config.mmd_bandwidth_scale.is_finite() && config.mmd_bandwidth_scale > 0.0,
        "invalid mmd_bandwidth_scale {}; use a finite value > 0 (default 0.25)",
        config.mmd_bandwidth_scale
    );
    ensure!(
        config.eval_noise.is_finite() && config.eval_noise > 0.0,
        "invalid eval_noise {}; use a finite value > 0 (default 0.1)",
        config.eval_noise
    );
    ensure!(
        config.recorded_seeds >= 1,
        "recorded_seeds is 0; use at least 1 (default 3)"
    );
    ensure!(
        config.recorded_steps >= 1,
        "recorded_steps is 0; use at least 1 (default 600)"
    );
    ensure!(
        config.recorded_noise.is_finite() && config.recorded_noise > 0.0,
        "invalid recorded_noise {}; use a finite value > 0 (default 0.5)",
        config.recorded_noise
    );
    ensure!(
        config.motif_duration_s.is_finite() && config.motif_duration_s >= 10.0,
        "invalid motif_duration_s {}; use a finite value >= 10 s (default 300)",
        config.motif_duration_s
    );
    ensure!(
        config.motif_noise_sigma.is_finite() && config.motif_noise_sigma > 0.0,
        "invalid motif_noise_sigma {}; use a finite value > 0 (default 0.5)",
        config.motif_noise_sigma
    );
    ensure!(
        config.motif_stride >= 1,
        "motif_stride is 0; use at least 1 (default 5)"
    );
    ensure!(
        config.block_rows >= 1,
        "block_rows is 0; use at least 1 (default 200)"
    );
    ensure!(
        config.held_out_every >= 2,
        "held_out_every is {}; use at least 2 so that some blocks train (default 4)",
        config.held_out_every
    );
    let motif_rows = (config.motif_duration_s / 0.01) as usize / config.motif_stride;
    ensure!(
        motif_rows >= 10 * config.block_rows
            && motif_rows / config.block_rows >= config.held_out_every,
        "motif_duration_s {} with motif_stride {} gives {motif_rows} rows, too few for blocks of \
         {} rows with every {}th held out; lengthen the run or shorten the blocks",
        config.motif_duration_s,
        config.motif_stride,
        config.block_rows,
        config.held_out_every
    );
    super::validate_subjects(&config.hcp_train_subjects).context("invalid hcp_train_subjects")?;
    super::validate_subjects(&config.hcp_test_subjects).context("invalid hcp_test_subjects")?;
    if let Some(shared) = config
        .hcp_test_subjects
        .iter()
        .find(|s| config.hcp_train_subjects.contains(s))
    {
        bail!(
            "subject {shared} is in both hcp_train_subjects and hcp_test_subjects; keep them apart"
        );
    }
    ensure!(
        config.importance_samples >= 100,
        "importance_samples is {}; use at least 100 (default 20000)",
        config.importance_samples
    );
    ensure!(
        config.proposal_inflation.is_finite() && config.proposal_inflation >= 1.0,
        "invalid proposal_inflation {}; use a finite value >= 1 (default 1.5)",
        config.proposal_inflation
    );
    ensure!(
        config.attractor_starts >= 1,
        "attractor_starts is 0; use at least 1 (default 300)"
    );
    for objective in objectives(config) {
        TrainConfig {
            objective,
            ..train_config(config)
        }
        .validate()
        .context("invalid training settings")?;
    }
    Ok(())
}

/// One data set: its name, true mixture and plotting range.
struct DataSet {
    name: &'static str,
    mixture: GaussianMixture,
}

/// Measurements of one model.
#[derive(Serialize)]
struct ModelResult {
    data_set: &'static str,
    objective: &'static str,
    mmd: f64,
    acceptance_rate: Option<f64>,
    denoising_error: f64,
    train_seconds: f64,
    final_loss: f64,
    #[serde(skip)]
    history: Vec<TrainRecord>,
    #[serde(skip)]
    samples: Vec<f32>,
}

/// Reference numbers of one data set.
#[derive(Serialize)]
struct Reference {
    data_set: &'static str,
    bandwidth: f64,
    mmd_truth: f64,
    mmd_fitted_gaussian: f64,
    identity_denoising_error: f64,
    oracle_denoising_error: f64,
}

#[derive(Serialize)]
struct AttractorRow {
    location: Vec<f64>,
    energy: f64,
    eigenvalues: Vec<f64>,
    stability: Stability,
    basin_size: usize,
}

fn objectives(config: &Config) -> Vec<Objective> {
    vec![
        Objective::DenoisingScoreMatching {
            noise_levels: config.dsm_noise_levels.clone(),
        },
        Objective::SlicedScoreMatching { projections: 1 },
        Objective::ContrastiveDivergence {
            langevin_steps: config.cd_langevin_steps,
            step_size: config.cd_step_size,
            regulariser: config.cd_regulariser,
            buffer_size: 4 * config.train_samples,
            reinit_fraction: 0.05,
        },
        Objective::NoiseContrastive {
            noise_ratio: config.nce_noise_ratio,
        },
    ]
}

fn objective_name(objective: &Objective) -> &'static str {
    match objective {
        Objective::DenoisingScoreMatching { .. } => "DSM",
        Objective::SlicedScoreMatching { .. } => "SSM",
        Objective::ContrastiveDivergence { .. } => "CD",
        Objective::NoiseContrastive { .. } => "NCE",
    }
}

fn train_config(config: &Config) -> TrainConfig {
    TrainConfig {
        steps: config.steps,
        batch_size: config.batch_size,
        learning_rate: config.learning_rate,
        final_learning_rate: Some(config.learning_rate / 10.0),
        seed: config.seed,
        ..TrainConfig::default()
    }
}

fn data_sets(seed: u64) -> Result<Vec<DataSet>> {
    // Eight components of standard deviation 0.25 on the circle of radius 2.
    let ring: Vec<f64> = (0..8)
        .flat_map(|k| {
            let angle = std::f64::consts::TAU * k as f64 / 8.0;
            [2.0 * angle.cos(), 2.0 * angle.sin()]
        })
        .collect();
    // Four components of standard deviation 0.5 in 10-D, means drawn from N(0, 1.5^2 I).
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x10d);
    let means: Vec<f64> = (0..40).map(|_| 1.5 * standard_normal(&mut rng)).collect();
    Ok(vec![
        DataSet {
            name: "ring-2d",
            mixture: GaussianMixture::isotropic(&ring, 2, 0.25)?,
        },
        DataSet {
            name: "mixture-10d",
            mixture: GaussianMixture::isotropic(&means, 10, 0.5)?,
        },
    ])
}

fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    use rand::RngExt;
    let radius = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
    radius * (std::f64::consts::TAU * rng.random::<f64>()).cos()
}

/// Runs the experiment and writes `report/continuous-ebm/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
    backend: Backend,
) -> Result<Section> {
    validate(config)?;
    let out_dir = super::create_output_dir(report_dir, "continuous-ebm")?;
    let started = Instant::now();

    let mut results = Vec::new();
    let mut references = Vec::new();
    let mut attractors = (Vec::new(), 0);
    for (index, data_set) in data_sets(config.seed)?.iter().enumerate() {
        let dim = data_set.mixture.dim();
        let seed = config.seed + 100 * index as u64;
        let train = data_set.mixture.sample(config.train_samples, seed + 1);
        let held_out = data_set.mixture.sample(config.eval_samples, seed + 2);
        let truth = data_set.mixture.sample(config.eval_samples, seed + 3);
        let reference = reference(config, data_set, &train, &held_out, &truth, seed)?;

        for objective in objectives(config) {
            let (result, model) = train_and_evaluate(
                config, data_set, objective, &train, &held_out, &truth, &reference, device,
            )?;
            if dim == 2 && result.objective == "DSM" {
                attractors = analyse_attractors(&model, &train, device)?;
            }
            info!(
                data_set = data_set.name,
                objective = result.objective,
                mmd = result.mmd,
                "model evaluated"
            );
            results.push(result);
        }
        references.push(reference);
    }
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "Gaussian-mixture part finished"
    );
    let sets = [
        recorded::motif_activity(config)?,
        recorded::hcp_default_mode(config, data_dir)?,
    ];
    let recorded = recorded::run(config, &sets, device)?;
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "continuous EBM experiment finished"
    );

    write_figures(&out_dir, config, &results)?;
    recorded::write_figure(&out_dir, &recorded)?;
    let summary = json!({
        "config": config,
        "backend": backend,
        "models": results,
        "references": references,
        "attractors_ring_2d_dsm": attractors.0,
        "attractor_starts_unconverged": attractors.1,
        "recorded": recorded,
    });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "continuous_ebm".to_owned(),
        title: "Continuous energy-based models".to_owned(),
        html: html(config, &results, &references, &attractors.0, attractors.1)
            + &recorded::html(config, &recorded),
        summary,
    })
}

fn reference(
    config: &Config,
    data_set: &DataSet,
    train: &[f32],
    held_out: &[f32],
    truth: &[f32],
    seed: u64,
) -> Result<Reference> {
    let dim = data_set.mixture.dim();
    let bandwidth = config.mmd_bandwidth_scale * median_distance(truth, dim)?;
    let second_truth = data_set.mixture.sample(config.eval_samples, seed + 4);
    let fitted = baselines::fitted_gaussian(train, dim, 1.0)?.sample(config.eval_samples, seed + 5);
    Ok(Reference {
        data_set: data_set.name,
        bandwidth,
        mmd_truth: mmd_rbf(&second_truth, truth, dim, bandwidth)?,
        mmd_fitted_gaussian: mmd_rbf(&fitted, truth, dim, bandwidth)?,
        identity_denoising_error: config.eval_noise * config.eval_noise,
        oracle_denoising_error: oracle_denoising_error(
            &data_set.mixture,
            held_out,
            config.eval_noise,
            seed + 6,
        )?,
    })
}

/// Trains one energy network with `objective` for `steps` Adam steps from `seed` and returns
/// it on the inference device.
fn train_model(
    config: &Config,
    dim: usize,
    train: &[f32],
    objective: Objective,
    steps: usize,
    seed: u64,
    device: &Device,
) -> Result<EnergyNet> {
    Ok(train_with_history(config, dim, train, objective, steps, seed, device)?.0)
}

/// As [`train_model`], with the loss history.
fn train_with_history(
    config: &Config,
    dim: usize,
    train: &[f32],
    objective: Objective,
    steps: usize,
    seed: u64,
    device: &Device,
) -> Result<(EnergyNet, Vec<TrainRecord>)> {
    let training_device = device.clone().autodiff();
    let model = EnergyNetConfig::new(dim)
        .with_width(config.width)
        .with_depth(config.depth)
        .with_confinement(config.confinement)
        .with_seed(seed)
        .init(&training_device)?;
    let mut trainer = Trainer::new(
        model,
        train,
        TrainConfig {
            objective,
            steps,
            seed,
            ..train_config(config)
        },
        &training_device,
    )?;
    trainer.run()?;
    let history = trainer.history().to_vec();
    Ok((trainer.into_model().valid(), history))
}

#[allow(clippy::too_many_arguments)]
fn train_and_evaluate(
    config: &Config,
    data_set: &DataSet,
    objective: Objective,
    train: &[f32],
    held_out: &[f32],
    truth: &[f32],
    reference: &Reference,
    device: &Device,
) -> Result<(ModelResult, EnergyNet)> {
    let dim = data_set.mixture.dim();
    let name = objective_name(&objective);
    let started = Instant::now();
    let (model, history) = train_with_history(
        config,
        dim,
        train,
        objective,
        config.steps,
        config.seed,
        device,
    )
    .with_context(|| format!("training {name} on {}", data_set.name))?;
    let train_seconds = started.elapsed().as_secs_f64();

    let starts =
        baselines::fitted_gaussian(train, dim, 1.0)?.sample(config.eval_samples, config.seed + 7);
    let starts =
        Tensor::<2>::from_data(TensorData::new(starts, [config.eval_samples, dim]), device);
    let sampler = SamplerConfig {
        method: SamplerMethod::Mala,
        step_size: config.sampler_step_size,
        n_steps: config.sampler_steps,
        start_temperature: 4.0,
        end_temperature: 1.0,
        annealing: Annealing::Geometric,
        seed: config.seed + 8,
    };
    let output = sample(&model, starts, &sampler)
        .with_context(|| format!("sampling the {name} model on {}", data_set.name))?;
    let mmd = mmd_rbf(&output.rows, truth, dim, reference.bandwidth)?;
    let denoising = denoising_error(&model, held_out, config.eval_noise, config.seed + 6, device)?;
    let final_loss = history.last().map_or(f64::NAN, |record| record.loss);
    let result = ModelResult {
        data_set: data_set.name,
        objective: name,
        mmd,
        acceptance_rate: output.acceptance_rate,
        denoising_error: denoising,
        train_seconds,
        final_loss,
        history,
        samples: output.rows,
    };
    Ok((result, model))
}

/// Returns the fixed points of the descent from the first 200 training points and the number
/// of starts that did not converge.
fn analyse_attractors(
    model: &EnergyNet,
    train: &[f32],
    device: &Device,
) -> Result<(Vec<AttractorRow>, usize)> {
    let starts = &train[..2 * 200.min(train.len() / 2)];
    let config = AttractorConfig {
        step_size: 0.02,
        max_steps: 10_000,
        gradient_tolerance: 1e-3,
        merge_distance: 0.1,
        ..AttractorConfig::default()
    };
    let analysis = find_attractors(model, starts, &config, device)?;
    let unconverged = analysis
        .basin
        .iter()
        .filter(|basin| basin.is_none())
        .count();
    let rows = analysis
        .fixed_points
        .into_iter()
        .map(|fixed| AttractorRow {
            location: fixed.location,
            energy: fixed.energy,
            eigenvalues: fixed.eigenvalues,
            stability: fixed.stability,
            basin_size: fixed.basin_size,
        })
        .collect();
    Ok((rows, unconverged))
}

fn write_figures(out_dir: &Path, config: &Config, results: &[ModelResult]) -> Result<()> {
    let range = Some((-3.2..3.2, -3.2..3.2));
    for result in results.iter().filter(|r| r.data_set == "ring-2d") {
        let truth_points = data_sets(config.seed)?[0]
            .mixture
            .sample(config.eval_samples, config.seed + 3);
        let groups = [
            ScatterGroup {
                label: "true mixture".to_owned(),
                points: pairs(&truth_points),
            },
            ScatterGroup {
                label: format!("{} model, annealed MALA", result.objective),
                points: pairs(&result.samples),
            },
        ];
        let title = format!("Samples of the {} energy, 2-D ring", result.objective);
        write_group_scatter_svg(
            &out_dir.join(format!("samples_{}.svg", result.objective.to_lowercase())),
            &title,
            "x1",
            "x2",
            &groups,
            range.clone(),
        )?;
    }
    for data_set in ["ring-2d", "mixture-10d"] {
        // Losses of different objectives differ in scale and sign, so each curve is shifted to
        // start at 0; block means over 1/50 of the steps smooth the minibatch noise.
        let series: Vec<LineSeries> = results
            .iter()
            .filter(|r| r.data_set == data_set)
            .map(|r| {
                let block = (r.history.len() / 50).max(1);
                let means: Vec<(f64, f64)> = r
                    .history
                    .chunks(block)
                    .map(|chunk| {
                        let loss = chunk.iter().map(|record| record.loss).sum::<f64>()
                            / chunk.len() as f64;
                        (chunk[0].step as f64, loss)
                    })
                    .collect();
                let first = means.first().map_or(0.0, |point| point.1);
                LineSeries {
                    label: r.objective.to_owned(),
                    points: means
                        .iter()
                        .map(|&(step, loss)| (step, loss - first))
                        .collect(),
                }
            })
            .collect();
        let title = format!("Training loss (block means) minus its first value, {data_set}");
        write_line_svg(
            &out_dir.join(format!("loss_{data_set}.svg")),
            &title,
            "Adam step",
            "loss - loss at step 0",
            &series,
            &[],
        )?;
    }
    Ok(())
}

fn pairs(rows: &[f32]) -> Vec<(f64, f64)> {
    rows.chunks(2)
        .map(|row| (f64::from(row[0]), f64::from(row[1])))
        .collect()
}

fn html(
    config: &Config,
    results: &[ModelResult],
    references: &[Reference],
    attractors: &[AttractorRow],
    unconverged: usize,
) -> String {
    let mut html = format!(
        "<p>MLP energies ({} hidden layers of {} softplus units, confinement {}) trained for {} Adam steps on {} rows; \
         samples by annealed MALA ({} steps of size {}, temperature 4 to 1) from the fitted Gaussian. MMD<sup>2</sup> \
         uses an RBF kernel with bandwidth {} times the median distance between true draws, on {} samples; the denoising \
         error is the mean squared error per coordinate of x~ - sigma<sup>2</sup> grad E(x~) at sigma = {}.</p>\n",
        config.depth,
        config.width,
        config.confinement,
        config.steps,
        config.train_samples,
        config.sampler_steps,
        config.sampler_step_size,
        config.mmd_bandwidth_scale,
        config.eval_samples,
        config.eval_noise
    );
    let header: Vec<String> = [
        "data set",
        "objective",
        "MMD²",
        "acceptance",
        "denoising error",
        "training s",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.data_set.to_owned(),
                r.objective.to_owned(),
                cell(Some(r.mmd), 4),
                cell(r.acceptance_rate, 2),
                cell(Some(r.denoising_error), 4),
                cell(Some(r.train_seconds), 1),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    let header: Vec<String> = [
        "data set",
        "bandwidth",
        "MMD² second true sample",
        "MMD² fitted Gaussian",
        "identity error",
        "posterior-mean error",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = references
        .iter()
        .map(|r| {
            vec![
                r.data_set.to_owned(),
                cell(Some(r.bandwidth), 3),
                cell(Some(r.mmd_truth), 4),
                cell(Some(r.mmd_fitted_gaussian), 4),
                cell(Some(r.identity_denoising_error), 4),
                cell(Some(r.oracle_denoising_error), 4),
            ]
        })
        .collect();
    html.push_str("<p>Reference points: a second sample of the truth (MMD² near 0) and the single fitted Gaussian.</p>\n");
    html.push_str(&table(&header, &rows));
    for objective in ["dsm", "ssm", "cd", "nce"] {
        html.push_str(&format!("<img src=\"continuous-ebm/samples_{objective}.svg\" alt=\"samples of the {objective} model\">\n"));
    }
    html.push_str(
        "<img src=\"continuous-ebm/loss_ring-2d.svg\" alt=\"training curves, 2-D ring\">\n",
    );
    html.push_str(
        "<img src=\"continuous-ebm/loss_mixture-10d.svg\" alt=\"training curves, 10-D mixture\">\n",
    );

    let stable = attractors
        .iter()
        .filter(|a| a.stability == Stability::Stable)
        .count();
    html.push_str(&format!(
        "<p>Fixed points of the 2-D DSM energy by gradient descent from 200 training points: {} found, {stable} stable \
         (the true density has 8 modes); {unconverged} starts did not converge.</p>\n",
        attractors.len()
    ));
    let header: Vec<String> = [
        "x1",
        "x2",
        "energy",
        "eigenvalues",
        "stability",
        "basin size",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = attractors
        .iter()
        .map(|a| {
            vec![
                cell(a.location.first().copied(), 2),
                cell(a.location.get(1).copied(), 2),
                cell(Some(a.energy), 3),
                a.eigenvalues
                    .iter()
                    .map(|v| format!("{v:.2}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                format!("{:?}", a.stability),
                a.basin_size.to_string(),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_are_valid() {
        validate(&Config::default()).unwrap();
    }

    #[test]
    fn bad_settings_are_rejected() {
        let zero_noise = Config {
            eval_noise: 0.0,
            ..Config::default()
        };
        assert!(
            validate(&zero_noise)
                .unwrap_err()
                .to_string()
                .contains("eval_noise")
        );
        let zero_bandwidth = Config {
            mmd_bandwidth_scale: 0.0,
            ..Config::default()
        };
        assert!(
            validate(&zero_bandwidth)
                .unwrap_err()
                .to_string()
                .contains("mmd_bandwidth_scale")
        );
        let few_rows = Config {
            train_samples: 3,
            ..Config::default()
        };
        assert!(
            validate(&few_rows)
                .unwrap_err()
                .to_string()
                .contains("train_samples")
        );
        let cases: [(Config, &str); 7] = [
            (
                Config {
                    recorded_seeds: 0,
                    ..Config::default()
                },
                "recorded_seeds",
            ),
            (
                Config {
                    recorded_noise: f64::NAN,
                    ..Config::default()
                },
                "recorded_noise",
            ),
            (
                Config {
                    proposal_inflation: 0.5,
                    ..Config::default()
                },
                "proposal_inflation",
            ),
            (
                Config {
                    held_out_every: 1,
                    ..Config::default()
                },
                "held_out_every",
            ),
            (
                Config {
                    block_rows: 1000,
                    ..Config::default()
                },
                "too few for blocks",
            ),
            (
                Config {
                    hcp_test_subjects: vec![ncm_data::HCP_SUBJECTS[0].to_owned()],
                    ..Config::default()
                },
                "in both",
            ),
            (
                Config {
                    hcp_train_subjects: vec!["999999".to_owned()],
                    ..Config::default()
                },
                "hcp_train_subjects",
            ),
        ];
        for (config, expected) in cases {
            let message = format!("{:#}", validate(&config).unwrap_err());
            assert!(message.contains(expected), "{message}");
        }
        // Settings the library checks come back with their context.
        let bad_step = Config {
            cd_step_size: -1.0,
            ..Config::default()
        };
        let message = format!("{:#}", validate(&bad_step).unwrap_err());
        assert!(message.contains("step_size"), "{message}");
    }

    #[test]
    fn mixtures_have_their_stated_dimensions() {
        let sets = data_sets(1).unwrap();
        assert_eq!(sets[0].mixture.dim(), 2);
        assert_eq!(sets[1].mixture.dim(), 10);
    }
}
