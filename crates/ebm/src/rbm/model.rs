//! The [`Rbm`] parameter set with its validation, and the device-side copy that the tensor
//! routines share. That copy computes the conditional distributions, samples and free
//! energies of Hinton 2010 ("A practical guide to training restricted Boltzmann machines",
//! UTML TR 2010-003) for Bernoulli units and of Cho, Ilin and Raiko 2011 (ICANN) for
//! Gaussian visible units.

use burn::tensor::activation::{sigmoid, softplus};
use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::rbm::config::{RbmConfig, Sigma, VisibleUnits, check_parameter};
use crate::rbm::error::{RbmError, Result};
use crate::rbm::random::{normals, uniforms};

/// A restricted Boltzmann machine: V visible and H hidden units, weights W (V x H, row-major),
/// visible biases b and hidden biases c, all f32.
/// It serialises but does not deserialise, so that every instance passes through
/// [`Rbm::new`] or [`Rbm::from_parameters`] and their checks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rbm {
    visible: VisibleUnits,
    n_visible: usize,
    n_hidden: usize,
    weights: Vec<f32>,
    visible_bias: Vec<f32>,
    hidden_bias: Vec<f32>,
}

impl Rbm {
    /// Creates an RBM with weights W_ij ~ N(0, init_std^2) drawn from `config.seed` and zero
    /// biases.
    ///
    /// # Errors
    /// Those of [`RbmConfig::validate`].
    pub fn new(config: &RbmConfig) -> Result<Self> {
        config.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let weights = normals(&mut rng, config.n_visible * config.n_hidden)
            .into_iter()
            .map(|z| (f64::from(z) * config.init_std) as f32)
            .collect();
        Ok(Self {
            visible: config.visible.clone(),
            n_visible: config.n_visible,
            n_hidden: config.n_hidden,
            weights,
            visible_bias: vec![0.0; config.n_visible],
            hidden_bias: vec![0.0; config.n_hidden],
        })
    }

    /// Creates an RBM from given parameters.
    ///
    /// # Shapes
    /// - `weights`: V x H row-major, W_ij at `i * H + j`.
    /// - `visible_bias`: V values; `hidden_bias`: H values.
    ///
    /// # Errors
    /// [`RbmError::ZeroUnits`], sigma errors for Gaussian units,
    /// [`RbmError::ParameterLengthMismatch`] and [`RbmError::NonFiniteParameter`].
    pub fn from_parameters(
        visible: VisibleUnits,
        n_visible: usize,
        n_hidden: usize,
        weights: Vec<f32>,
        visible_bias: Vec<f32>,
        hidden_bias: Vec<f32>,
    ) -> Result<Self> {
        let config = RbmConfig {
            n_visible,
            n_hidden,
            visible,
            ..RbmConfig::default()
        };
        config.validate()?;
        check_parameter("weights", &weights, n_visible * n_hidden)?;
        check_parameter("visible_bias", &visible_bias, n_visible)?;
        check_parameter("hidden_bias", &hidden_bias, n_hidden)?;
        Ok(Self {
            visible: config.visible,
            n_visible,
            n_hidden,
            weights,
            visible_bias,
            hidden_bias,
        })
    }

    /// Visible unit type.
    pub fn visible_units(&self) -> &VisibleUnits {
        &self.visible
    }

    /// Number of visible units V.
    pub fn n_visible(&self) -> usize {
        self.n_visible
    }

    /// Number of hidden units H.
    pub fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    /// Weights W, V x H row-major.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Visible biases b.
    pub fn visible_bias(&self) -> &[f32] {
        &self.visible_bias
    }

    /// Hidden biases c.
    pub fn hidden_bias(&self) -> &[f32] {
        &self.hidden_bias
    }

    /// Standard deviation sigma_i of each visible unit; 1 for every Bernoulli unit, where the
    /// energy has no sigma.
    pub fn sigma(&self) -> Vec<f32> {
        match &self.visible {
            VisibleUnits::Gaussian(Sigma::PerUnit(sigma)) => sigma.clone(),
            _ => vec![1.0; self.n_visible],
        }
    }

    /// Checks a row-major samples x V data buffer and returns the number of samples.
    ///
    /// # Errors
    /// [`RbmError::EmptyData`], [`RbmError::DataLengthMismatch`], [`RbmError::NonFiniteData`]
    /// and, for Bernoulli units, [`RbmError::OutOfRangeData`].
    pub fn validate_data(&self, data: &[f32]) -> Result<usize> {
        let n_visible = self.n_visible;
        if data.is_empty() {
            return Err(RbmError::EmptyData { n_visible });
        }
        if data.len() % n_visible != 0 {
            return Err(RbmError::DataLengthMismatch {
                len: data.len(),
                n_visible,
            });
        }
        let bernoulli = self.visible.is_bernoulli();
        for (position, &value) in data.iter().enumerate() {
            let (sample, unit) = (position / n_visible, position % n_visible);
            if !value.is_finite() {
                return Err(RbmError::NonFiniteData {
                    sample,
                    unit,
                    value: f64::from(value),
                });
            }
            if bernoulli && !(0.0..=1.0).contains(&value) {
                return Err(RbmError::OutOfRangeData {
                    sample,
                    unit,
                    value: f64::from(value),
                });
            }
        }
        Ok(data.len() / n_visible)
    }

