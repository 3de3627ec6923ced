//! Observation models against closed forms: Poisson count statistics, the calcium transient
//! of one spike, and the steady state of the balloon-Windkessel model.

use ncm_data::{PopulationSpikes, Recording};
use ncm_motifs::dynamics::{
    BoldConfig, CalciumConfig, PoissonConfig, SimulationError, bold, fluorescence, poisson_counts,
};

fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance)
}

#[test]
fn poisson_counts_match_rate_times_bin() {
    // 10 channels x 2000 samples of 0.01 s at 50 Hz, binned by 0.02 s: mean count 1; with
    // rate_scale_hz = 4 the mean is 4.
    let rates = Recording::new(vec![50.0; 10 * 2000], 10, 2000, 0.01)
        .unwrap()
        .with_labels((0..10).map(|i| format!("cell {i}")).collect())
        .unwrap();
    for (scale, mean_count) in [(1.0, 1.0), (4.0, 4.0)] {
        let config = PoissonConfig {
            bin_s: Some(0.02),
            rate_scale_hz: scale,
            seed: 1,
        };
        let counts = poisson_counts(&rates, &config).unwrap();
        assert_eq!((counts.channels, counts.samples), (10, 1000));
        assert_eq!(counts.sampling_interval_s, 0.02);
        assert_eq!(counts.labels, rates.labels);
        assert!(counts.data.iter().all(|c| c.fract() == 0.0 && *c >= 0.0));

        let (mean, variance) = mean_and_variance(&counts.data);
        // N = 10^4 counts: standard error of the mean sqrt(lambda / N), of the variance
        // sqrt((lambda + 2 lambda^2) / N); tolerance 4 standard errors.
        let n = counts.data.len() as f64;
        let mean_error = (mean_count / n).sqrt();
        let variance_error = ((mean_count + 2.0 * mean_count * mean_count) / n).sqrt();
        assert!((mean - mean_count).abs() < 4.0 * mean_error, "mean {mean}");
        assert!(
            (variance - mean_count).abs() < 4.0 * variance_error,
            "variance {variance}"
        );
    }
}

#[test]
fn poisson_counts_follow_time_varying_rates() {
    // Rates alternate between 0 and 40 Hz every sample of 0.05 s: bins of one sample have
    // mean 0 or 2, and a zero rate gives exactly zero counts.
    let channels = 400;
    let data: Vec<f64> = (0..channels * 4)
        .map(|i| if i % 2 == 0 { 0.0 } else { 40.0 })
        .collect();
    let rates = Recording::new(data, channels, 4, 0.05).unwrap();
    let counts = poisson_counts(&rates, &PoissonConfig::default()).unwrap();
    for sample in 0..4 {
        let column: Vec<f64> = (0..channels)
            .map(|c| counts.channel(c).unwrap()[sample])
            .collect();
        let (mean, _) = mean_and_variance(&column);
        if sample % 2 == 0 {
            assert!(column.iter().all(|&c| c == 0.0));
        } else {
            // Standard error sqrt(2 / 400) = 0.07.
            assert!((mean - 2.0).abs() < 0.3, "sample {sample}: mean {mean}");
        }
    }
    let again = poisson_counts(&rates, &PoissonConfig::default()).unwrap();
    assert_eq!(counts, again);
}

#[test]
fn poisson_rejects_bad_rates_and_settings() {
    let rates = Recording::new(vec![1.0, -2.0, 3.0, 4.0], 2, 2, 0.1).unwrap();
    assert!(matches!(
        poisson_counts(&rates, &PoissonConfig::default()),
        Err(SimulationError::InvalidSignal {
            channel: 0,
            sample: 1,
            ..
        })
    ));
    let rates = Recording::new(vec![1.0; 4], 2, 2, 0.1).unwrap();
    let with = |bin_s: Option<f64>, rate_scale_hz: f64| PoissonConfig {
        bin_s,
        rate_scale_hz,
        seed: 0,
    };
    assert!(matches!(
        poisson_counts(&rates, &with(Some(0.15), 1.0)),
        Err(SimulationError::NotStepMultiple {
            parameter: "bin_s",
            ..
        })
    ));
    assert!(matches!(
        poisson_counts(&rates, &with(Some(0.3), 1.0)),
        Err(SimulationError::InvalidParameter {
            parameter: "bin_s",
            ..
        })
    ));
    assert!(matches!(
        poisson_counts(&rates, &with(Some(-0.1), 1.0)),
        Err(SimulationError::InvalidParameter {
            parameter: "bin_s",
            ..
        })
    ));
    assert!(matches!(
        poisson_counts(&rates, &with(None, 0.0)),
        Err(SimulationError::InvalidParameter {
            parameter: "rate_scale_hz",
            ..
        })
    ));
}

