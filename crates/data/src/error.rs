//! The error type shared by every reader and preprocessing step of this crate.
//!
//! Each message names the file, row or variable involved, states what was
//! expected and suggests a fix, so it can be shown to a user unchanged.

use std::path::PathBuf;

/// Errors returned by the readers, containers and preprocessing functions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be opened or read.
    #[error(
        "failed to read {path}: {source}. Check that the file exists and is readable; for \
         the fetched data sets, run `cargo xtask fetch-data` or point NCM_DATA_DIR at the \
         data folder"
    )]
    Io {
        /// File that failed.
        path: PathBuf,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A row of a text file or spreadsheet does not have the expected form.
    #[error("{path}, row {row}: expected {expected}, found {found:?}. Fix or remove that row")]
    Parse {
        /// File that contains the row.
        path: PathBuf,
        /// 1-based line number in a text file, or 1-based row number in a spreadsheet.
        row: usize,
        /// Description of the valid content.
        expected: String,
        /// The offending text.
        found: String,
    },

    /// The file contains no data rows, or no rows of the kind the reader needs.
    #[error("{path} contains no {what}. Check that it is the right file")]
    Empty {
        /// File that was read.
        path: PathBuf,
        /// Description of the missing content, for example "edge rows".
        what: String,
    },

    /// A spreadsheet could not be opened or its first sheet could not be read.
    #[error(
        "failed to read spreadsheet {path}: {source}. Check that it is a valid .xls or .xlsx file"
    )]
    Spreadsheet {
        /// Spreadsheet file.
        path: PathBuf,
        /// Error reported by calamine.
        #[source]
        source: calamine::Error,
    },

    /// The file does not start with a MATLAB v5 header.
    #[error(
        "{path} is not a MATLAB v5 MAT-file ({reason}). Save it with `save -v7` in MATLAB \
         or with scipy.io.savemat"
    )]
    NotMatFile {
        /// File that was read.
        path: PathBuf,
        /// Result of the header check.
        reason: String,
    },

    /// A MAT-file ends before the data element that its tags announce.
    #[error(
        "{path} is truncated: the data element at byte {offset} needs {needed} bytes but only \
         {available} remain. Copy or download the file again"
    )]
    TruncatedMat {
        /// MAT-file.
        path: PathBuf,
        /// Byte offset of the data element tag.
        offset: usize,
        /// Bytes announced by the tag, including the 8-byte tag itself.
        needed: usize,
        /// Bytes left in the file from `offset`.
        available: usize,
    },

    /// The MAT-file has a valid header but its content could not be decoded.
    #[error("failed to decode MAT-file {path}: {detail}. Check that the file is not corrupted")]
    MatDecode {
        /// MAT-file.
        path: PathBuf,
        /// Message from the decoder.
        detail: String,
    },

    /// The requested variable is not in the MAT-file.
    #[error(
        "{path} has no numeric variable named {variable:?}; variables present: {present:?}. \
         Pass one of those names"
    )]
    MissingVariable {
        /// MAT-file.
        path: PathBuf,
        /// Requested variable name.
        variable: String,
        /// Names of the numeric variables that the file contains.
        present: Vec<String>,
    },

    /// An HDF5 file or one of its datasets could not be decoded.
    #[error(
        "failed to decode HDF5 file {path}{}: {detail}. Check that the file is not corrupted \
         and that the dataset has the expected type",
        if dataset.is_empty() { String::new() } else { format!(", dataset {dataset:?}") }
    )]
    Hdf5 {
        /// HDF5 file.
        path: PathBuf,
        /// Path of the dataset inside the file, or empty when the file itself failed.
        dataset: String,
        /// Message from the HDF5 decoder.
        detail: String,
    },

    /// A dataset that the reader needs is not in the HDF5 file.
    #[error("{path} has no dataset {dataset:?}. Check that it is the right file")]
    MissingDataset {
        /// HDF5 file.
        path: PathBuf,
        /// Path of the missing dataset inside the file, such as `wt/q`.
        dataset: String,
    },

    /// A value lies outside the range its quantity allows.
    #[error("{what} has the invalid value {value} at index {index}: expected {expected}")]
    OutOfRange {
        /// The file and dataset, or the value, that contains it.
        what: String,
        /// Row-major index of the value.
        index: usize,
        /// The value.
        value: f64,
        /// Description of the valid values.
        expected: String,
    },

    /// Data has the wrong shape or type for the requested use.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// The file and variable, or the value, that has the wrong shape.
        what: String,
        /// Expected shape or type.
        expected: String,
        /// Actual shape or type.
        found: String,
    },

    /// A function argument is out of its valid range.
    #[error("invalid value {value} for {name}: expected {expected}")]
    InvalidParameter {
        /// Parameter name.
        name: String,
        /// Value that was passed, formatted as text.
        value: String,
        /// Description of the valid values.
        expected: String,
    },

    /// A channel has zero variance, so it cannot be z-scored.
    #[error(
        "channel {channel} ({label}) is constant at {value}, so it has no standard deviation. \
         Remove it with Recording::select_channels before z-scoring"
    )]
    ConstantChannel {
        /// Channel index.
        channel: usize,
        /// Channel label.
        label: String,
        /// The constant value.
        value: f64,
    },

    /// A value is NaN or infinite where a finite number is required.
    #[error(
        "{what} has a non-finite value {value} at index {index}. Remove or interpolate it first"
    )]
    NonFinite {
        /// The channel, matrix or train that contains the value.
        what: String,
        /// Index of the value within it.
        index: usize,
        /// The value.
        value: f64,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, DataError>;

impl DataError {
    /// Builds an [`DataError::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }

    /// Builds a [`DataError::Parse`] for one row of `path`.
    pub(crate) fn parse(
        path: impl Into<PathBuf>,
        row: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        DataError::Parse {
            path: path.into(),
            row,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Builds a [`DataError::InvalidParameter`].
    pub(crate) fn invalid(
        name: impl Into<String>,
        value: impl ToString,
        expected: impl Into<String>,
    ) -> Self {
        DataError::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}
