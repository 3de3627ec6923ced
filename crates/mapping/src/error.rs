//! Error type of the mapping crate: each variant names the rejected value and the fix.

use thiserror::Error;

/// Errors raised by this crate.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MappingError {
    /// A matrix has no rows or no columns.
    #[error("{what} is empty; pass at least one node (or one sample and one channel)")]
    Empty {
        /// Name of the empty input.
        what: &'static str,
    },

    /// A flat buffer does not hold `rows * cols` values.
    #[error(
        "{what} contains {len} values but {rows} x {cols} = {expected} were expected; fix the shape"
    )]
    Shape {
        /// Name of the input with the wrong shape.
        what: &'static str,
        /// Length of the buffer.
        len: usize,
        /// Declared rows.
        rows: usize,
        /// Declared columns.
        cols: usize,
        /// `rows * cols`.
        expected: usize,
    },

    /// A matrix that must be square is not.
    #[error("{what} is {rows} x {cols}; pass a square matrix")]
    NotSquare {
        /// Name of the non-square input.
        what: &'static str,
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
    },

    /// A value is NaN or infinite.
    #[error(
        "{what} has a non-finite value {value} at row {row}, column {col}; remove or impute it"
    )]
    NonFinite {
        /// Name of the input that contains the value.
        what: &'static str,
        /// Row of the value.
        row: usize,
        /// Column of the value.
        col: usize,
        /// The value.
        value: f64,
    },

    /// Two inputs that must cover the same nodes differ in size.
    #[error("{what}: {left} nodes against {right}; compare matrices and graphs of the same size")]
    SizeMismatch {
        /// Name of the failed comparison.
        what: &'static str,
        /// Size of the first input.
        left: usize,
        /// Size of the second input.
        right: usize,
    },

    /// The reference has no edge, or every pair is an edge, so AUROC is undefined.
    #[error(
        "the reference has {positives} edges and {negatives} non-edges among the scored pairs; \
         AUROC and AUPRC need at least one of each"
    )]
    OneClass {
        /// Scored pairs that are reference edges.
        positives: usize,
        /// Scored pairs that are not.
        negatives: usize,
    },

    /// A correlation is undefined because one input is constant.
    #[error("{what} is constant over the compared entries, so its correlation is undefined")]
    Constant {
        /// Name of the constant input.
        what: &'static str,
    },

    /// A parameter is out of its range.
    #[error("invalid {name} = {value}: {expected}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The rejected value, printed.
        value: String,
        /// Accepted values.
        expected: &'static str,
    },

    /// A matrix that must be positive definite is not (numerically).
    #[error(
        "{what} is not positive definite (pivot {pivot} at row {row}); raise the shrinkage or ridge"
    )]
    NotPositiveDefinite {
        /// Name of the matrix.
        what: &'static str,
        /// Row of the failing pivot.
        row: usize,
        /// The pivot value.
        pivot: f64,
    },

    /// Too few samples for the requested model.
    #[error("{samples} samples are too few for {what}; need at least {needed}")]
    TooFewSamples {
        /// Name of the estimate that needs the samples.
        what: &'static str,
        /// Samples given.
        samples: usize,
        /// Samples needed.
        needed: usize,
    },

    /// An attention row is not a probability distribution.
    #[error(
        "attention row {row} sums to {sum} with smallest weight {min}; pass rows of non-negative \
         weights that sum to 1 (a softmax output)"
    )]
    NotDistribution {
        /// Index of the row.
        row: usize,
        /// Sum of the row.
        sum: f64,
        /// Smallest weight of the row.
        min: f64,
    },

    /// No finite inverse temperature fits the attention rows.
    #[error(
        "no inverse temperature with |beta| <= {max} fits the attention: the rows are as sharp as \
         a hard maximum over the similarities; read the head as single-pattern retrieval"
    )]
    UnboundedInverseTemperature {
        /// Largest `|beta|` searched.
        max: f64,
    },

    /// An error from `ncm-motifs` (graph construction).
    #[error(transparent)]
    Motif(#[from] ncm_motifs::MotifError),
}

impl MappingError {
    /// Builds a [`MappingError::InvalidParameter`].
    pub(crate) fn invalid(
        name: &'static str,
        value: impl ToString,
        expected: &'static str,
    ) -> Self {
        Self::InvalidParameter {
            name,
            value: value.to_string(),
            expected,
        }
    }
}
