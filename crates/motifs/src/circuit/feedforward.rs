//! Feedforward chains and feedback loops built on them.
//!
//! A feedforward chain is a sequence of excitatory layers, each projecting only to the next.
//! With all-to-all projections it is a synfire chain (Abeles 1991, "Corticonics: Neuronal
//! Circuits of the Cerebral Cortex", Cambridge University Press; Diesmann, Gewaltig & Aertsen
//! 1999, "Stable propagation of synchronous spiking in cortical neural networks", Nature
//! 402:529–533). With a fixed fan-in every neuron of a layer receives exactly that many
//! inputs from the layer before, drawn without replacement. A feedback loop adds a projection from a higher layer back to a lower one,
//! either directly (excitatory) or through a pool of inhibitory interneurons.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::build::{
    CircuitBuilder, DEFAULT_INPUT_GAIN, check_count, check_neuron_count, check_positive,
    layer_positions, sample_distinct,
};
use super::{CellType, Circuit, CircuitError, MotifKind};

/// Projection pattern from a presynaptic population onto a postsynaptic one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Connectivity {
    /// Every presynaptic neuron projects to every postsynaptic neuron (synfire style).
    #[default]
    AllToAll,
    /// Every postsynaptic neuron receives exactly `fan_in` inputs, drawn uniformly without
    /// replacement from the presynaptic population. `fan_in` is at least 1 and at most the
    /// size of that population.
    FixedFanIn {
        /// Inputs per postsynaptic neuron.
        fan_in: usize,
    },
}

impl Connectivity {
    fn validate(&self, field: &'static str, smallest_source: usize) -> Result<(), CircuitError> {
        if let Connectivity::FixedFanIn { fan_in } = *self {
            check_count(field, fan_in, 1)?;
            if fan_in > smallest_source {
                return Err(CircuitError::FanInTooLarge {
                    field,
                    fan_in,
                    available: smallest_source,
                });
            }
        }
        Ok(())
    }

    /// Adds the synapses from `sources` onto `targets`, each of `magnitude`.
    fn connect(
        &self,
        builder: &mut CircuitBuilder,
        sources: std::ops::Range<usize>,
        targets: std::ops::Range<usize>,
        magnitude: f64,
        rng: &mut ChaCha8Rng,
    ) {
        for post in targets {
            match *self {
                Connectivity::AllToAll => {
                    for pre in sources.clone() {
                        builder.connect(pre, post, magnitude);
                    }
                }
                Connectivity::FixedFanIn { fan_in } => {
                    for offset in sample_distinct(rng, sources.len(), fan_in) {
                        builder.connect(sources.start + offset, post, magnitude);
                    }
                }
            }
        }
    }
}

/// Settings of a feedforward chain. Neurons are numbered layer by layer. Positions put layer
/// `l` at x = `l`, its neurons at unit spacing centred on y = 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedforwardChainConfig {
    /// Neurons per layer, at least 2 layers of at least 1 neuron. Default: `[4, 4, 4]`.
    pub layer_sizes: Vec<usize>,
    /// Projection from each layer to the next. Default: [`Connectivity::AllToAll`].
    pub connectivity: Connectivity,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
    /// Seed of the fixed-fan-in draws. Default: 0.
    pub seed: u64,
}

impl Default for FeedforwardChainConfig {
    fn default() -> Self {
        Self {
            layer_sizes: vec![4, 4, 4],
            connectivity: Connectivity::AllToAll,
            input_gain: DEFAULT_INPUT_GAIN,
            seed: 0,
        }
    }
}

