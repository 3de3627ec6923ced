//! The rate network against closed-form solutions: linear 2 x 2 circuits, diffusive gap
//! junctions, the Ornstein-Uhlenbeck noise statistics, divergence, and every invalid setting.

use ncm_data::Recording;
use ncm_motifs::dynamics::{Activation, Input, RateConfig, RateNetwork, SimulationError};
use ncm_motifs::{CellType, Circuit};

use CellType::{Excitatory, Inhibitory};

fn circuit(weights: &[f64], cell_types: &[CellType]) -> Circuit {
    Circuit::new(weights.to_vec(), cell_types.to_vec()).expect("valid circuit")
}

fn linear_config(tau_s: f64, dt_s: f64, duration_s: f64, x0: &[f64]) -> RateConfig {
    RateConfig {
        tau_s,
        dt_s,
        duration_s,
        sampling_interval_s: 0.1,
        activation: Activation::Linear,
        initial_state: Some(x0.to_vec()),
        ..RateConfig::default()
    }
}

/// Value of channel `c` at sample `k`.
fn at(recording: &Recording, c: usize, k: usize) -> f64 {
    recording.channel(c).expect("channel exists")[k]
}

// Euler's global error on dx/dt = A x over time t is about t dt |lambda|^2 / 2 per unit of x;
// with tau = 1 s, dt = 1e-4 s, t <= 3 s and |lambda| < 2 that is below 1e-3.
const EULER_TOLERANCE: f64 = 1e-3;

#[test]
fn linear_rotation_matches_closed_form() {
    // W = [[0, -0.5], [0.8, 0]]: neuron 0 excites 1, neuron 1 inhibits 0. W^2 = -0.4 I, so
    // exp(W s) = cos(w s) I + sin(w s) / w W with w = sqrt(0.4), and with no input
    // x(t) = exp(-t / tau) exp(W t / tau) x0.
    let network =
        RateNetwork::from_circuit(&circuit(&[0.0, -0.5, 0.8, 0.0], &[Excitatory, Inhibitory]));
    let x0 = [1.0, -0.5];
    let config = linear_config(1.0, 1e-4, 3.0, &x0);
    let run = network.simulate(&config, &Input::None).unwrap();
    assert_eq!(run.states.samples, 31);

    let w = 0.4f64.sqrt();
    for k in 0..run.states.samples {
        let t = k as f64 * 0.1;
        let (c, s) = ((w * t).cos(), (w * t).sin() / w);
        let decay = (-t).exp();
        let expected = [
            decay * (c * x0[0] + s * (-0.5 * x0[1])),
            decay * (c * x0[1] + s * (0.8 * x0[0])),
        ];
        for (neuron, value) in expected.into_iter().enumerate() {
            let simulated = at(&run.states, neuron, k);
            assert!(
                (simulated - value).abs() < EULER_TOLERANCE,
                "t = {t}, neuron {neuron}: {simulated} vs {value}"
            );
        }
    }
}

#[test]
fn linear_input_relaxes_to_fixed_point() {
    // W = [[0, 0.5], [0.8, 0]], both excitatory: W^2 = 0.4 I, exp(W s) = cosh(m s) I +
    // sinh(m s) / m W with m = sqrt(0.4). Under constant input u the fixed point is
    // x* = (I - W)^-1 u = [[1, 0.5], [0.8, 1]] u / 0.6 and x(t) = x* + exp((W - I) t) (x0 - x*).
    let network =
        RateNetwork::from_circuit(&circuit(&[0.0, 0.5, 0.8, 0.0], &[Excitatory, Excitatory]));
    let u = [0.3, -0.2];
    let x0 = [0.0, 0.5];
    let config = linear_config(1.0, 1e-4, 3.0, &x0);
    let run = network
        .simulate(&config, &Input::Constant(u.to_vec()))
        .unwrap();

    let fixed = [(u[0] + 0.5 * u[1]) / 0.6, (0.8 * u[0] + u[1]) / 0.6];
    let d = [x0[0] - fixed[0], x0[1] - fixed[1]];
    let m = 0.4f64.sqrt();
    for k in 0..run.states.samples {
        let t = k as f64 * 0.1;
        let (c, s) = ((m * t).cosh(), (m * t).sinh() / m);
        let decay = (-t).exp();
        let expected = [
            fixed[0] + decay * (c * d[0] + s * 0.5 * d[1]),
            fixed[1] + decay * (c * d[1] + s * 0.8 * d[0]),
        ];
        for (neuron, value) in expected.into_iter().enumerate() {
            let simulated = at(&run.states, neuron, k);
            assert!(
                (simulated - value).abs() < EULER_TOLERANCE,
                "t = {t}, neuron {neuron}: {simulated} vs {value}"
            );
        }
    }
    // With phi linear the recorded rates are the states.
    assert_eq!(run.rates.data, run.states.data);
}

