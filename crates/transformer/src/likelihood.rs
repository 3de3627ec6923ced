//! Negative log-likelihoods of the output heads, elementwise on tensors.
//!
//! Gaussian: -ln N(x | mu, sigma^2) = (ln(2 pi) + v + (x - mu)^2 e^(-v)) / 2 with v = ln sigma^2.
//! Poisson: -ln P(k | lambda) = e^r - k r + ln k! with r = ln lambda. The tensor form leaves out
//! ln k!, which does not depend on the model; [`crate::metrics::poisson_nll`] includes it.

use burn::tensor::Tensor;

/// Elementwise Gaussian negative log-likelihood (nats) of `target` under mean `mean` and
/// log-variance `log_variance`, all of one shape.
pub fn gaussian_nll<const D: usize>(
    mean: Tensor<D>,
    log_variance: Tensor<D>,
    target: Tensor<D>,
) -> Tensor<D> {
    let squared = target.sub(mean).square();
    squared
        .mul(log_variance.clone().neg().exp())
        .add(log_variance)
        .add_scalar((2.0 * std::f64::consts::PI).ln())
        .mul_scalar(0.5)
}

/// Elementwise Poisson negative log-likelihood (nats) of `counts` under log-rate `log_rate`,
/// without the model-free term ln k!.
pub fn poisson_nll<const D: usize>(log_rate: Tensor<D>, counts: Tensor<D>) -> Tensor<D> {
    log_rate.clone().exp().sub(counts.mul(log_rate))
}
