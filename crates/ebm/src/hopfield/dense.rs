//! Dense associative memory of Krotov and Hopfield 2016 (NeurIPS, "Dense associative memory
//! for pattern recognition"), its energy and asynchronous update rule: with +-1 patterns xi_mu
//! and state s,
//!
//! E(s) = -sum_mu F(xi_mu . s),
//! s_i <- sign( sum_mu [F(xi_mu,i + a_mu,i) - F(-xi_mu,i + a_mu,i)] ),  a_mu,i = sum_{j != i} xi_mu,j s_j,
//!
//! so each update moves s_i to the value of lower energy and asynchronous dynamics never raise
//! E. F is x^n, max(x, 0)^n, or exp(x) as in Demircigil et al. 2017 (J. Stat. Phys. 168:288).
//!
//! The update only needs the sign of the difference, so polynomials are evaluated at x / N and
//! exponentials after subtracting the largest argument; neither overflows at N = 1000.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{EbmError, Result};
use crate::hopfield::dynamics::{UpdateOutcome, sign_keeping_ties, validate_max_sweeps};
use crate::hopfield::patterns::{validate_binary_patterns, validate_state};

/// Interaction function F of a [`DenseAssociativeMemory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Interaction {
    /// F(x) = x^degree, degree >= 2. Degree 2 is the Hebbian energy up to a constant.
    Polynomial {
        /// Exponent n.
        degree: u32,
    },
    /// F(x) = max(x, 0)^degree, degree >= 2.
    RectifiedPolynomial {
        /// Exponent n.
        degree: u32,
    },
    /// F(x) = exp(x) (Demircigil et al. 2017).
    Exponential,
}

impl Interaction {
    fn validate(self) -> Result<()> {
        match self {
            Self::Polynomial { degree } | Self::RectifiedPolynomial { degree } => {
                if degree < 2 || i32::try_from(degree).is_err() {
                    return Err(EbmError::InvalidDegree { degree });
                }
                Ok(())
            }
            Self::Exponential => Ok(()),
        }
    }

    /// Evaluates F(x) without any shift.
    fn evaluate(self, x: f64) -> f64 {
        match self {
            Self::Polynomial { degree } => x.powi(degree as i32),
            Self::RectifiedPolynomial { degree } => x.max(0.0).powi(degree as i32),
            Self::Exponential => x.exp(),
        }
    }
}

/// Settings of [`DenseAssociativeMemory::update_async`] and
/// [`DenseAssociativeMemory::update_sync`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenseUpdateConfig {
    /// Maximum number of sweeps, each updating every unit once. Default 100.
    pub max_sweeps: usize,
    /// Seed of the ChaCha8 generator that orders asynchronous updates. Default 0.
    pub seed: u64,
}

impl Default for DenseUpdateConfig {
    fn default() -> Self {
        Self { max_sweeps: 100, seed: 0 }
    }
}

impl DenseUpdateConfig {
    /// Checks that `max_sweeps` is at least 1.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] naming `max_sweeps`.
    pub fn validate(&self) -> Result<()> {
        validate_max_sweeps(self.max_sweeps)?;
        Ok(())
    }
}

/// Dense associative memory over validated +-1 patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseAssociativeMemory {
    patterns: Vec<i8>,
    n_units: usize,
    interaction: Interaction,
}

impl DenseAssociativeMemory {
    /// Stores row-major P x `n` +-1 patterns with interaction F.
    ///
    /// # Errors
    /// [`EbmError::ZeroSpins`], [`EbmError::EmptyPatterns`],
    /// [`EbmError::PatternLengthMismatch`], [`EbmError::InvalidSpin`] and
    /// [`EbmError::InvalidDegree`] for a degree below 2 or above 2^31 - 1.
    pub fn new(patterns: &[i8], n: usize, interaction: Interaction) -> Result<Self> {
        interaction.validate()?;
        validate_binary_patterns(patterns, n)?;
        Ok(Self { patterns: patterns.to_vec(), n_units: n, interaction })
    }

    /// Number of units N.
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Number of stored patterns P.
    pub fn n_patterns(&self) -> usize {
        self.patterns.len() / self.n_units
    }

    /// Stored patterns, row-major P x N.
    pub fn patterns(&self) -> &[i8] {
        &self.patterns
    }

    /// Interaction function F.
    pub fn interaction(&self) -> Interaction {
        self.interaction
    }

