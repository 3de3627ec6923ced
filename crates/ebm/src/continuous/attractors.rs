//! Attractor analysis of a continuous energy: gradient descent x <- x - eta grad E(x) from each
//! start until |grad E| falls below a tolerance, merging of the end points into fixed points,
//! basins (which fixed point each start reaches), and the Hessian spectrum at each fixed point.
//!
//! The Hessian is built column by column from central differences of the gradient,
//! H e_i = (grad E(x + h e_i) - grad E(x - h e_i)) / (2 h), symmetrised, and diagonalised by
//! cyclic Jacobi rotations. All eigenvalues above the tolerance make a stable fixed point, a
//! local minimum and attractor of the descent. With k eigenvalues below minus the tolerance, the
//! point is a saddle of index k. Descent reaches a saddle only from its stable manifold (for example a start
//! on a symmetry axis), so saddles found here are those the starts happen to hit.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::continuous::energy::Energy;
use crate::continuous::error::{ContinuousError, ContinuousResult, check_nonzero, check_positive};
use crate::continuous::linalg::symmetric_eigenvalues;
use crate::continuous::tensor::{check_rows, read};

/// Settings of [`find_attractors`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttractorConfig {
    /// Descent step eta, finite and > 0. Default 0.01.
    pub step_size: f64,
    /// Largest number of descent steps, at least 1. Default 20000.
    pub max_steps: usize,
    /// A start has converged when |grad E| <= this, > 0. Default 1e-4.
    pub gradient_tolerance: f64,
    /// End points closer than this (Euclidean) are one fixed point, > 0. Default 0.05.
    pub merge_distance: f64,
    /// Finite-difference step h of the Hessian, > 0. Default 1e-2.
    pub hessian_step: f64,
    /// Eigenvalues within +-this of zero count as flat, > 0. Default 1e-3.
    pub eigenvalue_tolerance: f64,
}

impl Default for AttractorConfig {
    fn default() -> Self {
        Self {
            step_size: 0.01,
            max_steps: 20_000,
            gradient_tolerance: 1e-4,
            merge_distance: 0.05,
            hessian_step: 1e-2,
            eigenvalue_tolerance: 1e-3,
        }
    }
}

impl AttractorConfig {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`ContinuousError::InvalidSetting`] naming the first bad value.
    pub fn validate(&self) -> ContinuousResult<()> {
        check_positive("step_size", self.step_size)?;
        check_nonzero("max_steps", self.max_steps)?;
        check_positive("gradient_tolerance", self.gradient_tolerance)?;
        check_positive("merge_distance", self.merge_distance)?;
        check_positive("hessian_step", self.hessian_step)?;
        check_positive("eigenvalue_tolerance", self.eigenvalue_tolerance)
    }
}

/// Local shape of the energy at a fixed point, read from the Hessian eigenvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Stability {
    /// Every eigenvalue is positive: a local minimum.
    Stable,
    /// `negative_directions` eigenvalues are negative: a saddle of that index (a maximum when it
    /// equals d).
    Saddle { negative_directions: usize },
    /// No negative eigenvalue but at least one within the tolerance of zero.
    Degenerate,
}

/// One fixed point of the descent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedPoint {
    /// Location, the first end point merged into it, d values.
    pub location: Vec<f64>,
    /// Energy at the location.
    pub energy: f64,
    /// Hessian eigenvalues in ascending order.
    pub eigenvalues: Vec<f64>,
    /// Stability read from the eigenvalues.
    pub stability: Stability,
    /// Number of starts that reached it.
    pub basin_size: usize,
}

/// Result of [`find_attractors`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttractorAnalysis {
    /// Fixed points, in order of first discovery.
    pub fixed_points: Vec<FixedPoint>,
    /// For each start, the index of its fixed point, or `None` when its descent did not
    /// converge within `max_steps`.
    pub basin: Vec<Option<usize>>,
}

