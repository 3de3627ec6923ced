//! Log partition function of an [`Rbm`] by annealed importance sampling (Neal 2001,
//! Statistics and Computing 11:125), in the form Salakhutdinov and Murray 2008 (ICML, "On
//! the quantitative analysis of deep belief networks") give for RBMs.
//!
//! With the hidden units summed out, the intermediate distributions for Bernoulli visible
//! units are
//!
//! p*_beta(v) = exp((1 - beta) b_A . v + beta b . v) prod_j (1 + exp(beta x_j(v))),
//! x_j(v) = c_j + sum_i v_i W_ij,
//!
//! so that p*_0 is the base-rate model with biases b_A (times 2^H) and p*_1(v) = exp(-F(v)).
//! Its normaliser is Z_0 = 2^H prod_i (1 + exp(b_A,i)). For Gaussian visible units the base
//! model keeps b and sigma and drops the weights:
//!
//! p*_beta(v) = exp(-sum_i (v_i - b_i)^2 / (2 sigma_i^2)) prod_j (1 + exp(beta x_j(v))),
//! x_j(v) = c_j + sum_i (v_i / sigma_i) W_ij,  Z_0 = 2^H prod_i sqrt(2 pi) sigma_i.
//!
//! Each of M chains starts from an exact sample of p_0 and, for k = 1..K, adds
//! log p*_k(v) - log p*_(k-1)(v) to its log weight and then takes one block Gibbs step that
//! leaves p_k invariant. Then log Z = log Z_0 + log mean_m w_m.
//!
//! The standard error is the delta-method one, SE(log Z) = sd(w) / (sqrt(M) mean(w)), with
//! the sample standard deviation over chains. It describes the spread of log Z over repeated
//! runs and is reliable only when the weights are not dominated by a few chains, which the
//! reported effective sample size (sum w)^2 / sum w^2 shows. Because log is concave, the
//! estimate of log Z is biased low on average even though the estimate of Z is unbiased.

use burn::tensor::activation::softplus;
use burn::tensor::{Device, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::rbm::config::{AisConfig, VisibleUnits};
use crate::rbm::error::Result;
use crate::rbm::model::{DeviceRbm, Rbm, download, upload};
use crate::rbm::random::{normals, uniforms};

/// Result of [`Rbm::log_partition_ais`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AisEstimate {
    /// Estimated log Z = log Z_0 + log of the mean importance weight, in nats.
    pub log_partition: f64,
    /// Delta-method standard error of `log_partition`, sd(w) / (sqrt(M) mean(w)).
    pub standard_error: f64,
    /// Effective sample size (sum w)^2 / sum w^2, between 1 and M.
    pub effective_sample_size: f64,
    /// Exact log Z_0 of the base model.
    pub log_base_partition: f64,
    /// Log importance weight of each chain.
    pub log_weights: Vec<f64>,
}

impl Rbm {
    /// Estimates log Z by annealed importance sampling.
    ///
    /// The log weights accumulate in the device's float type (f32 by default), so with K
    /// temperatures each chain's log weight carries a rounding error of roughly
    /// 1e-7 sqrt(K) times its typical size; at K = 10^4 this stays far below the standard
    /// error of the models tried here.
    ///
    /// # Errors
    /// Those of [`AisConfig::validate`] and [`crate::rbm::RbmError::Backend`].
    pub fn log_partition_ais(&self, config: &AisConfig, device: &Device) -> Result<AisEstimate> {
        config.validate(self.n_visible())?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let params = self.to_device(device);
        let (v, m) = (self.n_visible(), config.chains);
        let bernoulli = self.visible_units().is_bernoulli();
        let base_bias = match (&config.base_visible_bias, bernoulli) {
            (Some(bias), true) => bias.clone(),
            _ => self.visible_bias().to_vec(),
        };
        let log_base_partition = self.log_base_partition(&base_bias);
        let base_bias = upload(base_bias, [1, v], device);

        let mut visible = self.sample_base(&params, &base_bias, m, &mut rng);
        let mut log_weight = Tensor::<2>::zeros([m, 1], device);
        let mut previous_beta = 0.0;
        for k in 1..=config.temperatures {
            let beta = k as f64 / config.temperatures as f64;
            let hidden_input = params.hidden_input(visible.clone());
            let mut increment = softplus(hidden_input.clone().mul_scalar(beta), 1.0)
                .sub(softplus(
                    hidden_input.clone().mul_scalar(previous_beta),
                    1.0,
                ))
                .sum_dim(1);
            if bernoulli {
                let bias_change = params.visible_bias.clone().sub(base_bias.clone());
                let visible_term = visible
                    .clone()
                    .mul(bias_change)
                    .sum_dim(1)
                    .mul_scalar(beta - previous_beta);
                increment = increment.add(visible_term);
            }
            log_weight = log_weight.add(increment);
            if k < config.temperatures {
                visible = anneal_step(&params, &base_bias, hidden_input, beta, &mut rng);
            }
            previous_beta = beta;
        }

        let log_weights: Vec<f64> = download(log_weight)?.into_iter().map(f64::from).collect();
        Ok(summarise(log_weights, log_base_partition))
    }

