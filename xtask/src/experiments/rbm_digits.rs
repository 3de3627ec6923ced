//! A Bernoulli restricted Boltzmann machine on the scikit-learn handwritten digits (1797
//! images of 8 x 8 pixels, values 0 to 16 scaled to [0, 1]). The settings follow
//! scikit-learn's example "Restricted Boltzmann Machine features for digit classification":
//! 100 hidden units, learning rate 0.06, batch 10 and 20 epochs of persistent CD-1
//! (Tieleman 2008, ICML), with no momentum or weight decay. The example's data augmentation
//! by one-pixel shifts is left out, so the RBM trains on the 1438 images of a fixed 80/20
//! split.
//!
//! Reported per epoch: the mean pseudo-log-likelihood of the training images, both the exact
//! sum over all 64 pixels and the one-random-pixel estimate that scikit-learn's
//! `BernoulliRBM.score_samples` returns. scikit-learn's own BernoulliRBM, trained on the same
//! images with the same settings, is reported beside it. After training, the experiment
//! estimates log Z by annealed importance sampling (Salakhutdinov and Murray 2008, ICML) and
//! the mean log-likelihood of the training and test images. It does so for ncm's model and
//! for scikit-learn's final parameters. Last comes the test accuracy of multinomial logistic
//! regression on the hidden probabilities against raw pixels.
//!
//! The ncm accuracies come from the logistic regression in `logistic`. It is written here
//! because the workspace has no classifier, and a dependency such as linfa would add a large
//! build for one small convex fit. scikit-learn's LogisticRegression with the same C runs
//! only as the peer. The whole experiment takes under a minute on 2 cores at the default
//! scale, most of it in scikit-learn's per-batch `partial_fit` calls and in Python's
//! start-up.

mod logistic;
mod sklearn;

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use clap::Args;
use ncm_data::DataDir;
use ncm_ebm::rbm::{
    AisConfig, AisEstimate, Engine, Rbm, RbmConfig, RbmTrainer, TrainConfig, VisibleUnits,
};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::{info, warn};

use self::logistic::LogisticRegression;
use self::sklearn::{PeerInput, SklearnRun};
use crate::backend::Backend;
use crate::figures::{LineSeries, write_line_svg};
use crate::report::{Section, cell, escape, table};

/// Largest pixel value of the digits.
const PIXEL_MAX: f32 = 16.0;
const N_CLASSES: usize = 10;

/// Digit images with pixels scaled to [0, 1].
pub struct DigitsImages {
    /// Row-major images x pixels.
    pub pixels: Vec<f32>,
    pub labels: Vec<u8>,
    pub n_pixels: usize,
}

impl DigitsImages {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
}

/// Reads the scikit-learn digits from the data folder and scales the pixels to [0, 1].
pub fn load_digits(data_dir: &Path) -> Result<DigitsImages> {
    let path = DataDir::new(data_dir).digits();
    let digits = ncm_data::read_digits(&path)
        .with_context(|| format!("cannot read the digits {}", path.display()))?;
    let pixels = digits
        .images
        .iter()
        .map(|&p| f32::from(p) / PIXEL_MAX)
        .collect();
    Ok(DigitsImages {
        pixels,
        labels: digits.labels,
        n_pixels: digits.n_pixels,
    })
}

/// Training engine of the ncm RBM.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// Plain Rust loops, the fast path at batch 10 on a CPU.
    #[default]
    Host,
    /// Burn tensors on the `--backend` device.
    Tensor,
}

