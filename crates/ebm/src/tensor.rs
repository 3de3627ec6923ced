//! Batched Ising energies E(s) = -h . s - (1/2) s^T J s on a Burn device, for the pairwise
//! maximum-entropy model of Schneidman et al. 2006 (Nature 440:1007). Because J is symmetric
//! with zero diagonal, (1/2) s^T J s = sum_{i<j} J_ij s_i s_j.
//!
//! The arithmetic runs in the device's float type (f32 by default), so results agree with
//! [`IsingModel::energy`] to about 1e-7 relative to sum |h_i| + sum_{i<j} |J_ij|.

use burn::tensor::{Device, Tensor, TensorData};

use crate::error::{EbmError, Result};
use crate::model::{IsingModel, validate_spins};

/// Computes the energy of each row of a row-major B x N buffer of +-1 states on `device`.
///
/// Returns an empty vector for an empty buffer without touching the device. A [`Device`]
/// can only be made with a backend feature (`flex`, `ndarray` or `wgpu`).
// NOTE: the workspace build always enables `flex` and `wgpu`, so a build of this crate with
// no backend feature has not been compiled here, though nothing in it is feature-gated.
///
/// # Errors
/// [`EbmError::SampleLengthMismatch`] and [`EbmError::InvalidSpin`] for bad states, model
/// errors from [`IsingModel::validate`], and [`EbmError::Backend`] when the device fails to
/// run or read back the computation.
pub fn batch_energy(model: &IsingModel, states: &[i8], device: &Device) -> Result<Vec<f32>> {
    model.validate()?;
    let n = model.n_spins();
    if states.len() % n != 0 {
        return Err(EbmError::SampleLengthMismatch { len: states.len(), n_spins: n });
    }
    validate_spins(states, n)?;
    let batch = states.len() / n;
    if batch == 0 {
        return Ok(Vec::new());
    }

    let spins: Vec<f32> = states.iter().map(|&s| f32::from(s)).collect();
    let field: Vec<f32> = model.field.iter().map(|&h| h as f32).collect();
    let coupling: Vec<f32> = model.coupling.iter().map(|&j| j as f32).collect();
    let spins = Tensor::<2>::from_data(TensorData::new(spins, [batch, n]), device);
    let field = Tensor::<2>::from_data(TensorData::new(field, [n, 1]), device);
    let coupling = Tensor::<2>::from_data(TensorData::new(coupling, [n, n]), device);

    let field_term = spins.clone().matmul(field);
    let pair_term = spins.clone().matmul(coupling).mul(spins).sum_dim(1);
    let energy = field_term.add(pair_term.mul_scalar(0.5)).neg();

    let data = energy
        .try_into_data()
        .map_err(|error| EbmError::Backend { reason: error.to_string() })?;
    data.try_into_vec_as::<f32>()
        .map_err(|error| EbmError::Backend { reason: error.to_string() })
}
