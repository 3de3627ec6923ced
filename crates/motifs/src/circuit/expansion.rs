//! Dimensionality expansion: few input neurons fan out onto many expansion units, each of
//! which samples exactly K inputs, with optional global feedback inhibition.
//!
//! Cerebellar granule cells are wired this way, each with a few (about four) mossy-fibre
//! inputs (Marr 1969, "A theory of cerebellar cortex", Journal of Physiology 202:437–470).
//! So are Kenyon cells of the fly mushroom body, which receive about seven projection-neuron
//! inputs and are kept sparse by one wide-field inhibitory neuron (APL).
//! Litwin-Kumar, Harris, Axel, Sompolinsky & Abbott 2017, "Optimal degrees of synaptic
//! connectivity", Neuron 93:1153–1164, analyse how K shapes the expanded representation.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::build::{
    CircuitBuilder, DEFAULT_INPUT_GAIN, check_count, check_neuron_count, check_positive,
    sample_distinct,
};
use super::{CellType, Circuit, CircuitError, MotifKind};

/// Settings of an expansion circuit. Neurons are numbered inputs first
/// (`0..input_count`), then expansion units, then the inhibitory neuron if present.
///
/// Before scaling, an input synapse has weight 1, the expansion units share a total weight of 1
/// onto the inhibitory neuron, and that neuron inhibits every unit with `inhibition_ratio`.
/// Positions: inputs at x = 0, units at x = 1, the inhibitory neuron at x = 2, each column
/// centred on y = 0 with unit spacing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DimensionalityExpansionConfig {
    /// Input neurons (mossy fibres, projection neurons), at least 1. Default: 4.
    pub input_count: usize,
    /// Expansion units (granule cells, Kenyon cells), at least 1. Default: 16.
    pub expansion_count: usize,
    /// Inputs per expansion unit (K), drawn uniformly without replacement; at least 1 and at
    /// most `input_count`. Default: 2.
    pub inputs_per_unit: usize,
    /// Whether one inhibitory neuron pools all expansion units and inhibits each of them
    /// (Golgi cell, APL). Default: true.
    pub global_inhibition: bool,
    /// Weight of the inhibitory synapse onto a unit relative to one input synapse, before
    /// scaling, finite and positive; unused without global inhibition. Default: 1.0.
    pub inhibition_ratio: f64,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
    /// Seed of the input draws. Default: 0.
    pub seed: u64,
}

impl Default for DimensionalityExpansionConfig {
    fn default() -> Self {
        Self {
            input_count: 4,
            expansion_count: 16,
            inputs_per_unit: 2,
            global_inhibition: true,
            inhibition_ratio: 1.0,
            input_gain: DEFAULT_INPUT_GAIN,
            seed: 0,
        }
    }
}

impl DimensionalityExpansionConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`CircuitError::CountTooSmall`] for zero inputs, units or inputs per unit,
    /// [`CircuitError::FanInTooLarge`] if `inputs_per_unit > input_count`,
    /// [`CircuitError::NotPositive`] for a bad `inhibition_ratio` or `input_gain`, and
    /// [`CircuitError::TooManyNeurons`] above [`super::MAX_NEURONS`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        check_count("input_count", self.input_count, 1)?;
        check_count("expansion_count", self.expansion_count, 1)?;
        check_count("inputs_per_unit", self.inputs_per_unit, 1)?;
        if self.inputs_per_unit > self.input_count {
            return Err(CircuitError::FanInTooLarge {
                field: "inputs_per_unit",
                fan_in: self.inputs_per_unit,
                available: self.input_count,
            });
        }
        check_neuron_count(self.neuron_count())?;
        if self.global_inhibition {
            check_positive("inhibition_ratio", self.inhibition_ratio)?;
        }
        check_positive("input_gain", self.input_gain)
    }

    /// Number of neurons, saturating at `usize::MAX`.
    pub fn neuron_count(&self) -> usize {
        self.input_count
            .saturating_add(self.expansion_count)
            .saturating_add(usize::from(self.global_inhibition))
    }

    /// Builds the circuit, scaled to `input_gain`.
    ///
    /// # Errors
    /// The errors of [`DimensionalityExpansionConfig::validate`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let units = self.input_count..self.input_count + self.expansion_count;
        let mut cell_types = vec![CellType::Excitatory; units.end];
        if self.global_inhibition {
            cell_types.push(CellType::Inhibitory);
        }
        let mut builder = CircuitBuilder::new(cell_types);

        for unit in units.clone() {
            for input in sample_distinct(&mut rng, self.input_count, self.inputs_per_unit) {
                builder.connect(input, unit, 1.0);
            }
        }
        if self.global_inhibition {
            let inhibitory = units.end;
            let pooling = 1.0 / self.expansion_count as f64;
            for unit in units {
                builder.connect(unit, inhibitory, pooling);
                builder.connect(inhibitory, unit, self.inhibition_ratio);
            }
        }

        let mut columns = vec![self.input_count, self.expansion_count];
        if self.global_inhibition {
            columns.push(1);
        }
        let positions = super::build::layer_positions(&columns);
        builder.finish(
            MotifKind::DimensionalityExpansion,
            self.input_gain,
            Some(positions),
        )
    }
}
