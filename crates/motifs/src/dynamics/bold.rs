//! BOLD signal from neuronal activity through the balloon-Windkessel hemodynamic model.
//!
//! The hemodynamic states of each region follow Friston, Mechelli, Turner and Price (2000,
//! NeuroImage 12:466-477) in the notation of Stephan, Weiskopf, Drysdale, Robinson and
//! Friston (2007, NeuroImage 38:387-401):
//!
//! ```text
//! ds/dt = z - kappa s - gamma (f - 1)                    vasodilatory signal
//! df/dt = s                                              blood inflow
//! tau dv/dt = f - v^(1/alpha)                            venous volume
//! tau dq/dt = f E(f) / E0 - v^(1/alpha) q / v            deoxyhemoglobin,  E(f) = 1 - (1 - E0)^(1/f)
//! y = V0 [k1 (1 - q) + k2 (1 - q / v) + k3 (1 - v)]      BOLD, fractional change
//! k1 = 4.3 nu0 E0 TE,  k2 = epsilon r0 E0 TE,  k3 = 1 - epsilon
//! ```
//!
//! `z` is the neuronal activity times `input_gain`. The defaults are the 1.5 T values of
//! Stephan et al. (2007) as used by SPM12 (`spm_gx_hdm.m`): kappa 0.64 /s, gamma 0.32 /s,
//! tau 2 s, alpha 0.32, E0 0.4, V0 0.04, TE 0.04 s, nu0 40.3 /s, r0 25 /s, epsilon 1.
//!
//! The states start at rest (s = 0, f = v = q = 1) and are integrated by fourth-order
//! Runge-Kutta with the activity held over each step; the signal is sampled every TR.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use ncm_data::Recording;

use super::error::{SimulationError, finite, non_negative, positive};
use super::sparse::stream_rng;

/// Settings of [`bold`]; see the module documentation for the symbols.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoldConfig {
    /// Repetition time between volumes (default 0.72 s, as the HCP scans).
    pub tr_s: f64,
    /// Largest integration step; the step used is `tr_s / ceil(tr_s / dt_s)` (default 0.01 s).
    pub dt_s: f64,
    /// Factor from activity to the vasodilatory drive `z` (default 1).
    pub input_gain: f64,
    /// Rate of signal decay kappa (default 0.64 /s).
    pub kappa: f64,
    /// Rate of flow-dependent elimination gamma (default 0.32 /s).
    pub gamma: f64,
    /// Hemodynamic transit time tau (default 2 s).
    pub tau_s: f64,
    /// Grubb's exponent alpha (default 0.32).
    pub alpha: f64,
    /// Resting oxygen extraction fraction E0 (default 0.4).
    pub e0: f64,
    /// Resting venous blood volume fraction V0 (default 0.04).
    pub v0: f64,
    /// Echo time TE (default 0.04 s).
    pub te_s: f64,
    /// Frequency offset at the surface of magnetised vessels nu0 (default 40.3 /s at 1.5 T).
    pub nu0_hz: f64,
    /// Slope of the intravascular relaxation rate r0 (default 25 /s at 1.5 T).
    pub r0_hz: f64,
    /// Ratio of intra- to extravascular signal epsilon (default 1).
    pub epsilon: f64,
    /// Standard deviation of Gaussian noise added to each volume (default 0).
    pub noise_std: f64,
    /// Seed of the noise (default 0).
    pub seed: u64,
}

impl Default for BoldConfig {
    fn default() -> Self {
        BoldConfig {
            tr_s: 0.72,
            dt_s: 0.01,
            input_gain: 1.0,
            kappa: 0.64,
            gamma: 0.32,
            tau_s: 2.0,
            alpha: 0.32,
            e0: 0.4,
            v0: 0.04,
            te_s: 0.04,
            nu0_hz: 40.3,
            r0_hz: 25.0,
            epsilon: 1.0,
            noise_std: 0.0,
            seed: 0,
        }
    }
}

impl BoldConfig {
    /// Coefficients `(k1, k2, k3)` of the BOLD signal equation.
    pub fn coefficients(&self) -> (f64, f64, f64) {
        let k1 = 4.3 * self.nu0_hz * self.e0 * self.te_s;
        let k2 = self.epsilon * self.r0_hz * self.e0 * self.te_s;
        (k1, k2, 1.0 - self.epsilon)
    }

    /// BOLD signal (fractional change) of volume `v` and deoxyhemoglobin `q`.
    pub fn signal(&self, v: f64, q: f64) -> f64 {
        let (k1, k2, k3) = self.coefficients();
        self.v0 * (k1 * (1.0 - q) + k2 * (1.0 - q / v) + k3 * (1.0 - v))
    }

    fn check(&self) -> Result<(), SimulationError> {
        positive("tr_s", self.tr_s)?;
        positive("dt_s", self.dt_s)?;
        finite("input_gain", self.input_gain)?;
        positive("kappa", self.kappa)?;
        positive("gamma", self.gamma)?;
        positive("tau_s", self.tau_s)?;
        positive("alpha", self.alpha)?;
        if !(self.e0 > 0.0 && self.e0 < 1.0) {
            return Err(SimulationError::invalid(
                "e0",
                self.e0,
                "an oxygen extraction fraction between 0 and 1",
            ));
        }
        positive("v0", self.v0)?;
        positive("te_s", self.te_s)?;
        positive("nu0_hz", self.nu0_hz)?;
        positive("r0_hz", self.r0_hz)?;
        non_negative("epsilon", self.epsilon)?;
        non_negative("noise_std", self.noise_std)?;
        Ok(())
    }
}

