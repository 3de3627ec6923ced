//! The leaky integrate-and-fire network against closed forms: the firing rate of one neuron
//! under constant current, its subthreshold relaxation, postsynaptic potentials of exponential
//! current synapses with delays, the membrane noise, and every invalid setting.

use ncm_motifs::dynamics::{Input, LifConfig, LifNetwork, SimulationError};
use ncm_motifs::{CellType, Circuit};

use CellType::{Excitatory, Inhibitory};

fn single_neuron() -> LifNetwork {
    let circuit = Circuit::new(vec![0.0], vec![Excitatory]).unwrap();
    LifNetwork::from_circuit(&circuit)
}

/// Reset below rest, so the first interval (from rest) differs from the later ones.
fn config() -> LifConfig {
    LifConfig {
        dt_ms: 0.1,
        duration_ms: 2000.0,
        tau_m_ms: 10.0,
        resistance_mohm: 10.0,
        v_rest_mv: -65.0,
        v_reset_mv: -70.0,
        v_threshold_mv: -50.0,
        refractory_ms: 2.0,
        ..LifConfig::default()
    }
}

#[test]
fn firing_rate_matches_analytic_rate() {
    let config = config();
    let dt = config.dt_ms;
    for current_na in [1.6, 2.0, 4.0] {
        // Interspike interval t_ref + tau_m ln((V_inf - V_reset) / (V_inf - V_th)) with
        // V_inf = V_rest + R I; the first spike comes after tau_m ln((V_inf - V_rest) /
        // (V_inf - V_th)).
        let v_inf = config.v_rest_mv + config.resistance_mohm * current_na;
        let interval = config.refractory_ms
            + config.tau_m_ms
                * ((v_inf - config.v_reset_mv) / (v_inf - config.v_threshold_mv)).ln();
        let first =
            config.tau_m_ms * ((v_inf - config.v_rest_mv) / (v_inf - config.v_threshold_mv)).ln();

        let run = single_neuron()
            .simulate(&config, &Input::Constant(vec![current_na]))
            .unwrap();
        let spikes = &run.spikes.times_ms[0];
        assert!(
            spikes.len() > 50,
            "{current_na} nA: {} spikes",
            spikes.len()
        );

        // The potential is exact at grid points, so a spike is registered at most one step
        // after the threshold crossing: every interval lies in [T, T + dt].
        assert!(
            spikes[0] >= first - 1e-9 && spikes[0] <= first + dt + 1e-9,
            "{current_na} nA: first spike {} vs {first}",
            spikes[0]
        );
        for pair in spikes.windows(2) {
            let simulated = pair[1] - pair[0];
            assert!(
                simulated >= interval - 1e-9 && simulated <= interval + dt + 1e-9,
                "{current_na} nA: interval {simulated} vs {interval}"
            );
        }
        // Hence the rate 1 / mean interval is within the same bound of the analytic rate.
        let mean_interval = (spikes[spikes.len() - 1] - spikes[0]) / (spikes.len() - 1) as f64;
        assert!(mean_interval >= interval - 1e-9);
        assert!(mean_interval <= interval + dt);
    }
}

#[test]
fn potential_is_reset_and_held_while_refractory() {
    let config = LifConfig {
        record_potentials: true,
        trace_interval_ms: 0.1,
        duration_ms: 100.0,
        ..config()
    };
    let run = single_neuron()
        .simulate(&config, &Input::Constant(vec![2.0]))
        .unwrap();
    let trace = run.potentials.unwrap();
    let v = trace.channel(0).unwrap();
    for &spike in &run.spikes.times_ms[0] {
        let at_spike = (spike / 0.1).round() as usize;
        // 20 steps of 0.1 ms after the spike the neuron is still refractory.
        for k in at_spike..=at_spike + 20 {
            if k < v.len() {
                assert_eq!(v[k], -70.0, "sample {k} after the spike at {spike} ms");
            }
        }
        if at_spike + 21 < v.len() {
            assert!(v[at_spike + 21] > -70.0);
        }
    }
    assert!(v.iter().all(|&x| x < config.v_threshold_mv));
}

