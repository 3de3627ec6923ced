//! Leaky integrate-and-fire network with refractoriness, exponential current synapses and
//! synaptic delays.
//!
//! Each neuron follows the leaky integrate-and-fire model (Gerstner, Kistler, Naud and
//! Paninski 2014, Neuronal Dynamics, Cambridge University Press, chapter 1) with exponential
//! current synapses:
//!
//! ```text
//! tau_m dV_i/dt = -(V_i - V_rest) + R (I_ext,i(t) + I_syn,i(t))
//! tau_s dI_syn,i/dt = -I_syn,i,   I_syn,i += w W_ij  when a spike of j arrives
//! ```
//!
//! When `V_i` reaches `V_threshold` the neuron spikes, `V_i` is reset to `V_reset` and held
//! there for the refractory period. A spike of `j` reaches `i` after the synaptic delay.
//!
//! Units: time in ms, potentials in mV, currents in nA and resistance in MOhm, so `R I` is in
//! mV. A circuit weight `W_ij` times `weight_scale_na` is the jump of the synaptic current of
//! `i`, in nA, per spike of `j` (negative for inhibitory synapses).
//!
//! Between grid points the linear part is integrated exactly, holding the external input
//! constant over each step (Rotter and Diesmann 1999, Biol. Cybern. 81:381-402). Spikes are
//! registered at the first grid point at or after the threshold crossing, so a spike time is
//! late by less than one step `dt_ms`. Refractory periods and delays are rounded to whole
//! steps.
//!
//! NOTE: the spiking network has no gap junctions, so a [`super::ConnectomeModel`]'s gap
//! conductances reach only its rate network.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use ncm_data::{PopulationSpikes, Recording};

use super::error::{SimulationError, finite, non_negative, positive};
use super::input::Input;
use super::sparse::{Csr, step_count, steps_per_sample, stream_rng};
use crate::circuit::Circuit;
use crate::graph::DiGraph;

/// Settings of a leaky integrate-and-fire run. The defaults are illustrative values of the
/// order used for cortical point neurons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifConfig {
    /// Integration step (default 0.1 ms).
    pub dt_ms: f64,
    /// Simulated time (default 1000 ms); the run takes `ceil(duration_ms / dt_ms)` steps.
    pub duration_ms: f64,
    /// Membrane time constant `tau_m` (default 10 ms).
    pub tau_m_ms: f64,
    /// Membrane resistance `R` (default 10 MOhm).
    pub resistance_mohm: f64,
    /// Resting potential (default -65 mV).
    pub v_rest_mv: f64,
    /// Reset potential after a spike (default -65 mV).
    pub v_reset_mv: f64,
    /// Spike threshold, above the reset potential (default -50 mV).
    pub v_threshold_mv: f64,
    /// Absolute refractory period, rounded to whole steps (default 2 ms).
    pub refractory_ms: f64,
    /// Decay time constant `tau_s` of the synaptic current (default 5 ms).
    pub tau_syn_ms: f64,
    /// Delay of every synapse, rounded to whole steps, unless [`LifNetwork::with_delays_ms`]
    /// sets one per synapse (default 1.5 ms).
    pub delay_ms: f64,
    /// Current jump in nA per unit of circuit weight (default 1 nA).
    pub weight_scale_na: f64,
    /// Standard deviation of the membrane noise: an Ornstein-Uhlenbeck term with this
    /// stationary standard deviation and time constant `tau_m` (default 0 mV).
    pub noise_std_mv: f64,
    /// Whether each neuron starts at a uniform random potential in
    /// `[v_reset_mv, v_threshold_mv)` instead of `v_rest_mv` (default false).
    pub random_initial_potential: bool,
    /// Whether to return membrane potential traces (default false).
    pub record_potentials: bool,
    /// Interval between recorded potentials, a whole number of steps (default 1 ms).
    pub trace_interval_ms: f64,
    /// Seed of the noise and the initial potentials (default 0).
    pub seed: u64,
}

impl Default for LifConfig {
    fn default() -> Self {
        LifConfig {
            dt_ms: 0.1,
            duration_ms: 1000.0,
            tau_m_ms: 10.0,
            resistance_mohm: 10.0,
            v_rest_mv: -65.0,
            v_reset_mv: -65.0,
            v_threshold_mv: -50.0,
            refractory_ms: 2.0,
            tau_syn_ms: 5.0,
            delay_ms: 1.5,
            weight_scale_na: 1.0,
            noise_std_mv: 0.0,
            random_initial_potential: false,
            record_potentials: false,
            trace_interval_ms: 1.0,
            seed: 0,
        }
    }
}

