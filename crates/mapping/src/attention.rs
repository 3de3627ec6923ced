//! Per-head attention matrices from the attention weights that `ncm-transformer` returns.
//!
//! A forward pass gives, per block, a `[sequences, heads, tokens, tokens]` tensor. Sequences
//! are windows (temporal and spatial layouts) or windows times channels or time bins
//! (spatiotemporal layout). Row `q` of a head contains the weights that query token `q` gives
//! to each key. Read back as a flat row-major buffer, [`average_attention`] averages
//! each head over the sequences, which yields one `tokens x tokens` matrix per head, ready for
//! [`crate::ArcWeights::from_matrix`] with [`crate::Orientation::TargetRow`] and for
//! [`crate::diagnose_head`]. It works on plain slices so that this crate needs no tensor
//! backend.

use crate::error::MappingError;

/// Averages attention weights over their first axis.
///
/// # Arguments
/// - `weights`: row-major values of shape `[sequences, heads, tokens, tokens]`.
/// - `shape`: that shape.
///
/// # Returns
/// One row-major `tokens x tokens` matrix per head, in head order, each the mean over the
/// sequences.
///
/// # Errors
/// [`MappingError::Empty`] when any axis is 0, [`MappingError::Shape`] when `weights` does not
/// hold the product of `shape`, and [`MappingError::NonFinite`] for a NaN or infinite weight
/// (its row is the flat sequence-and-head index, its column the flat query-and-key index).
pub fn average_attention(
    weights: &[f32],
    shape: [usize; 4],
) -> Result<Vec<Vec<f64>>, MappingError> {
    let [sequences, heads, tokens, keys] = shape;
    if shape.contains(&0) {
        return Err(MappingError::Empty {
            what: "attention weights",
        });
    }
    if tokens != keys {
        return Err(MappingError::NotSquare {
            what: "attention weights",
            rows: tokens,
            cols: keys,
        });
    }
    let block = tokens * tokens;
    let rows = sequences * heads;
    if weights.len() != rows * block {
        return Err(MappingError::Shape {
            what: "attention weights",
            len: weights.len(),
            rows,
            cols: block,
            expected: rows * block,
        });
    }
    if let Some(index) = weights.iter().position(|w| !w.is_finite()) {
        return Err(MappingError::NonFinite {
            what: "attention weights",
            row: index / block,
            col: index % block,
            value: f64::from(weights[index]),
        });
    }
    let mut means = vec![vec![0.0; block]; heads];
    for (index, chunk) in weights.chunks_exact(block).enumerate() {
        for (mean, &w) in means[index % heads].iter_mut().zip(chunk) {
            *mean += f64::from(w);
        }
    }
    for mean in &mut means {
        for value in mean.iter_mut() {
            *value /= sequences as f64;
        }
    }
    Ok(means)
}
