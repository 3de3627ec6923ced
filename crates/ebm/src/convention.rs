//! Exact conversion of the pairwise maximum-entropy (Ising) model of Schneidman et al. 2006
//! (Nature 440:1007) between the +-1 spin convention and the 0/1 (lattice-gas) convention.
//!
//! With s_i = 2 x_i - 1, the +-1 energy E_s(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j and
//! the 0/1 energy E_x(x) = -sum_i a_i x_i - sum_{i<j} W_ij x_i x_j agree up to a constant:
//!
//! W_ij = 4 J_ij,  a_i = 2 h_i - 2 sum_{j != i} J_ij,  E_s(s(x)) = E_x(x) + c,
//! c = sum_i h_i - sum_{i<j} J_ij,
//!
//! which is E_s at the all-(-1) state, where E_x = 0. The inverse map is J_ij = W_ij / 4 and
//! h_i = a_i / 2 + sum_{j != i} W_ij / 4, with E_x(x(s)) = E_s(s) - c. Both models define the
//! same Boltzmann distribution, because a constant shift of the energy cancels in Z.

use serde::Serialize;

use crate::error::{EbmError, Result};
use crate::model::IsingModel;

/// Pairwise model on 0/1 units, E(x) = -sum_i a_i x_i - sum_{i<j} W_ij x_i x_j.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZeroOneModel {
    /// Biases a_i, length N.
    pub field: Vec<f64>,
    /// Couplings W_ij, N x N row-major, symmetric with zero diagonal.
    pub coupling: Vec<f64>,
}

impl ZeroOneModel {
    /// Builds a 0/1 model, with the same checks as [`IsingModel::new`].
    ///
    /// # Errors
    /// See [`IsingModel::validate`].
    pub fn new(field: Vec<f64>, coupling: Vec<f64>) -> Result<Self> {
        IsingModel::new(field, coupling).map(|model| Self {
            field: model.field,
            coupling: model.coupling,
        })
    }

    /// Number of units N.
    pub fn n_spins(&self) -> usize {
        self.field.len()
    }

    /// Computes E(x) for a state of N values, each 0 or 1.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`], [`EbmError::InvalidBit`], or a model error.
    pub fn energy(&self, state: &[i8]) -> Result<f64> {
        IsingModel::new(self.field.clone(), self.coupling.clone())?;
        let n = self.n_spins();
        if state.len() != n {
            return Err(EbmError::StateLengthMismatch {
                len: state.len(),
                n_spins: n,
            });
        }
        validate_bits(state)?;
        let mut energy = 0.0;
        for i in (0..n).filter(|&i| state[i] == 1) {
            let row = &self.coupling[i * n..(i + 1) * n];
            let pair_sum: f64 = ((i + 1)..n)
                .filter(|&j| state[j] == 1)
                .map(|j| row[j])
                .sum();
            energy -= self.field[i] + pair_sum;
        }
        Ok(energy)
    }

    /// Converts to the +-1 model and returns it with the constant c such that
    /// E_s(s) = E_x(x(s)) + c for every state.
    ///
    /// # Errors
    /// Model errors from [`IsingModel::validate`].
    pub fn to_plus_minus_one(&self) -> Result<(IsingModel, f64)> {
        IsingModel::new(self.field.clone(), self.coupling.clone())?;
        let n = self.n_spins();
        let coupling: Vec<f64> = self.coupling.iter().map(|w| w / 4.0).collect();
        let field: Vec<f64> = (0..n)
            .map(|i| self.field[i] / 2.0 + coupling[i * n..(i + 1) * n].iter().sum::<f64>())
            .collect();
        let model = IsingModel::new(field, coupling)?;
        let offset = plus_minus_offset(&model);
        Ok((model, offset))
    }
}

impl IsingModel {
    /// Converts to the 0/1 model and returns it with the constant c such that
    /// E_s(s(x)) = E_x(x) + c for every state, s = 2x - 1.
    ///
    /// # Errors
    /// Model errors from [`IsingModel::validate`].
    pub fn to_zero_one(&self) -> Result<(ZeroOneModel, f64)> {
        self.validate()?;
        let n = self.n_spins();
        let coupling: Vec<f64> = self.coupling.iter().map(|j| 4.0 * j).collect();
        let field: Vec<f64> = (0..n)
            .map(|i| {
                2.0 * self.field[i] - 2.0 * self.coupling[i * n..(i + 1) * n].iter().sum::<f64>()
            })
            .collect();
        Ok((ZeroOneModel::new(field, coupling)?, plus_minus_offset(self)))
    }
}

/// Returns c = sum_i h_i - sum_{i<j} J_ij, the +-1 energy minus the 0/1 energy.
fn plus_minus_offset(model: &IsingModel) -> f64 {
    let n = model.n_spins();
    let pair_total: f64 = (0..n)
        .map(|i| ((i + 1)..n).map(|j| model.coupling[i * n + j]).sum::<f64>())
        .sum();
    model.field.iter().sum::<f64>() - pair_total
}

/// Maps 0/1 data to +-1 spins with s = 2x - 1.
///
/// # Errors
/// [`EbmError::InvalidBit`] for a value other than 0 or 1.
pub fn zero_one_to_spins(bits: &[i8]) -> Result<Vec<i8>> {
    validate_bits(bits)?;
    Ok(bits.iter().map(|&x| 2 * x - 1).collect())
}

/// Maps +-1 spins to 0/1 data with x = (s + 1) / 2.
///
/// # Errors
/// [`EbmError::InvalidSpin`] for a value other than +1 or -1 (reported with `n_spins` = 1,
/// so `sample` is the flat position).
pub fn spins_to_zero_one(spins: &[i8]) -> Result<Vec<i8>> {
    crate::model::validate_spins(spins, 1)?;
    Ok(spins.iter().map(|&s| (s + 1) / 2).collect())
}

fn validate_bits(bits: &[i8]) -> Result<()> {
    match bits.iter().position(|&x| x != 0 && x != 1) {
        Some(position) => Err(EbmError::InvalidBit {
            value: bits[position],
            position,
        }),
        None => Ok(()),
    }
}
