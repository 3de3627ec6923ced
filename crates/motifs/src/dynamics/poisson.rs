//! Poisson spike counts from firing rates: the count in a bin of width `T` is drawn from a
//! Poisson distribution with mean `integral of r(t) over the bin`, the standard
//! inhomogeneous-Poisson observation model of spiking (Dayan and Abbott 2001, Theoretical
//! Neuroscience, MIT Press, chapter 1).

use rand_distr::{Distribution, Poisson};
use serde::{Deserialize, Serialize};

use ncm_data::Recording;

use super::error::{SimulationError, positive};
use super::sparse::{steps_per_sample, stream_rng};

/// Settings of [`poisson_counts`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoissonConfig {
    /// Width of a count bin in seconds, a whole number of samples of the rate recording
    /// (default `None`: one bin per sample).
    pub bin_s: Option<f64>,
    /// Factor that converts recording values to rates in Hz (default 1).
    pub rate_scale_hz: f64,
    /// Seed of the counts (default 0).
    pub seed: u64,
}

impl Default for PoissonConfig {
    fn default() -> Self {
        PoissonConfig {
            bin_s: None,
            rate_scale_hz: 1.0,
            seed: 0,
        }
    }
}

/// Draws spike counts from the rates in `rates` (channels x samples, non-negative).
///
/// The rate is held constant over each sample, so the mean count of a bin is
/// `rate_scale_hz * sampling_interval_s * (sum of the bin's samples)`. Samples after the
/// last whole bin are dropped. Channel `c` draws from its own stream of `seed`.
///
/// # Returns
/// Counts (as `f64`), channels x `floor(samples / samples_per_bin)`, sampled every `bin_s`,
/// with the labels of `rates`.
///
/// # Errors
/// [`SimulationError::InvalidParameter`] for a non-positive `rate_scale_hz` or `bin_s`, or a
/// bin longer than the recording; [`SimulationError::NotStepMultiple`] if `bin_s` is not a
/// whole number of samples; [`SimulationError::InvalidSignal`] for a negative or non-finite
/// rate; and [`SimulationError::Data`] for an inconsistent recording.
pub fn poisson_counts(
    rates: &Recording,
    config: &PoissonConfig,
) -> Result<Recording, SimulationError> {
    rates.validate()?;
    let scale = positive("rate_scale_hz", config.rate_scale_hz)?;
    let interval = rates.sampling_interval_s;
    let per_bin = match config.bin_s {
        Some(bin_s) => steps_per_sample("bin_s", positive("bin_s", bin_s)?, interval)?,
        None => 1,
    };
    let bins = rates.samples / per_bin;
    if bins == 0 {
        return Err(SimulationError::invalid(
            "bin_s",
            per_bin as f64 * interval,
            "a bin no longer than the rate recording",
        ));
    }
    check_rates(rates)?;

    let mut counts = Vec::with_capacity(rates.channels * bins);
    for channel in 0..rates.channels {
        let mut rng = stream_rng(config.seed, channel as u64);
        let samples = &rates.data[channel * rates.samples..][..bins * per_bin];
        for (bin, window) in samples.chunks(per_bin).enumerate() {
            let mean = scale * interval * window.iter().sum::<f64>();
            counts.push(draw(mean, &mut rng).ok_or(SimulationError::InvalidSignal {
                what: "rates",
                channel,
                sample: bin * per_bin,
                value: mean,
                expected: "an expected count per bin below 1.8e19",
            })?);
        }
    }
    let recording = Recording::new(counts, rates.channels, bins, per_bin as f64 * interval)?;
    Ok(recording.with_labels(rates.labels.clone())?)
}

/// Draws one Poisson count with mean `mean >= 0`, or returns `None` above the sampler's limit.
fn draw(mean: f64, rng: &mut impl rand::Rng) -> Option<f64> {
    if mean == 0.0 {
        return Some(0.0);
    }
    Poisson::new(mean).ok().map(|poisson| poisson.sample(rng))
}

fn check_rates(rates: &Recording) -> Result<(), SimulationError> {
    match rates
        .data
        .iter()
        .position(|r| !(r.is_finite() && *r >= 0.0))
    {
        None => Ok(()),
        Some(index) => Err(SimulationError::InvalidSignal {
            what: "rates",
            channel: index / rates.samples,
            sample: index % rates.samples,
            value: rates.data[index],
            expected: "finite non-negative rates; rectify them first (ReLU or sigmoid \
                       activation) or shift them",
        }),
    }
}
