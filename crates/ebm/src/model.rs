//! The pairwise maximum-entropy (Ising) model of Schneidman et al. 2006 (Nature 440:1007) in
//! the +-1 spin convention, with energy
//!
//! E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j
//!
//! and probability P(s) = exp(-E(s)) / Z. States of N <= 32 spins are also indexed by `u32`
//! bit patterns: bit i set means s_i = +1, bit i clear means s_i = -1.

use serde::Serialize;

use crate::error::{EbmError, Result};

/// Largest number of spins whose states fit in a `u32` index.
pub const MAX_INDEXED_SPINS: usize = 32;

/// Pairwise Ising model with fields `h` and a symmetric, zero-diagonal coupling matrix `J`.
///
/// The fields are public for reading and serialisation. Every function that takes a model
/// checks it again with [`IsingModel::validate`], so a model edited into an invalid state
/// yields an error, not a panic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IsingModel {
    /// Fields h_i, length N.
    pub field: Vec<f64>,
    /// Couplings J_ij, N x N row-major, symmetric with zero diagonal.
    pub coupling: Vec<f64>,
}

impl IsingModel {
    /// Builds a model from fields `h` (length N) and the N x N row-major coupling matrix `J`.
    ///
    /// # Errors
    /// See [`IsingModel::validate`].
    pub fn new(field: Vec<f64>, coupling: Vec<f64>) -> Result<Self> {
        let model = Self { field, coupling };
        model.validate()?;
        Ok(model)
    }

    /// Checks that N >= 1, `coupling` has N * N entries, all values are finite, the diagonal
    /// is zero and J_ij == J_ji exactly.
    ///
    /// # Errors
    /// [`EbmError::ZeroSpins`], [`EbmError::CouplingShape`], [`EbmError::NonFiniteField`],
    /// [`EbmError::NonFiniteCoupling`], [`EbmError::NonzeroDiagonal`] and
    /// [`EbmError::AsymmetricCoupling`].
    pub fn validate(&self) -> Result<()> {
        let n = self.field.len();
        if n == 0 {
            return Err(EbmError::ZeroSpins);
        }
        let expected = n.saturating_mul(n);
        if self.coupling.len() != expected {
            return Err(EbmError::CouplingShape { len: self.coupling.len(), n_spins: n, expected });
        }
        if let Some((index, &value)) = self.field.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(EbmError::NonFiniteField { index, value });
        }
        validate_coupling(&self.coupling, n)
    }

    /// Builds the model with all couplings zero (the independent, first-order model).
    pub fn independent(field: Vec<f64>) -> Result<Self> {
        let n = field.len();
        Self::new(field, vec![0.0; n * n])
    }

    /// Number of spins N.
    pub fn n_spins(&self) -> usize {
        self.field.len()
    }

    /// Coupling J_ij.
    ///
    /// # Panics
    /// Panics if `i` or `j` is not below N, like slice indexing.
    pub fn coupling_at(&self, i: usize, j: usize) -> f64 {
        self.coupling[i * self.n_spins() + j]
    }

    /// Computes E(s) for a state of N spins, each +1 or -1.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`], [`EbmError::InvalidSpin`], or a model error from
    /// [`IsingModel::validate`].
    pub fn energy(&self, spins: &[i8]) -> Result<f64> {
        self.validate()?;
        let n = self.n_spins();
        if spins.len() != n {
            return Err(EbmError::StateLengthMismatch { len: spins.len(), n_spins: n });
        }
        validate_spins(spins, n)?;
        let mut energy = 0.0;
        for i in 0..n {
            let s_i = f64::from(spins[i]);
            let row = &self.coupling[i * n..(i + 1) * n];
            let mut pair_sum = 0.0;
            for j in (i + 1)..n {
                pair_sum += row[j] * f64::from(spins[j]);
            }
            energy -= s_i * (self.field[i] + pair_sum);
        }
        Ok(energy)
    }

    /// Computes E(s) for the state with bit pattern `index` (bit i set means s_i = +1).
    ///
    /// # Errors
    /// [`EbmError::TooManySpins`] when N > 32, [`EbmError::StateIndexOutOfRange`] when
    /// `index` has bits set at or above N, or a model error from [`IsingModel::validate`].
    pub fn energy_of_index(&self, index: u32) -> Result<f64> {
        self.validate()?;
        let n = self.n_spins();
        if n > MAX_INDEXED_SPINS {
            return Err(EbmError::TooManySpins { n_spins: n, max: MAX_INDEXED_SPINS });
        }
        if n < MAX_INDEXED_SPINS && (index >> n) != 0 {
            return Err(EbmError::StateIndexOutOfRange { index, n_spins: n });
        }
        Ok(self.energy_of_index_unchecked(index))
    }

    /// Computes E(s) for a validated model and an index already known to fit N <= 32 spins.
    pub(crate) fn energy_of_index_unchecked(&self, index: u32) -> f64 {
        let n = self.n_spins();
        let spin = |i: usize| if (index >> i) & 1 == 1 { 1.0 } else { -1.0 };
        let mut energy = 0.0;
        for i in 0..n {
            let row = &self.coupling[i * n..(i + 1) * n];
            let mut pair_sum = 0.0;
            for j in (i + 1)..n {
                pair_sum += row[j] * spin(j);
            }
            energy -= spin(i) * (self.field[i] + pair_sum);
        }
        energy
    }
}