/// A spiking run: spike trains, optional membrane traces and the ground-truth graph.
#[derive(Debug, Clone, PartialEq)]
pub struct LifSimulation {
    /// Spike times in ms over `[0, steps * dt_ms)`, one train per neuron.
    pub spikes: PopulationSpikes,
    /// Membrane potentials in mV (neurons x samples), sample `k` at `k * trace_interval_ms`,
    /// when [`LifConfig::record_potentials`] is set. A neuron that spiked in the last step
    /// shows its reset potential.
    pub potentials: Option<Recording>,
    /// Ground-truth directed graph of the weights, `pre -> post`.
    pub graph: DiGraph,
}

/// A circuit prepared for spiking simulation: outgoing synapses per neuron and their delays.
#[derive(Debug, Clone, PartialEq)]
pub struct LifNetwork {
    /// Row `pre` lists `(post, W_post,pre)`.
    outgoing: Csr,
    /// Delay in ms of each entry of `outgoing`, when set per synapse.
    delays_ms: Option<Vec<f64>>,
    labels: Vec<String>,
    graph: DiGraph,
}

impl LifNetwork {
    /// Prepares `circuit` with labels `neuron 0`, `neuron 1`, ... and one delay for all
    /// synapses.
    pub fn from_circuit(circuit: &Circuit) -> Self {
        let n = circuit.neuron_count();
        let weights = circuit.weights();
        LifNetwork {
            outgoing: Csr::from_fn(n, |pre, post| weights[post * n + pre]),
            delays_ms: None,
            labels: (0..n).map(|i| format!("neuron {i}")).collect(),
            graph: circuit.graph().clone(),
        }
    }

    /// Number of neurons.
    pub fn neuron_count(&self) -> usize {
        self.labels.len()
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

    /// Sets one delay per synapse from a dense row-major `n x n` matrix in ms,
    /// `delays_ms[post * n + pre]` as for the weights; entries without a synapse are ignored.
    ///
    /// # Errors
    /// [`SimulationError::MatrixShape`] unless it has `n * n` entries, and
    /// [`SimulationError::InvalidDelay`] for a negative or non-finite delay of a synapse.
    pub fn with_delays_ms(mut self, delays_ms: &[f64]) -> Result<Self, SimulationError> {
        let n = self.neuron_count();
        if delays_ms.len() != n * n {
            return Err(SimulationError::MatrixShape {
                what: "delays",
                expected: n * n,
                found: delays_ms.len(),
            });
        }
        let mut per_synapse = Vec::new();
        for pre in 0..n {
            for &post in self.outgoing.row(pre).0 {
                let value = delays_ms[post * n + pre];
                if !(value.is_finite() && value >= 0.0) {
                    return Err(SimulationError::InvalidDelay { pre, post, value });
                }
                per_synapse.push(value);
            }
        }
        self.delays_ms = Some(per_synapse);
        Ok(self)
    }

    /// Integrates the network under `input` (currents in nA) with `config`.
    ///
    /// # Returns
    /// Spike trains over `[0, steps * dt_ms)` labelled with the network's labels, membrane
    /// traces if requested, and the ground-truth graph.
    ///
    /// # Errors
    /// [`SimulationError::InvalidParameter`] or [`SimulationError::NotStepMultiple`] for bad
    /// settings, and [`SimulationError::NeuronCount`], [`SimulationError::InputTooShort`] or
    /// [`SimulationError::NonFiniteInput`] for a bad input.
    pub fn simulate(
        &self,
        config: &LifConfig,
        input: &Input,
    ) -> Result<LifSimulation, SimulationError> {
        let plan = LifPlan::new(config)?;
        let last_step_s = (plan.steps - 1) as f64 * config.dt_ms / 1000.0;
        input.check(self.neuron_count(), last_step_s)?;
        tracing::debug!(
            neurons = self.neuron_count(),
            steps = plan.steps,
            "spiking simulation started"
        );
        let run = self.integrate(config, &plan, input)?;

        let duration_ms = plan.steps as f64 * config.dt_ms;
        let spikes = PopulationSpikes::new(run.spikes, self.labels.clone(), duration_ms)?;
        let potentials = match run.potentials {
            Some(data) => {
                let interval_s = plan.steps_per_trace as f64 * config.dt_ms / 1000.0;
                let recording =
                    Recording::new(data, self.neuron_count(), plan.trace_samples, interval_s)?;
                Some(recording.with_labels(self.labels.clone())?)
            }
            None => None,
        };
        tracing::debug!(spikes = spikes.spike_count(), "spiking simulation finished");
        Ok(LifSimulation {
            spikes,
            potentials,
            graph: self.graph.clone(),
        })
    }

    /// Delay in whole steps of each outgoing synapse, in `outgoing` order.
    fn delay_steps(&self, config: &LifConfig) -> Vec<usize> {
        let to_steps = |delay_ms: f64| (delay_ms / config.dt_ms).round() as usize;
        match &self.delays_ms {
            Some(delays) => delays.iter().map(|&d| to_steps(d)).collect(),
            None => vec![to_steps(config.delay_ms); self.outgoing.entry_count()],
        }
    }

    fn integrate(
        &self,
        config: &LifConfig,
        plan: &LifPlan,
        input: &Input,
    ) -> Result<LifRun, SimulationError> {
        let n = self.neuron_count();
        let delays = self.delay_steps(config);
        let mut ring = DelayRing::new(n, delays.iter().copied().max().unwrap_or(0));
        let mut neurons = Neurons::new(n, config);
        let mut external = vec![0.0; n];
        let mut spikes: Vec<Vec<f64>> = vec![Vec::new(); n];
        let mut traces = config
            .record_potentials
            .then(|| vec![0.0; n * plan.trace_samples]);
        if let Some(traces) = traces.as_mut() {
            record_trace(&neurons.v, 0, plan.trace_samples, traces);
        }
        if input.is_constant() {
            input.fill(0.0, &mut external)?;
        }

        for step in 0..plan.steps {
            ring.take(step, &mut neurons.current);
            if !input.is_constant() {
                input.fill(step as f64 * config.dt_ms / 1000.0, &mut external)?;
            }
            for i in 0..n {
                if !neurons.advance(i, external[i], plan.refractory_steps) {
                    continue;
                }
                spikes[i].push((step + 1) as f64 * config.dt_ms);
                let (posts, weights) = self.outgoing.row(i);
                let first = self.outgoing.row_offset(i);
                for (k, (&post, &w)) in posts.iter().zip(weights).enumerate() {
                    let arrival = step + 1 + delays[first + k];
                    ring.add(arrival, post, w * config.weight_scale_na);
                }
            }
            if let Some(traces) = traces.as_mut()
                && (step + 1) % plan.steps_per_trace == 0
            {
                let sample = (step + 1) / plan.steps_per_trace;
                record_trace(&neurons.v, sample, plan.trace_samples, traces);
            }
        }

        // A spike on the final grid point lies at the end of the window, outside it.
        let end_ms = plan.steps as f64 * config.dt_ms;
        for train in &mut spikes {
            train.retain(|&t| t < end_ms);
        }
        Ok(LifRun {
            spikes,
            potentials: traces,
        })
    }
}

/// State of every neuron: potential, synaptic current, refractory steps left, noise stream.
struct Neurons {
    v: Vec<f64>,
    current: Vec<f64>,
    refractory_left: Vec<usize>,
    rngs: Vec<ChaCha8Rng>,
    propagators: Propagators,
    v_threshold: f64,
    v_reset: f64,
}

impl Neurons {
    fn new(n: usize, config: &LifConfig) -> Self {
        let mut rngs: Vec<_> = (0..n as u64).map(|i| stream_rng(config.seed, i)).collect();
        let v = rngs
            .iter_mut()
            .map(|rng| initial_potential(config, rng))
            .collect();
        Neurons {
            v,
            current: vec![0.0; n],
            refractory_left: vec![0; n],
            rngs,
            propagators: Propagators::new(config),
            v_threshold: config.v_threshold_mv,
            v_reset: config.v_reset_mv,
        }
    }

