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
//! - [`hopfield`]: associative memories, from the binary network of Hopfield 1982 to the
//!   dense memory of Krotov and Hopfield 2016 and the continuous modern network of Ramsauer et
//!   al. 2021, with batched retrieval on a Burn device.
//! - [`continuous`]: continuous energy-based models on R^d (neural energies, Langevin and
//!   Hamiltonian samplers, score matching, contrastive divergence, noise-contrastive
//!   estimation, attractor analysis).
//!
//! Samples are passed as row-major samples x N slices of `i8` holding +1 or -1.

mod accuracy;
pub mod continuous;
mod error;
mod fit;
pub mod hopfield;
mod landscape;
mod linalg;
mod model;
mod moments;
mod tensor;
mod walsh;

pub use accuracy::{AccuracyIndices, accuracy_indices};
pub use error::{EbmError, MAX_ENUMERATED_SPINS, Result};
pub use fit::{ExactFit, ExactFitConfig, fit_exact};
pub use hopfield::{
    ClassicHopfield, DenseAssociativeMemory, DenseUpdateConfig, HebbMemory, HopfieldLayer,
    HopfieldLayerConfig, Interaction, LearningRule, ModernHopfield, Regime, Retrieval, UpdateConfig, UpdateOutcome,
};
pub use landscape::{EnergyLandscape, Merge, energy_landscape};
pub use model::{IsingModel, MAX_INDEXED_SPINS, state_to_spins};
pub use moments::{Moments, empirical_moments};
pub use tensor::batch_energy;
