//! The same computation on the flex (CPU) and wgpu (GPU) backends must agree.
//!
//! Without a GPU, wgpu runs on Mesa's software Vulkan driver (lavapipe); the test fails, and
//! does not skip, when no Vulkan device is available.

use burn::tensor::Device;
use ncm_ebm::IsingModel;

/// Builds an `n`-unit model with couplings of both signs, so energies span a wide range.
fn model(n: usize) -> IsingModel {
    let field = (0..n).map(|i| 0.3 * ((i as f64) * 0.7).sin()).collect();
    let mut coupling = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let value = 0.25 * ((i * 7 + j * 3) as f64).cos();
            coupling[i * n + j] = value;
            coupling[j * n + i] = value;
        }
    }
    IsingModel::new(field, coupling).expect("valid test model")
}

/// Lists every state of `n` spins, one row per state, +-1.
fn all_states(n: usize) -> Vec<i8> {
    let mut states = Vec::with_capacity((1 << n) * n);
    for index in 0u32..1 << n {
        states.extend((0..n).map(|i| if index >> i & 1 == 1 { 1i8 } else { -1 }));
    }
    states
}

#[test]
fn batch_energy_agrees_across_flex_wgpu_and_f64() {
    let n = 12;
    let model = model(n);
    let states = all_states(n);

    let flex = ncm_ebm::batch_energy(&model, &states, &Device::flex()).unwrap();
    let wgpu = ncm_ebm::batch_energy(&model, &states, &Device::wgpu(Default::default())).unwrap();
    assert_eq!(flex.len(), 1 << n);
    assert_eq!(wgpu.len(), 1 << n);

    // Energies are sums of up to 78 terms of size <= 0.3 in f32, so both backends must agree
    // with the f64 reference to 1e-4 (about 10 f32 roundings of values near 10).
    for (index, state) in states.chunks(n).enumerate() {
        let reference = model.energy(state).unwrap();
        assert!(
            (flex[index] as f64 - reference).abs() < 1e-4,
            "flex, state {index}: {} vs {reference}",
            flex[index]
        );
        assert!(
            (wgpu[index] as f64 - reference).abs() < 1e-4,
            "wgpu, state {index}: {} vs {reference}",
            wgpu[index]
        );
    }
}
