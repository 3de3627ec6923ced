//! Continuous energy-based models on R^d: a density p(x) = exp(-E(x)) / Z with a neural or
//! closed-form energy E, Markov chain samplers, training objectives, attractor analysis and
//! evaluation against known densities.
//!
//! - [`EnergyNet`] (built by [`EnergyNetConfig::init`]): an MLP energy with an analytic input
//!   gradient and Hessian-vector product, optionally spectrally normalised.
//! - [`Energy`]: the batch interface (energy, gradient, Hessian-vector product), implemented by
//!   [`EnergyNet`], [`QuadraticEnergy`], [`GaussianEnergy`] and [`DoubleWell`].
//! - [`sample`]: ULA, MALA and HMC chains with annealing, see [`SamplerConfig`].
//! - [`Trainer`]: Adam on denoising or sliced score matching, contrastive divergence or
//!   noise-contrastive estimation ([`Objective`]), stopping with [`ContinuousError::Diverged`].
//! - [`find_attractors`]: fixed points, basins and Hessian spectra.
//! - [`GaussianMixture`], [`mmd_rbf`] and [`denoising_error`]: evaluation.
//!
//! States are row-major `[n, d]` f32 tensors or buffers. Randomness comes from seeded ChaCha8
//! streams on the CPU, so a seed gives the same numbers on every backend.
//!
//! Training a network by denoising score matching on a two-mode mixture, then sampling it:
//!
//! ```
//! use burn::module::Module;
//! use burn::tensor::Device;
//! use ncm_ebm::continuous::{
//!     EnergyNetConfig, GaussianMixture, Objective, SamplerConfig, TrainConfig, Trainer, rows_to_tensor, sample,
//! };
//!
//! let data = GaussianMixture::isotropic(&[-1.0, 1.0], 1, 0.3)?.sample(500, 0);
//! let device = Device::flex().autodiff();
//! let model = EnergyNetConfig::new(1).with_width(16).with_confinement(0.1).init(&device)?;
//! let objective = Objective::DenoisingScoreMatching { noise_levels: vec![0.1] };
//! let mut trainer = Trainer::new(model, &data, TrainConfig { objective, steps: 50, ..TrainConfig::default() }, &device)?;
//! trainer.run()?;
//!
//! let model = trainer.into_model().valid();
//! let starts = rows_to_tensor("starts", &[0.0; 100], 1, &Device::flex())?;
//! let output = sample(&model, starts, &SamplerConfig { n_steps: 100, ..SamplerConfig::default() })?;
//! assert_eq!(output.rows.len(), 100);
//! assert!(output.acceptance_rate.unwrap() > 0.5);
//! # Ok::<(), ncm_ebm::continuous::ContinuousError>(())
//! ```

mod attractors;
mod energy;
mod error;
mod eval;
mod linalg;
mod network;
pub mod objectives;
mod sampler;
mod tensor;
mod train;

pub use attractors::{AttractorAnalysis, AttractorConfig, FixedPoint, Stability, find_attractors};
pub use energy::{DoubleWell, Energy, GaussianEnergy, QuadraticEnergy};
pub use error::{ContinuousError, ContinuousResult};
pub use eval::{
    GaussianMixture, denoising_error, median_distance, mmd_rbf, oracle_denoising_error,
};
pub use network::{Activation, EnergyNet, EnergyNetConfig};
pub use sampler::{Annealing, SampleOutput, SamplerConfig, SamplerMethod, sample};
pub use tensor::rows_to_tensor;
pub use train::{Objective, TrainConfig, TrainRecord, Trainer};
