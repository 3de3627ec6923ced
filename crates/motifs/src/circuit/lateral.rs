//! Lateral inhibition: winner-take-all through a shared inhibitory pool, and centre-surround.
//!
//! Winner-take-all: excitatory units drive a common pool of inhibitory neurons, which inhibits
//! every unit, so the most strongly driven unit suppresses the others.
//! Centre-surround: units on a ring excite their near neighbours and, through a local
//! inhibitory interneuron each, inhibit the units further out, giving the "Mexican hat"
//! interaction of Amari 1977, "Dynamics of pattern formation in lateral-inhibition type
//! neural fields", Biological Cybernetics 27:77–87. The interneurons keep Dale's law: no
//! neuron both excites and inhibits.

use serde::{Deserialize, Serialize};

use super::build::{
    CircuitBuilder, DEFAULT_INPUT_GAIN, check_count, check_neuron_count, check_positive,
};
use super::{CellType, Circuit, CircuitError, MotifKind};

/// Arrangement of the lateral inhibition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LateralStructure {
    /// Excitatory units `0..excitatory_count`, then the inhibitory pool. Every unit excites
    /// every pool neuron and every pool neuron inhibits every unit. Units do not excite each
    /// other.
    WinnerTakeAll {
        /// Competing excitatory units, at least 2.
        excitatory_count: usize,
        /// Inhibitory pool neurons, at least 1.
        inhibitory_count: usize,
    },
    /// Excitatory units `0..unit_count` on a ring, then one inhibitory interneuron per unit
    /// (unit `i` has interneuron `unit_count + i`). With ring distance
    /// `d(i, j) = min(|i - j|, unit_count - |i - j|)`, unit `i` excites unit `j` for
    /// `1 <= d <= centre_radius`, excites its own interneuron, and that interneuron inhibits
    /// unit `j` for `centre_radius < d <= surround_radius`.
    CentreSurround {
        /// Units on the ring, at least 3.
        unit_count: usize,
        /// Reach of lateral excitation in units; 0 turns it off. Below `surround_radius`.
        centre_radius: usize,
        /// Reach of lateral inhibition in units, above `centre_radius`.
        surround_radius: usize,
    },
}

impl Default for LateralStructure {
    fn default() -> Self {
        Self::WinnerTakeAll {
            excitatory_count: 6,
            inhibitory_count: 2,
        }
    }
}

/// Settings of a lateral-inhibition circuit. It is deterministic, so it takes no seed.
///
/// Before scaling, an excitatory synapse onto a unit has weight 1 and the synapses onto an
/// inhibitory neuron share a total of 1. The inhibitory synapses onto a unit sum to
/// `inhibition_ratio` in magnitude, split evenly over its inhibitory inputs.
/// Positions: winner-take-all units on y = 0 and the pool on y = 1; centre-surround units
/// on the unit circle and their interneurons on a circle of radius 0.7 at the same angle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LateralInhibitionConfig {
    /// Winner-take-all or centre-surround. Default: winner-take-all with 6 excitatory units
    /// and 2 inhibitory neurons.
    pub structure: LateralStructure,
    /// Total inhibition onto a unit relative to the total excitation onto a pool neuron
    /// (winner-take-all) or to one excitatory synapse (centre-surround), finite and
    /// positive. Default: 2.0.
    pub inhibition_ratio: f64,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
}

impl Default for LateralInhibitionConfig {
    fn default() -> Self {
        Self {
            structure: LateralStructure::default(),
            inhibition_ratio: 2.0,
            input_gain: DEFAULT_INPUT_GAIN,
        }
    }
}