#[test]
fn gap_junctions_equalise_states() {
    // Two neurons coupled only by g: the sum decays as exp(-t / tau), the difference as
    // exp(-(1 + 2 g) t / tau).
    let network = RateNetwork::from_circuit(&circuit(&[0.0; 4], &[Excitatory, Excitatory]))
        .with_gap_junctions(&[0.0, 0.5, 0.5, 0.0])
        .unwrap();
    assert_eq!(network.max_gap_conductance(), 0.5);
    let config = linear_config(1.0, 1e-4, 2.0, &[1.0, 0.0]);
    let run = network.simulate(&config, &Input::None).unwrap();
    for k in 0..run.states.samples {
        let t = k as f64 * 0.1;
        let sum = at(&run.states, 0, k) + at(&run.states, 1, k);
        let difference = at(&run.states, 0, k) - at(&run.states, 1, k);
        assert!((sum - (-t).exp()).abs() < EULER_TOLERANCE, "sum at t = {t}");
        assert!(
            (difference - (-2.0 * t).exp()).abs() < EULER_TOLERANCE,
            "difference at t = {t}"
        );
    }
}

#[test]
fn time_varying_inputs_match_step_response() {
    // One neuron, input 1 from t = 0.5 s: x(t) = 1 - exp(-(t - 0.5) / tau) after the step.
    let network = RateNetwork::from_circuit(&circuit(&[0.0], &[Excitatory]));
    let config = linear_config(0.2, 1e-4, 2.0, &[0.0]);
    let step = |t: f64| if t >= 0.5 - 1e-12 { 1.0 } else { 0.0 };
    let function = Input::function(move |t, out| out[0] = step(t));
    // The same step as a recording sampled every 0.1 s.
    let samples: Vec<f64> = (0..20).map(|k| step(k as f64 * 0.1)).collect();
    let recorded = Input::Samples(Recording::new(samples, 1, 20, 0.1).unwrap());

    for input in [function, recorded] {
        let run = network.simulate(&config, &input).unwrap();
        for k in 0..run.states.samples {
            let t = k as f64 * 0.1;
            let expected = if t < 0.5 {
                0.0
            } else {
                1.0 - (-(t - 0.5) / 0.2).exp()
            };
            let simulated = at(&run.states, 0, k);
            assert!(
                (simulated - expected).abs() < EULER_TOLERANCE,
                "{input:?} at t = {t}: {simulated} vs {expected}"
            );
        }
    }
}

#[test]
fn noise_has_ornstein_uhlenbeck_statistics() {
    // 200 uncoupled neurons with phi linear: each is an OU process with stationary variance
    // sigma^2 tau / 2 = 0.0025 and autocorrelation exp(-lag / tau).
    let n = 200;
    let network = RateNetwork::from_circuit(&circuit(&vec![0.0; n * n], &vec![Excitatory; n]));
    let (tau, dt, sigma) = (0.02, 2e-4, 0.5);
    let config = RateConfig {
        tau_s: tau,
        dt_s: dt,
        duration_s: 2.0,
        sampling_interval_s: dt,
        activation: Activation::Linear,
        noise_sigma: sigma,
        seed: 7,
        ..RateConfig::default()
    };
    let run = network.simulate(&config, &Input::None).unwrap();

    // Drop the first 10 tau, where the variance still grows from 0.
    let burn_in = (10.0 * tau / dt) as usize;
    let lag = (tau / dt) as usize;
    let (mut sum, mut sum_sq, mut lagged, mut count, mut lag_count) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for neuron in 0..n {
        let x = &run.states.channel(neuron).unwrap()[burn_in..];
        sum += x.iter().sum::<f64>();
        sum_sq += x.iter().map(|v| v * v).sum::<f64>();
        lagged += x.iter().zip(&x[lag..]).map(|(a, b)| a * b).sum::<f64>();
        count += x.len() as f64;
        lag_count += (x.len() - lag) as f64;
    }
    let mean = sum / count;
    let variance = sum_sq / count - mean * mean;
    let autocorrelation = lagged / lag_count / variance;

    let expected_variance = sigma * sigma * tau / 2.0;
    // Monte Carlo: 200 neurons x 90 tau give a relative standard error of the variance of
    // about sqrt(tau / T) / sqrt(200) = 0.75%, and Euler-Maruyama raises the stationary
    // variance by the factor 2 / (2 - dt / tau) = 1.005. Tolerance: 4 standard errors + bias.
    assert!(
        (variance / expected_variance - 1.0).abs() < 0.035,
        "variance {variance} vs {expected_variance}"
    );
    // Standard error of the mean: sqrt(variance * 2 tau / T / 200) = 5e-4.
    assert!(mean.abs() < 2.5e-3, "mean {mean}");
    assert!(
        (autocorrelation - (-1.0f64).exp()).abs() < 0.03,
        "autocorrelation at lag tau {autocorrelation}"
    );
}

