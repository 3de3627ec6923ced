//! Energy-based models of neural circuits: the pairwise maximum-entropy (Ising) model of
//! Schneidman et al. 2006 (Nature 440:1007),
//!
//! E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j,  P(s) = exp(-E(s)) / Z,  s_i in {-1, +1},
//!
//! with the exact fit, accuracy indices and energy landscape analysis of Ezaki et al. 2017
//! (Phil. Trans. R. Soc. A 375:20160287).
//!
//! - [`IsingModel`]: validated fields and couplings, [`IsingModel::energy`] and
//!   [`IsingModel::energy_of_index`] (bit i of the index set means s_i = +1).
//! - [`fit_exact`]: maximum likelihood by Newton's method over all 2^N states, N <= 20.
//! - [`accuracy_indices`]: r = (S1 - S2) / (S1 - SN) and r_D = (D1 - D2) / D1.
//! - [`energy_landscape`]: local minima, basins, barriers and the disconnectivity graph.
//! - [`batch_energy`]: energies of many states as tensor operations on a Burn device.
//! - Beyond enumeration, for N up to several hundred: [`fit_pseudolikelihood`] (per-site
//!   logistic regressions, Aurell and Ekeberg 2012) and [`fit_mean_field`] (naive and TAP
//!   inversion). [`fit_boltzmann`] and [`gibbs_sample`] run persistent Gibbs chains on a Burn
//!   device, and [`sampled_energy_landscape`] finds minima, basins and barriers over a
//!   searched set of states.
//! - [`ZeroOneModel`] and [`IsingModel::to_zero_one`]: exact conversion between the +-1 and
//!   0/1 conventions.
//! - [`hopfield`]: associative memories, from the binary network of Hopfield 1982 to the
//!   dense memory of Krotov and Hopfield 2016 and the continuous modern network of Ramsauer et
//!   al. 2021, with batched retrieval on a Burn device.
//! - [`rbm`]: Bernoulli and Gaussian-Bernoulli restricted Boltzmann machines with CD-k and
//!   persistent CD training, pseudo-likelihood and log Z by annealed importance sampling.
//! - [`continuous`]: continuous energy-based models on R^d (neural energies, Langevin and
//!   Hamiltonian samplers, score matching, contrastive divergence, noise-contrastive
//!   estimation, attractor analysis).
//!
//! Samples are passed as row-major samples x N slices of `i8` holding +1 or -1.

mod accuracy;
mod convention;
pub mod continuous;
mod error;
mod fit;
pub mod hopfield;
mod landscape;
mod landscape_search;
mod linalg;
mod mcmc;
mod mean_field;
mod model;
mod moments;
pub mod rbm;
mod pseudolikelihood;
mod tensor;
mod walsh;

pub use accuracy::{AccuracyIndices, accuracy_indices};
pub use convention::{ZeroOneModel, spins_to_zero_one, zero_one_to_spins};
pub use error::{EbmError, MAX_ENUMERATED_SPINS, MAX_LANDSCAPE_MINIMA, Result};
pub use fit::{ExactFit, ExactFitConfig, fit_exact};
pub use hopfield::{
    ClassicHopfield, DenseAssociativeMemory, DenseUpdateConfig, HebbMemory, HopfieldLayer,
    HopfieldLayerConfig, Interaction, LearningRule, ModernHopfield, Regime, Retrieval, UpdateConfig, UpdateOutcome,
};
pub use landscape::{EnergyLandscape, Merge, energy_landscape};
pub use landscape_search::{LandscapeSearchConfig, SampledLandscape, sampled_energy_landscape};
pub use mcmc::{BoltzmannConfig, BoltzmannFit, GibbsConfig, fit_boltzmann, gibbs_sample};
pub use mean_field::{MeanFieldMethod, fit_mean_field, mean_field_from_moments};
pub use model::{IsingModel, MAX_INDEXED_SPINS, state_to_spins};
pub use moments::{Moments, empirical_moments};
pub use rbm::{Rbm, RbmError};
pub use pseudolikelihood::{
    PseudoLikelihoodConfig, PseudoLikelihoodFit, fit_pseudolikelihood, fit_pseudolikelihood_weighted,
};
pub use tensor::batch_energy;
