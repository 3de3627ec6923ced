//! The signal-propagation atlas reader on small HDF5 fixtures written with h5py by
//! `fixtures/make_funatlas.py` (see `fixtures/README.md`).

use std::path::{Path, PathBuf};

use ncm_data::{DataError, FunctionalAtlas};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Compares two maps entry by entry, NaN matching NaN.
fn assert_map(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (index, (a, e)) in actual.iter().zip(expected).enumerate() {
        if e.is_nan() {
            assert!(a.is_nan(), "{what}[{index}]: expected NaN, found {a}");
        } else {
            assert_eq!(a, e, "{what}[{index}]");
        }
    }
}

// The values written by make_funatlas.py, row-major [responding, stimulated].
const NAN: f64 = f64::NAN;
const WT_Q: [f64; 9] = [1e-13, 0.5, NAN, 0.01, 2e-12, 0.25, 0.04, NAN, 3e-11];
const WT_DFF: [f64; 9] = [0.75, 0.125, NAN, -0.5, 0.625, 0.0625, 0.25, NAN, 1.5];
const WT_OCC1: [u64; 9] = [12, 8, 0, 4, 16, 1, 6, 0, 5];
const UNC31_Q: [f64; 9] = [2e-10, 0.9, 0.3, NAN, 1e-9, 0.02, 0.6, 0.07, 5e-8];
const UNC31_DFF: [f64; 9] = [0.5, -0.25, 0.375, NAN, 0.875, 0.1875, 0.0, -0.125, 1.25];
const UNC31_OCC1: [u64; 9] = [3, 2, 7, 0, 9, 11, 1, 2, 4];

fn assert_fixture_values(atlas: &FunctionalAtlas) {
    assert_eq!(atlas.neuron_ids, ["AVAL", "AVAR", "RIS"]);
    assert_eq!(atlas.len(), 3);
    assert_map(&atlas.wt.q, &WT_Q, "wt/q");
    assert_map(&atlas.wt.dff, &WT_DFF, "wt/dFF");
    assert_eq!(atlas.wt.occ1, WT_OCC1);
    assert_map(&atlas.unc31.q, &UNC31_Q, "unc31/q");
    assert_map(&atlas.unc31.dff, &UNC31_DFF, "unc31/dFF");
    assert_eq!(atlas.unc31.occ1, UNC31_OCC1);
}

#[test]
fn contiguous_fixture_reads_all_maps() {
    let atlas = FunctionalAtlas::read(&fixture("funatlas_small.h5")).expect("valid fixture");
    assert_fixture_values(&atlas);

    // AVAR stimulated, AVAL responding: row 0, column 1.
    assert_eq!(atlas.wt.q_value(0, 1), 0.5);
    assert_eq!(atlas.index_of("RIS"), Some(2));
    assert_eq!(atlas.index_of("ASHL"), None);
}

#[test]
fn chunked_gzip_fixture_reads_same_values() {
    // The same values stored in 2 x 2 chunks with the shuffle and deflate filters.
    let atlas = FunctionalAtlas::read(&fixture("funatlas_chunked.h5")).expect("valid fixture");
    assert_fixture_values(&atlas);
}

#[test]
fn missing_occ1_is_missing_dataset() {
    let result = FunctionalAtlas::read(&fixture("funatlas_no_occ1.h5"));
    match result {
        Err(DataError::MissingDataset { dataset, .. }) => assert_eq!(dataset, "unc31/occ1"),
        other => panic!("expected MissingDataset, found {other:?}"),
    }
}

#[test]
fn non_square_q_is_shape_error() {
    let result = FunctionalAtlas::read(&fixture("funatlas_bad_shape.h5"));
    match result {
        Err(DataError::Shape { what, found, .. }) => {
            assert!(what.contains("wt/q"), "{what}");
            assert!(found.contains("[3, 2]"), "{found}");
        }
        other => panic!("expected Shape, found {other:?}"),
    }
}

#[test]
fn extra_name_is_shape_error() {
    // Four names but 3 x 3 maps.
    let result = FunctionalAtlas::read(&fixture("funatlas_four_names.h5"));
    match result {
        Err(DataError::Shape { expected, .. }) => assert!(expected.contains("4 x 4"), "{expected}"),
        other => panic!("expected Shape, found {other:?}"),
    }
}

#[test]
fn q_above_one_is_out_of_range() {
    let result = FunctionalAtlas::read(&fixture("funatlas_q_above_one.h5"));
    match result {
        Err(DataError::OutOfRange {
            what, index, value, ..
        }) => {
            assert!(what.contains("wt/q"), "{what}");
            assert_eq!(index, 5);
            assert_eq!(value, 1.5);
        }
        other => panic!("expected OutOfRange, found {other:?}"),
    }
}

#[test]
fn negative_occ1_is_out_of_range() {
    let result = FunctionalAtlas::read(&fixture("funatlas_negative_occ1.h5"));
    match result {
        Err(DataError::OutOfRange {
            what, index, value, ..
        }) => {
            assert!(what.contains("wt/occ1"), "{what}");
            assert_eq!(index, 7);
            assert_eq!(value, -2.0);
        }
        other => panic!("expected OutOfRange, found {other:?}"),
    }
}

#[test]
fn non_hdf5_file_is_hdf5_error() {
    let result = FunctionalAtlas::read(&fixture("white_small.tsv"));
    assert!(
        matches!(result, Err(DataError::Hdf5 { ref dataset, .. }) if dataset.is_empty()),
        "{result:?}"
    );
}

#[test]
fn absent_file_is_io_error() {
    let result = FunctionalAtlas::read(&fixture("no_such_atlas.h5"));
    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}

#[test]
fn text_q_is_hdf5_error() {
    let result = FunctionalAtlas::read(&fixture("funatlas_text_q.h5"));
    match result {
        Err(DataError::Hdf5 { dataset, .. }) => assert_eq!(dataset, "wt/q"),
        other => panic!("expected Hdf5, found {other:?}"),
    }
}

#[test]
fn no_names_is_empty_error() {
    let result = FunctionalAtlas::read(&fixture("funatlas_no_names.h5"));
    assert!(matches!(result, Err(DataError::Empty { .. })), "{result:?}");
}