fn one_spike(at_ms: f64, duration_ms: f64) -> PopulationSpikes {
    PopulationSpikes::new(vec![vec![at_ms]], vec!["n".into()], duration_ms).unwrap()
}

fn noiseless(tau_rise_s: f64) -> CalciumConfig {
    CalciumConfig {
        frame_interval_s: 0.01,
        tau_rise_s,
        tau_decay_s: 0.5,
        amplitude: 2.0,
        noise_std: 0.0,
        ..CalciumConfig::default()
    }
}

#[test]
fn calcium_transient_of_one_spike_matches_closed_form() {
    // One spike at 0.1 s: F(t) = A (exp(-s / 0.5) - exp(-s / 0.05)) / h_peak, s = t - 0.1,
    // h_peak = exp(-t* / 0.5) - exp(-t* / 0.05) at t* = 0.5 * 0.05 / 0.45 ln(10) = 0.12792 s.
    let traces = fluorescence(&one_spike(100.0, 3000.0), &noiseless(0.05)).unwrap();
    assert_eq!((traces.channels, traces.samples), (1, 300));
    assert_eq!(traces.labels, vec!["n"]);
    let t_peak = 0.5 * 0.05 / 0.45 * 10f64.ln();
    let h_peak = (-t_peak / 0.5).exp() - (-t_peak / 0.05).exp();
    for (k, &f) in traces.channel(0).unwrap().iter().enumerate() {
        let s = k as f64 * 0.01 - 0.1;
        let expected = if s < 0.0 {
            0.0
        } else {
            2.0 * ((-s / 0.5).exp() - (-s / 0.05).exp()) / h_peak
        };
        assert!((f - expected).abs() < 1e-12, "frame {k}: {f} vs {expected}");
    }
    let peak = traces.data.iter().copied().fold(f64::MIN, f64::max);
    // The frame nearest t* = 0.228 s lies within 2 ms of the peak, so it reaches the
    // amplitude to within 1e-3.
    assert!((peak - 2.0).abs() < 1e-3, "peak {peak}");
}

#[test]
fn calcium_instant_rise_saturation_and_noise() {
    // tau_rise = 0: F(t) = A exp(-(t - t_s) / tau_decay), with the spike between frames.
    let traces = fluorescence(&one_spike(95.0, 1000.0), &noiseless(0.0)).unwrap();
    for (k, &f) in traces.channel(0).unwrap().iter().enumerate() {
        let s = k as f64 * 0.01 - 0.095;
        let expected = if s < 0.0 { 0.0 } else { 2.0 * (-s / 0.5).exp() };
        assert!((f - expected).abs() < 1e-12, "frame {k}");
    }

    // Saturation F = c / (1 + c / F_max): 2 / (1 + 2 / 2) = 1 at the spike frame.
    let saturated = CalciumConfig {
        saturation: Some(2.0),
        ..noiseless(0.0)
    };
    let traces = fluorescence(&one_spike(100.0, 1000.0), &saturated).unwrap();
    assert!((traces.channel(0).unwrap()[10] - 1.0).abs() < 1e-12);

    // Without spikes the trace is pure noise with the stated standard deviation:
    // 5000 frames give a relative standard error of 1%.
    let silent = PopulationSpikes::new(vec![vec![]], vec!["n".into()], 50_000.0).unwrap();
    let noisy = CalciumConfig {
        noise_std: 0.2,
        ..noiseless(0.05)
    };
    let traces = fluorescence(&silent, &noisy).unwrap();
    let (mean, variance) = mean_and_variance(&traces.data);
    assert!(mean.abs() < 4.0 * 0.2 / 5000f64.sqrt());
    assert!(
        (variance.sqrt() / 0.2 - 1.0).abs() < 0.04,
        "std {}",
        variance.sqrt()
    );
}

