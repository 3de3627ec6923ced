//! Per-channel preprocessing of recordings: z-scoring and binarisation.

use crate::error::{DataError, Result};
use crate::recording::Recording;

/// Values used for the two states of a binarised recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpinConvention {
    /// Ising spins: +1 above the channel mean, -1 otherwise.
    PlusMinusOne,
    /// Bits: 1 above the channel mean, 0 otherwise.
    ZeroOne,
}

impl SpinConvention {
    /// State of a value above the threshold.
    pub fn up(self) -> i8 {
        1
    }

    /// State of a value at or below the threshold.
    pub fn down(self) -> i8 {
        match self {
            SpinConvention::PlusMinusOne => -1,
            SpinConvention::ZeroOne => 0,
        }
    }
}

/// Binary states, one row per time point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryData {
    /// `samples * channels` states, row-major: channel `c` at time `t` is
    /// `states[t * channels + c]`.
    pub states: Vec<i8>,
    /// Number of channels (columns).
    pub channels: usize,
    /// Number of time points (rows).
    pub samples: usize,
    /// Values used for the two states.
    pub convention: SpinConvention,
}

impl BinaryData {
    /// Returns the states of all channels at time `t`, or `None` when `t >= samples`.
    pub fn row(&self, t: usize) -> Option<&[i8]> {
        if t >= self.samples {
            return None;
        }
        self.states.get(t * self.channels..(t + 1) * self.channels)
    }
}

/// Describes channel `c` for error messages.
fn channel_name(recording: &Recording, c: usize) -> String {
    format!("channel {c} ({})", recording.labels[c])
}

/// Returns the mean of channel `c`, rejecting NaN and infinite values.
fn finite_mean(recording: &Recording, c: usize, values: &[f64]) -> Result<f64> {
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        let what = channel_name(recording, c);
        return Err(DataError::NonFinite {
            what,
            index,
            value: values[index],
        });
    }
    Ok(values.iter().sum::<f64>() / values.len() as f64)
}

/// Checks consistency and that there is at least one sample.
fn check_not_empty(recording: &Recording) -> Result<()> {
    recording.validate()?;
    if recording.samples == 0 || recording.channels == 0 {
        return Err(DataError::Shape {
            what: "recording".to_owned(),
            expected: "at least one channel and one sample".to_owned(),
            found: format!(
                "{} channels x {} samples",
                recording.channels, recording.samples
            ),
        });
    }
    Ok(())
}

/// Z-scores each channel: subtracts its mean and divides by its population
/// standard deviation (ddof = 0, as `numpy.std` and `scipy.stats.zscore` by default).
///
/// # Errors
/// [`DataError::NonFinite`] naming the channel and sample of a NaN or
/// infinite value, [`DataError::ConstantChannel`] if all samples of a channel
/// are equal (this includes a single-sample recording), and
/// [`DataError::Shape`] for an empty or inconsistent recording.
pub fn zscore(recording: &Recording) -> Result<Recording> {
    check_not_empty(recording)?;
    let mut data = Vec::with_capacity(recording.data.len());
    for c in 0..recording.channels {
        let values = &recording.data[c * recording.samples..(c + 1) * recording.samples];
        let mean = finite_mean(recording, c, values)?;
        let first = values[0];
        if values.iter().all(|&v| v == first) {
            let label = recording.labels[c].clone();
            return Err(DataError::ConstantChannel {
                channel: c,
                label,
                value: first,
            });
        }
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
        let std = variance.sqrt();
        data.extend(values.iter().map(|v| (v - mean) / std));
    }
    Ok(Recording {
        data,
        ..recording.clone()
    })
}

/// Binarises each channel at its mean: a sample strictly above the mean is
/// [`SpinConvention::up`], one at or below it is [`SpinConvention::down`].
/// A constant channel is therefore all down.
///
/// # Errors
/// [`DataError::NonFinite`] naming the channel and sample of a NaN or
/// infinite value, and [`DataError::Shape`] for an empty or inconsistent recording.
pub fn binarise(recording: &Recording, convention: SpinConvention) -> Result<BinaryData> {
    check_not_empty(recording)?;
    let (channels, samples) = (recording.channels, recording.samples);
    let mut states = vec![convention.down(); channels * samples];
    for c in 0..channels {
        let values = &recording.data[c * samples..(c + 1) * samples];
        let mean = finite_mean(recording, c, values)?;
        for (t, &v) in values.iter().enumerate() {
            if v > mean {
                states[t * channels + c] = convention.up();
            }
        }
    }
    Ok(BinaryData {
        states,
        channels,
        samples,
        convention,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Recording {
        // Channel 0: 1 2 3 4 (mean 2.5, population std sqrt(1.25)); channel 1: 10 0 0 10.
        let data = vec![1.0, 2.0, 3.0, 4.0, 10.0, 0.0, 0.0, 10.0];
        Recording::new(data, 2, 4, 1.0).expect("valid")
    }

    #[test]
    fn zscore_hand_computed() {
        let z = zscore(&sample()).expect("no constant channel");
        let s = 1.25f64.sqrt();
        let expected = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 1.0, -1.0, -1.0, 1.0];
        for (got, want) in z.data.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
        }
        assert_eq!(z.labels, sample().labels);
    }

    #[test]
    fn zscore_rejects_constant_channel() {
        let r = Recording::new(vec![1.0, 2.0, 0.1, 0.1], 2, 2, 1.0).expect("valid");
        let err = zscore(&r).unwrap_err();
        assert!(matches!(err, DataError::ConstantChannel { channel: 1, .. }));
        assert!(err.to_string().contains("region 1"));
    }

    #[test]
    fn zscore_rejects_nan() {
        let r = Recording::new(vec![1.0, 2.0, 3.0, f64::NAN], 2, 2, 1.0).expect("valid");
        let err = zscore(&r).unwrap_err();
        assert!(matches!(err, DataError::NonFinite { index: 1, .. }));
        assert!(err.to_string().contains("channel 1"));
    }

    #[test]
    fn zscore_rejects_empty() {
        let r = Recording::new(vec![], 3, 0, 1.0).expect("valid");
        assert!(matches!(zscore(&r), Err(DataError::Shape { .. })));
    }

    #[test]
    fn binarise_plus_minus_one() {
        let b = binarise(&sample(), SpinConvention::PlusMinusOne).expect("valid");
        assert_eq!((b.samples, b.channels), (4, 2));
        assert_eq!(b.row(0), Some(&[-1, 1][..]));
        assert_eq!(b.row(1), Some(&[-1, -1][..]));
        assert_eq!(b.row(2), Some(&[1, -1][..]));
        assert_eq!(b.row(3), Some(&[1, 1][..]));
        assert_eq!(b.row(4), None);
    }

    #[test]
    fn binarise_zero_one_and_ties() {
        // Channel 1 is constant, so every sample equals its mean and is down.
        let r = Recording::new(vec![0.0, 2.0, 5.0, 5.0], 2, 2, 1.0).expect("valid");
        let b = binarise(&r, SpinConvention::ZeroOne).expect("valid");
        assert_eq!(b.states, vec![0, 0, 1, 0]);
    }

    #[test]
    fn binarise_rejects_infinite() {
        let r = Recording::new(vec![0.0, f64::INFINITY], 1, 2, 1.0).expect("valid");
        let err = binarise(&r, SpinConvention::ZeroOne).unwrap_err();
        assert!(matches!(err, DataError::NonFinite { index: 1, .. }));
    }
}
