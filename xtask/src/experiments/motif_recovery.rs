//! Motif recovery: the ground-truth loop. Each of the six canonical motifs is planted in a
//! sparse Erdős-Rényi background network, the noisy rate network is simulated, and every
//! mapping method is scored against the true directed graph and against the planted motif's
//! own arcs.
//!
//! Methods: Pearson correlation, partial correlation with Ledoit-Wolf shrinkage (Ledoit and
//! Wolf 2004, J. Multivar. Anal. 88:365), Granger causality (Granger 1969, Econometrica
//! 37:424), and maximum-entropy couplings fitted by pseudo-likelihood (Besag 1975, The
//! Statistician 24:179) on activity binarised at each neuron's mean, and the couplings of a
//! continuous energy network trained by denoising score matching (Vincent 2011, Neural
//! Comput. 23:1661): minus its Hessian averaged over held-out activity. Correlations and
//! couplings are symmetric, so they score both arcs of a pair alike; Granger scores `i -> j`.
//!
//! Across seeds each score gets its mean and a two-sided 95% Student-t interval,
//! `mean ± t_{0.975, n-1} s / √n`. For the first seed, the couplings and the Granger matrix of
//! each motif get a node-label permutation p-value against the true graph, adjusted by
//! Benjamini-Hochberg across the six motifs.
//!
//! A small spatial-layout transformer (one token per neuron holding its last window of
//! samples) is trained on the first 80% of each recording, by default to forecast every
//! neuron's next sample (a neuron can beat its own past only by attending to its inputs), or
//! by masked reconstruction. Each head's attention, averaged over the held-out windows, scores
//! the arc `j -> i` when neuron `i` attends to neuron `j`. The best head is picked by its
//! AUROC against the true graph, so its score is optimistic, and its permutation p-value is
//! Bonferroni-corrected over the heads. Beside the transformer's forecasting loss, order-2
//! ridge autoregressions of each neuron on its own past and on every neuron's past measure how
//! much a linear forecaster can gain from other neurons at all.
//!
//! Head-to-motif assignment: each seed plants its motif on the first neurons of a random
//! region as large as the largest example motif, and the six templates are the graphs that
//! planting each example motif there would give, restricted to the region. Every method and
//! head is matched to its best template by [`assign_templates`], with a max-over-templates
//! permutation p-value and Benjamini-Hochberg q-values across the methods and heads of a run.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, anyhow, ensure};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use clap::Args;
use ncm_data::{SpinConvention, binarise, zscore};
use ncm_ebm::{PseudoLikelihoodConfig, fit_pseudolikelihood};
use ncm_mapping::{
    ArcWeights, Direction, Orientation, TemplateMatch, TimeSeries, WeightSign, assign_templates,
    average_attention, benjamini_hochberg, correlation_matrix, digraph_from_adjacency,
    edge_recovery, granger_causality, partial_correlation_ledoit_wolf, permutation_test,
};
use ncm_motifs::dynamics::{Input, RateConfig, RateNetwork};
use ncm_motifs::{BackgroundConfig, BackgroundModel, MotifKind, example_circuit, plant};
use ncm_transformer::metrics::RidgeVar;
use ncm_transformer::{
    ForwardMask, Layout, MaskKind, Objective, TrainConfig, Trainer, TransformerConfig,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::report::{Section, cell, escape, table};

/// Settings of the motif-recovery experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Seeds per motif; seed `k` builds the circuit, background and noise from `seed + k`.
    /// Default: 3.
    pub seeds: usize,
    /// First seed. Default: 11.
    pub seed: u64,
    /// Neurons of the whole circuit, motif included (the largest example motif has 21).
    /// Default: 32.
    pub neuron_count: usize,
    /// Arc probability of the Erdős-Rényi background. Default: 0.08.
    pub background_p: f64,
    /// Simulated time per run, in seconds. Default: 300.
    pub duration_s: f64,
    /// Sampling interval of the recording, in seconds. Default: 0.02.
    pub sampling_interval_s: f64,
    /// Euler-Maruyama step, in seconds. Default: 0.002 (the time constant is 0.1 s).
    pub dt_s: f64,
    /// Noise amplitude of the rate network, in state units per square-root second.
    /// Default: 0.5.
    pub noise_sigma: f64,
    /// Lag order of the Granger baseline. Default: 2.
    pub granger_order: usize,
    /// L2 penalty of the pseudo-likelihood fit, per sample. Default: 1e-4.
    pub l2_penalty: f64,
    /// Node-label permutations per p-value. Default: 199.
    pub permutations: usize,
    /// Adam steps of the transformer; 0 leaves the transformer out. Default: 600.
    pub transformer_steps: usize,
    /// Attention heads of the transformer (its width is 4 per head). Default: 4.
    pub transformer_heads: usize,
    /// Time samples per transformer window. Default: 16.
    pub transformer_window: usize,
    /// Peak Adam learning rate of the transformer. Default: 3e-3.
    pub transformer_learning_rate: f64,
    /// Largest total absolute input of a neuron after scaling (ncm-motifs' `input_gain`).
    /// Below 1 the tanh network relaxes to rest between noise kicks; well above 1 it is
    /// chaotic (Sompolinsky et al. 1988, Phys. Rev. Lett. 61:259). Default: 0.9.
    pub input_gain: f64,
    /// Adam steps of the continuous energy network (denoising score matching), at least 1.
    /// Default: 300.
    pub energy_steps: usize,
    /// Name of this variant, appended to the report folder (`motif-recovery-<label>`) and to
    /// the section title; None for the default. Default: None.
    pub label: Option<String>,
    /// Width of the transformer per attention head. Default: 8.
    pub transformer_head_width: usize,
    /// Training objective of the transformer. Default: forecasting.
    pub transformer_objective: TransformerObjective,
}

/// Training objective of the motif-recovery transformer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum TransformerObjective {
    /// Each neuron's next sample from the last window of every neuron.
    Forecast,
    /// Hidden neurons' windows from the visible ones.
    Masked,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seeds: 3,
            seed: 11,
            neuron_count: 32,
            background_p: 0.08,
            duration_s: 300.0,
            sampling_interval_s: 0.02,
            dt_s: 0.002,
            noise_sigma: 0.5,
            granger_order: 2,
            l2_penalty: 1e-4,
            permutations: 199,
            transformer_steps: 600,
            transformer_heads: 4,
            transformer_window: 16,
            transformer_learning_rate: 3e-3,
            transformer_head_width: 8,
            input_gain: ncm_motifs::DEFAULT_INPUT_GAIN,
            transformer_objective: TransformerObjective::Forecast,
            energy_steps: 300,
            label: None,
        }
    }
}

impl Config {
    /// The strongly coupled variant of the main job: input gain 3 and noise 0.2, where the
    /// network's own dynamics dominate the noise, so other neurons carry information about
    /// each neuron's next sample.
    pub fn chaotic() -> Self {
        Self {
            input_gain: 3.0,
            noise_sigma: 0.2,
            label: Some("chaotic".to_owned()),
            ..Self::default()
        }
    }
}

