//! Error type shared by graph construction, the motif censuses, the null models and the
//! significance profiles.

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

    /// A count that grows with the node count does not fit in `u64`: the C(n,3) triples of
    /// the triad census, or the n(n - 1) possible arcs of an Erdős–Rényi graph.
    #[error(
        "{node_count} nodes are too many: the triad census needs C(n,3) and an Erdős–Rényi \
         graph n(n - 1) to fit in u64; use at most {max_node_count} nodes"
    )]
    TooManyNodes {
        /// Node count of the rejected graph.
        node_count: usize,
        /// Largest node count whose triple count fits in `u64`.
        max_node_count: usize,
    },

    /// Too few null-model samples to estimate a standard deviation.
    #[error(
        "invalid samples = {samples}: use at least 2 null-model samples"
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

    /// A local arc of a motif pattern is a self-loop or names a node outside the pattern.
    #[error(
        "invalid pattern arc ({arc_source}, {arc_target}): use two distinct local nodes \
         below {node_count}"
    )]
    InvalidLocalArc {
        /// Source of the rejected arc.
        arc_source: usize,
        /// Target of the rejected arc.
        arc_target: usize,
        /// Number of nodes of the pattern.
        node_count: usize,
    },

    /// A 4-node pattern does not join all four nodes, so it belongs to no census class.
    #[error(
        "the 4-node pattern with adjacency code {code:#05x} is not weakly connected; the \
         census counts connected patterns only, so add arcs that join all four nodes"
    )]
    DisconnectedPattern {
        /// 12-bit adjacency code of the pattern.
        code: u16,
    },

    /// The same arc was given both signs.
    #[error(
        "arc ({edge_source}, {edge_target}) is listed as both excitatory and inhibitory; give \
         each arc one sign, for example the sign of its stronger synapse"
    )]
    ConflictingSign {
        /// Source node of the arc.
        edge_source: usize,
        /// Target node of the arc.
        edge_target: usize,
    },

    /// The excitatory and inhibitory graphs of a signed graph have different node counts.
    #[error(
        "the excitatory graph has {excitatory} nodes but the inhibitory graph {inhibitory}; \
         build both over the same node count"
    )]
    NodeCountMismatch {
        /// Node count of the excitatory graph.
        excitatory: usize,
        /// Node count of the inhibitory graph.
        inhibitory: usize,
    },

    /// A null model that keeps signs was asked to randomise a graph without signs.
    #[error(
        "null model {model} needs arc signs; pass a `SignedDiGraph` or choose an unsigned \
         null model"
    )]
    SignsRequired {
        /// Name of the requested null model.
        model: &'static str,
    },

    /// More arcs were requested than a simple digraph on the node count can hold.
    #[error(
        "arc_count = {arc_count} exceeds the {max_arc_count} arcs of a complete simple \
         digraph on {node_count} nodes; lower arc_count or raise node_count"
    )]
    TooManyArcs {
        /// Requested arc count.
        arc_count: usize,
        /// Requested node count.
        node_count: usize,
        /// n(n - 1), the largest possible arc count.
        max_arc_count: u128,
    },

    /// A significance profile was requested from no z-scores.
    #[error("the significance profile needs at least one z-score, got none")]
    EmptyProfile,

    /// A z-score is NaN or infinite.
    #[error(
        "z-score {index} is {value}; the significance profile needs finite z-scores, so drop \
         classes whose null standard deviation is 0"
    )]
    NonFiniteZScore {
        /// Position of the z-score.
        index: usize,
        /// The rejected value.
        value: f64,
    },

    /// Every z-score is 0, so the profile has no direction.
    #[error(
        "all {count} z-scores are 0, so the significance profile Z / |Z| is undefined; the \
         graph matches its null model in every class"
    )]
    ZeroProfile {
        /// Number of z-scores.
        count: usize,
    },
}