    /// Advances neuron `i` by one step under external current `external` and returns whether
    /// it spiked; a spiking neuron is reset and made refractory.
    fn advance(&mut self, i: usize, external: f64, refractory_steps: usize) -> bool {
        let p = &self.propagators;
        let spiked = if self.refractory_left[i] > 0 {
            self.refractory_left[i] -= 1;
            false
        } else {
            self.v[i] = p.membrane(self.v[i], external, self.current[i]);
            if p.noise_std > 0.0 {
                let xi: f64 = StandardNormal.sample(&mut self.rngs[i]);
                self.v[i] += p.noise_std * xi;
            }
            self.v[i] >= self.v_threshold
        };
        self.current[i] *= p.synapse_decay;
        if spiked {
            self.v[i] = self.v_reset;
            self.refractory_left[i] = refractory_steps;
        }
        spiked
    }
}

/// Synaptic input waiting for delivery, one slot of `n` values per step of delay.
struct DelayRing {
    slots: Vec<f64>,
    n: usize,
    len: usize,
}

impl DelayRing {
    /// Creates a ring for delays up to `max_delay_steps`. A spike emitted in step `s` arrives at step
    /// `s + 1 + delay`, at most `max_delay_steps + 1` steps ahead, so `max_delay_steps + 2`
    /// slots never overwrite the slot being read.
    fn new(n: usize, max_delay_steps: usize) -> Self {
        let len = max_delay_steps + 2;
        DelayRing {
            slots: vec![0.0; len * n],
            n,
            len,
        }
    }

    /// Adds the input due at `step` to `current` and clears its slot.
    fn take(&mut self, step: usize, current: &mut [f64]) {
        let start = (step % self.len) * self.n;
        for (c, due) in current
            .iter_mut()
            .zip(&mut self.slots[start..start + self.n])
        {
            *c += *due;
            *due = 0.0;
        }
    }