/// Command-line parameters of `cargo xtask experiment motif-recovery`.
#[derive(Args)]
pub struct Cli {
    /// Seeds per motif.
    #[arg(long, default_value_t = Config::default().seeds)]
    seeds: usize,
    /// First seed.
    #[arg(long, default_value_t = Config::default().seed)]
    seed: u64,
    /// Neurons of the whole circuit, motif included.
    #[arg(long, default_value_t = Config::default().neuron_count)]
    neuron_count: usize,
    /// Simulated time per run, in seconds.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().duration_s)]
    duration_s: f64,
    /// Sampling interval of the recording, in seconds.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().sampling_interval_s)]
    sampling_interval_s: f64,
    /// Noise amplitude of the rate network.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().noise_sigma)]
    noise_sigma: f64,
    /// Lag order of the Granger baseline.
    #[arg(long, default_value_t = Config::default().granger_order)]
    granger_order: usize,
    /// Node-label permutations per p-value.
    #[arg(long, default_value_t = Config::default().permutations)]
    permutations: usize,
    /// Adam steps of the transformer; 0 leaves the transformer out.
    #[arg(long, default_value_t = Config::default().transformer_steps)]
    transformer_steps: usize,
    /// Peak Adam learning rate of the transformer.
    #[arg(long, default_value_t = Config::default().transformer_learning_rate)]
    transformer_learning_rate: f64,
    /// Largest total absolute input of a neuron after scaling; above 1 the network is
    /// chaotic.
    #[arg(long, default_value_t = Config::default().input_gain)]
    input_gain: f64,
    /// Width of the transformer per attention head.
    #[arg(long, default_value_t = Config::default().transformer_head_width)]
    transformer_head_width: usize,
    /// Training objective of the transformer.
    #[arg(long, value_enum, default_value_t = Config::default().transformer_objective)]
    transformer_objective: TransformerObjective,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Config {
        Config {
            seeds: self.seeds,
            seed: self.seed,
            neuron_count: self.neuron_count,
            duration_s: self.duration_s,
            sampling_interval_s: self.sampling_interval_s,
            noise_sigma: self.noise_sigma,
            granger_order: self.granger_order,
            permutations: self.permutations,
            transformer_steps: self.transformer_steps,
            transformer_learning_rate: self.transformer_learning_rate,
            transformer_head_width: self.transformer_head_width,
            input_gain: self.input_gain,
            transformer_objective: self.transformer_objective,
            ..Config::default()
        }
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    ensure!(
        config.seeds >= 2,
        "seeds = {} is too few for an interval; use at least 2",
        config.seeds
    );
    ensure!(
        config.neuron_count >= 22,
        "neuron_count = {} cannot hold the 21-neuron expansion motif and a background; use at \
         least 22",
        config.neuron_count
    );
    ensure!(
        config.background_p.is_finite() && config.background_p > 0.0 && config.background_p < 1.0,
        "background_p = {} must lie strictly between 0 and 1",
        config.background_p
    );
    for (name, value) in [
        ("duration_s", config.duration_s),
        ("sampling_interval_s", config.sampling_interval_s),
        ("dt_s", config.dt_s),
        ("noise_sigma", config.noise_sigma),
        ("input_gain", config.input_gain),
        (
            "transformer_learning_rate",
            config.transformer_learning_rate,
        ),
    ] {
        ensure!(
            value.is_finite() && value > 0.0,
            "{name} = {value} must be finite and positive"
        );
    }
    ensure!(
        config.duration_s >= 50.0 * config.sampling_interval_s,
        "duration_s = {} gives fewer than 50 samples at sampling_interval_s = {}; run longer",
        config.duration_s,
        config.sampling_interval_s
    );
    ensure!(
        (1..=5).contains(&config.granger_order),
        "granger_order = {} must be between 1 and 5",
        config.granger_order
    );
    ensure!(
        config.l2_penalty.is_finite() && config.l2_penalty >= 0.0,
        "l2_penalty = {} must be finite and non-negative",
        config.l2_penalty
    );
    ensure!(
        (1..=16).contains(&config.transformer_heads),
        "transformer_heads = {} must be between 1 and 16",
        config.transformer_heads
    );
    ensure!(
        config.energy_steps >= 1,
        "energy_steps = 0 leaves the continuous EBM untrained; use at least 1"
    );
    ensure!(
        (1..=64).contains(&config.transformer_head_width),
        "transformer_head_width = {} must be between 1 and 64",
        config.transformer_head_width
    );
    ensure!(
        (2..=256).contains(&config.transformer_window),
        "transformer_window = {} must be between 2 and 256",
        config.transformer_window
    );
    ensure!(
        config.duration_s / config.sampling_interval_s >= 10.0 * config.transformer_window as f64,
        "duration_s = {} holds fewer than 10 transformer windows of {} samples; run longer",
        config.duration_s,
        config.transformer_window
    );
    ensure!(
        config.permutations >= 19,
        "permutations = {} is too few for a p-value below 0.05; use at least 19",
        config.permutations
    );
    Ok(())
}

/// Names of the scored methods, in table order; the best attention head follows when the
/// transformer is trained.
const METHODS: [&str; 5] = [
    "correlation",
    "partial correlation (Ledoit-Wolf)",
    "Granger",
    "max-ent couplings",
    "continuous EBM couplings",
];

/// Name of the best attention head in the tables.
const BEST_HEAD: &str = "best attention head";

/// Scores of one method on one run.
#[derive(Clone, Debug, Serialize)]
struct MethodScores {
    /// AUROC against the true graph, arcs as items.
    auroc: f64,
    /// Average precision against the true graph, arcs as items.
    auprc: f64,
    /// AUROC against the true graph, unordered pairs as items.
    auroc_undirected: f64,
    /// AUROC over the arcs among the motif's neurons against the motif's arcs; absent when
    /// the motif's neurons are fully connected (one class only).
    motif_auroc: Option<f64>,
}

/// One simulated circuit with its scores.
struct Run {
    /// Scores per method, in [`METHODS`] order, then the best head's if the transformer ran.
    scores: Vec<MethodScores>,
    /// Scores of every attention head.
    head_scores: Vec<MethodScores>,
    /// Index of the head with the highest directed AUROC.
    best_head: Option<usize>,
    /// Best validation loss of the transformer (Gaussian negative log-likelihood per scored
    /// entry).
    validation_loss: Option<f64>,
    /// Arc weights per method, kept for the permutation tests.
    weights: Vec<ArcWeights>,
    /// Validation losses of order-2 ridge autoregressions of each neuron on its own past and
    /// on every neuron's past, when the transformer forecasts, see [`autoregression_losses`].
    autoregression: Option<(f64, f64)>,
    /// Best template of each method in [`METHODS`] order, then of each head, within the
    /// template region; q-values are Benjamini-Hochberg adjusted across all of them.
    assignment: Vec<TemplateMatch>,
    /// True directed graph.
    graph: ncm_motifs::DiGraph,
    /// Arcs of the true graph.
    arcs: usize,
    /// Arcs of the planted motif.
    motif_arcs: usize,
}

/// Mean and two-sided 95% Student-t interval of one score across seeds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// Mean across seeds.
    pub mean: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// Two-sided 97.5% quantiles of Student's t for 1 to 30 degrees of freedom (scipy.stats.t.ppf).
const T_975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
];

/// 0.975 quantile of the standard normal distribution.
const Z_975: f64 = 1.959964;

