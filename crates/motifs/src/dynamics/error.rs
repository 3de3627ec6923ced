//! Error type of the circuit simulators and the observation models.

use ncm_data::DataError;
use thiserror::Error;

use crate::circuit::CircuitError;

/// Errors raised by the simulators and observation models. Each message names the rejected
/// value and how to fix it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// A scalar setting is outside its valid range.
    #[error("invalid {parameter} = {value}: expected {expected}")]
    InvalidParameter {
        /// Name of the setting, as spelled in the config struct.
        parameter: &'static str,
        /// The rejected value.
        value: f64,
        /// Description of the valid values.
        expected: &'static str,
    },

    /// An interval is not a whole number of integration steps.
    #[error(
        "{parameter} = {value} is not a whole number of steps of {step}; \
         use a multiple of the step"
    )]
    NotStepMultiple {
        /// Name of the interval setting.
        parameter: &'static str,
        /// The rejected interval.
        value: f64,
        /// The integration step, in the same unit.
        step: f64,
    },

    /// The Euler step is too large for the leak and gap-junction coupling.
    #[error(
        "dt_s = {dt_s} is too large: the leak and gap junctions need dt_s <= {max_dt_s} \
         (tau_s / (1 + largest total gap conductance)); lower dt_s"
    )]
    StepTooLarge {
        /// The rejected step in seconds.
        dt_s: f64,
        /// Largest step that keeps the Euler update of leak and gap junctions contracting.
        max_dt_s: f64,
    },

    /// A vector with one entry per neuron has the wrong length.
    #[error(
        "{what} has {found} entries but the network has {expected} neurons; pass one per neuron"
    )]
    NeuronCount {
        /// The vector: `constant input`, `input recording channels`, `initial_state`, `labels`.
        what: &'static str,
        /// Number of neurons.
        expected: usize,
        /// Length passed.
        found: usize,
    },

    /// A dense `n x n` matrix has the wrong number of entries.
    #[error("{what} has {found} entries but {expected} are needed (n x n, row-major post x pre)")]
    MatrixShape {
        /// The matrix: `gap conductances`, `delays` or `matrix`.
        what: &'static str,
        /// `n * n`.
        expected: usize,
        /// Length passed.
        found: usize,
    },

    /// A time-varying input ends before the simulation does.
    #[error(
        "input recording covers {input_s} s but the last integration step starts at \
         {needed_s} s; pass a longer input or shorten the run"
    )]
    InputTooShort {
        /// Length of the input recording in seconds.
        input_s: f64,
        /// Start time of the last integration step, in seconds.
        needed_s: f64,
    },

    /// An input value is NaN or infinite.
    #[error("input to neuron {neuron} at t = {time_s} s is {value}; inputs must be finite")]
    NonFiniteInput {
        /// Neuron index.
        neuron: usize,
        /// Simulation time in seconds.
        time_s: f64,
        /// The rejected value.
        value: f64,
    },

    /// An entry of the initial state is NaN or infinite.
    #[error("initial state of neuron {neuron} is {value}; initial states must be finite")]
    NonFiniteInitialState {
        /// Neuron index.
        neuron: usize,
        /// The rejected value.
        value: f64,
    },

    /// The state left the range set by the divergence threshold, or became NaN.
    #[error(
        "the network diverged: neuron {neuron} reached {value} at t = {time_s} s, beyond \
         the divergence threshold {threshold}. Scale the weights down (spectral radius of \
         the linearisation below 1), lower the input or use a bounded activation"
    )]
    Diverged {
        /// First neuron found beyond the threshold.
        neuron: usize,
        /// Simulation time in seconds.
        time_s: f64,
        /// Its state.
        value: f64,
        /// The divergence threshold of the config.
        threshold: f64,
    },

    /// A gap-junction conductance is negative, NaN, infinite or on the diagonal.
    #[error(
        "gap conductance between neurons {i} and {j} is {value}; conductances must be finite, \
         non-negative and zero on the diagonal"
    )]
    InvalidConductance {
        /// Row neuron.
        i: usize,
        /// Column neuron.
        j: usize,
        /// The rejected value.
        value: f64,
    },

    /// The gap-junction matrix is not symmetric.
    #[error(
        "gap conductance {i} -> {j} is {forward} but {j} -> {i} is {backward}; gap junctions \
         couple both ways, so pass a symmetric matrix"
    )]
    AsymmetricConductance {
        /// Row neuron.
        i: usize,
        /// Column neuron.
        j: usize,
        /// Conductance `g[i][j]`.
        forward: f64,
        /// Conductance `g[j][i]`.
        backward: f64,
    },

    /// A synaptic delay is negative, NaN or infinite.
    #[error("delay of synapse {pre} -> {post} is {value} ms; delays must be finite and >= 0")]
    InvalidDelay {
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// The rejected delay in milliseconds.
        value: f64,
    },

    /// The connectome has no nodes.
    #[error("the connectome has no neurons; read a non-empty connectome")]
    EmptyConnectome,

    /// None of the inhibitory classes of the sign rule matches a neuron of the connectome.
    #[error(
        "no inhibitory class ({classes}) matches a neuron of the connectome; check the \
         spelling against the connectome's node names, or pass no classes for an \
         all-excitatory network"
    )]
    UnknownNeuronClass {
        /// The class names, comma-separated.
        classes: String,
    },

    /// An observed recording contains a value that the observation model cannot use.
    #[error("{what} has value {value} at channel {channel}, sample {sample}; expected {expected}")]
    InvalidSignal {
        /// The recording: `rates`, `neuronal activity`.
        what: &'static str,
        /// Channel index.
        channel: usize,
        /// Sample index.
        sample: usize,
        /// The rejected value.
        value: f64,
        /// Description of the valid values.
        expected: &'static str,
    },

    /// A hemodynamic state left its physical range (blood flow must stay positive).
    #[error(
        "hemodynamic {variable} of channel {channel} reached {value} at t = {time_s} s; \
         flow, volume and deoxyhemoglobin must stay positive. Scale the neuronal input down \
         (input_gain) or lower dt_s"
    )]
    Hemodynamics {
        /// Channel index.
        channel: usize,
        /// Simulation time in seconds.
        time_s: f64,
        /// `flow`, `volume` or `deoxyhemoglobin`, or `signal` for a non-finite value.
        variable: &'static str,
        /// The value reached.
        value: f64,
    },

    /// Building an output container failed.
    #[error(transparent)]
    Data(#[from] DataError),

    /// Building a circuit failed.
    #[error(transparent)]
    Circuit(#[from] CircuitError),
}

impl SimulationError {
    /// Builds a [`SimulationError::InvalidParameter`].
    pub(crate) fn invalid(parameter: &'static str, value: f64, expected: &'static str) -> Self {
        SimulationError::InvalidParameter {
            parameter,
            value,
            expected,
        }
    }
}

/// Returns `value` if it is finite and positive, else an [`SimulationError::InvalidParameter`].
pub(crate) fn positive(parameter: &'static str, value: f64) -> Result<f64, SimulationError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(SimulationError::invalid(
            parameter,
            value,
            "a positive finite number",
        ))
    }
}

/// Returns `value` if it is finite and non-negative, else an
/// [`SimulationError::InvalidParameter`].
pub(crate) fn non_negative(parameter: &'static str, value: f64) -> Result<f64, SimulationError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(SimulationError::invalid(
            parameter,
            value,
            "a finite number >= 0",
        ))
    }
}

/// Returns `value` if it is finite, else an [`SimulationError::InvalidParameter`].
pub(crate) fn finite(parameter: &'static str, value: f64) -> Result<f64, SimulationError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(SimulationError::invalid(
            parameter,
            value,
            "a finite number",
        ))
    }
}