#[test]
fn same_seed_same_noise() {
    let network =
        RateNetwork::from_circuit(&circuit(&[0.0, -0.5, 0.8, 0.0], &[Excitatory, Inhibitory]));
    let config = RateConfig {
        duration_s: 1.0,
        noise_sigma: 0.3,
        seed: 11,
        ..RateConfig::default()
    };
    let first = network.simulate(&config, &Input::None).unwrap();
    let again = network.simulate(&config, &Input::None).unwrap();
    assert_eq!(first, again);
    let other_seed = RateConfig { seed: 12, ..config };
    let other = network.simulate(&other_seed, &Input::None).unwrap();
    assert_ne!(first.states.data, other.states.data);
    assert_eq!(first.states.labels, vec!["neuron 0", "neuron 1"]);
    // Largest total absolute input 0.8 (onto neuron 1), times the activation's slope.
    assert_eq!(network.contraction_bound(Activation::Tanh), 0.8);
    assert_eq!(network.contraction_bound(Activation::Sigmoid), 0.2);
    assert_eq!(first.graph.edge_count(), 2);
}

#[test]
fn large_network_is_independent_of_thread_count() {
    // 600 neurons with 420 inputs each pass the size above which steps run on rayon.
    let n = 600;
    let mut weights = vec![0.0; n * n];
    for post in 0..n {
        for k in 1..=420 {
            let pre = (post + k) % n;
            weights[post * n + pre] = if pre % 5 == 0 { -0.004 } else { 0.001 };
        }
    }
    let cell_types: Vec<CellType> = (0..n)
        .map(|i| if i % 5 == 0 { Inhibitory } else { Excitatory })
        .collect();
    let network = RateNetwork::from_circuit(&circuit(&weights, &cell_types));
    let config = RateConfig {
        duration_s: 0.05,
        noise_sigma: 0.5,
        seed: 2,
        ..RateConfig::default()
    };
    let input = Input::Constant(vec![0.2; n]);
    let run_with = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| network.simulate(&config, &input).unwrap())
    };
    assert_eq!(run_with(1), run_with(3));
}

#[test]
fn unstable_network_returns_diverged() {
    // W = [[0, 3], [3, 0]] has eigenvalue 3, so with phi linear the mode (1, 1) grows as
    // exp(2 t / tau) and passes 1e6 after tau ln(1e6) / 2 = 0.69 s.
    let unstable = circuit(&[0.0, 3.0, 3.0, 0.0], &[Excitatory, Excitatory]);
    let network = RateNetwork::from_circuit(&unstable);
    let config = RateConfig {
        duration_s: 5.0,
        activation: Activation::Linear,
        initial_state: Some(vec![1.0, 1.0]),
        ..RateConfig::default()
    };
    match network.simulate(&config, &Input::None) {
        Err(SimulationError::Diverged {
            time_s,
            value,
            threshold,
            ..
        }) => {
            assert!((time_s - 0.69).abs() < 0.02, "diverged at {time_s} s");
            assert!(value > threshold);
        }
        other => panic!("expected Diverged, got {other:?}"),
    }

    // tanh bounds the recurrent input by 3, so the same circuit stays finite.
    let bounded = RateConfig {
        activation: Activation::Tanh,
        ..config
    };
    let run = network.simulate(&bounded, &Input::None).unwrap();
    assert!(run.states.data.iter().all(|x| x.abs() <= 3.0 + 1.0));
}