/// Returns the 0.975 quantile of Student's t with `df` degrees of freedom, or NaN for `df = 0`.
/// Above 30 degrees of freedom it uses the Cornish-Fisher expansion
/// `z + (z³ + z) / (4 df) + (5z⁵ + 16z³ + 3z) / (96 df²)`, which is within 1e-4 of the exact
/// value there.
pub fn t_quantile_975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T_975[df - 1],
        _ => {
            let (z, d) = (Z_975, df as f64);
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Mean and 95% Student-t interval of `values`; `None` for fewer than 2 values or a
/// non-finite one.
pub fn t_interval(values: &[f64]) -> Option<Interval> {
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = t_quantile_975(values.len() - 1) * (variance / n).sqrt();
    Some(Interval {
        mean,
        low: mean - half,
        high: mean + half,
    })
}

/// Couplings of a continuous energy network (ncm-ebm) trained by denoising score matching at
/// noise 0.5 on the first 80% of the z-scored activity: `J_ij = -mean_x d²E/dx_i dx_j` over
/// every tenth held-out sample, from Hessian-vector products. For a Gaussian energy
/// `(x - mu)^T P (x - mu) / 2` this is `-P`, whose off-diagonal entries are the partial
/// correlations up to a positive scale per pair; a non-Gaussian energy adds the curvature
/// averaged over the data.
fn energy_couplings(
    series: &TimeSeries,
    config: &Config,
    seed: u64,
    device: &Device,
) -> Result<Vec<f64>> {
    use ncm_ebm::continuous::Energy;
    use ncm_ebm::continuous::{
        EnergyNetConfig, Objective as EnergyObjective, TrainConfig as EnergyTrain,
        Trainer as EnergyTrainer, rows_to_tensor,
    };
    let n = series.channels();
    let data = time_major(series);
    let start = series.samples() * 4 / 5;
    let training_device = device.clone().autodiff();
    let model = EnergyNetConfig::new(n)
        .with_seed(seed)
        .init(&training_device)?;
    let mut trainer = EnergyTrainer::new(
        model,
        &data[..start * n],
        EnergyTrain {
            objective: EnergyObjective::DenoisingScoreMatching {
                noise_levels: vec![0.5],
            },
            steps: config.energy_steps,
            seed,
            ..EnergyTrain::default()
        },
        &training_device,
    )?;
    trainer.run()?;
    let model = trainer.into_model().valid();
    let held_out: Vec<f32> = data[start * n..]
        .chunks_exact(n)
        .step_by(10)
        .flatten()
        .copied()
        .collect();
    let rows = held_out.len() / n;
    let x = rows_to_tensor("held-out activity", &held_out, n, device)?;
    let mut coupling = vec![0.0; n * n];
    for j in 0..n {
        let mut basis = vec![0.0f32; rows * n];
        for row in basis.chunks_exact_mut(n) {
            row[j] = 1.0;
        }
        let v = rows_to_tensor("basis vectors", &basis, n, device)?;
        let column = model
            .hvp(x.clone(), v)
            .mean_dim(0)
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|error| anyhow!("cannot read the Hessian back: {error:?}"))?;
        for (i, value) in column.iter().enumerate() {
            coupling[i * n + j] = -f64::from(*value);
        }
    }
    ensure!(
        coupling.iter().all(|v| v.is_finite()),
        "the continuous EBM's Hessian is not finite; lower its learning rate or steps"
    );
    Ok(coupling)
}

/// Neurons of the largest example motif; the template region has this many.
fn largest_motif(seed: u64) -> Result<usize> {
    MotifKind::ALL
        .iter()
        .map(|&kind| Ok(example_circuit(kind, seed)?.neuron_count()))
        .try_fold(0, |most, count: Result<usize>| Ok(most.max(count?)))
}

/// The template region of one seed: a seeded random set of neurons, as many as the largest
/// example motif has, in a random order. Every motif is planted on the first neurons of the
/// region, so that all six templates of the seed share its neurons.
fn template_region(neuron_count: usize, seed: u64) -> Result<Vec<usize>> {
    let size = largest_motif(seed)?;
    ensure!(
        size < neuron_count,
        "neuron_count = {neuron_count} cannot hold the {size}-neuron template region and a \
         background; use at least {}",
        size + 1
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ REGION_STREAM);
    let mut nodes: Vec<usize> = (0..neuron_count).collect();
    for i in (1..neuron_count).rev() {
        nodes.swap(i, rng.random_range(0..=i));
    }
    nodes.truncate(size);
    Ok(nodes)
}

/// Stream of the template region's draw, apart from the circuit's own seeds.
const REGION_STREAM: u64 = 0x7e3a_11c0;

/// One template per motif kind, in [`MotifKind::ALL`] order: the directed graph that planting
/// that kind's example circuit on the first neurons of `region`, in the same background,
/// gives, restricted to the region (node `a` of a template is neuron `region[a]`).
fn template_graphs(
    background: &BackgroundConfig,
    region: &[usize],
    seed: u64,
) -> Result<Vec<ncm_motifs::DiGraph>> {
    MotifKind::ALL
        .iter()
        .map(|&kind| {
            let motif = example_circuit(kind, seed)?;
            let circuit = plant(
                background,
                &[(&motif, Some(&region[..motif.neuron_count()]))],
            )
            .with_context(|| format!("cannot plant the {} template", kind_name(kind)))?;
            let m = region.len();
            let mut adjacency = vec![false; m * m];
            for (a, &source) in region.iter().enumerate() {
                for (b, &target) in region.iter().enumerate() {
                    adjacency[a * m + b] = circuit.graph().has_edge(source, target);
                }
            }
            Ok(digraph_from_adjacency(&adjacency, m)?)
        })
        .collect()
}

/// The arc weights among `nodes`, relabelled `0..nodes.len()` in that order.
fn restrict(weights: &ArcWeights, nodes: &[usize]) -> Result<ArcWeights> {
    let m = nodes.len();
    let mut sub = vec![0.0; m * m];
    for (a, &source) in nodes.iter().enumerate() {
        for (b, &target) in nodes.iter().enumerate() {
            sub[a * m + b] = weights.get(source, target);
        }
    }
    Ok(ArcWeights::from_matrix(
        &sub,
        m,
        Orientation::SourceRow,
        WeightSign::Signed,
    )?)
}