    /// Schedules `amount` onto neuron `post` at `step`.
    fn add(&mut self, step: usize, post: usize, amount: f64) {
        self.slots[(step % self.len) * self.n + post] += amount;
    }
}

/// Raw output of [`LifNetwork::integrate`].
struct LifRun {
    spikes: Vec<Vec<f64>>,
    potentials: Option<Vec<f64>>,
}

/// Validated step counts of one run.
struct LifPlan {
    steps: usize,
    refractory_steps: usize,
    steps_per_trace: usize,
    trace_samples: usize,
}

impl LifPlan {
    fn new(config: &LifConfig) -> Result<Self, SimulationError> {
        let dt = positive("dt_ms", config.dt_ms)?;
        let duration = positive("duration_ms", config.duration_ms)?;
        positive("tau_m_ms", config.tau_m_ms)?;
        positive("resistance_mohm", config.resistance_mohm)?;
        positive("tau_syn_ms", config.tau_syn_ms)?;
        finite("v_rest_mv", config.v_rest_mv)?;
        let reset = finite("v_reset_mv", config.v_reset_mv)?;
        let threshold = finite("v_threshold_mv", config.v_threshold_mv)?;
        if threshold <= reset {
            return Err(SimulationError::invalid(
                "v_threshold_mv",
                threshold,
                "a threshold above v_reset_mv",
            ));
        }
        let refractory = non_negative("refractory_ms", config.refractory_ms)?;
        non_negative("delay_ms", config.delay_ms)?;
        finite("weight_scale_na", config.weight_scale_na)?;
        non_negative("noise_std_mv", config.noise_std_mv)?;
        let trace_interval = positive("trace_interval_ms", config.trace_interval_ms)?;

        let steps = step_count("duration_ms", duration, dt)?;
        let steps_per_trace = if config.record_potentials {
            steps_per_sample("trace_interval_ms", trace_interval, dt)?
        } else {
            1
        };
        let trace_samples = if config.record_potentials {
            steps / steps_per_trace + 1
        } else {
            0
        };
        Ok(LifPlan {
            steps,
            refractory_steps: (refractory / dt).round() as usize,
            steps_per_trace,
            trace_samples,
        })
    }
}

/// Exact one-step propagators of the linear membrane and synapse equations.
struct Propagators {
    /// `exp(-dt / tau_m)`.
    membrane_decay: f64,
    /// `exp(-dt / tau_s)`.
    synapse_decay: f64,
    /// Contribution of the synaptic current at the start of a step to the potential at its
    /// end, in mV per nA.
    current_to_potential: f64,
    resistance: f64,
    v_rest: f64,
    /// Standard deviation of the noise added per step.
    noise_std: f64,
}

impl Propagators {
    fn new(config: &LifConfig) -> Self {
        let dt = config.dt_ms;
        let tau_m = config.tau_m_ms;
        let tau_s = config.tau_syn_ms;
        let membrane_decay = (-dt / tau_m).exp();
        // (R / tau_m) exp(-dt / tau_m) (exp(a dt) - 1) / a with a = 1/tau_m - 1/tau_s, which
        // tends to (R / tau_m) dt exp(-dt / tau_m) as tau_s approaches tau_m.
        let a = 1.0 / tau_m - 1.0 / tau_s;
        let growth = if (a * dt).abs() < 1e-12 {
            dt
        } else {
            (a * dt).exp_m1() / a
        };
        Propagators {
            membrane_decay,
            synapse_decay: (-dt / tau_s).exp(),
            current_to_potential: config.resistance_mohm / tau_m * membrane_decay * growth,
            resistance: config.resistance_mohm,
            v_rest: config.v_rest_mv,
            noise_std: config.noise_std_mv * (1.0 - membrane_decay * membrane_decay).sqrt(),
        }
    }

    /// Potential after one step from `v`, under constant external current `external` and
    /// synaptic current `synaptic` at the start of the step.
    fn membrane(&self, v: f64, external: f64, synaptic: f64) -> f64 {
        let v_inf = self.v_rest + self.resistance * external;
        v_inf + (v - v_inf) * self.membrane_decay + self.current_to_potential * synaptic
    }
}

fn initial_potential(config: &LifConfig, rng: &mut impl rand::Rng) -> f64 {
    if config.random_initial_potential {
        let u: f64 = rng.random();
        config.v_reset_mv + u * (config.v_threshold_mv - config.v_reset_mv)
    } else {
        config.v_rest_mv
    }
}

fn record_trace(v: &[f64], sample: usize, samples: usize, traces: &mut [f64]) {
    for (i, &vi) in v.iter().enumerate() {
        traces[i * samples + sample] = vi;
    }
}
