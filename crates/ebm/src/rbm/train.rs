//! Contrastive-divergence training of an [`Rbm`]: CD-k (Hinton 2002, Neural Computation
//! 14:1771) and persistent CD-k (Tieleman 2008, ICML), with mini-batches, momentum and weight
//! decay as in Hinton 2010 (UTML TR 2010-003).
//!
//! For a batch of data rows v+ and negative-phase rows v- the gradient estimates are
//!
//! dW_ij = <v_i h_j / sigma_i>_+ - <v_i h_j / sigma_i>_-,
//! db_i = <v_i>_+ - <v_i>_- (Bernoulli) or <(v_i - b_i) / sigma_i^2>_+ - <...>_- (Gaussian),
//! dc_j = <h_j>_+ - <h_j>_-,
//!
//! where h_j is the probability p(h_j = 1 | v) in both phases, and each average runs over
//! that phase's rows. These are the derivatives of log p(v) with the model expectation
//! replaced by the end points of k Gibbs steps. In CD-k each step chain starts at a hidden
//! sample drawn from the data row; in PCD-k the chains continue from the previous update.
//! The negative phase samples the visible units (binary or Gaussian) and uses hidden
//! probabilities, as scikit-learn's BernoulliRBM does.
//!
//! Two engines run the same algorithm with the same random numbers: [`Engine::Tensor`] on a
//! Burn device, and [`Engine::Host`], plain Rust loops over f32 buffers. At batch size 10
//! on the digits the host engine is about 25 % faster than the tensor engine on the flex
//! backend, because it skips zero inputs and allocates nothing per operation (see
//! docs/benchmarks.md). The tensor engine is the one for a GPU or for large batches. Both give the same parameters up to f32 rounding, and the same seed
//! gives bit-identical results on one machine.

use burn::tensor::{Device, Tensor};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use tracing::debug;

use crate::rbm::config::TrainConfig;
use crate::rbm::error::{RbmError, Result};
use crate::rbm::host::HostState;
use crate::rbm::model::{DeviceRbm, Rbm, download, upload};

/// Engine that runs the training updates.
#[derive(Clone, Debug)]
pub enum Engine {
    /// Tensor operations on a Burn device (`Device::flex()`, `Device::wgpu(..)`, ...).
    Tensor(Device),
    /// Plain Rust loops on the calling thread; the fast path for small batches on a CPU.
    Host,
}

/// Contrastive-divergence trainer that runs one epoch at a time, so that callers can
/// evaluate the model between epochs.
pub struct RbmTrainer<'a> {
    rbm: Rbm,
    data: &'a [f32],
    n_samples: usize,
    config: TrainConfig,
    rng: ChaCha8Rng,
    epoch: usize,
    state: State,
}

enum State {
    Tensor(TensorState),
    Host(HostState),
}

impl<'a> RbmTrainer<'a> {
    /// Prepares training of `rbm` on `data`.
    ///
    /// # Arguments
    /// - `rbm`: initial model, for example from [`Rbm::new`].
    /// - `data`: row-major samples x V training data.
    /// - `config`: training settings.
    /// - `engine`: where the updates run.
    ///
    /// # Errors
    /// [`TrainConfig::validate`] errors, the data errors of [`Rbm::validate_data`] and
    /// [`RbmError::BatchLargerThanData`].
    pub fn new(rbm: Rbm, data: &'a [f32], config: &TrainConfig, engine: &Engine) -> Result<Self> {
        config.validate()?;
        let n_samples = rbm.validate_data(data)?;
        if config.batch_size > n_samples {
            return Err(RbmError::BatchLargerThanData {
                batch_size: config.batch_size,
                n_samples,
            });
        }
        let state = match engine {
            Engine::Tensor(device) => State::Tensor(TensorState::new(&rbm, config, device)),
            Engine::Host => State::Host(HostState::new(&rbm, config)),
        };
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Ok(Self {
            rbm,
            data,
            n_samples,
            config: config.clone(),
            rng,
            epoch: 0,
            state,
        })
    }

    /// Epochs run so far.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// Runs one pass over the data in a new seeded random order.
    ///
    /// # Errors
    /// [`RbmError::Diverged`] when a parameter is no longer finite after the epoch, and
    /// [`RbmError::Backend`] from the tensor engine.
    pub fn run_epoch(&mut self) -> Result<()> {
        let n_visible = self.rbm.n_visible();
        let mut order: Vec<usize> = (0..self.n_samples).collect();
        order.shuffle(&mut self.rng);

        let mut batch = Vec::with_capacity(self.config.batch_size * n_visible);
        for rows in order.chunks(self.config.batch_size) {
            batch.clear();
            for &row in rows {
                batch.extend_from_slice(&self.data[row * n_visible..(row + 1) * n_visible]);
            }
            match &mut self.state {
                State::Tensor(state) => {
                    state.update(&batch, rows.len(), &self.config, &mut self.rng)
                }
                State::Host(state) => state.update(&batch, rows.len(), &self.config, &mut self.rng),
            }
        }

        self.sync_model()?;
        if !self.rbm.is_finite() {
            return Err(RbmError::Diverged { epoch: self.epoch });
        }
        self.epoch += 1;
        debug!(epoch = self.epoch, "RBM epoch finished");
        Ok(())
    }

    /// Returns the model after the epochs run so far.
    pub fn model(&self) -> &Rbm {
        &self.rbm
    }

    /// Returns the trained model.
    pub fn into_model(self) -> Rbm {
        self.rbm
    }

