//! Transformers for continuous neural time series, with likelihoods and inspectable attention.
//!
//! Scope of this crate, none of which is implemented yet:
//!
//! - token layouts for recordings: temporal (one token per time bin, as in the Neural Data
//!   Transformer of Ye and Pandarinath 2021, Neurons, Behavior, Data analysis, and Theory),
//!   spatial (one token per neuron or region, so that attention is a region-by-region matrix),
//!   and spatiotemporal (alternating spatial and temporal blocks, as in STNDT, Le and
//!   Shlizerman 2022, NeurIPS);
//! - masked reconstruction and next-step forecasting objectives;
//! - Poisson (spike counts) and Gaussian (continuous signals) output likelihoods, so that each
//!   prediction carries its uncertainty, scored in bits per spike and negative log-likelihood;
//! - a modern Hopfield layer (Ramsauer et al. 2021, ICLR, "Hopfield Networks is All You Need")
//!   in place of softmax attention;
//! - capture of every attention head for `ncm-mapping`.
