//! The energy network's hand-written input gradient and Hessian-vector product against central
//! finite differences of its energy and against Burn's autodiff, spectral normalisation, seeding
//! and configuration errors.
#![cfg(feature = "flex")]

use burn::tensor::{Device, Tensor, TensorData};
use ncm_ebm::continuous::{Activation, ContinuousError, Energy, EnergyNet, EnergyNetConfig};

const DIM: usize = 3;

fn points(device: &Device) -> Tensor<2> {
    let values = vec![
        0.3f32, -0.7, 1.1, -1.2, 0.4, 0.05, 0.9, 0.8, -0.6, 0.0, 0.0, 0.0,
    ];
    Tensor::from_data(TensorData::new(values, [4, DIM]), device)
}

fn network(activation: Activation, spectral_norm: bool, device: &Device) -> EnergyNet {
    EnergyNetConfig::new(DIM)
        .with_width(16)
        .with_depth(3)
        .with_activation(activation)
        .with_spectral_norm(spectral_norm)
        .with_confinement(0.1)
        .with_seed(7)
        .init(device)
        .unwrap()
}

fn to_vec<const D: usize>(tensor: Tensor<D>) -> Vec<f64> {
    tensor
        .into_data()
        .try_to_vec::<f32>()
        .unwrap()
        .into_iter()
        .map(f64::from)
        .collect()
}

/// Central differences of the energy, with h = 1e-2: f32 rounding of energies near 1 gives
/// errors near 1e-7 / 1e-2 = 1e-5, and the truncation error h^2 E''' / 6 stays below 1e-4.
fn finite_difference_gradient(net: &EnergyNet, x: &[f64], device: &Device) -> Vec<f64> {
    let h = 1e-2;
    let n = x.len() / DIM;
    let mut grad = vec![0.0; x.len()];
    for j in 0..DIM {
        let shift = |sign: f64| -> Vec<f64> {
            let shifted: Vec<f32> = x
                .iter()
                .enumerate()
                .map(|(i, &v)| (if i % DIM == j { v + sign * h } else { v }) as f32)
                .collect();
            to_vec(net.energy(Tensor::from_data(
                TensorData::new(shifted, [n, DIM]),
                device,
            )))
        };
        let (plus, minus) = (shift(1.0), shift(-1.0));
        for row in 0..n {
            grad[row * DIM + j] = (plus[row] - minus[row]) / (2.0 * h);
        }
    }
    grad
}

#[test]
fn gradient_matches_finite_differences() {
    let device = Device::flex();
    for activation in [Activation::Softplus, Activation::Tanh, Activation::Silu] {
        for spectral_norm in [false, true] {
            let net = network(activation, spectral_norm, &device);
            let x = points(&device);
            let analytic = to_vec(net.grad(x.clone()));
            let numeric = finite_difference_gradient(&net, &to_vec(x), &device);
            for (a, b) in analytic.iter().zip(&numeric) {
                assert!(
                    (a - b).abs() < 1e-3,
                    "{activation:?}, spectral {spectral_norm}: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn gradient_matches_autodiff() {
    let device = Device::flex().autodiff();
    for activation in [Activation::Softplus, Activation::Tanh, Activation::Silu] {
        let net = network(activation, true, &device);
        let x = points(&device).require_grad();
        let gradients = net.energy(x.clone()).sum().backward();
        let autodiff = to_vec(x.grad(&gradients).unwrap());
        let analytic = to_vec(net.grad(points(&device)));
        for (a, b) in analytic.iter().zip(&autodiff) {
            assert!((a - b).abs() < 1e-5, "{activation:?}: {a} vs {b}");
        }
    }
}

#[test]
fn hessian_vector_product_matches_autodiff_of_gradient() {
    // Autodiff of sum(v * grad E) through the analytic gradient gives H v, because H is
    // symmetric.
    let device = Device::flex().autodiff();
    let direction = vec![
        0.5f32, -1.0, 0.25, 1.0, 0.0, -0.3, 0.2, 0.7, 0.9, -1.1, 0.4, 0.6,
    ];
    for activation in [Activation::Softplus, Activation::Tanh, Activation::Silu] {
        let net = network(activation, false, &device);
        let v = Tensor::<2>::from_data(TensorData::new(direction.clone(), [4, DIM]), &device);
        let x = points(&device).require_grad();
        let gradients = net.grad(x.clone()).mul(v.clone()).sum().backward();
        let autodiff = to_vec(x.grad(&gradients).unwrap());
        let analytic = to_vec(net.hvp(points(&device), v));
        for (a, b) in analytic.iter().zip(&autodiff) {
            assert!((a - b).abs() < 1e-4, "{activation:?}: {a} vs {b}");
        }
    }
}

#[test]
fn gradient_carries_parameter_gradients() {
    // The score-matching losses need d/dtheta of a function of grad_x E.
    let device = Device::flex().autodiff();
    let net = network(Activation::Softplus, false, &device);
    let loss = net.grad(points(&device)).square().sum();
    let gradients = loss.backward();
    let grads = burn::optim::GradientsParams::from_grads(gradients, &net);
    assert!(!grads.is_empty());
}

#[test]
fn spectral_norm_bounds_the_gradient() {
    // With every weight of spectral norm 1 and |sigma'| <= 1, |grad f| <= 1, so without
    // confinement the input gradient has norm at most 1 (plus power-iteration slack).
    let device = Device::flex();
    let net = EnergyNetConfig::new(DIM)
        .with_width(32)
        .with_depth(3)
        .with_spectral_norm(true)
        .with_power_iterations(30)
        .init(&device)
        .unwrap();
    let grad = to_vec(net.grad(points(&device)));
    for row in grad.chunks(DIM) {
        let norm = row.iter().map(|g| g * g).sum::<f64>().sqrt();
        assert!(norm <= 1.0 + 1e-3, "gradient norm {norm}");
    }
}

#[test]
fn same_seed_same_energies() {
    let device = Device::flex();
    let first = to_vec(network(Activation::Silu, false, &device).energy(points(&device)));
    let second = to_vec(network(Activation::Silu, false, &device).energy(points(&device)));
    assert_eq!(first, second);
    let other = EnergyNetConfig::new(DIM)
        .with_width(16)
        .with_depth(3)
        .with_activation(Activation::Silu)
        .with_confinement(0.1)
        .with_seed(8)
        .init(&device)
        .unwrap();
    assert_ne!(first, to_vec(other.energy(points(&device))));
}

#[test]
fn bad_network_settings_are_rejected() {
    let device = Device::flex();
    let setting = |config: EnergyNetConfig| match config.init(&device) {
        Err(ContinuousError::InvalidSetting { name, .. }) => name,
        other => panic!("expected an invalid setting, got {other:?}"),
    };
    assert_eq!(setting(EnergyNetConfig::new(0)), "input_dim");
    assert_eq!(setting(EnergyNetConfig::new(2).with_width(0)), "width");
    assert_eq!(setting(EnergyNetConfig::new(2).with_depth(0)), "depth");
    assert_eq!(
        setting(EnergyNetConfig::new(2).with_power_iterations(0)),
        "power_iterations"
    );
    assert_eq!(
        setting(EnergyNetConfig::new(2).with_confinement(-1.0)),
        "confinement"
    );
    assert_eq!(
        setting(EnergyNetConfig::new(2).with_confinement(f64::NAN)),
        "confinement"
    );
}
