//! One settings type over all generators, and a small example circuit of each motif kind.

use serde::{Deserialize, Serialize};

use super::expansion::DimensionalityExpansionConfig;
use super::feedforward::{FeedbackLoopConfig, FeedforwardChainConfig};
use super::lateral::LateralInhibitionConfig;
use super::recurrent::RecurrentExcitationConfig;
use super::topographic::TopographicMapConfig;
use super::{Circuit, CircuitError, MotifKind};

/// Settings of any motif generator, tagged by `kind` in serialised form, for example
/// `{ kind = "feedforward_chain", layer_sizes = [2, 2] }` in TOML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MotifConfig {
    /// See [`FeedforwardChainConfig`].
    FeedforwardChain(FeedforwardChainConfig),
    /// See [`FeedbackLoopConfig`].
    FeedbackLoop(FeedbackLoopConfig),
    /// See [`RecurrentExcitationConfig`].
    RecurrentExcitation(RecurrentExcitationConfig),
    /// See [`LateralInhibitionConfig`].
    LateralInhibition(LateralInhibitionConfig),
    /// See [`TopographicMapConfig`].
    TopographicMap(TopographicMapConfig),
    /// See [`DimensionalityExpansionConfig`].
    DimensionalityExpansion(DimensionalityExpansionConfig),
}

impl MotifConfig {
    /// Default settings of the generator of `kind`. Every default circuit has 8 to 21 neurons.
    /// They are a 4-4-4 chain, the same chain with feedback from layer 2 to layer 0, 3
    /// assemblies of 4, and winner-take-all with 6 units and 2 inhibitory neurons. The last
    /// two are a ring of 16, and 4 inputs expanded onto 16 units with one inhibitory neuron.
    pub fn default_for(kind: MotifKind) -> Self {
        match kind {
            MotifKind::FeedforwardChain => Self::FeedforwardChain(Default::default()),
            MotifKind::FeedbackLoop => Self::FeedbackLoop(Default::default()),
            MotifKind::RecurrentExcitation => Self::RecurrentExcitation(Default::default()),
            MotifKind::LateralInhibition => Self::LateralInhibition(Default::default()),
            MotifKind::TopographicMap => Self::TopographicMap(Default::default()),
            MotifKind::DimensionalityExpansion => Self::DimensionalityExpansion(Default::default()),
        }
    }

    /// Motif kind that these settings build.
    pub fn kind(&self) -> MotifKind {
        match self {
            Self::FeedforwardChain(_) => MotifKind::FeedforwardChain,
            Self::FeedbackLoop(_) => MotifKind::FeedbackLoop,
            Self::RecurrentExcitation(_) => MotifKind::RecurrentExcitation,
            Self::LateralInhibition(_) => MotifKind::LateralInhibition,
            Self::TopographicMap(_) => MotifKind::TopographicMap,
            Self::DimensionalityExpansion(_) => MotifKind::DimensionalityExpansion,
        }
    }

    /// Sets the seed of a stochastic generator. Lateral inhibition is deterministic and
    /// has no seed, so it is left unchanged.
    pub fn set_seed(&mut self, seed: u64) {
        match self {
            Self::FeedforwardChain(config) => config.seed = seed,
            Self::FeedbackLoop(config) => config.seed = seed,
            Self::RecurrentExcitation(config) => config.seed = seed,
            Self::LateralInhibition(_) => {}
            Self::TopographicMap(config) => config.seed = seed,
            Self::DimensionalityExpansion(config) => config.seed = seed,
        }
    }

    /// Checks every field of the inner settings.
    ///
    /// # Errors
    /// The errors of the inner settings' `validate`.
    pub fn validate(&self) -> Result<(), CircuitError> {
        match self {
            Self::FeedforwardChain(config) => config.validate(),
            Self::FeedbackLoop(config) => config.validate(),
            Self::RecurrentExcitation(config) => config.validate(),
            Self::LateralInhibition(config) => config.validate(),
            Self::TopographicMap(config) => config.validate(),
            Self::DimensionalityExpansion(config) => config.validate(),
        }
    }

    /// Builds the circuit.
    ///
    /// # Errors
    /// The errors of the inner settings' `build`.
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        match self {
            Self::FeedforwardChain(config) => config.build(),
            Self::FeedbackLoop(config) => config.build(),
            Self::RecurrentExcitation(config) => config.build(),
            Self::LateralInhibition(config) => config.build(),
            Self::TopographicMap(config) => config.build(),
            Self::DimensionalityExpansion(config) => config.build(),
        }
    }
}

/// Builds a small circuit of `kind` from the default settings ([`MotifConfig::default_for`])
/// with `seed` (ignored for the deterministic lateral inhibition), for galleries and examples.
///
/// # Errors
/// None for the defaults; the `Result` carries the generators' errors should the defaults
/// ever become invalid.
///
/// # Examples
/// ```
/// use ncm_motifs::{CellType, MotifKind, example_circuit};
///
/// let circuit = example_circuit(MotifKind::DimensionalityExpansion, 7).unwrap();
/// assert_eq!(circuit.neuron_count(), 4 + 16 + 1);
/// assert_eq!(circuit.cell_types()[20], CellType::Inhibitory);
/// // Every expansion unit has K = 2 inputs plus the global inhibitory neuron.
/// assert!((4..20).all(|unit| circuit.graph().in_degree(unit) == 3));
/// ```
pub fn example_circuit(kind: MotifKind, seed: u64) -> Result<Circuit, CircuitError> {
    let mut config = MotifConfig::default_for(kind);
    config.set_seed(seed);
    config.build()
}