/// Builds the circuit of `kind` for one seed, simulates it and scores every method.
fn simulate_and_score(config: &Config, kind: MotifKind, seed: u64, device: &Device) -> Result<Run> {
    let name = kind_name(kind);
    let motif = example_circuit(kind, seed)
        .with_context(|| format!("cannot build the example {name} circuit"))?;
    let background = BackgroundConfig {
        neuron_count: config.neuron_count,
        model: BackgroundModel::ErdosRenyi {
            p: config.background_p,
        },
        input_gain: config.input_gain,
        seed,
        ..BackgroundConfig::default()
    };
    let region = template_region(config.neuron_count, seed)?;
    let circuit = plant(
        &background,
        &[(&motif, Some(&region[..motif.neuron_count()]))],
    )
    .with_context(|| format!("cannot plant the {name} circuit"))?;
    let templates = template_graphs(&background, &region, seed)?;
    let rate_config = RateConfig {
        dt_s: config.dt_s,
        duration_s: config.duration_s,
        sampling_interval_s: config.sampling_interval_s,
        noise_sigma: config.noise_sigma,
        seed,
        ..RateConfig::default()
    };
    let simulation = RateNetwork::from_circuit(&circuit)
        .simulate(&rate_config, &Input::None)
        .with_context(|| format!("the {name} rate network failed"))?;
    let activity = zscore(&simulation.rates).context("cannot z-score the activity")?;
    let series = TimeSeries::from_recording(&activity)?;
    let n = circuit.neuron_count();

    let spins = binarise(&activity, SpinConvention::PlusMinusOne)?;
    let fit = fit_pseudolikelihood(
        &spins.states,
        n,
        &PseudoLikelihoodConfig {
            l2_penalty: config.l2_penalty,
            ..PseudoLikelihoodConfig::default()
        },
    )
    .with_context(|| format!("the pseudo-likelihood fit of the {name} run failed"))?;

    let read = |matrix: &[f64], orientation| {
        ArcWeights::from_matrix(matrix, n, orientation, WeightSign::Absolute)
    };
    let mut weights = vec![
        read(&correlation_matrix(&series)?, Orientation::Symmetric)?,
        read(
            &partial_correlation_ledoit_wolf(&series)?.0,
            Orientation::Symmetric,
        )?,
        read(
            &granger_causality(&series, config.granger_order)?,
            Orientation::SourceRow,
        )?,
        read(&fit.model.coupling, Orientation::Symmetric)?,
        read(
            &energy_couplings(&series, config, seed, device)
                .with_context(|| format!("the continuous EBM of the {name} run failed"))?,
            Orientation::Symmetric,
        )?,
    ];

    let planted = circuit
        .motifs()
        .first()
        .context("the planted circuit lists no motif")?;
    let graph = simulation.graph;
    let score = |w: &ArcWeights| score_method(w, &graph, &planted.nodes, &planted.arcs);
    let mut scores = weights.iter().map(score).collect::<Result<Vec<_>>>()?;

    let mut head_scores = Vec::new();
    let mut heads = Vec::new();
    let mut best_head = None;
    let mut validation_loss = None;
    let mut autoregression = None;
    if config.transformer_steps > 0 {
        let training = HeadTraining {
            steps: config.transformer_steps,
            heads: config.transformer_heads,
            head_width: config.transformer_head_width,
            window: config.transformer_window,
            learning_rate: config.transformer_learning_rate,
            objective: config.transformer_objective,
        };
        let (matrices, loss, start) = attention_heads(&training, &series, seed, device)
            .with_context(|| format!("the transformer of the {name} run failed"))?;
        heads = matrices
            .iter()
            .map(|matrix| read(matrix, Orientation::TargetRow))
            .collect::<Result<Vec<_>, _>>()?;
        head_scores = heads.iter().map(score).collect::<Result<Vec<_>>>()?;
        let best = (0..heads.len())
            .max_by(|&a, &b| head_scores[a].auroc.total_cmp(&head_scores[b].auroc))
            .context("the transformer has no head")?;
        scores.push(head_scores[best].clone());
        weights.push(heads[best].clone());
        best_head = Some(best);
        validation_loss = Some(loss);
        if config.transformer_objective == TransformerObjective::Forecast {
            autoregression = Some(autoregression_losses(&time_major(&series), n, start)?);
        }
    }
    // Template assignment within the region: the four methods, then every head.
    let candidates = weights[..METHODS.len()]
        .iter()
        .chain(&heads)
        .map(|w| restrict(w, &region))
        .collect::<Result<Vec<_>>>()?;
    let assignment = assign_templates(
        &candidates,
        &templates,
        Direction::Directed,
        config.permutations,
        seed,
    )
    .with_context(|| format!("the template assignment of the {name} run failed"))?;
    Ok(Run {
        scores,
        head_scores,
        best_head,
        validation_loss,
        autoregression,
        assignment,
        weights,
        arcs: graph.edge_count(),
        motif_arcs: planted.arcs.len(),
        graph,
    })
}

/// The recording `[samples, channels]` in time-major f32 order.
fn time_major(series: &TimeSeries) -> Vec<f32> {
    (0..series.samples())
        .flat_map(|t| (0..series.channels()).map(move |c| series.get(t, c) as f32))
        .collect()
}

/// Size, objective and schedule of the spatial transformer whose attention heads are scored.
pub(crate) struct HeadTraining {
    /// Adam steps.
    pub steps: usize,
    /// Attention heads.
    pub heads: usize,
    /// Width per head; the model width is `heads * head_width`.
    pub head_width: usize,
    /// Time samples per window, the features of each neuron's token.
    pub window: usize,
    /// Peak Adam learning rate.
    pub learning_rate: f64,
    /// Training objective.
    pub objective: TransformerObjective,
}

/// Trains the spatial transformer on the first 80% of `series` and returns each head's
/// attention (`n x n`, row `i` attending to column `j`), averaged over the disjoint windows of
/// the held-out 20%, with the best validation loss and the first held-out sample.
///
/// With forecasting, each neuron's token holds its last `window` samples and predicts the
/// next one, so a neuron can only improve on its own past by attending to its inputs; with
/// masked reconstruction, hidden tokens are rebuilt from the visible ones. The attention is
/// read from unmasked windows.
pub(crate) fn attention_heads(
    training: &HeadTraining,
    series: &TimeSeries,
    seed: u64,
    device: &Device,
) -> Result<(Vec<Vec<f64>>, f64, usize)> {
    let (n, window, heads) = (series.channels(), training.window, training.heads);
    let data = time_major(series);
    let width = training.head_width * heads;
    let model = TransformerConfig::new(n, window)
        .with_layout(Layout::Spatial)
        .with_d_model(width)
        .with_heads(heads)
        .with_depth(1)
        .with_d_ff(2 * width)
        .with_seed(seed)
        .init(&device.clone().autodiff())?;
    let objective = match training.objective {
        TransformerObjective::Forecast => Objective::Forecast,
        TransformerObjective::Masked => Objective::MaskedReconstruction {
            mask: MaskKind::Random,
            ratio: 0.25,
            contrastive: None,
        },
    };
    let train = TrainConfig {
        objective,
        window,
        steps: training.steps,
        batch_size: 16,
        learning_rate: training.learning_rate,
        warmup_steps: 10,
        eval_every: 25,
        patience: 0,
        seed,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, &data, train, device)?;
    trainer.run()?;
    let validation_loss = trainer
        .history()
        .iter()
        .filter_map(|record| record.validation)
        .fold(f64::INFINITY, f64::min);
    let model = trainer.best().0.valid();
    let start = trainer.validation_start();

    let count = (series.samples() - start) / window;
    let rows = data[start * n..(start + count * window) * n].to_vec();
    let input = Tensor::<3>::from_data(TensorData::new(rows, [count, window, n]), device);
    let output = model.forward(input, &ForwardMask::default())?;
    let attention = output
        .attention
        .into_iter()
        .next()
        .context("the transformer returned no attention")?
        .try_into_data()
        .map_err(|error| anyhow!("cannot read the attention back: {error}"))?
        .try_into_vec_as::<f32>()
        .map_err(|error| anyhow!("cannot read the attention back: {error}"))?;
    let means = average_attention(&attention, [count, heads, n, n])?;
    Ok((means, validation_loss, start))
}

/// Gaussian negative log-likelihood per entry of one-step forecasts by ridge autoregressions
/// of order 2 fitted on the first `start` samples of `data` `[samples, n]` and scored on the
/// rest, each channel with the variance of its training residuals: first each channel from its
/// own past, then all channels together (a vector autoregression). The gap between the two is
/// what a forecaster can gain by reading other neurons.
fn autoregression_losses(data: &[f32], n: usize, start: usize) -> Result<(f64, f64)> {
    const ORDER: usize = 2;
    const PENALTY: f64 = 1e-3;
    let column = |c: usize| -> Vec<f32> { data.iter().skip(c).step_by(n).copied().collect() };
    // Forecasts of rows ORDER.. of `series` from a model fitted to its first `start` rows.
    let score = |series: &[f32], channels: usize| -> Result<(f64, usize)> {
        let model = RidgeVar::fit(&series[..start * channels], channels, ORDER, PENALTY)?;
        let forecast = model.forecast(series)?;
        let target = &series[ORDER * channels..];
        let split = (start - ORDER) * channels;
        let mut variance = vec![0.0; channels];
        for (index, (f, t)) in forecast[..split].iter().zip(&target[..split]).enumerate() {
            variance[index % channels] += f64::from(t - f).powi(2) / (start - ORDER) as f64;
        }
        let mut total = 0.0;
        for (index, (f, t)) in forecast[split..].iter().zip(&target[split..]).enumerate() {
            let v = variance[index % channels].max(1e-12);
            total += 0.5 * ((2.0 * std::f64::consts::PI * v).ln() + f64::from(t - f).powi(2) / v);
        }
        Ok((total, forecast.len() - split))
    };
    let mut own = (0.0, 0);
    for c in 0..n {
        let (total, count) = score(&column(c), 1)?;
        own = (own.0 + total, own.1 + count);
    }
    let (joint, count) = score(data, n)?;
    Ok((own.0 / own.1 as f64, joint / count as f64))
}

