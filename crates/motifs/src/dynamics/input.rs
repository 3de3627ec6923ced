//! External input to a network: none, a constant vector, a recorded time series held between
//! samples, or a function of time.

use std::fmt;

use ncm_data::Recording;

use super::error::SimulationError;

/// Function that writes the input of every neuron at time `t_s` (seconds) into its slice.
pub type InputFunction = Box<dyn Fn(f64, &mut [f64]) + Send + Sync>;

/// External input `I(t)`, one value per neuron. The rate network reads it in the units of its
/// state; the spiking network reads it as a current in nA.
pub enum Input {
    /// No input.
    None,
    /// The same value at all times.
    Constant(Vec<f64>),
    /// A recording with one channel per neuron. Sample `k` applies during
    /// `[k, k + 1) * sampling_interval_s` (zero-order hold); it must cover the whole run.
    Samples(Recording),
    /// A function of time in seconds; see [`InputFunction`].
    Function(InputFunction),
}

impl Input {
    /// Wraps a closure as [`Input::Function`].
    pub fn function(f: impl Fn(f64, &mut [f64]) + Send + Sync + 'static) -> Self {
        Input::Function(Box::new(f))
    }

    /// Checks the input against `neuron_count` neurons and a run whose last step starts at
    /// `last_time_s`.
    pub(crate) fn check(
        &self,
        neuron_count: usize,
        last_time_s: f64,
    ) -> Result<(), SimulationError> {
        match self {
            Input::None | Input::Function(_) => Ok(()),
            Input::Constant(values) => {
                if values.len() != neuron_count {
                    return Err(SimulationError::NeuronCount {
                        what: "constant input",
                        expected: neuron_count,
                        found: values.len(),
                    });
                }
                first_non_finite(values, |neuron| (neuron, 0.0))
            }
            Input::Samples(recording) => check_recording(recording, neuron_count, last_time_s),
        }
    }

    /// Returns whether the input is the same at every step, so that it is filled once.
    pub(crate) fn is_constant(&self) -> bool {
        matches!(self, Input::None | Input::Constant(_))
    }

    /// Writes the input at `time_s` into `out`.
    pub(crate) fn fill(&self, time_s: f64, out: &mut [f64]) -> Result<(), SimulationError> {
        match self {
            Input::None => out.fill(0.0),
            Input::Constant(values) => out.copy_from_slice(values),
            Input::Samples(recording) => {
                let position = time_s / recording.sampling_interval_s;
                // The small offset keeps `k * dt / interval` from rounding down to `k - 1`.
                let sample = ((position + 1e-9).floor() as usize).min(recording.samples - 1);
                for (neuron, value) in out.iter_mut().enumerate() {
                    *value = recording.data[neuron * recording.samples + sample];
                }
            }
            Input::Function(f) => {
                f(time_s, out);
                first_non_finite(out, |neuron| (neuron, time_s))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::None => f.write_str("Input::None"),
            Input::Constant(values) => f.debug_tuple("Input::Constant").field(values).finish(),
            Input::Samples(recording) => f.debug_tuple("Input::Samples").field(recording).finish(),
            Input::Function(_) => f.write_str("Input::Function(..)"),
        }
    }
}

fn first_non_finite(
    values: &[f64],
    place: impl Fn(usize) -> (usize, f64),
) -> Result<(), SimulationError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => {
            let (neuron, time_s) = place(index);
            Err(SimulationError::NonFiniteInput {
                neuron,
                time_s,
                value: values[index],
            })
        }
    }
}

fn check_recording(
    recording: &Recording,
    neuron_count: usize,
    last_time_s: f64,
) -> Result<(), SimulationError> {
    recording.validate()?;
    if recording.channels != neuron_count {
        return Err(SimulationError::NeuronCount {
            what: "input recording channels",
            expected: neuron_count,
            found: recording.channels,
        });
    }
    let covered_s = recording.duration_s();
    if recording.samples == 0 || covered_s <= last_time_s * (1.0 - 1e-12) {
        return Err(SimulationError::InputTooShort {
            input_s: covered_s,
            needed_s: last_time_s,
        });
    }
    if let Some(index) = recording.data.iter().position(|v| !v.is_finite()) {
        let sample = index % recording.samples;
        return Err(SimulationError::NonFiniteInput {
            neuron: index / recording.samples,
            time_s: sample as f64 * recording.sampling_interval_s,
            value: recording.data[index],
        });
    }
    Ok(())
}
