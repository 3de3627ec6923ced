//! Mapping of attention heads and energy-model couplings onto circuit motifs and connectomes.
//!
//! Implemented, over plain `f64` matrices:
//!
//! - [`ArcWeights`]: a square matrix read as scores per arc, with absolute or signed weights
//!   ([`WeightSign`]) and the diagonal ignored. [`Orientation`] states the convention once:
//!   attention `A[i][j]` is token `i` attending to `j`, read as the arc `j -> i`, and
//!   couplings are symmetrised;
//! - [`to_digraph`]: a [`ncm_motifs::DiGraph`] by threshold or top-k per node or overall;
//! - scores against a reference graph: [`edge_recovery`] (AUROC by Mann-Whitney with midranks,
//!   AUPRC as scikit-learn's average precision; directed, or undirected with the larger arc
//!   score per pair), [`weight_correlation`] (Pearson and Spearman over off-diagonal entries)
//!   and [`profile_distance`] between triad significance profiles of Milo et al. 2004
//!   (Science 303:1538);
//! - baselines from a recording ([`TimeSeries`]): [`correlation_matrix`],
//!   [`partial_correlation`] with shrinkage toward the diagonal or
//!   [`partial_correlation_ledoit_wolf`] with the Ledoit-Wolf shrinkage, and [`granger_causality`]
//!   (log ratio of restricted to full residual sums of squares);
//! - [`permutation_test`]: node-label permutation p-values of the AUROC, seeded, and
//!   [`benjamini_hochberg`] adjustment across heads;
//! - the modern-Hopfield diagnosis of a head (Ramsauer et al. 2021, ICLR): [`diagnose_head`]
//!   reads its regime from row perplexities by the rule of `ncm_ebm::hopfield::Regime`, and
//!   [`fit_inverse_temperature`] fits its effective inverse temperature to the similarities;
//! - [`assign_templates`]: each head's best-matching template graph, with a permutation
//!   p-value under the max-over-templates null and Benjamini-Hochberg q-values across heads.
//!
//! - [`average_attention`]: per-head matrices from the `[sequences, heads, tokens, tokens]`
//!   attention weights of an `ncm-transformer` forward pass, averaged over the sequences.

mod assign;
mod attention;
mod baseline;
mod error;
mod graph;
mod hopfield;
mod matrix;
mod permutation;
mod score;

pub use assign::{TemplateMatch, assign_templates};
pub use attention::average_attention;
pub use baseline::{
    TimeSeries, correlation_matrix, granger_causality, partial_correlation,
    partial_correlation_ledoit_wolf,
};
pub use error::MappingError;
pub use graph::{EdgeSelection, digraph_from_adjacency, to_digraph};
pub use hopfield::{
    HeadDiagnosis, HopfieldRegime, MAX_INVERSE_TEMPERATURE, diagnose_head, fit_inverse_temperature,
};
pub use matrix::{ArcWeights, Orientation, WeightSign};
pub use permutation::{PermutationTest, benjamini_hochberg, permutation_test};
pub use score::{
    Direction, EdgeRecovery, ProfileDistance, WeightCorrelation, auroc, average_precision,
    edge_recovery, pearson, profile_distance, spearman, weight_correlation,
};
