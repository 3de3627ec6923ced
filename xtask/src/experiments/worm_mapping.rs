//! The C. elegans loop: rate dynamics simulated on the Varshney et al. 2011 connectome
//! (chemical synapses and gap junctions), a spatial transformer trained on the simulated
//! activity, and every head's attention scored against the anatomy that drove the simulation
//! and against the signal-propagation atlas of Randi et al. 2023 (Nature 623:406-414).
//!
//! Reference (a) is the simulated network: the arc `s -> t` is present when `s` makes a
//! chemical synapse onto `t` or shares a gap junction with it. Reference (b) is the wild-type
//! atlas restricted to neurons whose names occur in both data sets. An ordered pair
//! (stimulated `s`, responding `t`) is scored only when it was observed at least
//! `min_observations` times (`occ1`) and has a finite q-value, and it counts as a functional
//! connection when `q < q_threshold`. The atlas's q is a false discovery rate, so small means
//! connected; Spearman correlations are therefore taken with `-q`, and a positive value means
//! that a method's large scores go with reliable connections.
//!
//! Methods: Pearson correlation, partial correlation with Ledoit-Wolf shrinkage, Granger
//! causality, each attention head, and, against the atlas only, the anatomy itself (chemical
//! synapse count plus gap-junction count of the pair). Every AUROC gets a node-label
//! permutation p-value, and the p-values of each reference get Benjamini-Hochberg q-values
//! across the methods.
//!
//! NOTE: the atlas names AWC-ON and AWC-OFF by function (`AWCON`, `AWCOF`), the connectome by
//! side (`AWCL`, `AWCR`), so the AWC pair is left out of the match.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use burn::tensor::Device;
use clap::Args;
use ncm_data::{AtlasMaps, DataDir, FunctionalAtlas, SynapseKind, read_varshney_2011, zscore};
use ncm_mapping::{
    ArcWeights, Direction, Orientation, TimeSeries, WeightSign, auroc, benjamini_hochberg,
    correlation_matrix, edge_recovery, granger_causality, partial_correlation_ledoit_wolf,
    permutation_test, spearman,
};
use ncm_motifs::DiGraph;
use ncm_motifs::dynamics::{ConnectomeConfig, ConnectomeModel, Input, RateConfig};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use super::motif_recovery::{HeadTraining, TransformerObjective, attention_heads};
use crate::report::{Section, cell, escape, table};