#[test]
fn calcium_rejects_bad_settings() {
    let spikes = one_spike(1.0, 100.0);
    let invalid = |config: CalciumConfig, parameter: &str| match fluorescence(&spikes, &config) {
        Err(SimulationError::InvalidParameter { parameter: p, .. }) => assert_eq!(p, parameter),
        other => panic!("{parameter}: expected InvalidParameter, got {other:?}"),
    };
    let base = CalciumConfig::default;
    invalid(
        CalciumConfig {
            frame_interval_s: 0.0,
            ..base()
        },
        "frame_interval_s",
    );
    invalid(
        CalciumConfig {
            tau_decay_s: -1.0,
            ..base()
        },
        "tau_decay_s",
    );
    invalid(
        CalciumConfig {
            tau_rise_s: -0.1,
            ..base()
        },
        "tau_rise_s",
    );
    invalid(
        CalciumConfig {
            tau_rise_s: 0.5,
            ..base()
        },
        "tau_rise_s",
    );
    invalid(
        CalciumConfig {
            amplitude: f64::NAN,
            ..base()
        },
        "amplitude",
    );
    invalid(
        CalciumConfig {
            saturation: Some(0.0),
            ..base()
        },
        "saturation",
    );
    invalid(
        CalciumConfig {
            noise_std: -0.1,
            ..base()
        },
        "noise_std",
    );
}

/// Steady state of the balloon model under constant drive z, computed from the equations:
/// s = 0, f = 1 + z / gamma, v = f^alpha, q = v E(f) / E0, with the 1.5 T constants of
/// Stephan et al. (2007): k1 = 4.3 * 40.3 * E0 * TE, k2 = 25 * E0 * TE, k3 = 0.
fn bold_steady_state(z: f64) -> f64 {
    let (gamma, alpha, e0, v0, te): (f64, f64, f64, f64, f64) = (0.32, 0.32, 0.4, 0.04, 0.04);
    let f = 1.0 + z / gamma;
    let v = f.powf(alpha);
    let extraction = 1.0 - (1.0 - e0).powf(1.0 / f);
    let q = v * extraction / e0;
    let (k1, k2) = (4.3 * 40.3 * e0 * te, 25.0 * e0 * te);
    v0 * (k1 * (1.0 - q) + k2 * (1.0 - q / v))
}

#[test]
fn bold_reaches_analytic_steady_state() {
    // Two channels of 200 s at 1 s: drive 0.1 and 0.5 throughout. The slowest transient
    // decays as exp(-kappa t / 2) = exp(-0.32 t), negligible by the last volumes.
    let mut data = vec![0.1; 200];
    data.extend(vec![0.5; 200]);
    let activity = Recording::new(data, 2, 200, 1.0).unwrap();
    let config = BoldConfig {
        tr_s: 2.0,
        ..BoldConfig::default()
    };
    let signal = bold(&activity, &config).unwrap();
    assert_eq!((signal.channels, signal.samples), (2, 100));
    assert_eq!(signal.sampling_interval_s, 2.0);
    for (channel, z) in [(0, 0.1), (1, 0.5)] {
        let trace = signal.channel(channel).unwrap();
        let expected = bold_steady_state(z);
        assert_eq!(trace[0], 0.0, "the first volume is at rest");
        let last = trace[99];
        assert!(
            (last - expected).abs() < 1e-9 * expected.abs().max(1.0),
            "z = {z}: {last} vs {expected}"
        );
    }
    // 1.65 % for z = 0.1, from the closed form above evaluated by hand.
    assert!((bold_steady_state(0.1) - 0.01650).abs() < 1e-4);
}

#[test]
fn bold_flat_until_onset() {
    // Activity 1 from 10 s on: the signal stays exactly 0 before and rises after.
    let data: Vec<f64> = (0..300).map(|k| if k >= 100 { 1.0 } else { 0.0 }).collect();
    let activity = Recording::new(data, 1, 300, 0.1).unwrap();
    let signal = bold(
        &activity,
        &BoldConfig {
            tr_s: 0.5,
            ..BoldConfig::default()
        },
    )
    .unwrap();
    let trace = signal.channel(0).unwrap();
    assert_eq!(trace.len(), 60);
    assert!(trace[..=20].iter().all(|&y| y == 0.0));
    assert!(trace[59] > 0.01, "signal {}", trace[59]);
}

