//! Circuit motif analysis for directed networks.
//!
//! The crate provides a simple directed graph ([`DiGraph`]), the exact directed triad census
//! ([`triad_census`]), degree-preserving null models ([`null`]) and the significance of each
//! triad class against such a null model ([`triad_significance`]).
//!
//! The [`circuit`] module builds circuits with known connectivity: signed weights that obey
//! Dale's law, cell types, positions and the ground-truth graph. Its generators cover
//! feedforward chains, feedback loops, recurrent excitation, lateral inhibition, topographic
//! maps and dimensionality expansion, and [`CompositionConfig`] plants any set of them in a
//! random background network while recording which arcs belong to which motif.
//!
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
pub use circuit::{
    BackgroundConfig, BackgroundModel, CellType, Circuit, CircuitError, CompositionConfig,
    Connectivity, DEFAULT_INPUT_GAIN, DimensionalityExpansionConfig, FeedbackLoopConfig,
    FeedbackSign, FeedforwardChainConfig, LateralInhibitionConfig, LateralStructure, MapLayout,
    MotifConfig, MotifKind, MotifPlacement, PlantedMotif, RecurrentExcitationConfig,
    RecurrentStructure, TopographicMapConfig, example_circuit, plant,
};
pub use dynamics::SimulationError;
pub use error::MotifError;
pub use graph::DiGraph;
pub use null::{NullModel, SwitchStats, randomise};
pub use significance::{
    DEFAULT_SAMPLES, NullConfig, TriadClassSignificance, TriadSignificance, triad_significance,
};
