//! Reading 2-D numeric matrices from MATLAB v5 MAT-files.
//!
//! Decoding is done by the `matfile` crate (0.5), which handles compressed
//! (`miCOMPRESSED`, zlib) and uncompressed variables of every numeric class.
//! This module adds the checks that `matfile` leaves out. It validates the
//! 128-byte header, so that an HDF5-based v7.3 file or an unrelated file gets
//! a clear error. It also walks the top-level data-element tags, so that a
//! truncated file is reported as such.
//!
//! `matfile` skips character, cell, struct, object and sparse variables, so
//! those count as missing. Each top-level element is decoded on its own, so a
//! variable that `matfile` cannot decode (int32 arrays, in version 0.5) does
//! not prevent reading the others.

use std::path::Path;

use matfile::{Array, MatFile, NumericData};

use crate::error::{DataError, Result};

const HEADER_LEN: usize = 128;
const TAG_LEN: usize = 8;
const MI_COMPRESSED: u32 = 15;

/// A dense real matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// `rows * cols` values, row-major: entry `(r, c)` is `data[r * cols + c]`.
    pub data: Vec<f64>,
}

impl Matrix {
    /// Returns entry `(r, c)`, or `None` when the index is out of range.
    pub fn get(&self, r: usize, c: usize) -> Option<f64> {
        if r >= self.rows || c >= self.cols {
            return None;
        }
        self.data.get(r * self.cols + c).copied()
    }

    /// Returns row `r` as a slice, or `None` when `r` is out of range.
    pub fn row(&self, r: usize) -> Option<&[f64]> {
        if r >= self.rows {
            return None;
        }
        self.data.get(r * self.cols..(r + 1) * self.cols)
    }
}

/// Byte order of a MAT-file, read from its header.
#[derive(Debug, Clone, Copy)]
enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    fn u32_at(self, bytes: &[u8], offset: usize) -> u32 {
        let mut word = [0u8; 4];
        word.copy_from_slice(&bytes[offset..offset + 4]);
        match self {
            ByteOrder::Little => u32::from_le_bytes(word),
            ByteOrder::Big => u32::from_be_bytes(word),
        }
    }

    fn u16_at(self, bytes: &[u8], offset: usize) -> u16 {
        let word = [bytes[offset], bytes[offset + 1]];
        match self {
            ByteOrder::Little => u16::from_le_bytes(word),
            ByteOrder::Big => u16::from_be_bytes(word),
        }
    }
}

/// Checks the 128-byte header: endian indicator `IM`/`MI` and version 0x0100.
fn check_header(path: &Path, bytes: &[u8]) -> Result<ByteOrder> {
    let not_mat = |reason: &str| DataError::NotMatFile {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    if bytes.len() < HEADER_LEN {
        if bytes.starts_with(b"MATLAB") {
            return Err(DataError::TruncatedMat {
                path: path.to_owned(),
                offset: 0,
                needed: HEADER_LEN,
                available: bytes.len(),
            });
        }
        return Err(not_mat("the file is shorter than the 128-byte header"));
    }
    let order = match &bytes[126..128] {
        b"IM" => ByteOrder::Little,
        b"MI" => ByteOrder::Big,
        _ => {
            return Err(not_mat(
                "bytes 126-127 are not the endian indicator IM or MI",
            ));
        }
    };
    match order.u16_at(bytes, 124) {
        0x0100 => Ok(order),
        0x0200 => Err(not_mat(
            "it is a v7.3 HDF5-based file, which this reader does not support",
        )),
        other => Err(not_mat(&format!(
            "unknown version 0x{other:04x} in the header"
        ))),
    }
}

/// Walks the top-level data elements and returns the byte range of each,
/// reporting the first one that runs past the end of the file.
fn element_ranges(path: &Path, bytes: &[u8], order: ByteOrder) -> Result<Vec<(usize, usize)>> {
    let mut ranges = Vec::new();
    let mut offset = HEADER_LEN;
    while offset < bytes.len() {
        let available = bytes.len() - offset;
        let truncated = |needed| DataError::TruncatedMat {
            path: path.to_owned(),
            offset,
            needed,
            available,
        };
        if available < TAG_LEN {
            return Err(truncated(TAG_LEN));
        }
        let data_type = order.u32_at(bytes, offset);
        let needed = if data_type >> 16 != 0 {
            // Small data element: type and size share the first word, data fits in the tag.
            TAG_LEN
        } else {
            TAG_LEN.saturating_add(order.u32_at(bytes, offset + 4) as usize)
        };
        if needed > available {
            return Err(truncated(needed));
        }
        // Uncompressed elements are padded to a multiple of 8 bytes; compressed ones are not.
        let padded = if data_type == MI_COMPRESSED {
            needed
        } else {
            needed.next_multiple_of(8)
        };
        let end = offset + padded.min(available);
        ranges.push((offset, end));
        offset = end;
    }
    Ok(ranges)
}

/// Decoded variables of one file, plus the errors of elements that failed.
struct MatContents {
    arrays: Vec<Array>,
    failures: Vec<String>,
}

/// Reads and decodes a MAT-file one top-level element at a time, so that an
/// element `matfile` cannot decode hides only its own variable.
///
/// NOTE: `matfile` 0.5 rejects every int32 array, because it maps the int32
/// class to the uint32 storage type; such variables end up in `failures`.
fn parse_mat(path: &Path) -> Result<MatContents> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let order = check_header(path, &bytes)?;
    let mut contents = MatContents {
        arrays: Vec::new(),
        failures: Vec::new(),
    };
    for (start, end) in element_ranges(path, &bytes, order)? {
        let mut single = bytes[..HEADER_LEN].to_vec();
        single.extend_from_slice(&bytes[start..end]);
        match MatFile::parse(single.as_slice()) {
            Ok(file) => contents.arrays.extend(file.arrays().iter().cloned()),
            Err(e) => contents
                .failures
                .push(format!("element at byte {start}: {e} ({e:?})")),
        }
    }
    if !contents.failures.is_empty() {
        tracing::warn!(path = %path.display(), failures = ?contents.failures, "undecodable MAT-file elements");
    }
    Ok(contents)
}

