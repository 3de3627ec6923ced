//! The *C. elegans* signal-propagation atlas of Randi, Sharma, Dvali and Leifer 2023 (Nature
//! 623:406-414), as shipped in `wormneuroatlas/data/funatlas.h5` (wormneuroatlas 0.0.7.3).
//!
//! Randi et al. stimulated single neurons optogenetically and recorded the calcium responses
//! of the others. For each ordered pair the atlas stores the mean response amplitude, how
//! often the pair was observed, and the q-value (false discovery rate) of the test that the
//! responses differ from those in unstimulated recordings: a small q means a reliable
//! functional connection, and the paper calls a pair connected at q < 0.05.
//!
//! # File layout
//! An HDF5 file with `neuron_ids`, `n` fixed-length byte strings, and one group per strain,
//! `wt` (wild type) and `unc31` (mutants lacking dense-core-vesicle release of
//! neuropeptides). Each group contains `n x n` datasets `q` and `dFF` (float64) and `occ1`
//! (int64), indexed `[responding, stimulated]`. Other datasets in the groups (`dFF_all`,
//! `kernels`, `q_eq`) are not read.
//!
//! # Missing pairs
//! Pairs that were never observed, or observed too rarely for a test, hold NaN in `q` and
//! `dFF`. The reader keeps them as NaN, so indices stay those of the file, and the caller
//! chooses a rule such as `occ1 >= k` together with a finite `q`. The diagonal contains the
//! stimulated neuron's own response.
//!
//! The file is read with the pure-Rust `hdf5-pure` crate, which needs neither libhdf5 nor a C
//! compiler; it reads contiguous, chunked and deflate-compressed datasets.

use std::path::Path;

use crate::error::{DataError, Result};

/// Signal-propagation maps of one strain, each row-major `n x n` and indexed
/// `[responding, stimulated]` (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct AtlasMaps {
    /// q-value of the connection from the stimulated to the responding neuron, in `[0, 1]`;
    /// NaN where the pair was not tested.
    pub q: Vec<f64>,
    /// Mean response amplitude, ΔF/F averaged over a time window and the trials; NaN where
    /// the pair was not tested.
    pub dff: Vec<f64>,
    /// Number of observations of the pair (responding neuron identified while the other was
    /// stimulated).
    pub occ1: Vec<u64>,
}

impl AtlasMaps {
    /// q-value of the connection `stimulated -> responding`, NaN when untested.
    ///
    /// # Panics
    /// If an index is not below the neuron count of the atlas the maps came from.
    pub fn q_value(&self, responding: usize, stimulated: usize) -> f64 {
        self.q[responding * self.neuron_count() + stimulated]
    }

    /// Number of neurons `n` of the `n x n` maps.
    pub fn neuron_count(&self) -> usize {
        self.occ1.len().isqrt()
    }
}

/// The signal-propagation atlas: neuron names and the maps of both strains.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionalAtlas {
    /// Neuron names, the row and column order of every map. The file stores at most 5 bytes
    /// per name, so AWC-OFF and AWC-ON appear as `AWCOF` and `AWCON`.
    pub neuron_ids: Vec<String>,
    /// Wild-type maps.
    pub wt: AtlasMaps,
    /// Maps of `unc-31` mutants, which lack neuropeptide release from dense-core vesicles.
    pub unc31: AtlasMaps,
}

impl FunctionalAtlas {
    /// Reads the atlas at `path` (layout in the module documentation).
    ///
    /// # Errors
    /// - [`DataError::Io`] when the file cannot be read;
    /// - [`DataError::Hdf5`] when it is not a valid HDF5 file, or a dataset cannot be decoded
    ///   as the expected type (numbers for the maps, strings for `neuron_ids`);
    /// - [`DataError::MissingDataset`] when `neuron_ids` or one of `q`, `dFF`, `occ1` in
    ///   `wt` or `unc31` is absent;
    /// - [`DataError::Shape`] when a map is not `n x n` for the `n` names;
    /// - [`DataError::Empty`] when `neuron_ids` is empty;
    /// - [`DataError::OutOfRange`] for a q-value outside `[0, 1]`, an infinite `dFF` or a
    ///   negative `occ1`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
        let file = hdf5_pure::File::from_bytes(bytes).map_err(|e| hdf5_error(path, "", &e))?;
        let neuron_ids: Vec<String> = open(&file, path, "neuron_ids")?
            .read_string()
            .map_err(|e| hdf5_error(path, "neuron_ids", &e))?
            .iter()
            .map(|name| name.trim_end_matches('\0').trim().to_owned())
            .collect();
        if neuron_ids.is_empty() {
            return Err(DataError::Empty {
                path: path.to_path_buf(),
                what: "neuron names in neuron_ids".to_owned(),
            });
        }
        let n = neuron_ids.len();
        Ok(FunctionalAtlas {
            wt: read_maps(&file, path, "wt", n)?,
            unc31: read_maps(&file, path, "unc31", n)?,
            neuron_ids,
        })
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.neuron_ids.len()
    }

    /// Returns `true` when the atlas has no neurons, which never happens for a
    /// [`FunctionalAtlas::read`] result.
    pub fn is_empty(&self) -> bool {
        self.neuron_ids.is_empty()
    }

    /// Index of the neuron named `name`, or `None` when the atlas lacks it.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.neuron_ids.iter().position(|id| id == name)
    }
}

