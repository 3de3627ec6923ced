//! Spike-time files and binning of spike trains into counts.
//!
//! # File format
//! One spike time per line. Lines starting with `#` are header lines, and
//! blank lines separate blocks. A trial starts at each header block and at
//! the first spike after one or more blank lines, so both header-delimited
//! and blank-line-delimited files work. A header block without spikes is
//! kept as an empty trial.
//!
//! The nitime grasshopper files (`grasshopper_spike_times1.txt`, `...2.txt`)
//! have a single header block and one trial each, with times in microseconds.
//! The unit follows from the matching stimulus file, which has 200000 rows
//! spaced 50 time units apart, and from nitime's example, which samples that
//! stimulus at 0.05 ms and divides the spike times by 50 to index it.
//! NOTE: those headers contain `duration (msec): 1000`, yet the spike times span
//! about 10 s (10^7 us); the reader keeps every spike.

use std::path::Path;

use crate::error::{DataError, Result};

/// Unit of the numbers in a spike-time file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Microseconds (the nitime grasshopper files).
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
}

impl TimeUnit {
    /// Converts `value` in this unit to milliseconds. Dividing microseconds
    /// by 1000, rather than multiplying by 0.001, keeps `6700 us` exactly `6.7`.
    pub fn to_ms(self, value: f64) -> f64 {
        match self {
            TimeUnit::Microseconds => value / 1000.0,
            TimeUnit::Milliseconds => value,
            TimeUnit::Seconds => value * 1000.0,
        }
    }
}

/// Spike times of repeated trials.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpikeTrials {
    /// Spike times in milliseconds, one vector per trial, in file order.
    pub trials: Vec<Vec<f64>>,
    /// Header lines of each trial without the leading `#` (empty when the
    /// trial started after a blank line).
    pub headers: Vec<Vec<String>>,
}

impl SpikeTrials {
    /// Number of trials.
    pub fn trial_count(&self) -> usize {
        self.trials.len()
    }

    /// Total number of spikes over all trials.
    pub fn spike_count(&self) -> usize {
        self.trials.iter().map(Vec::len).sum()
    }

    /// Bins every trial with [`bin_spikes`].
    ///
    /// # Errors
    /// Those of [`bin_spikes`].
    pub fn binned(&self, bin_ms: f64, duration_ms: f64) -> Result<Vec<Vec<u32>>> {
        self.trials
            .iter()
            .map(|train| bin_spikes(train, bin_ms, duration_ms))
            .collect()
    }
}

/// Reads a spike-time file whose values are in microseconds, as the nitime
/// grasshopper files are, and converts them to milliseconds.
///
/// # Errors
/// As [`read_spike_times_in`].
pub fn read_spike_times(path: &Path) -> Result<SpikeTrials> {
    read_spike_times_in(path, TimeUnit::Microseconds)
}

/// Trial under construction while a spike file is read.
#[derive(Default)]
struct TrialBuilder {
    header: Vec<String>,
    spikes: Vec<f64>,
}

/// Reads a spike-time file whose values are in `unit`; see the module
/// documentation for the layout.
///
/// # Errors
/// [`DataError::Io`] if the file cannot be read, [`DataError::Parse`] for a
/// line that is not a finite number, and [`DataError::Empty`] if the file
/// has neither spikes nor header lines.
pub fn read_spike_times_in(path: &Path, unit: TimeUnit) -> Result<SpikeTrials> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    let mut result = SpikeTrials::default();
    let mut current: Option<TrialBuilder> = None;
    let mut after_blank = false;
    let mut after_header = false;
    let finish = |trial: Option<TrialBuilder>, result: &mut SpikeTrials| {
        if let Some(trial) = trial {
            result.trials.push(trial.spikes);
            result.headers.push(trial.header);
        }
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            after_blank = true;
            after_header = false;
        } else if let Some(comment) = line.strip_prefix('#') {
            if !after_header {
                finish(current.take(), &mut result);
            }
            let trial = current.get_or_insert_with(TrialBuilder::default);
            trial.header.push(comment.trim().to_owned());
            after_header = true;
        } else {
            let value = parse_time(path, i + 1, line)?;
            let starts_new = current
                .as_ref()
                .is_none_or(|t| after_blank && !t.spikes.is_empty());
            if starts_new {
                finish(current.take(), &mut result);
            }
            let trial = current.get_or_insert_with(TrialBuilder::default);
            trial.spikes.push(unit.to_ms(value));
            after_blank = false;
            after_header = false;
        }
    }
    finish(current.take(), &mut result);
    if result.trials.is_empty() {
        let what = "spike times or trial headers".to_owned();
        return Err(DataError::Empty {
            path: path.to_owned(),
            what,
        });
    }
    Ok(result)
}

