//! Error type shared by graph construction, the triad census and the null models.

use thiserror::Error;

/// Errors raised by this crate. Each message names the rejected value and how to fix it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MotifError {
    /// An edge endpoint is not a node of the graph.
    #[error(
        "edge ({edge_source}, {edge_target}) names node {node}, which is outside 0..{node_count}; \
         use node ids below {node_count} or raise the node count"
    )]
    NodeOutOfRange {
        /// Source node of the rejected edge.
        edge_source: usize,
        /// Target node of the rejected edge.
        edge_target: usize,
        /// The endpoint that is out of range.
        node: usize,
        /// Number of nodes of the graph being built.
        node_count: usize,
    },

    /// The number of node triples does not fit the `u64` counters of the census.
    #[error(
        "a triad census of {node_count} nodes has more than u64::MAX triples; \
         split the graph into parts of at most {max_node_count} nodes"
    )]
    TooManyNodes {
        /// Node count of the rejected graph.
        node_count: usize,
        /// Largest node count whose triple count fits in `u64`.
        max_node_count: usize,
    },

    /// Too few null-model samples to estimate a standard deviation.
    #[error(
        "invalid samples = {samples}: use at least 2 null-model samples (`NullConfig` default 100)"
    )]
    InvalidSamples {
        /// The rejected sample count.
        samples: usize,
    },

    /// The switch count per edge is not a finite positive number.
    #[error("invalid switches_per_edge = {value}: use a finite number greater than 0 (default 10)")]
    InvalidSwitchesPerEdge {
        /// The rejected value.
        value: f64,
    },

    /// The requested number of switches does not fit in `u64`.
    #[error(
        "switches_per_edge = {switches_per_edge} on {edge_count} edges requests more than \
         u64::MAX switches; lower switches_per_edge"
    )]
    TooManySwitches {
        /// The requested switches per edge.
        switches_per_edge: f64,
        /// Number of switchable edges (or mutual pairs) in the graph.
        edge_count: usize,
    },
}