/// Scores one method's arc weights against the true graph and the motif's arcs.
fn score_method(
    weights: &ArcWeights,
    graph: &ncm_motifs::DiGraph,
    motif_nodes: &[usize],
    motif_arcs: &[(usize, usize)],
) -> Result<MethodScores> {
    let directed = edge_recovery(weights, graph, Direction::Directed)?;
    let undirected = edge_recovery(weights, graph, Direction::Undirected)?;
    // The motif's own nodes, relabelled 0..m, with the motif's arcs as the reference.
    let m = motif_nodes.len();
    let mut sub = vec![0.0; m * m];
    let mut adjacency = vec![false; m * m];
    for (a, &s) in motif_nodes.iter().enumerate() {
        for (b, &t) in motif_nodes.iter().enumerate() {
            sub[a * m + b] = weights.get(s, t);
            adjacency[a * m + b] = a != b && motif_arcs.contains(&(s, t));
        }
    }
    let motif_graph = digraph_from_adjacency(&adjacency, m)?;
    let sub_weights =
        ArcWeights::from_matrix(&sub, m, Orientation::SourceRow, WeightSign::Absolute)?;
    let motif_auroc = edge_recovery(&sub_weights, &motif_graph, Direction::Directed)
        .ok()
        .map(|r| r.auroc);
    Ok(MethodScores {
        auroc: directed.auroc,
        auprc: directed.auprc,
        auroc_undirected: undirected.auroc,
        motif_auroc,
    })
}

/// Summary of one method on one motif across seeds.
#[derive(Serialize)]
struct MethodSummary {
    method: &'static str,
    auroc: Option<Interval>,
    auprc: Option<Interval>,
    auroc_undirected: Option<Interval>,
    motif_auroc: Option<Interval>,
    /// Per-seed scores, in seed order.
    per_seed: Vec<MethodScores>,
}

/// Attention heads of one motif across seeds.
#[derive(Serialize)]
struct HeadSummary {
    /// Index of the best head per seed.
    best_head: Vec<usize>,
    /// Directed AUROC of each head per seed, `[seed][head]`.
    auroc: Vec<Vec<f64>>,
    /// Directed AUROC averaged over heads, with its interval across seeds.
    mean_auroc: Option<Interval>,
    /// Best validation loss per seed, as Gaussian negative log-likelihood per scored entry
    /// (the forecast sample, or a masked entry). A unit Gaussian scores 1.419 on z-scored
    /// data.
    validation_loss: Vec<f64>,
    /// With forecasting, the same loss of an order-2 ridge autoregression of each neuron on
    /// its own past, per seed.
    own_autoregression_loss: Vec<f64>,
    /// With forecasting, the same loss of an order-2 ridge vector autoregression on every
    /// neuron's past, per seed.
    vector_autoregression_loss: Vec<f64>,
}

/// Summary of one motif.
#[derive(Serialize)]
struct MotifSummary {
    motif: &'static str,
    /// Arcs of the true graph, first seed.
    arcs: usize,
    /// Arcs of the planted motif, first seed.
    motif_arcs: usize,
    /// Chance level of the directed AUPRC, first seed: arcs / (n (n - 1)).
    auprc_chance: f64,
    methods: Vec<MethodSummary>,
    /// First-seed permutation p-values of the max-ent couplings and of Granger.
    mem_p_value: f64,
    granger_p_value: f64,
    mem_q_value: f64,
    granger_q_value: f64,
    /// First-seed p-value of the best head, Bonferroni-corrected over heads, and its q-value.
    head_p_value: Option<f64>,
    head_q_value: Option<f64>,
    heads: Option<HeadSummary>,
    /// Template assignment per method, then per head.
    assignment: Vec<AssignmentSummary>,
}

/// Template assignment of one method (or head) on one motif across seeds.
#[derive(Serialize)]
struct AssignmentSummary {
    /// Method name, or `head h`.
    method: String,
    /// Template chosen on each seed.
    templates: Vec<&'static str>,
    /// Seeds on which the planted motif's own template was chosen.
    correct: usize,
    /// AUROC against each template on the first seed, in [`MotifKind::ALL`] order.
    aurocs: Vec<f64>,
    /// First-seed permutation p-value of the chosen template (max over templates).
    p_value: f64,
    /// First-seed Benjamini-Hochberg q-value across the methods and heads of the run.
    q_value: f64,
}

/// Summarises the template assignment of `runs` of the motif `kind`.
fn summarise_assignment(runs: &[Run], kind: MotifKind) -> Vec<AssignmentSummary> {
    let planted = MotifKind::ALL.iter().position(|&k| k == kind);
    let count = runs.first().map_or(0, |run| run.assignment.len());
    (0..count)
        .map(|index| {
            let chosen: Vec<usize> = runs
                .iter()
                .map(|run| run.assignment[index].template)
                .collect();
            let first = &runs[0].assignment[index];
            AssignmentSummary {
                method: match METHODS.get(index) {
                    Some(method) => (*method).to_owned(),
                    None => format!("head {}", index - METHODS.len()),
                },
                templates: chosen
                    .iter()
                    .map(|&t| kind_name(MotifKind::ALL[t]))
                    .collect(),
                correct: chosen.iter().filter(|&&t| Some(t) == planted).count(),
                aurocs: first.aurocs.clone(),
                p_value: first.p_value,
                q_value: first.q_value,
            }
        })
        .collect()
}