/// Hemodynamic state of one region.
#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    signal: f64,
    flow: f64,
    volume: f64,
    deoxy: f64,
}

impl State {
    const REST: State = State {
        signal: 0.0,
        flow: 1.0,
        volume: 1.0,
        deoxy: 1.0,
    };

    fn derivative(self, z: f64, p: &BoldConfig) -> State {
        let outflow = self.volume.powf(1.0 / p.alpha);
        let extraction = 1.0 - (1.0 - p.e0).powf(1.0 / self.flow);
        State {
            signal: z - p.kappa * self.signal - p.gamma * (self.flow - 1.0),
            flow: self.signal,
            volume: (self.flow - outflow) / p.tau_s,
            deoxy: (self.flow * extraction / p.e0 - outflow * self.deoxy / self.volume) / p.tau_s,
        }
    }

    fn add(self, d: State, h: f64) -> State {
        State {
            signal: self.signal + h * d.signal,
            flow: self.flow + h * d.flow,
            volume: self.volume + h * d.volume,
            deoxy: self.deoxy + h * d.deoxy,
        }
    }

    fn rk4_step(self, z: f64, h: f64, p: &BoldConfig) -> State {
        let k1 = self.derivative(z, p);
        let k2 = self.add(k1, h / 2.0).derivative(z, p);
        let k3 = self.add(k2, h / 2.0).derivative(z, p);
        let k4 = self.add(k3, h).derivative(z, p);
        State {
            signal: self.signal
                + h / 6.0 * (k1.signal + 2.0 * k2.signal + 2.0 * k3.signal + k4.signal),
            flow: self.flow + h / 6.0 * (k1.flow + 2.0 * k2.flow + 2.0 * k3.flow + k4.flow),
            volume: self.volume
                + h / 6.0 * (k1.volume + 2.0 * k2.volume + 2.0 * k3.volume + k4.volume),
            deoxy: self.deoxy + h / 6.0 * (k1.deoxy + 2.0 * k2.deoxy + 2.0 * k3.deoxy + k4.deoxy),
        }
    }

    /// Returns the first state variable that left its range, with its value.
    fn out_of_range(self) -> Option<(&'static str, f64)> {
        [
            ("flow", self.flow),
            ("volume", self.volume),
            ("deoxyhemoglobin", self.deoxy),
        ]
        .into_iter()
        .find(|&(_, value)| !(value.is_finite() && value > 0.0))
        .or((!self.signal.is_finite()).then_some(("signal", self.signal)))
    }
}

/// Simulates the BOLD signal of each channel of `activity` (neuronal activity, held constant
/// over each of its samples).
///
/// # Returns
/// Fractional BOLD change (multiply by 100 for percent), channels x
/// `floor(duration / tr_s)` volumes, volume `k` at `k * tr_s`, with the labels of `activity`.
///
/// # Errors
/// [`SimulationError::InvalidParameter`] for a bad setting or a TR longer than the
/// recording, [`SimulationError::InvalidSignal`] for non-finite activity,
/// [`SimulationError::Hemodynamics`] if flow, volume or deoxyhemoglobin stops being positive,
/// and [`SimulationError::Data`] for an inconsistent recording.
pub fn bold(activity: &Recording, config: &BoldConfig) -> Result<Recording, SimulationError> {
    activity.validate()?;
    config.check()?;
    let volumes = (activity.duration_s() / config.tr_s * (1.0 + 1e-12)).floor() as usize;
    if volumes == 0 {
        return Err(SimulationError::invalid(
            "tr_s",
            config.tr_s,
            "a repetition time no longer than the activity recording",
        ));
    }
    if let Some(index) = activity.data.iter().position(|v| !v.is_finite()) {
        return Err(SimulationError::InvalidSignal {
            what: "neuronal activity",
            channel: index / activity.samples,
            sample: index % activity.samples,
            value: activity.data[index],
            expected: "finite values",
        });
    }

    let channels: Vec<Vec<f64>> = (0..activity.channels)
        .into_par_iter()
        .map(|channel| bold_channel(activity, channel, volumes, config))
        .collect::<Result<_, _>>()?;
    let recording = Recording::new(channels.concat(), activity.channels, volumes, config.tr_s)?;
    Ok(recording.with_labels(activity.labels.clone())?)
}

fn bold_channel(
    activity: &Recording,
    channel: usize,
    volumes: usize,
    config: &BoldConfig,
) -> Result<Vec<f64>, SimulationError> {
    let samples = &activity.data[channel * activity.samples..][..activity.samples];
    let steps_per_volume = (config.tr_s / config.dt_s).ceil().max(1.0) as usize;
    let h = config.tr_s / steps_per_volume as f64;
    let mut rng = stream_rng(config.seed, channel as u64);
    let mut state = State::REST;
    let mut signal = Vec::with_capacity(volumes);

    for volume in 0..volumes {
        let noise: f64 = StandardNormal.sample(&mut rng);
        signal.push(config.signal(state.volume, state.deoxy) + config.noise_std * noise);
        if volume + 1 == volumes {
            break;
        }
        for step in 0..steps_per_volume {
            let t = (volume * steps_per_volume + step) as f64 * h;
            let sample = ((t / activity.sampling_interval_s + 1e-9).floor() as usize)
                .min(activity.samples - 1);
            state = state.rk4_step(config.input_gain * samples[sample], h, config);
            if let Some((variable, value)) = state.out_of_range() {
                return Err(SimulationError::Hemodynamics {
                    channel,
                    time_s: t + h,
                    variable,
                    value,
                });
            }
        }
    }
    Ok(signal)
}
