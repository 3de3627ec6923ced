//! The [`Energy`] interface shared by samplers, training objectives and attractor analysis, with
//! closed-form energies: a Gaussian, a double well and a trainable quadratic energy.
//!
//! All energies map a batch `[n, d]` of states to `[n]` energies and `[n, d]` gradients. A
//! density p(x) = exp(-E(x)) / Z is implied, so the score is s(x) = -grad_x E(x).

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

use crate::continuous::error::{ContinuousError, ContinuousResult, invalid};
use crate::continuous::linalg::invert_spd;
use crate::continuous::tensor::check_finite;

/// Relative step of the default finite-difference Hessian-vector product.
const HVP_STEP: f64 = 1e-3;

/// An energy on R^d evaluated on batches.
pub trait Energy {
    /// Dimension d of the states.
    fn dim(&self) -> usize;

    /// Computes E(x) for each row.
    ///
    /// # Shapes
    /// - `x`: `[n, d]`; returns `[n]`.
    fn energy(&self, x: Tensor<2>) -> Tensor<1>;

    /// Computes grad_x E(x) for each row.
    ///
    /// # Shapes
    /// - `x`: `[n, d]`; returns `[n, d]`.
    fn grad(&self, x: Tensor<2>) -> Tensor<2>;

    /// Computes the energy and its gradient together; implementations share the forward pass.
    fn energy_and_grad(&self, x: Tensor<2>) -> (Tensor<1>, Tensor<2>) {
        (self.energy(x.clone()), self.grad(x))
    }

    /// Computes the Hessian-vector product H(x) v for each row.
    ///
    /// The default is the central difference (grad E(x + h v) - grad E(x - h v)) / (2 h) with
    /// h = 1e-3, accurate to O(h^2) times the third derivative; the provided energies override
    /// it with the exact product.
    ///
    /// # Shapes
    /// - `x`, `v`: `[n, d]`; returns `[n, d]`.
    fn hvp(&self, x: Tensor<2>, v: Tensor<2>) -> Tensor<2> {
        let step = v.clone().mul_scalar(HVP_STEP);
        let forward = self.grad(x.clone().add(step.clone()));
        let backward = self.grad(x.sub(step));
        forward.sub(backward).div_scalar(2.0 * HVP_STEP)
    }
}

/// Gaussian energy E(x) = (x - mu)^T P (x - mu) / 2 with precision P = Sigma^{-1}, so that
/// exp(-E) is N(mu, Sigma) up to its normaliser.
#[derive(Debug, Clone)]
pub struct GaussianEnergy {
    mean: Tensor<2>,
    precision: Tensor<2>,
    dim: usize,
}

impl GaussianEnergy {
    /// Builds the energy of N(mean, covariance) on `device`.
    ///
    /// # Arguments
    /// - `mean`: d values.
    /// - `covariance`: row-major d x d, symmetric positive definite.
    ///
    /// # Errors
    /// [`ContinuousError::EmptyData`] for d = 0, [`ContinuousError::LengthMismatch`] when the
    /// covariance is not d x d, [`ContinuousError::NonFiniteData`] for NaN or infinite entries and
    /// [`ContinuousError::InvalidSetting`] when the covariance is not positive definite.
    pub fn new(mean: &[f64], covariance: &[f64], device: &Device) -> ContinuousResult<Self> {
        let dim = mean.len();
        if dim == 0 {
            return Err(ContinuousError::EmptyData {
                what: "mean",
                dim: 0,
            });
        }
        if covariance.len() != dim * dim {
            return Err(ContinuousError::LengthMismatch {
                what: "covariance",
                len: covariance.len(),
                dim: dim * dim,
            });
        }
        check_finite("mean", mean, dim)?;
        check_finite("covariance", covariance, dim)?;
        let precision = invert_spd(covariance, dim).ok_or_else(|| {
            invalid(
                "covariance",
                "a matrix that is not positive definite",
                "a symmetric positive definite matrix",
            )
        })?;

        let mean = Tensor::<2>::from_data(TensorData::new(to_f32(mean), [1, dim]), device);
        let precision =
            Tensor::<2>::from_data(TensorData::new(to_f32(&precision), [dim, dim]), device);
        Ok(Self {
            mean,
            precision,
            dim,
        })
    }
}

impl Energy for GaussianEnergy {
    fn dim(&self) -> usize {
        self.dim
    }

    fn energy(&self, x: Tensor<2>) -> Tensor<1> {
        let centred = x.sub(self.mean.clone());
        centred
            .clone()
            .matmul(self.precision.clone())
            .mul(centred)
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .mul_scalar(0.5)
    }

    fn grad(&self, x: Tensor<2>) -> Tensor<2> {
        x.sub(self.mean.clone()).matmul(self.precision.clone())
    }

    fn hvp(&self, _x: Tensor<2>, v: Tensor<2>) -> Tensor<2> {
        v.matmul(self.precision.clone())
    }
}

/// Double-well energy E(x) = b (x_1^2 - 1)^2 + (x_2^2 + ... + x_d^2) / 2 with barrier height b.
///
/// Its stationary points are the minima x = (+-1, 0, ..., 0), with Hessian diag(8 b, 1, ..., 1),
/// and the saddle x = 0, with Hessian diag(-4 b, 1, ..., 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleWell {
    dim: usize,
    barrier: f64,
}

impl DoubleWell {
    /// Builds the double well on R^dim.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] for `dim` = 0 or a barrier that is not finite and > 0.
    pub fn new(dim: usize, barrier: f64) -> ContinuousResult<Self> {
        crate::continuous::error::check_nonzero("dim", dim)?;
        crate::continuous::error::check_positive("barrier", barrier)?;
        Ok(Self { dim, barrier })
    }

