//! Topographic maps: excitatory neurons on a ring or a 2-D sheet, connected with a probability
//! and a weight that fall off with distance.
//!
//! Neighbouring neurons connect more often and more strongly than distant ones, which keeps
//! neighbouring positions of a sensory map together from one stage to the next. A ring is the
//! layout of head-direction and orientation-tuning models, and a sheet with periodic
//! boundaries (a torus) avoids edge effects.
//!
//! Distances are measured in units of the neuron spacing. For `0 < d <= radius` the arc
//! `pre -> post` exists with probability `peak_probability × exp(-d² / (2 connection_sigma²))`
//! (or `peak_probability` when `connection_sigma` is `None`) and has weight
//! `exp(-d² / (2 weight_sigma²))` before the common scaling to `input_gain`.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::build::{
    CircuitBuilder, DEFAULT_INPUT_GAIN, check_count, check_neuron_count, check_positive,
    check_probability,
};
use super::lateral::ring_distance;
use super::{CellType, Circuit, CircuitError, MotifKind};

/// Spatial layout of a topographic map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MapLayout {
    /// `neuron_count` neurons evenly spaced on a ring. Neuron `i` has position
    /// `[2π i / neuron_count, 0.0]` (angle in radians), and the distance between `i` and `j`
    /// is `min(|i - j|, neuron_count - |i - j|)`.
    Ring {
        /// Neurons on the ring, at least 3.
        neuron_count: usize,
    },
    /// A `width × height` grid with unit spacing. Neuron `row * width + col` has position
    /// `[col, row]`. The distance is Euclidean; with `periodic` each axis wraps around, so
    /// the offset along x is `min(|Δcol|, width - |Δcol|)` and likewise along y.
    Sheet {
        /// Columns, at least 1.
        width: usize,
        /// Rows, at least 1; `width × height` is at least 2.
        height: usize,
        /// Whether the sheet wraps around into a torus.
        periodic: bool,
    },
}

impl Default for MapLayout {
    fn default() -> Self {
        Self::Ring { neuron_count: 16 }
    }
}

impl MapLayout {
    /// Number of neurons, saturating at `usize::MAX`.
    pub fn neuron_count(&self) -> usize {
        match *self {
            MapLayout::Ring { neuron_count } => neuron_count,
            MapLayout::Sheet { width, height, .. } => width.saturating_mul(height),
        }
    }

    /// Position of neuron `i < neuron_count`: `[angle_rad, 0.0]` on a ring, `[col, row]` on a
    /// sheet.
    fn position(&self, i: usize) -> [f64; 2] {
        match *self {
            MapLayout::Ring { neuron_count } => {
                [std::f64::consts::TAU * i as f64 / neuron_count as f64, 0.0]
            }
            MapLayout::Sheet { width, .. } => [(i % width) as f64, (i / width) as f64],
        }
    }

    /// Distance between neurons `i, j < neuron_count` in units of the neuron spacing, with
    /// periodic boundaries on a ring and on a periodic sheet.
    fn distance(&self, i: usize, j: usize) -> f64 {
        match *self {
            MapLayout::Ring { neuron_count } => ring_distance(i, j, neuron_count) as f64,
            MapLayout::Sheet {
                width,
                height,
                periodic,
            } => {
                let axis = |a: usize, b: usize, len: usize| {
                    if periodic {
                        ring_distance(a, b, len)
                    } else {
                        a.abs_diff(b)
                    }
                };
                let dx = axis(i % width, j % width, width) as f64;
                let dy = axis(i / width, j / width, height) as f64;
                dx.hypot(dy)
            }
        }
    }
}

/// Settings of a topographic map. All neurons are excitatory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopographicMapConfig {
    /// Ring or sheet. Default: a ring of 16 neurons.
    pub layout: MapLayout,
    /// Largest distance of an arc, finite and positive, in neuron spacings. Default: 3.0.
    pub radius: f64,
    /// Connection probability at distance 0, in `[0, 1]`. Default: 1.0.
    pub peak_probability: f64,
    /// Width of the Gaussian fall-off of the connection probability, finite and positive,
    /// or `None` for a constant probability within `radius`. Default: `Some(2.0)`.
    pub connection_sigma: Option<f64>,
    /// Width of the Gaussian fall-off of the weight, finite and positive. Default: 2.0.
    pub weight_sigma: f64,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
    /// Seed of the connection draws. Default: 0.
    pub seed: u64,
}

impl Default for TopographicMapConfig {
    fn default() -> Self {
        Self {
            layout: MapLayout::default(),
            radius: 3.0,
            peak_probability: 1.0,
            connection_sigma: Some(2.0),
            weight_sigma: 2.0,
            input_gain: DEFAULT_INPUT_GAIN,
            seed: 0,
        }
    }
}

impl TopographicMapConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`CircuitError::CountTooSmall`] for a ring of fewer than 3 neurons, an empty sheet
    /// axis or a sheet of one neuron, [`CircuitError::NotPositive`] for a bad `radius`,
    /// `connection_sigma`, `weight_sigma` or `input_gain`, [`CircuitError::NotProbability`]
    /// for a bad `peak_probability`, and [`CircuitError::TooManyNeurons`] above
    /// [`super::MAX_NEURONS`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        match self.layout {
            MapLayout::Ring { neuron_count } => {
                check_count("layout.neuron_count", neuron_count, 3)?;
            }
            MapLayout::Sheet { width, height, .. } => {
                check_count("layout.width", width, 1)?;
                check_count("layout.height", height, 1)?;
                check_count("layout (width × height)", width.saturating_mul(height), 2)?;
            }
        }
        check_neuron_count(self.layout.neuron_count())?;
        check_positive("radius", self.radius)?;
        check_probability("peak_probability", self.peak_probability)?;
        if let Some(sigma) = self.connection_sigma {
            check_positive("connection_sigma", sigma)?;
        }
        check_positive("weight_sigma", self.weight_sigma)?;
        check_positive("input_gain", self.input_gain)
    }

    /// Connection probability at distance `d` (not checked against `radius`).
    pub fn connection_probability(&self, d: f64) -> f64 {
        match self.connection_sigma {
            Some(sigma) => self.peak_probability * gaussian(d, sigma),
            None => self.peak_probability,
        }
    }

    /// Builds the map, scaled to `input_gain`.
    ///
    /// # Errors
    /// The errors of [`TopographicMapConfig::validate`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        let n = self.layout.neuron_count();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut builder = CircuitBuilder::new(vec![CellType::Excitatory; n]);
        for post in 0..n {
            for pre in (0..n).filter(|&pre| pre != post) {
                let d = self.layout.distance(pre, post);
                if d > self.radius {
                    continue;
                }
                if rng.random_bool(self.connection_probability(d)) {
                    // NOTE: a weight_sigma far below the spacing underflows exp() to 0 and
                    // drops the arc, so such maps have fewer arcs than `connection_probability` gives.
                    builder.connect(pre, post, gaussian(d, self.weight_sigma));
                }
            }
        }
        let positions = (0..n).map(|i| self.layout.position(i)).collect();
        builder.finish(MotifKind::TopographicMap, self.input_gain, Some(positions))
    }
}

/// Unnormalised Gaussian `exp(-d² / (2 σ²))`.
fn gaussian(d: f64, sigma: f64) -> f64 {
    (-d * d / (2.0 * sigma * sigma)).exp()
}