#[test]
fn subthreshold_potential_relaxes_exponentially() {
    // V_inf = -65 + 10 * 1 = -55 mV < threshold: V(t) = V_inf + (V_rest - V_inf) exp(-t / tau_m).
    let config = LifConfig {
        record_potentials: true,
        trace_interval_ms: 0.5,
        duration_ms: 50.0,
        ..config()
    };
    let run = single_neuron()
        .simulate(&config, &Input::Constant(vec![1.0]))
        .unwrap();
    assert_eq!(run.spikes.spike_count(), 0);
    let trace = run.potentials.unwrap();
    assert_eq!(trace.samples, 101);
    assert_eq!(trace.sampling_interval_s, 0.0005);
    for (k, &v) in trace.channel(0).unwrap().iter().enumerate() {
        let t = k as f64 * 0.5;
        let expected = -55.0 - 10.0 * (-t / 10.0).exp();
        assert!((v - expected).abs() < 1e-9, "t = {t} ms: {v} vs {expected}");
    }
}

/// Four neurons: 0 (excitatory) -> 1 with weight 0.5, 2 (inhibitory) -> 3 with weight -0.5.
/// A 100 nA pulse during the first 0.3 ms makes 0 and 2 fire once.
fn psp_run(tau_syn_ms: f64) -> (f64, Vec<Vec<f64>>) {
    let mut weights = vec![0.0; 16];
    weights[4] = 0.5; // 0 -> 1
    weights[3 * 4 + 2] = -0.5; // 2 -> 3
    let circuit = Circuit::new(
        weights,
        vec![Excitatory, Excitatory, Inhibitory, Excitatory],
    )
    .unwrap();

    let mut delays = vec![0.0; 16];
    delays[4] = 1.0;
    delays[3 * 4 + 2] = 3.0;
    let network = LifNetwork::from_circuit(&circuit)
        .with_delays_ms(&delays)
        .unwrap();

    let config = LifConfig {
        dt_ms: 0.1,
        duration_ms: 40.0,
        tau_m_ms: 10.0,
        tau_syn_ms,
        v_reset_mv: -65.0,
        record_potentials: true,
        trace_interval_ms: 0.1,
        ..LifConfig::default()
    };
    let pulse = Input::function(|t_s, out| {
        let on = if t_s < 0.3e-3 { 100.0 } else { 0.0 };
        out.copy_from_slice(&[on, 0.0, on, 0.0]);
    });
    let run = network.simulate(&config, &pulse).unwrap();

    assert_eq!(run.spikes.times_ms[0].len(), 1);
    assert_eq!(run.spikes.times_ms[2].len(), 1);
    assert!(run.spikes.times_ms[1].is_empty());
    assert!(run.spikes.times_ms[3].is_empty());
    let spike = run.spikes.times_ms[0][0];
    assert_eq!(spike, run.spikes.times_ms[2][0]);
    let trace = run.potentials.unwrap();
    let traces = (0..4).map(|i| trace.channel(i).unwrap().to_vec()).collect();
    (spike, traces)
}

