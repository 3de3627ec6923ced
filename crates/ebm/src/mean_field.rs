//! Mean-field inversion of the pairwise maximum-entropy (Ising) model of Schneidman et al.
//! 2006 (Nature 440:1007) in the +-1 convention: a closed-form start for the iterative fits.
//!
//! With means m_i = <s_i> and the connected correlation matrix C_ij = <s_i s_j> - m_i m_j,
//! linear response gives (C^-1)_ij = d h_i / d m_j. Two approximations of that derivative:
//!
//! - naive mean field (Kappen and Rodriguez 1998, Neural Comput. 10:1137-1156):
//!   J_ij = -(C^-1)_ij for i != j, h_i = atanh(m_i) - sum_j J_ij m_j;
//! - TAP, with the Onsager reaction term (Kappen and Rodriguez 1998; Tanaka 1998, Phys. Rev. E
//!   58:2302-2310): (C^-1)_ij = -J_ij - 2 J_ij^2 m_i m_j, solved as
//!   J_ij = (sqrt(1 - 8 m_i m_j (C^-1)_ij) - 1) / (4 m_i m_j), the root that tends to
//!   -(C^-1)_ij as m_i m_j -> 0, and
//!   h_i = atanh(m_i) - sum_j J_ij m_j + m_i sum_j J_ij^2 (1 - m_j^2).
//!
//! Both are exact to first order in J (Roudi, Tyrcha and Hertz 2009, Phys. Rev. E 79:051915,
//! compare them with the exact fit). For 0/1 data fit the +-1 model and convert it with
//! [`IsingModel::to_zero_one`].

use serde::{Deserialize, Serialize};

use crate::error::{EbmError, Result};
use crate::linalg::invert_positive_definite;
use crate::model::IsingModel;
use crate::moments::{Moments, empirical_moments};

/// Which mean-field approximation to invert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeanFieldMethod {
    /// Naive mean field, J = -(C^-1) off the diagonal.
    Naive,
    /// Thouless-Anderson-Palmer, with the Onsager reaction term.
    Tap,
}

/// Fits the model to row-major samples x `n_spins` data of +-1 values by mean-field inversion.
///
/// # Errors
/// Sample errors as in [`empirical_moments`], and the errors of [`mean_field_from_moments`].
pub fn fit_mean_field(
    samples: &[i8],
    n_spins: usize,
    method: MeanFieldMethod,
) -> Result<IsingModel> {
    let moments = empirical_moments(samples, n_spins)?;
    mean_field_from_moments(&moments, method)
}

/// Inverts the mean-field equations for given means and pairwise moments <s_i s_j>.
///
/// # Errors
/// [`EbmError::ZeroSpins`], [`EbmError::MomentShape`], [`EbmError::InvalidMoment`] for a
/// NaN, infinite or out-of-range value (beyond 1 + 1e-9), [`EbmError::ConstantChannel`] when |m_i| = 1, and
/// [`EbmError::SingularCorrelation`] when C is not positive definite.
pub fn mean_field_from_moments(moments: &Moments, method: MeanFieldMethod) -> Result<IsingModel> {
    let n = moments.mean.len();
    validate_moments(moments)?;
    let mean = &moments.mean;
    let mut connected = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            connected[i * n + j] = moments.correlation[i * n + j] - mean[i] * mean[j];
        }
    }
    let inverse = invert_positive_definite(&connected, n)
        .map_err(|(channel, pivot)| EbmError::SingularCorrelation { channel, pivot })?;

    let mut coupling = vec![0.0; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            // C is symmetric, so its inverse is too up to rounding; average the two halves.
            let c_inv = 0.5 * (inverse[i * n + j] + inverse[j * n + i]);
            let value = match method {
                MeanFieldMethod::Naive => -c_inv,
                MeanFieldMethod::Tap => tap_coupling(c_inv, mean[i] * mean[j]),
            };
            coupling[i * n + j] = value;
            coupling[j * n + i] = value;
        }
    }
    let field = (0..n)
        .map(|i| {
            let row = &coupling[i * n..(i + 1) * n];
            let mut h = mean[i].atanh() - row.iter().zip(mean).map(|(j, m)| j * m).sum::<f64>();
            if method == MeanFieldMethod::Tap {
                h += mean[i]
                    * row
                        .iter()
                        .zip(mean)
                        .map(|(j, m)| j * j * (1.0 - m * m))
                        .sum::<f64>();
            }
            h
        })
        .collect();
    IsingModel::new(field, coupling)
}

/// Solves 2 m J^2 + J + c = 0 for the root near -c, with m = m_i m_j and c = (C^-1)_ij.
// NOTE: when 1 - 8 m c < 0 the TAP equation has no real root; the naive value -c is used
// there, as is common practice, so such pairs are only first-order accurate.
fn tap_coupling(c_inv: f64, mean_product: f64) -> f64 {
    if mean_product.abs() < 1e-12 {
        return -c_inv;
    }
    let discriminant = 1.0 - 8.0 * mean_product * c_inv;
    if discriminant < 0.0 {
        return -c_inv;
    }
    // (sqrt(d) - 1) / (4 m) rewritten as -2 c / (sqrt(d) + 1), which avoids cancellation.
    -2.0 * c_inv / (discriminant.sqrt() + 1.0)
}

fn validate_moments(moments: &Moments) -> Result<()> {
    let n = moments.mean.len();
    if n == 0 {
        return Err(EbmError::ZeroSpins);
    }
    if moments.correlation.len() != n * n {
        return Err(EbmError::MomentShape {
            mean_len: n,
            correlation_len: moments.correlation.len(),
        });
    }
    // Moments computed in floating point from probabilities can exceed 1 by rounding.
    let valid = |v: f64| v.is_finite() && v.abs() <= 1.0 + 1e-9;
    if let Some(index) = moments.mean.iter().position(|&v| !valid(v)) {
        return Err(EbmError::InvalidMoment {
            name: "mean",
            index,
            value: moments.mean[index],
        });
    }
    if let Some(index) = moments.correlation.iter().position(|&v| !valid(v)) {
        return Err(EbmError::InvalidMoment {
            name: "correlation",
            index,
            value: moments.correlation[index],
        });
    }
    if let Some(channel) = moments.mean.iter().position(|m| m.abs() >= 1.0) {
        let value = if moments.mean[channel] > 0.0 { 1 } else { -1 };
        return Err(EbmError::ConstantChannel { channel, value });
    }
    Ok(())
}