/// Checks that `coupling` (N x N row-major) is finite, symmetric and zero on the diagonal.
fn validate_coupling(coupling: &[f64], n: usize) -> Result<()> {
    for row in 0..n {
        for col in 0..n {
            let value = coupling[row * n + col];
            if !value.is_finite() {
                return Err(EbmError::NonFiniteCoupling { row, col, value });
            }
        }
    }
    for index in 0..n {
        let value = coupling[index * n + index];
        if value != 0.0 {
            return Err(EbmError::NonzeroDiagonal { index, value });
        }
    }
    for row in 0..n {
        for col in (row + 1)..n {
            let upper = coupling[row * n + col];
            let lower = coupling[col * n + row];
            if upper != lower {
                return Err(EbmError::AsymmetricCoupling { row, col, upper, lower });
            }
        }
    }
    Ok(())
}

/// Checks that every value of the row-major samples x `n_spins` buffer is +1 or -1.
pub(crate) fn validate_spins(samples: &[i8], n_spins: usize) -> Result<()> {
    match samples.iter().position(|&v| v != 1 && v != -1) {
        Some(position) => Err(EbmError::InvalidSpin {
            value: samples[position],
            position,
            sample: position / n_spins.max(1),
            spin: position % n_spins.max(1),
        }),
        None => Ok(()),
    }
}

/// Checks the shape and values of a row-major samples x `n_spins` buffer and returns the
/// number of samples.
pub(crate) fn validate_samples(samples: &[i8], n_spins: usize) -> Result<usize> {
    if n_spins == 0 {
        return Err(EbmError::ZeroSpins);
    }
    if samples.is_empty() {
        return Err(EbmError::EmptySamples);
    }
    if samples.len() % n_spins != 0 {
        return Err(EbmError::SampleLengthMismatch { len: samples.len(), n_spins });
    }
    validate_spins(samples, n_spins)?;
    Ok(samples.len() / n_spins)
}

/// Checks that N is in 1..=[`crate::MAX_ENUMERATED_SPINS`].
pub(crate) fn validate_enumerable(n_spins: usize) -> Result<()> {
    if n_spins == 0 {
        return Err(EbmError::ZeroSpins);
    }
    if n_spins > crate::error::MAX_ENUMERATED_SPINS {
        return Err(EbmError::TooManySpins {
            n_spins,
            max: crate::error::MAX_ENUMERATED_SPINS,
        });
    }
    Ok(())
}

/// Converts a state index to its spins (bit i set means s_i = +1).
///
/// Bits at or above `n_spins` are ignored, and spins beyond bit 31 are -1.
pub fn state_to_spins(index: u32, n_spins: usize) -> Vec<i8> {
    (0..n_spins)
        .map(|i| if i < 32 && (index >> i) & 1 == 1 { 1 } else { -1 })
        .collect()
}

/// Converts one already-validated state of at most 32 spins to its index.
pub(crate) fn spins_to_state(spins: &[i8]) -> u32 {
    spins
        .iter()
        .enumerate()
        .filter(|&(_, &s)| s == 1)
        .fold(0u32, |acc, (i, _)| acc | (1u32 << i))
}
