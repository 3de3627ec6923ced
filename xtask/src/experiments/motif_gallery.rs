//! Motif gallery: one small circuit of each canonical motif with its wiring diagram, its rate
//! activity and a spike raster, and the *C. elegans* connectome driven through the rate model
//! and seen through the Poisson, calcium and BOLD observation models.
//!
//! Each motif gets an input that shows what it does: the first layer of a chain (or the
//! inputs of an expansion) receive a pulse, one assembly of the recurrent circuit is kicked,
//! the winner-take-all units receive graded inputs, and the ring map receives a bump.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use clap::Args;
use ncm_data::{DataDir, PopulationSpikes, Recording, read_varshney_2011};
use ncm_motifs::dynamics::{
    BoldConfig, CalciumConfig, ConnectomeConfig, ConnectomeModel, Input, LifConfig, LifNetwork,
    PoissonConfig, RateConfig, RateNetwork, bold, fluorescence, poisson_counts,
};
use ncm_motifs::{CellType, Circuit, MotifKind, example_circuit};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::figures::{
    DiagramArc, Trace, TraceScale, write_circuit_svg, write_raster_svg, write_traces_svg,
};
use crate::report::{Section, cell, escape, table};

/// Motif kinds in the order the gallery shows them.
const KINDS: [MotifKind; 6] = [
    MotifKind::FeedforwardChain,
    MotifKind::FeedbackLoop,
    MotifKind::RecurrentExcitation,
    MotifKind::LateralInhibition,
    MotifKind::TopographicMap,
    MotifKind::DimensionalityExpansion,
];

/// Most traces drawn per activity figure.
const MAX_TRACES: usize = 12;