/// Settings of the C. elegans mapping experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Seed of the simulation noise, the transformer and the permutations. Default: 7.
    pub seed: u64,
    /// Simulated time, in seconds. Default: 200.
    pub duration_s: f64,
    /// Sampling interval of the recording, in seconds. Default: 0.02.
    pub sampling_interval_s: f64,
    /// Euler-Maruyama step, in seconds. Default: 0.002 (the time constant is 0.1 s).
    pub dt_s: f64,
    /// Noise amplitude of the rate network, in state units per square-root second.
    /// Default: 0.5.
    pub noise_sigma: f64,
    /// Lag order of the Granger baseline. Default: 1.
    pub granger_order: usize,
    /// Node-label permutations per p-value. Default: 99.
    pub permutations: usize,
    /// Minimum number of observations (`occ1`) of a scored atlas pair. Default: 3.
    pub min_observations: u64,
    /// An atlas pair with `q` below this is a functional connection. Default: 0.05, the
    /// threshold of Randi et al. 2023.
    pub q_threshold: f64,
    /// Adam steps of the transformer. Default: 80, which keeps the experiment near a minute
    /// on 2 CPU cores.
    pub transformer_steps: usize,
    /// Attention heads of the transformer (its width is 4 per head). Default: 4.
    pub transformer_heads: usize,
    /// Time samples per transformer window. Default: 16.
    pub transformer_window: usize,
    /// Peak Adam learning rate of the transformer. Default: 3e-3.
    pub transformer_learning_rate: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 7,
            duration_s: 200.0,
            sampling_interval_s: 0.02,
            dt_s: 0.002,
            noise_sigma: 0.5,
            granger_order: 1,
            permutations: 99,
            min_observations: 3,
            q_threshold: 0.05,
            transformer_steps: 80,
            transformer_heads: 4,
            transformer_window: 16,
            transformer_learning_rate: 3e-3,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment worm-mapping`.
#[derive(Args)]
pub struct Cli {
    /// Seed of the simulation noise, the transformer and the permutations.
    #[arg(long, default_value_t = Config::default().seed)]
    seed: u64,
    /// Simulated time, in seconds.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().duration_s)]
    duration_s: f64,
    /// Noise amplitude of the rate network.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().noise_sigma)]
    noise_sigma: f64,
    /// Node-label permutations per p-value.
    #[arg(long, default_value_t = Config::default().permutations)]
    permutations: usize,
    /// Minimum number of observations of a scored atlas pair.
    #[arg(long, default_value_t = Config::default().min_observations)]
    min_observations: u64,
    /// q-value below which an atlas pair is a functional connection.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().q_threshold)]
    q_threshold: f64,
    /// Adam steps of the transformer.
    #[arg(long, default_value_t = Config::default().transformer_steps)]
    transformer_steps: usize,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Config {
        Config {
            seed: self.seed,
            duration_s: self.duration_s,
            noise_sigma: self.noise_sigma,
            permutations: self.permutations,
            min_observations: self.min_observations,
            q_threshold: self.q_threshold,
            transformer_steps: self.transformer_steps,
            ..Config::default()
        }
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    for (name, value) in [
        ("duration_s", config.duration_s),
        ("sampling_interval_s", config.sampling_interval_s),
        ("dt_s", config.dt_s),
        ("noise_sigma", config.noise_sigma),
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
        (1..=3).contains(&config.granger_order),
        "granger_order = {} must be between 1 and 3 (each lag adds 279 regressors)",
        config.granger_order
    );
    ensure!(
        config.permutations >= 19,
        "permutations = {} is too few for a p-value below 0.05; use at least 19",
        config.permutations
    );
    ensure!(
        config.min_observations >= 1,
        "min_observations = 0 would admit pairs that were never observed; use at least 1"
    );
    ensure!(
        config.q_threshold > 0.0 && config.q_threshold < 1.0,
        "q_threshold = {} must lie strictly between 0 and 1",
        config.q_threshold
    );
    ensure!(
        config.transformer_steps >= 1,
        "transformer_steps = 0 leaves no head to score; use at least 1"
    );
    ensure!(
        (1..=16).contains(&config.transformer_heads),
        "transformer_heads = {} must be between 1 and 16",
        config.transformer_heads
    );
    ensure!(
        (2..=256).contains(&config.transformer_window),
        "transformer_window = {} must be between 2 and 256",
        config.transformer_window
    );
    // Granger regresses on 279 neurons per lag, so it needs comfortably more samples.
    let samples = config.duration_s / config.sampling_interval_s;
    ensure!(
        samples >= 2000.0 && samples >= 10.0 * config.transformer_window as f64,
        "duration_s = {} gives {samples:.0} samples at sampling_interval_s = {}; the Granger \
         fit and the transformer need at least 2000 and 10 windows; run longer",
        config.duration_s,
        config.sampling_interval_s
    );
    Ok(())
}

/// Strips the zeros that pad a neuron's number, so `DD01` and `DD1` compare equal.
/// Other names are only trimmed.
pub fn canonical_name(name: &str) -> String {
    let name = name.trim();
    let digits_start = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(digits_start);
    let number = number.trim_start_matches('0');
    match (number.is_empty(), name.len() > digits_start) {
        (true, true) => format!("{stem}0"),
        _ => format!("{stem}{number}"),
    }
}

/// One ordered atlas pair in simulation indices, with its q-value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtlasPair {
    /// Stimulated neuron, the arc's source.
    pub source: usize,
    /// Responding neuron, the arc's target.
    pub target: usize,
    /// q-value of the pair.
    pub q: f64,
}

/// Returns the scored atlas pairs: both neurons matched (`atlas_index[s]` is the atlas index
/// of simulation neuron `s`), distinct in both data sets, observed at least `min_observations` times and with a
/// finite q-value.
pub fn atlas_pairs(
    maps: &AtlasMaps,
    atlas_index: &[Option<usize>],
    min_observations: u64,
) -> Vec<AtlasPair> {
    let n_atlas = maps.neuron_count();
    let mut pairs = Vec::new();
    for (source, stimulated) in atlas_index.iter().enumerate() {
        let Some(stimulated) = *stimulated else {
            continue;
        };
        for (target, responding) in atlas_index.iter().enumerate() {
            let Some(responding) = *responding else {
                continue;
            };
            let index = responding * n_atlas + stimulated;
            let q = maps.q[index];
            let distinct = source != target && stimulated != responding;
            if distinct && q.is_finite() && maps.occ1[index] >= min_observations {
                pairs.push(AtlasPair { source, target, q });
            }
        }
    }
    pairs
}

/// AUROC of `weights` over `pairs` for the labels `q < q_threshold`, and the Spearman
/// correlation of the weights with `-q`.
pub fn atlas_scores(
    weights: &ArcWeights,
    pairs: &[AtlasPair],
    q_threshold: f64,
) -> Result<(f64, f64)> {
    let scores: Vec<f64> = pairs
        .iter()
        .map(|pair| weights.get(pair.source, pair.target))
        .collect();
    let labels: Vec<bool> = pairs.iter().map(|pair| pair.q < q_threshold).collect();
    let negative_q: Vec<f64> = pairs.iter().map(|pair| -pair.q).collect();
    Ok((auroc(&scores, &labels)?, spearman(&scores, &negative_q)?))
}

/// Node-label permutation p-value of the atlas AUROC: the matched neurons' labels are
/// shuffled, `(1 + #null >= observed) / (1 + permutations)`. Permutation `k` draws from
/// `ChaCha8Rng::seed_from_u64(seed)` on stream `k`, so the result does not depend on the
/// thread count.
fn atlas_permutation_p(
    weights: &ArcWeights,
    pairs: &[AtlasPair],
    matched: &[usize],
    config: &Config,
) -> Result<f64> {
    let labels: Vec<bool> = pairs
        .iter()
        .map(|pair| pair.q < config.q_threshold)
        .collect();
    let score_of = |relabel: &dyn Fn(usize) -> usize| -> Vec<f64> {
        pairs
            .iter()
            .map(|pair| weights.get(relabel(pair.source), relabel(pair.target)))
            .collect()
    };
    let observed = auroc(&score_of(&|node| node), &labels)?;
    let n = weights.node_count();
    let exceed = (0..config.permutations)
        .into_par_iter()
        .map(|k| {
            let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
            rng.set_stream(k as u64);
            let mut shuffled = matched.to_vec();
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, rng.random_range(0..=i));
            }
            let mut relabelled: Vec<usize> = (0..n).collect();
            for (&from, &to) in matched.iter().zip(&shuffled) {
                relabelled[from] = to;
            }
            auroc(&score_of(&|node| relabelled[node]), &labels).map(|null| null >= observed)
        })
        .collect::<Result<Vec<bool>, _>>()?
        .into_iter()
        .filter(|&exceeds| exceeds)
        .count();
    Ok((1 + exceed) as f64 / (1 + config.permutations) as f64)
}

