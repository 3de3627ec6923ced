//! Separation of stored patterns and the sufficient condition for single-pattern retrieval in
//! the modern Hopfield network of Ramsauer et al. 2021 (ICLR, "Hopfield networks is all you
//! need", Theorem 4), in this crate's notation (P patterns x_mu in R^N, M = max_mu |x_mu|):
//!
//! Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j,
//! Delta_i >= 2 / (beta P) + ln(2 (P - 1) P beta M^2) / beta.
//!
//! Multiplying by beta > 0 gives g(beta) = beta Delta_i - 2 / P - ln(c beta) >= 0 with
//! c = 2 (P - 1) P M^2. g is convex with its minimum at beta = 1 / Delta_i, where it is
//! negative for P >= 2 (Delta_i <= 2 M^2), so the condition fails on an interval and holds
//! above its larger root. It also holds below the smaller root, where the sphere of radius
//! 1 / (beta P M) around x_i that the theorem places the fixed point in is wide; that branch
//! says little about retrieval and is not reported.
// NOTE: the condition, its constants and its place in the paper (Theorem 4 of the ICLR
// version) were written from memory of the paper and not re-checked against its text.

use crate::error::{EbmError, Result};
use crate::hopfield::modern::{ModernHopfield, dot};

/// Doublings of the bracket tried while searching for a beta that satisfies the condition.
const MAX_BRACKET_DOUBLINGS: usize = 1100;
/// Bisection steps; 200 halvings reach f64 resolution from any bracket.
const MAX_BISECTIONS: usize = 200;

impl ModernHopfield {
    /// Computes Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j in f64, or +inf when pattern i is
    /// the only one.
    ///
    /// # Errors
    /// [`EbmError::PatternIndexOutOfRange`].
    pub fn separation(&self, i: usize) -> Result<f64> {
        let n_patterns = self.n_patterns();
        if i >= n_patterns {
            return Err(EbmError::PatternIndexOutOfRange { index: i, n_patterns });
        }
        let rows: Vec<&[f32]> = self.rows().collect();
        let own = dot(rows[i], rows[i]);
        let closest = (0..n_patterns)
            .filter(|&j| j != i)
            .map(|j| dot(rows[i], rows[j]))
            .fold(f64::NEG_INFINITY, f64::max);
        Ok(own - closest)
    }

    /// Checks the sufficient condition for single-pattern retrieval of pattern i at the
    /// network's beta (see the module documentation). `false` does not mean retrieval fails.
    ///
    /// # Errors
    /// [`EbmError::PatternIndexOutOfRange`].
    pub fn is_well_separated(&self, i: usize) -> Result<bool> {
        let separation = self.separation(i)?;
        Ok(self.condition_margin(separation, self.beta()) >= 0.0)
    }

    /// Estimates the critical inverse temperature of pattern i: the larger root beta* of the
    /// sufficient condition, so the condition holds for every beta >= beta*.
    ///
    /// # Returns
    /// `Some(beta*)`; `Some(0.0)` when P = 1, where every beta > 0 retrieves the pattern; and
    /// `None` when Delta_i <= 0 (pattern i is not separated, so no beta satisfies the
    /// condition). Because the condition is only sufficient, retrieval often succeeds below
    /// beta*.
    ///
    /// # Errors
    /// [`EbmError::PatternIndexOutOfRange`].
    pub fn critical_beta_estimate(&self, i: usize) -> Result<Option<f64>> {
        let separation = self.separation(i)?;
        if separation == f64::INFINITY {
            return Ok(Some(0.0));
        }
        if !(separation > 0.0) {
            return Ok(None);
        }

        // g is increasing above its minimum at 1 / Delta_i, so bracket the root there.
        let mut low = 1.0 / separation;
        if self.condition_margin(separation, low) >= 0.0 {
            return Ok(Some(low));
        }
        let mut high = 2.0 * low;
        let mut doublings = 0;
        while self.condition_margin(separation, high) < 0.0 {
            doublings += 1;
            if doublings > MAX_BRACKET_DOUBLINGS || !high.is_finite() {
                return Ok(None);
            }
            low = high;
            high *= 2.0;
        }
        for _ in 0..MAX_BISECTIONS {
            let middle = 0.5 * (low + high);
            if middle <= low || middle >= high {
                break;
            }
            if self.condition_margin(separation, middle) >= 0.0 {
                high = middle;
            } else {
                low = middle;
            }
        }
        Ok(Some(high))
    }

    /// Computes g(beta) = beta Delta - 2 / P - ln(2 (P - 1) P beta M^2), which is >= 0 exactly
    /// when the condition holds.
    fn condition_margin(&self, separation: f64, beta: f64) -> f64 {
        let p = self.n_patterns() as f64;
        let max_norm = self.max_norm();
        let c = 2.0 * (p - 1.0) * p * max_norm * max_norm;
        beta * separation - 2.0 / p - (c * beta).ln()
    }
}
