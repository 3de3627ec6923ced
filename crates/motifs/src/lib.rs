//! Circuit motif analysis for directed networks.
//!
//! The crate provides simple directed graphs, unsigned ([`DiGraph`]) or with excitatory and
//! inhibitory arcs ([`SignedDiGraph`]); the exact directed triad census ([`triad_census`])
//! and the census of the 199 connected 4-node classes ([`census4`]); null models
//! ([`null`]: degree-, mutual- and sign-preserving switching and Erdős–Rényi graphs); and
//! the significance of each class against a null model, with z-scores, empirical p-values
//! and significance profiles ([`triad_significance`], [`census4_significance`]).
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
mod census4;
pub mod circuit;
pub mod dynamics;
mod error;
mod graph;
pub mod null;
mod significance;

pub use census::{TRIAD_CLASSES, TriadCensus, triad_census, triad_class_index, triple_count};
pub use census4::{
    BI_FAN_ARCS, BI_PARALLEL_ARCS, CENSUS4_CLASS_COUNT, CODE_ARCS4, Census4, census4,
    census4_canonical_code, census4_class_index, census4_class_name, census4_class_of_arcs,
    census4_class_of_code, census4_classes_containing, census4_code, census4_triad_content,
};
pub use circuit::{
    BackgroundConfig, BackgroundModel, CellType, Circuit, CircuitError, CompositionConfig,
    Connectivity, DEFAULT_INPUT_GAIN, DimensionalityExpansionConfig, FeedbackLoopConfig,
    FeedbackSign, FeedforwardChainConfig, LateralInhibitionConfig, LateralStructure, MapLayout,
    MotifConfig, MotifKind, MotifPlacement, PlantedMotif, RecurrentExcitationConfig,
    RecurrentStructure, TopographicMapConfig, example_circuit, plant,
};
pub use dynamics::SimulationError;
pub use error::MotifError;
pub use graph::{DiGraph, Sign, SignedDiGraph};
pub use null::{NullModel, SwitchStats, erdos_renyi, randomise, randomise_signed};
pub use significance::{
    Census4Significance, ClassSignificance, DEFAULT_SAMPLES, NullConfig, NullInput,
    TriadClassSignificance, TriadSignificance, census4_significance, significance_profile,
    triad_significance,
};
