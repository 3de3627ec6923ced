//! Typed errors of the restricted Boltzmann machines in [`crate::rbm`]. Every variant names
//! the offending value and the fix.

use thiserror::Error;

/// Errors returned by RBM construction, training, sampling and evaluation.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RbmError {
    /// A layer has no units.
    #[error("invalid number of {layer} units 0: an RBM needs at least one unit in each layer")]
    ZeroUnits {
        /// `"visible"` or `"hidden"`.
        layer: &'static str,
    },

    /// The weight matrix would hold more than [`crate::rbm::MAX_WEIGHTS`] values.
    #[error(
        "an RBM with {n_visible} visible and {n_hidden} hidden units needs {weights} weights, \
         more than the limit of {max}; use fewer hidden units"
    )]
    TooManyWeights {
        /// Number of visible units.
        n_visible: usize,
        /// Number of hidden units.
        n_hidden: usize,
        /// n_visible * n_hidden, computed in `u128` so that it cannot overflow.
        weights: u128,
        /// The limit [`crate::rbm::MAX_WEIGHTS`].
        max: usize,
    },

    /// The mini-batch is larger than the training data.
    #[error(
        "batch_size {batch_size} is larger than the {n_samples} training samples; use a \
         batch_size of at most {n_samples}"
    )]
    BatchLargerThanData {
        /// The rejected batch size.
        batch_size: usize,
        /// Number of training samples.
        n_samples: usize,
    },

    /// A Gaussian visible unit has a standard deviation that is not finite and > 0.
    #[error(
        "invalid standard deviation {value} of Gaussian visible unit {unit}: use a finite value \
         > 0, for example the unit's standard deviation in the data"
    )]
    InvalidSigma {
        /// Visible unit index.
        unit: usize,
        /// The rejected value.
        value: f64,
    },

    /// The number of per-unit standard deviations differs from the number of visible units.
    #[error(
        "{len} standard deviations given for {n_visible} Gaussian visible units; give one per unit"
    )]
    SigmaLengthMismatch {
        /// Number of values given.
        len: usize,
        /// Number of visible units.
        n_visible: usize,
    },

    /// A parameter vector has the wrong length.
    #[error("parameter `{name}` has {len} values but the RBM needs {expected}")]
    ParameterLengthMismatch {
        /// Parameter name (`weights`, `visible_bias`, `hidden_bias`, `base_visible_bias`).
        name: &'static str,
        /// Number of values given.
        len: usize,
        /// Number of values expected.
        expected: usize,
    },

    /// A parameter value is NaN or infinite.
    #[error(
        "parameter `{name}` has the non-finite value {value} at index {index}; pass finite values"
    )]
    NonFiniteParameter {
        /// Parameter name.
        name: &'static str,
        /// Index into the parameter vector.
        index: usize,
        /// The rejected value.
        value: f64,
    },

    /// A training or sampling setting is out of range.
    #[error("invalid setting `{name}` = {value}: {expected}")]
    InvalidSetting {
        /// Setting name as it appears in the config struct.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// The accepted range.
        expected: &'static str,
    },

    /// The data matrix has no rows.
    #[error("empty data: pass at least one sample of {n_visible} visible values")]
    EmptyData {
        /// Number of visible units.
        n_visible: usize,
    },

    /// The flat data buffer does not split into rows of the visible layer's width.
    #[error(
        "data buffer of length {len} is not a multiple of the number of visible units \
         {n_visible}; pass a row-major samples x visible-units matrix"
    )]
    DataLengthMismatch {
        /// Length of the flat buffer.
        len: usize,
        /// Number of visible units.
        n_visible: usize,
    },

    /// A data value is NaN or infinite.
    #[error(
        "data value {value} at sample {sample}, unit {unit} is not finite; remove or impute it"
    )]
    NonFiniteData {
        /// Row index.
        sample: usize,
        /// Column (visible unit) index.
        unit: usize,
        /// The rejected value.
        value: f64,
    },

    /// A Bernoulli visible unit got a value outside [0, 1].
    #[error(
        "data value {value} at sample {sample}, unit {unit} is outside [0, 1]; Bernoulli visible \
         units take binary values or probabilities, so rescale the data (for example x / max) \
         or use Gaussian visible units"
    )]
    OutOfRangeData {
        /// Row index.
        sample: usize,
        /// Column (visible unit) index.
        unit: usize,
        /// The rejected value.
        value: f64,
    },

    /// A computation is defined only for Bernoulli visible units.
    #[error(
        "{operation} is defined only for Bernoulli visible units; this RBM has Gaussian visible units"
    )]
    RequiresBernoulli {
        /// The requested computation.
        operation: &'static str,
    },

    /// Training produced a NaN or infinite parameter.
    #[error(
        "training diverged in epoch {epoch}: a parameter became NaN or infinite; lower the \
         learning rate (Gaussian visible units usually need about 0.001 to 0.01)"
    )]
    Diverged {
        /// Epoch (0-based) in which the parameters stopped being finite.
        epoch: usize,
    },

    /// The Burn device failed to run or read back a computation.
    #[error("tensor backend failed: {reason}")]
    Backend {
        /// The backend's message.
        reason: String,
    },
}

/// Result type of the RBM module.
pub type Result<T> = std::result::Result<T, RbmError>;