/// Settings of the motif gallery.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Seed of the generators, the noise and the observation models.
    pub seed: u64,
    /// Length of each rate-network run, in seconds.
    pub rate_duration_s: f64,
    /// Noise amplitude of the rate networks, in state units per square-root second.
    pub rate_noise_sigma: f64,
    /// Amplitude of the input pulse or bump in the rate networks (state units).
    pub drive: f64,
    /// Length of each spiking run, in milliseconds.
    pub lif_duration_ms: f64,
    /// Constant current into every spiking neuron, in nA (the default neuron's rheobase is
    /// 1.5 nA).
    pub lif_baseline_na: f64,
    /// Extra current into the driven neurons, in nA.
    pub lif_drive_na: f64,
    /// Current jump per unit of circuit weight in the spiking runs, in nA.
    pub lif_weight_scale_na: f64,
    /// Membrane noise of the spiking runs, in mV.
    pub lif_noise_std_mv: f64,
    /// Length of the connectome run, in seconds.
    pub connectome_duration_s: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 7,
            rate_duration_s: 4.0,
            rate_noise_sigma: 0.05,
            drive: 1.0,
            lif_duration_ms: 1000.0,
            lif_baseline_na: 1.2,
            lif_drive_na: 0.8,
            lif_weight_scale_na: 2.0,
            lif_noise_std_mv: 2.0,
            connectome_duration_s: 60.0,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment motif-gallery`.
#[derive(Args)]
pub struct Cli {
    /// Seed of the generators, the noise and the observation models.
    #[arg(long, default_value_t = Config::default().seed)]
    seed: u64,
    /// Length of each rate-network run, in seconds.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().rate_duration_s)]
    rate_duration_s: f64,
    /// Length of the connectome run, in seconds.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().connectome_duration_s)]
    connectome_duration_s: f64,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Config {
        Config {
            seed: self.seed,
            rate_duration_s: self.rate_duration_s,
            connectome_duration_s: self.connectome_duration_s,
            ..Config::default()
        }
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    for (name, value) in [
        ("rate_duration_s", config.rate_duration_s),
        ("lif_duration_ms", config.lif_duration_ms),
        ("connectome_duration_s", config.connectome_duration_s),
    ] {
        ensure!(
            value.is_finite() && value >= 2.0,
            "{name} = {value} is too short; use at least 2"
        );
    }
    for (name, value) in [
        ("rate_noise_sigma", config.rate_noise_sigma),
        ("drive", config.drive),
        ("lif_baseline_na", config.lif_baseline_na),
        ("lif_drive_na", config.lif_drive_na),
        ("lif_weight_scale_na", config.lif_weight_scale_na),
        ("lif_noise_std_mv", config.lif_noise_std_mv),
    ] {
        ensure!(
            value.is_finite() && value >= 0.0,
            "{name} = {value} must be finite and non-negative"
        );
    }
    Ok(())
}

/// Summary of one motif's runs.
#[derive(Serialize)]
struct MotifSummary {
    motif: String,
    neurons: usize,
    excitatory: usize,
    inhibitory: usize,
    arcs: usize,
    mutual_pairs: usize,
    /// Mean rate-network activation of the driven neurons during the drive.
    driven_activation: f64,
    /// Mean rate-network activation of the other neurons during the drive.
    other_activation: f64,
    /// Mean firing rate of the driven spiking neurons, in Hz.
    driven_rate_hz: f64,
    /// Mean firing rate of the other spiking neurons, in Hz.
    other_rate_hz: f64,
}

/// Runs the gallery and writes `report/motif-gallery/`.
pub fn run(config: &Config, data_dir: &Path, report_dir: &Path) -> Result<Section> {
    let out_dir = super::create_output_dir(report_dir, "motif-gallery")?;
    let mut summaries = Vec::with_capacity(KINDS.len());
    let mut figures_html = String::new();
    for kind in KINDS {
        let name = kind_name(kind);
        info!(motif = name, "simulating");
        let circuit = example_circuit(kind, config.seed)
            .with_context(|| format!("cannot build the example {name} circuit"))?;
        let summary = simulate_motif(config, kind, &circuit, &out_dir)?;
        let slug = slug(kind);
        figures_html.push_str(&format!(
            "<figure class=\"gallery\"><figcaption>{}</figcaption>\
             <img src=\"motif-gallery/{slug}-circuit.svg\" alt=\"wiring of the {name} circuit\">\
             <img src=\"motif-gallery/{slug}-rates.svg\" alt=\"rate activity of the {name} circuit\">\
             <img src=\"motif-gallery/{slug}-raster.svg\" alt=\"spike raster of the {name} circuit\">\
             </figure>\n",
            escape(name)
        ));
        summaries.push(summary);
    }

    let connectome = connectome_run(config, data_dir, &out_dir)?;
    let summary = json!({ "motifs": summaries, "connectome": connectome });
    fs::write(
        out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )
    .context("cannot write the gallery summary")?;
    Ok(Section {
        name: "motif_gallery".into(),
        title: "Motif gallery and circuit dynamics".into(),
        summary,
        html: render_html(&summaries, &figures_html, &connectome),
    })
}

/// Draws the wiring, runs the rate and spiking networks and draws their activity.
fn simulate_motif(
    config: &Config,
    kind: MotifKind,
    circuit: &Circuit,
    out_dir: &Path,
) -> Result<MotifSummary> {
    let name = kind_name(kind);
    let slug = slug(kind);
    let n = circuit.neuron_count();
    let inhibitory: Vec<bool> = circuit
        .cell_types()
        .iter()
        .map(|&t| t == CellType::Inhibitory)
        .collect();
    let arcs: Vec<DiagramArc> = circuit
        .graph()
        .edges()
        .map(|(pre, post)| DiagramArc {
            pre,
            post,
            weight: circuit.weight(pre, post).unwrap_or(0.0),
        })
        .collect();
    write_circuit_svg(
        &out_dir.join(format!("{slug}-circuit.svg")),
        name,
        &layout(kind, circuit),
        &inhibitory,
        &arcs,
    )?;

    let gains = input_gains(kind, circuit);
    let driven: Vec<usize> = (0..n).filter(|&i| gains[i] > 0.0).collect();
    let others: Vec<usize> = (0..n).filter(|&i| gains[i] == 0.0).collect();

    // Rate network: the drive is on during the middle half of the run.
    let (on, off) = (config.rate_duration_s * 0.25, config.rate_duration_s * 0.75);
    let drive: Vec<f64> = gains.iter().map(|g| g * config.drive).collect();
    let input = Input::function(move |t, out: &mut [f64]| {
        let active = (on..off).contains(&t);
        for (value, d) in out.iter_mut().zip(&drive) {
            *value = if active { *d } else { 0.0 };
        }
    });
    let rate_config = RateConfig {
        duration_s: config.rate_duration_s,
        noise_sigma: config.rate_noise_sigma,
        seed: config.seed,
        ..RateConfig::default()
    };
    let rates = RateNetwork::from_circuit(circuit)
        .simulate(&rate_config, &input)
        .with_context(|| format!("rate simulation of the {name} circuit failed"))?
        .rates;
    let traces = shown_traces(&rates);
    write_traces_svg(
        &out_dir.join(format!("{slug}-rates.svg")),
        &format!("{name}: rates φ(x)"),
        &traces,
        rates.sampling_interval_s,
        TraceScale::Shared,
    )?;
    let window = |channels: &[usize]| mean_over(&rates, channels, on, off);

    // Spiking network: baseline current into every neuron, extra current into the driven ones.
    let currents: Vec<f64> = gains
        .iter()
        .map(|g| config.lif_baseline_na + g * config.lif_drive_na)
        .collect();
    let lif_config = LifConfig {
        duration_ms: config.lif_duration_ms,
        weight_scale_na: config.lif_weight_scale_na,
        noise_std_mv: config.lif_noise_std_mv,
        random_initial_potential: true,
        seed: config.seed,
        ..LifConfig::default()
    };
    let spikes = LifNetwork::from_circuit(circuit)
        .simulate(&lif_config, &Input::Constant(currents))
        .with_context(|| format!("spiking simulation of the {name} circuit failed"))?
        .spikes;
    let times_s: Vec<Vec<f64>> = spikes
        .times_ms
        .iter()
        .map(|train| train.iter().map(|t| t / 1000.0).collect())
        .collect();
    write_raster_svg(
        &out_dir.join(format!("{slug}-raster.svg")),
        &format!("{name}: LIF spikes"),
        &times_s,
        spikes.duration_ms / 1000.0,
    )?;
    let firing = spikes.firing_rates_hz();
    let mean_rate = |channels: &[usize]| mean_of(channels.iter().map(|&i| firing[i]));

    Ok(MotifSummary {
        motif: name.to_owned(),
        neurons: n,
        excitatory: inhibitory.iter().filter(|&&i| !i).count(),
        inhibitory: inhibitory.iter().filter(|&&i| i).count(),
        arcs: circuit.graph().edge_count(),
        mutual_pairs: circuit.graph().mutual_edge_count(),
        driven_activation: window(&driven),
        other_activation: window(&others),
        driven_rate_hz: mean_rate(&driven),
        other_rate_hz: mean_rate(&others),
    })
}

/// Input gain of each neuron for `kind`; zero marks an undriven neuron.
fn input_gains(kind: MotifKind, circuit: &Circuit) -> Vec<f64> {
    let n = circuit.neuron_count();
    let graph = circuit.graph();
    let excitatory = |i: usize| circuit.cell_types()[i] == CellType::Excitatory;
    match kind {
        // Entry neurons: no input from a lower-numbered neuron, so the first layer of a chain
        // and the inputs of an expansion (feedback arrives from higher-numbered neurons).
        MotifKind::FeedforwardChain
        | MotifKind::FeedbackLoop
        | MotifKind::DimensionalityExpansion => (0..n)
            .map(|i| {
                let entry = excitatory(i) && graph.in_neighbours(i).iter().all(|&pre| pre > i);
                if entry { 1.0 } else { 0.0 }
            })
            .collect(),
        // The first quarter of the neurons, which lie in the first assembly or pair.
        MotifKind::RecurrentExcitation => (0..n)
            .map(|i| if i < n.div_ceil(4) { 1.0 } else { 0.0 })
            .collect(),
        // Graded inputs from 0.5 to 1 over the excitatory units, so the shared inhibition
        // shows as a compressed response of the weakly driven units.
        MotifKind::LateralInhibition => {
            let units: Vec<usize> = (0..n).filter(|&i| excitatory(i)).collect();
            let mut gains = vec![0.0; n];
            for (rank, &unit) in units.iter().enumerate() {
                gains[unit] = 0.5 + 0.5 * rank as f64 / (units.len().max(2) - 1) as f64;
            }
            gains
        }
        // A Gaussian bump around neuron 0 over the ring (or sheet) positions.
        MotifKind::TopographicMap => {
            let positions = circuit.positions();
            (0..n)
                .map(|i| {
                    let distance = match positions {
                        Some(p) if p.iter().all(|q| q[1] == 0.0) => ring_distance(p[i][0], p[0][0]),
                        Some(p) => {
                            ((p[i][0] - p[0][0]).powi(2) + (p[i][1] - p[0][1]).powi(2)).sqrt()
                        }
                        None => (i.min(n - i)) as f64 / n as f64 * std::f64::consts::TAU,
                    };
                    let gain = (-distance * distance / (2.0 * 0.5_f64.powi(2))).exp();
                    if excitatory(i) && gain > 0.05 {
                        gain
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}

/// Angular distance between two ring angles, in radians.
fn ring_distance(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(std::f64::consts::TAU);
    d.min(std::f64::consts::TAU - d)
}

/// Positions for the diagram: the circuit's own (a ring's angles go onto a circle), layers
/// by longest path over arcs to higher-numbered neurons for layered motifs, else a circle.
fn layout(kind: MotifKind, circuit: &Circuit) -> Vec<(f64, f64)> {
    let n = circuit.neuron_count();
    let circle = |i: usize| {
        let angle = std::f64::consts::TAU * i as f64 / n as f64;
        (angle.cos(), angle.sin())
    };
    if let Some(positions) = circuit.positions() {
        if positions.iter().all(|p| p[1] == 0.0) {
            return positions.iter().map(|p| (p[0].cos(), p[0].sin())).collect();
        }
        // Grid coordinates such as [layer, row] can span very different ranges, so each
        // axis is stretched to the unit interval on its own.
        let stretch = |values: Vec<f64>| {
            let (low, high) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let span = if high > low { high - low } else { 1.0 };
            values
                .into_iter()
                .map(|v| (v - low) / span)
                .collect::<Vec<_>>()
        };
        let xs = stretch(positions.iter().map(|p| p[0]).collect());
        let ys = stretch(positions.iter().map(|p| p[1]).collect());
        return xs.into_iter().zip(ys).collect();
    }
    match kind {
        MotifKind::FeedforwardChain
        | MotifKind::FeedbackLoop
        | MotifKind::DimensionalityExpansion => {
            let graph = circuit.graph();
            let mut depth = vec![0_usize; n];
            for post in 0..n {
                for &pre in graph.in_neighbours(post) {
                    if pre < post {
                        depth[post] = depth[post].max(depth[pre] + 1);
                    }
                }
            }
            let mut row_in_layer = vec![0_usize; n];
            let mut layer_sizes = vec![0_usize; n];
            for i in 0..n {
                row_in_layer[i] = layer_sizes[depth[i]];
                layer_sizes[depth[i]] += 1;
            }
            // Layers spread over a unit square: x by depth, y evenly within each layer.
            let deepest = depth.iter().copied().max().unwrap_or(0).max(1) as f64;
            let tallest = layer_sizes.iter().copied().max().unwrap_or(1).max(2) as f64;
            (0..n)
                .map(|i| {
                    let size = layer_sizes[depth[i]] as f64;
                    let y = (row_in_layer[i] as f64 - (size - 1.0) / 2.0) / (tallest - 1.0);
                    (depth[i] as f64 / deepest, -y)
                })
                .collect()
        }
        _ => (0..n).map(circle).collect(),
    }
}

/// Up to [`MAX_TRACES`] evenly spaced channels of `recording` as traces.
fn shown_traces(recording: &Recording) -> Vec<Trace> {
    let step = recording.channels.div_ceil(MAX_TRACES).max(1);
    (0..recording.channels)
        .step_by(step)
        .filter_map(|c| {
            let values = recording.channel(c)?.to_vec();
            let label = recording
                .labels
                .get(c)
                .cloned()
                .unwrap_or_else(|| c.to_string());
            Some(Trace { label, values })
        })
        .collect()
}

/// Mean of `channels` of `recording` over samples in `[from_s, to_s)`; NaN without channels.
fn mean_over(recording: &Recording, channels: &[usize], from_s: f64, to_s: f64) -> f64 {
    let dt = recording.sampling_interval_s;
    let values = channels
        .iter()
        .filter_map(|&c| recording.channel(c))
        .flat_map(|samples| {
            samples
                .iter()
                .enumerate()
                .filter(move |(k, _)| (from_s..to_s).contains(&(*k as f64 * dt)))
                .map(|(_, &v)| v)
        });
    mean_of(values)
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0_usize), |(s, c), v| (s + v, c + 1));
    if count == 0 {
        f64::NAN
    } else {
        sum / count as f64
    }
}

/// Neurons whose traces the connectome figures show: sensory ASH, the command interneurons
/// of forward (AVB, PVC) and backward (AVA, AVD) locomotion, and the GABAergic RIS.
const CONNECTOME_NEURONS: [&str; 8] = [
    "ASHL", "ASHR", "AVAL", "AVAR", "AVBL", "AVDL", "PVCL", "RIS",
];

/// Drives the Varshney 2011 connectome with pulses into the ASH nociceptors and observes the
/// rates through Poisson counts and BOLD.
fn connectome_run(config: &Config, data_dir: &Path, out_dir: &Path) -> Result<serde_json::Value> {
    let path = DataDir::new(data_dir).varshney_2011();
    let connectome = read_varshney_2011(&path)?;
    let model = ConnectomeModel::new(&connectome, &ConnectomeConfig::default())?;
    let names = model.names().to_vec();
    let index = |name: &str| names.iter().position(|n| n == name);
    let shown: Vec<usize> = CONNECTOME_NEURONS
        .iter()
        .filter_map(|name| index(name))
        .collect();
    ensure!(
        shown.len() >= 4,
        "the Varshney connectome lacks the neurons the gallery shows"
    );
    let ash: Vec<usize> = ["ASHL", "ASHR"]
        .iter()
        .filter_map(|name| index(name))
        .collect();

    // Pulses of 5 s every 15 s into ASH.
    let n = names.len();
    let drive = config.drive;
    let input = Input::function(move |t, out: &mut [f64]| {
        out.fill(0.0);
        if t.rem_euclid(15.0) >= 5.0 && t.rem_euclid(15.0) < 10.0 {
            for &i in &ash {
                out[i] = drive;
            }
        }
    });
    let rate_config = RateConfig {
        duration_s: config.connectome_duration_s,
        noise_sigma: config.rate_noise_sigma,
        activation: ncm_motifs::dynamics::Activation::Relu,
        seed: config.seed,
        ..RateConfig::default()
    };
    let simulation = model
        .simulate(&rate_config, &input)
        .context("connectome simulation failed")?;
    let rates = simulation.rates.select_channels(&shown)?;
    write_traces_svg(
        &out_dir.join("connectome-rates.svg"),
        "C. elegans: rates",
        &shown_traces(&rates),
        rates.sampling_interval_s,
        TraceScale::PerTrace,
    )?;

    let counts = poisson_counts(
        &rates,
        &PoissonConfig {
            bin_s: Some(0.1),
            rate_scale_hz: 20.0,
            seed: config.seed,
        },
    )?;
    write_traces_svg(
        &out_dir.join("connectome-counts.svg"),
        "Poisson counts (0.1 s bins, 20 Hz per unit rate)",
        &shown_traces(&counts),
        0.1,
        TraceScale::PerTrace,
    )?;
    let signal = bold(
        &rates,
        &BoldConfig {
            seed: config.seed,
            ..BoldConfig::default()
        },
    )?;
    write_traces_svg(
        &out_dir.join("connectome-bold.svg"),
        "BOLD (balloon-Windkessel, TR 0.72 s)",
        &shown_traces(&signal),
        signal.sampling_interval_s,
        TraceScale::PerTrace,
    )?;

    // Calcium view of spiking: Poisson spikes drawn at the rates, then the calcium kernel.
    let spike_times = poisson_spike_times(&counts);
    let population = PopulationSpikes::new(
        spike_times,
        counts.labels.clone(),
        counts.duration_s() * 1000.0,
    )?;
    let calcium = fluorescence(
        &population,
        &CalciumConfig {
            seed: config.seed,
            ..CalciumConfig::default()
        },
    )?;
    write_traces_svg(
        &out_dir.join("connectome-calcium.svg"),
        "Calcium fluorescence of the Poisson spikes",
        &shown_traces(&calcium),
        calcium.sampling_interval_s,
        TraceScale::PerTrace,
    )?;

    let peak = |name: &str| {
        let channel = CONNECTOME_NEURONS
            .iter()
            .filter(|n| index(n).is_some())
            .position(|n| *n == name)?;
        rates
            .channel(channel)
            .map(|v| v.iter().copied().fold(0.0, f64::max))
    };
    Ok(json!({
        "neurons": n,
        "chemical_scale": model.chemical_scale(),
        "gap_scale": model.gap_scale(),
        "shown": rates.labels,
        "peak_rate_ASHL": peak("ASHL"),
        "peak_rate_AVAL": peak("AVAL"),
        "peak_rate_AVBL": peak("AVBL"),
    }))
}

/// Spreads each bin's count evenly over the bin, giving spike times in milliseconds.
fn poisson_spike_times(counts: &Recording) -> Vec<Vec<f64>> {
    let bin_ms = counts.sampling_interval_s * 1000.0;
    (0..counts.channels)
        .map(|c| {
            let mut times = Vec::new();
            for (bin, &count) in counts.channel(c).unwrap_or(&[]).iter().enumerate() {
                let k = count.round() as usize;
                for j in 0..k {
                    times.push((bin as f64 + (j as f64 + 0.5) / k as f64) * bin_ms);
                }
            }
            times
        })
        .collect()
}

fn render_html(
    summaries: &[MotifSummary],
    figures: &str,
    connectome: &serde_json::Value,
) -> String {
    let header: Vec<String> = [
        "motif",
        "neurons",
        "E",
        "I",
        "arcs",
        "mutual pairs",
        "driven φ(x)",
        "other φ(x)",
        "driven LIF rate (Hz)",
        "other LIF rate (Hz)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                escape(&s.motif),
                s.neurons.to_string(),
                s.excitatory.to_string(),
                s.inhibitory.to_string(),
                s.arcs.to_string(),
                s.mutual_pairs.to_string(),
                cell(Some(s.driven_activation), 3),
                cell(Some(s.other_activation), 3),
                cell(Some(s.driven_rate_hz), 1),
                cell(Some(s.other_rate_hz), 1),
            ]
        })
        .collect();
    format!(
        "<p>One example circuit of each motif from the ncm-motifs generators (red: excitatory, \
         arrowheads; blue: inhibitory, bars). The rate network τ dx/dt = -x + W φ(x) + I + noise \
         (τ = 0.1 s, φ = tanh, Euler-Maruyama with dt = 1 ms) receives its drive during the \
         middle half of the run. The leaky integrate-and-fire network receives a constant \
         current, larger for the driven neurons. \"Driven φ(x)\" is the mean activation of the \
         driven neurons while the drive is on.</p>\n{}\n{figures}\
         <h3>Connectome-driven simulation</h3>\
         <p>Rate dynamics (φ = ReLU) on the Varshney et al. 2011 connectome ({} neurons), \
         chemical synapses signed by the GABAergic rule and gap junctions as diffusive \
         coupling, with 5 s pulses into the ASH nociceptors every 15 s. The same rates are \
         observed as Poisson counts, as BOLD through the balloon-Windkessel model, and as \
         calcium fluorescence of Poisson spikes. Each connectome trace is scaled to its own \
         range; the motif traces above share one range per figure.</p>\
         <figure class=\"gallery\"><img src=\"motif-gallery/connectome-rates.svg\" alt=\"connectome rates\">\
         <img src=\"motif-gallery/connectome-counts.svg\" alt=\"Poisson counts\">\
         <img src=\"motif-gallery/connectome-bold.svg\" alt=\"BOLD signal\">\
         <img src=\"motif-gallery/connectome-calcium.svg\" alt=\"calcium fluorescence\"></figure>\n",
        table(&header, &rows),
        connectome["neurons"],
    )
}

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

fn slug(kind: MotifKind) -> String {
    kind_name(kind).replace(' ', "-")
}