impl LateralInhibitionConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`CircuitError::CountTooSmall`] for too few units or pool neurons (a centre-surround
    /// ring needs at least `max(3, 2 × (centre_radius + 1))` units, so that some unit lies
    /// beyond the centre),
    /// [`CircuitError::SurroundInsideCentre`] unless `surround_radius > centre_radius`,
    /// [`CircuitError::NotPositive`] for a bad `inhibition_ratio` or `input_gain`, and
    /// [`CircuitError::TooManyNeurons`] above [`super::MAX_NEURONS`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        match self.structure {
            LateralStructure::WinnerTakeAll {
                excitatory_count,
                inhibitory_count,
            } => {
                check_count("structure.excitatory_count", excitatory_count, 2)?;
                check_count("structure.inhibitory_count", inhibitory_count, 1)?;
            }
            LateralStructure::CentreSurround {
                unit_count,
                centre_radius,
                surround_radius,
            } => {
                check_count("structure.unit_count", unit_count, 3)?;
                if surround_radius <= centre_radius {
                    return Err(CircuitError::SurroundInsideCentre {
                        centre_radius,
                        surround_radius,
                    });
                }
                // Ring distances reach unit_count / 2, so smaller rings have no surround.
                let min_units = centre_radius.saturating_add(1).saturating_mul(2);
                check_count("structure.unit_count", unit_count, min_units)?;
            }
        }
        check_neuron_count(self.neuron_count())?;
        check_positive("inhibition_ratio", self.inhibition_ratio)?;
        check_positive("input_gain", self.input_gain)
    }

    /// Number of neurons, saturating at `usize::MAX`.
    pub fn neuron_count(&self) -> usize {
        match self.structure {
            LateralStructure::WinnerTakeAll {
                excitatory_count,
                inhibitory_count,
            } => excitatory_count.saturating_add(inhibitory_count),
            LateralStructure::CentreSurround { unit_count, .. } => unit_count.saturating_mul(2),
        }
    }

    /// Builds the circuit, scaled to `input_gain`.
    ///
    /// # Errors
    /// The errors of [`LateralInhibitionConfig::validate`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        match self.structure {
            LateralStructure::WinnerTakeAll {
                excitatory_count,
                inhibitory_count,
            } => self.build_winner_take_all(excitatory_count, inhibitory_count),
            LateralStructure::CentreSurround {
                unit_count,
                centre_radius,
                surround_radius,
            } => self.build_centre_surround(unit_count, centre_radius, surround_radius),
        }
    }

    fn build_winner_take_all(
        &self,
        excitatory_count: usize,
        inhibitory_count: usize,
    ) -> Result<Circuit, CircuitError> {
        let mut cell_types = vec![CellType::Excitatory; excitatory_count];
        cell_types.extend(std::iter::repeat_n(CellType::Inhibitory, inhibitory_count));
        let mut builder = CircuitBuilder::new(cell_types);

        let pool = excitatory_count..excitatory_count + inhibitory_count;
        let excitation = 1.0 / excitatory_count as f64;
        let inhibition = self.inhibition_ratio / inhibitory_count as f64;
        for unit in 0..excitatory_count {
            for inhibitory in pool.clone() {
                builder.connect(unit, inhibitory, excitation);
                builder.connect(inhibitory, unit, inhibition);
            }
        }

        let unit_centre = (excitatory_count as f64 - 1.0) / 2.0;
        let pool_centre = (inhibitory_count as f64 - 1.0) / 2.0;
        let mut positions: Vec<[f64; 2]> = (0..excitatory_count)
            .map(|i| [i as f64 - unit_centre, 0.0])
            .collect();
        positions.extend((0..inhibitory_count).map(|i| [i as f64 - pool_centre, 1.0]));
        builder.finish(
            MotifKind::LateralInhibition,
            self.input_gain,
            Some(positions),
        )
    }

    fn build_centre_surround(
        &self,
        unit_count: usize,
        centre_radius: usize,
        surround_radius: usize,
    ) -> Result<Circuit, CircuitError> {
        let mut cell_types = vec![CellType::Excitatory; unit_count];
        cell_types.extend(std::iter::repeat_n(CellType::Inhibitory, unit_count));
        let mut builder = CircuitBuilder::new(cell_types);

        let surround_inputs = (0..unit_count)
            .filter(|&j| {
                (centre_radius + 1..=surround_radius).contains(&ring_distance(0, j, unit_count))
            })
            .count();
        let inhibition = self.inhibition_ratio / surround_inputs.max(1) as f64;
        for i in 0..unit_count {
            let interneuron = unit_count + i;
            builder.connect(i, interneuron, 1.0);
            for j in (0..unit_count).filter(|&j| j != i) {
                let distance = ring_distance(i, j, unit_count);
                if distance <= centre_radius {
                    builder.connect(i, j, 1.0);
                } else if distance <= surround_radius {
                    builder.connect(interneuron, j, inhibition);
                }
            }
        }

        let positions = (0..2 * unit_count)
            .map(|k| {
                let angle = std::f64::consts::TAU * (k % unit_count) as f64 / unit_count as f64;
                let radius = if k < unit_count { 1.0 } else { 0.7 };
                [radius * angle.cos(), radius * angle.sin()]
            })
            .collect();
        builder.finish(
            MotifKind::LateralInhibition,
            self.input_gain,
            Some(positions),
        )
    }
}

/// Distance between positions `i` and `j` on a ring of `len` positions.
pub(crate) fn ring_distance(i: usize, j: usize, len: usize) -> usize {
    let gap = i.abs_diff(j);
    gap.min(len - gap)
}
