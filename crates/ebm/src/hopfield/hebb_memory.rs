//! The Hebb-rule binary Hopfield network of Hopfield 1982 (PNAS 79:2554) kept as its patterns,
//! so that batched retrieval uses the low-rank form of the Hebb weights.
//!
//! With patterns Xi (P x N), the Hebb weights are W = (Xi^T Xi - P I) / N: the outer products
//! put P on every diagonal entry, and the rule sets the diagonal to 0. For cues S (B x N) the
//! fields are therefore
//!
//! S W = ((S Xi^T) Xi - P S) / N,
//!
//! which costs O(B N P) per step instead of the O(B N^2) of the dense product. The two forms
//! are equal in exact arithmetic. This module evaluates N times the field, whose sign is the
//! same, so every term is an integer.

use burn::tensor::Device;

use crate::error::Result;
use crate::hopfield::batch::{download_spins, tensor_sign_keeping_ties, upload_spins};
use crate::hopfield::classic::ClassicHopfield;
use crate::hopfield::patterns::{validate_binary_patterns, validate_cues};
use crate::hopfield::rules::LearningRule;

/// Binary Hopfield network with Hebb weights and zero thresholds, stored as its P x N +-1
/// patterns instead of the N x N weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HebbMemory {
    patterns: Vec<i8>,
    n_units: usize,
}

impl HebbMemory {
    /// Stores row-major P x `n` +-1 patterns.
    ///
    /// # Errors
    /// [`crate::EbmError::ZeroSpins`], [`crate::EbmError::EmptyPatterns`],
    /// [`crate::EbmError::PatternLengthMismatch`] and [`crate::EbmError::InvalidSpin`].
    pub fn new(patterns: Vec<i8>, n: usize) -> Result<Self> {
        validate_binary_patterns(&patterns, n)?;
        Ok(Self { patterns, n_units: n })
    }

    /// Number of units N.
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Number of stored patterns P.
    pub fn n_patterns(&self) -> usize {
        self.patterns.len() / self.n_units
    }

    /// Patterns, row-major P x N.
    pub fn patterns(&self) -> &[i8] {
        &self.patterns
    }

    /// Builds the equivalent dense network, the same as [`ClassicHopfield::train`] with
    /// [`LearningRule::Hebb`].
    pub fn to_network(&self) -> ClassicHopfield {
        ClassicHopfield::train(&self.patterns, self.n_units, LearningRule::Hebb)
            .expect("the patterns were validated by HebbMemory::new")
    }

    /// Runs `steps` synchronous zero-temperature updates of every cue on `device` with the
    /// low-rank fields ((S Xi^T) Xi - P S) / N, without stopping early.
    ///
    /// A unit whose field is exactly 0 keeps its state, as in
    /// [`ClassicHopfield::retrieve_batch`]. N times the field is an integer of magnitude at
    /// most P (N + 1), so while P (N + 1) <= 2^24 the f32 arithmetic is exact and the result
    /// equals [`ClassicHopfield::update_sync`] of the Hebb network with `max_sweeps = steps`.
    /// The dense [`ClassicHopfield::retrieve_batch`] rounds the weights k / N to f32 unless N
    /// is a power of two, so it can differ from this method on units whose exact field is 0.
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
    // NOTE: above P (N + 1) = 2^24 the integer sums can round in f32, so units whose field is
    // within that rounding of 0 may take either sign.
    pub fn retrieve_batch(&self, cues: &[i8], steps: usize, device: &Device) -> Result<Vec<i8>> {
        let n = self.n_units;
        let p = self.n_patterns();
        let batch = validate_cues(cues, n)?;
        if batch == 0 || steps == 0 {
            return Ok(cues.to_vec());
        }

        let patterns = upload_spins(&self.patterns, p, n, device); // [P, N]
        let patterns_t = patterns.clone().transpose(); // [N, P]
        let mut states = upload_spins(cues, batch, n, device); // [B, N]

        for _ in 0..steps {
            let overlaps = states.clone().matmul(patterns_t.clone()); // [B, P], N m_b,mu
            let scaled_fields = overlaps
                .matmul(patterns.clone())
                .sub(states.clone().mul_scalar(p as f32)); // [B, N], N h_b
            states = tensor_sign_keeping_ties(scaled_fields, states);
        }
        download_spins(states)
    }
}
