//! Energy network E_theta(x) = f_theta(x) + (c / 2) |x|^2, with f_theta a multilayer
//! perceptron of smooth activations, as used by the neural energy-based models of Du and
//! Mordatch 2019 (NeurIPS, "Implicit generation and modeling with energy based models") and
//! Song and Ermon 2019 (NeurIPS, score networks).
//!
//! Layers: a_k = h_{k-1} W_k + b_k, h_k = sigma(a_k) for k = 1..L, h_0 = x, and
//! f(x) = h_L W_out + b_out. The confinement c >= 0 makes exp(-E) integrable when c > 0.
//!
//! Burn 0.22 differentiates only to first order, so the input gradient is written out as
//! tensor operations (backpropagation by hand):
//!
//! delta_L = W_out^T,  g_k = delta_k * sigma'(a_k),  delta_{k-1} = g_k W_k^T,
//! grad_x E = delta_0 + c x.
//!
//! Because these are ordinary tensor operations, autodiff differentiates grad_x E with respect to
//! theta, which the score-matching losses need. The Hessian-vector product H v is the
//! directional derivative of the same recursion along v (the R-operator of Pearlmutter 1994,
//! Neural Computation 6:147):
//!
//! a'_k = h'_{k-1} W_k, h'_k = sigma'(a_k) a'_k, h'_0 = v,
//! g'_k = delta'_k sigma'(a_k) + delta_k sigma''(a_k) a'_k, delta'_{k-1} = g'_k W_k^T,
//! H v = delta'_0 + c v.
//!
//! Spectral normalisation (Miyato et al. 2018, ICLR) divides each weight matrix by its largest
//! singular value, estimated by power iteration. The singular vectors are treated as constants,
//! so gradients flow through sigma = u^T W v only, as in that paper.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::activation::{sigmoid, softplus};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::continuous::energy::Energy;
use crate::continuous::error::{ContinuousResult, check_nonzero, invalid};

/// Smooth activation of the hidden layers; all three have continuous second derivatives, which
/// the sliced score-matching loss and the Hessian need.
#[derive(Config, Debug, PartialEq, Eq, Copy)]
pub enum Activation {
    /// softplus(a) = ln(1 + e^a).
    Softplus,
    /// tanh(a).
    Tanh,
    /// SiLU (Swish with beta = 1): a sigmoid(a).
    Silu,
}

impl Activation {
    /// Returns sigma(a), sigma'(a) and sigma''(a).
    fn evaluate(self, a: Tensor<2>) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        match self {
            Activation::Softplus => {
                let s = sigmoid(a.clone());
                let curvature = s.clone().mul(s.clone().neg().add_scalar(1.0));
                (softplus(a, 1.0), s, curvature)
            }
            Activation::Tanh => {
                let t = a.tanh();
                let slope = t.clone().square().neg().add_scalar(1.0);
                let curvature = t.clone().mul(slope.clone()).mul_scalar(-2.0);
                (t, slope, curvature)
            }
            Activation::Silu => {
                let s = sigmoid(a.clone());
                let s_slope = s.clone().mul(s.clone().neg().add_scalar(1.0)); // s (1 - s)
                let value = a.clone().mul(s.clone());
                let slope = s.clone().add(a.clone().mul(s_slope.clone()));
                // d2/da2 [a s] = s (1 - s) (2 + a (1 - 2 s))
                let curvature =
                    s_slope.mul(a.mul(s.mul_scalar(-2.0).add_scalar(1.0)).add_scalar(2.0));
                (value, slope, curvature)
            }
        }
    }
}

/// Configuration of an [`EnergyNet`], built with [`EnergyNetConfig::init`].
#[derive(Config, Debug)]
pub struct EnergyNetConfig {
    /// Input dimension d, at least 1.
    pub input_dim: usize,
    /// Units per hidden layer, at least 1. Default 64.
    #[config(default = 64)]
    pub width: usize,
    /// Number of hidden layers L, at least 1. Default 2.
    #[config(default = 2)]
    pub depth: usize,
    /// Hidden activation. Default softplus.
    #[config(default = "Activation::Softplus")]
    pub activation: Activation,
    /// Whether every weight matrix is spectrally normalised. Default false.
    #[config(default = false)]
    pub spectral_norm: bool,
    /// Power iterations per forward pass for the spectral norm, at least 1. Default 5.
    #[config(default = 5)]
    pub power_iterations: usize,
    /// Confinement c >= 0 of the quadratic term (c / 2) |x|^2. Default 0.
    #[config(default = 0.0)]
    pub confinement: f64,
    /// Seed of the weight initialisation. Default 0.
    #[config(default = 0)]
    pub seed: u64,
}

