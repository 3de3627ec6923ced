//! The continuous energy network and Langevin sampler give the same numbers on the flex (CPU)
//! and wgpu (GPU) backends, within f32 rounding.
//!
//! Without a GPU, wgpu runs on Mesa's software Vulkan driver (lavapipe); the test fails, and
//! does not skip, when no Vulkan device is available.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_ebm::continuous::{
    Activation, Energy, EnergyNetConfig, SamplerConfig, SamplerMethod, sample,
};

fn states(device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..64).map(|i| ((i as f32) * 0.37).sin() * 2.0).collect();
    Tensor::from_data(TensorData::new(values, [16, 4]), device)
}

fn values<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
    tensor.into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn energy_network_agrees_across_flex_and_wgpu() {
    let devices = [Device::flex(), Device::wgpu(Default::default())];
    let results: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> = devices
        .iter()
        .map(|device| {
            let net = EnergyNetConfig::new(4)
                .with_width(32)
                .with_activation(Activation::Silu)
                .with_spectral_norm(true)
                .with_seed(5)
                .init(device)
                .unwrap();
            let x = states(device);
            let v = states(device).flip([0]);
            (
                values(net.energy(x.clone())),
                values(net.grad(x.clone())),
                values(net.hvp(x, v)),
            )
        })
        .collect();
    let (flex, wgpu) = (&results[0], &results[1]);
    // Values are of order 1 after a few f32 matrix products, so 1e-4 covers rounding.
    for (a, b) in flex
        .0
        .iter()
        .zip(&wgpu.0)
        .chain(flex.1.iter().zip(&wgpu.1))
        .chain(flex.2.iter().zip(&wgpu.2))
    {
        assert!((a - b).abs() < 1e-4, "flex {a} vs wgpu {b}");
    }
}

#[test]
fn langevin_chains_agree_across_flex_and_wgpu() {
    // The noise is drawn on the CPU, so the same seed drives both backends; ULA has no
    // accept/reject step that rounding could flip.
    let config = SamplerConfig {
        method: SamplerMethod::Ula,
        step_size: 0.01,
        n_steps: 20,
        seed: 3,
        ..SamplerConfig::default()
    };
    let rows: Vec<Vec<f32>> = [Device::flex(), Device::wgpu(Default::default())]
        .iter()
        .map(|device| {
            let net = EnergyNetConfig::new(4)
                .with_width(16)
                .with_confinement(0.5)
                .with_seed(2)
                .init(device)
                .unwrap();
            sample(&net, states(device), &config).unwrap().rows
        })
        .collect();
    for (a, b) in rows[0].iter().zip(&rows[1]) {
        assert!((a - b).abs() < 1e-4, "flex {a} vs wgpu {b}");
    }
}
