//! Restricted Boltzmann machines on Burn tensors.
//!
//! An RBM couples V visible units v to H hidden units h through weights W (V x H), with
//! visible biases b and hidden biases c, and defines p(v, h) = exp(-E(v, h)) / Z.
//!
//! - Bernoulli-Bernoulli (Hinton 2002, Neural Computation 14:1771; Hinton 2010, "A practical
//!   guide to training restricted Boltzmann machines", UTML TR 2010-003, eq. 1):
//!   E(v, h) = -b . v - c . h - v^T W h, with v in {0, 1}^V and h in {0, 1}^H.
//!   Free energy F(v) = -b . v - sum_j softplus(c_j + v^T W_.j).
//! - Gaussian-Bernoulli with fixed standard deviations sigma_i (Hinton 2010, section 13.2;
//!   Cho, Ilin and Raiko 2011, ICANN, eq. 1 with sigma fixed; Krizhevsky 2009, "Learning
//!   multiple layers of features from tiny images", section 1.4):
//!   E(v, h) = sum_i (v_i - b_i)^2 / (2 sigma_i^2) - c . h - sum_ij (v_i / sigma_i) W_ij h_j.
//!   Free energy F(v) = sum_i (v_i - b_i)^2 / (2 sigma_i^2) - sum_j softplus(c_j + sum_i
//!   (v_i / sigma_i) W_ij).
//!
//! The conditionals factorise: p(h_j = 1 | v) = sigmoid(c_j + sum_i (v_i / sigma_i) W_ij),
//! p(v_i = 1 | h) = sigmoid(b_i + W_i. h) for Bernoulli units and
//! p(v_i | h) = N(b_i + sigma_i W_i. h, sigma_i^2) for Gaussian units (sigma_i = 1 in the
//! Bernoulli formulas).
//!
//! - [`Rbm`]: parameters, built by [`Rbm::new`] from an [`RbmConfig`] or from given values.
//! - [`Rbm::fit`] and [`RbmTrainer`]: CD-k and persistent CD-k ([`TrainConfig`]) on a Burn
//!   device or on the host ([`Engine`]).
//! - [`Rbm::sample_gibbs`]: block Gibbs sampling.
//! - [`Rbm::free_energy`], [`Rbm::hidden_probabilities`], [`Rbm::pseudo_log_likelihood`]
//!   (exact sum over units), [`Rbm::pseudo_log_likelihood_stochastic`] (scikit-learn's one
//!   random unit per sample) and [`Rbm::mean_log_likelihood`].
//! - [`Rbm::log_partition_ais`]: log Z by annealed importance sampling ([`AisConfig`],
//!   [`AisEstimate`]).
//!
//! Data are row-major samples x V slices of `f32`. Every stochastic routine takes a seed and
//! draws its random numbers on the host (see `random`), so one seed gives the same numbers
//! on every run on a CPU.

mod ais;
mod config;
mod error;
mod host;
mod model;
mod random;
mod sampling;
mod score;
mod train;

pub use ais::AisEstimate;
pub use config::{AisConfig, MAX_WEIGHTS, RbmConfig, Sigma, TrainConfig, VisibleUnits};
pub use error::{RbmError, Result};
pub use model::Rbm;
pub use train::{Engine, RbmTrainer};