/// Runs the experiment and writes `report/motif-recovery/`.
pub fn run(config: &Config, report_dir: &Path, device: &Device) -> Result<Section> {
    let folder = match &config.label {
        Some(label) => format!("motif-recovery-{label}"),
        None => "motif-recovery".to_owned(),
    };
    let out_dir = super::create_output_dir(report_dir, &folder)?;
    let n = config.neuron_count;
    let mut motifs = Vec::with_capacity(MotifKind::ALL.len());
    let mut mem_p = Vec::new();
    let mut granger_p = Vec::new();
    let mut head_p = Vec::new();
    let mut names: Vec<&'static str> = METHODS.to_vec();
    if config.transformer_steps > 0 {
        names.push(BEST_HEAD);
    }
    for kind in MotifKind::ALL {
        info!(motif = kind_name(kind), seeds = config.seeds, "simulating");
        let runs: Vec<Run> = (0..config.seeds as u64)
            .into_par_iter()
            .map(|k| simulate_and_score(config, kind, config.seed + k, device))
            .collect::<Result<_>>()?;
        let first = &runs[0];
        let mem = permutation_test(
            &first.weights[3],
            &first.graph,
            Direction::Directed,
            config.permutations,
            config.seed,
        )?;
        let granger = permutation_test(
            &first.weights[2],
            &first.graph,
            Direction::Directed,
            config.permutations,
            config.seed,
        )?;
        mem_p.push(mem.p_value);
        granger_p.push(granger.p_value);
        let head_p_value = match first.best_head {
            Some(_) => {
                let test = permutation_test(
                    &first.weights[METHODS.len()],
                    &first.graph,
                    Direction::Directed,
                    config.permutations,
                    config.seed,
                )?;
                let p = (test.p_value * first.head_scores.len() as f64).min(1.0);
                head_p.push(p);
                Some(p)
            }
            None => None,
        };
        let heads = first.best_head.map(|_| {
            let auroc: Vec<Vec<f64>> = runs
                .iter()
                .map(|run| run.head_scores.iter().map(|s| s.auroc).collect())
                .collect();
            let means: Vec<f64> = auroc
                .iter()
                .map(|row| row.iter().sum::<f64>() / row.len() as f64)
                .collect();
            HeadSummary {
                best_head: runs.iter().filter_map(|run| run.best_head).collect(),
                validation_loss: runs.iter().filter_map(|run| run.validation_loss).collect(),
                own_autoregression_loss: runs
                    .iter()
                    .filter_map(|run| run.autoregression.map(|a| a.0))
                    .collect(),
                vector_autoregression_loss: runs
                    .iter()
                    .filter_map(|run| run.autoregression.map(|a| a.1))
                    .collect(),
                mean_auroc: t_interval(&means),
                auroc,
            }
        });
        let methods = names
            .iter()
            .enumerate()
            .map(|(index, &method)| {
                let per_seed: Vec<MethodScores> =
                    runs.iter().map(|run| run.scores[index].clone()).collect();
                let pick = |f: fn(&MethodScores) -> f64| {
                    t_interval(&per_seed.iter().map(f).collect::<Vec<_>>())
                };
                let motif_values: Option<Vec<f64>> =
                    per_seed.iter().map(|s| s.motif_auroc).collect();
                MethodSummary {
                    method,
                    auroc: pick(|s| s.auroc),
                    auprc: pick(|s| s.auprc),
                    auroc_undirected: pick(|s| s.auroc_undirected),
                    motif_auroc: motif_values.as_deref().and_then(t_interval),
                    per_seed,
                }
            })
            .collect();
        motifs.push(MotifSummary {
            motif: kind_name(kind),
            arcs: first.arcs,
            motif_arcs: first.motif_arcs,
            auprc_chance: first.arcs as f64 / (n * (n - 1)) as f64,
            methods,
            mem_p_value: mem.p_value,
            granger_p_value: granger.p_value,
            mem_q_value: f64::NAN,
            granger_q_value: f64::NAN,
            head_p_value,
            head_q_value: None,
            heads,
            assignment: summarise_assignment(&runs, kind),
        });
    }
    let mem_q = benjamini_hochberg(&mem_p)?;
    let granger_q = benjamini_hochberg(&granger_p)?;
    for ((motif, mq), gq) in motifs.iter_mut().zip(mem_q).zip(granger_q) {
        motif.mem_q_value = mq;
        motif.granger_q_value = gq;
    }
    if !head_p.is_empty() {
        let head_q = benjamini_hochberg(&head_p)?;
        for (motif, q) in motifs.iter_mut().zip(head_q) {
            motif.head_q_value = Some(q);
        }
    }

    let summary = json!({
        "config": config,
        "interval": "two-sided 95% Student-t interval across seeds",
        "motifs": motifs,
    });
    fs::write(
        out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )
    .context("cannot write the motif-recovery summary")?;
    Ok(Section {
        name: folder.replace('-', "_"),
        title: match &config.label {
            Some(label) => format!("Recovering planted motifs from simulated activity ({label})"),
            None => "Recovering planted motifs from simulated activity".to_owned(),
        },
        summary,
        html: render_html(config, &motifs),
    })
}

/// Formats `mean [low, high]`.
fn interval_cell(interval: Option<Interval>) -> String {
    match interval {
        Some(i) => format!(
            "{} [{}, {}]",
            cell(Some(i.mean), 2),
            cell(Some(i.low), 2),
            cell(Some(i.high), 2)
        ),
        None => cell(None, 2),
    }
}

