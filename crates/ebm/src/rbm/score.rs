//! Per-sample scores of an [`Rbm`] on a Burn device: free energy, hidden features,
//! pseudo-likelihood and, given log Z, the log-likelihood.
//!
//! The pseudo-likelihood of Besag 1975 (The Statistician 24:179) is
//! PL(v) = sum_i log p(v_i | v_-i). For Bernoulli visible units
//! p(v_i | v_-i) = sigmoid(F(v^(i)) - F(v)), where v^(i) is v with unit i flipped
//! (v_i -> 1 - v_i) and F is the free energy. For probabilities in (0, 1) rather than binary
//! data the same formula is evaluated, as scikit-learn does. It is then a score, not the
//! log of a probability.

use burn::tensor::Device;
use burn::tensor::Tensor;
use burn::tensor::activation::{log_sigmoid, softplus};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::rbm::error::{RbmError, Result};
use crate::rbm::model::{Rbm, download, upload};

impl Rbm {
    /// Computes the free energy F(v) = -log sum_h exp(-E(v, h)) of each row of `data`.
    ///
    /// # Shapes
    /// - `data`: N x V row-major; returns N values.
    ///
    /// # Errors
    /// The data errors of [`Rbm::validate_data`] and [`RbmError::Backend`].
    pub fn free_energy(&self, data: &[f32], device: &Device) -> Result<Vec<f32>> {
        let rows = self.validate_data(data)?;
        let params = self.to_device(device);
        let visible = upload(data.to_vec(), [rows, self.n_visible()], device);
        download(params.free_energy(visible))
    }

    /// Computes the hidden probabilities p(h_j = 1 | v), the features an RBM passes on to a
    /// classifier.
    ///
    /// # Shapes
    /// - `data`: N x V row-major; returns N x H row-major.
    ///
    /// # Errors
    /// The data errors of [`Rbm::validate_data`] and [`RbmError::Backend`].
    pub fn hidden_probabilities(&self, data: &[f32], device: &Device) -> Result<Vec<f32>> {
        let rows = self.validate_data(data)?;
        let params = self.to_device(device);
        let visible = upload(data.to_vec(), [rows, self.n_visible()], device);
        download(params.hidden_probabilities(visible))
    }

    /// Computes the exact pseudo-log-likelihood sum_i log p(v_i | v_-i) of each row, summing
    /// over every visible unit.
    ///
    /// # Shapes
    /// - `data`: N x V row-major, values in [0, 1]; returns N values.
    ///
    /// # Errors
    /// [`RbmError::RequiresBernoulli`], the data errors of [`Rbm::validate_data`] and
    /// [`RbmError::Backend`].
    pub fn pseudo_log_likelihood(&self, data: &[f32], device: &Device) -> Result<Vec<f32>> {
        self.require_bernoulli("the pseudo-likelihood")?;
        let rows = self.validate_data(data)?;
        let (v, h) = (self.n_visible(), self.n_hidden());
        let params = self.to_device(device);
        let visible = upload(data.to_vec(), [rows, v], device);
        let hidden_input = params.hidden_input(visible.clone());
        let softplus_input = softplus(hidden_input.clone(), 1.0);

        let mut total = Tensor::<2>::zeros([rows, 1], device);
        for i in 0..v {
            // Flipping unit i adds d W_i. to the hidden input and d b_i to b . v.
            let flip = visible
                .clone()
                .slice([0..rows, i..i + 1])
                .mul_scalar(-2.0)
                .add_scalar(1.0); // [N, 1]
            let weight_row = params.weights.clone().slice([i..i + 1, 0..h]); // [1, H]
            let bias = params.visible_bias.clone().slice([0..1, i..i + 1]); // [1, 1]
            let flipped_input = hidden_input.clone().add(flip.clone().mul(weight_row));
            let hidden_change = softplus(flipped_input, 1.0)
                .sub(softplus_input.clone())
                .sum_dim(1);
            let free_energy_change = flip.mul(bias).add(hidden_change).neg(); // F(v^(i)) - F(v)
            total = total.add(log_sigmoid(free_energy_change));
        }
        download(total)
    }

    /// Computes scikit-learn's stochastic pseudo-likelihood (BernoulliRBM.score_samples): for
    /// each row one unit i is drawn uniformly and V log sigmoid(F(v^(i)) - F(v)) is returned,
    /// an unbiased estimate of the exact sum over units.
    ///
    /// # Shapes
    /// - `data`: N x V row-major, values in [0, 1]; returns N values.
    ///
    /// # Errors
    /// [`RbmError::RequiresBernoulli`], the data errors of [`Rbm::validate_data`] and
    /// [`RbmError::Backend`].
    pub fn pseudo_log_likelihood_stochastic(
        &self,
        data: &[f32],
        seed: u64,
        device: &Device,
    ) -> Result<Vec<f32>> {
        self.require_bernoulli("the pseudo-likelihood")?;
        let rows = self.validate_data(data)?;
        let v = self.n_visible();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut flipped = data.to_vec();
        for row in flipped.chunks_exact_mut(v) {
            let unit = rng.random_range(0..v);
            row[unit] = 1.0 - row[unit];
        }

        let params = self.to_device(device);
        let original = params.free_energy(upload(data.to_vec(), [rows, v], device));
        let corrupted = params.free_energy(upload(flipped, [rows, v], device));
        download(log_sigmoid(corrupted.sub(original)).mul_scalar(v as f64))
    }

    /// Computes the mean log-likelihood (1/N) sum_n log p(v_n) = -mean F(v_n) - log Z, in
    /// nats per sample, given log Z from [`Rbm::log_partition_ais`]. For Gaussian units it
    /// is a log density.
    ///
    /// # Errors
    /// The data errors of [`Rbm::validate_data`], [`RbmError::Backend`], and
    /// [`RbmError::NonFiniteParameter`] for a non-finite `log_partition`.
    pub fn mean_log_likelihood(
        &self,
        data: &[f32],
        log_partition: f64,
        device: &Device,
    ) -> Result<f64> {
        if !log_partition.is_finite() {
            return Err(RbmError::NonFiniteParameter {
                name: "log_partition",
                index: 0,
                value: log_partition,
            });
        }
        let free_energy = self.free_energy(data, device)?;
        let mean =
            free_energy.iter().map(|&f| f64::from(f)).sum::<f64>() / free_energy.len() as f64;
        Ok(-mean - log_partition)
    }

    pub(crate) fn require_bernoulli(&self, operation: &'static str) -> Result<()> {
        if self.visible_units().is_bernoulli() {
            Ok(())
        } else {
            Err(RbmError::RequiresBernoulli { operation })
        }
    }
}