    fn sync_model(&mut self) -> Result<()> {
        let (weights, visible_bias, hidden_bias) = match &self.state {
            State::Tensor(state) => (
                download(state.params.weights.clone())?,
                download(state.params.visible_bias.clone())?,
                download(state.params.hidden_bias.clone())?,
            ),
            State::Host(state) => state.parameters(),
        };
        self.rbm.set_parameters(weights, visible_bias, hidden_bias);
        Ok(())
    }
}

impl Rbm {
    /// Trains a copy of this RBM for `config.epochs` epochs of CD-k or PCD-k and returns it.
    ///
    /// # Arguments
    /// - `data`: row-major samples x V; values in [0, 1] for Bernoulli visible units.
    /// - `config`: training settings.
    /// - `engine`: [`Engine::Host`] for small batches on a CPU, [`Engine::Tensor`] otherwise.
    ///
    /// # Errors
    /// Those of [`RbmTrainer::new`] and [`RbmTrainer::run_epoch`].
    pub fn fit(&self, data: &[f32], config: &TrainConfig, engine: &Engine) -> Result<Rbm> {
        let mut trainer = RbmTrainer::new(self.clone(), data, config, engine)?;
        for _ in 0..config.epochs {
            trainer.run_epoch()?;
        }
        Ok(trainer.into_model())
    }
}

/// Parameters, momentum buffers and persistent chains on a Burn device.
struct TensorState {
    params: DeviceRbm,
    velocity_weights: Tensor<2>,
    velocity_visible: Tensor<2>,
    velocity_hidden: Tensor<2>,
    /// Hidden states of the persistent chains, [batch_size, H]; None for CD-k.
    chains: Option<Tensor<2>>,
}

impl TensorState {
    fn new(rbm: &Rbm, config: &TrainConfig, device: &Device) -> Self {
        let params = rbm.to_device(device);
        let (v, h) = (rbm.n_visible(), rbm.n_hidden());
        let chains = config
            .persistent
            .then(|| Tensor::<2>::zeros([config.batch_size, h], device));
        Self {
            params,
            velocity_weights: Tensor::<2>::zeros([v, h], device),
            velocity_visible: Tensor::<2>::zeros([1, v], device),
            velocity_hidden: Tensor::<2>::zeros([1, h], device),
            chains,
        }
    }

    fn update(&mut self, batch: &[f32], rows: usize, config: &TrainConfig, rng: &mut ChaCha8Rng) {
        let params = &self.params;
        let n_visible = params.visible_bias.dims()[1];
        let data = upload(batch.to_vec(), [rows, n_visible], &params.device);
        let data_hidden = params.hidden_probabilities(data.clone());

        let mut hidden = match &self.chains {
            Some(chains) => chains.clone(),
            None => params.bernoulli_sample(data_hidden.clone(), rng),
        };
        let mut model_visible = params.sample_visible(hidden.clone(), rng);
        let mut model_hidden = params.hidden_probabilities(model_visible.clone());
        for _ in 1..config.gibbs_steps {
            hidden = params.bernoulli_sample(model_hidden, rng);
            model_visible = params.sample_visible(hidden, rng);
            model_hidden = params.hidden_probabilities(model_visible.clone());
        }
        if self.chains.is_some() {
            self.chains = Some(params.bernoulli_sample(model_hidden.clone(), rng));
        }

        let data_rows = rows as f64;
        let model_rows = model_visible.dims()[0] as f64;
        let grad_weights = self
            .pair_statistic(data.clone(), data_hidden.clone(), data_rows)
            .sub(self.pair_statistic(model_visible.clone(), model_hidden.clone(), model_rows));
        let grad_visible = self
            .visible_statistic(data, data_rows)
            .sub(self.visible_statistic(model_visible, model_rows));
        let grad_hidden = data_hidden
            .sum_dim(0)
            .div_scalar(data_rows)
            .sub(model_hidden.sum_dim(0).div_scalar(model_rows));

        let (rate, momentum) = (config.learning_rate, config.momentum);
        let decay = self.params.weights.clone().mul_scalar(config.weight_decay);
        self.velocity_weights = self
            .velocity_weights
            .clone()
            .mul_scalar(momentum)
            .add(grad_weights.sub(decay).mul_scalar(rate));
        self.velocity_visible = self
            .velocity_visible
            .clone()
            .mul_scalar(momentum)
            .add(grad_visible.mul_scalar(rate));
        self.velocity_hidden = self
            .velocity_hidden
            .clone()
            .mul_scalar(momentum)
            .add(grad_hidden.mul_scalar(rate));
        self.params.weights = self
            .params
            .weights
            .clone()
            .add(self.velocity_weights.clone());
        self.params.visible_bias = self
            .params
            .visible_bias
            .clone()
            .add(self.velocity_visible.clone());
        self.params.hidden_bias = self
            .params
            .hidden_bias
            .clone()
            .add(self.velocity_hidden.clone());
    }

    /// Returns (v / sigma)^T h / rows, [V, H].
    fn pair_statistic(&self, visible: Tensor<2>, hidden: Tensor<2>, rows: f64) -> Tensor<2> {
        self.params
            .scaled_visible(visible)
            .transpose()
            .matmul(hidden)
            .div_scalar(rows)
    }

    /// Returns the mean of d(-E)/db over rows, [1, V].
    fn visible_statistic(&self, visible: Tensor<2>, rows: f64) -> Tensor<2> {
        let statistic = match &self.params.sigma {
            Some(sigma) => visible
                .sub(self.params.visible_bias.clone())
                .div(sigma.clone().square()),
            None => visible,
        };
        statistic.sum_dim(0).div_scalar(rows)
    }
}
