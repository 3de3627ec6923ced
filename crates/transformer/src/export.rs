//! Export of attention weights to NPY files that numpy reads with `np.load`.
//!
//! [`write_attention`] writes one `block<k>.npy` per block, float32 in C order with the shape
//! of that block's attention (`[sequences, heads, tokens, tokens]`, see
//! [`crate::Transformer::forward`]), and `tokens.txt` with one token label per line, so that
//! `np.loadtxt("tokens.txt", dtype=str, delimiter="\n")` gives the labels of the last two axes.
//!
//! The NPY format (version 1.0) is a fixed magic string, a short Python-literal header and the
//! raw values. Writing it takes a few lines, so it is done here rather than through a crate
//! that would also pull in an array library.

use std::path::{Path, PathBuf};

use burn::tensor::Tensor;

use crate::error::{TransformerError, TransformerResult, read};

/// Bytes of a little-endian float32 NPY file (format version 1.0) holding `values` in C order
/// with `shape`.
///
/// # Errors
/// [`TransformerError::ShapeMismatch`] when `values` does not hold the product of `shape`
/// values, or the header would exceed the 65535 bytes of version 1.0.
pub fn npy_bytes(values: &[f32], shape: &[usize]) -> TransformerResult<Vec<u8>> {
    let count: usize = shape.iter().product();
    if count != values.len() {
        return Err(TransformerError::ShapeMismatch {
            what: "NPY values",
            expected: format!("{count} values for the shape {shape:?}"),
            found: format!("{} values", values.len()),
        });
    }
    let dims = match shape {
        [single] => format!("({single},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };

    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}");
    // Magic (6 bytes), version (2) and header length (2), then the header padded with spaces
    // and ended by a newline, so that the data start on a multiple of 64 bytes.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let length = u16::try_from(header.len()).map_err(|_| TransformerError::ShapeMismatch {
        what: "NPY header",
        expected: "at most 65535 bytes".to_string(),
        found: format!("{} bytes", header.len()),
    })?;

    let mut bytes = Vec::with_capacity(10 + header.len() + 4 * values.len());
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    Ok(bytes)
}

/// Writes every block's attention and the token labels into `folder` (created if missing),
/// see the module documentation, and returns the paths written.
///
/// # Arguments
/// - `attention`: the `attention` of a [`crate::Output`], one tensor per block.
/// - `labels`: one label per token (the last axis of every block), without line breaks.
///
/// # Errors
/// [`TransformerError::ShapeMismatch`] when a block's token count differs from the number of
/// labels or a label holds a line break, [`TransformerError::Backend`] when a read-back fails,
/// and [`TransformerError::Checkpoint`] when a file cannot be written.
pub fn write_attention(
    folder: &Path,
    attention: &[Tensor<4>],
    labels: &[String],
) -> TransformerResult<Vec<PathBuf>> {
    if let Some(label) = labels.iter().find(|l| l.contains(['\n', '\r'])) {
        return Err(TransformerError::ShapeMismatch {
            what: "token labels",
            expected: "labels without line breaks".to_string(),
            found: format!("{label:?}"),
        });
    }
    for (block, weights) in attention.iter().enumerate() {
        let [_, _, _, tokens] = weights.dims();
        if tokens != labels.len() {
            return Err(TransformerError::ShapeMismatch {
                what: "token labels",
                expected: format!("{tokens} labels, the tokens of block {block}"),
                found: format!("{} labels", labels.len()),
            });
        }
    }

    let fail = |path: &Path, error: std::io::Error| TransformerError::Checkpoint {
        path: path.display().to_string(),
        reason: error.to_string(),
    };
    std::fs::create_dir_all(folder).map_err(|e| fail(folder, e))?;
    let mut written = Vec::with_capacity(attention.len() + 1);
    for (block, weights) in attention.iter().enumerate() {
        let shape = weights.dims();
        let bytes = npy_bytes(&read(weights.clone())?, &shape)?;
        let path = folder.join(format!("block{block}.npy"));
        std::fs::write(&path, bytes).map_err(|e| fail(&path, e))?;
        written.push(path);
    }

    let path = folder.join("tokens.txt");
    let mut text = labels.join("\n");
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| fail(&path, e))?;
    written.push(path);
    Ok(written)
}
