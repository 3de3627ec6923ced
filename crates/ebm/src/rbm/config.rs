//! Settings of RBM construction ([`RbmConfig`]), training ([`TrainConfig`]) and annealed
//! importance sampling ([`AisConfig`]), each with documented defaults and a `validate` method
//! that returns one [`RbmError`] variant per bad value.

use serde::{Deserialize, Serialize};

use crate::rbm::error::{RbmError, Result};

/// Largest number of weights n_visible * n_hidden an RBM may have: 2^28, which is 1 GiB of
/// f32 values per copy of the weight matrix (training keeps several copies).
pub const MAX_WEIGHTS: usize = 1 << 28;

/// Standard deviations of Gaussian visible units. They are fixed during training.
// NOTE: learning sigma (Cho et al. 2011 learn log sigma^2) is not implemented. Hinton's guide
// instead standardises each unit to zero mean and unit variance and keeps sigma = 1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sigma {
    /// sigma_i = 1 for every unit, for data standardised to unit variance.
    #[default]
    Unit,
    /// One fixed sigma_i > 0 per visible unit.
    PerUnit(Vec<f32>),
}

/// Distribution of the visible units given the hidden ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisibleUnits {
    /// Binary units, p(v_i = 1 | h) = sigmoid(b_i + W_i. h). Data may also be probabilities
    /// in [0, 1].
    #[default]
    Bernoulli,
    /// Real-valued units, p(v_i | h) = N(b_i + sigma_i W_i. h, sigma_i^2).
    Gaussian(Sigma),
}

impl VisibleUnits {
    /// Returns whether the visible units are Bernoulli.
    pub fn is_bernoulli(&self) -> bool {
        matches!(self, VisibleUnits::Bernoulli)
    }
}

/// Architecture and initialisation of an RBM, see [`crate::rbm::Rbm::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RbmConfig {
    /// Number of visible units. Default 0, which must be set.
    pub n_visible: usize,
    /// Number of hidden units. Default 100.
    pub n_hidden: usize,
    /// Visible unit type. Default Bernoulli.
    pub visible: VisibleUnits,
    /// Standard deviation of the initial weights W_ij ~ N(0, init_std^2); biases start at 0.
    /// Default 0.01 (Hinton 2010, section 8; also scikit-learn's BernoulliRBM).
    pub init_std: f64,
    /// Seed of the initial weights. Default 0.
    pub seed: u64,
}

impl Default for RbmConfig {
    fn default() -> Self {
        Self {
            n_visible: 0,
            n_hidden: 100,
            visible: VisibleUnits::Bernoulli,
            init_std: 0.01,
            seed: 0,
        }
    }
}

impl RbmConfig {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`RbmError::ZeroUnits`], [`RbmError::TooManyWeights`] above [`MAX_WEIGHTS`],
    /// [`RbmError::InvalidSigma`], [`RbmError::SigmaLengthMismatch`] and
    /// [`RbmError::InvalidSetting`] for `init_std`.
    pub fn validate(&self) -> Result<()> {
        if self.n_visible == 0 {
            return Err(RbmError::ZeroUnits { layer: "visible" });
        }
        if self.n_hidden == 0 {
            return Err(RbmError::ZeroUnits { layer: "hidden" });
        }
        let weights = self.n_visible as u128 * self.n_hidden as u128;
        if weights > MAX_WEIGHTS as u128 {
            return Err(RbmError::TooManyWeights {
                n_visible: self.n_visible,
                n_hidden: self.n_hidden,
                weights,
                max: MAX_WEIGHTS,
            });
        }
        validate_visible_units(&self.visible, self.n_visible)?;
        if !(self.init_std.is_finite() && self.init_std >= 0.0) {
            return Err(invalid(
                "init_std",
                self.init_std,
                "must be finite and >= 0",
            ));
        }
        Ok(())
    }
}

/// Checks the sigma values of Gaussian visible units.
pub(crate) fn validate_visible_units(visible: &VisibleUnits, n_visible: usize) -> Result<()> {
    if let VisibleUnits::Gaussian(Sigma::PerUnit(sigma)) = visible {
        if sigma.len() != n_visible {
            return Err(RbmError::SigmaLengthMismatch {
                len: sigma.len(),
                n_visible,
            });
        }
        if let Some(unit) = sigma.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(RbmError::InvalidSigma {
                unit,
                value: f64::from(sigma[unit]),
            });
        }
    }
    Ok(())
}