#[test]
fn postsynaptic_potentials_match_closed_form() {
    // With V(0) = V_rest, a current jump w at t_a decaying with tau_s gives
    // V - V_rest = R w tau_s / (tau_s - tau_m) (exp(-s / tau_s) - exp(-s / tau_m)),
    // s = t - t_a, and nothing before t_a = spike + delay.
    let (spike, traces) = psp_run(5.0);
    // 100 nA for two steps: V = 935 - 1000 exp(-0.02) = -45.2 mV crosses the threshold at 0.2 ms.
    assert!((spike - 0.2).abs() < 1e-12);
    let psp = |s: f64, w: f64| {
        if s < -1e-9 {
            0.0
        } else {
            10.0 * w * 5.0 / (5.0 - 10.0) * ((-s / 5.0).exp() - (-s / 10.0).exp())
        }
    };
    for k in 0..traces[1].len() {
        let t = k as f64 * 0.1;
        let excitatory = traces[1][k] + 65.0;
        let inhibitory = traces[3][k] + 65.0;
        assert!(
            (excitatory - psp(t - spike - 1.0, 0.5)).abs() < 1e-9,
            "excitatory PSP at {t} ms: {excitatory}"
        );
        assert!(
            (inhibitory - psp(t - spike - 3.0, -0.5)).abs() < 1e-9,
            "inhibitory PSP at {t} ms: {inhibitory}"
        );
    }
    // The excitatory PSP peaks at s = tau_s tau_m / (tau_m - tau_s) ln(tau_m / tau_s) = 6.93 ms.
    let peak =
        traces[1].iter().enumerate().fold(
            (0, f64::MIN),
            |best, (k, &v)| if v > best.1 { (k, v) } else { best },
        );
    assert!((peak.0 as f64 * 0.1 - (spike + 1.0 + 6.93)).abs() < 0.1);
}

#[test]
fn postsynaptic_potential_with_equal_time_constants() {
    // For tau_s = tau_m the PSP is R w (s / tau_m) exp(-s / tau_m).
    let (spike, traces) = psp_run(10.0);
    for k in 0..traces[1].len() {
        let s = k as f64 * 0.1 - spike - 1.0;
        let expected = if s < -1e-9 {
            0.0
        } else {
            10.0 * 0.5 * s / 10.0 * (-s / 10.0).exp()
        };
        let simulated = traces[1][k] + 65.0;
        assert!(
            (simulated - expected).abs() < 1e-9,
            "s = {s}: {simulated} vs {expected}"
        );
    }
}

#[test]
fn membrane_noise_has_stated_standard_deviation() {
    // Without input the free potential is an OU process around V_rest with stationary
    // standard deviation noise_std_mv; the threshold is 15 standard deviations away.
    let n = 100;
    let circuit = Circuit::new(vec![0.0; n * n], vec![Excitatory; n]).unwrap();
    let config = LifConfig {
        duration_ms: 2000.0,
        noise_std_mv: 1.0,
        record_potentials: true,
        trace_interval_ms: 1.0,
        seed: 3,
        ..LifConfig::default()
    };
    let run = LifNetwork::from_circuit(&circuit)
        .simulate(&config, &Input::None)
        .unwrap();
    assert_eq!(run.spikes.spike_count(), 0);
    let trace = run.potentials.unwrap();
    // Skip the first 50 ms (5 tau_m), where the variance still grows from 0.
    let deviations: Vec<f64> = (0..n)
        .flat_map(|i| trace.channel(i).unwrap()[50..].iter().map(|v| v + 65.0))
        .collect();
    let variance = deviations.iter().map(|d| d * d).sum::<f64>() / deviations.len() as f64;
    // 100 neurons x 195 correlation times: relative standard error of the variance about
    // sqrt(2 / 19500) = 1%; tolerance 5%.
    assert!((variance - 1.0).abs() < 0.05, "variance {variance}");
}

