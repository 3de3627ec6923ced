//! Batched synchronous retrieval in the binary Hopfield network of Hopfield 1982 (PNAS
//! 79:2554) as tensor operations on a Burn device: S <- sign(S W - theta) for a B x N matrix
//! of cues S, with a zero field keeping the current state.
//!
//! W is symmetric, so row b of S W is the field vector W s_b of cue b. W is uploaded once, the
//! steps run on the device, and the states are read back once.

use burn::tensor::{Device, Tensor, TensorData};

use crate::error::{EbmError, Result};
use crate::hopfield::classic::ClassicHopfield;
use crate::hopfield::patterns::validate_cues;

impl ClassicHopfield {
    /// Runs `steps` synchronous zero-temperature updates of every cue on `device`.
    ///
    /// It does not stop early, because checking for a fixed point would read the states back
    /// every step. Fixed points stay fixed, so the result equals that of
    /// [`ClassicHopfield::update_sync`] with `max_sweeps = steps` whenever both compute every
    /// field with the same sign. They can differ only for units whose field is within f32
    /// rounding of 0. With weights and thresholds that are multiples of a power of two, such
    /// as Hebb weights for N a power of two, the fields are exact and the two agree exactly.
    ///
    /// # Arguments
    /// - `cues`: initial states, one per row.
    /// - `steps`: number of synchronous updates; 0 returns the cues.
    /// - `device`: Burn device to run on (`Device::flex()`, `Device::wgpu(..)`, ...).
    ///
    /// # Shapes
    /// - `cues`: B x N row-major, values +-1.
    /// - returns: B x N row-major, values +-1.
    ///
    /// # Errors
    /// [`EbmError::SampleLengthMismatch`] and [`EbmError::InvalidSpin`] for bad cues, and
    /// [`EbmError::Backend`] when the device fails to read back the result.
    pub fn retrieve_batch(&self, cues: &[i8], steps: usize, device: &Device) -> Result<Vec<i8>> {
        let n = self.n_units();
        let batch = validate_cues(cues, n)?;
        if batch == 0 || steps == 0 {
            return Ok(cues.to_vec());
        }

        let weights = Tensor::<2>::from_data(TensorData::new(self.weights().to_vec(), [n, n]), device);
        let thresholds =
            Tensor::<2>::from_data(TensorData::new(self.thresholds().to_vec(), [1, n]), device);
        // Networks from `train` have zero thresholds, and skipping the subtraction saves one
        // pass per step.
        let has_thresholds = self.thresholds().iter().any(|&theta| theta != 0.0);
        let mut states = upload_spins(cues, batch, n, device);

        for _ in 0..steps {
            let mut fields = states.clone().matmul(weights.clone()); // [B, N]
            if has_thresholds {
                fields = fields.sub(thresholds.clone());
            }
            states = tensor_sign_keeping_ties(fields, states);
        }
        download_spins(states)
    }
}

/// Returns sign(fields) where the field is nonzero and `states` where it is exactly 0.
// NOTE: `greater_elem`/`lower_elem` with two `mask_fill` calls made `cargo xtask bench
// hopfield` slower on flex (63 ms against 46 ms per dense call), so the arithmetic form stays.
pub(crate) fn tensor_sign_keeping_ties(fields: Tensor<2>, states: Tensor<2>) -> Tensor<2> {
    let signs = fields.sign();
    let ties = signs.clone().abs().neg().add_scalar(1.0); // 1 where the field is 0, else 0
    signs.add(states.mul(ties))
}

/// Uploads B x N +-1 spins as an f32 tensor.
pub(crate) fn upload_spins(spins: &[i8], batch: usize, n: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = spins.iter().map(|&s| f32::from(s)).collect();
    Tensor::<2>::from_data(TensorData::new(values, [batch, n]), device)
}

/// Reads an f32 tensor of +-1 spins back as `i8`.
pub(crate) fn download_spins(states: Tensor<2>) -> Result<Vec<i8>> {
    let values = download_f32(states)?;
    Ok(values.iter().map(|&v| if v > 0.0 { 1 } else { -1 }).collect())
}

/// Reads any float tensor back as a flat f32 vector.
pub(crate) fn download_f32<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    let data = tensor
        .try_into_data()
        .map_err(|error| EbmError::Backend { reason: error.to_string() })?;
    data.try_into_vec_as::<f32>()
        .map_err(|error| EbmError::Backend { reason: error.to_string() })
}