fn render_html(config: &Config, motifs: &[MotifSummary]) -> String {
    let mut html = format!(
        "<p>Each motif's example circuit is planted in a {n}-neuron Erdős-Rényi background \
         (p = {p}), with weights scaled so that the largest total absolute input of a neuron \
         is {gain} ({regime}). The noisy tanh rate network (σ = {sigma}) runs for {d} s, \
         sampled every \
         {dt} s and z-scored. Each method's arc scores are compared with the true directed \
         graph (AUROC and average precision over all arcs; undirected AUROC over pairs) and \
         with the motif's own arcs among its neurons (motif AUROC). Cells show the mean over \
         {seeds} seeds and a two-sided 95% Student-t interval (not clipped to [0, 1]). Correlations and couplings are \
         symmetric; Granger has order {order}. Max-ent couplings are fitted by \
         pseudo-likelihood to activity binarised at each neuron's mean. Continuous EBM \
         couplings are minus the mean Hessian, over held-out samples, of an energy network \
         trained by denoising score matching ({energy_steps} steps, noise 0.5). {heads}</p>\n",
        n = config.neuron_count,
        p = config.background_p,
        gain = config.input_gain,
        regime = if config.input_gain < 1.0 {
            "the network relaxes to rest between noise kicks"
        } else {
            "above 1, where the tanh network can sustain chaotic activity of its own"
        },
        sigma = config.noise_sigma,
        d = config.duration_s,
        dt = config.sampling_interval_s,
        seeds = config.seeds,
        order = config.granger_order,
        energy_steps = config.energy_steps,
        heads = if config.transformer_steps > 0 {
            format!(
                "A spatial transformer (one token per neuron holding its last {w} samples) with \
                 {h} heads, trained for {steps} steps by {objective}, gives one attention matrix \
                 per head averaged over the held-out windows. The best head is picked by its \
                 AUROC against the true graph, so its row is an optimistic estimate, and its \
                 p-value is Bonferroni-corrected over the heads.",
                w = config.transformer_window,
                h = config.transformer_heads,
                steps = config.transformer_steps,
                objective = match config.transformer_objective {
                    TransformerObjective::Forecast => "forecasting each neuron's next sample",
                    TransformerObjective::Masked => "masked reconstruction",
                }
            )
        } else {
            "The transformer was left out (transformer_steps = 0).".to_owned()
        },
    );
    let header: Vec<String> = [
        "motif",
        "method",
        "AUROC",
        "AUPRC",
        "undirected AUROC",
        "motif AUROC",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for motif in motifs {
        for method in &motif.methods {
            rows.push(vec![
                motif.motif.to_string(),
                method.method.to_string(),
                interval_cell(method.auroc),
                interval_cell(method.auprc),
                interval_cell(method.auroc_undirected),
                interval_cell(method.motif_auroc),
            ]);
        }
    }
    html.push_str(&table(&header, &rows));
    html.push_str(&format!(
        "<p>Node-label permutation p-values ({} permutations, first seed) against the true \
         directed graph, with Benjamini-Hochberg q-values across the six motifs:</p>\n",
        config.permutations
    ));
    let header: Vec<String> = [
        "motif",
        "arcs",
        "motif arcs",
        "AUPRC chance",
        "max-ent p",
        "max-ent q",
        "Granger p",
        "Granger q",
        "best head p",
        "best head q",
        "mean head AUROC",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = motifs
        .iter()
        .map(|m| {
            vec![
                m.motif.to_string(),
                m.arcs.to_string(),
                m.motif_arcs.to_string(),
                cell(Some(m.auprc_chance), 3),
                cell(Some(m.mem_p_value), 3),
                cell(Some(m.mem_q_value), 3),
                cell(Some(m.granger_p_value), 3),
                cell(Some(m.granger_q_value), 3),
                cell(m.head_p_value, 3),
                cell(m.head_q_value, 3),
                interval_cell(m.heads.as_ref().and_then(|h| h.mean_auroc)),
            ]
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html.push_str(&forecast_table(motifs));
    html.push_str(&format!(
        "<p>Head-to-motif assignment. Each seed plants its motif on the first neurons of a \
         random region that is as large as the largest example motif. The six templates are \
         the graphs, restricted to that region, that planting each motif's example circuit \
         there in the same background would give; so exactly one template is the truth. Each \
         method's arc weights among the region are matched to the template of highest \
         directed AUROC. The p-value compares that best AUROC with the best AUROC of \
         node-relabelled copies ({} permutations), so choosing among templates does not bias \
         it; q-values are Benjamini-Hochberg adjusted across the methods and heads of the \
         first seed's run. The last column counts the seeds on which the planted motif's own \
         template was chosen (for the attention row, over every head and seed).</p>\n",
        config.permutations
    ));
    let header: Vec<String> = [
        "motif",
        "method",
        "chosen template (first seed)",
        "p",
        "q",
        "planted template chosen",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for motif in motifs {
        let (methods, heads) = motif
            .assignment
            .split_at(METHODS.len().min(motif.assignment.len()));
        for a in methods {
            rows.push(vec![
                motif.motif.to_string(),
                a.method.clone(),
                a.templates.first().copied().unwrap_or("").to_string(),
                cell(Some(a.p_value), 3),
                cell(Some(a.q_value), 3),
                format!("{} of {}", a.correct, a.templates.len()),
            ]);
        }
        if !heads.is_empty() {
            let chosen: Vec<&str> = heads
                .iter()
                .filter_map(|a| a.templates.first().copied())
                .collect();
            let min = |f: fn(&AssignmentSummary) -> f64| {
                heads.iter().map(f).fold(f64::INFINITY, f64::min)
            };
            let correct: usize = heads.iter().map(|a| a.correct).sum();
            let total: usize = heads.iter().map(|a| a.templates.len()).sum();
            rows.push(vec![
                motif.motif.to_string(),
                format!("attention, {} heads (smallest p and q)", heads.len()),
                chosen.join("; "),
                cell(Some(min(|a| a.p_value)), 3),
                cell(Some(min(|a| a.q_value)), 3),
                format!("{correct} of {total}"),
            ]);
        }
    }
    html.push_str(&table(&header, &rows));
    html.push_str(&format!("<p>{}</p>\n", escape(&findings(motifs))));
    html
}

/// Mean of `values`, or NaN when empty.
fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Renders the forecasting losses beside those of the autoregressions, with what they
/// imply; empty unless the transformer forecasts.
fn forecast_table(motifs: &[MotifSummary]) -> String {
    let rows: Vec<Vec<String>> = motifs
        .iter()
        .filter_map(|m| {
            let heads = m.heads.as_ref()?;
            if heads.vector_autoregression_loss.is_empty() {
                return None;
            }
            let own = mean(&heads.own_autoregression_loss);
            let joint = mean(&heads.vector_autoregression_loss);
            Some(vec![
                m.motif.to_string(),
                cell(Some(mean(&heads.validation_loss)), 4),
                cell(Some(own), 4),
                cell(Some(joint), 4),
                cell(Some(own - joint), 4),
            ])
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let header: Vec<String> = [
        "motif",
        "transformer",
        "own-past AR(2)",
        "all-neuron VAR(2)",
        "gain from other neurons",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    format!(
        "<p>How much can a forecaster gain by reading other neurons? Held-out Gaussian \
         negative log-likelihood per forecast entry (nats, mean over seeds) of the \
         transformer, of a ridge autoregression of each neuron on its own last two samples, \
         and of a ridge vector autoregression on every neuron's last two samples. The last \
         column is the second minus the third: the information about the next sample that \
         other neurons carry beyond a neuron's own past, for a linear forecaster. Where it is \
         a thousandth of a nat or less (negative when the extra coefficients only add \
         estimation noise), forecasting gives attention almost nothing to learn from, while \
         Granger's F-tests still rank the arcs by pooling every sample. The transformer can \
         beat both autoregressions through its longer window of each neuron's own past.</p>\n{}",
        table(&header, &rows)
    )
}

/// One sentence per method: its mean directed AUROC over motifs.
fn findings(motifs: &[MotifSummary]) -> String {
    let mut parts = Vec::new();
    let Some(first) = motifs.first() else {
        return String::new();
    };
    for (index, method) in first.methods.iter().map(|m| m.method).enumerate() {
        let means: Vec<f64> = motifs
            .iter()
            .filter_map(|m| m.methods[index].auroc.map(|i| i.mean))
            .collect();
        let mean = means.iter().sum::<f64>() / means.len().max(1) as f64;
        parts.push(format!("{method} {mean:.2}"));
    }
    let mut accuracy = Vec::new();
    for (index, summary) in first.assignment.iter().enumerate().take(METHODS.len()) {
        let correct: usize = motifs.iter().map(|m| m.assignment[index].correct).sum();
        let total: usize = motifs
            .iter()
            .map(|m| m.assignment[index].templates.len())
            .sum();
        accuracy.push(format!("{} {correct} of {total}", summary.method));
    }
    let heads = first.assignment.len().saturating_sub(METHODS.len());
    if heads > 0 {
        let (correct, total) = motifs
            .iter()
            .flat_map(|m| &m.assignment[METHODS.len()..])
            .fold((0, 0), |(c, t), a| (c + a.correct, t + a.templates.len()));
        accuracy.push(format!("attention heads {correct} of {total}"));
    }
    format!(
        "Directed AUROC averaged over the six motifs: {}. The planted motif's template was \
         chosen (chance: one in six) by {}.",
        parts.join(", "),
        accuracy.join(", ")
    )
}

/// Display name of a motif kind.
fn kind_name(kind: MotifKind) -> &'static str {
    match kind {
        MotifKind::FeedforwardChain => "feedforward chain",
        MotifKind::FeedbackLoop => "feedback loop",
        MotifKind::RecurrentExcitation => "recurrent excitation",
        MotifKind::LateralInhibition => "lateral inhibition",
        MotifKind::TopographicMap => "topographic map",
        MotifKind::DimensionalityExpansion => "dimensionality expansion",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn autoregression_losses_match_closed_forms() {
        // x_t = 0.5 x_{t-1} + e_t with unit innovations, and y_t = x_{t-1} + 0.1 u_t. A
        // Gaussian forecast with the innovation variance v scores 0.5 ln(2 pi e v) per entry:
        // 1.4189 for x (v = 1) and, from x's past, -0.8837 for y (v = 0.01). From its own past
        // y has v = 1 + 0.01 + 0.25 * 0.01 to first order, 1.4251. So the own-past mean is
        // (1.4189 + 1.4251) / 2 = 1.4220 and the joint mean (1.4189 - 0.8837) / 2 = 0.2676.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let samples = 40_000;
        let mut data = Vec::with_capacity(2 * samples);
        let mut x = 0.0f64;
        for _ in 0..samples {
            let e: f64 = StandardNormal.sample(&mut rng);
            let u: f64 = StandardNormal.sample(&mut rng);
            let y = x + 0.1 * u;
            x = 0.5 * x + e;
            data.extend([x as f32, y as f32]);
        }
        let (own, joint) = autoregression_losses(&data, 2, samples / 2).unwrap();
        assert!((own - 1.4220).abs() < 0.03, "own-past loss {own}");
        assert!((joint - 0.2676).abs() < 0.03, "joint loss {joint}");
    }

    #[test]
    fn template_of_the_planted_motif_is_the_true_graph() {
        let seed = 7;
        let background = BackgroundConfig {
            neuron_count: 30,
            model: BackgroundModel::ErdosRenyi { p: 0.1 },
            seed,
            ..BackgroundConfig::default()
        };
        let region = template_region(30, seed).unwrap();
        let templates = template_graphs(&background, &region, seed).unwrap();
        for (index, &kind) in MotifKind::ALL.iter().enumerate() {
            let motif = example_circuit(kind, seed).unwrap();
            let circuit = plant(
                &background,
                &[(&motif, Some(&region[..motif.neuron_count()]))],
            )
            .unwrap();
            // Template `index` has exactly the true arcs among the region's neurons.
            for (a, &source) in region.iter().enumerate() {
                for (b, &target) in region.iter().enumerate() {
                    assert_eq!(
                        templates[index].has_edge(a, b),
                        circuit.graph().has_edge(source, target),
                        "{} template, arc {source} -> {target}",
                        kind_name(kind)
                    );
                }
            }
            // Every planted motif arc lies inside the region.
            let planted = &circuit.motifs()[0];
            assert!(planted.arcs.iter().all(|(s, _)| region.contains(s)));
            assert!(planted.arcs.iter().all(|(_, t)| region.contains(t)));
        }
        // The templates differ from one another, so the assignment has something to choose.
        for a in 0..templates.len() {
            for b in a + 1..templates.len() {
                let differ = (0..region.len()).any(|i| {
                    (0..region.len())
                        .any(|j| templates[a].has_edge(i, j) != templates[b].has_edge(i, j))
                });
                assert!(differ, "templates {a} and {b} are identical");
            }
        }
    }

    #[test]
    fn energy_couplings_follow_the_gaussian_closed_form() {
        // x1 ~ N(0, 1) and x2 = 0.8 x1 + 0.6 e: unit variances, correlation 0.8. Denoising
        // score matching at noise 0.5 fits the density of the noisy data, N(0, C + 0.25 I) with
        // C + 0.25 I = [[1.25, 0.8], [0.8, 1.25]], whose energy has Hessian
        // (C + 0.25 I)^-1 = [[1.355, -0.867], [-0.867, 1.355]]. Minus that is the coupling.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let samples = 5000;
        let mut data = Vec::with_capacity(2 * samples);
        for _ in 0..samples {
            let (a, e): (f64, f64) = (
                StandardNormal.sample(&mut rng),
                StandardNormal.sample(&mut rng),
            );
            data.extend([a, 0.8 * a + 0.6 * e]);
        }
        let series = TimeSeries::new(data, samples, 2).unwrap();
        let coupling = energy_couplings(&series, &Config::default(), 1, &Device::flex()).unwrap();
        assert!((coupling[1] - 0.867).abs() < 0.3, "J_12 = {}", coupling[1]);
        assert!((coupling[2] - 0.867).abs() < 0.3, "J_21 = {}", coupling[2]);
        assert!((coupling[0] + 1.355).abs() < 0.4, "J_11 = {}", coupling[0]);
    }

    #[test]
    fn template_region_is_distinct_and_seeded() {
        let region = template_region(32, 5).unwrap();
        assert_eq!(region.len(), largest_motif(5).unwrap());
        let mut sorted = region.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), region.len());
        assert!(region.iter().all(|&v| v < 32));
        assert_eq!(region, template_region(32, 5).unwrap());
        assert!(template_region(region.len(), 5).is_err());
    }

    #[test]
    fn t_interval_matches_hand_computation() {
        // Values 1, 2, 3: mean 2, sample sd 1, standard error 1/√3; t_{0.975, 2} = 4.302653
        // (scipy.stats.t.ppf(0.975, 2)), so the half-width is 4.302653 / √3 = 2.484138.
        let interval = t_interval(&[1.0, 2.0, 3.0]).unwrap();
        assert!((interval.mean - 2.0).abs() < 1e-12);
        assert!((interval.low - (2.0 - 2.484138)).abs() < 1e-6);
        assert!((interval.high - (2.0 + 2.484138)).abs() < 1e-6);
    }

    #[test]
    fn t_interval_of_two_values() {
        // 0.6 and 0.8: mean 0.7, sd 0.141421, se 0.1; t_{0.975, 1} = 12.706205.
        let interval = t_interval(&[0.6, 0.8]).unwrap();
        assert!((interval.low - (0.7 - 1.2706205)).abs() < 1e-6);
        assert!((interval.high - (0.7 + 1.2706205)).abs() < 1e-6);
    }

    #[test]
    fn t_interval_rejects_short_or_non_finite_input() {
        assert!(t_interval(&[]).is_none());
        assert!(t_interval(&[0.5]).is_none());
        assert!(t_interval(&[0.5, f64::NAN]).is_none());
    }

    #[test]
    fn t_quantiles_follow_scipy() {
        // scipy.stats.t.ppf(0.975, df) for df = 10 and 30.
        assert!((t_quantile_975(10) - 2.228139).abs() < 1e-6);
        assert!((t_quantile_975(30) - 2.042272).abs() < 1e-6);
        // Above 30 the expansion: scipy gives 2.039513 (df 31), 2.021075 (df 40) and
        // 1.962339 (df 1000).
        assert!((t_quantile_975(31) - 2.039513).abs() < 1e-4);
        assert!((t_quantile_975(40) - 2.021075).abs() < 1e-4);
        assert!((t_quantile_975(1000) - 1.962339).abs() < 1e-6);
        assert!(t_quantile_975(0).is_nan());
    }

    #[test]
    fn validate_rejects_bad_settings() {
        assert!(validate(&Config::default()).is_ok());
        let cases = [
            (
                Config {
                    seeds: 1,
                    ..Config::default()
                },
                "seeds",
            ),
            (
                Config {
                    neuron_count: 10,
                    ..Config::default()
                },
                "neuron_count",
            ),
            (
                Config {
                    background_p: 0.0,
                    ..Config::default()
                },
                "background_p",
            ),
            (
                Config {
                    duration_s: f64::NAN,
                    ..Config::default()
                },
                "duration_s",
            ),
            (
                Config {
                    granger_order: 0,
                    ..Config::default()
                },
                "granger_order",
            ),
            (
                Config {
                    transformer_heads: 0,
                    ..Config::default()
                },
                "transformer_heads",
            ),
            (
                Config {
                    transformer_window: 1,
                    ..Config::default()
                },
                "transformer_window",
            ),
            (
                Config {
                    permutations: 5,
                    ..Config::default()
                },
                "permutations",
            ),
        ];
        for (config, name) in cases {
            let message = validate(&config).unwrap_err().to_string();
            assert!(message.contains(name), "{name}: {message}");
        }
    }

    #[test]
    fn motif_scores_use_only_the_motif_arcs() {
        // Three-node graph 0 -> 1 -> 2 with motif nodes {0, 1} and motif arc 0 -> 1; weights
        // favour 0 -> 1 over 1 -> 0, so the motif AUROC is 1.
        let graph = digraph_from_adjacency(
            &[false, true, false, false, false, true, false, false, false],
            3,
        )
        .unwrap();
        let matrix = [0.0, 0.9, 0.1, 0.2, 0.0, 0.8, 0.3, 0.1, 0.0];
        let weights =
            ArcWeights::from_matrix(&matrix, 3, Orientation::SourceRow, WeightSign::Absolute)
                .unwrap();
        let scores = score_method(&weights, &graph, &[0, 1], &[(0, 1)]).unwrap();
        assert_eq!(scores.motif_auroc, Some(1.0));
        // Directed: positives 0.9 and 0.8 beat every negative (0.1, 0.2, 0.3, 0.1).
        assert_eq!(scores.auroc, 1.0);
    }
}
