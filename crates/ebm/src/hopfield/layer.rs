//! Hopfield layer of Ramsauer et al. 2021 (ICLR, "Hopfield networks is all you need"): one
//! batched update of the modern Hopfield network, Z = softmax(beta Q K^T) K, with the queries
//! Q as states and the stored patterns K as both keys and values (identity projections). It
//! has the shape of an attention layer and no trainable parameters.

use burn::config::Config;
use burn::module::Module;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor};

// `Result` stays the prelude one because the Config derive expands code that uses it.
use crate::error::EbmError;
use crate::hopfield::modern::validate_beta;

/// Configuration of a [`HopfieldLayer`], built with [`HopfieldLayerConfig::init`].
#[derive(Config, Debug)]
pub struct HopfieldLayerConfig {
    /// Inverse temperature beta, finite and > 0. Default `None`, which uses 1 / sqrt(d) with
    /// d the feature size of the inputs, the scaling of dot-product attention.
    pub beta: Option<f64>,
}

impl HopfieldLayerConfig {
    /// Builds the layer after checking beta. The layer has no parameters, so nothing is
    /// allocated on `device`.
    ///
    /// # Errors
    /// [`EbmError::InvalidBeta`] when beta is given and not finite and > 0.
    pub fn init(&self, _device: &Device) -> crate::Result<HopfieldLayer> {
        if let Some(beta) = self.beta {
            validate_beta(beta)?;
        }
        Ok(HopfieldLayer { beta: self.beta })
    }
}

/// One modern Hopfield update applied to a batch of queries, see [`HopfieldLayerConfig`].
#[derive(Module, Debug)]
pub struct HopfieldLayer {
    /// Inverse temperature; `None` uses 1 / sqrt(d).
    pub beta: Option<f64>,
}

impl HopfieldLayer {
    /// Retrieves one state per query: Z = softmax(beta Q K^T) K.
    ///
    /// # Arguments
    /// - `queries`: states xi (Q).
    /// - `stored`: stored patterns (K), one set per batch element.
    ///
    /// # Shapes
    /// - `queries`: `[batch, q, d]`
    /// - `stored`: `[batch, p, d]`, p >= 1
    /// - returns: `[batch, q, d]`
    ///
    /// # Errors
    /// [`EbmError::LayerShapeMismatch`] when the batch or feature sizes differ or p or d is 0.
    /// NaN inputs are not checked, because that would read the tensors back; they give NaN
    /// outputs.
    pub fn forward(&self, queries: Tensor<3>, stored: Tensor<3>) -> crate::Result<Tensor<3>> {
        Ok(self.forward_with_attention(queries, stored)?.0)
    }

    /// Like [`HopfieldLayer::forward`], also returning the attention weights.
    ///
    /// # Arguments
    /// - `queries`: states xi (Q).
    /// - `stored`: stored patterns (K).
    ///
    /// # Shapes
    /// - `queries`: `[batch, q, d]`
    /// - `stored`: `[batch, p, d]`, p >= 1
    /// - returns: the retrieved states `[batch, q, d]` and the attention
    ///   softmax(beta Q K^T) `[batch, q, p]`, whose rows sum to 1.
    ///
    /// # Errors
    /// As [`HopfieldLayer::forward`].
    pub fn forward_with_attention(
        &self,
        queries: Tensor<3>,
        stored: Tensor<3>,
    ) -> crate::Result<(Tensor<3>, Tensor<3>)> {
        let query_dims = queries.dims();
        let stored_dims = stored.dims();
        let [batch, _, d] = query_dims;
        let [stored_batch, p, stored_d] = stored_dims;
        if batch != stored_batch || d != stored_d || p == 0 || d == 0 {
            return Err(EbmError::LayerShapeMismatch { queries: query_dims, stored: stored_dims });
        }
        let beta = self.beta.unwrap_or(1.0 / (d as f64).sqrt());

        let scores = queries.matmul(stored.clone().swap_dims(1, 2)).mul_scalar(beta); // [batch, q, p]
        let attention = softmax(scores, 2);
        let retrieved = attention.clone().matmul(stored); // [batch, q, d]

        Ok((retrieved, attention))
    }
}
