//! Errors of circuit construction and the motif generators.

use thiserror::Error;

use super::CellType;

/// Errors raised while building a circuit. Each message names the rejected value and the fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CircuitError {
    /// The circuit has no neurons.
    #[error("a circuit needs at least one neuron; pass one cell type per neuron")]
    Empty,

    /// The weight matrix is not square over the neurons.
    #[error(
        "weight matrix has {len} entries but {neuron_count} neurons need {neuron_count} x {neuron_count}; \
         pass a row-major post x pre matrix"
    )]
    WeightShape {
        /// Number of weights passed.
        len: usize,
        /// Number of neurons (cell types) passed.
        neuron_count: usize,
    },

    /// A weight is NaN or infinite.
    #[error("weight {pre} -> {post} is {value}; weights must be finite")]
    NonFiniteWeight {
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// The rejected value.
        value: f64,
    },

    /// A neuron connects to itself.
    #[error("neuron {neuron} has a self-connection of weight {value}; set the diagonal to zero")]
    SelfConnection {
        /// The neuron.
        neuron: usize,
        /// The rejected weight.
        value: f64,
    },

    /// A weight's sign disagrees with the cell type of its presynaptic neuron.
    #[error(
        "weight {pre} -> {post} is {value} but neuron {pre} is {cell_type:?}; Dale's law needs \
         positive outgoing weights from excitatory and negative ones from inhibitory neurons"
    )]
    DaleViolation {
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// The rejected weight.
        value: f64,
        /// Cell type of `pre`.
        cell_type: CellType,
    },

    /// The number of positions differs from the number of neurons.
    #[error("{len} positions for {neuron_count} neurons; pass one position per neuron")]
    PositionCount {
        /// Number of positions passed.
        len: usize,
        /// Number of neurons.
        neuron_count: usize,
    },

    /// A position has a NaN or infinite coordinate.
    #[error("position of neuron {neuron} is not finite; coordinates must be finite numbers")]
    NonFinitePosition {
        /// The neuron.
        neuron: usize,
    },

    /// A planted motif names a node outside the circuit.
    #[error("planted motif {motif} names node {node}, outside 0..{neuron_count}")]
    MotifNodeOutOfRange {
        /// Index of the motif in the list.
        motif: usize,
        /// The out-of-range node.
        node: usize,
        /// Number of neurons.
        neuron_count: usize,
    },

    /// A planted motif lists an arc that the weights do not contain.
    #[error("planted motif {motif} lists arc {pre} -> {post}, but that weight is zero")]
    MotifArcMissing {
        /// Index of the motif in the list.
        motif: usize,
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
    },
}
