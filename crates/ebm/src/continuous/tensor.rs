//! Checks on row-major buffers, uploads to a Burn device, read-backs, and seeded Gaussian noise.
//!
//! Random numbers are drawn on the CPU from ChaCha8 streams and uploaded, so a seed gives the
//! same numbers on every backend and thread count.

use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::continuous::error::{ContinuousError, ContinuousResult};

/// Checks that `values` are finite, naming the first bad entry by row and column of width `dim`.
pub(crate) fn check_finite<T: Copy + Into<f64>>(
    what: &'static str,
    values: &[T],
    dim: usize,
) -> ContinuousResult<()> {
    match values.iter().position(|&v| !v.into().is_finite()) {
        Some(index) => Err(ContinuousError::NonFiniteData {
            what,
            row: index / dim.max(1),
            column: index % dim.max(1),
            value: values[index].into(),
        }),
        None => Ok(()),
    }
}

/// Checks a row-major buffer of rows of `dim` values (non-empty, whole rows, finite) and returns
/// its number of rows.
pub(crate) fn check_rows(
    what: &'static str,
    values: &[f32],
    dim: usize,
) -> ContinuousResult<usize> {
    if values.is_empty() {
        return Err(ContinuousError::EmptyData { what, dim });
    }
    if dim == 0 || values.len() % dim != 0 {
        return Err(ContinuousError::LengthMismatch {
            what,
            len: values.len(),
            dim,
        });
    }
    check_finite(what, values, dim)?;
    Ok(values.len() / dim)
}

/// Uploads checked rows as a `[n, dim]` tensor.
///
/// # Errors
/// As [`check_rows`].
pub fn rows_to_tensor(
    what: &'static str,
    values: &[f32],
    dim: usize,
    device: &Device,
) -> ContinuousResult<Tensor<2>> {
    let n = check_rows(what, values, dim)?;
    Ok(Tensor::from_data(
        TensorData::new(values.to_vec(), [n, dim]),
        device,
    ))
}

/// Reads a tensor back as f32 values.
pub(crate) fn read<const D: usize>(tensor: Tensor<D>) -> ContinuousResult<Vec<f32>> {
    let data = tensor
        .try_into_data()
        .map_err(|error| ContinuousError::Backend {
            reason: error.to_string(),
        })?;
    data.try_into_vec_as::<f32>()
        .map_err(|error| ContinuousError::Backend {
            reason: error.to_string(),
        })
}

/// Reads a one-element tensor back as f64.
pub(crate) fn read_scalar(tensor: Tensor<1>) -> ContinuousResult<f64> {
    let values = read(tensor)?;
    values
        .first()
        .map(|&v| f64::from(v))
        .ok_or_else(|| ContinuousError::Backend {
            reason: "empty scalar read-back".into(),
        })
}

/// Draws `count` standard normal values by the Box-Muller transform.
pub(crate) fn standard_normal(rng: &mut ChaCha8Rng, count: usize) -> Vec<f32> {
    let mut values = Vec::with_capacity(count + 1);
    while values.len() < count {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
        let angle = std::f64::consts::TAU * rng.random::<f64>();
        values.push((radius * angle.cos()) as f32);
        values.push((radius * angle.sin()) as f32);
    }
    values.truncate(count);
    values
}

/// Uploads `[rows, cols]` standard normal noise.
pub(crate) fn normal_tensor(
    rng: &mut ChaCha8Rng,
    rows: usize,
    cols: usize,
    device: &Device,
) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(standard_normal(rng, rows * cols), [rows, cols]),
        device,
    )
}

/// Uploads `count` uniform values on [0, 1).
pub(crate) fn uniform_tensor(rng: &mut ChaCha8Rng, count: usize, device: &Device) -> Tensor<1> {
    let values: Vec<f32> = (0..count).map(|_| rng.random::<f32>()).collect();
    Tensor::from_data(TensorData::new(values, [count]), device)
}
