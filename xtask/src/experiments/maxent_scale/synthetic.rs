//! Recovery of a planted 200-unit pairwise maximum-entropy model from Gibbs samples, as a
//! check of the fitting methods at a size where no exact fit exists.
//!
//! The planted model couples each unit to the two nearest units on either side of a ring
//! with +`PLANTED_COUPLING`, and each unit picks one random partner (so a unit has about two
//! random partners) with a coupling of random sign and the same magnitude. Fields are uniform
//! in [-0.2, 0.2]. Samples come from long Gibbs runs on the Burn device; pseudo-likelihood,
//! naive mean field, TAP and Boltzmann learning (from pseudo-likelihood) are compared with
//! the planted couplings.

use std::time::Instant;

use anyhow::Result;
use burn::tensor::Device;
use ncm_ebm::{BoltzmannConfig, GibbsConfig, IsingModel, MeanFieldMethod, PseudoLikelihoodConfig};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tracing::info;

use super::upper_triangle;
use crate::stats::pearson;

/// Magnitude of every planted coupling.
const PLANTED_COUPLING: f64 = 0.25;

/// Recovery of the planted couplings by one method.
#[derive(Serialize)]
pub(crate) struct Recovery {
    pub method: &'static str,
    pub seconds: f64,
    /// Largest |J - J_planted| over the pairs i < j.
    pub max_error: f64,
    /// Root-mean-square of J - J_planted over the pairs i < j.
    pub rms_error: f64,
    /// Pearson correlation of J with J_planted over the pairs i < j.
    pub pearson: Option<f64>,
}

/// Planted-model check: size, samples and each method's recovery.
#[derive(Serialize)]
pub(crate) struct SyntheticCheck {
    pub units: usize,
    pub samples: usize,
    pub sampling_seconds: f64,
    pub recoveries: Vec<Recovery>,
}

/// Builds the planted model, samples it and fits it by every method.
pub(crate) fn run(
    units: usize,
    l2_penalty: f64,
    seed: u64,
    device: &Device,
) -> Result<SyntheticCheck> {
    let planted = planted_model(units, seed)?;
    let gibbs = GibbsConfig {
        chains: 100,
        burn_in_sweeps: 500,
        samples_per_chain: 20,
        sweeps_between_samples: 10,
        seed,
    };
    let started = Instant::now();
    let samples = ncm_ebm::gibbs_sample(&planted, &gibbs, device)?;
    let sampling_seconds = started.elapsed().as_secs_f64();
    let truth = upper_triangle(&planted.coupling, units);
    let score = |method, seconds, model: &IsingModel| {
        recovery(
            method,
            seconds,
            &upper_triangle(&model.coupling, units),
            &truth,
        )
    };

    let started = Instant::now();
    let config = PseudoLikelihoodConfig {
        l2_penalty,
        ..PseudoLikelihoodConfig::default()
    };
    let pseudolikelihood = ncm_ebm::fit_pseudolikelihood(&samples, units, &config)?.model;
    let pseudolikelihood_seconds = started.elapsed().as_secs_f64();
    let mut recoveries = vec![score(
        "pseudo-likelihood",
        pseudolikelihood_seconds,
        &pseudolikelihood,
    )];
    for (method, kind) in [
        ("naive mean field", MeanFieldMethod::Naive),
        ("TAP", MeanFieldMethod::Tap),
    ] {
        let started = Instant::now();
        let model = ncm_ebm::fit_mean_field(&samples, units, kind)?;
        recoveries.push(score(method, started.elapsed().as_secs_f64(), &model));
    }
    let started = Instant::now();
    let boltzmann = BoltzmannConfig {
        chains: 500,
        iterations: 200,
        seed,
        ..BoltzmannConfig::default()
    };
    let refined =
        ncm_ebm::fit_boltzmann(&samples, units, &pseudolikelihood, &boltzmann, device)?.model;
    recoveries.push(score(
        "Boltzmann learning from pseudo-likelihood",
        started.elapsed().as_secs_f64(),
        &refined,
    ));

    info!(
        units,
        samples = samples.len() / units,
        sampling_seconds,
        "planted-model recovery"
    );
    Ok(SyntheticCheck {
        units,
        samples: samples.len() / units,
        sampling_seconds,
        recoveries,
    })
}

fn planted_model(units: usize, seed: u64) -> Result<IsingModel> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut coupling = vec![0.0; units * units];
    let mut set = |i: usize, j: usize, value: f64| {
        if i != j {
            coupling[i * units + j] = value;
            coupling[j * units + i] = value;
        }
    };
    for i in 0..units {
        set(i, (i + 1) % units, PLANTED_COUPLING);
        set(i, (i + 2) % units, PLANTED_COUPLING);
    }
    for i in 0..units {
        let partner = rng.random_range(0..units);
        let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
        set(i, partner, sign * PLANTED_COUPLING);
    }
    let field = (0..units).map(|_| rng.random_range(-0.2..0.2)).collect();
    Ok(IsingModel::new(field, coupling)?)
}

fn recovery(method: &'static str, seconds: f64, fitted: &[f64], truth: &[f64]) -> Recovery {
    let errors: Vec<f64> = fitted.iter().zip(truth).map(|(f, t)| f - t).collect();
    Recovery {
        method,
        seconds,
        max_error: errors.iter().fold(0.0f64, |acc, e| acc.max(e.abs())),
        rms_error: (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt(),
        pearson: pearson(fitted, truth),
    }
}