/// Scores of one method.
#[derive(Clone, Debug, Serialize)]
struct MethodRow {
    method: String,
    /// Directed AUROC against the simulated network, absent for the anatomy itself.
    anatomy_auroc: Option<f64>,
    /// Undirected AUROC (larger arc score per pair) against the simulated network.
    anatomy_auroc_undirected: Option<f64>,
    anatomy_p_value: Option<f64>,
    anatomy_q_value: Option<f64>,
    /// AUROC against the atlas connections `q < q_threshold`.
    atlas_auroc: f64,
    /// Spearman correlation with `-q` over the scored atlas pairs.
    atlas_spearman: f64,
    atlas_p_value: f64,
    atlas_q_value: f64,
}

/// The simulated network, its activity and the anatomy scores of the atlas.
struct Simulation {
    names: Vec<String>,
    /// Chemical arcs and gap junctions (both directions) of the simulated network.
    graph: DiGraph,
    /// Chemical synapse count plus gap-junction count, `pre x post`.
    anatomy: ArcWeights,
    series: TimeSeries,
}

/// Reads the Varshney connectome, simulates the noisy rate network on it and z-scores the
/// activity.
fn simulate(config: &Config, data_dir: &Path) -> Result<Simulation> {
    let connectome = read_varshney_2011(&DataDir::new(data_dir).varshney_2011())?;
    let model = ConnectomeModel::new(&connectome, &ConnectomeConfig::default())?;
    let rate_config = RateConfig {
        dt_s: config.dt_s,
        duration_s: config.duration_s,
        sampling_interval_s: config.sampling_interval_s,
        noise_sigma: config.noise_sigma,
        seed: config.seed,
        ..RateConfig::default()
    };
    let simulation = model
        .simulate(&rate_config, &Input::None)
        .context("the connectome rate network failed")?;
    let activity = zscore(&simulation.rates).context("cannot z-score the simulated activity")?;
    let series = TimeSeries::from_recording(&activity)?;

    let n = connectome.node_count();
    let chemical = connectome.adjacency(SynapseKind::Chemical);
    let electrical = connectome.adjacency(SynapseKind::Electrical);
    let gap = model.gap_conductance();
    let mut arcs: Vec<(usize, usize)> = simulation.graph.edges().collect();
    arcs.extend(
        (0..n * n)
            .filter(|&index| gap[index] > 0.0)
            .map(|index| (index / n, index % n)),
    );
    arcs.sort_unstable();
    arcs.dedup();
    let graph = DiGraph::from_edges(n, &arcs)?;
    // A gap junction listed once couples both ways, so its count is symmetrised by the max.
    let counts: Vec<f64> = (0..n * n)
        .map(|index| {
            let (pre, post) = (index / n, index % n);
            let gap = electrical[index].max(electrical[post * n + pre]);
            chemical[index] + gap
        })
        .collect();
    let anatomy =
        ArcWeights::from_matrix(&counts, n, Orientation::SourceRow, WeightSign::Absolute)?;
    Ok(Simulation {
        names: model.names().to_vec(),
        graph,
        anatomy,
        series,
    })
}

