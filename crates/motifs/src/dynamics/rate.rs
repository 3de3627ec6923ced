//! Firing-rate network driven by a circuit's weights, integrated with Euler-Maruyama.
//!
//! Each neuron's state `x_i` follows the rate equation of Sompolinsky, Crisanti and Sommers
//! (1988, Phys. Rev. Lett. 61:259-262) and Dayan and Abbott (2001, Theoretical Neuroscience,
//! MIT Press, chapter 7), with optional gap junctions as diffusive coupling and additive
//! white noise:
//!
//! ```text
//! dx_i = [-x_i + sum_j W_ij phi(x_j) + sum_j g_ij (x_j - x_i) + I_i(t)] dt / tau + sigma dB_i
//! ```
//!
//! `W_ij` is the circuit weight from `j` onto `i`, `g` a symmetric non-negative conductance
//! matrix in units of the leak, and `B_i` independent Wiener processes. With this convention an
//! uncoupled unit is an Ornstein-Uhlenbeck process with stationary variance `sigma^2 tau / 2`.
//! One Euler-Maruyama step of length `dt` is
//! `x <- x + (dt / tau) [ ... ] + sigma sqrt(dt) xi`, `xi ~ N(0, 1)` per neuron.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use ncm_data::Recording;

use super::error::{SimulationError, non_negative, positive};
use super::input::Input;
use super::sparse::{Csr, step_count, steps_per_sample, stream_rng};
use crate::circuit::Circuit;
use crate::graph::DiGraph;

/// Activation function `phi` applied to the presynaptic state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Activation {
    /// `phi(x) = x`.
    Linear,
    /// `phi(x) = tanh(x)`.
    #[default]
    Tanh,
    /// `phi(x) = max(x, 0)`.
    Relu,
    /// `phi(x) = 1 / (1 + exp(-x))`.
    Sigmoid,
}

impl Activation {
    /// Evaluates `phi(x)`.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Activation::Linear => x,
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.max(0.0),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        }
    }

    /// Largest slope of `phi` (its Lipschitz constant): 1, except 1/4 for the sigmoid.
    pub fn max_slope(self) -> f64 {
        match self {
            Activation::Sigmoid => 0.25,
            _ => 1.0,
        }
    }
}

/// Settings of a rate-network run. Times are in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateConfig {
    /// Time constant `tau` of every neuron (default 0.1 s).
    pub tau_s: f64,
    /// Euler-Maruyama step (default 0.001 s). Must not exceed
    /// `tau_s / (1 + largest total gap conductance of a neuron)`.
    pub dt_s: f64,
    /// Simulated time (default 10 s); the run takes `ceil(duration_s / dt_s)` steps.
    pub duration_s: f64,
    /// Interval between recorded samples, a whole number of steps (default 0.01 s).
    pub sampling_interval_s: f64,
    /// Activation function (default tanh).
    pub activation: Activation,
    /// Noise amplitude `sigma` in state units per square-root second (default 0).
    pub noise_sigma: f64,
    /// Initial state, one value per neuron (default all zeros).
    pub initial_state: Option<Vec<f64>>,
    /// Largest state magnitude allowed. The run stops with [`SimulationError::Diverged`] once
    /// a state exceeds it or becomes NaN (default 1e6).
    pub divergence_threshold: f64,
    /// Seed of the noise (default 0).
    pub seed: u64,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            tau_s: 0.1,
            dt_s: 0.001,
            duration_s: 10.0,
            sampling_interval_s: 0.01,
            activation: Activation::Tanh,
            noise_sigma: 0.0,
            initial_state: None,
            divergence_threshold: 1e6,
            seed: 0,
        }
    }
}

/// A rate-network run: recorded states and activations with the ground-truth graph.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSimulation {
    /// States `x` (neurons x samples), sample `k` at time `k * sampling_interval_s`, so the
    /// first sample is the initial state.
    pub states: Recording,
    /// Activations `phi(x)` at the same times.
    pub rates: Recording,
    /// Ground-truth directed graph of the chemical weights, `pre -> post`.
    pub graph: DiGraph,
}

