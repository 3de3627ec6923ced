//! Typed errors of the transformer crate.

use thiserror::Error;

/// Result alias of the crate.
pub type TransformerResult<T> = Result<T, TransformerError>;

/// Error of the crate, naming the bad value and the fix.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TransformerError {
    /// A setting is out of range.
    #[error("invalid setting `{name}` = {value}: expected {expected}")]
    InvalidSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// An input has the wrong shape or length.
    #[error("{what} has shape {found}, expected {expected}")]
    ShapeMismatch {
        what: &'static str,
        expected: String,
        found: String,
    },
    /// An input contains NaN or an infinite value.
    #[error("{what} contains the non-finite value {value} at index {index}; remove or impute it")]
    NonFiniteData {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// The training loss became NaN or infinite.
    #[error(
        "the loss is {value} at step {step}; lower the learning rate or enable gradient clipping"
    )]
    NonFiniteLoss { step: usize, value: f64 },
    /// The data are too short for the requested windows or split.
    #[error("{what}: {available} time samples, but at least {needed} are needed")]
    TooShort {
        what: &'static str,
        available: usize,
        needed: usize,
    },
    /// The global gradient norm became NaN or infinite.
    #[error(
        "the global gradient norm is {norm}; lower the learning rate or look for huge data values"
    )]
    NonFiniteGradient { norm: f64 },
    /// A backend read-back failed.
    #[error("backend error: {reason}")]
    Backend { reason: String },
    /// A checkpoint could not be written or read.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint { path: String, reason: String },
}

pub(crate) fn invalid(
    name: &'static str,
    value: impl std::fmt::Display,
    expected: &'static str,
) -> TransformerError {
    TransformerError::InvalidSetting {
        name,
        value: value.to_string(),
        expected,
    }
}

pub(crate) fn check_nonzero(name: &'static str, value: usize) -> TransformerResult<()> {
    if value == 0 {
        Err(invalid(name, value, "at least 1"))
    } else {
        Ok(())
    }
}

pub(crate) fn check_finite(what: &'static str, values: &[f32]) -> TransformerResult<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(TransformerError::NonFiniteData {
            what,
            index,
            value: f64::from(values[index]),
        }),
        None => Ok(()),
    }
}
pub(crate) fn read<const D: usize>(tensor: burn::tensor::Tensor<D>) -> TransformerResult<Vec<f32>> {
    tensor
        .try_into_data()
        .map_err(|error| TransformerError::Backend {
            reason: error.to_string(),
        })?
        .try_into_vec_as::<f32>()
        .map_err(|error| TransformerError::Backend {
            reason: error.to_string(),
        })
}
