//! Training objectives for an energy E_theta, written as tensor losses that Burn's autodiff
//! differentiates with respect to theta. s = -grad_x E is the model score.
//!
//! - Denoising score matching (Vincent 2011, Neural Computation 23:1661): with
//!   x~ = x + sigma z, the score of the noise kernel is -z / sigma, and the loss
//!   sigma^2 / 2 E|s(x~) + z / sigma|^2 = E|sigma s(x~) + z|^2 / 2 uses the sigma^2 weighting
//!   of Song and Ermon 2019 (NeurIPS), so several noise levels can be averaged.
//! - Sliced score matching (Song, Garg, Shi and Ermon 2019, UAI, eq. 7):
//!   J = E_x E_v [v^T grad_x s(x) v + (v^T s(x))^2 / 2] = E[-v^T H v + (v^T grad E)^2 / 2],
//!   with v ~ N(0, I). The Hessian-vector product comes from [`Energy::hvp`], which is exact
//!   for [`EnergyNet`](crate::continuous::EnergyNet) and the quadratic energies (no finite
//!   differences), so the loss is the exact sliced objective.
//! - Contrastive divergence with the energy-magnitude regulariser of Du and Mordatch 2019
//!   (NeurIPS): E[E(x+)] - E[E(x-)] + alpha (E[E(x+)^2] + E[E(x-)^2]), with x- from Langevin
//!   chains treated as constants.
//! - Noise-contrastive estimation (Gutmann and Hyvarinen 2010, AISTATS, eq. 3-5) with
//!   log p_theta = -E_theta (the energy's constant term is the fitted negative log-normaliser)
//!   and G(u) = -E(u) - ln q(u) - ln nu for noise density q and nu noise samples per data point:
//!   loss = E_data[softplus(-G)] + nu E_noise[softplus(G)].

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;

use crate::continuous::energy::Energy;

/// Computes the denoising score-matching loss at one noise level.
///
/// # Arguments
/// - `model`: energy E_theta.
/// - `clean`: data rows x.
/// - `noise`: standard normal z, one row per data row.
/// - `sigma`: noise level, > 0.
///
/// # Shapes
/// - `clean`, `noise`: `[n, d]`; returns `[1]`.
pub fn denoising_score_matching<M: Energy>(
    model: &M,
    clean: Tensor<2>,
    noise: Tensor<2>,
    sigma: f64,
) -> Tensor<1> {
    let noisy = clean.add(noise.clone().mul_scalar(sigma));
    let scaled_score = model.grad(noisy).mul_scalar(-sigma);
    scaled_score
        .add(noise)
        .square()
        .sum_dim(1)
        .mean()
        .mul_scalar(0.5)
}

/// Computes the sliced score-matching loss with one projection per row.
///
/// # Arguments
/// - `model`: energy E_theta.
/// - `x`: data rows (repeat them for several projections per point).
/// - `projections`: random directions v, one per row.
///
/// # Shapes
/// - `x`, `projections`: `[n, d]`; returns `[1]`.
pub fn sliced_score_matching<M: Energy>(
    model: &M,
    x: Tensor<2>,
    projections: Tensor<2>,
) -> Tensor<1> {
    let curvature = model
        .hvp(x.clone(), projections.clone())
        .mul(projections.clone())
        .sum_dim(1); // v^T H v
    let slope = model.grad(x).mul(projections).sum_dim(1); // v^T grad E = -v^T s
    slope.square().mul_scalar(0.5).sub(curvature).mean()
}

/// Computes the contrastive-divergence loss with the L2 energy regulariser.
///
/// # Arguments
/// - `model`: energy E_theta.
/// - `positive`: data rows x+.
/// - `negative`: model samples x-, detached from any graph.
/// - `regulariser`: alpha >= 0.
///
/// # Shapes
/// - `positive`: `[n, d]`, `negative`: `[m, d]`; returns `[1]`.
pub fn contrastive_divergence<M: Energy>(
    model: &M,
    positive: Tensor<2>,
    negative: Tensor<2>,
    regulariser: f64,
) -> Tensor<1> {
    let positive_energy = model.energy(positive);
    let negative_energy = model.energy(negative);
    let magnitude = positive_energy
        .clone()
        .square()
        .mean()
        .add(negative_energy.clone().square().mean());
    positive_energy
        .mean()
        .sub(negative_energy.mean())
        .add(magnitude.mul_scalar(regulariser))
}

/// Computes the noise-contrastive estimation loss.
///
/// # Arguments
/// - `model`: energy E_theta, whose constant term plays the role of the log-normaliser.
/// - `data`, `noise`: data rows and noise rows.
/// - `log_noise_density_data`, `log_noise_density_noise`: ln q at those rows.
/// - `noise_ratio`: nu = noise rows per data row, > 0.
///
/// # Shapes
/// - `data`: `[n, d]`, `noise`: `[m, d]`, densities `[n]` and `[m]`; returns `[1]`.
pub fn noise_contrastive_estimation<M: Energy>(
    model: &M,
    data: Tensor<2>,
    noise: Tensor<2>,
    log_noise_density_data: Tensor<1>,
    log_noise_density_noise: Tensor<1>,
    noise_ratio: f64,
) -> Tensor<1> {
    let log_ratio = noise_ratio.ln();
    let logit_data = model
        .energy(data)
        .neg()
        .sub(log_noise_density_data)
        .sub_scalar(log_ratio);
    let logit_noise = model
        .energy(noise)
        .neg()
        .sub(log_noise_density_noise)
        .sub_scalar(log_ratio);
    softplus(logit_data.neg(), 1.0)
        .mean()
        .add(softplus(logit_noise, 1.0).mean().mul_scalar(noise_ratio))
}