impl FeedforwardChainConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`CircuitError::CountTooSmall`] for fewer than 2 layers or a zero fan-in,
    /// [`CircuitError::EmptyLayer`] for a layer of 0 neurons,
    /// [`CircuitError::FanInTooLarge`] if the fan-in exceeds a presynaptic layer,
    /// [`CircuitError::NotPositive`] for a bad `input_gain`, and
    /// [`CircuitError::TooManyNeurons`] above [`super::MAX_NEURONS`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        validate_layers(&self.layer_sizes)?;
        let smallest_source = self.layer_sizes[..self.layer_sizes.len() - 1]
            .iter()
            .copied()
            .min()
            .unwrap_or(0);
        self.connectivity
            .validate("connectivity.fan_in", smallest_source)?;
        check_positive("input_gain", self.input_gain)
    }

    /// Builds the chain: every arc has the same weight, scaled to `input_gain`.
    ///
    /// # Errors
    /// The errors of [`FeedforwardChainConfig::validate`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let neuron_count = self.layer_sizes.iter().sum();
        let mut builder = CircuitBuilder::new(vec![CellType::Excitatory; neuron_count]);
        connect_chain(
            &mut builder,
            &self.layer_sizes,
            &self.connectivity,
            &mut rng,
        );
        builder.finish(
            MotifKind::FeedforwardChain,
            self.input_gain,
            Some(layer_positions(&self.layer_sizes)),
        )
    }
}

fn validate_layers(layer_sizes: &[usize]) -> Result<(), CircuitError> {
    check_count("layer_sizes (layer count)", layer_sizes.len(), 2)?;
    if let Some(layer) = layer_sizes.iter().position(|&size| size == 0) {
        return Err(CircuitError::EmptyLayer { layer });
    }
    let neuron_count = layer_sizes
        .iter()
        .try_fold(0_usize, |total, &size| total.checked_add(size))
        .unwrap_or(usize::MAX);
    check_neuron_count(neuron_count)
}

/// Index ranges of the layers when neurons are numbered layer by layer.
fn layer_ranges(layer_sizes: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut start = 0;
    layer_sizes
        .iter()
        .map(|&size| {
            start += size;
            start - size..start
        })
        .collect()
}

fn connect_chain(
    builder: &mut CircuitBuilder,
    layer_sizes: &[usize],
    connectivity: &Connectivity,
    rng: &mut ChaCha8Rng,
) {
    let ranges = layer_ranges(layer_sizes);
    for pair in ranges.windows(2) {
        connectivity.connect(builder, pair[0].clone(), pair[1].clone(), 1.0, rng);
    }
}

/// Sign of a feedback projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackSign {
    /// The higher layer excites the lower one directly (positive feedback).
    #[default]
    Excitatory,
    /// The higher layer excites a pool of inhibitory interneurons, which inhibits the lower
    /// layer (negative feedback). Dale's law rules out a direct inhibitory projection from
    /// the excitatory chain.
    Inhibitory,
}

/// Settings of a feedback loop: a feedforward chain plus a projection from layer
/// `from_layer` back to layer `to_layer`. With [`FeedbackSign::Inhibitory`] the
/// `interneuron_count` interneurons are numbered after the chain; each receives every neuron
/// of `from_layer`. Positions follow [`FeedforwardChainConfig`], with the interneurons at
/// x halfway between the two layers and y below the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedbackLoopConfig {
    /// Neurons per layer, at least 2 layers of at least 1 neuron. Default: `[4, 4, 4]`.
    pub layer_sizes: Vec<usize>,
    /// Forward projection from each layer to the next. Default: [`Connectivity::AllToAll`].
    pub connectivity: Connectivity,
    /// Layer that sends the feedback. Default: 2 (the last layer of the default chain).
    pub from_layer: usize,
    /// Layer that receives the feedback, below `from_layer`. Default: 0.
    pub to_layer: usize,
    /// Excitatory (direct) or inhibitory (through interneurons) feedback.
    /// Default: [`FeedbackSign::Excitatory`].
    pub sign: FeedbackSign,
    /// Projection onto `to_layer` from `from_layer` (excitatory feedback) or from the
    /// interneurons (inhibitory feedback). Default: [`Connectivity::AllToAll`].
    pub feedback_connectivity: Connectivity,
    /// Interneurons of inhibitory feedback, at least 1; unused for excitatory feedback.
    /// Default: 2.
    pub interneuron_count: usize,
    /// Weight of a feedback synapse relative to a forward synapse, before scaling, finite
    /// and positive. Default: 1.0.
    pub feedback_strength: f64,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
    /// Seed of the fixed-fan-in draws. Default: 0.
    pub seed: u64,
}