    pub(crate) fn set_parameters(
        &mut self,
        weights: Vec<f32>,
        visible_bias: Vec<f32>,
        hidden_bias: Vec<f32>,
    ) {
        self.weights = weights;
        self.visible_bias = visible_bias;
        self.hidden_bias = hidden_bias;
    }

    /// Returns whether every parameter is finite.
    pub(crate) fn is_finite(&self) -> bool {
        self.weights
            .iter()
            .chain(&self.visible_bias)
            .chain(&self.hidden_bias)
            .all(|v| v.is_finite())
    }

    /// Uploads the parameters to `device`.
    pub(crate) fn to_device(&self, device: &Device) -> DeviceRbm {
        let (v, h) = (self.n_visible, self.n_hidden);
        let sigma = match &self.visible {
            VisibleUnits::Bernoulli => None,
            VisibleUnits::Gaussian(_) => Some(upload(self.sigma(), [1, v], device)),
        };
        DeviceRbm {
            weights: upload(self.weights.clone(), [v, h], device),
            visible_bias: upload(self.visible_bias.clone(), [1, v], device),
            hidden_bias: upload(self.hidden_bias.clone(), [1, h], device),
            sigma,
            device: device.clone(),
        }
    }
}

/// The parameters of an [`Rbm`] on a Burn device, with the conditionals every routine shares.
#[derive(Clone)]
pub(crate) struct DeviceRbm {
    pub weights: Tensor<2>,
    pub visible_bias: Tensor<2>,
    pub hidden_bias: Tensor<2>,
    /// sigma as [1, V] for Gaussian units, None for Bernoulli units.
    pub sigma: Option<Tensor<2>>,
    pub device: Device,
}

impl DeviceRbm {
    /// Returns v / sigma for Gaussian units and v for Bernoulli units.
    pub fn scaled_visible(&self, visible: Tensor<2>) -> Tensor<2> {
        match &self.sigma {
            Some(sigma) => visible.div(sigma.clone()),
            None => visible,
        }
    }

    /// Hidden inputs c_j + sum_i (v_i / sigma_i) W_ij, [N, H].
    pub fn hidden_input(&self, visible: Tensor<2>) -> Tensor<2> {
        self.scaled_visible(visible)
            .matmul(self.weights.clone())
            .add(self.hidden_bias.clone())
    }

    /// p(h_j = 1 | v), [N, H].
    pub fn hidden_probabilities(&self, visible: Tensor<2>) -> Tensor<2> {
        sigmoid(self.hidden_input(visible))
    }

    /// E[v | h]: sigmoid(b + W h) for Bernoulli units, b + sigma W h for Gaussian units, [N, V].
    pub fn visible_mean(&self, hidden: Tensor<2>) -> Tensor<2> {
        let top_down = hidden.matmul(self.weights.clone().transpose());
        match &self.sigma {
            Some(sigma) => top_down.mul(sigma.clone()).add(self.visible_bias.clone()),
            None => sigmoid(top_down.add(self.visible_bias.clone())),
        }
    }

    /// Draws v ~ p(v | h) with host random numbers from `rng`.
    pub fn sample_visible(&self, hidden: Tensor<2>, rng: &mut ChaCha8Rng) -> Tensor<2> {
        let [rows, _] = hidden.dims();
        let n_visible = self.visible_bias.dims()[1];
        let mean = self.visible_mean(hidden);
        match &self.sigma {
            Some(sigma) => {
                let noise = upload(
                    normals(rng, rows * n_visible),
                    [rows, n_visible],
                    &self.device,
                );
                mean.add(noise.mul(sigma.clone()))
            }
            None => self.bernoulli_sample(mean, rng),
        }
    }

    /// Draws 1 where a uniform number falls below the probability, else 0.
    pub fn bernoulli_sample(&self, probabilities: Tensor<2>, rng: &mut ChaCha8Rng) -> Tensor<2> {
        let [rows, cols] = probabilities.dims();
        let noise = upload(uniforms(rng, rows * cols), [rows, cols], &self.device);
        noise.lower(probabilities).float()
    }

    /// Free energy F(v) = -log sum_h exp(-E(v, h)) of each row, [N, 1]:
    /// -b . v - sum_j softplus(x_j) for Bernoulli units and
    /// sum_i (v_i - b_i)^2 / (2 sigma_i^2) - sum_j softplus(x_j) for Gaussian units, with
    /// x the hidden input.
    pub fn free_energy(&self, visible: Tensor<2>) -> Tensor<2> {
        let hidden_term = softplus(self.hidden_input(visible.clone()), 1.0).sum_dim(1);
        let visible_term = match &self.sigma {
            Some(sigma) => {
                let centred = visible.sub(self.visible_bias.clone()).div(sigma.clone());
                centred.square().sum_dim(1).mul_scalar(0.5)
            }
            None => visible.mul(self.visible_bias.clone()).sum_dim(1).neg(),
        };
        visible_term.sub(hidden_term)
    }
}

/// Uploads host values as a tensor of the given shape.
pub(crate) fn upload(values: Vec<f32>, shape: [usize; 2], device: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(values, shape), device)
}

/// Reads a float tensor back as a flat f32 vector.
pub(crate) fn download<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    let data = tensor.try_into_data().map_err(|error| RbmError::Backend {
        reason: error.to_string(),
    })?;
    data.try_into_vec_as::<f32>()
        .map_err(|error| RbmError::Backend {
            reason: error.to_string(),
        })
}