fn array_names(arrays: &[Array]) -> Vec<String> {
    arrays.iter().map(|a| a.name().to_owned()).collect()
}

/// Lists the numeric variables of a MAT-file in file order.
///
/// # Errors
/// As [`read_mat_matrix`], except that no variable can be missing.
pub fn list_mat_variables(path: &Path) -> Result<Vec<String>> {
    Ok(array_names(&parse_mat(path)?.arrays))
}

/// Returns the error for a variable that was not among the decoded ones.
fn missing_variable(path: &Path, variable: &str, contents: &MatContents) -> DataError {
    let present = array_names(&contents.arrays);
    if contents.failures.is_empty() {
        return DataError::MissingVariable {
            path: path.to_owned(),
            variable: variable.to_owned(),
            present,
        };
    }
    let detail = format!(
        "variable {variable:?} is not among the decoded variables {present:?}, and {} data \
         element(s) could not be decoded: {}. A checksum or inflate error means the file \
         is corrupt (fetch it again); otherwise the variable may use a class matfile 0.5 \
         cannot read, such as int32, and should be saved as double",
        contents.failures.len(),
        contents.failures.join("; ")
    );
    DataError::MatDecode {
        path: path.to_owned(),
        detail,
    }
}

/// Converts the real part of any numeric class to `f64`, column-major.
/// 64-bit integers above 2^53 lose precision.
fn real_values(data: &NumericData) -> Option<Vec<f64>> {
    fn convert<T: Copy>(real: &[T], imag: &Option<Vec<T>>, f: fn(T) -> f64) -> Option<Vec<f64>> {
        imag.is_none().then(|| real.iter().map(|&v| f(v)).collect())
    }
    match data {
        NumericData::Double { real, imag } => convert(real, imag, |v| v),
        NumericData::Single { real, imag } => convert(real, imag, f64::from),
        NumericData::Int8 { real, imag } => convert(real, imag, f64::from),
        NumericData::UInt8 { real, imag } => convert(real, imag, f64::from),
        NumericData::Int16 { real, imag } => convert(real, imag, f64::from),
        NumericData::UInt16 { real, imag } => convert(real, imag, f64::from),
        NumericData::Int32 { real, imag } => convert(real, imag, f64::from),
        NumericData::UInt32 { real, imag } => convert(real, imag, f64::from),
        NumericData::Int64 { real, imag } => convert(real, imag, |v| v as f64),
        NumericData::UInt64 { real, imag } => convert(real, imag, |v| v as f64),
    }
}

/// Reads the 2-D real numeric variable `variable` from a MATLAB v5 MAT-file
/// and returns it row-major (MATLAB stores it column-major).
///
/// # Errors
/// - [`DataError::Io`] if the file cannot be read.
/// - [`DataError::NotMatFile`] if the header is not a MATLAB v5 header,
///   including v7.3 (HDF5) files.
/// - [`DataError::TruncatedMat`] if a data element runs past the end of the file.
/// - [`DataError::MissingVariable`] listing the numeric variables present.
/// - [`DataError::MatDecode`] if the variable is not found and some data
///   elements could not be decoded (it may be one of them).
/// - [`DataError::Shape`] if the variable is complex or has more than two dimensions.
pub fn read_mat_matrix(path: &Path, variable: &str) -> Result<Matrix> {
    let contents = parse_mat(path)?;
    let Some(array) = contents.arrays.iter().find(|a| a.name() == variable) else {
        return Err(missing_variable(path, variable, &contents));
    };
    let what = format!("variable {variable:?} in {}", path.display());
    let size = array.size();
    let &[rows, cols] = size.as_slice() else {
        let found = format!("a {}-D array of size {size:?}", size.len());
        let expected = "a 2-D matrix".to_owned();
        return Err(DataError::Shape {
            what,
            expected,
            found,
        });
    };
    let Some(column_major) = real_values(array.data()) else {
        let (expected, found) = ("a real matrix".to_owned(), "complex values".to_owned());
        return Err(DataError::Shape {
            what,
            expected,
            found,
        });
    };
    if column_major.len() != rows.saturating_mul(cols) {
        return Err(DataError::MatDecode {
            path: path.to_owned(),
            detail: format!(
                "{what} has {} values for size {rows}x{cols}",
                column_major.len()
            ),
        });
    }
    let mut data = vec![0.0; rows * cols];
    for c in 0..cols {
        for r in 0..rows {
            data[r * cols + c] = column_major[c * rows + r];
        }
    }
    Ok(Matrix { rows, cols, data })
}