/// Arc weights of the baselines and the attention heads, named, with the best validation loss
/// of the transformer.
fn method_weights(
    config: &Config,
    series: &TimeSeries,
    device: &Device,
) -> Result<(Vec<(String, ArcWeights)>, f64)> {
    let n = series.channels();
    let read = |matrix: &[f64], orientation| {
        ArcWeights::from_matrix(matrix, n, orientation, WeightSign::Absolute)
    };
    info!("fitting the correlation, partial-correlation and Granger baselines");
    let mut methods = vec![
        (
            "correlation".to_owned(),
            read(&correlation_matrix(series)?, Orientation::Symmetric)?,
        ),
        (
            "partial correlation (Ledoit-Wolf)".to_owned(),
            read(
                &partial_correlation_ledoit_wolf(series)?.0,
                Orientation::Symmetric,
            )?,
        ),
        (
            "Granger".to_owned(),
            read(
                &granger_causality(series, config.granger_order)?,
                Orientation::SourceRow,
            )?,
        ),
    ];
    info!(
        steps = config.transformer_steps,
        "training the spatial transformer"
    );
    let training = HeadTraining {
        steps: config.transformer_steps,
        heads: config.transformer_heads,
        head_width: 4,
        window: config.transformer_window,
        learning_rate: config.transformer_learning_rate,
        objective: TransformerObjective::Masked,
    };
    let (heads, validation_loss, _) = attention_heads(&training, series, config.seed, device)
        .context("the transformer on the simulated worm activity failed")?;
    for (head, attention) in heads.iter().enumerate() {
        methods.push((
            format!("attention head {head}"),
            read(attention, Orientation::TargetRow)?,
        ));
    }
    Ok((methods, validation_loss))
}

