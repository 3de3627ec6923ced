//! Recurrent excitation: reciprocally connected pairs and clustered assemblies.
//!
//! Reciprocal connections between excitatory cortical neurons are more common than a random
//! network predicts, and connected neurons cluster (Song, Sjöström, Reigl,
//! Nelson & Chklovskii 2005, "Highly nonrandom features of synaptic connectivity in local
//! cortical circuits", PLoS Biology 3:e68). Assemblies with dense connections inside and sparse
//! ones between are the clustered networks that Litwin-Kumar & Doiron (2012, Nature
//! Neuroscience) studied as a source of slow, variable cortical activity.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::build::{
    CircuitBuilder, DEFAULT_INPUT_GAIN, check_count, check_neuron_count, check_positive,
    check_probability,
};
use super::{CellType, Circuit, CircuitError, MotifKind};

/// Arrangement of the recurrent excitatory connections.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecurrentStructure {
    /// `pair_count` disjoint pairs `(2k, 2k + 1)`, each connected in both directions and to
    /// nothing else.
    ReciprocalPairs {
        /// Number of pairs, at least 1.
        pair_count: usize,
    },
    /// `assembly_count` assemblies of `assembly_size` neurons, numbered assembly by assembly.
    /// Each ordered pair of distinct neurons is connected independently, with probability
    /// `p_within` inside an assembly and `p_between` across assemblies.
    Assemblies {
        /// Number of assemblies, at least 1.
        assembly_count: usize,
        /// Neurons per assembly, at least 2.
        assembly_size: usize,
        /// Connection probability inside an assembly, in `[0, 1]`.
        p_within: f64,
        /// Connection probability between assemblies, in `[0, 1]`.
        p_between: f64,
    },
}

impl Default for RecurrentStructure {
    fn default() -> Self {
        Self::Assemblies {
            assembly_count: 3,
            assembly_size: 4,
            p_within: 0.8,
            p_between: 0.05,
        }
    }
}

/// Settings of a recurrent excitatory circuit. All neurons are excitatory and all arcs have
/// the same weight before scaling. Positions put pair `k` at x = `k` (y = 0 and 1) and
/// assembly `a` on a unit circle around (3a, 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecurrentExcitationConfig {
    /// Pairs or assemblies. Default: 3 assemblies of 4 neurons with `p_within = 0.8` and
    /// `p_between = 0.05`.
    pub structure: RecurrentStructure,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
    /// Seed of the assembly connection draws. Default: 0.
    pub seed: u64,
}

impl Default for RecurrentExcitationConfig {
    fn default() -> Self {
        Self {
            structure: RecurrentStructure::default(),
            input_gain: DEFAULT_INPUT_GAIN,
            seed: 0,
        }
    }
}

impl RecurrentExcitationConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`CircuitError::CountTooSmall`] for zero pairs or assemblies or assemblies of fewer
    /// than 2 neurons, [`CircuitError::NotProbability`] for a probability outside `[0, 1]`,
    /// [`CircuitError::NotPositive`] for a bad `input_gain`, and
    /// [`CircuitError::TooManyNeurons`] above [`super::MAX_NEURONS`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        match self.structure {
            RecurrentStructure::ReciprocalPairs { pair_count } => {
                check_count("structure.pair_count", pair_count, 1)?;
            }
            RecurrentStructure::Assemblies {
                assembly_count,
                assembly_size,
                p_within,
                p_between,
            } => {
                check_count("structure.assembly_count", assembly_count, 1)?;
                check_count("structure.assembly_size", assembly_size, 2)?;
                check_probability("structure.p_within", p_within)?;
                check_probability("structure.p_between", p_between)?;
            }
        }
        check_neuron_count(self.neuron_count())?;
        check_positive("input_gain", self.input_gain)
    }

    /// Number of neurons, saturating at `usize::MAX`.
    pub fn neuron_count(&self) -> usize {
        match self.structure {
            RecurrentStructure::ReciprocalPairs { pair_count } => pair_count.saturating_mul(2),
            RecurrentStructure::Assemblies {
                assembly_count,
                assembly_size,
                ..
            } => assembly_count.saturating_mul(assembly_size),
        }
    }

    /// Builds the circuit, scaled to `input_gain`.
    ///
    /// # Errors
    /// The errors of [`RecurrentExcitationConfig::validate`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        let n = self.neuron_count();
        let mut builder = CircuitBuilder::new(vec![CellType::Excitatory; n]);
        let positions = match self.structure {
            RecurrentStructure::ReciprocalPairs { pair_count } => {
                for k in 0..pair_count {
                    builder.connect(2 * k, 2 * k + 1, 1.0);
                    builder.connect(2 * k + 1, 2 * k, 1.0);
                }
                (0..n).map(|i| [(i / 2) as f64, (i % 2) as f64]).collect()
            }
            RecurrentStructure::Assemblies {
                assembly_size,
                p_within,
                p_between,
                ..
            } => {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                for post in 0..n {
                    for pre in (0..n).filter(|&pre| pre != post) {
                        let same = pre / assembly_size == post / assembly_size;
                        let p = if same { p_within } else { p_between };
                        if rng.random_bool(p) {
                            builder.connect(pre, post, 1.0);
                        }
                    }
                }
                assembly_positions(n, assembly_size)
            }
        };
        builder.finish(
            MotifKind::RecurrentExcitation,
            self.input_gain,
            Some(positions),
        )
    }
}

fn assembly_positions(neuron_count: usize, assembly_size: usize) -> Vec<[f64; 2]> {
    (0..neuron_count)
        .map(|i| {
            let assembly = (i / assembly_size) as f64;
            let angle = std::f64::consts::TAU * (i % assembly_size) as f64 / assembly_size as f64;
            [3.0 * assembly + angle.cos(), angle.sin()]
        })
        .collect()
}
