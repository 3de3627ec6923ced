//! Batched synchronous retrieval in the dense associative memory of Krotov and Hopfield 2016
//! (NeurIPS, "Dense associative memory for pattern recognition") as tensor operations on a
//! Burn device. For cues S (B x N) and patterns Xi (P x N), every unit i of every cue b gets
//!
//! s_bi <- sign( sum_mu [F(a_bi,mu + xi_mu,i) - F(a_bi,mu - xi_mu,i)] ),
//! a_bi,mu = (S Xi^T)_b,mu - s_bi xi_mu,i,
//!
//! computed as a B x N x P tensor, with polynomials evaluated at x / N and exponentials
//! shifted by max_mu a_bi,mu + 1 as in the CPU version.

use burn::tensor::{Device, Tensor};

use crate::error::Result;
use crate::hopfield::batch::{download_spins, tensor_sign_keeping_ties, upload_spins};
use crate::hopfield::dense::{DenseAssociativeMemory, Interaction};
use crate::hopfield::patterns::validate_cues;

/// Largest B x N x P intermediate tensor, in elements (64 MiB of f32); larger batches run in
/// chunks of cues.
const MAX_CHUNK_ELEMENTS: usize = 1 << 24;

impl DenseAssociativeMemory {
    /// Runs `steps` synchronous updates of every cue on `device`, without stopping early.
    ///
    /// The arithmetic is f32, so the result equals [`DenseAssociativeMemory::update_sync`]
    /// with `max_sweeps = steps` except for units whose energy gap is within f32 rounding of
    /// 0. For polynomial interactions with N a power of two and N^degree * P <= 2^24 every
    /// term is exact and the two agree exactly.
    ///
    /// # Arguments
    /// - `cues`: initial states, one per row.
    /// - `steps`: number of synchronous updates; 0 returns the cues.
    /// - `device`: Burn device to run on.
    ///
    /// # Shapes
    /// - `cues`: B x N row-major, values +-1.
    /// - returns: B x N row-major, values +-1.
    ///
    /// # Errors
    /// [`crate::EbmError::SampleLengthMismatch`] and [`crate::EbmError::InvalidSpin`] for bad
    /// cues, and [`crate::EbmError::Backend`] when the device fails to read back the result.
    pub fn retrieve_batch(&self, cues: &[i8], steps: usize, device: &Device) -> Result<Vec<i8>> {
        let n = self.n_units();
        let p = self.n_patterns();
        let batch = validate_cues(cues, n)?;
        if batch == 0 || steps == 0 {
            return Ok(cues.to_vec());
        }

        let patterns_t = upload_spins(self.patterns(), p, n, device).transpose(); // [N, P]
        let chunk_rows = (MAX_CHUNK_ELEMENTS / (n * p)).max(1);
        let mut retrieved = Vec::with_capacity(cues.len());
        for chunk in cues.chunks(chunk_rows * n) {
            let mut states = upload_spins(chunk, chunk.len() / n, n, device);
            for _ in 0..steps {
                let gaps = self.energy_gaps(states.clone(), patterns_t.clone()); // [B, N]
                states = tensor_sign_keeping_ties(gaps, states);
            }
            retrieved.extend(download_spins(states)?);
        }
        Ok(retrieved)
    }

    /// Computes a positive multiple of E(s_bi = -1) - E(s_bi = +1) for every cue and unit.
    fn energy_gaps(&self, states: Tensor<2>, patterns_t: Tensor<2>) -> Tensor<2> {
        let [batch, n] = states.dims();
        let overlaps = states.clone().matmul(patterns_t.clone()); // [B, P]
        let xi = patterns_t.unsqueeze_dim::<3>(0); // [1, N, P]
        let own = states.unsqueeze_dim::<3>(2).mul(xi.clone()); // [B, N, P]
        let rest = overlaps.unsqueeze_dim::<3>(1).sub(own); // [B, N, P]

        let up = rest.clone().add(xi.clone());
        let down = rest.clone().sub(xi);
        let scale = 1.0 / n as f64;
        let gaps = match self.interaction() {
            Interaction::Exponential => {
                let shift = rest.max_dim(2).add_scalar(1.0); // [B, N, 1]
                let up = up.sub(shift.clone()).exp().sum_dim(2);
                let down = down.sub(shift).exp().sum_dim(2);
                up.sub(down)
            }
            Interaction::Polynomial { degree } => {
                let up = integer_power(up.mul_scalar(scale), degree).sum_dim(2);
                let down = integer_power(down.mul_scalar(scale), degree).sum_dim(2);
                up.sub(down)
            }
            Interaction::RectifiedPolynomial { degree } => {
                let up = integer_power(up.mul_scalar(scale).clamp_min(0.0), degree).sum_dim(2);
                let down = integer_power(down.mul_scalar(scale).clamp_min(0.0), degree).sum_dim(2);
                up.sub(down)
            }
        };

        gaps.reshape([batch, n])
    }
}

/// Raises every element to an integer power by repeated squaring, which is exact in sign for
/// negative bases on every backend (a float `powf` may return NaN for them).
fn integer_power(base: Tensor<3>, exponent: u32) -> Tensor<3> {
    let mut result = base.ones_like();
    let mut power = base;
    let mut remaining = exponent;
    while remaining > 0 {
        if remaining & 1 == 1 {
            result = result.mul(power.clone());
        }
        remaining >>= 1;
        if remaining > 0 {
            power = power.clone().mul(power);
        }
    }
    result
}
