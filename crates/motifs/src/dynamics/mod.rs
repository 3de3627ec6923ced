//! Circuit dynamics and observation models: simulate activity on a [`Circuit`] or a real
//! connectome with known ground truth, then observe it as a neuroscientist would.
//!
//! - [`RateNetwork`]: firing-rate dynamics `tau dx/dt = -x + W phi(x) + I(t) + noise`, with
//!   optional gap junctions, integrated by Euler-Maruyama, with divergence detection.
//! - [`LifNetwork`]: leaky integrate-and-fire neurons with refractoriness, exponential
//!   current synapses and delays, integrated exactly between steps.
//! - [`ConnectomeModel`]: signed, normalised chemical weights and gap junctions from an
//!   [`ncm_data::Connectome`].
//! - Observation models: [`poisson_counts`] (spike counts from rates), [`fluorescence`]
//!   (calcium-indicator traces from spikes) and [`bold`] (balloon-Windkessel hemodynamics).
//!
//! Outputs are `ncm-data` containers ([`ncm_data::Recording`], [`ncm_data::PopulationSpikes`])
//! returned next to the ground-truth [`DiGraph`](crate::DiGraph). Every stochastic step draws
//! from a ChaCha8 stream per neuron or channel derived from the config's seed.
//!
//! [`Circuit`]: crate::Circuit

mod bold;
mod calcium;
mod connectome;
mod error;
mod input;
mod lif;
mod poisson;
mod rate;
mod sparse;

pub use bold::{BoldConfig, bold};
pub use calcium::{CalciumConfig, fluorescence};
pub use connectome::{
    ConnectomeConfig, ConnectomeModel, GABAERGIC_CLASSES, Normalisation, PERRON_ITERATIONS,
    PerronBounds, in_class, perron_bounds,
};
pub use error::SimulationError;
pub use input::{Input, InputFunction};
pub use lif::{LifConfig, LifNetwork, LifSimulation};
pub use poisson::{PoissonConfig, poisson_counts};
pub use rate::{Activation, RateConfig, RateNetwork, RateSimulation};
pub use sparse::MAX_STEPS;