/// A circuit prepared for rate simulation: sparse weights, optional gap junctions and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct RateNetwork {
    weights: Csr,
    gap: Option<Csr>,
    labels: Vec<String>,
    graph: DiGraph,
}

impl RateNetwork {
    /// Prepares `circuit` with labels `neuron 0`, `neuron 1`, ... and no gap junctions.
    pub fn from_circuit(circuit: &Circuit) -> Self {
        let n = circuit.neuron_count();
        let weights = circuit.weights();
        RateNetwork {
            weights: Csr::from_fn(n, |post, pre| weights[post * n + pre]),
            gap: None,
            labels: (0..n).map(|i| format!("neuron {i}")).collect(),
            graph: circuit.graph().clone(),
        }
    }

    /// Number of neurons.
    pub fn neuron_count(&self) -> usize {
        self.labels.len()
    }

    /// Channel labels of the recordings.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Replaces the labels.
    ///
    /// # Errors
    /// [`SimulationError::NeuronCount`] unless there is one label per neuron.
    pub fn with_labels(mut self, labels: Vec<String>) -> Result<Self, SimulationError> {
        if labels.len() != self.neuron_count() {
            return Err(SimulationError::NeuronCount {
                what: "labels",
                expected: self.neuron_count(),
                found: labels.len(),
            });
        }
        self.labels = labels;
        Ok(self)
    }

    /// Adds gap junctions from a dense symmetric `n x n` conductance matrix (row-major, in
    /// units of the leak conductance): neuron `i` receives `sum_j g_ij (x_j - x_i)`.
    ///
    /// # Errors
    /// [`SimulationError::MatrixShape`] unless it has `n * n` entries,
    /// [`SimulationError::InvalidConductance`] for a negative or non-finite entry or a
    /// non-zero diagonal, and [`SimulationError::AsymmetricConductance`] unless
    /// `g_ij == g_ji`.
    pub fn with_gap_junctions(mut self, conductance: &[f64]) -> Result<Self, SimulationError> {
        let n = self.neuron_count();
        if conductance.len() != n * n {
            return Err(SimulationError::MatrixShape {
                what: "gap conductances",
                expected: n * n,
                found: conductance.len(),
            });
        }
        for i in 0..n {
            for j in 0..n {
                let value = conductance[i * n + j];
                if !(value.is_finite() && value >= 0.0) || (i == j && value != 0.0) {
                    return Err(SimulationError::InvalidConductance { i, j, value });
                }
                let backward = conductance[j * n + i];
                if value != backward {
                    return Err(SimulationError::AsymmetricConductance {
                        i,
                        j,
                        forward: value,
                        backward,
                    });
                }
            }
        }
        self.gap = Some(Csr::from_fn(n, |i, j| conductance[i * n + j]));
        Ok(self)
    }

    /// Largest total gap conductance of one neuron, `max_i sum_j g_ij` (0 without gap
    /// junctions).
    pub fn max_gap_conductance(&self) -> f64 {
        self.gap
            .as_ref()
            .map_or(0.0, |gap| gap.row_sums().into_iter().fold(0.0, f64::max))
    }

    /// Returns the maximum-norm contraction bound `max_slope(phi) * max_i sum_j |W_ij|`.
    ///
    /// Below 1 the network is contracting in the maximum norm for any gap junctions, because
    /// the matrix measure of its Jacobian is at most `(bound - 1) / tau`. Under constant
    /// input it then has one globally stable fixed point, and the Euler map with an allowed
    /// step is a contraction too. Above 1 the network may or may not diverge.
    pub fn contraction_bound(&self, activation: Activation) -> f64 {
        let max_input = (0..self.neuron_count())
            .map(|i| self.weights.row(i).1.iter().map(|w| w.abs()).sum::<f64>())
            .fold(0.0, f64::max);
        activation.max_slope() * max_input
    }