impl Default for FeedbackLoopConfig {
    fn default() -> Self {
        Self {
            layer_sizes: vec![4, 4, 4],
            connectivity: Connectivity::AllToAll,
            from_layer: 2,
            to_layer: 0,
            sign: FeedbackSign::Excitatory,
            feedback_connectivity: Connectivity::AllToAll,
            interneuron_count: 2,
            feedback_strength: 1.0,
            input_gain: DEFAULT_INPUT_GAIN,
            seed: 0,
        }
    }
}

impl FeedbackLoopConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// Those of [`FeedforwardChainConfig::validate`], plus:
    /// - [`CircuitError::LayerOutOfRange`] for a layer index outside the chain;
    /// - [`CircuitError::FeedbackNotBackward`] unless `from_layer > to_layer`;
    /// - [`CircuitError::CountTooSmall`] for zero interneurons (inhibitory feedback) or a
    ///   zero feedback fan-in;
    /// - [`CircuitError::FanInTooLarge`] if the feedback fan-in exceeds its source population;
    /// - [`CircuitError::NotPositive`] for a bad `feedback_strength`.
    pub fn validate(&self) -> Result<(), CircuitError> {
        self.as_chain().validate()?;
        let layer_count = self.layer_sizes.len();
        for (field, layer) in [("from_layer", self.from_layer), ("to_layer", self.to_layer)] {
            if layer >= layer_count {
                return Err(CircuitError::LayerOutOfRange {
                    field,
                    layer,
                    layer_count,
                });
            }
        }
        if self.from_layer <= self.to_layer {
            return Err(CircuitError::FeedbackNotBackward {
                from_layer: self.from_layer,
                to_layer: self.to_layer,
            });
        }
        let feedback_sources = match self.sign {
            FeedbackSign::Excitatory => self.layer_sizes[self.from_layer],
            FeedbackSign::Inhibitory => {
                check_count("interneuron_count", self.interneuron_count, 1)?;
                let total = self.layer_sizes.iter().sum::<usize>();
                check_neuron_count(total.saturating_add(self.interneuron_count))?;
                self.interneuron_count
            }
        };
        self.feedback_connectivity
            .validate("feedback_connectivity.fan_in", feedback_sources)?;
        check_positive("feedback_strength", self.feedback_strength)
    }

    /// Builds the chain and its feedback projection, scaled to `input_gain`.
    ///
    /// # Errors
    /// The errors of [`FeedbackLoopConfig::validate`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let ranges = layer_ranges(&self.layer_sizes);
        let chain_count: usize = self.layer_sizes.iter().sum();
        let interneurons = match self.sign {
            FeedbackSign::Excitatory => 0,
            FeedbackSign::Inhibitory => self.interneuron_count,
        };

        let mut cell_types = vec![CellType::Excitatory; chain_count];
        cell_types.extend(std::iter::repeat_n(CellType::Inhibitory, interneurons));
        let mut builder = CircuitBuilder::new(cell_types);
        connect_chain(
            &mut builder,
            &self.layer_sizes,
            &self.connectivity,
            &mut rng,
        );

        let from = ranges[self.from_layer].clone();
        let to = ranges[self.to_layer].clone();
        let feedback_sources = match self.sign {
            FeedbackSign::Excitatory => from,
            FeedbackSign::Inhibitory => {
                let pool = chain_count..chain_count + interneurons;
                Connectivity::AllToAll.connect(&mut builder, from, pool.clone(), 1.0, &mut rng);
                pool
            }
        };
        self.feedback_connectivity.connect(
            &mut builder,
            feedback_sources,
            to,
            self.feedback_strength,
            &mut rng,
        );

        let mut positions = layer_positions(&self.layer_sizes);
        let below = positions.iter().map(|p| p[1]).fold(0.0, f64::min) - 1.0;
        let x = (self.from_layer + self.to_layer) as f64 / 2.0;
        positions.extend((0..interneurons).map(|i| [x + i as f64 * 0.5, below]));
        builder.finish(MotifKind::FeedbackLoop, self.input_gain, Some(positions))
    }

    fn as_chain(&self) -> FeedforwardChainConfig {
        FeedforwardChainConfig {
            layer_sizes: self.layer_sizes.clone(),
            connectivity: self.connectivity,
            input_gain: self.input_gain,
            seed: self.seed,
        }
    }
}