/// Scores every method against the simulated network and the atlas pairs.
fn score_methods(
    config: &Config,
    simulation: &Simulation,
    methods: &[(String, ArcWeights)],
    pairs: &[AtlasPair],
    matched: &[usize],
) -> Result<Vec<MethodRow>> {
    let mut rows = Vec::new();
    let (atlas_auroc, atlas_spearman) =
        atlas_scores(&simulation.anatomy, pairs, config.q_threshold)?;
    rows.push(MethodRow {
        method: "anatomy (synapse counts)".to_owned(),
        anatomy_auroc: None,
        anatomy_auroc_undirected: None,
        anatomy_p_value: None,
        anatomy_q_value: None,
        atlas_auroc,
        atlas_spearman,
        atlas_p_value: atlas_permutation_p(&simulation.anatomy, pairs, matched, config)?,
        atlas_q_value: f64::NAN,
    });
    for (method, weights) in methods {
        let directed = edge_recovery(weights, &simulation.graph, Direction::Directed)?;
        let undirected = edge_recovery(weights, &simulation.graph, Direction::Undirected)?;
        let test = permutation_test(
            weights,
            &simulation.graph,
            Direction::Directed,
            config.permutations,
            config.seed,
        )?;
        let (atlas_auroc, atlas_spearman) = atlas_scores(weights, pairs, config.q_threshold)?;
        rows.push(MethodRow {
            method: method.clone(),
            anatomy_auroc: Some(directed.auroc),
            anatomy_auroc_undirected: Some(undirected.auroc),
            anatomy_p_value: Some(test.p_value),
            anatomy_q_value: None,
            atlas_auroc,
            atlas_spearman,
            atlas_p_value: atlas_permutation_p(weights, pairs, matched, config)?,
            atlas_q_value: f64::NAN,
        });
    }

    let anatomy_p: Vec<f64> = rows.iter().filter_map(|row| row.anatomy_p_value).collect();
    let anatomy_q = benjamini_hochberg(&anatomy_p)?;
    for (row, q) in rows.iter_mut().skip(1).zip(anatomy_q) {
        row.anatomy_q_value = Some(q);
    }
    let atlas_p: Vec<f64> = rows.iter().map(|row| row.atlas_p_value).collect();
    for (row, q) in rows.iter_mut().zip(benjamini_hochberg(&atlas_p)?) {
        row.atlas_q_value = q;
    }
    Ok(rows)
}

/// Sizes of the atlas comparison.
#[derive(Debug, Serialize)]
struct AtlasMatch {
    /// Neurons of the connectome found in the atlas.
    matched_neurons: usize,
    /// Ordered pairs scored (observed often enough, finite q).
    scored_pairs: usize,
    /// Scored pairs with `q < q_threshold`.
    connected_pairs: usize,
    /// AUROC and Spearman correlation with `-q` of the anatomy against the `unc-31` atlas.
    anatomy_unc31_auroc: f64,
    anatomy_unc31_spearman: f64,
    /// Scored `unc-31` pairs.
    unc31_pairs: usize,
}

/// Runs the experiment and writes `report/worm-mapping/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
) -> Result<Section> {
    let out_dir = super::create_output_dir(report_dir, "worm-mapping")?;
    info!(
        duration_s = config.duration_s,
        "simulating the Varshney connectome"
    );
    let simulation = simulate(config, data_dir)?;
    let atlas_path = DataDir::new(data_dir).funatlas();
    let atlas = FunctionalAtlas::read(&atlas_path)?;

    let atlas_names: Vec<String> = atlas.neuron_ids.iter().map(|n| canonical_name(n)).collect();
    let atlas_index: Vec<Option<usize>> = simulation
        .names
        .iter()
        .map(|name| {
            let name = canonical_name(name);
            atlas_names.iter().position(|other| *other == name)
        })
        .collect();
    let matched: Vec<usize> = (0..atlas_index.len())
        .filter(|&s| atlas_index[s].is_some())
        .collect();
    let pairs = atlas_pairs(&atlas.wt, &atlas_index, config.min_observations);
    let unc31_pairs = atlas_pairs(&atlas.unc31, &atlas_index, config.min_observations);
    let (anatomy_unc31_auroc, anatomy_unc31_spearman) =
        atlas_scores(&simulation.anatomy, &unc31_pairs, config.q_threshold)?;
    let atlas_match = AtlasMatch {
        matched_neurons: matched.len(),
        scored_pairs: pairs.len(),
        connected_pairs: pairs.iter().filter(|p| p.q < config.q_threshold).count(),
        anatomy_unc31_auroc,
        anatomy_unc31_spearman,
        unc31_pairs: unc31_pairs.len(),
    };
    info!(
        matched = atlas_match.matched_neurons,
        pairs = atlas_match.scored_pairs,
        "matched the connectome to the atlas"
    );

    let (methods, validation_loss) = method_weights(config, &simulation.series, device)?;
    let rows = score_methods(config, &simulation, &methods, &pairs, &matched)?;
    let summary = json!({
        "config": config,
        "neurons": simulation.names.len(),
        "anatomy_arcs": simulation.graph.edge_count(),
        "atlas": atlas_match,
        "validation_loss": validation_loss,
        "methods": rows,
    });
    fs::write(
        out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )
    .context("cannot write the worm-mapping summary")?;
    Ok(Section {
        name: "worm_mapping".into(),
        title: "C. elegans: attention against the connectome and the signal-propagation atlas"
            .into(),
        html: render_html(config, &simulation, &atlas_match, validation_loss, &rows),
        summary,
    })
}

