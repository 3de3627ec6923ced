//! The host engine of [`crate::rbm::RbmTrainer`]: the same CD-k / PCD-k update as the tensor
//! engine in `train`, written as plain loops over row-major f32 buffers.
//!
//! It draws its random numbers in the same order as the tensor engine. For CD-k that is first
//! a hidden sample of the data. Each Gibbs step then draws a visible sample, and a hidden
//! sample before every further step. PCD-k ends with the new persistent chain states. Both
//! engines therefore produce the same samples unless a probability lies within f32 rounding
//! of its uniform number.
//! Products skip zero inputs, which pays on sparse images and binary samples.

use rand_chacha::ChaCha8Rng;

use crate::rbm::config::{TrainConfig, VisibleUnits};
use crate::rbm::model::Rbm;
use crate::rbm::random::{normals, uniforms};

/// Parameters, momentum buffers and persistent chains in host memory.
pub(crate) struct HostState {
    n_visible: usize,
    n_hidden: usize,
    gaussian: bool,
    sigma: Vec<f32>,
    weights: Vec<f32>,
    visible_bias: Vec<f32>,
    hidden_bias: Vec<f32>,
    velocity_weights: Vec<f32>,
    velocity_visible: Vec<f32>,
    velocity_hidden: Vec<f32>,
    /// Hidden states of the persistent chains, batch_size x H; None for CD-k.
    chains: Option<Vec<f32>>,
}

impl HostState {
    pub(crate) fn new(rbm: &Rbm, config: &TrainConfig) -> Self {
        let (v, h) = (rbm.n_visible(), rbm.n_hidden());
        Self {
            n_visible: v,
            n_hidden: h,
            gaussian: matches!(rbm.visible_units(), VisibleUnits::Gaussian(_)),
            sigma: rbm.sigma(),
            weights: rbm.weights().to_vec(),
            visible_bias: rbm.visible_bias().to_vec(),
            hidden_bias: rbm.hidden_bias().to_vec(),
            velocity_weights: vec![0.0; v * h],
            velocity_visible: vec![0.0; v],
            velocity_hidden: vec![0.0; h],
            chains: config.persistent.then(|| vec![0.0; config.batch_size * h]),
        }
    }

