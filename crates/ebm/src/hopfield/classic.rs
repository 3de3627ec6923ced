//! The binary Hopfield network of Hopfield 1982 (PNAS 79:2554) and its energy:
//!
//! E(s) = -1/2 s^T W s + theta^T s,  s_i in {-1, +1},
//!
//! with symmetric weights W and thresholds theta. The local field of unit i is
//! h_i = sum_j w_ij s_j - theta_i.

use crate::error::{EbmError, Result};
use crate::hopfield::patterns::{validate_binary_patterns, validate_state};
use crate::hopfield::rules::{LearningRule, hebb_weights, pseudo_inverse_weights, storkey_weights};

/// Binary Hopfield network with validated symmetric f32 weights and thresholds.
///
/// The weights are finite, symmetric, N x N row-major with a non-negative diagonal, and there
/// is one finite threshold per unit; every constructor checks this.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassicHopfield {
    weights: Vec<f32>,
    thresholds: Vec<f32>,
}

impl ClassicHopfield {
    /// Trains a network on row-major P x `n` +-1 patterns with zero thresholds.
    ///
    /// # Arguments
    /// - `patterns`: P x N patterns, each value +1 or -1.
    /// - `n`: number of units N.
    /// - `rule`: learning rule, see [`LearningRule`].
    ///
    /// # Returns
    /// The network with f32 weights computed in f64 and rounded once.
    ///
    /// # Errors
    /// [`EbmError::ZeroSpins`], [`EbmError::EmptyPatterns`],
    /// [`EbmError::PatternLengthMismatch`], [`EbmError::InvalidSpin`], and
    /// [`EbmError::LinearlyDependentPatterns`] for the pseudo-inverse rule.
    pub fn train(patterns: &[i8], n: usize, rule: LearningRule) -> Result<Self> {
        validate_binary_patterns(patterns, n)?;
        let weights = match rule {
            LearningRule::Hebb => hebb_weights(patterns, n),
            LearningRule::Storkey => storkey_weights(patterns, n),
            LearningRule::PseudoInverse => pseudo_inverse_weights(patterns, n)?,
        };
        let weights = weights.iter().map(|&w| w as f32).collect();
        Ok(Self { weights, thresholds: vec![0.0; n] })
    }

    /// Builds a network from row-major N x N weights and N thresholds.
    ///
    /// # Errors
    /// [`EbmError::ZeroSpins`] for no thresholds, [`EbmError::WeightShape`],
    /// [`EbmError::NonFiniteCoupling`], [`EbmError::AsymmetricCoupling`] (exact comparison),
    /// [`EbmError::NegativeSelfCoupling`] and [`EbmError::NonFiniteThreshold`].
    pub fn from_weights(weights: Vec<f32>, thresholds: Vec<f32>) -> Result<Self> {
        let network = Self { weights, thresholds };
        network.validate()?;
        Ok(network)
    }

    /// Replaces the thresholds, for example after [`ClassicHopfield::train`].
    ///
    /// # Errors
    /// [`EbmError::WeightShape`] when the count differs from N and
    /// [`EbmError::NonFiniteThreshold`].
    pub fn with_thresholds(self, thresholds: Vec<f32>) -> Result<Self> {
        Self::from_weights(self.weights, thresholds)
    }

    /// Number of units N.
    pub fn n_units(&self) -> usize {
        self.thresholds.len()
    }

    /// Weights, row-major N x N.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Thresholds theta, one per unit.
    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }

    /// Computes E(s) = -1/2 s^T W s + theta^T s in f64.
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::InvalidSpin`].
    pub fn energy(&self, state: &[i8]) -> Result<f64> {
        validate_state(state, self.n_units())?;
        Ok(self.energy_unchecked(state))
    }

    pub(crate) fn energy_unchecked(&self, state: &[i8]) -> f64 {
        let n = self.n_units();
        let mut pair_term = 0.0;
        let mut threshold_term = 0.0;
        for (i, &s_i) in state.iter().enumerate() {
            let row = &self.weights[i * n..(i + 1) * n];
            let row_dot: f64 = row.iter().zip(state).map(|(&w, &s)| f64::from(w) * f64::from(s)).sum();
            pair_term += f64::from(s_i) * row_dot;
            threshold_term += f64::from(self.thresholds[i]) * f64::from(s_i);
        }
        -0.5 * pair_term + threshold_term
    }

    /// Computes the local field h_i = sum_j w_ij s_j - theta_i in f64.
    pub(crate) fn local_field(&self, state: &[i8], i: usize) -> f64 {
        let n = self.n_units();
        let row = &self.weights[i * n..(i + 1) * n];
        let dot: f64 = row.iter().zip(state).map(|(&w, &s)| f64::from(w) * f64::from(s)).sum();
        dot - f64::from(self.thresholds[i])
    }

    fn validate(&self) -> Result<()> {
        let n = self.thresholds.len();
        if n == 0 {
            return Err(EbmError::ZeroSpins);
        }
        if self.weights.len() != n * n {
            return Err(EbmError::WeightShape { len: self.weights.len(), n_units: n, expected: n * n });
        }
        if let Some(index) = self.thresholds.iter().position(|t| !t.is_finite()) {
            let value = f64::from(self.thresholds[index]);
            return Err(EbmError::NonFiniteThreshold { index, value });
        }
        for row in 0..n {
            for col in 0..n {
                self.validate_weight(row, col)?;
            }
        }
        Ok(())
    }

    fn validate_weight(&self, row: usize, col: usize) -> Result<()> {
        let n = self.thresholds.len();
        let value = self.weights[row * n + col];
        if !value.is_finite() {
            return Err(EbmError::NonFiniteCoupling { row, col, value: f64::from(value) });
        }
        if row == col && value < 0.0 {
            return Err(EbmError::NegativeSelfCoupling { index: row, value: f64::from(value) });
        }
        let mirror = self.weights[col * n + row];
        if row < col && mirror.is_finite() && value != mirror {
            return Err(EbmError::AsymmetricCoupling {
                row,
                col,
                upper: f64::from(value),
                lower: f64::from(mirror),
            });
        }
        Ok(())
    }
}
