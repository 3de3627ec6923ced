//! Pre-norm transformer encoder over continuous neural time series, with every attention matrix
//! returned.
//!
//! Architecture: scaled dot-product multi-head self-attention of Vaswani et al. 2017 (NeurIPS,
//! "Attention is all you need", eq. 1: softmax(Q K^T / sqrt(d_k)) V), with layer
//! normalisation before each sublayer (pre-norm, Xiong et al. 2020, ICML). Values enter by a
//! linear projection per token, without tokenisation, as in the Neural Data Transformer of Ye
//! and Pandarinath 2021 (Neurons, Behavior, Data analysis, and Theory).
//!
//! A recording window `[batch, time, channels]` becomes tokens in one of two layouts:
//! - [`Layout::Temporal`]: one token per time bin, whose features are the channels; attention
//!   is time x time;
//! - [`Layout::Spatial`]: one token per channel, whose features are the `window` time samples,
//!   plus a learned identity embedding per channel; attention is channel x channel;
//! - [`Layout::Spatiotemporal`]: one token per entry (time bin, channel) with a scalar feature,
//!   plus a time position and a learned channel identity. Blocks alternate as in STNDT (Le and
//!   Shlizerman 2022, NeurIPS): even blocks (0, 2, ...) attend over time within each channel,
//!   odd blocks over channels within each time bin.
//!
//! [`AttentionKind::Hopfield`] replaces each head's softmax attention by the retrieval of a
//! modern Hopfield network (Ramsauer et al. 2021, ICLR, "Hopfield networks is all you need":
//! xi <- X softmax(beta X^T xi), whose stored patterns X are here the keys). The state patterns
//! start at the projected queries, are updated `updates` times in key space, and the last
//! softmax weighs the values. With no update and beta = 1 / sqrt(d_head) this is softmax
//! attention. It is written here because the transformer crate does not depend on the
//! energy-based model crate, whose Hopfield layer has no masks or heads.
//!
//! Weights are drawn on the CPU from a seeded ChaCha8 stream, so a seed gives the same model on
//! every backend.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig};
use burn::tensor::activation::{gelu, softmax};
use burn::tensor::{Bool, Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{TransformerError, TransformerResult, check_nonzero, invalid};

/// Token layout of a `[batch, time, channels]` window.
#[derive(Config, Debug, PartialEq, Eq, Copy)]
pub enum Layout {
    /// Tokens are time bins; features are channels.
    Temporal,
    /// Tokens are channels with a learned identity embedding; features are the time samples of
    /// the window.
    Spatial,
    /// Tokens are single entries (time bin, channel); blocks alternate between attention over
    /// time and attention over channels.
    Spatiotemporal,
}

/// Position code of the temporal layout (the spatial layout always uses a learned identity
/// embedding per channel).
#[derive(Config, Debug, PartialEq, Eq, Copy)]
pub enum Positions {
    /// Fixed sines and cosines of Vaswani et al. 2017, section 3.5.
    Sinusoidal,
    /// A learned vector per position, up to `max_tokens`.
    Learned,
}

/// Output likelihood of the model.
#[derive(Config, Debug, PartialEq, Eq, Copy)]
pub enum Likelihood {
    /// Gaussian with a predicted mean and log-variance per entry.
    Gaussian,
    /// Poisson with a predicted log-rate per entry (spike counts).
    Poisson,
}

/// Maximum number of state-pattern updates of [`AttentionKind::Hopfield`]. Ramsauer et al.
/// 2021 report retrieval after one update, and each update costs one more attention
/// computation.
pub const MAX_HOPFIELD_UPDATES: usize = 32;

/// Attention rule of every head.
#[derive(Config, Debug, PartialEq, Copy)]
pub enum AttentionKind {
    /// Scaled dot-product attention, softmax(Q K^T / sqrt(d_head)) V.
    Softmax,
    /// Modern Hopfield retrieval: the state patterns xi start at the queries Q, `updates` times
    /// xi <- softmax(beta xi K^T) K, then the output is softmax(beta xi K^T) V. `beta` is the
    /// inverse temperature, finite and > 0; None means 1 / sqrt(d_head). `updates` is at most
    /// [`MAX_HOPFIELD_UPDATES`].
    Hopfield { beta: Option<f64>, updates: usize },
}

/// Checks the inverse temperature and update count of a Hopfield retrieval.
fn check_hopfield(beta: Option<f64>, updates: usize) -> TransformerResult<()> {
    if let Some(beta) = beta
        && !(beta.is_finite() && beta > 0.0)
    {
        return Err(invalid(
            "beta",
            beta,
            "a finite value > 0, or None for 1 / sqrt(d_head)",
        ));
    }
    if updates > MAX_HOPFIELD_UPDATES {
        return Err(invalid(
            "updates",
            updates,
            "at most MAX_HOPFIELD_UPDATES (32) Hopfield updates",
        ));
    }
    Ok(())
}

/// Configuration of a [`Transformer`], built with [`TransformerConfig::init`].
#[derive(Config, Debug)]
pub struct TransformerConfig {
    /// Number of recorded channels (neurons or regions), at least 1.
    pub channels: usize,
    /// Time samples per window, at least 1. The spatial layout takes exactly this many. The
    /// temporal layout takes any number with sinusoidal positions, and up to
    /// `max(window, max_tokens)` with learned positions.
    pub window: usize,
    /// Token layout. Default temporal.
    #[config(default = "Layout::Temporal")]
    pub layout: Layout,
    /// Position code of the temporal layout. Default sinusoidal.
    #[config(default = "Positions::Sinusoidal")]
    pub positions: Positions,
    /// Output likelihood. Default Gaussian.
    #[config(default = "Likelihood::Gaussian")]
    pub likelihood: Likelihood,
    /// Model width, a multiple of `heads`. Default 32.
    #[config(default = 32)]
    pub d_model: usize,
    /// Attention heads, at least 1. Default 4.
    #[config(default = 4)]
    pub heads: usize,
    /// Transformer blocks, at least 1. Default 2.
    #[config(default = 2)]
    pub depth: usize,
    /// Hidden width of the feed-forward sublayer, at least 1. Default 64.
    #[config(default = 64)]
    pub d_ff: usize,
    /// Attention rule of every head. Default softmax.
    #[config(default = "AttentionKind::Softmax")]
    pub attention: AttentionKind,
    /// Most tokens of the temporal layout with learned positions (0: use `window`). Default 0.
    #[config(default = 0)]
    pub max_tokens: usize,
    /// Seed of the weight initialisation. Default 0.
    #[config(default = 0)]
    pub seed: u64,
}

impl TransformerConfig {
    fn token_limit(&self) -> usize {
        match self.layout {
            Layout::Temporal | Layout::Spatiotemporal => self.max_tokens.max(self.window),
            Layout::Spatial => self.channels,
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`TransformerError::InvalidSetting`] for a zero size, a width that `heads` does not
    /// divide, or a Hopfield `beta` that is not finite and > 0 or more than
    /// [`MAX_HOPFIELD_UPDATES`] updates.
    pub fn validate(&self) -> TransformerResult<()> {
        check_nonzero("channels", self.channels)?;
        check_nonzero("window", self.window)?;
        check_nonzero("d_model", self.d_model)?;
        check_nonzero("heads", self.heads)?;
        check_nonzero("depth", self.depth)?;
        check_nonzero("d_ff", self.d_ff)?;
        if self.d_model % self.heads != 0 {
            return Err(invalid("d_model", self.d_model, "a multiple of `heads`"));
        }
        if let AttentionKind::Hopfield { beta, updates } = self.attention {
            check_hopfield(beta, updates)?;
        }
        Ok(())
    }

    /// Builds the model on `device` (an autodiff device for training, `device.autodiff()`).
    ///
    /// Weight matrices are drawn from U(-k, k) with k = 1 / sqrt(fan_in) and biases start at
    /// zero. Embeddings (learned positions, channel identities, the mask token) are drawn from
    /// U(-0.03, 0.03), and layer norms start at the identity.
    ///
    /// # Errors
    /// As [`TransformerConfig::validate`].
    pub fn init(&self, device: &Device) -> TransformerResult<Transformer> {
        self.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let features = match self.layout {
            Layout::Temporal => self.channels,
            Layout::Spatial => self.window,
            Layout::Spatiotemporal => 1,
        };
        let outputs = match self.likelihood {
            Likelihood::Gaussian => 2,
            Likelihood::Poisson => 1,
        };
        let d = self.d_model;
        let input = Dense::new(&mut rng, features, d, device);
        let learned =
            match (self.layout, self.positions) {
                (Layout::Spatial, _) | (_, Positions::Learned) => Some(Param::from_tensor(
                    uniform(&mut rng, [self.token_limit(), d], 0.03, device),
                )),
                (_, Positions::Sinusoidal) => None,
            };
        let identity = (self.layout == Layout::Spatiotemporal)
            .then(|| Param::from_tensor(uniform(&mut rng, [self.channels, d], 0.03, device)));
        let mask_token = Param::from_tensor(uniform::<2>(&mut rng, [1, d], 0.03, device));
        let blocks = (0..self.depth)
            .map(|_| Block {
                norm_attention: LayerNormConfig::new(d).init(device),
                qkv: Dense::new(&mut rng, d, 3 * d, device),
                projection: Dense::new(&mut rng, d, d, device),
                norm_feedforward: LayerNormConfig::new(d).init(device),
                hidden: Dense::new(&mut rng, d, self.d_ff, device),
                output: Dense::new(&mut rng, self.d_ff, d, device),
                heads: self.heads,
            })
            .collect();
        Ok(Transformer {
            input,
            learned,
            identity,
            mask_token,
            blocks,
            final_norm: LayerNormConfig::new(d).init(device),
            head: Dense::new(&mut rng, d, features * outputs, device),
            shape: Shape {
                layout: self.layout,
                likelihood: self.likelihood,
                channels: self.channels,
                window: self.window,
                d_model: d,
                heads: self.heads,
                token_limit: self.token_limit(),
                attention: self.attention,
            },
        })
    }
}

fn uniform<const D: usize>(
    rng: &mut ChaCha8Rng,
    shape: [usize; D],
    bound: f64,
    device: &Device,
) -> Tensor<D> {
    let count = shape.iter().product();
    let values: Vec<f32> = (0..count)
        .map(|_| ((rng.random::<f64>() * 2.0 - 1.0) * bound) as f32)
        .collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// Affine map `x W + b` applied to the last axis.
#[derive(Module, Debug)]
struct Dense {
    weight: Param<Tensor<2>>,
    bias: Param<Tensor<1>>,
}

impl Dense {
    fn new(rng: &mut ChaCha8Rng, fan_in: usize, fan_out: usize, device: &Device) -> Self {
        let bound = 1.0 / (fan_in as f64).sqrt();
        Self {
            weight: Param::from_tensor(uniform(rng, [fan_in, fan_out], bound, device)),
            bias: Param::from_tensor(Tensor::zeros([fan_out], device)),
        }
    }

    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [batch, tokens, fan_in] = x.dims();
        let [_, fan_out] = self.weight.dims();
        x.reshape([batch * tokens, fan_in])
            .matmul(self.weight.val())
            .add(self.bias.val().unsqueeze::<2>())
            .reshape([batch, tokens, fan_out])
    }
}

#[derive(Module, Debug)]
struct Block {
    norm_attention: LayerNorm,
    qkv: Dense,
    projection: Dense,
    norm_feedforward: LayerNorm,
    hidden: Dense,
    output: Dense,
    heads: usize,
}

impl Block {
    /// Returns the block output and the attention weights `[batch, heads, tokens, tokens]`.
    fn forward(
        &self,
        x: Tensor<3>,
        keys: Option<&KeyMask>,
        rule: AttentionKind,
    ) -> (Tensor<3>, Tensor<4>) {
        let [batch, tokens, d] = x.dims();
        let h = self.heads;
        let dh = d / h;
        let qkv = self.qkv.forward(self.norm_attention.forward(x.clone()));
        let split = |index: usize| {
            qkv.clone()
                .narrow(2, index * d, d)
                .reshape([batch, tokens, h, dh])
                .swap_dims(1, 2)
        };
        let (q, k, v) = (split(0), split(1), split(2));
        let (beta, updates) = match rule {
            AttentionKind::Softmax => (None, 0),
            AttentionKind::Hopfield { beta, updates } => (beta, updates),
        };
        let (mixed, attention) = retrieve(q, k, v, beta, updates, keys);
        let mixed = mixed.swap_dims(1, 2).reshape([batch, tokens, d]);
        let x = x.add(self.projection.forward(mixed));
        let ff = self.output.forward(gelu(
            self.hidden
                .forward(self.norm_feedforward.forward(x.clone())),
        ));
        (x.add(ff), attention)
    }
}

/// Keys that each query may not see.
#[derive(Debug, Clone)]
struct KeyMask {
    /// `[sequences, heads, tokens, tokens]`, true where query q may not see key k.
    blocked: Tensor<4, Bool>,
    /// `[sequences, 1, tokens, 1]`, 0 for a query with no visible key and 1 otherwise; None
    /// when every query has a key.
    with_keys: Option<Tensor<4>>,
}

/// Modern Hopfield retrieval on `[sequences, heads, tokens, d_head]` patterns, returning the
/// retrieved values and the last attention weights `[sequences, heads, queries, keys]`.
///
/// `beta` None scales the scores by 1 / sqrt(d_head) with a division, so that no update and
/// None give exactly the softmax attention of Vaswani et al. 2017. Blocked keys get a score
/// of -1e9 before every softmax, so their weight is 0. A query with no visible key gets a
/// zero row, hence a zero state and a zero output.
fn retrieve(
    queries: Tensor<4>,
    keys: Tensor<4>,
    values: Tensor<4>,
    beta: Option<f64>,
    updates: usize,
    mask: Option<&KeyMask>,
) -> (Tensor<4>, Tensor<4>) {
    let d_head = keys.dims()[3];
    let keys_transposed = keys.clone().swap_dims(2, 3);
    let weigh = |state: Tensor<4>| {
        let scores = state.matmul(keys_transposed.clone());
        let mut scores = match beta {
            Some(beta) => scores.mul_scalar(beta),
            None => scores.div_scalar((d_head as f64).sqrt()),
        };
        if let Some(mask) = mask {
            scores = scores.mask_fill(mask.blocked.clone(), -1.0e9);
        }
        let weights = softmax(scores, 3);
        match mask.and_then(|m| m.with_keys.clone()) {
            Some(with_keys) => weights.mul(with_keys),
            None => weights,
        }
    };
    let mut state = queries;
    for _ in 0..updates {
        state = weigh(state).matmul(keys.clone());
    }
    let attention = weigh(state);

    (attention.clone().matmul(values), attention)
}

/// Modern Hopfield retrieval of one head (Ramsauer et al. 2021, ICLR), without masks.
///
/// The state patterns start at the queries, are updated `updates` times by
/// xi <- softmax(beta xi K^T) K, and the output is softmax(beta xi K^T) V.
///
/// # Arguments
/// - `queries`: state patterns `[batch, queries, dim]`;
/// - `keys`: stored patterns `[batch, keys, dim]`;
/// - `values`: `[batch, keys, value_dim]`;
/// - `beta`: inverse temperature, finite and > 0;
/// - `updates`: state updates, at most [`MAX_HOPFIELD_UPDATES`].
///
/// # Returns
/// The output `[batch, queries, value_dim]` and the last attention `[batch, queries, keys]`,
/// whose rows sum to one.
///
/// # Errors
/// [`TransformerError::InvalidSetting`] for a bad `beta` or `updates`,
/// [`TransformerError::ShapeMismatch`] for shapes that do not fit together or an empty axis.
pub fn hopfield_attention(
    queries: Tensor<3>,
    keys: Tensor<3>,
    values: Tensor<3>,
    beta: f64,
    updates: usize,
) -> TransformerResult<(Tensor<3>, Tensor<3>)> {
    check_hopfield(Some(beta), updates)?;
    let [batch, count, dim] = queries.dims();
    let [key_batch, stored, key_dim] = keys.dims();
    let [value_batch, value_count, value_dim] = values.dims();
    let fits =
        key_batch == batch && key_dim == dim && value_batch == batch && value_count == stored;
    if !fits || [batch, count, dim, stored, value_dim].contains(&0) {
        return Err(TransformerError::ShapeMismatch {
            what: "Hopfield queries, keys and values",
            expected:
                "non-empty [batch, queries, dim], [batch, keys, dim], [batch, keys, value_dim]"
                    .to_string(),
            found: format!(
                "{:?}, {:?}, {:?}",
                [batch, count, dim],
                [key_batch, stored, key_dim],
                [value_batch, value_count, value_dim]
            ),
        });
    }
    let (output, attention) = retrieve(
        queries.unsqueeze_dim(1),
        keys.unsqueeze_dim(1),
        values.unsqueeze_dim(1),
        Some(beta),
        updates,
        None,
    );

    Ok((
        output.reshape([batch, count, value_dim]),
        attention.reshape([batch, count, stored]),
    ))
}

#[derive(Debug, Clone)]
struct Shape {
    layout: Layout,
    likelihood: Likelihood,
    channels: usize,
    window: usize,
    d_model: usize,
    heads: usize,
    token_limit: usize,
    attention: AttentionKind,
}

/// Tokens that a forward pass hides or may not attend to. Masks are row-major `[batch, tokens]`
/// with `true` marking the token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForwardMask {
    /// Tokens whose input is replaced by the learned mask embedding (masked reconstruction).
    pub masked: Option<Vec<bool>>,
    /// Tokens that no query may attend to (padding). At least one token per window must stay
    /// visible. In the temporal and spatial layouts, with `causal` the first token must stay
    /// visible too. In the spatiotemporal layout, entry (t, c) is not a key of the blocks over
    /// time (within channel c) nor of the blocks over channels (within time bin t). A query
    /// there with no visible key (every entry of its channel or time bin padded, or with
    /// `causal` every earlier entry) gets a zero attention row, so its block output is the
    /// residual path alone.
    pub key_padding: Option<Vec<bool>>,
    /// Whether token t may attend only to tokens s <= t (forecasting). In the spatiotemporal
    /// layout this applies to the blocks over time. The spatial layout rejects it.
    pub causal: bool,
}

/// Model predictions, always in the recording's `[batch, time, channels]` order.
#[derive(Debug, Clone)]
pub enum Prediction {
    /// Gaussian mean and log-variance.
    Gaussian {
        mean: Tensor<3>,
        log_variance: Tensor<3>,
    },
    /// Poisson log-rate.
    Poisson { log_rate: Tensor<3> },
}

/// Result of [`Transformer::forward`].
#[derive(Debug, Clone)]
pub struct Output {
    /// Predictions `[batch, time, channels]`.
    pub prediction: Prediction,
    /// Attention weights of every block, each `[batch, heads, tokens, tokens]`; row q holds
    /// the weights that query token q gives to each key token. A row sums to one, except the
    /// zero row of a spatiotemporal query with no visible key.
    pub attention: Vec<Tensor<4>>,
    /// Final token states after the last layer normalisation, `[batch, tokens, d_model]`,
    /// which the output head reads (tokens in the order of [`Transformer::forward`]).
    pub states: Tensor<3>,
}

/// Transformer encoder of a recording window, see [`TransformerConfig`].
#[derive(Module, Debug)]
pub struct Transformer {
    input: Dense,
    /// Learned positions (temporal) or channel identities (spatial), `[tokens, d_model]`.
    learned: Option<Param<Tensor<2>>>,
    /// Learned channel identities of the spatiotemporal layout, `[channels, d_model]`.
    identity: Option<Param<Tensor<2>>>,
    mask_token: Param<Tensor<2>>,
    blocks: Vec<Block>,
    final_norm: LayerNorm,
    head: Dense,
    #[module(skip)]
    shape: Shape,
}

/// Sinusoidal code: PE(t, 2i) = sin(t / 10000^(2i/d)), PE(t, 2i+1) = cos(same).
fn sinusoidal(tokens: usize, d: usize, device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(tokens * d);
    for t in 0..tokens {
        for j in 0..d {
            let pair = (j / 2) as f64;
            let angle = t as f64 / 10000f64.powf(2.0 * pair / d as f64);
            values.push(if j % 2 == 0 { angle.sin() } else { angle.cos() } as f32);
        }
    }
    Tensor::from_data(TensorData::new(values, [tokens, d]), device)
}

impl Transformer {
    /// Token layout.
    pub fn layout(&self) -> Layout {
        self.shape.layout
    }

    /// Output likelihood.
    pub fn likelihood(&self) -> Likelihood {
        self.shape.likelihood
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.shape.channels
    }

    /// Window length of the spatial layout (and default window of the temporal layout).
    pub fn window(&self) -> usize {
        self.shape.window
    }

    /// Tokens of a window of `time` samples.
    pub fn tokens(&self, time: usize) -> usize {
        match self.shape.layout {
            Layout::Temporal => time,
            Layout::Spatial => self.shape.channels,
            Layout::Spatiotemporal => time * self.shape.channels,
        }
    }

    /// Runs the encoder.
    ///
    /// # Arguments
    /// - `input`: recording windows `[batch, time, channels]`; `time` must equal `window` for
    ///   the spatial layout and be at most the token limit for the temporal layout.
    /// - `mask`: hidden, padded and causal tokens, see [`ForwardMask`].
    ///
    /// # Shapes
    /// Tokens are `time` (temporal), `channels` (spatial) or `time * channels` entries in
    /// time-major order (spatiotemporal, for `masked`).
    ///
    /// # Returns
    /// Predictions `[batch, time, channels]` and one attention tensor
    /// `[batch, heads, tokens, tokens]` per block. In the spatiotemporal layout, even blocks
    /// return `[batch * channels, heads, time, time]` (row b * channels + c is channel c of
    /// window b) and odd blocks `[batch * time, heads, channels, channels]` (row b * time + t).
    ///
    /// # Errors
    /// [`TransformerError::ShapeMismatch`] for a bad input or mask shape,
    /// [`TransformerError::InvalidSetting`] for a window whose tokens are all padded, a causal
    /// mask on the spatial layout, or (temporal layout) a causal mask with a padded first token.
    pub fn forward(&self, input: Tensor<3>, mask: &ForwardMask) -> TransformerResult<Output> {
        let [batch, time, channels] = input.dims();
        let s = &self.shape;
        if channels != s.channels || batch == 0 || time == 0 {
            return Err(TransformerError::ShapeMismatch {
                what: "input",
                expected: format!("[batch >= 1, time >= 1, {}]", s.channels),
                found: format!("[{batch}, {time}, {channels}]"),
            });
        }
        match s.layout {
            Layout::Spatial if time != s.window => {
                return Err(TransformerError::ShapeMismatch {
                    what: "input",
                    expected: format!("[batch, {}, {}] (spatial layout)", s.window, s.channels),
                    found: format!("[{batch}, {time}, {channels}]"),
                });
            }
            Layout::Temporal | Layout::Spatiotemporal
                if self.learned.is_some() && time > s.token_limit =>
            {
                return Err(TransformerError::ShapeMismatch {
                    what: "input",
                    expected: format!("at most {} time samples (learned positions)", s.token_limit),
                    found: format!("[{batch}, {time}, {channels}]"),
                });
            }
            _ => {}
        }
        if mask.causal && s.layout == Layout::Spatial {
            return Err(invalid(
                "causal",
                true,
                "false for the spatial layout (channels have no order)",
            ));
        }
        let tokens = self.tokens(time);
        let device = input.device();
        let check_mask = |what: &'static str, values: &Option<Vec<bool>>| match values {
            Some(values) if values.len() != batch * tokens => {
                Err(TransformerError::ShapeMismatch {
                    what,
                    expected: format!("{} = batch x tokens entries", batch * tokens),
                    found: format!("{} entries", values.len()),
                })
            }
            _ => Ok(()),
        };
        check_mask("masked tokens", &mask.masked)?;
        check_mask("key padding", &mask.key_padding)?;
        if let Some(padding) = &mask.key_padding
            && padding
                .chunks_exact(tokens)
                .any(|row| row.iter().all(|&p| p))
        {
            return Err(invalid(
                "key_padding",
                "a sequence with every token padded",
                "at least one visible token per sequence",
            ));
        }

        if s.layout == Layout::Spatiotemporal {
            return Ok(self.forward_spatiotemporal(input, mask));
        }

        if mask.causal
            && let Some(padding) = &mask.key_padding
            && padding.chunks_exact(tokens).any(|row| row[0])
        {
            return Err(invalid(
                "key_padding",
                "a padded first token with a causal mask",
                "a visible first token, so that every query has a key",
            ));
        }

        let tokens_in = match s.layout {
            Layout::Temporal => input,
            Layout::Spatial | Layout::Spatiotemporal => input.swap_dims(1, 2),
        };
        let mut x = self.input.forward(tokens_in); // [batch, tokens, d]
        if let Some(masked) = &mask.masked {
            let m: Vec<f32> = masked.iter().map(|&b| f32::from(u8::from(b))).collect();
            let m = Tensor::<3>::from_data(TensorData::new(m, [batch, tokens, 1]), &device);
            let token = self.mask_token.val().unsqueeze::<3>(); // [1, 1, d]
            x = x.mul(m.clone().neg().add_scalar(1.0)).add(token.mul(m));
        }
        let position = match &self.learned {
            Some(learned) => learned.val().narrow(0, 0, tokens),
            None => sinusoidal(tokens, s.d_model, &device),
        };
        x = x.add(position.unsqueeze::<3>());

        let keys = self.key_mask(
            batch,
            tokens,
            mask.key_padding.as_deref(),
            mask.causal,
            &device,
        );
        let mut attention = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let (next, weights) = block.forward(x, keys.as_ref(), s.attention);
            x = next;
            attention.push(weights);
        }
        let states = self.final_norm.forward(x);
        let out = self.head.forward(states.clone()); // [batch, tokens, features*k]
        let features = out.dims()[2] / self.outputs();
        let to_recording = |t: Tensor<3>| match s.layout {
            Layout::Temporal => t,
            Layout::Spatial | Layout::Spatiotemporal => t.swap_dims(1, 2),
        };
        let prediction = match s.likelihood {
            Likelihood::Gaussian => Prediction::Gaussian {
                mean: to_recording(out.clone().narrow(2, 0, features)),
                log_variance: to_recording(out.narrow(2, features, features)),
            },
            Likelihood::Poisson => Prediction::Poisson {
                log_rate: to_recording(out),
            },
        };
        Ok(Output {
            prediction,
            attention,
            states,
        })
    }

    /// Forward pass of the spatiotemporal layout on checked inputs.
    fn forward_spatiotemporal(&self, input: Tensor<3>, mask: &ForwardMask) -> Output {
        let [batch, time, channels] = input.dims();
        let d = self.shape.d_model;
        let device = input.device();
        let mut x = self
            .input
            .forward(input.reshape([batch, time * channels, 1]));
        if let Some(masked) = &mask.masked {
            let m: Vec<f32> = masked.iter().map(|&b| f32::from(u8::from(b))).collect();
            let m =
                Tensor::<3>::from_data(TensorData::new(m, [batch, time * channels, 1]), &device);
            let token = self.mask_token.val().unsqueeze::<3>();
            x = x.mul(m.clone().neg().add_scalar(1.0)).add(token.mul(m));
        }
        let position = match &self.learned {
            Some(learned) => learned.val().narrow(0, 0, time),
            None => sinusoidal(time, d, &device),
        };
        let identity = self
            .identity
            .as_ref()
            .expect("the spatiotemporal layout has channel identities")
            .val();
        let mut x = x
            .reshape([batch, time, channels, d])
            .add(position.reshape([1, time, 1, d]))
            .add(identity.reshape([1, 1, channels, d]));

        // The padding mask is time-major: (b, t, c) sits at (b * time + t) * channels + c. That
        // is the order of the sequences over channels, so only the blocks over time reorder it.
        let padding = mask.key_padding.as_deref();
        let over_time: Option<Vec<bool>> = padding.map(|p| {
            (0..batch * channels * time)
                .map(|i| {
                    let (sequence, t) = (i / time, i % time);
                    let (b, c) = (sequence / channels, sequence % channels);
                    p[(b * time + t) * channels + c]
                })
                .collect()
        });
        let time_keys = self.key_mask(
            batch * channels,
            time,
            over_time.as_deref(),
            mask.causal,
            &device,
        );
        let channel_keys = self.key_mask(batch * time, channels, padding, false, &device);
        let rule = self.shape.attention;
        let mut attention = Vec::with_capacity(self.blocks.len());
        for (index, block) in self.blocks.iter().enumerate() {
            if index % 2 == 0 {
                // Attention over time within each channel: sequences are (batch, channel).
                let sequences = x.swap_dims(1, 2).reshape([batch * channels, time, d]);
                let (out, weights) = block.forward(sequences, time_keys.as_ref(), rule);
                x = out.reshape([batch, channels, time, d]).swap_dims(1, 2);
                attention.push(weights);
            } else {
                // Attention over channels within each time bin: sequences are (batch, time).
                let sequences = x.reshape([batch * time, channels, d]);
                let (out, weights) = block.forward(sequences, channel_keys.as_ref(), rule);
                x = out.reshape([batch, time, channels, d]);
                attention.push(weights);
            }
        }
        let states = self
            .final_norm
            .forward(x.reshape([batch, time * channels, d]));
        let out = self.head.forward(states.clone());
        let entries = |index: usize| {
            out.clone()
                .narrow(2, index, 1)
                .reshape([batch, time, channels])
        };
        let prediction = match self.shape.likelihood {
            Likelihood::Gaussian => Prediction::Gaussian {
                mean: entries(0),
                log_variance: entries(1),
            },
            Likelihood::Poisson => Prediction::Poisson {
                log_rate: entries(0),
            },
        };
        Output {
            prediction,
            attention,
            states,
        }
    }

    fn outputs(&self) -> usize {
        match self.shape.likelihood {
            Likelihood::Gaussian => 2,
            Likelihood::Poisson => 1,
        }
    }

    /// Key mask of `sequences` sequences of `tokens` tokens, from a padding mask
    /// `[sequences, tokens]` and the causal flag; None when nothing is blocked.
    fn key_mask(
        &self,
        sequences: usize,
        tokens: usize,
        padding: Option<&[bool]>,
        causal: bool,
        device: &Device,
    ) -> Option<KeyMask> {
        if !causal && padding.is_none() {
            return None;
        }
        let heads = self.shape.heads;
        let mut rows = Vec::with_capacity(sequences * tokens * tokens);
        for sequence in 0..sequences {
            for q in 0..tokens {
                for k in 0..tokens {
                    let padded = padding.is_some_and(|p| p[sequence * tokens + k]);
                    rows.push(padded || (causal && k > q));
                }
            }
        }
        let with_keys: Vec<f32> = rows
            .chunks_exact(tokens)
            .map(|row| f32::from(u8::from(!row.iter().all(|&b| b))))
            .collect();
        let with_keys = with_keys.contains(&0.0).then(|| {
            Tensor::<4>::from_data(
                TensorData::new(with_keys, [sequences, 1, tokens, 1]),
                device,
            )
        });
        let blocked: Vec<bool> = rows
            .chunks_exact(tokens * tokens)
            .flat_map(|sequence| std::iter::repeat_n(sequence, heads).flatten().copied())
            .collect();

        Some(KeyMask {
            blocked: Tensor::from_data(
                TensorData::new(blocked, [sequences, heads, tokens, tokens]),
                device,
            ),
            with_keys,
        })
    }
}