/// Opens the dataset at `name`, mapping a path that resolves to nothing to
/// [`DataError::MissingDataset`].
fn open(file: &hdf5_pure::File, path: &Path, name: &str) -> Result<hdf5_pure::Dataset> {
    file.dataset(name).map_err(|error| match error {
        hdf5_pure::Error::Format(hdf5_pure::FormatError::PathNotFound(_)) => {
            DataError::MissingDataset {
                path: path.to_path_buf(),
                dataset: name.to_owned(),
            }
        }
        other => hdf5_error(path, name, &other),
    })
}

/// Reads `q`, `dFF` and `occ1` of `group` and checks their shapes and ranges.
fn read_maps(file: &hdf5_pure::File, path: &Path, group: &str, n: usize) -> Result<AtlasMaps> {
    let q_name = format!("{group}/q");
    let q = read_square(file, path, &q_name, n, |d| d.read_f64())?;
    if let Some((index, &value)) = q
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_nan() && !(0.0..=1.0).contains(*v))
    {
        return Err(out_of_range(
            path,
            &q_name,
            index,
            value,
            "a q-value in [0, 1] or NaN",
        ));
    }

    let dff_name = format!("{group}/dFF");
    let dff = read_square(file, path, &dff_name, n, |d| d.read_f64())?;
    if let Some((index, &value)) = dff.iter().enumerate().find(|(_, v)| v.is_infinite()) {
        return Err(out_of_range(
            path,
            &dff_name,
            index,
            value,
            "a finite ΔF/F or NaN",
        ));
    }

    let occ1_name = format!("{group}/occ1");
    let occ1 = read_square(file, path, &occ1_name, n, |d| d.read_i64())?;
    let occ1 = occ1
        .iter()
        .enumerate()
        .map(|(index, &count)| {
            u64::try_from(count).map_err(|_| {
                out_of_range(
                    path,
                    &occ1_name,
                    index,
                    count as f64,
                    "a non-negative count",
                )
            })
        })
        .collect::<Result<Vec<u64>>>()?;
    Ok(AtlasMaps { q, dff, occ1 })
}

/// Reads dataset `name` with `read` after checking that its shape is `[n, n]`.
fn read_square<T>(
    file: &hdf5_pure::File,
    path: &Path,
    name: &str,
    n: usize,
    read: impl Fn(&hdf5_pure::Dataset) -> std::result::Result<Vec<T>, hdf5_pure::Error>,
) -> Result<Vec<T>> {
    let dataset = open(file, path, name)?;
    let shape = dataset.shape().map_err(|e| hdf5_error(path, name, &e))?;
    if shape != [n as u64, n as u64] {
        return Err(DataError::Shape {
            what: format!("{} dataset {name}", path.display()),
            expected: format!("{n} x {n}, one row and column per name in neuron_ids"),
            found: format!("shape {shape:?}"),
        });
    }
    read(&dataset).map_err(|e| hdf5_error(path, name, &e))
}

fn hdf5_error(path: &Path, dataset: &str, error: &hdf5_pure::Error) -> DataError {
    DataError::Hdf5 {
        path: path.to_path_buf(),
        dataset: dataset.to_owned(),
        detail: error.to_string(),
    }
}

fn out_of_range(path: &Path, dataset: &str, index: usize, value: f64, expected: &str) -> DataError {
    DataError::OutOfRange {
        what: format!("{} dataset {dataset}", path.display()),
        index,
        value,
        expected: expected.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_value_indexes_responding_then_stimulated() {
        let maps = AtlasMaps {
            q: vec![0.0, 0.1, 0.2, 0.3],
            dff: vec![0.0; 4],
            occ1: vec![1; 4],
        };
        assert_eq!(maps.neuron_count(), 2);
        assert_eq!(maps.q_value(0, 1), 0.1);
        assert_eq!(maps.q_value(1, 0), 0.2);
    }
}