#[test]
fn seeds_and_initial_potentials() {
    let n = 20;
    let circuit = Circuit::new(vec![0.0; n * n], vec![Excitatory; n]).unwrap();
    let network = LifNetwork::from_circuit(&circuit);
    let config = LifConfig {
        duration_ms: 200.0,
        noise_std_mv: 3.0,
        random_initial_potential: true,
        record_potentials: true,
        seed: 5,
        ..LifConfig::default()
    };
    let input = Input::Constant(vec![1.4; n]);
    let first = network.simulate(&config, &input).unwrap();
    let again = network.simulate(&config, &input).unwrap();
    assert_eq!(first, again);
    let other = network
        .simulate(
            &LifConfig {
                seed: 6,
                ..config.clone()
            },
            &input,
        )
        .unwrap();
    assert_ne!(first.spikes, other.spikes);

    let potentials = first.potentials.unwrap();
    let initial: Vec<f64> = (0..n).map(|i| potentials.channel(i).unwrap()[0]).collect();
    assert!(initial.iter().all(|&v| (-65.0..-50.0).contains(&v)));
    assert!(initial.windows(2).any(|w| w[0] != w[1]));
    assert_eq!(first.spikes.labels[3], "neuron 3");
    assert_eq!(first.spikes.duration_ms, 200.0);
}

#[test]
fn invalid_settings_give_typed_errors() {
    let network = single_neuron();
    let base = LifConfig {
        duration_ms: 10.0,
        ..LifConfig::default()
    };
    let invalid = |change: fn(&mut LifConfig), parameter: &str| {
        let mut config = base.clone();
        change(&mut config);
        match network.simulate(&config, &Input::None) {
            Err(SimulationError::InvalidParameter { parameter: p, .. }) => {
                assert_eq!(p, parameter)
            }
            other => panic!("{parameter}: expected InvalidParameter, got {other:?}"),
        }
    };
    invalid(|c| c.dt_ms = 0.0, "dt_ms");
    invalid(|c| c.duration_ms = -1.0, "duration_ms");
    invalid(|c| c.tau_m_ms = 0.0, "tau_m_ms");
    invalid(|c| c.resistance_mohm = f64::NAN, "resistance_mohm");
    invalid(|c| c.tau_syn_ms = -5.0, "tau_syn_ms");
    invalid(|c| c.v_rest_mv = f64::INFINITY, "v_rest_mv");
    invalid(|c| c.v_reset_mv = f64::NAN, "v_reset_mv");
    invalid(|c| c.v_threshold_mv = -70.0, "v_threshold_mv");
    invalid(|c| c.refractory_ms = -1.0, "refractory_ms");
    invalid(|c| c.delay_ms = -0.5, "delay_ms");
    invalid(|c| c.weight_scale_na = f64::NAN, "weight_scale_na");
    invalid(|c| c.noise_std_mv = -1.0, "noise_std_mv");
    invalid(|c| c.trace_interval_ms = 0.0, "trace_interval_ms");

    let mut config = base.clone();
    config.record_potentials = true;
    config.trace_interval_ms = 0.25;
    assert!(matches!(
        network.simulate(&config, &Input::None),
        Err(SimulationError::NotStepMultiple {
            parameter: "trace_interval_ms",
            ..
        })
    ));
    assert!(matches!(
        network.simulate(&base, &Input::Constant(vec![1.0, 2.0])),
        Err(SimulationError::NeuronCount { .. })
    ));
}

#[test]
fn invalid_delays_give_typed_errors() {
    let circuit = Circuit::new(vec![0.0, 0.0, 1.0, 0.0], vec![Excitatory; 2]).unwrap();
    let network = LifNetwork::from_circuit(&circuit);
    assert!(matches!(
        network.clone().with_delays_ms(&[1.0; 3]),
        Err(SimulationError::MatrixShape { what: "delays", .. })
    ));
    // The synapse 0 -> 1 is entry [1 * 2 + 0]; entries without a synapse are ignored.
    assert!(matches!(
        network.clone().with_delays_ms(&[0.0, f64::NAN, -1.0, 0.0]),
        Err(SimulationError::InvalidDelay {
            pre: 0,
            post: 1,
            ..
        })
    ));
    assert!(
        network
            .clone()
            .with_delays_ms(&[-1.0, 0.0, 2.0, 0.0])
            .is_ok()
    );
    assert!(matches!(
        network.with_labels(vec![]),
        Err(SimulationError::NeuronCount { what: "labels", .. })
    ));
}
