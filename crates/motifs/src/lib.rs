//! Circuit motif analysis for directed networks.
//!
//! The crate currently provides a simple directed graph ([`DiGraph`]), the exact directed
//! triad census ([`triad_census`]), degree-preserving null models ([`null`]) and the
//! significance of each triad class against such a null model ([`triad_significance`]).
//! Motif generators are planned but not written yet.
//! [`dynamics`] simulates rate and spiking networks on circuits and connectomes, and observes
//! them as Poisson counts, calcium fluorescence or BOLD.

mod census;
pub mod circuit;
pub mod dynamics;
mod error;
mod graph;
pub mod null;
mod significance;

pub use census::{TRIAD_CLASSES, TriadCensus, triad_census, triad_class_index, triple_count};
pub use circuit::{CellType, Circuit, CircuitError, MotifKind, PlantedMotif};
pub use dynamics::SimulationError;
pub use error::MotifError;
pub use graph::DiGraph;
pub use null::{NullModel, SwitchStats, randomise};
pub use significance::{
    DEFAULT_SAMPLES, NullConfig, TriadClassSignificance, TriadSignificance, triad_significance,
};