    /// Computes the maximum-likelihood base-rate biases b_A,i = log(p_i / (1 - p_i)) of the
    /// independent model for Bernoulli visible units, with the mean p_i of unit i over
    /// `data` clipped to [1e-3, 1 - 1e-3] so that constant pixels get finite biases.
    ///
    /// # Errors
    /// [`crate::rbm::RbmError::RequiresBernoulli`] and the data errors of
    /// [`Rbm::validate_data`].
    pub fn base_rate_bias(&self, data: &[f32]) -> Result<Vec<f32>> {
        self.require_bernoulli("the base-rate model")?;
        let rows = self.validate_data(data)?;
        let mut mean = vec![0.0f64; self.n_visible()];
        for row in data.chunks_exact(self.n_visible()) {
            for (total, &value) in mean.iter_mut().zip(row) {
                *total += f64::from(value) / rows as f64;
            }
        }
        Ok(mean
            .into_iter()
            .map(|p| {
                let p = p.clamp(1e-3, 1.0 - 1e-3);
                (p / (1.0 - p)).ln() as f32
            })
            .collect())
    }

    fn log_base_partition(&self, base_bias: &[f32]) -> f64 {
        let hidden_term = self.n_hidden() as f64 * std::f64::consts::LN_2;
        let visible_term: f64 = match self.visible_units() {
            VisibleUnits::Bernoulli => base_bias.iter().map(|&b| softplus_f64(f64::from(b))).sum(),
            VisibleUnits::Gaussian(_) => self
                .sigma()
                .iter()
                .map(|&s| 0.5 * (2.0 * std::f64::consts::PI).ln() + f64::from(s).ln())
                .sum(),
        };
        hidden_term + visible_term
    }

    /// Draws M exact samples of the base model p_0.
    fn sample_base(
        &self,
        params: &DeviceRbm,
        base_bias: &Tensor<2>,
        m: usize,
        rng: &mut ChaCha8Rng,
    ) -> Tensor<2> {
        let v = self.n_visible();
        let bias = base_bias.clone().expand([m, v]);
        match &params.sigma {
            Some(sigma) => {
                let noise = upload(normals(rng, m * v), [m, v], &params.device);
                bias.add(noise.mul(sigma.clone()))
            }
            None => {
                let noise = upload(uniforms(rng, m * v), [m, v], &params.device);
                noise.lower(burn::tensor::activation::sigmoid(bias)).float()
            }
        }
    }
}

/// Takes one block Gibbs step that leaves p_beta invariant, given the hidden input of the current
/// visible states.
fn anneal_step(
    params: &DeviceRbm,
    base_bias: &Tensor<2>,
    hidden_input: Tensor<2>,
    beta: f64,
    rng: &mut ChaCha8Rng,
) -> Tensor<2> {
    let hidden = params.bernoulli_sample(
        burn::tensor::activation::sigmoid(hidden_input.mul_scalar(beta)),
        rng,
    );
    let [rows, _] = hidden.dims();
    let v = params.visible_bias.dims()[1];
    let top_down = hidden
        .matmul(params.weights.clone().transpose())
        .mul_scalar(beta);
    match &params.sigma {
        Some(sigma) => {
            let noise = upload(normals(rng, rows * v), [rows, v], &params.device);
            top_down
                .add(noise)
                .mul(sigma.clone())
                .add(params.visible_bias.clone())
        }
        None => {
            let input = top_down
                .add(params.visible_bias.clone().mul_scalar(beta))
                .add(base_bias.clone().mul_scalar(1.0 - beta));
            params.bernoulli_sample(burn::tensor::activation::sigmoid(input), rng)
        }
    }
}

/// Combines the log weights into log Z, its standard error and the effective sample size.
fn summarise(log_weights: Vec<f64>, log_base_partition: f64) -> AisEstimate {
    let m = log_weights.len() as f64;
    let max = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    // Weights scaled by exp(-max) keep the largest at 1, which cancels in every ratio below.
    let scaled: Vec<f64> = log_weights.iter().map(|&l| (l - max).exp()).collect();
    let mean = scaled.iter().sum::<f64>() / m;
    let variance = scaled.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / (m - 1.0);
    let sum_squares: f64 = scaled.iter().map(|w| w * w).sum();
    AisEstimate {
        log_partition: log_base_partition + max + mean.ln(),
        standard_error: variance.sqrt() / (m.sqrt() * mean),
        effective_sample_size: (mean * m).powi(2) / sum_squares,
        log_base_partition,
        log_weights,
    }
}

fn softplus_f64(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}
