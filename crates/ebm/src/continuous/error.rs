//! Errors of the continuous energy-based models: bad data, bad settings, bad shapes, backend
//! failures and training divergence.

use thiserror::Error;

/// Result type of the continuous energy-based models.
pub type ContinuousResult<T> = std::result::Result<T, ContinuousError>;

/// Error of building, sampling, training or analysing a continuous EBM.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ContinuousError {
    /// The data or the initial states hold no rows.
    #[error("{what} is empty: pass at least one row of {dim} values")]
    EmptyData { what: &'static str, dim: usize },
    /// A row-major buffer does not split into rows of the model's dimension.
    #[error("{what} has {len} values, which is not a whole number of rows of {dim}")]
    LengthMismatch {
        what: &'static str,
        len: usize,
        dim: usize,
    },
    /// A tensor has the wrong number of columns.
    #[error("{what} has {found} columns but the energy is defined on {expected} dimensions")]
    DimensionMismatch {
        what: &'static str,
        found: usize,
        expected: usize,
    },
    /// The data contains NaN or an infinity.
    #[error(
        "{what} holds the non-finite value {value} at row {row}, column {column}: remove or impute it"
    )]
    NonFiniteData {
        what: &'static str,
        row: usize,
        column: usize,
        value: f64,
    },
    /// A setting is out of its valid range.
    #[error("invalid setting {name} = {value}: expected {expected}")]
    InvalidSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// Training produced a non-finite loss or energies beyond the configured limit. The trainer
    /// keeps the parameters of the last step that passed this check.
    #[error(
        "training diverged at step {step}: {reason}; the trainer keeps the parameters from step {last_good_step} \
         (lower the learning rate or raise the energy regulariser)"
    )]
    Diverged {
        step: usize,
        reason: String,
        last_good_step: usize,
    },
    /// A sampler or a descent left the finite range, normally because the step is too large.
    #[error("{what} produced non-finite states with step size {step_size}: lower the step size")]
    NonFiniteStates { what: &'static str, step_size: f64 },
    /// The Burn device failed to run a computation or read back its result.
    #[error("backend failure: {reason}")]
    Backend { reason: String },
}

/// Builds a [`ContinuousError::InvalidSetting`].
pub(crate) fn invalid(
    name: &'static str,
    value: impl std::fmt::Display,
    expected: &'static str,
) -> ContinuousError {
    ContinuousError::InvalidSetting {
        name,
        value: value.to_string(),
        expected,
    }
}

/// Checks that `value` is finite and > 0.
pub(crate) fn check_positive(name: &'static str, value: f64) -> ContinuousResult<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(invalid(name, value, "a finite value > 0"))
    }
}

/// Checks that `value` is at least 1.
pub(crate) fn check_nonzero(name: &'static str, value: usize) -> ContinuousResult<()> {
    if value >= 1 {
        Ok(())
    } else {
        Err(invalid(name, value, "an integer >= 1"))
    }
}