#[test]
fn bold_rejects_bad_input_and_settings() {
    let activity = Recording::new(vec![0.0; 20], 1, 20, 0.5).unwrap();
    let invalid = |config: BoldConfig, parameter: &str| match bold(&activity, &config) {
        Err(SimulationError::InvalidParameter { parameter: p, .. }) => assert_eq!(p, parameter),
        other => panic!("{parameter}: expected InvalidParameter, got {other:?}"),
    };
    let base = BoldConfig::default;
    invalid(
        BoldConfig {
            tr_s: 20.0,
            ..base()
        },
        "tr_s",
    );
    invalid(
        BoldConfig {
            tr_s: 0.0,
            ..base()
        },
        "tr_s",
    );
    invalid(
        BoldConfig {
            dt_s: -0.1,
            ..base()
        },
        "dt_s",
    );
    invalid(
        BoldConfig {
            input_gain: f64::NAN,
            ..base()
        },
        "input_gain",
    );
    invalid(
        BoldConfig {
            kappa: 0.0,
            ..base()
        },
        "kappa",
    );
    invalid(
        BoldConfig {
            gamma: -1.0,
            ..base()
        },
        "gamma",
    );
    invalid(
        BoldConfig {
            tau_s: 0.0,
            ..base()
        },
        "tau_s",
    );
    invalid(
        BoldConfig {
            alpha: 0.0,
            ..base()
        },
        "alpha",
    );
    invalid(BoldConfig { e0: 1.0, ..base() }, "e0");
    invalid(BoldConfig { v0: 0.0, ..base() }, "v0");
    invalid(
        BoldConfig {
            te_s: 0.0,
            ..base()
        },
        "te_s",
    );
    invalid(
        BoldConfig {
            nu0_hz: 0.0,
            ..base()
        },
        "nu0_hz",
    );
    invalid(
        BoldConfig {
            r0_hz: 0.0,
            ..base()
        },
        "r0_hz",
    );
    invalid(
        BoldConfig {
            epsilon: -1.0,
            ..base()
        },
        "epsilon",
    );
    invalid(
        BoldConfig {
            noise_std: -1.0,
            ..base()
        },
        "noise_std",
    );

    let bad = Recording::new(vec![0.0, f64::NAN], 1, 2, 5.0).unwrap();
    assert!(matches!(
        bold(&bad, &base()),
        Err(SimulationError::InvalidSignal { sample: 1, .. })
    ));
    // A strong negative drive pushes the inflow below zero, which the model cannot take.
    let negative = Recording::new(vec![-5.0; 20], 1, 20, 1.0).unwrap();
    assert!(matches!(
        bold(&negative, &base()),
        Err(SimulationError::Hemodynamics {
            variable: "flow",
            ..
        })
    ));
}

#[test]
fn observations_keep_simulation_labels() {
    use ncm_motifs::dynamics::{Input, LifConfig, LifNetwork, RateConfig, RateNetwork};
    use ncm_motifs::{CellType, Circuit};

    let circuit = Circuit::new(
        vec![0.0, 0.0, 2.0, 0.0],
        vec![CellType::Excitatory, CellType::Excitatory],
    )
    .unwrap();
    let names = vec!["pre".to_string(), "post".to_string()];

    // Spikes -> fluorescence: one trace per neuron, same labels, frames over the run.
    let spiking = LifNetwork::from_circuit(&circuit)
        .with_labels(names.clone())
        .unwrap();
    let config = LifConfig {
        duration_ms: 500.0,
        ..LifConfig::default()
    };
    let run = spiking
        .simulate(&config, &Input::Constant(vec![2.0, 0.0]))
        .unwrap();
    assert!(run.spikes.spike_count() > 0);
    let traces = fluorescence(&run.spikes, &CalciumConfig::default()).unwrap();
    assert_eq!(traces.labels, names);
    assert_eq!(traces.samples, 10);

    // Rates -> BOLD: one signal per neuron, same labels, one volume per TR.
    let rates = RateNetwork::from_circuit(&circuit)
        .with_labels(names.clone())
        .unwrap()
        .simulate(&RateConfig::default(), &Input::Constant(vec![1.0, 0.0]))
        .unwrap();
    let signal = bold(&rates.rates, &BoldConfig::default()).unwrap();
    assert_eq!(signal.labels, names);
    // 1001 samples of 0.01 s cover 10.01 s: floor(10.01 / 0.72) = 13 volumes.
    assert_eq!(signal.samples, 13);
    assert!(signal.data.iter().all(|y| y.is_finite()));
}