/// Descends from every start, merges the end points into fixed points and classifies them.
///
/// # Arguments
/// - `energy`: the energy E.
/// - `starts`: row-major n x d start points (for example data points).
/// - `config`: descent, merging and Hessian settings.
/// - `device`: device the energy lives on.
///
/// # Errors
/// [`ContinuousError::InvalidSetting`] for a bad setting, [`ContinuousError::EmptyData`],
/// [`ContinuousError::LengthMismatch`] or [`ContinuousError::NonFiniteData`] for bad starts,
/// [`ContinuousError::NonFiniteStates`] when the descent leaves the finite range, and
/// [`ContinuousError::Backend`] when a read-back fails.
pub fn find_attractors<E: Energy>(
    energy: &E,
    starts: &[f32],
    config: &AttractorConfig,
    device: &Device,
) -> ContinuousResult<AttractorAnalysis> {
    config.validate()?;
    let dim = energy.dim();
    let n = check_rows("start points", starts, dim)?;
    let (ends, gradient_norms) = descend(energy, starts, n, dim, config, device)?;

    let mut fixed_points: Vec<FixedPoint> = Vec::new();
    let mut basin = Vec::with_capacity(n);
    for (row, &gradient_norm) in ends.chunks_exact(dim).zip(&gradient_norms) {
        if gradient_norm > config.gradient_tolerance {
            basin.push(None);
            continue;
        }
        let point: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
        let found = fixed_points
            .iter()
            .position(|fixed| distance(&fixed.location, &point) <= config.merge_distance);
        let index = match found {
            Some(index) => index,
            None => {
                fixed_points.push(classify(energy, point, config, device)?);
                fixed_points.len() - 1
            }
        };
        fixed_points[index].basin_size += 1;
        basin.push(Some(index));
    }
    Ok(AttractorAnalysis {
        fixed_points,
        basin,
    })
}

/// Runs the descent; returns the end points and their gradient norms.
fn descend<E: Energy>(
    energy: &E,
    starts: &[f32],
    n: usize,
    dim: usize,
    config: &AttractorConfig,
    device: &Device,
) -> ContinuousResult<(Vec<f32>, Vec<f64>)> {
    // Checking convergence reads the gradients back, so it runs every CHECK_EVERY steps.
    const CHECK_EVERY: usize = 100;
    let mut x = Tensor::<2>::from_data(TensorData::new(starts.to_vec(), [n, dim]), device);
    let mut steps = 0;
    loop {
        let gradient = energy.grad(x.clone());
        if steps % CHECK_EVERY == 0 || steps == config.max_steps {
            let norms = row_norms(&read(gradient.clone())?, dim);
            if norms.iter().any(|v| !v.is_finite()) {
                return Err(ContinuousError::NonFiniteStates {
                    what: "the attractor descent",
                    step_size: config.step_size,
                });
            }
            if steps == config.max_steps || norms.iter().all(|&v| v <= config.gradient_tolerance) {
                return Ok((read(x)?, norms));
            }
        }
        x = x.sub(gradient.mul_scalar(config.step_size));
        steps += 1;
    }
}

/// Computes the energy and Hessian spectrum at `point`.
fn classify<E: Energy>(
    energy: &E,
    point: Vec<f64>,
    config: &AttractorConfig,
    device: &Device,
) -> ContinuousResult<FixedPoint> {
    let dim = point.len();
    let h = config.hessian_step;
    // Rows 2i and 2i + 1 are x + h e_i and x - h e_i.
    let mut shifted = Vec::with_capacity(2 * dim * dim);
    for i in 0..dim {
        for sign in [1.0, -1.0] {
            shifted.extend(
                point
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| (if k == i { v + sign * h } else { v }) as f32),
            );
        }
    }
    let shifted = Tensor::<2>::from_data(TensorData::new(shifted, [2 * dim, dim]), device);
    let gradients = read(energy.grad(shifted))?;
    let mut hessian = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..dim {
            let forward = f64::from(gradients[2 * i * dim + j]);
            let backward = f64::from(gradients[(2 * i + 1) * dim + j]);
            hessian[i * dim + j] = (forward - backward) / (2.0 * h);
        }
    }
    let symmetric: Vec<f64> = (0..dim * dim)
        .map(|index| 0.5 * (hessian[index] + hessian[(index % dim) * dim + index / dim]))
        .collect();
    let eigenvalues = symmetric_eigenvalues(&symmetric, dim);

    let tolerance = config.eigenvalue_tolerance;
    let negative_directions = eigenvalues.iter().filter(|&&v| v < -tolerance).count();
    let stability = if negative_directions > 0 {
        Stability::Saddle {
            negative_directions,
        }
    } else if eigenvalues.iter().all(|&v| v > tolerance) {
        Stability::Stable
    } else {
        Stability::Degenerate
    };

    let location = Tensor::<2>::from_data(
        TensorData::new(
            point.iter().map(|&v| v as f32).collect::<Vec<_>>(),
            [1, dim],
        ),
        device,
    );
    let energy_value = f64::from(read(energy.energy(location))?[0]);
    Ok(FixedPoint {
        location: point,
        energy: energy_value,
        eigenvalues,
        stability,
        basin_size: 0,
    })
}

fn row_norms(values: &[f32], dim: usize) -> Vec<f64> {
    values
        .chunks_exact(dim)
        .map(|row| {
            row.iter()
                .map(|&v| f64::from(v).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect()
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}