#[test]
fn invalid_settings_give_typed_errors() {
    let network = RateNetwork::from_circuit(&circuit(&[0.0; 4], &[Excitatory, Excitatory]));
    let base = RateConfig {
        duration_s: 0.1,
        ..RateConfig::default()
    };
    let invalid = |change: fn(&mut RateConfig), parameter: &str| {
        let mut config = base.clone();
        change(&mut config);
        match network.simulate(&config, &Input::None) {
            Err(SimulationError::InvalidParameter { parameter: p, .. }) => {
                assert_eq!(p, parameter)
            }
            other => panic!("{parameter}: expected InvalidParameter, got {other:?}"),
        }
    };
    invalid(|c| c.tau_s = 0.0, "tau_s");
    invalid(|c| c.dt_s = -1e-3, "dt_s");
    invalid(|c| c.duration_s = f64::NAN, "duration_s");
    invalid(|c| c.duration_s = 1e12, "duration_s");
    invalid(|c| c.sampling_interval_s = 0.0, "sampling_interval_s");
    invalid(|c| c.noise_sigma = -0.1, "noise_sigma");
    invalid(|c| c.noise_sigma = f64::INFINITY, "noise_sigma");
    invalid(|c| c.divergence_threshold = 0.0, "divergence_threshold");

    let mut config = base.clone();
    config.sampling_interval_s = 0.0015;
    assert!(matches!(
        network.simulate(&config, &Input::None),
        Err(SimulationError::NotStepMultiple {
            parameter: "sampling_interval_s",
            ..
        })
    ));

    let mut config = base.clone();
    config.dt_s = 0.2;
    assert!(matches!(
        network.simulate(&config, &Input::None),
        Err(SimulationError::StepTooLarge { .. })
    ));
    // Gap junctions tighten the limit to tau / (1 + 1).
    let coupled = network
        .clone()
        .with_gap_junctions(&[0.0, 1.0, 1.0, 0.0])
        .unwrap();
    config.dt_s = 0.06;
    match coupled.simulate(&config, &Input::None) {
        Err(SimulationError::StepTooLarge { max_dt_s, .. }) => assert_eq!(max_dt_s, 0.05),
        other => panic!("expected StepTooLarge, got {other:?}"),
    }

    let mut config = base.clone();
    config.initial_state = Some(vec![0.0]);
    assert!(matches!(
        network.simulate(&config, &Input::None),
        Err(SimulationError::NeuronCount {
            what: "initial_state",
            ..
        })
    ));
    config.initial_state = Some(vec![0.0, f64::NAN]);
    assert!(matches!(
        network.simulate(&config, &Input::None),
        Err(SimulationError::NonFiniteInitialState { neuron: 1, .. })
    ));
}

#[test]
fn config_reads_partial_json_with_defaults() {
    let config: RateConfig =
        serde_json::from_str(r#"{"tau_s": 0.2, "activation": "Relu"}"#).unwrap();
    assert_eq!(config.tau_s, 0.2);
    assert_eq!(config.activation, Activation::Relu);
    assert_eq!(config.dt_s, RateConfig::default().dt_s);
    let typo = serde_json::from_str::<RateConfig>(r#"{"tau": 0.2}"#);
    assert!(typo.is_err());
}

#[test]
fn invalid_inputs_give_typed_errors() {
    let network = RateNetwork::from_circuit(&circuit(&[0.0; 4], &[Excitatory, Excitatory]));
    let config = RateConfig {
        duration_s: 1.0,
        ..RateConfig::default()
    };
    let simulate = |input: Input| network.simulate(&config, &input);

    assert!(matches!(
        simulate(Input::Constant(vec![1.0; 3])),
        Err(SimulationError::NeuronCount {
            what: "constant input",
            expected: 2,
            found: 3
        })
    ));
    assert!(matches!(
        simulate(Input::Constant(vec![1.0, f64::NAN])),
        Err(SimulationError::NonFiniteInput { neuron: 1, .. })
    ));
    let short = Recording::new(vec![0.0; 10], 2, 5, 0.1).unwrap();
    assert!(matches!(
        simulate(Input::Samples(short)),
        Err(SimulationError::InputTooShort { .. })
    ));
    let channels = Recording::new(vec![0.0; 30], 3, 10, 0.1).unwrap();
    assert!(matches!(
        simulate(Input::Samples(channels)),
        Err(SimulationError::NeuronCount {
            what: "input recording channels",
            ..
        })
    ));
    let late_nan = Input::function(|t, out| out.fill(if t > 0.5 { f64::NAN } else { 0.0 }));
    match simulate(late_nan) {
        Err(SimulationError::NonFiniteInput { neuron, time_s, .. }) => {
            assert_eq!(neuron, 0);
            assert!((time_s - 0.501).abs() < 1e-9, "time {time_s}");
        }
        other => panic!("expected NonFiniteInput, got {other:?}"),
    }
}

#[test]
fn invalid_network_options_give_typed_errors() {
    let network = RateNetwork::from_circuit(&circuit(&[0.0; 4], &[Excitatory, Excitatory]));
    let gap = |g: &[f64]| network.clone().with_gap_junctions(g).unwrap_err();
    assert!(matches!(
        gap(&[0.0, 1.0, 1.0]),
        SimulationError::MatrixShape { expected: 4, .. }
    ));
    assert!(matches!(
        gap(&[0.0, 1.0, 2.0, 0.0]),
        SimulationError::AsymmetricConductance { i: 0, j: 1, .. }
    ));
    assert!(matches!(
        gap(&[0.0, -1.0, -1.0, 0.0]),
        SimulationError::InvalidConductance { i: 0, j: 1, .. }
    ));
    assert!(matches!(
        gap(&[1.0, 0.0, 0.0, 0.0]),
        SimulationError::InvalidConductance { i: 0, j: 0, .. }
    ));
    let labels = network.clone().with_labels(vec!["a".into()]);
    assert!(matches!(
        labels,
        Err(SimulationError::NeuronCount { what: "labels", .. })
    ));
}
