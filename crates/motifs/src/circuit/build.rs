//! Shared machinery of the generators: parameter checks, random sampling helpers and the
//! weight scaling that keeps rate dynamics stable.
//!
//! Every generator first lays down unsigned synapse magnitudes, then signs them by the cell
//! type of the presynaptic neuron (so Dale's law is met by construction) and finally scales the
//! whole matrix so that the largest total absolute input of any neuron,
//! `max_post Σ_pre |W[post][pre]|`, equals the configured `input_gain`.
//!
//! Why that norm: for `τ dx/dt = -x + W φ(x) + I` with `φ` non-decreasing and 1-Lipschitz
//! (tanh, a logistic function of slope at most 1, a rectifier), the Jacobian is
//! `(-1 + W D) / τ` with `D` diagonal and entries in `[0, 1]`. Its matrix measure in the
//! max-norm is at most `(-1 + max_post Σ_pre |W[post][pre]|) / τ`, so any `input_gain` below 1
//! makes the network contracting: it has one fixed point, which attracts every trajectory.
//! The same number bounds the spectral radius of `W`.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{CellType, Circuit, CircuitError, MotifKind, PlantedMotif};

/// Default largest total absolute input weight of a neuron (see the module docs): below 1, so
/// a rate network with a 1-Lipschitz transfer function has a single stable fixed point.
pub const DEFAULT_INPUT_GAIN: f64 = 0.9;

/// Largest neuron count of a generated circuit. Weights are a dense `n × n` matrix of `f64`,
/// which takes 2 GiB at this size.
pub const MAX_NEURONS: usize = 16_384;

/// Checks that a count is at least `min`.
pub(crate) fn check_count(
    field: &'static str,
    value: usize,
    min: usize,
) -> Result<(), CircuitError> {
    if value < min {
        return Err(CircuitError::CountTooSmall { field, value, min });
    }
    Ok(())
}

/// Checks that a value is finite and greater than zero.
pub(crate) fn check_positive(field: &'static str, value: f64) -> Result<(), CircuitError> {
    if !(value.is_finite() && value > 0.0) {
        return Err(CircuitError::NotPositive { field, value });
    }
    Ok(())
}

/// Checks that a value lies in `[0, 1]`.
pub(crate) fn check_probability(field: &'static str, value: f64) -> Result<(), CircuitError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(CircuitError::NotProbability { field, value });
    }
    Ok(())
}

/// Checks that a circuit of `neuron_count` neurons fits [`MAX_NEURONS`].
pub(crate) fn check_neuron_count(neuron_count: usize) -> Result<(), CircuitError> {
    if neuron_count > MAX_NEURONS {
        return Err(CircuitError::TooManyNeurons {
            neuron_count,
            max: MAX_NEURONS,
        });
    }
    Ok(())
}

/// Draws `k` distinct values of `0..len` by a partial Fisher–Yates shuffle, sorted ascending.
/// The caller guarantees `k <= len`.
pub(crate) fn sample_distinct(rng: &mut ChaCha8Rng, len: usize, k: usize) -> Vec<usize> {
    let mut pool: Vec<usize> = (0..len).collect();
    for i in 0..k {
        let j = rng.random_range(i..len);
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool.sort_unstable();
    pool
}

/// Unsigned synapse magnitudes over neurons with fixed cell types, turned into a [`Circuit`]
/// by [`CircuitBuilder::finish`].
pub(crate) struct CircuitBuilder {
    cell_types: Vec<CellType>,
    magnitudes: Vec<f64>,
}

impl CircuitBuilder {
    pub(crate) fn new(cell_types: Vec<CellType>) -> Self {
        let n = cell_types.len();
        Self {
            cell_types,
            magnitudes: vec![0.0; n * n],
        }
    }

    pub(crate) fn neuron_count(&self) -> usize {
        self.cell_types.len()
    }

    /// Sets the magnitude of the synapse `pre -> post`. Zero removes it.
    pub(crate) fn connect(&mut self, pre: usize, post: usize, magnitude: f64) {
        let n = self.neuron_count();
        self.magnitudes[post * n + pre] = magnitude;
    }

    /// Signs the magnitudes by presynaptic cell type, scales them to `input_gain` and labels
    /// every arc as one planted motif of `kind` spanning all neurons.
    pub(crate) fn finish(
        self,
        kind: MotifKind,
        input_gain: f64,
        positions: Option<Vec<[f64; 2]>>,
    ) -> Result<Circuit, CircuitError> {
        let n = self.neuron_count();
        let mut weights = self.magnitudes;
        for post in 0..n {
            for (pre, cell_type) in self.cell_types.iter().enumerate() {
                if *cell_type == CellType::Inhibitory {
                    weights[post * n + pre] = -weights[post * n + pre];
                }
            }
        }
        scale_to_input_gain(&mut weights, n, input_gain);

        let mut circuit = Circuit::new(weights, self.cell_types)?;
        if let Some(positions) = positions {
            circuit = circuit.with_positions(positions)?;
        }
        let motif = PlantedMotif {
            kind,
            nodes: (0..n).collect(),
            arcs: circuit.graph().edges().collect(),
        };
        circuit.with_motifs(vec![motif])
    }
}

/// Largest total absolute input of a neuron, `max_post Σ_pre |W[post][pre]|`.
pub(crate) fn max_abs_row_sum(weights: &[f64], neuron_count: usize) -> f64 {
    if neuron_count == 0 {
        return 0.0;
    }
    weights
        .chunks_exact(neuron_count)
        .map(|row| row.iter().map(|w| w.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Multiplies all weights by one factor so the largest absolute row sum equals `input_gain`.
/// A matrix without synapses is left as it is.
pub(crate) fn scale_to_input_gain(weights: &mut [f64], neuron_count: usize, input_gain: f64) {
    let largest = max_abs_row_sum(weights, neuron_count);
    if largest > 0.0 {
        let factor = input_gain / largest;
        weights.iter_mut().for_each(|w| *w *= factor);
    }
}

/// Positions of a layered circuit: layer index along x, neurons centred on y = 0 with unit
/// spacing.
pub(crate) fn layer_positions(layer_sizes: &[usize]) -> Vec<[f64; 2]> {
    layer_sizes
        .iter()
        .enumerate()
        .flat_map(|(layer, &size)| {
            let centre = (size as f64 - 1.0) / 2.0;
            (0..size).map(move |i| [layer as f64, i as f64 - centre])
        })
        .collect()
}
