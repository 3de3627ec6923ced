//! Contrastive term of STNDT (Le and Shlizerman 2022, NeurIPS): the NT-Xent loss of SimCLR
//! (Chen et al. 2020, ICML) between two randomly masked views of each window.
//!
//! Each view's embedding is the mean of the model's final token states. With the 2N embeddings
//! of N windows scaled to unit length, z_1..z_2N, and the cosine similarities
//! s_ij = z_i . z_j / tau, anchor i with positive p(i) (the other view of its window) has the
//! loss -ln(exp(s_i,p(i)) / sum_{k != i} exp(s_ik)), and the loss is the mean over all 2N
//! anchors. The other windows of the batch are the negatives.
//!
//! Written here because it is a few tensor operations on the model's own states.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Bool, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::error::{TransformerError, TransformerResult, invalid};

/// Contrastive term added to the masked-reconstruction loss.
///
/// Each step masks two more views of every window, with the reconstruction objective's mask
/// kind and ratio and independent draws (STNDT's training code also draws the reconstruction
/// mask and the two contrastive masks separately). The loss is then
/// reconstruction + `weight` x NT-Xent(views, `temperature`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contrastive {
    /// Weight lambda of the NT-Xent term, finite and > 0.
    pub weight: f64,
    /// Temperature tau of the cosine similarities, finite and > 0.
    pub temperature: f64,
}

impl Contrastive {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`TransformerError::InvalidSetting`] for a weight or temperature that is not finite and
    /// > 0.
    pub fn validate(&self) -> TransformerResult<()> {
        if !(self.weight.is_finite() && self.weight > 0.0) {
            return Err(invalid(
                "contrastive weight",
                self.weight,
                "a finite value > 0 (use `contrastive: None` to switch the term off)",
            ));
        }
        check_temperature(self.temperature)
    }
}

fn check_temperature(temperature: f64) -> TransformerResult<()> {
    if temperature.is_finite() && temperature > 0.0 {
        Ok(())
    } else {
        Err(invalid("temperature", temperature, "a finite value > 0"))
    }
}

/// NT-Xent loss (nats) of two views `z1` and `z2` `[windows, features]`, row i of each
/// belonging to window i, as a one-element tensor.
///
/// Embeddings are scaled to unit length (a norm below 1e-8 counts as 1e-8). One window gives
/// a loss of 0, because its anchors have no negatives.
///
/// # Errors
/// [`TransformerError::InvalidSetting`] for a temperature that is not finite and > 0,
/// [`TransformerError::ShapeMismatch`] for views of different or empty shapes.
pub fn nt_xent(z1: Tensor<2>, z2: Tensor<2>, temperature: f64) -> TransformerResult<Tensor<1>> {
    check_temperature(temperature)?;
    let [windows, features] = z1.dims();
    if z2.dims() != [windows, features] || windows == 0 || features == 0 {
        return Err(TransformerError::ShapeMismatch {
            what: "contrastive views",
            expected: format!("two non-empty views of one shape, [{windows}, {features}]"),
            found: format!("{:?}", z2.dims()),
        });
    }
    let device = z1.device();
    let count = 2 * windows;

    let embeddings = Tensor::cat(vec![z1, z2], 0); // [2N, features]
    let norms = embeddings
        .clone()
        .square()
        .sum_dim(1)
        .sqrt()
        .clamp_min(1e-8);
    let unit = embeddings.div(norms);
    let similarity = unit
        .clone()
        .matmul(unit.transpose())
        .div_scalar(temperature);

    // An anchor is not its own negative, so the diagonal leaves the softmax.
    let diagonal: Vec<bool> = (0..count * count).map(|i| i / count == i % count).collect();
    let diagonal = Tensor::<2, Bool>::from_data(TensorData::new(diagonal, [count, count]), &device);
    let log_probability = log_softmax(similarity.mask_fill(diagonal, -1.0e9), 1);
    let positive: Vec<f32> = (0..count * count)
        .map(|i| f32::from(u8::from((i / count + windows) % count == i % count)))
        .collect();
    let positive = Tensor::<2>::from_data(TensorData::new(positive, [count, count]), &device);

    Ok(log_probability
        .mul(positive)
        .sum()
        .div_scalar(count as f64)
        .neg())
}