    /// Returns copies of (W, b, c).
    pub(crate) fn parameters(&self) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        (
            self.weights.clone(),
            self.visible_bias.clone(),
            self.hidden_bias.clone(),
        )
    }

    pub(crate) fn update(
        &mut self,
        data: &[f32],
        rows: usize,
        config: &TrainConfig,
        rng: &mut ChaCha8Rng,
    ) {
        let data_hidden = self.hidden_probabilities(data, rows);

        let mut hidden = match &self.chains {
            Some(chains) => chains.clone(),
            None => bernoulli_sample(&data_hidden, rng),
        };
        let chain_rows = hidden.len() / self.n_hidden;
        let mut model_visible = self.sample_visible(&hidden, chain_rows, rng);
        let mut model_hidden = self.hidden_probabilities(&model_visible, chain_rows);
        for _ in 1..config.gibbs_steps {
            hidden = bernoulli_sample(&model_hidden, rng);
            model_visible = self.sample_visible(&hidden, chain_rows, rng);
            model_hidden = self.hidden_probabilities(&model_visible, chain_rows);
        }
        if self.chains.is_some() {
            self.chains = Some(bernoulli_sample(&model_hidden, rng));
        }

        let mut grad_weights = vec![0.0f32; self.n_visible * self.n_hidden];
        let mut grad_visible = vec![0.0f32; self.n_visible];
        let mut grad_hidden = vec![0.0f32; self.n_hidden];
        self.accumulate(
            data,
            &data_hidden,
            1.0 / rows as f32,
            &mut grad_weights,
            &mut grad_visible,
            &mut grad_hidden,
        );
        self.accumulate(
            &model_visible,
            &model_hidden,
            -1.0 / chain_rows as f32,
            &mut grad_weights,
            &mut grad_visible,
            &mut grad_hidden,
        );

        let rate = config.learning_rate as f32;
        let momentum = config.momentum as f32;
        let decay = config.weight_decay as f32;
        let weight_steps = self
            .velocity_weights
            .iter_mut()
            .zip(&grad_weights)
            .zip(&mut self.weights);
        for ((velocity, &gradient), weight) in weight_steps {
            *velocity = momentum * *velocity + rate * (gradient - decay * *weight);
            *weight += *velocity;
        }
        apply_step(
            &mut self.velocity_visible,
            &grad_visible,
            &mut self.visible_bias,
            rate,
            momentum,
        );
        apply_step(
            &mut self.velocity_hidden,
            &grad_hidden,
            &mut self.hidden_bias,
            rate,
            momentum,
        );
    }

    /// p(h = 1 | v) for `rows` visible rows, rows x H.
    fn hidden_probabilities(&self, visible: &[f32], rows: usize) -> Vec<f32> {
        let h = self.n_hidden;
        let mut hidden = vec![0.0f32; rows * h];
        for (row, out) in visible
            .chunks_exact(self.n_visible)
            .zip(hidden.chunks_exact_mut(h))
        {
            out.copy_from_slice(&self.hidden_bias);
            for (i, &value) in row.iter().enumerate() {
                if value != 0.0 {
                    axpy(
                        out,
                        value / self.sigma[i],
                        &self.weights[i * h..(i + 1) * h],
                    );
                }
            }
            out.iter_mut().for_each(|x| *x = sigmoid(*x));
        }
        hidden
    }

    /// Draws v ~ p(v | h) for `rows` hidden rows, rows x V.
    fn sample_visible(&self, hidden: &[f32], rows: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
        let (v, h) = (self.n_visible, self.n_hidden);
        let noise = if self.gaussian {
            normals(rng, rows * v)
        } else {
            uniforms(rng, rows * v)
        };
        let mut visible = Vec::with_capacity(rows * v);
        for (hidden_row, noise_row) in hidden.chunks_exact(h).zip(noise.chunks_exact(v)) {
            for i in 0..v {
                let top_down = dot(&self.weights[i * h..(i + 1) * h], hidden_row);
                let value = if self.gaussian {
                    self.visible_bias[i] + self.sigma[i] * top_down + self.sigma[i] * noise_row[i]
                } else {
                    let probability = sigmoid(top_down + self.visible_bias[i]);
                    if noise_row[i] < probability { 1.0 } else { 0.0 }
                };
                visible.push(value);
            }
        }
        visible
    }

    /// Adds `scale` times the sufficient statistics of (visible, hidden) rows to the gradients.
    fn accumulate(
        &self,
        visible: &[f32],
        hidden: &[f32],
        scale: f32,
        grad_weights: &mut [f32],
        grad_visible: &mut [f32],
        grad_hidden: &mut [f32],
    ) {
        let h = self.n_hidden;
        for (visible_row, hidden_row) in visible
            .chunks_exact(self.n_visible)
            .zip(hidden.chunks_exact(h))
        {
            for (i, &value) in visible_row.iter().enumerate() {
                let scaled = value / self.sigma[i];
                if scaled != 0.0 {
                    axpy(
                        &mut grad_weights[i * h..(i + 1) * h],
                        scale * scaled,
                        hidden_row,
                    );
                }
                let statistic = if self.gaussian {
                    (value - self.visible_bias[i]) / (self.sigma[i] * self.sigma[i])
                } else {
                    value
                };
                grad_visible[i] += scale * statistic;
            }
            axpy(grad_hidden, scale, hidden_row);
        }
    }
}

fn apply_step(
    velocity: &mut [f32],
    gradient: &[f32],
    parameter: &mut [f32],
    rate: f32,
    momentum: f32,
) {
    for ((velocity, &gradient), parameter) in velocity.iter_mut().zip(gradient).zip(parameter) {
        *velocity = momentum * *velocity + rate * gradient;
        *parameter += *velocity;
    }
}

fn bernoulli_sample(probabilities: &[f32], rng: &mut ChaCha8Rng) -> Vec<f32> {
    let noise = uniforms(rng, probabilities.len());
    probabilities
        .iter()
        .zip(&noise)
        .map(|(&p, &u)| if u < p { 1.0 } else { 0.0 })
        .collect()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// y += a x.
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Computes a . b with eight partial sums, so that the compiler can vectorise the loop.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut partial = [0.0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..8 {
            partial[k] += x[k] * y[k];
        }
    }
    partial.iter().sum::<f32>() + tail
}