    /// Computes E(s) = -sum_mu F(xi_mu . s) in f64.
    ///
    /// For the exponential interaction E = -exp(lse), where lse = ln sum_mu exp(xi_mu . s) is
    /// computed with a shift; E is -inf when lse exceeds about 709, the f64 limit, which
    /// needs an overlap above 709 (N > 709).
    ///
    /// # Errors
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::InvalidSpin`].
    pub fn energy(&self, state: &[i8]) -> Result<f64> {
        validate_state(state, self.n_units)?;
        Ok(self.energy_unchecked(state))
    }

    fn energy_unchecked(&self, state: &[i8]) -> f64 {
        let overlaps = self.overlaps(state);
        match self.interaction {
            Interaction::Exponential => -log_sum_exp(&overlaps).exp(),
            kind => -overlaps.iter().map(|&m| kind.evaluate(m)).sum::<f64>(),
        }
    }

    /// Computes m_mu = xi_mu . s for every pattern.
    fn overlaps(&self, state: &[i8]) -> Vec<f64> {
        self.patterns
            .chunks_exact(self.n_units)
            .map(|pattern| {
                let dot: i64 = pattern.iter().zip(state).map(|(&x, &s)| i64::from(x) * i64::from(s)).sum();
                dot as f64
            })
            .collect()
    }

    /// Computes a positive multiple of E(s_i = -1) - E(s_i = +1) from the overlaps m_mu of
    /// the current state.
    fn energy_gap(&self, overlaps: &[f64], state: &[i8], i: usize) -> f64 {
        let n = self.n_units;
        let s_i = f64::from(state[i]);
        let rest = |mu: usize| overlaps[mu] - f64::from(self.patterns[mu * n + i]) * s_i;
        let xi = |mu: usize| f64::from(self.patterns[mu * n + i]);
        let p = overlaps.len();
        match self.interaction {
            Interaction::Exponential => {
                // max over mu of max(a + 1, a - 1) bounds every argument, so exp(.) <= 1.
                let shift = (0..p).map(|mu| rest(mu) + 1.0).fold(f64::NEG_INFINITY, f64::max);
                (0..p)
                    .map(|mu| (rest(mu) + xi(mu) - shift).exp() - (rest(mu) - xi(mu) - shift).exp())
                    .sum()
            }
            kind => {
                let scale = 1.0 / n as f64;
                (0..p)
                    .map(|mu| {
                        let up = kind.evaluate((rest(mu) + xi(mu)) * scale);
                        let down = kind.evaluate((rest(mu) - xi(mu)) * scale);
                        up - down
                    })
                    .sum()
            }
        }
    }

    fn apply_flip(&self, overlaps: &mut [f64], i: usize, new_spin: i8) {
        // Flipping s_i from -new to new changes xi_mu . s by 2 xi_mu,i new.
        let n = self.n_units;
        for (mu, m) in overlaps.iter_mut().enumerate() {
            *m += 2.0 * f64::from(self.patterns[mu * n + i]) * f64::from(new_spin);
        }
    }

    /// Runs asynchronous updates in place, each sweep visiting every unit once in a fresh
    /// random order, until a sweep changes no unit or `max_sweeps` is reached.
    ///
    /// # Arguments
    /// - `state`: initial state, overwritten with the final one.
    /// - `config`: sweep limit and seed.
    ///
    /// # Shapes
    /// - `state`: N values of +-1.
    ///
    /// # Returns
    /// Sweeps performed, whether the final state is a fixed point, and its energy. Every
    /// update keeps or lowers the energy; the same seed gives the same trajectory.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`], [`EbmError::StateLengthMismatch`] and
    /// [`EbmError::InvalidSpin`].
    pub fn update_async(&self, state: &mut [i8], config: &DenseUpdateConfig) -> Result<UpdateOutcome> {
        config.validate()?;
        validate_state(state, self.n_units)?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut order: Vec<usize> = (0..self.n_units).collect();
        let mut overlaps = self.overlaps(state);

        let mut sweeps = 0;
        while sweeps < config.max_sweeps {
            sweeps += 1;
            order.shuffle(&mut rng);
            let mut changed = false;
            for &i in &order {
                let next = sign_keeping_ties(self.energy_gap(&overlaps, state, i), state[i]);
                if next != state[i] {
                    state[i] = next;
                    self.apply_flip(&mut overlaps, i, next);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Ok(self.outcome(state, sweeps))
    }

    /// Runs synchronous updates in place, every unit computed from the previous state, until
    /// a sweep changes no unit or `max_sweeps` is reached. `config.seed` is unused because
    /// the dynamics are deterministic.
    ///
    /// # Arguments
    /// - `state`: initial state, overwritten with the final one.
    /// - `config`: sweep limit.
    ///
    /// # Shapes
    /// - `state`: N values of +-1.
    ///
    /// # Returns
    /// Sweeps performed, whether the final state is a fixed point, and its energy.
    ///
    /// # Errors
    /// As [`DenseAssociativeMemory::update_async`].
    pub fn update_sync(&self, state: &mut [i8], config: &DenseUpdateConfig) -> Result<UpdateOutcome> {
        config.validate()?;
        validate_state(state, self.n_units)?;

        let mut sweeps = 0;
        while sweeps < config.max_sweeps {
            sweeps += 1;
            let overlaps = self.overlaps(state);
            let next: Vec<i8> = (0..self.n_units)
                .map(|i| sign_keeping_ties(self.energy_gap(&overlaps, state, i), state[i]))
                .collect();
            let changed = next.as_slice() != &*state;
            state.copy_from_slice(&next);
            if !changed {
                break;
            }
        }
        Ok(self.outcome(state, sweeps))
    }

    fn outcome(&self, state: &[i8], sweeps: usize) -> UpdateOutcome {
        let overlaps = self.overlaps(state);
        let converged = (0..self.n_units)
            .all(|i| sign_keeping_ties(self.energy_gap(&overlaps, state, i), state[i]) == state[i]);
        UpdateOutcome { sweeps, converged, energy: self.energy_unchecked(state) }
    }
}

/// Computes ln sum_k exp(x_k) with the largest x_k subtracted first.
pub(crate) fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + values.iter().map(|&x| (x - max).exp()).sum::<f64>().ln()
}
