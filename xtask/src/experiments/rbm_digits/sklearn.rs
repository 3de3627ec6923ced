//! The scikit-learn peer of the RBM digits experiment: BernoulliRBM trained on the same
//! training images with the same settings, its pseudo-likelihood after every epoch, and a
//! LogisticRegression on its hidden features and on raw pixels.
//!
//! `BernoulliRBM.fit` reports nothing per epoch except with `verbose`, and then only the
//! stochastic pseudo-likelihood. The script therefore repeats what `fit` does through the
//! public `partial_fit`, one batch per call: the same initialisation, the same even batch
//! slices in the same order and one update per batch. After each epoch it scores a copy of
//! the model, so that scoring does not advance the training's random state.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tracing::info;

use crate::bench::python::{SKLEARN_VERSION, ensure_sklearn_venv, run_script};

const SCRIPT: &str = r#""""BernoulliRBM on the digits, epoch by epoch; written and run by `cargo xtask experiment rbm-digits`."""

import copy
import json
import math
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import BernoulliRBM
from sklearn.utils import gen_even_slices


def exact_pseudo_likelihood(rbm, data):
    """Mean over rows of sum_i log sigmoid(F(v with unit i flipped) - F(v))."""
    weights = rbm.components_.T
    visible_bias = rbm.intercept_visible_
    hidden_input = data @ weights + rbm.intercept_hidden_
    softplus = np.logaddexp(0, hidden_input)
    total = np.zeros(len(data))
    for i in range(data.shape[1]):
        flip = 1.0 - 2.0 * data[:, i]
        flipped = hidden_input + flip[:, None] * weights[i][None, :]
        change = -visible_bias[i] * flip - (np.logaddexp(0, flipped) - softplus).sum(axis=1)
        total -= np.logaddexp(0, -change)
    return float(total.mean())


def accuracy(train_x, train_y, test_x, test_y, c):
    classifier = LogisticRegression(C=c, max_iter=10000)
    classifier.fit(train_x, train_y)
    return float(classifier.score(test_x, test_y))


def main():
    with open(sys.argv[1]) as file:
        s = json.load(file)
    n_visible = s["n_visible"]
    train = np.fromfile(s["train_path"], dtype=np.float32).reshape(-1, n_visible).astype(np.float64)
    test = np.fromfile(s["test_path"], dtype=np.float32).reshape(-1, n_visible).astype(np.float64)
    train_labels = np.fromfile(s["train_labels_path"], dtype=np.uint8)
    test_labels = np.fromfile(s["test_labels_path"], dtype=np.uint8)

    rbm = BernoulliRBM(n_components=s["n_hidden"], learning_rate=s["learning_rate"],
                       batch_size=s["batch_size"], n_iter=s["epochs"], random_state=s["seed"])
    n_batches = int(math.ceil(len(train) / s["batch_size"]))
    slices = list(gen_even_slices(n_batches * s["batch_size"], n_batches, n_samples=len(train)))
    exact, stochastic = [], []
    for _ in range(s["epochs"]):
        for batch in slices:
            rbm.partial_fit(train[batch])
        exact.append(exact_pseudo_likelihood(rbm, train))
        stochastic.append(float(copy.deepcopy(rbm).score_samples(train).mean()))

    c = s["logistic_c"]
    print(json.dumps({
        "sklearn_version": sklearn.__version__,
        "exact_pseudo_likelihood": exact,
        "stochastic_pseudo_likelihood": stochastic,
        "test_exact_pseudo_likelihood": exact_pseudo_likelihood(rbm, test),
        "rbm_accuracy": accuracy(rbm.transform(train), train_labels, rbm.transform(test), test_labels, c),
        "pixel_accuracy": accuracy(train, train_labels, test, test_labels, c),
        "weights": rbm.components_.T.ravel().tolist(),
        "visible_bias": rbm.intercept_visible_.tolist(),
        "hidden_bias": rbm.intercept_hidden_.tolist(),
    }))


if __name__ == "__main__":
    main()
"#;

/// Settings passed to the script.
#[derive(Serialize)]
struct Settings<'a> {
    train_path: &'a Path,
    test_path: &'a Path,
    train_labels_path: &'a Path,
    test_labels_path: &'a Path,
    n_visible: usize,
    n_hidden: usize,
    learning_rate: f64,
    batch_size: usize,
    epochs: usize,
    seed: u64,
    logistic_c: f64,
}

/// Report of the script.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SklearnRun {
    pub sklearn_version: String,
    /// Mean exact pseudo-log-likelihood of the training images after each epoch.
    pub exact_pseudo_likelihood: Vec<f64>,
    /// Mean of `score_samples` (one random unit per image) after each epoch.
    pub stochastic_pseudo_likelihood: Vec<f64>,
    pub test_exact_pseudo_likelihood: f64,
    /// Test accuracy of LogisticRegression on the RBM's hidden probabilities.
    pub rbm_accuracy: f64,
    /// Test accuracy of LogisticRegression on raw pixels.
    pub pixel_accuracy: f64,
    /// Final weights, V x H row-major.
    #[serde(skip_serializing)]
    pub weights: Vec<f32>,
    #[serde(skip_serializing)]
    pub visible_bias: Vec<f32>,
    #[serde(skip_serializing)]
    pub hidden_bias: Vec<f32>,
}

/// The split data and settings of one peer run.
pub struct PeerInput<'a> {
    pub train: &'a [f32],
    pub test: &'a [f32],
    pub train_labels: &'a [u8],
    pub test_labels: &'a [u8],
    pub n_visible: usize,
    pub n_hidden: usize,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    pub seed: u64,
    pub logistic_c: f64,
}

/// Runs the script in the benchmark virtual environment under `target_dir`, installing
/// scikit-learn there first when needed.
pub fn run(input: &PeerInput, target_dir: &Path) -> Result<SklearnRun> {
    let python = ensure_sklearn_venv(&target_dir.join("bench-venv"))?;
    let work_dir = target_dir.join("experiments").join("rbm-digits");
    fs::create_dir_all(&work_dir)
        .with_context(|| format!("cannot create {}", work_dir.display()))?;
    let path = |name: &str| work_dir.join(name);
    write_f32(&path("train.f32"), input.train)?;
    write_f32(&path("test.f32"), input.test)?;
    fs::write(path("train_labels.u8"), input.train_labels)?;
    fs::write(path("test_labels.u8"), input.test_labels)?;
    let settings = Settings {
        train_path: &path("train.f32"),
        test_path: &path("test.f32"),
        train_labels_path: &path("train_labels.u8"),
        test_labels_path: &path("test_labels.u8"),
        n_visible: input.n_visible,
        n_hidden: input.n_hidden,
        learning_rate: input.learning_rate,
        batch_size: input.batch_size,
        epochs: input.epochs,
        seed: input.seed,
        logistic_c: input.logistic_c,
    };
    fs::write(path("settings.json"), serde_json::to_vec_pretty(&settings)?)?;
    fs::write(path("rbm_digits_sklearn.py"), SCRIPT)?;

    info!(
        sklearn = SKLEARN_VERSION,
        epochs = input.epochs,
        "training scikit-learn's BernoulliRBM"
    );
    let stdout = run_script(
        &python,
        &path("rbm_digits_sklearn.py"),
        &[&path("settings.json")],
        &[],
    )?;
    serde_json::from_str(stdout.trim()).context("invalid report from the scikit-learn script")
}

fn write_f32(path: &Path, values: &[f32]) -> Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