    /// Splits x into its first column and a mask that zeroes the first column.
    fn first_column(&self, x: &Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [n, d] = x.dims();
        let first = x.clone().slice([0..n, 0..1]);
        let mut rest_mask = vec![1.0f32; d];
        rest_mask[0] = 0.0;
        let rest_mask = Tensor::<2>::from_data(TensorData::new(rest_mask, [1, d]), &x.device());
        (first, rest_mask)
    }

    fn first_axis(&self, device: &Device) -> Tensor<2> {
        let mut axis = vec![0.0f32; self.dim];
        axis[0] = 1.0;
        Tensor::<2>::from_data(TensorData::new(axis, [1, self.dim]), device)
    }
}

impl Energy for DoubleWell {
    fn dim(&self) -> usize {
        self.dim
    }

    fn energy(&self, x: Tensor<2>) -> Tensor<1> {
        let (first, rest_mask) = self.first_column(&x);
        let well = first
            .square()
            .sub_scalar(1.0)
            .square()
            .mul_scalar(self.barrier); // [n, 1]
        let rest = x.square().mul(rest_mask).sum_dim(1).mul_scalar(0.5);
        well.add(rest).squeeze_dim::<1>(1)
    }

    fn grad(&self, x: Tensor<2>) -> Tensor<2> {
        let (first, rest_mask) = self.first_column(&x);
        let axis = self.first_axis(&x.device());
        // d/dx_1 b (x_1^2 - 1)^2 = 4 b x_1 (x_1^2 - 1)
        let well_slope = first
            .clone()
            .square()
            .sub_scalar(1.0)
            .mul(first)
            .mul_scalar(4.0 * self.barrier); // [n, 1]
        x.mul(rest_mask).add(well_slope.mul(axis))
    }

    fn hvp(&self, x: Tensor<2>, v: Tensor<2>) -> Tensor<2> {
        let (first, rest_mask) = self.first_column(&x);
        let axis = self.first_axis(&x.device());
        let [n, _] = v.dims();
        // d2/dx_1^2 b (x_1^2 - 1)^2 = b (12 x_1^2 - 4)
        let well_curvature = first
            .square()
            .mul_scalar(12.0 * self.barrier)
            .sub_scalar(4.0 * self.barrier);
        let v_first = v.clone().slice([0..n, 0..1]);
        v.mul(rest_mask).add(well_curvature.mul(v_first).mul(axis))
    }
}

/// Trainable quadratic energy E(x) = |(x - mu) A^T|^2 / 2 + b, a Gaussian with precision
/// A^T A and free offset b (the negative log-normaliser that noise-contrastive estimation fits).
#[derive(Module, Debug)]
pub struct QuadraticEnergy {
    /// Centre mu, `[1, d]`.
    centre: Param<Tensor<2>>,
    /// Square root of the precision, `[d, d]`.
    root_precision: Param<Tensor<2>>,
    /// Offset b, `[1]`.
    offset: Param<Tensor<1>>,
    dim: usize,
}

impl QuadraticEnergy {
    /// Builds the standard normal energy (mu = 0, A = I, b = 0) on R^dim on `device`.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] for `dim` = 0.
    pub fn standard(dim: usize, device: &Device) -> ContinuousResult<Self> {
        crate::continuous::error::check_nonzero("dim", dim)?;
        let mut identity = vec![0.0f32; dim * dim];
        for i in 0..dim {
            identity[i * dim + i] = 1.0;
        }
        Ok(Self {
            centre: Param::from_tensor(Tensor::zeros([1, dim], device)),
            root_precision: Param::from_tensor(Tensor::from_data(
                TensorData::new(identity, [dim, dim]),
                device,
            )),
            offset: Param::from_tensor(Tensor::zeros([1], device)),
            dim,
        })
    }

    /// Current centre mu, d values.
    ///
    /// # Errors
    /// [`ContinuousError::Backend`] when the read-back fails.
    pub fn centre(&self) -> ContinuousResult<Vec<f32>> {
        crate::continuous::tensor::read(self.centre.val())
    }

    /// Current offset b.
    ///
    /// # Errors
    /// [`ContinuousError::Backend`] when the read-back fails.
    pub fn offset(&self) -> ContinuousResult<f64> {
        crate::continuous::tensor::read_scalar(self.offset.val())
    }

    /// Current covariance (A^T A)^{-1}, row-major d x d, in f64.
    ///
    /// # Errors
    /// [`ContinuousError::Backend`] when the read-back fails and
    /// [`ContinuousError::InvalidSetting`] when A^T A is singular.
    pub fn covariance(&self) -> ContinuousResult<Vec<f64>> {
        let root = self.root_precision.val();
        let precision = root.clone().transpose().matmul(root);
        let precision: Vec<f64> = crate::continuous::tensor::read(precision)?
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        invert_spd(&precision, self.dim).ok_or_else(|| {
            invalid(
                "root_precision",
                "a singular matrix",
                "an invertible square root of the precision",
            )
        })
    }
}

impl Energy for QuadraticEnergy {
    fn dim(&self) -> usize {
        self.dim
    }

    fn energy(&self, x: Tensor<2>) -> Tensor<1> {
        let whitened = x
            .sub(self.centre.val())
            .matmul(self.root_precision.val().transpose());
        whitened
            .square()
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .mul_scalar(0.5)
            .add(self.offset.val())
    }

    fn grad(&self, x: Tensor<2>) -> Tensor<2> {
        let root = self.root_precision.val();
        x.sub(self.centre.val())
            .matmul(root.clone().transpose())
            .matmul(root)
    }

    fn hvp(&self, _x: Tensor<2>, v: Tensor<2>) -> Tensor<2> {
        let root = self.root_precision.val();
        v.matmul(root.clone().transpose()).matmul(root)
    }
}

fn to_f32(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}
