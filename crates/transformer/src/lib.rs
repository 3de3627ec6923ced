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
//!   NeurIPS). Positions are sinusoidal or learned, key-padding and causal masks are supported
//!   in every layout, and each forward pass returns every head's attention matrix and the
//!   final token states. Heads use softmax attention or the retrieval of a modern Hopfield
//!   network (Ramsauer et al. 2021, ICLR), also available for one head as
//!   [`hopfield_attention`];
//! - [`likelihood`]: Gaussian (mean and log-variance) and Poisson (log-rate) output heads and
//!   their negative log-likelihoods;
//! - [`masking`]: random and span token masks for masked reconstruction (hidden tokens get a
//!   learned mask embedding in place of their input projection);
//! - [`train`]: masked-reconstruction (optionally with the contrastive loss of STNDT) and
//!   next-step forecasting objectives in every layout, and seeded Adam with linear warm-up,
//!   cosine decay and global-norm or per-tensor gradient clipping. Training stops early on a
//!   validation block at the end of the recording and raises a typed error on a non-finite
//!   loss. Checkpoints (model, best model, Adam moments, random-stream position) resume a run
//!   exactly on the CPU;
//! - [`contrastive`]: the NT-Xent loss between two views of each window;
//! - [`export`]: every block's attention as NPY files with the token labels;
//! - [`metrics`]: bits per spike, R^2, Gaussian negative log-likelihood, interval coverage, and
//!   persistence and ridge vector-autoregression baselines.

pub mod contrastive;
pub mod error;
pub mod export;
pub mod likelihood;
pub mod masking;
pub mod metrics;
pub mod model;
pub mod train;

pub use contrastive::{Contrastive, nt_xent};
pub use error::{TransformerError, TransformerResult};
pub use export::{npy_bytes, write_attention};
pub use masking::{MaskKind, draw_mask};
pub use model::{
    AttentionKind, ForwardMask, Layout, Likelihood, MAX_HOPFIELD_UPDATES, Output, Positions,
    Prediction, Transformer, TransformerConfig, hopfield_attention,
};
pub use train::{
    Clip, Objective, StepRecord, TrainConfig, Trainer, clip_global_norm, load_model, save_model,
};