/// Settings of the RBM digits experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Hidden units. Default 100.
    pub n_hidden: usize,
    /// Learning rate. Default 0.06.
    pub learning_rate: f64,
    /// Images per mini-batch. Default 10.
    pub batch_size: usize,
    /// Epochs. Default 20.
    pub epochs: usize,
    /// Persistent CD (as scikit-learn) rather than CD-1. Default true.
    pub persistent: bool,
    /// Training engine. Default host.
    pub engine: EngineChoice,
    /// Fraction of images held out for testing, in (0, 1). Default 0.2.
    pub test_fraction: f64,
    /// Inverse regularisation strength C of the logistic regressions (scikit-learn's
    /// convention). Default 1.0.
    pub logistic_c: f64,
    /// Gradient steps of ncm's logistic regression. Default 1000.
    pub logistic_iterations: usize,
    /// AIS chains. Default 100.
    pub ais_chains: usize,
    /// AIS inverse temperatures. Default 3000.
    pub ais_temperatures: usize,
    /// Run scikit-learn's BernoulliRBM as the peer. Default true.
    pub sklearn_peer: bool,
    /// Seed of the split, the weights, the training and the estimates. Default 0.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            n_hidden: 100,
            learning_rate: 0.06,
            batch_size: 10,
            epochs: 20,
            persistent: true,
            engine: EngineChoice::Host,
            test_fraction: 0.2,
            logistic_c: 1.0,
            logistic_iterations: 1000,
            ais_chains: 100,
            ais_temperatures: 3000,
            sklearn_peer: true,
            seed: 0,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment rbm-digits`.
#[derive(Args)]
pub struct Cli {
    /// Epochs of training.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// Hidden units.
    #[arg(long, default_value_t = 100)]
    n_hidden: usize,
    /// Train with plain CD-1 instead of persistent CD-1.
    #[arg(long)]
    cd: bool,
    /// Training engine: host loops or Burn tensors on the --backend device.
    #[arg(long, value_enum, default_value_t = EngineChoice::Host)]
    engine: EngineChoice,
    /// Skip the scikit-learn peer (it needs python3 with venv and pip, and PyPI access once).
    #[arg(long)]
    no_sklearn: bool,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Config {
        Config {
            epochs: self.epochs,
            n_hidden: self.n_hidden,
            persistent: !self.cd,
            engine: self.engine,
            sklearn_peer: !self.no_sklearn,
            seed: self.seed,
            ..Config::default()
        }
    }
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    if !(config.test_fraction > 0.0 && config.test_fraction < 1.0) {
        bail!(
            "invalid test_fraction {}; use a value in (0, 1), for example 0.2",
            config.test_fraction
        );
    }
    if !(config.logistic_c.is_finite() && config.logistic_c > 0.0) {
        bail!(
            "invalid logistic_c {}; use a finite value > 0, for example 1.0",
            config.logistic_c
        );
    }
    if config.logistic_iterations == 0 {
        bail!("logistic_iterations is 0; use at least 1, for example 1000");
    }
    train_config(config).validate()?;
    RbmConfig {
        n_visible: 64,
        n_hidden: config.n_hidden,
        ..RbmConfig::default()
    }
    .validate()?;
    ais_config(config).validate(64)?;
    Ok(())
}

fn train_config(config: &Config) -> TrainConfig {
    TrainConfig {
        learning_rate: config.learning_rate,
        epochs: config.epochs,
        batch_size: config.batch_size,
        gibbs_steps: 1,
        persistent: config.persistent,
        momentum: 0.0,
        weight_decay: 0.0,
        seed: config.seed,
    }
}

fn ais_config(config: &Config) -> AisConfig {
    AisConfig {
        chains: config.ais_chains,
        temperatures: config.ais_temperatures,
        base_visible_bias: None,
        seed: config.seed,
    }
}

/// The fixed train/test split.
struct Split {
    train: Vec<f32>,
    test: Vec<f32>,
    train_labels: Vec<u8>,
    test_labels: Vec<u8>,
}

fn split(digits: &DigitsImages, test_fraction: f64, seed: u64) -> Split {
    let mut order: Vec<usize> = (0..digits.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_test = (digits.len() as f64 * test_fraction).round() as usize;
    let gather = |indices: &[usize]| -> (Vec<f32>, Vec<u8>) {
        let pixels = indices
            .iter()
            .flat_map(|&i| {
                digits.pixels[i * digits.n_pixels..(i + 1) * digits.n_pixels]
                    .iter()
                    .copied()
            })
            .collect();
        (pixels, indices.iter().map(|&i| digits.labels[i]).collect())
    };
    let (test, test_labels) = gather(&order[..n_test]);
    let (train, train_labels) = gather(&order[n_test..]);
    Split {
        train,
        test,
        train_labels,
        test_labels,
    }
}

/// Pseudo-likelihoods of one epoch, nats per image.
#[derive(Serialize)]
struct EpochScores {
    epoch: usize,
    exact: f64,
    stochastic: f64,
}

/// log Z and the mean log-likelihoods of one model.
#[derive(Serialize)]
struct Likelihood {
    ais: AisEstimate,
    train_log_likelihood: f64,
    test_log_likelihood: f64,
}

/// ncm's results.
#[derive(Serialize)]
struct NcmResult {
    epochs: Vec<EpochScores>,
    /// Wall time of the training epochs alone, in seconds.
    training_s: f64,
    test_exact_pseudo_likelihood: f64,
    likelihood: Likelihood,
    /// Test accuracy of logistic regression on the hidden probabilities.
    rbm_accuracy: f64,
    /// Test accuracy of logistic regression on raw pixels.
    pixel_accuracy: f64,
}

/// scikit-learn's run with ncm's AIS on its final parameters, None where that failed.
type PeerResult = (SklearnRun, Option<Likelihood>);

/// Runs the experiment and writes `report/rbm-digits/`.
pub fn run(
    config: &Config,
    data_dir: &Path,
    report_dir: &Path,
    device: &Device,
    backend: Backend,
) -> Result<Section> {
    validate(config)?;
    let out_dir = super::create_output_dir(report_dir, "rbm-digits")?;
    let digits = load_digits(data_dir)?;
    let data = split(&digits, config.test_fraction, config.seed);

    let ncm = run_ncm(config, &data, digits.n_pixels, device)?;
    let peer = if config.sklearn_peer {
        Some(run_peer(config, &data, digits.n_pixels, device)?)
    } else {
        None
    };
    write_figure(&out_dir, &ncm.epochs, peer.as_ref().map(|(run, _)| run))?;

    let sklearn = peer
        .as_ref()
        .map(|(run, likelihood)| json!({ "run": run, "likelihood": likelihood }));
    let summary = json!({
        "config": config,
        "backend": backend,
        "n_train": data.train_labels.len(),
        "n_test": data.test_labels.len(),
        "ncm": ncm,
        "sklearn": sklearn,
    });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "rbm_digits".to_owned(),
        title: "Restricted Boltzmann machine on handwritten digits".to_owned(),
        html: render(config, backend, &data, &ncm, peer.as_ref()),
        summary,
    })
}

/// Trains ncm's RBM, scoring it after every epoch, then estimates its likelihood and
/// classifies with its features.
fn run_ncm(config: &Config, data: &Split, n_visible: usize, device: &Device) -> Result<NcmResult> {
    let initial = Rbm::new(&RbmConfig {
        n_visible,
        n_hidden: config.n_hidden,
        seed: config.seed,
        ..RbmConfig::default()
    })?;
    let engine = match config.engine {
        EngineChoice::Host => Engine::Host,
        EngineChoice::Tensor => Engine::Tensor(device.clone()),
    };
    let mut trainer = RbmTrainer::new(initial, &data.train, &train_config(config), &engine)?;
    let mut epochs = Vec::new();
    let mut training_s = 0.0;
    for epoch in 1..=config.epochs {
        let epoch_start = std::time::Instant::now();
        trainer.run_epoch()?;
        training_s += epoch_start.elapsed().as_secs_f64();

        let model = trainer.model();
        let exact = mean(&model.pseudo_log_likelihood(&data.train, device)?);
        let stochastic_seed = config.seed + epoch as u64;
        let stochastic =
            mean(&model.pseudo_log_likelihood_stochastic(&data.train, stochastic_seed, device)?);
        info!(
            epoch,
            exact, stochastic, "RBM pseudo-log-likelihood per image"
        );
        epochs.push(EpochScores {
            epoch,
            exact,
            stochastic,
        });
    }
    let model = trainer.into_model();
    info!(training_s, "ncm RBM trained");

    let likelihood = likelihood(&model, data, config, device)?;
    let train_features = model.hidden_probabilities(&data.train, device)?;
    let test_features = model.hidden_probabilities(&data.test, device)?;
    let rbm_accuracy = classify(
        &train_features,
        &test_features,
        config.n_hidden,
        data,
        config,
    )?;
    let pixel_accuracy = classify(&data.train, &data.test, n_visible, data, config)?;
    info!(
        rbm_accuracy,
        pixel_accuracy,
        log_z = likelihood.ais.log_partition,
        "ncm RBM evaluated"
    );
    Ok(NcmResult {
        epochs,
        training_s,
        test_exact_pseudo_likelihood: mean(&model.pseudo_log_likelihood(&data.test, device)?),
        likelihood,
        rbm_accuracy,
        pixel_accuracy,
    })
}

/// Estimates log Z by AIS from the base-rate model of the training images and the mean
/// log-likelihoods of both sets.
fn likelihood(model: &Rbm, data: &Split, config: &Config, device: &Device) -> Result<Likelihood> {
    let ais_config = AisConfig {
        base_visible_bias: Some(model.base_rate_bias(&data.train)?),
        ..ais_config(config)
    };
    let ais = model.log_partition_ais(&ais_config, device)?;
    Ok(Likelihood {
        train_log_likelihood: model.mean_log_likelihood(&data.train, ais.log_partition, device)?,
        test_log_likelihood: model.mean_log_likelihood(&data.test, ais.log_partition, device)?,
        ais,
    })
}

/// Fits ncm's logistic regression on training features and returns the test accuracy.
fn classify(
    train: &[f32],
    test: &[f32],
    n_features: usize,
    data: &Split,
    config: &Config,
) -> Result<f64> {
    let classifier = LogisticRegression::fit(
        train,
        &data.train_labels,
        n_features,
        N_CLASSES,
        config.logistic_c,
        config.logistic_iterations,
    )?;
    Ok(classifier.accuracy(test, &data.test_labels))
}

/// Runs scikit-learn and scores its final parameters with ncm's AIS. A failed AIS score is
/// logged and leaves the peer's likelihood empty.
///
/// # Errors
/// When scikit-learn cannot run, with a hint to turn the peer off, because a report without
/// its comparison column should not pass for a complete one.
fn run_peer(
    config: &Config,
    data: &Split,
    n_visible: usize,
    device: &Device,
) -> Result<PeerResult> {
    let input = PeerInput {
        train: &data.train,
        test: &data.test,
        train_labels: &data.train_labels,
        test_labels: &data.test_labels,
        n_visible,
        n_hidden: config.n_hidden,
        learning_rate: config.learning_rate,
        batch_size: config.batch_size,
        epochs: config.epochs,
        seed: config.seed,
        logistic_c: config.logistic_c,
    };
    let run = sklearn::run(&input, &crate::bench::target_dir()).context(
        "the scikit-learn peer failed; pass --no-sklearn (or set sklearn_peer = false in the \
         [rbm_digits] settings) to run ncm alone",
    )?;
    let model = Rbm::from_parameters(
        VisibleUnits::Bernoulli,
        n_visible,
        config.n_hidden,
        run.weights.clone(),
        run.visible_bias.clone(),
        run.hidden_bias.clone(),
    );
    let likelihood = match model
        .map_err(anyhow::Error::from)
        .and_then(|m| likelihood(&m, data, config, device))
    {
        Ok(likelihood) => Some(likelihood),
        Err(error) => {
            warn!(
                error = format!("{error:#}"),
                "could not score scikit-learn's parameters"
            );
            None
        }
    };
    Ok((run, likelihood))
}

fn mean(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64
}

fn write_figure(out_dir: &Path, epochs: &[EpochScores], peer: Option<&SklearnRun>) -> Result<()> {
    let line = |label: &str, values: Vec<f64>| LineSeries {
        label: label.to_owned(),
        points: values
            .into_iter()
            .enumerate()
            .map(|(i, v)| ((i + 1) as f64, v))
            .collect(),
    };
    let mut series = vec![
        line("ncm, exact", epochs.iter().map(|e| e.exact).collect()),
        line(
            "ncm, one random pixel",
            epochs.iter().map(|e| e.stochastic).collect(),
        ),
    ];
    if let Some(run) = peer {
        series.push(line(
            "scikit-learn, exact",
            run.exact_pseudo_likelihood.clone(),
        ));
        series.push(line(
            "scikit-learn score_samples",
            run.stochastic_pseudo_likelihood.clone(),
        ));
    }
    write_line_svg(
        &out_dir.join("pseudo_likelihood.svg"),
        "Pseudo-log-likelihood of the training digits per epoch",
        "epoch",
        "nats per image",
        &series,
        &[],
    )
}

fn render(
    config: &Config,
    backend: Backend,
    data: &Split,
    ncm: &NcmResult,
    peer: Option<&PeerResult>,
) -> String {
    let algorithm = if config.persistent {
        "Persistent CD-1"
    } else {
        "CD-1"
    };
    let mut html = format!(
        "<p>Bernoulli RBM with {} hidden units on the scikit-learn digits, pixels scaled to \
         [0, 1], {} training and {} test images (seed {}). {algorithm}, learning rate {}, batch {}, \
         {} epochs, no momentum or weight decay, {:?} engine ({:.2} s of training). \
         Pseudo-log-likelihoods are means over training images in nats. The exact one sums \
         log sigmoid(F(v<sup>(i)</sup>) − F(v)) over all 64 pixels, and the stochastic one is \
         64 times that term for one random pixel per image, as scikit-learn's \
         <code>score_samples</code> computes it. The pixels are grey levels, so both are scores \
         rather than log-probabilities. Free energies, pseudo-likelihoods and AIS run on the \
         <code>{backend:?}</code> backend.</p>\n",
        config.n_hidden,
        data.train_labels.len(),
        data.test_labels.len(),
        config.seed,
        config.learning_rate,
        config.batch_size,
        config.epochs,
        config.engine,
        ncm.training_s,
    );
    html.push_str(&epoch_table(&ncm.epochs, peer));
    html.push_str(
        "<img src=\"rbm-digits/pseudo_likelihood.svg\" alt=\"pseudo-likelihood per epoch\">\n",
    );
    html.push_str(&summary_table(ncm, peer));
    html.push_str(&format!(
        "<p>log Z comes from annealed importance sampling from the base-rate model of the \
         training images, with {} chains and {} evenly spaced inverse temperatures; ± is the \
         delta-method standard error sd(w)/(√M mean(w)). Log-likelihoods treat the grey levels \
         as Bernoulli probabilities, -F(v) − log Z, so they compare the two models but are not \
         probabilities of binary images. Accuracy is that of multinomial logistic regression \
         (C = {}) on the test images: ncm's own fit for the ncm column, scikit-learn's \
         LogisticRegression for the peer column.</p>\n",
        config.ais_chains, config.ais_temperatures, config.logistic_c
    ));
    html
}

/// Lists the pseudo-log-likelihoods of every epoch for both implementations.
fn epoch_table(epochs: &[EpochScores], peer: Option<&PeerResult>) -> String {
    let header: Vec<String> = [
        "epoch",
        "ncm exact",
        "ncm stochastic",
        "scikit-learn exact",
        "scikit-learn score_samples",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = epochs
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let peer_value = |pick: fn(&SklearnRun) -> &Vec<f64>| {
                peer.and_then(|(run, _)| pick(run).get(i).copied())
            };
            vec![
                e.epoch.to_string(),
                cell(Some(e.exact), 2),
                cell(Some(e.stochastic), 2),
                cell(peer_value(|run| &run.exact_pseudo_likelihood), 2),
                cell(peer_value(|run| &run.stochastic_pseudo_likelihood), 2),
            ]
        })
        .collect();
    table(&header, &rows)
}

fn summary_table(ncm: &NcmResult, peer: Option<&PeerResult>) -> String {
    let likelihood = &ncm.likelihood;
    let peer_likelihood = peer.and_then(|(_, l)| l.as_ref());
    let log_z =
        |l: &Likelihood| format!("{:.2} ± {:.2}", l.ais.log_partition, l.ais.standard_error);
    let rows = vec![
        vec![
            "log Z (AIS)".to_owned(),
            log_z(likelihood),
            peer_likelihood.map_or("–".to_owned(), log_z),
        ],
        vec![
            "AIS effective sample size".to_owned(),
            cell(Some(likelihood.ais.effective_sample_size), 1),
            cell(peer_likelihood.map(|l| l.ais.effective_sample_size), 1),
        ],
        vec![
            "train log-likelihood, nats per image".to_owned(),
            cell(Some(likelihood.train_log_likelihood), 2),
            cell(peer_likelihood.map(|l| l.train_log_likelihood), 2),
        ],
        vec![
            "test log-likelihood, nats per image".to_owned(),
            cell(Some(likelihood.test_log_likelihood), 2),
            cell(peer_likelihood.map(|l| l.test_log_likelihood), 2),
        ],
        vec![
            "test exact pseudo-log-likelihood".to_owned(),
            cell(Some(ncm.test_exact_pseudo_likelihood), 2),
            cell(peer.map(|(run, _)| run.test_exact_pseudo_likelihood), 2),
        ],
        vec![
            "accuracy, logistic regression on hidden probabilities".to_owned(),
            cell(Some(ncm.rbm_accuracy), 3),
            cell(peer.map(|(run, _)| run.rbm_accuracy), 3),
        ],
        vec![
            "accuracy, logistic regression on raw pixels".to_owned(),
            cell(Some(ncm.pixel_accuracy), 3),
            cell(peer.map(|(run, _)| run.pixel_accuracy), 3),
        ],
    ];
    let header = ["quantity", "ncm", "scikit-learn"]
        .map(|s| escape(s))
        .to_vec();
    table(&header, &rows)
}
