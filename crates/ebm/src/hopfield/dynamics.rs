//! Asynchronous and synchronous dynamics of the binary Hopfield network of Hopfield 1982
//! (PNAS 79:2554): s_i <- sign(h_i) with h_i = sum_j w_ij s_j - theta_i, and at
//! temperature T > 0 the Glauber rule P(s_i = +1) = 1 / (1 + exp(-2 h_i / T)).
//!
//! With symmetric weights and a non-negative diagonal, each zero-temperature asynchronous
//! update leaves E(s) = -1/2 s^T W s + theta^T s unchanged or lowers it, so asynchronous
//! dynamics reach a fixed point. Synchronous dynamics reach a fixed point or a cycle of
//! length 2 (Goles et al. 1985, Discrete Appl. Math. 12:261).

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{EbmError, Result};
use crate::hopfield::classic::ClassicHopfield;
use crate::hopfield::patterns::validate_state;

/// Settings of [`ClassicHopfield::update_async`] and [`ClassicHopfield::update_sync`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateConfig {
    /// Maximum number of sweeps, each updating every unit once. Default 100.
    pub max_sweeps: usize,
    /// Glauber temperature T >= 0; 0 gives deterministic sign updates in which a zero field
    /// keeps the current state. Default 0.
    pub temperature: f64,
    /// Seed of the ChaCha8 generator that orders asynchronous updates and draws Glauber
    /// spins. Default 0.
    pub seed: u64,
}

impl Default for UpdateConfig {
    fn default() -> Self {
        Self { max_sweeps: 100, temperature: 0.0, seed: 0 }
    }
}

impl UpdateConfig {
    /// Checks that `max_sweeps` is at least 1 and the temperature is finite and >= 0.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`] for `max_sweeps` and [`EbmError::InvalidTemperature`].
    pub fn validate(&self) -> Result<()> {
        validate_max_sweeps(self.max_sweeps)?;
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return Err(EbmError::InvalidTemperature { value: self.temperature });
        }
        Ok(())
    }
}

/// Result of a run of Hopfield dynamics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UpdateOutcome {
    /// Sweeps performed, including a final sweep that changed no unit.
    pub sweeps: usize,
    /// Whether the final state is a fixed point of the zero-temperature dynamics.
    pub converged: bool,
    /// Energy of the final state.
    pub energy: f64,
}

impl ClassicHopfield {
    /// Runs asynchronous dynamics in place: each sweep updates every unit once, in a fresh
    /// random order.
    ///
    /// At T = 0 it stops after the first sweep that changes no unit. At T > 0 it samples for
    /// exactly `max_sweeps` sweeps.
    ///
    /// # Arguments
    /// - `state`: initial state, overwritten with the final one.
    /// - `config`: sweep limit, temperature and seed.
    ///
    /// # Shapes
    /// - `state`: N values of +-1.
    ///
    /// # Returns
    /// Sweeps performed, whether the final state is a zero-temperature fixed point, and its
    /// energy. The same seed gives the same trajectory.
    ///
    /// # Errors
    /// [`EbmError::InvalidConfig`], [`EbmError::InvalidTemperature`],
    /// [`EbmError::StateLengthMismatch`] and [`EbmError::InvalidSpin`].
    pub fn update_async(&self, state: &mut [i8], config: &UpdateConfig) -> Result<UpdateOutcome> {
        config.validate()?;
        validate_state(state, self.n_units())?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut order: Vec<usize> = (0..self.n_units()).collect();

        let mut sweeps = 0;
        while sweeps < config.max_sweeps {
            sweeps += 1;
            order.shuffle(&mut rng);
            let mut changed = false;
            for &i in &order {
                let field = self.local_field(state, i);
                let next = next_spin(field, config.temperature, state[i], &mut rng);
                changed |= next != state[i];
                state[i] = next;
            }
            if !changed && config.temperature == 0.0 {
                break;
            }
        }
        Ok(self.outcome(state, sweeps))
    }

    /// Runs synchronous dynamics in place: each sweep updates every unit from the previous
    /// state, s <- sign(W s - theta).
    ///
    /// At T = 0 it stops after the first sweep that changes no unit; a 2-cycle runs to
    /// `max_sweeps`. At T > 0 every unit draws its Glauber spin from the previous state, for
    /// exactly `max_sweeps` sweeps.
    ///
    /// # Arguments
    /// - `state`: initial state, overwritten with the final one.
    /// - `config`: sweep limit, temperature and seed.
    ///
    /// # Shapes
    /// - `state`: N values of +-1.
    ///
    /// # Returns
    /// Sweeps performed, whether the final state is a zero-temperature fixed point, and its
    /// energy.
    ///
    /// # Errors
    /// As [`ClassicHopfield::update_async`].
    pub fn update_sync(&self, state: &mut [i8], config: &UpdateConfig) -> Result<UpdateOutcome> {
        config.validate()?;
        validate_state(state, self.n_units())?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut next = state.to_vec();

        let mut sweeps = 0;
        while sweeps < config.max_sweeps {
            sweeps += 1;
            for (i, spin) in next.iter_mut().enumerate() {
                let field = self.local_field(state, i);
                *spin = next_spin(field, config.temperature, state[i], &mut rng);
            }
            let changed = next.as_slice() != &*state;
            state.copy_from_slice(&next);
            if !changed && config.temperature == 0.0 {
                break;
            }
        }
        Ok(self.outcome(state, sweeps))
    }

    /// Checks whether no unit would change under a zero-temperature update.
    fn is_fixed_point(&self, state: &[i8]) -> bool {
        (0..self.n_units()).all(|i| sign_keeping_ties(self.local_field(state, i), state[i]) == state[i])
    }

    fn outcome(&self, state: &[i8], sweeps: usize) -> UpdateOutcome {
        UpdateOutcome {
            sweeps,
            converged: self.is_fixed_point(state),
            energy: self.energy_unchecked(state),
        }
    }
}

/// Rejects a sweep limit of zero, which would return the cue unchanged.
pub(crate) fn validate_max_sweeps(max_sweeps: usize) -> Result<()> {
    if max_sweeps == 0 {
        return Err(EbmError::InvalidConfig {
            name: "max_sweeps",
            value: "0".to_string(),
            expected: "must be at least 1 (default 100)",
        });
    }
    Ok(())
}

/// Returns the sign of `field`, or `current` when the field is exactly 0.
pub(crate) fn sign_keeping_ties(field: f64, current: i8) -> i8 {
    if field > 0.0 {
        1
    } else if field < 0.0 {
        -1
    } else {
        current
    }
}

/// Draws the next spin: the sign at T = 0, the Glauber rule at T > 0.
fn next_spin(field: f64, temperature: f64, current: i8, rng: &mut ChaCha8Rng) -> i8 {
    if temperature == 0.0 {
        return sign_keeping_ties(field, current);
    }
    // exp overflows to +inf for very negative fields, which gives probability 0 as intended.
    let probability_up = 1.0 / (1.0 + (-2.0 * field / temperature).exp());
    if rng.random::<f64>() < probability_up { 1 } else { -1 }
}