impl EnergyNetConfig {
    /// Builds the network on `device` with weights drawn from U(-k, k), k = 1 / sqrt(fan_in), and
    /// biases from the same range, using a ChaCha8 stream seeded by `seed` (the same seed gives
    /// the same weights on every backend).
    ///
    /// For training, pass an autodiff device (`device.autodiff()`).
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`](crate::continuous::ContinuousError::InvalidSetting)
    /// for a zero input dimension, width, depth or power-iteration count, or a negative or
    /// non-finite confinement.
    pub fn init(&self, device: &Device) -> ContinuousResult<EnergyNet> {
        check_nonzero("input_dim", self.input_dim)?;
        check_nonzero("width", self.width)?;
        check_nonzero("depth", self.depth)?;
        check_nonzero("power_iterations", self.power_iterations)?;
        if !(self.confinement.is_finite() && self.confinement >= 0.0) {
            return Err(invalid(
                "confinement",
                self.confinement,
                "a finite value >= 0",
            ));
        }

        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut sizes = vec![self.input_dim];
        sizes.extend(std::iter::repeat_n(self.width, self.depth));
        sizes.push(1);
        let mut weights = Vec::with_capacity(self.depth + 1);
        let mut biases = Vec::with_capacity(self.depth + 1);
        for pair in sizes.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let bound = 1.0 / (fan_in as f64).sqrt();
            let mut uniform = |count: usize| -> Vec<f32> {
                (0..count)
                    .map(|_| ((rng.random::<f64>() * 2.0 - 1.0) * bound) as f32)
                    .collect()
            };
            let weight = Tensor::<2>::from_data(
                TensorData::new(uniform(fan_in * fan_out), [fan_in, fan_out]),
                device,
            );
            let bias = Tensor::<1>::from_data(TensorData::new(uniform(fan_out), [fan_out]), device);
            weights.push(Param::from_tensor(weight));
            biases.push(Param::from_tensor(bias));
        }

        Ok(EnergyNet {
            weights,
            biases,
            activation: self.activation,
            spectral_norm: self.spectral_norm,
            power_iterations: self.power_iterations,
            confinement: self.confinement,
            input_dim: self.input_dim,
        })
    }
}

/// Multilayer-perceptron energy with a hand-written input gradient, see [`EnergyNetConfig`].
#[derive(Module, Debug)]
pub struct EnergyNet {
    /// Weight matrices `[fan_in, fan_out]`, hidden layers first, the `[width, 1]` output last.
    weights: Vec<Param<Tensor<2>>>,
    /// Biases, one per weight matrix.
    biases: Vec<Param<Tensor<1>>>,
    #[module(skip)]
    activation: Activation,
    spectral_norm: bool,
    power_iterations: usize,
    confinement: f64,
    input_dim: usize,
}

/// Pre-activations and activation derivatives of one forward pass.
struct Pass {
    weights: Vec<Tensor<2>>,
    slopes: Vec<Tensor<2>>,
    curvatures: Vec<Tensor<2>>,
    output: Tensor<2>,
}

impl EnergyNet {
    /// Input dimension d.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// Returns the weight matrices used by the forward pass, spectrally normalised when enabled.
    fn effective_weights(&self) -> Vec<Tensor<2>> {
        self.weights
            .iter()
            .map(|weight| {
                let weight = weight.val();
                if self.spectral_norm {
                    self.normalise(weight)
                } else {
                    weight
                }
            })
            .collect()
    }

    /// Divides `weight` by its largest singular value sigma = u^T W v, with u and v from power
    /// iteration on the detached weight started at a constant vector.
    fn normalise(&self, weight: Tensor<2>) -> Tensor<2> {
        let [fan_in, fan_out] = weight.dims();
        let device = weight.device();
        let fixed = weight.clone().detach();
        let mut v = Tensor::<2>::ones([fan_out, 1], &device).div_scalar((fan_out as f64).sqrt());
        let mut u = Tensor::<2>::ones([fan_in, 1], &device).div_scalar((fan_in as f64).sqrt());
        for _ in 0..self.power_iterations {
            u = unit(fixed.clone().matmul(v));
            v = unit(fixed.clone().transpose().matmul(u.clone()));
        }
        let sigma = u
            .transpose()
            .matmul(weight.clone())
            .matmul(v)
            .add_scalar(1e-12); // [1, 1]
        weight.div(sigma)
    }

    fn forward_pass(&self, x: Tensor<2>) -> Pass {
        let weights = self.effective_weights();
        let depth = weights.len() - 1;
        let mut hidden = x;
        let mut slopes = Vec::with_capacity(depth);
        let mut curvatures = Vec::with_capacity(depth);
        for (weight, bias) in weights.iter().zip(&self.biases).take(depth) {
            let pre_activation = hidden
                .matmul(weight.clone())
                .add(bias.val().unsqueeze::<2>());
            let (value, slope, curvature) = self.activation.evaluate(pre_activation);
            hidden = value;
            slopes.push(slope);
            curvatures.push(curvature);
        }
        let output = hidden
            .matmul(weights[depth].clone())
            .add(self.biases[depth].val().unsqueeze::<2>()); // [batch, 1]
        Pass {
            weights,
            slopes,
            curvatures,
            output,
        }
    }

    fn confinement_energy(&self, x: Tensor<2>) -> Tensor<1> {
        x.square()
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .mul_scalar(0.5 * self.confinement)
    }

    /// Backpropagates from the output to the input: returns delta_0 and the per-layer delta_k.
    fn backward_deltas(pass: &Pass) -> Vec<Tensor<2>> {
        let depth = pass.slopes.len();
        let mut delta = pass.weights[depth].clone().transpose(); // [1, width]
        let mut deltas = vec![delta.clone()];
        for k in (0..depth).rev() {
            let g = delta.mul(pass.slopes[k].clone());
            delta = g.matmul(pass.weights[k].clone().transpose());
            deltas.push(delta.clone());
        }
        deltas.reverse(); // deltas[k] = dE/dh_k, k = 0..=depth
        deltas
    }
}

impl Energy for EnergyNet {
    fn dim(&self) -> usize {
        self.input_dim
    }

    fn energy(&self, x: Tensor<2>) -> Tensor<1> {
        let pass = self.forward_pass(x.clone());
        pass.output
            .squeeze_dim::<1>(1)
            .add(self.confinement_energy(x))
    }

    fn grad(&self, x: Tensor<2>) -> Tensor<2> {
        self.energy_and_grad(x).1
    }

    fn energy_and_grad(&self, x: Tensor<2>) -> (Tensor<1>, Tensor<2>) {
        let pass = self.forward_pass(x.clone());
        let deltas = Self::backward_deltas(&pass);
        let energy = pass
            .output
            .squeeze_dim::<1>(1)
            .add(self.confinement_energy(x.clone()));
        let grad = deltas[0].clone().add(x.mul_scalar(self.confinement));
        (energy, grad)
    }

    fn hvp(&self, x: Tensor<2>, v: Tensor<2>) -> Tensor<2> {
        let pass = self.forward_pass(x);
        let deltas = Self::backward_deltas(&pass);
        let depth = pass.slopes.len();

        // Forward tangents a'_k along v.
        let mut tangent = v.clone();
        let mut pre_tangents = Vec::with_capacity(depth);
        for k in 0..depth {
            let pre_tangent = tangent.matmul(pass.weights[k].clone());
            tangent = pre_tangent.clone().mul(pass.slopes[k].clone());
            pre_tangents.push(pre_tangent);
        }

        // Backward tangents delta'_k; delta'_L = 0 because W_out does not depend on x.
        let mut delta_tangent: Option<Tensor<2>> = None;
        for k in (0..depth).rev() {
            let curvature_term = deltas[k + 1]
                .clone()
                .mul(pass.curvatures[k].clone())
                .mul(pre_tangents[k].clone());
            let g_tangent = match delta_tangent {
                Some(previous) => previous.mul(pass.slopes[k].clone()).add(curvature_term),
                None => curvature_term,
            };
            delta_tangent = Some(g_tangent.matmul(pass.weights[k].clone().transpose()));
        }
        let delta_tangent = delta_tangent.expect("depth >= 1 is checked by EnergyNetConfig::init");
        delta_tangent.add(v.mul_scalar(self.confinement))
    }
}

/// Scales a column vector to unit length.
fn unit(vector: Tensor<2>) -> Tensor<2> {
    let norm = vector
        .clone()
        .square()
        .sum()
        .sqrt()
        .add_scalar(1e-12)
        .unsqueeze::<2>(); // [1, 1]
    vector.div(norm)
}
