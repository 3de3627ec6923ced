//! Multichannel recordings sampled at a fixed interval, such as fMRI region
//! time series.

use std::path::Path;

use crate::error::{DataError, Result};
use crate::mat::read_mat_matrix;

/// A multichannel recording, stored channels x time, row-major.
///
/// The fields are public for reading; functions that take a `Recording`
/// check `data.len() == channels * samples` and `labels.len() == channels`
/// and return [`DataError::Shape`] otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// `channels * samples` values: sample `t` of channel `c` is `data[c * samples + t]`.
    pub data: Vec<f64>,
    /// Number of channels (regions, neurons, electrodes).
    pub channels: usize,
    /// Number of time points per channel.
    pub samples: usize,
    /// Time between consecutive samples, in seconds (0.72 for the HCP REST1 scans).
    pub sampling_interval_s: f64,
    /// One label per channel.
    pub labels: Vec<String>,
}

/// Returns `region 0`, `region 1`, ... for `channels` channels.
fn default_labels(channels: usize) -> Vec<String> {
    (0..channels).map(|i| format!("region {i}")).collect()
}

impl Recording {
    /// Builds a recording from channels x time row-major data, with labels
    /// `region 0`, `region 1`, ....
    ///
    /// # Errors
    /// [`DataError::Shape`] if `data.len() != channels * samples`, and
    /// [`DataError::InvalidParameter`] if `sampling_interval_s` is not a
    /// positive finite number.
    pub fn new(
        data: Vec<f64>,
        channels: usize,
        samples: usize,
        sampling_interval_s: f64,
    ) -> Result<Self> {
        if !(sampling_interval_s.is_finite() && sampling_interval_s > 0.0) {
            let expected = "a positive finite number of seconds";
            return Err(DataError::invalid(
                "sampling_interval_s",
                sampling_interval_s,
                expected,
            ));
        }
        let recording = Recording {
            data,
            channels,
            samples,
            sampling_interval_s,
            labels: default_labels(channels),
        };
        recording.validate()?;
        Ok(recording)
    }

    /// Reads a 2-D MAT-file variable laid out channels x time (for example
    /// `tc`, 94 regions x 1200 volumes, in the HCP `TC_rsfMRI_REST1_LR.mat`).
    ///
    /// # Errors
    /// Those of [`read_mat_matrix`] and [`Recording::new`].
    pub fn from_mat(path: &Path, variable: &str, sampling_interval_s: f64) -> Result<Self> {
        let matrix = read_mat_matrix(path, variable)?;
        Recording::new(matrix.data, matrix.rows, matrix.cols, sampling_interval_s)
    }

    /// Replaces the channel labels.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if there is not exactly one label per channel.
    pub fn with_labels(mut self, labels: Vec<String>) -> Result<Self> {
        if labels.len() != self.channels {
            let expected = format!("{} labels, one per channel", self.channels);
            return Err(DataError::invalid(
                "labels",
                format!("{} labels", labels.len()),
                expected,
            ));
        }
        self.labels = labels;
        Ok(self)
    }

    /// Checks that the public fields are consistent.
    ///
    /// # Errors
    /// [`DataError::Shape`] naming the inconsistent field.
    pub fn validate(&self) -> Result<()> {
        let expected_len = self.channels.checked_mul(self.samples);
        if expected_len != Some(self.data.len()) {
            return Err(DataError::Shape {
                what: "recording data".to_owned(),
                expected: format!("{} channels x {} samples", self.channels, self.samples),
                found: format!("{} values", self.data.len()),
            });
        }
        if self.labels.len() != self.channels {
            return Err(DataError::Shape {
                what: "recording labels".to_owned(),
                expected: format!("{} labels", self.channels),
                found: format!("{} labels", self.labels.len()),
            });
        }
        Ok(())
    }

    /// Returns the samples of channel `i`, or `None` when `i >= channels`.
    pub fn channel(&self, i: usize) -> Option<&[f64]> {
        if i >= self.channels {
            return None;
        }
        self.data.get(i * self.samples..(i + 1) * self.samples)
    }

    /// Recording length in seconds: `samples * sampling_interval_s`.
    pub fn duration_s(&self) -> f64 {
        self.samples as f64 * self.sampling_interval_s
    }

    /// Returns a recording with the listed channels, in the given order
    /// (an index may repeat).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if `indices` is empty or an index is
    /// `>= channels`, and [`DataError::Shape`] if the recording is inconsistent.
    pub fn select_channels(&self, indices: &[usize]) -> Result<Recording> {
        self.validate()?;
        if indices.is_empty() {
            return Err(DataError::invalid(
                "indices",
                "[]",
                "at least one channel index",
            ));
        }
        let mut data = Vec::with_capacity(indices.len() * self.samples);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            let Some(channel) = self.channel(i) else {
                let expected = format!("channel indices below {}", self.channels);
                return Err(DataError::invalid("indices", i, expected));
            };
            data.extend_from_slice(channel);
            labels.push(self.labels[i].clone());
        }
        Ok(Recording {
            data,
            channels: indices.len(),
            samples: self.samples,
            sampling_interval_s: self.sampling_interval_s,
            labels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Recording {
        Recording::new(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3, 0.5).expect("valid")
    }

    #[test]
    fn channels_and_labels() {
        let r = sample();
        assert_eq!(r.channel(0), Some(&[1.0, 2.0, 3.0][..]));
        assert_eq!(r.channel(1), Some(&[4.0, 5.0, 6.0][..]));
        assert_eq!(r.channel(2), None);
        assert_eq!(r.labels, vec!["region 0", "region 1"]);
        assert_eq!(r.duration_s(), 1.5);
    }

    #[test]
    fn select_reorders_channels() {
        let r = sample()
            .with_labels(vec!["a".into(), "b".into()])
            .expect("two labels");
        let s = r.select_channels(&[1, 0, 1]).expect("valid indices");
        assert_eq!(s.channels, 3);
        assert_eq!(s.data, vec![4.0, 5.0, 6.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(s.labels, vec!["b", "a", "b"]);
    }

    #[test]
    fn select_rejects_bad_indices() {
        let r = sample();
        assert!(matches!(
            r.select_channels(&[2]),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            r.select_channels(&[]),
            Err(DataError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn new_rejects_bad_shape_and_interval() {
        let shape = Recording::new(vec![1.0; 5], 2, 3, 1.0);
        assert!(matches!(shape, Err(DataError::Shape { .. })));
        let interval = Recording::new(vec![1.0; 6], 2, 3, f64::NAN);
        assert!(matches!(interval, Err(DataError::InvalidParameter { .. })));
        let labels = sample().with_labels(vec!["only one".into()]);
        assert!(matches!(labels, Err(DataError::InvalidParameter { .. })));
    }
}
