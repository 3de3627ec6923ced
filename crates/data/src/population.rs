//! Spike trains of a population of neurons recorded together, such as the output of a
//! spiking network simulation: one sorted list of spike times per neuron over a common window.
//!
//! [`crate::SpikeTrials`] contains repeated trials of one neuron. This type contains many
//! neurons observed once, with a label per neuron and the length of the observation window.

use crate::error::{DataError, Result};
use crate::recording::Recording;
use crate::spikes::bin_spikes;

/// Spike times of `neuron_count` neurons over the window `[0, duration_ms)`.
///
/// The fields are public for reading; [`PopulationSpikes::new`] checks that every time is
/// finite, inside the window and sorted per neuron, and that there is one label per neuron.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSpikes {
    /// Spike times in milliseconds, one ascending vector per neuron.
    pub times_ms: Vec<Vec<f64>>,
    /// One label per neuron (a neuron name, or `neuron 0`, `neuron 1`, ...).
    pub labels: Vec<String>,
    /// Length of the observation window in milliseconds.
    pub duration_ms: f64,
}

impl PopulationSpikes {
    /// Builds a population from per-neuron spike times and labels.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if `duration_ms` is not a positive finite number, if
    /// there is not one label per neuron, or if a time lies outside `[0, duration_ms)` or a
    /// neuron's times are not ascending; and [`DataError::NonFinite`] for a NaN or infinite time.
    pub fn new(times_ms: Vec<Vec<f64>>, labels: Vec<String>, duration_ms: f64) -> Result<Self> {
        if !(duration_ms.is_finite() && duration_ms > 0.0) {
            return Err(DataError::invalid(
                "duration_ms",
                duration_ms,
                "a positive finite number of milliseconds",
            ));
        }
        if labels.len() != times_ms.len() {
            let expected = format!("{} labels, one per neuron", times_ms.len());
            return Err(DataError::invalid(
                "labels",
                format!("{} labels", labels.len()),
                expected,
            ));
        }
        for (neuron, train) in times_ms.iter().enumerate() {
            check_train(neuron, train, duration_ms)?;
        }
        Ok(PopulationSpikes {
            times_ms,
            labels,
            duration_ms,
        })
    }

    /// Number of neurons.
    pub fn neuron_count(&self) -> usize {
        self.times_ms.len()
    }

    /// Total number of spikes over all neurons.
    pub fn spike_count(&self) -> usize {
        self.times_ms.iter().map(Vec::len).sum()
    }

    /// Mean firing rate of each neuron in Hz: spike count divided by the window length.
    pub fn firing_rates_hz(&self) -> Vec<f64> {
        let duration_s = self.duration_ms / 1000.0;
        self.times_ms
            .iter()
            .map(|train| train.len() as f64 / duration_s)
            .collect()
    }

    /// Bins every neuron with [`bin_spikes`] into a recording of spike counts (neurons x
    /// bins) sampled every `bin_ms`, with the neuron labels as channel labels.
    ///
    /// # Errors
    /// Those of [`bin_spikes`] and [`Recording::new`].
    pub fn binned(&self, bin_ms: f64) -> Result<Recording> {
        let mut data = Vec::new();
        let mut bins = 0;
        for train in &self.times_ms {
            let counts = bin_spikes(train, bin_ms, self.duration_ms)?;
            bins = counts.len();
            data.extend(counts.into_iter().map(f64::from));
        }
        if self.times_ms.is_empty() {
            // No neuron ran `bin_spikes`, so check the bin width here.
            bin_spikes(&[], bin_ms, self.duration_ms)?;
        }
        Recording::new(data, self.neuron_count(), bins, bin_ms / 1000.0)?
            .with_labels(self.labels.clone())
    }
}

fn check_train(neuron: usize, train: &[f64], duration_ms: f64) -> Result<()> {
    for (index, &t) in train.iter().enumerate() {
        if !t.is_finite() {
            return Err(DataError::NonFinite {
                what: format!("spike train of neuron {neuron}"),
                index,
                value: t,
            });
        }
        if !(0.0..duration_ms).contains(&t) {
            let value = format!("neuron {neuron}, spike {index} at {t} ms");
            let expected = format!("spike times in [0, {duration_ms}) ms");
            return Err(DataError::invalid("times_ms", value, expected));
        }
        if index > 0 && t < train[index - 1] {
            let value = format!("neuron {neuron}, spike {index} at {t} ms");
            return Err(DataError::invalid(
                "times_ms",
                value,
                "ascending spike times per neuron",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PopulationSpikes {
        let times = vec![vec![1.0, 4.5, 9.0], vec![], vec![2.0]];
        let labels = vec!["a".into(), "b".into(), "c".into()];
        PopulationSpikes::new(times, labels, 10.0).expect("valid population")
    }

    #[test]
    fn counts_rates_and_bins() {
        let p = sample();
        assert_eq!(p.neuron_count(), 3);
        assert_eq!(p.spike_count(), 4);
        // 3 spikes in 10 ms is 300 Hz.
        assert_eq!(p.firing_rates_hz(), vec![300.0, 0.0, 100.0]);
        let binned = p.binned(5.0).expect("valid bins");
        assert_eq!(binned.samples, 2);
        assert_eq!(binned.data, vec![2.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(binned.labels, vec!["a", "b", "c"]);
        assert_eq!(binned.sampling_interval_s, 0.005);
    }

    #[test]
    fn new_rejects_bad_trains() {
        let label = || vec!["a".to_string()];
        let late = PopulationSpikes::new(vec![vec![10.0]], label(), 10.0);
        assert!(matches!(late, Err(DataError::InvalidParameter { .. })));
        let nan = PopulationSpikes::new(vec![vec![1.0, f64::NAN]], label(), 10.0);
        assert!(matches!(nan, Err(DataError::NonFinite { index: 1, .. })));
        let unsorted = PopulationSpikes::new(vec![vec![2.0, 1.0]], label(), 10.0);
        assert!(matches!(unsorted, Err(DataError::InvalidParameter { .. })));
        let labels = PopulationSpikes::new(vec![vec![], vec![]], label(), 10.0);
        assert!(matches!(labels, Err(DataError::InvalidParameter { .. })));
        let duration = PopulationSpikes::new(vec![vec![]], label(), 0.0);
        assert!(matches!(duration, Err(DataError::InvalidParameter { .. })));
        let bin = sample().binned(-1.0);
        assert!(matches!(bin, Err(DataError::InvalidParameter { .. })));
    }
}
