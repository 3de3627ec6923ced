//! Host-side random numbers for the RBM samplers.
//!
//! Burn 0.22 seeds its random tensors per process (`Device::seed` sets one generator that
//! every later `Tensor::random` call advances), so two routines running at once, or the same
//! routine on another backend, would not see the same stream. The samplers therefore draw
//! their uniform and normal numbers from a ChaCha8 stream on the host and upload them. The
//! samples are then identical on every backend, up to floating-point rounding of the
//! probabilities they are compared with. The cost is one host-to-device copy per sampling
//! step, which is small on the CPU backends (see docs/benchmarks.md).
// NOTE: the cost of these copies on a GPU has not been measured.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Draws `count` uniform numbers in [0, 1).
pub(crate) fn uniforms(rng: &mut ChaCha8Rng, count: usize) -> Vec<f32> {
    (0..count).map(|_| rng.random::<f32>()).collect()
}

/// Draws `count` standard normal numbers by the Box-Muller transform, in f64 and rounded.
pub(crate) fn normals(rng: &mut ChaCha8Rng, count: usize) -> Vec<f32> {
    let mut values = Vec::with_capacity(count + 1);
    while values.len() < count {
        // 1 - u lies in (0, 1], so its logarithm is finite.
        let radius = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
        let angle = std::f64::consts::TAU * rng.random::<f64>();
        values.push((radius * angle.cos()) as f32);
        values.push((radius * angle.sin()) as f32);
    }
    values.truncate(count);
    values
}
