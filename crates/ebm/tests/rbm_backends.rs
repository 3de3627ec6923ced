//! The RBM routines of `ncm_ebm::rbm` must give the same numbers on the wgpu backend as on
//! flex and on the host engine, because all of them draw the same host random numbers. Without
//! a GPU, wgpu runs on Mesa's software Vulkan driver (lavapipe). The test fails, and does not
//! skip, when no Vulkan device is available.

#![cfg(all(feature = "flex", feature = "wgpu"))]

use burn::tensor::Device;
use ncm_ebm::rbm::{AisConfig, Engine, Rbm, RbmConfig, Sigma, TrainConfig, VisibleUnits};

fn data(rows: usize, n_visible: usize) -> Vec<f32> {
    (0..rows * n_visible)
        .map(|k| ((k * 7 + 3) % 11) as f32 / 10.0)
        .collect()
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn parameters(rbm: &Rbm) -> Vec<f32> {
    rbm.weights()
        .iter()
        .chain(rbm.visible_bias())
        .chain(rbm.hidden_bias())
        .copied()
        .collect()
}

#[test]
fn rbm_scores_agree_on_flex_and_wgpu() {
    let (flex, wgpu) = (Device::flex(), Device::wgpu(Default::default()));
    let config = RbmConfig {
        n_visible: 12,
        n_hidden: 9,
        init_std: 0.5,
        seed: 4,
        ..RbmConfig::default()
    };
    let rbm = Rbm::new(&config).unwrap();
    let data = data(30, 12);

    // Free energies are sums of about 20 terms of size <= 10 in f32.
    let free_energy_flex = rbm.free_energy(&data, &flex).unwrap();
    let free_energy_wgpu = rbm.free_energy(&data, &wgpu).unwrap();
    assert!(largest_difference(&free_energy_flex, &free_energy_wgpu) < 1e-4);

    let pseudo_flex = rbm.pseudo_log_likelihood(&data, &flex).unwrap();
    let pseudo_wgpu = rbm.pseudo_log_likelihood(&data, &wgpu).unwrap();
    assert!(largest_difference(&pseudo_flex, &pseudo_wgpu) < 1e-4);

    let ais = AisConfig {
        chains: 20,
        temperatures: 100,
        ..AisConfig::default()
    };
    let log_z_flex = rbm.log_partition_ais(&ais, &flex).unwrap().log_partition;
    let log_z_wgpu = rbm.log_partition_ais(&ais, &wgpu).unwrap().log_partition;
    assert!(
        (log_z_flex - log_z_wgpu).abs() < 1e-3,
        "{log_z_flex} vs {log_z_wgpu}"
    );
}

#[test]
fn rbm_training_agrees_on_wgpu_and_host() {
    let wgpu = Device::wgpu(Default::default());
    let data = data(40, 6);
    for visible in [VisibleUnits::Bernoulli, VisibleUnits::Gaussian(Sigma::Unit)] {
        let config = RbmConfig {
            n_visible: 6,
            n_hidden: 5,
            visible: visible.clone(),
            init_std: 0.1,
            seed: 2,
        };
        let rbm = Rbm::new(&config).unwrap();
        let train = TrainConfig {
            learning_rate: 0.05,
            epochs: 2,
            batch_size: 8,
            persistent: true,
            ..TrainConfig::default()
        };
        let host = rbm.fit(&data, &train, &Engine::Host).unwrap();
        let tensor = rbm
            .fit(&data, &train, &Engine::Tensor(wgpu.clone()))
            .unwrap();
        let difference = largest_difference(&parameters(&host), &parameters(&tensor));
        assert!(difference < 1e-4, "{visible:?}: {difference}");
    }
}