    /// Integrates the network under `input` with `config`.
    ///
    /// # Returns
    /// States and activations, each neurons x `floor(steps / steps_per_sample) + 1` samples,
    /// labelled with [`RateNetwork::labels`], and the ground-truth graph.
    ///
    /// # Errors
    /// [`SimulationError::InvalidParameter`], [`SimulationError::NotStepMultiple`] or
    /// [`SimulationError::StepTooLarge`] for bad settings; [`SimulationError::NeuronCount`],
    /// [`SimulationError::NonFiniteInitialState`], [`SimulationError::InputTooShort`] or
    /// [`SimulationError::NonFiniteInput`] for bad initial states or inputs; and
    /// [`SimulationError::Diverged`] if the state runs past the divergence threshold.
    pub fn simulate(
        &self,
        config: &RateConfig,
        input: &Input,
    ) -> Result<RateSimulation, SimulationError> {
        let plan = RatePlan::new(config, self)?;
        input.check(self.neuron_count(), (plan.steps - 1) as f64 * config.dt_s)?;
        tracing::debug!(
            neurons = self.neuron_count(),
            steps = plan.steps,
            "rate simulation started"
        );
        let (states, rates) = self.integrate(config, &plan, input)?;

        let interval = plan.steps_per_sample as f64 * config.dt_s;
        let recording = |data| {
            Recording::new(data, self.neuron_count(), plan.samples, interval)?
                .with_labels(self.labels.clone())
        };
        Ok(RateSimulation {
            states: recording(states)?,
            rates: recording(rates)?,
            graph: self.graph.clone(),
        })
    }

    /// Total input `I_i + sum_j W_ij phi(x_j) + sum_j g_ij (x_j - x_i)` of neuron `i`.
    fn input_to(&self, i: usize, x: &[f64], activation: &[f64], external: f64) -> f64 {
        let mut total = external + self.weights.row_dot(i, activation);
        if let Some(gap) = &self.gap {
            let (columns, values) = gap.row(i);
            let coupling: f64 = columns
                .iter()
                .zip(values)
                .map(|(&j, &g)| g * (x[j] - x[i]))
                .sum();
            total += coupling;
        }
        total
    }

    /// Runs the Euler-Maruyama loop and returns states and activations, channel-major.
    fn integrate(
        &self,
        config: &RateConfig,
        plan: &RatePlan,
        input: &Input,
    ) -> Result<(Vec<f64>, Vec<f64>), SimulationError> {
        let n = self.neuron_count();
        let phi = config.activation;
        let leak_step = config.dt_s / config.tau_s;
        let noise_step = config.noise_sigma * config.dt_s.sqrt();
        let mut noise: Vec<_> = (0..n as u64)
            .map(|neuron| stream_rng(config.seed, neuron))
            .collect();

        let mut x = config.initial_state.clone().unwrap_or_else(|| vec![0.0; n]);
        let mut activation = vec![0.0; n];
        let mut external = vec![0.0; n];
        let mut increment = vec![0.0; n];
        let mut states = vec![0.0; n * plan.samples];
        let mut rates = vec![0.0; n * plan.samples];
        record(&x, phi, 0, plan.samples, &mut states, &mut rates);
        if input.is_constant() {
            input.fill(0.0, &mut external)?;
        }

        let parallel = n + self.weights.entry_count() >= PARALLEL_MIN_WORK;
        for step in 0..plan.steps {
            let time_s = step as f64 * config.dt_s;
            if !input.is_constant() {
                input.fill(time_s, &mut external)?;
            }
            let apply_phi = |(a, &xi): (&mut f64, &f64)| *a = phi.apply(xi);
            if parallel {
                activation.par_iter_mut().zip(&x).for_each(apply_phi);
            } else {
                activation.iter_mut().zip(&x).for_each(apply_phi);
            }

            // Every increment reads the old state, so all are computed before any is added.
            let drift = |(i, inc): (usize, &mut f64)| {
                *inc = leak_step * (self.input_to(i, &x, &activation, external[i]) - x[i]);
            };
            if parallel {
                increment.par_iter_mut().enumerate().for_each(drift);
            } else {
                increment.iter_mut().enumerate().for_each(drift);
            }

            let advance = |((xi, inc), rng): ((&mut f64, &f64), &mut ChaCha8Rng)| {
                *xi += inc;
                if noise_step > 0.0 {
                    let normal: f64 = StandardNormal.sample(rng);
                    *xi += noise_step * normal;
                }
            };
            if parallel {
                let rngs = noise.par_iter_mut();
                x.par_iter_mut().zip(&increment).zip(rngs).for_each(advance);
            } else {
                x.iter_mut()
                    .zip(&increment)
                    .zip(&mut noise)
                    .for_each(advance);
            }
            check_divergence(&x, time_s + config.dt_s, config.divergence_threshold)?;
            if (step + 1) % plan.steps_per_sample == 0 {
                let sample = (step + 1) / plan.steps_per_sample;
                record(&x, phi, sample, plan.samples, &mut states, &mut rates);
            }
        }
        Ok((states, rates))
    }
}

