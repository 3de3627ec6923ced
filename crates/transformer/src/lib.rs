//! Transformers for continuous neural time series, with likelihoods and inspectable attention.
//!
//! Implemented:
//!
//! - [`model`]: a pre-norm transformer encoder with a linear input projection of continuous
//!   values. The temporal layout has one token per time bin, as in the Neural Data Transformer
//!   of Ye and Pandarinath 2021 (Neurons, Behavior, Data analysis, and Theory). The spatial
//!   layout has one token per channel with a learned identity embedding, so that attention is a
//!   channel-by-channel matrix. The spatiotemporal layout has one token per entry and
//!   alternates blocks over time and over channels, as in STNDT (Le and Shlizerman 2022,
//!   NeurIPS). Positions are sinusoidal or learned, key-padding and causal masks are supported,
//!   and each forward pass returns every head's attention matrix;
//! - [`likelihood`]: Gaussian (mean and log-variance) and Poisson (log-rate) output heads and
//!   their negative log-likelihoods;
//! - [`masking`]: random and span token masks for masked reconstruction (hidden tokens get a
//!   learned mask embedding in place of their input projection);
//! - [`train`]: masked-reconstruction and next-step forecasting objectives, and seeded Adam
//!   with linear warm-up, cosine decay and per-tensor gradient-norm clipping. Training stops
//!   early on a validation block at the end of the recording and raises a typed error on a
//!   non-finite loss. Checkpoints (model, best model, Adam moments, random-stream position)
//!   resume a run exactly on the CPU;
//! - [`metrics`]: bits per spike, R^2, Gaussian negative log-likelihood, interval coverage, and
//!   persistence and ridge vector-autoregression baselines.
//!
//! NOTE: not implemented yet: key padding in the spatiotemporal layout, the contrastive loss
//! of STNDT, the modern Hopfield layer (Ramsauer et al. 2021, ICLR) in place of softmax
//! attention, and a trainer for forecasting with the spatial layout (the brain-transformer
//! experiment of `xtask` trains that case with its own loop).

pub mod error;
pub mod likelihood;
pub mod masking;
pub mod metrics;
pub mod model;
pub mod train;

pub use error::{TransformerError, TransformerResult};
pub use masking::{MaskKind, draw_mask};
pub use model::{
    ForwardMask, Layout, Likelihood, Output, Positions, Prediction, Transformer, TransformerConfig,
};
pub use train::{Objective, StepRecord, TrainConfig, Trainer, load_model, save_model};
