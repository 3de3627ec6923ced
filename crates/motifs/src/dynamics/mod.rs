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
//! # Example
//! Simulate a two-neuron circuit and observe it as spike counts:
//!
//! ```
//! use ncm_motifs::dynamics::{
//!     Activation, Input, PoissonConfig, RateConfig, RateNetwork, poisson_counts,
//! };
//! use ncm_motifs::{CellType, Circuit};
//!
//! // Neuron 0 excites neuron 1 (weight 0.8), which inhibits neuron 0 (weight -0.5).
//! let weights = vec![0.0, -0.5, 0.8, 0.0];
//! let circuit = Circuit::new(weights, vec![CellType::Excitatory, CellType::Inhibitory])?;
//! let config = RateConfig {
//!     duration_s: 1.0,
//!     activation: Activation::Sigmoid,
//!     noise_sigma: 0.5,
//!     ..RateConfig::default()
//! };
//! let input = Input::Constant(vec![1.0, 0.0]);
//! let run = RateNetwork::from_circuit(&circuit).simulate(&config, &input)?;
//! assert_eq!(run.rates.samples, 101); // t = 0, 0.01, ..., 1 s
//! assert_eq!(run.graph.edge_count(), 2);
//!
//! // Sigmoid activations in (0, 1) become counts at up to 20 Hz in bins of 50 ms.
//! let poisson = PoissonConfig {
//!     bin_s: Some(0.05),
//!     rate_scale_hz: 20.0,
//!     seed: 1,
//! };
//! let counts = poisson_counts(&run.rates, &poisson)?;
//! assert_eq!((counts.channels, counts.samples), (2, 20));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