fn render_html(
    config: &Config,
    simulation: &Simulation,
    atlas: &AtlasMatch,
    validation_loss: f64,
    rows: &[MethodRow],
) -> String {
    let mut html = format!(
        "<p>Rate dynamics (tanh, τ = 0.1 s, noise σ = {sigma}) run for {d} s on the Varshney \
         et al. 2011 connectome ({n} neurons, {arcs} arcs counting chemical synapses and both \
         directions of each gap junction), sampled every {dt} s and z-scored. A spatial \
         transformer (one token per neuron, {heads} heads, {steps} Adam steps of masked \
         reconstruction, best validation loss {loss:.3} per masked entry) gives each head's \
         attention averaged over the held-out windows. Anatomy columns score each method \
         against the simulated network (directed and undirected AUROC). Atlas columns score \
         it against the wild-type signal-propagation atlas of Randi et al. 2023: {matched} \
         neurons match by name, and {pairs} ordered pairs observed at least {min_obs} times \
         have a finite q, of which {connected} have q &lt; {q_th}. Spearman ρ is taken with \
         −q. p-values come from {perms} node-label permutations, with Benjamini-Hochberg \
         q-values across the methods of each reference.</p>\n",
        sigma = config.noise_sigma,
        d = config.duration_s,
        n = simulation.names.len(),
        arcs = simulation.graph.edge_count(),
        dt = config.sampling_interval_s,
        heads = config.transformer_heads,
        steps = config.transformer_steps,
        loss = validation_loss,
        matched = atlas.matched_neurons,
        pairs = atlas.scored_pairs,
        min_obs = config.min_observations,
        connected = atlas.connected_pairs,
        q_th = config.q_threshold,
        perms = config.permutations,
    );
    let header: Vec<String> = [
        "method",
        "anatomy AUROC",
        "undirected AUROC",
        "anatomy p",
        "anatomy q",
        "atlas AUROC",
        "atlas Spearman ρ",
        "atlas p",
        "atlas q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.method.clone(),
                cell(row.anatomy_auroc, 3),
                cell(row.anatomy_auroc_undirected, 3),
                cell(row.anatomy_p_value, 3),
                cell(row.anatomy_q_value, 3),
                cell(Some(row.atlas_auroc), 3),
                cell(Some(row.atlas_spearman), 3),
                cell(Some(row.atlas_p_value), 3),
                cell(Some(row.atlas_q_value), 3),
            ]
        })
        .collect();
    html.push_str(&table(&header, &body));
    html.push_str(&format!(
        "<p>{}</p>\n",
        escape(&findings(atlas, validation_loss, rows))
    ));
    html
}

/// Describes an AUROC in words: below 0.6 weak, below 0.7 moderate, else strong.
fn strength(auroc: f64) -> &'static str {
    if auroc < 0.6 {
        "weakly"
    } else if auroc < 0.7 {
        "moderately"
    } else {
        "strongly"
    }
}