fn parse_time(path: &Path, row: usize, line: &str) -> Result<f64> {
    match line.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(DataError::parse(path, row, "a finite spike time", line)),
    }
}

/// Upper limit on the number of bins, which catches a duration or bin width
/// given in the wrong unit before a huge vector is allocated.
pub const MAX_BINS: usize = 1 << 30;

/// Counts spikes in consecutive bins of `bin_ms` covering `[0, duration_ms)`.
///
/// There are `ceil(duration_ms / bin_ms)` bins, so the last one may be
/// shorter. A spike at time `t` falls in bin `floor(t / bin_ms)`. Spikes
/// before 0 or at or after `duration_ms` are ignored.
///
/// # Errors
/// [`DataError::InvalidParameter`] if `bin_ms` or `duration_ms` is not a
/// positive finite number or the bin count exceeds [`MAX_BINS`], and
/// [`DataError::NonFinite`] if a spike time is NaN or infinite.
pub fn bin_spikes(train: &[f64], bin_ms: f64, duration_ms: f64) -> Result<Vec<u32>> {
    for (name, value) in [("bin_ms", bin_ms), ("duration_ms", duration_ms)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(DataError::invalid(
                name,
                value,
                "a positive finite number of milliseconds",
            ));
        }
    }
    let bins = (duration_ms / bin_ms).ceil();
    if bins > MAX_BINS as f64 {
        let expected = format!("at most {MAX_BINS} bins; check the units of both values");
        return Err(DataError::invalid("duration_ms / bin_ms", bins, expected));
    }
    let mut counts = vec![0u32; bins as usize];
    for (index, &t) in train.iter().enumerate() {
        if !t.is_finite() {
            let what = "spike train".to_owned();
            return Err(DataError::NonFinite {
                what,
                index,
                value: t,
            });
        }
        if t < 0.0 || t >= duration_ms {
            continue;
        }
        let bin = ((t / bin_ms).floor() as usize).min(counts.len() - 1);
        counts[bin] = counts[bin].saturating_add(1);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_hand_computed() {
        // Bins [0,3) [3,6) [6,9) [9,10): 0.0, 2.9 -> 0; 3.0 -> 1; 9.5 -> 3; -1 and 10 ignored.
        let counts = bin_spikes(&[0.0, 2.9, 3.0, 9.5, -1.0, 10.0], 3.0, 10.0).expect("valid");
        assert_eq!(counts, vec![2, 1, 0, 1]);
    }

    #[test]
    fn bins_reject_bad_parameters() {
        let zero_bin = bin_spikes(&[1.0], 0.0, 10.0);
        assert!(matches!(zero_bin, Err(DataError::InvalidParameter { .. })));
        let nan_duration = bin_spikes(&[1.0], 1.0, f64::NAN);
        assert!(matches!(
            nan_duration,
            Err(DataError::InvalidParameter { .. })
        ));
        let too_many = bin_spikes(&[1.0], 1e-9, 1e9);
        assert!(matches!(too_many, Err(DataError::InvalidParameter { .. })));
        let nan_spike = bin_spikes(&[1.0, f64::NAN], 1.0, 10.0);
        assert!(matches!(
            nan_spike,
            Err(DataError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn empty_train_gives_zero_counts() {
        assert_eq!(bin_spikes(&[], 5.0, 10.0).expect("valid"), vec![0, 0]);
    }
}