/// Networks with at least this many neurons plus synapses compute each step on the rayon
/// pool. Each neuron's arithmetic and noise stream are the same either way, so results do not
/// depend on it.
/// NOTE: an estimate. A step then takes roughly a millisecond, against a few microseconds per
/// fork-join. On the shared 2-core development machine 5000 neurons with 500 000 synapses ran
/// equally fast on one and two threads; many-core machines were not measured.
const PARALLEL_MIN_WORK: usize = 250_000;

/// Validated step counts of one run.
struct RatePlan {
    steps: usize,
    steps_per_sample: usize,
    samples: usize,
}

impl RatePlan {
    fn new(config: &RateConfig, network: &RateNetwork) -> Result<Self, SimulationError> {
        let tau_s = positive("tau_s", config.tau_s)?;
        let dt_s = positive("dt_s", config.dt_s)?;
        let duration_s = positive("duration_s", config.duration_s)?;
        let interval_s = positive("sampling_interval_s", config.sampling_interval_s)?;
        non_negative("noise_sigma", config.noise_sigma)?;
        positive("divergence_threshold", config.divergence_threshold)?;

        let max_dt_s = tau_s / (1.0 + network.max_gap_conductance());
        if dt_s > max_dt_s {
            return Err(SimulationError::StepTooLarge { dt_s, max_dt_s });
        }
        let steps = step_count("duration_s", duration_s, dt_s)?;
        let steps_per_sample = steps_per_sample("sampling_interval_s", interval_s, dt_s)?;
        if let Some(state) = &config.initial_state {
            check_initial_state(state, network.neuron_count())?;
        }
        Ok(RatePlan {
            steps,
            steps_per_sample,
            samples: steps / steps_per_sample + 1,
        })
    }
}

fn check_initial_state(state: &[f64], neuron_count: usize) -> Result<(), SimulationError> {
    if state.len() != neuron_count {
        return Err(SimulationError::NeuronCount {
            what: "initial_state",
            expected: neuron_count,
            found: state.len(),
        });
    }
    match state.iter().position(|v| !v.is_finite()) {
        Some(neuron) => Err(SimulationError::NonFiniteInitialState {
            neuron,
            value: state[neuron],
        }),
        None => Ok(()),
    }
}

fn check_divergence(x: &[f64], time_s: f64, threshold: f64) -> Result<(), SimulationError> {
    // `!(|v| <= threshold)` is also true for NaN.
    match x.iter().position(|v| !(v.abs() <= threshold)) {
        Some(neuron) => Err(SimulationError::Diverged {
            neuron,
            time_s,
            value: x[neuron],
            threshold,
        }),
        None => Ok(()),
    }
}

fn record(
    x: &[f64],
    phi: Activation,
    sample: usize,
    samples: usize,
    states: &mut [f64],
    rates: &mut [f64],
) {
    for (i, &xi) in x.iter().enumerate() {
        states[i * samples + sample] = xi;
        rates[i * samples + sample] = phi.apply(xi);
    }
}
