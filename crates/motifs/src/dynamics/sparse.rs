//! Compressed sparse rows of a dense `n x n` matrix, and the time grid shared by the
//! simulators.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::error::SimulationError;

/// Non-zero entries of a square matrix, row by row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Csr {
    row_start: Vec<usize>,
    columns: Vec<usize>,
    values: Vec<f64>,
}

impl Csr {
    /// Collects the non-zero `value(row, column)` for `row, column < n`.
    pub(crate) fn from_fn(n: usize, value: impl Fn(usize, usize) -> f64) -> Self {
        let mut row_start = Vec::with_capacity(n + 1);
        let mut columns = Vec::new();
        let mut values = Vec::new();
        row_start.push(0);
        for row in 0..n {
            for column in 0..n {
                let v = value(row, column);
                if v != 0.0 {
                    columns.push(column);
                    values.push(v);
                }
            }
            row_start.push(columns.len());
        }
        Csr {
            row_start,
            columns,
            values,
        }
    }

    /// Column indices and values of `row`.
    pub(crate) fn row(&self, row: usize) -> (&[usize], &[f64]) {
        let range = self.row_start[row]..self.row_start[row + 1];
        (&self.columns[range.clone()], &self.values[range])
    }

    /// Number of stored entries.
    pub(crate) fn entry_count(&self) -> usize {
        self.values.len()
    }

    /// Position of the first entry of `row` among all stored entries.
    pub(crate) fn row_offset(&self, row: usize) -> usize {
        self.row_start[row]
    }

    /// Dot product of `row` with `x`.
    pub(crate) fn row_dot(&self, row: usize, x: &[f64]) -> f64 {
        let (columns, values) = self.row(row);
        columns.iter().zip(values).map(|(&j, &w)| w * x[j]).sum()
    }

    /// Sum of each row.
    pub(crate) fn row_sums(&self) -> Vec<f64> {
        (0..self.row_start.len() - 1)
            .map(|row| self.row(row).1.iter().sum())
            .collect()
    }
}

/// Largest number of integration steps one run may take.
pub const MAX_STEPS: usize = 1 << 32;

/// Integration steps covering `duration` with step `dt`: `ceil(duration / dt)`, allowing for
/// rounding when `duration` is a whole number of steps.
pub(crate) fn step_count(
    duration_name: &'static str,
    duration: f64,
    dt: f64,
) -> Result<usize, SimulationError> {
    let steps = (duration / dt * (1.0 - 1e-12)).ceil();
    if steps > MAX_STEPS as f64 {
        return Err(SimulationError::invalid(
            duration_name,
            duration,
            "at most 2^32 integration steps; raise the step or shorten the run",
        ));
    }
    Ok((steps as usize).max(1))
}

/// Number of steps per recorded sample, when `interval` is a whole number of steps `dt`.
pub(crate) fn steps_per_sample(
    interval_name: &'static str,
    interval: f64,
    dt: f64,
) -> Result<usize, SimulationError> {
    let ratio = interval / dt;
    let whole = ratio.round();
    if whole < 1.0 || (ratio - whole).abs() > 1e-6 * whole {
        return Err(SimulationError::NotStepMultiple {
            parameter: interval_name,
            value: interval,
            step: dt,
        });
    }
    Ok(whole as usize)
}

/// Random stream `stream` of `seed`: independent per neuron or channel, so results do not
/// depend on the order or the thread in which items are processed.
pub(crate) fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_rows_and_products() {
        // [[0, 2], [3, 0]]
        let dense = [0.0, 2.0, 3.0, 0.0];
        let csr = Csr::from_fn(2, |r, c| dense[r * 2 + c]);
        assert_eq!(csr.row(0), (&[1][..], &[2.0][..]));
        assert_eq!(csr.row_dot(1, &[5.0, 7.0]), 15.0);
        assert_eq!(csr.row_sums(), vec![2.0, 3.0]);
    }

    #[test]
    fn grid_counts() {
        assert_eq!(step_count("d", 1.0, 0.1).unwrap(), 10);
        assert_eq!(step_count("d", 1.05, 0.1).unwrap(), 11);
        assert_eq!(steps_per_sample("s", 0.3, 0.1).unwrap(), 3);
        assert!(steps_per_sample("s", 0.25, 0.1).is_err());
        assert!(steps_per_sample("s", 0.01, 0.1).is_err());
    }
}