/// Settings of contrastive-divergence training, see [`crate::rbm::Rbm::fit`].
///
/// Each mini-batch applies, for every parameter theta,
/// delta <- momentum * delta + learning_rate * (gradient - weight_decay * theta) and
/// theta <- theta + delta (Hinton 2010, sections 9 and 10), where weight decay applies to the
/// weights only and the gradient is the CD-k or PCD-k estimate of d log p(v) / d theta
/// averaged over the batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Step size, finite and > 0. Default 0.1 (scikit-learn's default; use about 0.001 to
    /// 0.01 for Gaussian visible units).
    pub learning_rate: f64,
    /// Passes over the data, at least 1. Default 10.
    pub epochs: usize,
    /// Samples per mini-batch, at least 1 and at most the number of training samples.
    /// Default 10 (Hinton 2010, section 4). The last batch of an epoch contains the remainder.
    pub batch_size: usize,
    /// Gibbs steps k of CD-k or PCD-k, at least 1. Default 1.
    pub gibbs_steps: usize,
    /// Persistent contrastive divergence (Tieleman 2008): the negative phase continues
    /// `batch_size` Markov chains across updates instead of restarting at the data, as
    /// scikit-learn's BernoulliRBM does. Default false (CD-k of Hinton 2002).
    pub persistent: bool,
    /// Momentum in [0, 1). Default 0.5 (Hinton 2010 starts at 0.5).
    pub momentum: f64,
    /// L2 weight decay on W, finite and >= 0. Default 1e-4 (Hinton 2010, section 10).
    pub weight_decay: f64,
    /// Seed of the batch order and of the Gibbs samples. Default 0.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            learning_rate: 0.1,
            epochs: 10,
            batch_size: 10,
            gibbs_steps: 1,
            persistent: false,
            momentum: 0.5,
            weight_decay: 1e-4,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`RbmError::InvalidSetting`] naming the first bad setting.
    pub fn validate(&self) -> Result<()> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(invalid(
                "learning_rate",
                self.learning_rate,
                "must be finite and > 0",
            ));
        }
        if self.epochs == 0 {
            return Err(invalid("epochs", 0, "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(invalid("batch_size", 0, "must be at least 1"));
        }
        if self.gibbs_steps == 0 {
            return Err(invalid("gibbs_steps", 0, "must be at least 1"));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(invalid("momentum", self.momentum, "must be in [0, 1)"));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(invalid(
                "weight_decay",
                self.weight_decay,
                "must be finite and >= 0",
            ));
        }
        Ok(())
    }
}

/// Settings of annealed importance sampling, see [`crate::rbm::Rbm::log_partition_ais`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AisConfig {
    /// Independent AIS runs M, at least 2 so that a standard error exists. Default 100
    /// (Salakhutdinov and Murray 2008 use 100).
    pub chains: usize,
    /// Number K of inverse temperatures 0 = beta_0 < beta_1 < ... < beta_K = 1, spaced
    /// evenly; at least 1. Default 1000.
    pub temperatures: usize,
    /// Visible biases b_A of the base-rate model p_A(v) = prod_i sigmoid(b_A,i)^v_i
    /// (1 - sigmoid(b_A,i))^(1 - v_i), used for Bernoulli visible units. None takes the
    /// RBM's own visible biases; [`crate::rbm::Rbm::base_rate_bias`] gives the maximum-likelihood
    /// choice of Salakhutdinov and Murray 2008 from training data. Ignored for Gaussian units,
    /// whose base model keeps the RBM's b and sigma. Default None.
    pub base_visible_bias: Option<Vec<f32>>,
    /// Seed of the chains. Default 0.
    pub seed: u64,
}

impl Default for AisConfig {
    fn default() -> Self {
        Self {
            chains: 100,
            temperatures: 1000,
            base_visible_bias: None,
            seed: 0,
        }
    }
}

impl AisConfig {
    /// Checks every setting for an RBM with `n_visible` visible units.
    ///
    /// # Errors
    /// [`RbmError::InvalidSetting`] for `chains` or `temperatures`,
    /// [`RbmError::ParameterLengthMismatch`] and [`RbmError::NonFiniteParameter`] for
    /// `base_visible_bias`.
    pub fn validate(&self, n_visible: usize) -> Result<()> {
        if self.chains < 2 {
            return Err(invalid(
                "chains",
                self.chains,
                "must be at least 2 for a standard error",
            ));
        }
        if self.temperatures == 0 {
            return Err(invalid("temperatures", 0, "must be at least 1"));
        }
        if let Some(bias) = &self.base_visible_bias {
            check_parameter("base_visible_bias", bias, n_visible)?;
        }
        Ok(())
    }
}

/// Checks that a parameter vector has `expected` finite values.
pub(crate) fn check_parameter(name: &'static str, values: &[f32], expected: usize) -> Result<()> {
    if values.len() != expected {
        return Err(RbmError::ParameterLengthMismatch {
            name,
            len: values.len(),
            expected,
        });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(RbmError::NonFiniteParameter {
            name,
            index,
            value: f64::from(values[index]),
        }),
        None => Ok(()),
    }
}

fn invalid(name: &'static str, value: impl ToString, expected: &'static str) -> RbmError {
    RbmError::InvalidSetting {
        name,
        value: value.to_string(),
        expected,
    }
}