/// Writes a short reading of the table from its numbers.
fn findings(atlas: &AtlasMatch, validation_loss: f64, rows: &[MethodRow]) -> String {
    let Some(anatomy) = rows.first() else {
        return String::new();
    };
    let by_anatomy = rows
        .iter()
        .filter(|row| row.anatomy_auroc.is_some())
        .max_by(|a, b| {
            let key = |row: &MethodRow| row.anatomy_auroc.unwrap_or(f64::NEG_INFINITY);
            key(a).total_cmp(&key(b))
        });
    let by_atlas = rows
        .iter()
        .skip(1)
        .max_by(|a, b| a.atlas_auroc.total_cmp(&b.atlas_auroc));
    let mut text = String::new();
    // A unit Gaussian scores 0.5 ln(2 pi e) = 1.419 per masked entry on z-scored data.
    let unit_gaussian = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln();
    if validation_loss >= unit_gaussian - 0.01 {
        text.push_str(&format!(
            "The transformer's validation loss ({validation_loss:.3}) is within 0.01 of a unit \
             Gaussian's ({unit_gaussian:.3}), so it learned little structure from the activity \
             and its heads carry little signal. "
        ));
    }
    if let Some(best) = by_anatomy {
        text.push_str(&format!(
            "On the simulated network, {} recovers the anatomy best (AUROC {:.3}). ",
            best.method,
            best.anatomy_auroc.unwrap_or(f64::NAN)
        ));
    }
    text.push_str(&format!(
        "The anatomy itself predicts the measured signal propagation {}: AUROC {:.3} and \
         ρ = {:.3} against the wild-type atlas, {:.3} and {:.3} against unc-31 mutants, which \
         lack neuropeptide release from dense-core vesicles. ",
        strength(anatomy.atlas_auroc),
        anatomy.atlas_auroc,
        anatomy.atlas_spearman,
        atlas.anatomy_unc31_auroc,
        atlas.anatomy_unc31_spearman
    ));
    if let Some(best) = by_atlas {
        let relation = if best.atlas_auroc > anatomy.atlas_auroc {
            "above"
        } else {
            "not above"
        };
        text.push_str(&format!(
            "The best method on the simulated activity, {}, reaches atlas AUROC {:.3}, {} the \
             anatomy's. Randi et al. 2023 likewise found that measured signal propagation \
             departs from what the anatomy predicts, in part through extrasynaptic signalling \
             that unc-31 mutants lack.",
            best.method, best.atlas_auroc, relation
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_name_strips_number_padding() {
        assert_eq!(canonical_name("DD01"), "DD1");
        assert_eq!(canonical_name("VA10"), "VA10");
        assert_eq!(canonical_name(" AVAL "), "AVAL");
        assert_eq!(canonical_name("AS1"), "AS1");
        assert_eq!(canonical_name("IL1DL"), "IL1DL");
        assert_eq!(canonical_name("X00"), "X0");
    }

    /// Builds a three-neuron atlas. Simulation neuron 0 is unmatched, and neurons 1 and 2 are
    /// atlas neurons 2 and 0.
    fn toy_maps() -> AtlasMaps {
        let nan = f64::NAN;
        AtlasMaps {
            // [responding, stimulated]
            q: vec![0.0, 0.01, 0.3, 0.5, 0.0, nan, 0.02, 0.9, 0.0],
            dff: vec![0.0; 9],
            occ1: vec![9, 4, 1, 5, 9, 0, 3, 3, 9],
        }
    }

    #[test]
    fn atlas_pairs_follow_the_observation_rule() {
        let maps = toy_maps();
        let atlas_index = [None, Some(2), Some(0)];
        let pairs = atlas_pairs(&maps, &atlas_index, 2);
        // Source 1 (atlas 2) -> target 2 (atlas 0): entry [0, 2] has q 0.3 but occ1 1, so
        // it is dropped. Source 2 (atlas 0) -> target 1 (atlas 2): entry [2, 0], q 0.02,
        // occ1 3.
        assert_eq!(
            pairs,
            [AtlasPair {
                source: 2,
                target: 1,
                q: 0.02
            }]
        );
        let pairs = atlas_pairs(&maps, &atlas_index, 1);
        assert_eq!(pairs.len(), 2);
        assert_eq!((pairs[0].source, pairs[0].target, pairs[0].q), (1, 2, 0.3));
    }

    #[test]
    fn atlas_scores_match_hand_values() {
        // Four pairs; connected (q < 0.05) are the first two. Scores 0.9, 0.2 for the
        // connected and 0.5, 0.1 for the others: of the 4 (positive, negative) comparisons
        // 3 are won, so AUROC = 0.75. Spearman of scores (0.9, 0.2, 0.5, 0.1) with
        // -q = (-0.01, -0.04, -0.5, -0.7): ranks (4, 2, 3, 1) and (4, 3, 2, 1), so
        // rho = 1 - 6 * (0 + 1 + 1 + 0) / (4 * 15) = 0.8.
        let matrix = [
            0.0, 0.9, 0.2, 0.0, //
            0.0, 0.0, 0.0, 0.5, //
            0.0, 0.0, 0.0, 0.1, //
            0.0, 0.0, 0.0, 0.0,
        ];
        let weights =
            ArcWeights::from_matrix(&matrix, 4, Orientation::SourceRow, WeightSign::Absolute)
                .unwrap();
        let pairs = [(0, 1, 0.01), (0, 2, 0.04), (1, 3, 0.5), (2, 3, 0.7)]
            .map(|(source, target, q)| AtlasPair { source, target, q });
        let (area, rho) = atlas_scores(&weights, &pairs, 0.05).unwrap();
        assert!((area - 0.75).abs() < 1e-12, "AUROC {area}");
        assert!((rho - 0.8).abs() < 1e-12, "Spearman {rho}");
    }

    #[test]
    fn atlas_permutation_p_separates_perfect_and_flat_scores() {
        // Scores equal to 1 - q on an 8-node complete set of pairs: the observed AUROC is 1,
        // and a shuffle reaches 1 only by chance, so p is near 1 / (1 + permutations).
        let n = 8;
        // Connected pairs follow no row or column pattern, so few relabellings keep them.
        let connected = |s: usize, t: usize| (3 * s + 5 * t + s * t) % 7 == 0;
        let q: Vec<f64> = (0..n * n)
            .map(|i| if connected(i / n, i % n) { 0.01 } else { 0.5 })
            .collect();
        let matrix: Vec<f64> = q.iter().map(|q| 1.0 - q).collect();
        let weights =
            ArcWeights::from_matrix(&matrix, n, Orientation::SourceRow, WeightSign::Absolute)
                .unwrap();
        let pairs: Vec<AtlasPair> = (0..n * n)
            .filter(|i| i / n != i % n)
            .map(|i| AtlasPair {
                source: i / n,
                target: i % n,
                q: q[i],
            })
            .collect();
        let config = Config {
            permutations: 99,
            ..Config::default()
        };
        let matched: Vec<usize> = (0..n).collect();
        let p = atlas_permutation_p(&weights, &pairs, &matched, &config).unwrap();
        assert!(p <= 0.05, "p = {p}");
        assert!(p >= 0.01, "p = {p}");

        // Equal scores give AUROC 0.5 under every shuffle, so every null value ties the
        // observed one and p = 1.
        let flat = ArcWeights::from_matrix(
            &vec![1.0; n * n],
            n,
            Orientation::SourceRow,
            WeightSign::Absolute,
        )
        .unwrap();
        let p = atlas_permutation_p(&flat, &pairs, &matched, &config).unwrap();
        assert_eq!(p, 1.0);
    }

    #[test]
    fn validate_rejects_bad_settings() {
        assert!(validate(&Config::default()).is_ok());
        let cases = [
            (
                Config {
                    duration_s: 10.0,
                    ..Config::default()
                },
                "duration_s",
            ),
            (
                Config {
                    noise_sigma: f64::NAN,
                    ..Config::default()
                },
                "noise_sigma",
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
                    permutations: 5,
                    ..Config::default()
                },
                "permutations",
            ),
            (
                Config {
                    min_observations: 0,
                    ..Config::default()
                },
                "min_observations",
            ),
            (
                Config {
                    q_threshold: 1.0,
                    ..Config::default()
                },
                "q_threshold",
            ),
            (
                Config {
                    transformer_steps: 0,
                    ..Config::default()
                },
                "transformer_steps",
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
        ];
        for (config, name) in cases {
            let message = validate(&config).unwrap_err().to_string();
            assert!(message.contains(name), "{name}: {message}");
        }
    }
}
