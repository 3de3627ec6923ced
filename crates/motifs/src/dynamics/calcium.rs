//! Calcium-indicator fluorescence from spike trains: each spike adds a difference-of-
//! exponentials transient, an optional saturation compresses the sum, and Gaussian noise is
//! added per frame. This is the generative model behind spike inference from calcium imaging
//! (Vogelstein et al. 2010, J. Neurophysiol. 104:3691-3704, who use a single exponential),
//! with a finite rise time and evaluated in continuous time:
//!
//! ```text
//! c(t) = A sum_s h(t - t_s),   h(t) = (exp(-t / tau_decay) - exp(-t / tau_rise)) / h_peak
//! F(t) = c / (1 + c / F_max) + noise     (F = c without saturation)
//! ```
//!
//! `h_peak` scales the kernel to peak at 1, at `t* = tau_d tau_r / (tau_d - tau_r) ln(tau_d /
//! tau_r)`, so `A` is the peak response to one isolated spike. With `tau_rise = 0` the kernel
//! is `exp(-t / tau_decay)`. The transients are summed exactly at each frame time from the
//! precise spike times.

use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use ncm_data::{PopulationSpikes, Recording};

use super::error::{SimulationError, finite, non_negative, positive};
use super::sparse::stream_rng;

/// Settings of [`fluorescence`]. The defaults are illustrative; set the kinetics of the
/// indicator you model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalciumConfig {
    /// Time between frames (default 0.05 s, 20 Hz imaging).
    pub frame_interval_s: f64,
    /// Rise time constant, below `tau_decay_s`; 0 for an instantaneous rise (default 0.05 s).
    pub tau_rise_s: f64,
    /// Decay time constant (default 0.5 s).
    pub tau_decay_s: f64,
    /// Peak fluorescence change per isolated spike, `A` (default 1, in units of dF/F).
    pub amplitude: f64,
    /// Saturation level `F_max`; `None` for a linear indicator (default `None`).
    pub saturation: Option<f64>,
    /// Standard deviation of the Gaussian noise per frame (default 0.05).
    pub noise_std: f64,
    /// Seed of the noise (default 0).
    pub seed: u64,
}

impl Default for CalciumConfig {
    fn default() -> Self {
        CalciumConfig {
            frame_interval_s: 0.05,
            tau_rise_s: 0.05,
            tau_decay_s: 0.5,
            amplitude: 1.0,
            saturation: None,
            noise_std: 0.05,
            seed: 0,
        }
    }
}

/// Simulates fluorescence traces of `spikes`.
///
/// # Returns
/// One trace per neuron, frames at `k * frame_interval_s` for
/// `k < ceil(duration / frame_interval_s)`, labelled as the spike trains.
///
/// # Errors
/// [`SimulationError::InvalidParameter`] for a non-positive interval, decay or saturation, a
/// negative rise or noise, a rise not below the decay, or a non-finite amplitude.
pub fn fluorescence(
    spikes: &PopulationSpikes,
    config: &CalciumConfig,
) -> Result<Recording, SimulationError> {
    let interval = positive("frame_interval_s", config.frame_interval_s)?;
    let tau_decay = positive("tau_decay_s", config.tau_decay_s)?;
    let tau_rise = non_negative("tau_rise_s", config.tau_rise_s)?;
    if tau_rise >= tau_decay {
        return Err(SimulationError::invalid(
            "tau_rise_s",
            tau_rise,
            "a rise time constant below tau_decay_s",
        ));
    }
    finite("amplitude", config.amplitude)?;
    if let Some(level) = config.saturation {
        positive("saturation", level)?;
    }
    non_negative("noise_std", config.noise_std)?;

    let duration_s = spikes.duration_ms / 1000.0;
    let frames = ((duration_s / interval * (1.0 - 1e-12)).ceil() as usize).max(1);
    let kernel = Kernel::new(tau_rise, tau_decay, config.amplitude);
    let mut data = Vec::with_capacity(spikes.neuron_count() * frames);
    for (neuron, train) in spikes.times_ms.iter().enumerate() {
        let mut rng = stream_rng(config.seed, neuron as u64);
        for c in kernel.trace(train, frames, interval) {
            let f = match config.saturation {
                Some(level) => c / (1.0 + c / level),
                None => c,
            };
            let noise: f64 = StandardNormal.sample(&mut rng);
            data.push(f + config.noise_std * noise);
        }
    }
    let recording = Recording::new(data, spikes.neuron_count(), frames, interval)?;
    Ok(recording.with_labels(spikes.labels.clone())?)
}

/// The single-spike transient `A h(t)`.
struct Kernel {
    tau_rise: f64,
    tau_decay: f64,
    /// `A / h_peak`.
    scale: f64,
}

impl Kernel {
    fn new(tau_rise: f64, tau_decay: f64, amplitude: f64) -> Self {
        let peak = if tau_rise == 0.0 {
            1.0
        } else {
            let t_peak =
                tau_decay * tau_rise / (tau_decay - tau_rise) * (tau_decay / tau_rise).ln();
            (-t_peak / tau_decay).exp() - (-t_peak / tau_rise).exp()
        };
        Kernel {
            tau_rise,
            tau_decay,
            scale: amplitude / peak,
        }
    }

    /// Sum of the transients of `train_ms` at `frames` frame times.
    fn trace(&self, train_ms: &[f64], frames: usize, interval: f64) -> Vec<f64> {
        let decay_step = (-interval / self.tau_decay).exp();
        let rise_step = if self.tau_rise > 0.0 {
            (-interval / self.tau_rise).exp()
        } else {
            0.0
        };
        // Running sums of exp(-(t - t_s) / tau) over the spikes so far, at the frame time t.
        let (mut decay_sum, mut rise_sum) = (0.0, 0.0);
        let mut next_spike = 0;
        let mut trace = Vec::with_capacity(frames);
        for frame in 0..frames {
            let t = frame as f64 * interval;
            decay_sum *= decay_step;
            rise_sum *= rise_step;
            while next_spike < train_ms.len() && train_ms[next_spike] / 1000.0 <= t {
                let age = t - train_ms[next_spike] / 1000.0;
                decay_sum += (-age / self.tau_decay).exp();
                if self.tau_rise > 0.0 {
                    rise_sum += (-age / self.tau_rise).exp();
                }
                next_spike += 1;
            }
            trace.push(self.scale * (decay_sum - rise_sum));
        }
        trace
    }
}
