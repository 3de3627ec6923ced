//! MAT-file, recording and spike-time readers on small synthetic fixtures.
//!
//! The MAT fixtures were written with `scipy.io.savemat` (see
//! `fixtures/README.md`); expected values are the arrays passed to it.

use std::path::{Path, PathBuf};

use ncm_data::{
    DataError, Recording, TimeUnit, list_mat_variables, read_mat_matrix, read_spike_times,
    read_spike_times_in,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn compressed_matrix_is_row_major() {
    let m = read_mat_matrix(&fixture("matrix_compressed.mat"), "tc").expect("valid fixture");
    assert_eq!((m.rows, m.cols), (2, 3));
    assert_eq!(m.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
    assert_eq!(m.get(1, 2), Some(6.5));
    assert_eq!(m.get(2, 0), None);
    assert_eq!(m.row(1), Some(&[4.0, 5.0, 6.5][..]));
}

#[test]
fn uncompressed_matrix() {
    let m = read_mat_matrix(&fixture("matrix_uncompressed.mat"), "sc").expect("valid fixture");
    assert_eq!((m.rows, m.cols), (3, 3));
    // 0.5 * [[0 1 2] [3 4 5] [6 7 8]]
    assert_eq!(m.get(0, 1), Some(0.5));
    assert_eq!(m.get(2, 0), Some(3.0));
}

#[test]
fn numeric_classes_convert_to_f64() {
    let path = fixture("numeric_types.mat");
    let single = read_mat_matrix(&path, "single").expect("single");
    assert_eq!(single.data, vec![1.5, -2.0]);
    let uint8 = read_mat_matrix(&path, "uint8").expect("uint8");
    assert_eq!(uint8.data, vec![0.0, 255.0, 3.0]);
    let int16 = read_mat_matrix(&path, "int16").expect("int16");
    assert_eq!(int16.data, vec![-300.0, 2.0, 5.0, 6.0]);
}

#[test]
fn int32_is_decode_error_without_hiding_others() {
    // matfile 0.5 maps the int32 class to uint32 storage and rejects the array.
    let path = fixture("numeric_types.mat");
    let result = read_mat_matrix(&path, "int32");
    match result {
        Err(DataError::MatDecode { detail, .. }) => assert!(detail.contains("int32"), "{detail}"),
        other => panic!("expected MatDecode, got {other:?}"),
    }
    let names = list_mat_variables(&path).expect("other variables decode");
    assert_eq!(names, ["single", "uint8", "int16", "complex", "cube"]);
}

#[test]
fn complex_and_3d_are_shape_errors() {
    let path = fixture("numeric_types.mat");
    for variable in ["complex", "cube"] {
        let result = read_mat_matrix(&path, variable);
        assert!(
            matches!(result, Err(DataError::Shape { .. })),
            "{variable}: {result:?}"
        );
    }
}

#[test]
fn missing_variable_lists_present() {
    let result = read_mat_matrix(&fixture("matrix_compressed.mat"), "sc");
    match result {
        Err(DataError::MissingVariable {
            variable, present, ..
        }) => {
            assert_eq!(variable, "sc");
            // The char variable `note` is not numeric, so only `tc` is listed.
            assert_eq!(present, vec!["tc".to_string()]);
        }
        other => panic!("expected MissingVariable, got {other:?}"),
    }
    let names = list_mat_variables(&fixture("matrix_compressed.mat")).expect("valid fixture");
    assert_eq!(names, vec!["tc".to_string()]);
}

#[test]
fn truncated_mat_is_reported() {
    for file in ["truncated.mat", "header_only.mat"] {
        let result = read_mat_matrix(&fixture(file), "tc");
        assert!(
            matches!(result, Err(DataError::TruncatedMat { .. })),
            "{file}: {result:?}"
        );
    }
}

#[test]
fn non_mat_file_is_reported() {
    let result = read_mat_matrix(&fixture("not_a_mat.mat"), "tc");
    assert!(
        matches!(result, Err(DataError::NotMatFile { .. })),
        "{result:?}"
    );
    let result = read_mat_matrix(&fixture("white_small.tsv"), "tc");
    assert!(
        matches!(result, Err(DataError::NotMatFile { .. })),
        "{result:?}"
    );
}

#[test]
fn missing_mat_file_is_io_error() {
    let result = read_mat_matrix(&fixture("no_such_file.mat"), "tc");
    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}

#[test]
fn recording_from_mat() {
    let r = Recording::from_mat(&fixture("matrix_compressed.mat"), "tc", 0.72).expect("valid");
    assert_eq!((r.channels, r.samples), (2, 3));
    assert_eq!(r.channel(1), Some(&[4.0, 5.0, 6.5][..]));
    assert_eq!(r.labels, vec!["region 0", "region 1"]);
    assert!((r.duration_s() - 2.16).abs() < 1e-12);
    let bad_interval = Recording::from_mat(&fixture("matrix_compressed.mat"), "tc", 0.0);
    assert!(matches!(
        bad_interval,
        Err(DataError::InvalidParameter { .. })
    ));
}

#[test]
fn spike_trials_split_on_headers_and_blanks() {
    let s = read_spike_times(&fixture("spikes_trials.txt")).expect("valid fixture");
    assert_eq!(s.trial_count(), 4);
    assert_eq!(s.trials[0], vec![6.7, 9.9]);
    assert_eq!(s.trials[1], vec![1.5]);
    assert_eq!(s.trials[2], vec![2.5, 3.5]);
    assert!(s.trials[3].is_empty());
    assert_eq!(s.headers[0], vec!["trial: 0", "duration (msec): 1000"]);
    assert!(s.headers[2].is_empty());
    assert_eq!(s.spike_count(), 5);
}

#[test]
fn spike_units_and_binning() {
    let s = read_spike_times_in(&fixture("spikes_trials.txt"), TimeUnit::Milliseconds)
        .expect("valid fixture");
    assert_eq!(s.trials[0], vec![6700.0, 9900.0]);
    let counts = s.binned(5000.0, 10000.0).expect("valid bins");
    assert_eq!(counts[0], vec![0, 2]);
    assert_eq!(counts[1], vec![1, 0]);
    assert_eq!(counts[3], vec![0, 0]);
}

#[test]
fn spike_file_errors() {
    let result = read_spike_times(&fixture("spikes_bad.txt"));
    assert!(
        matches!(result, Err(DataError::Parse { row: 3, .. })),
        "{result:?}"
    );
    let result = read_spike_times(&fixture("edges_header_only.csv"));
    assert!(matches!(result, Err(DataError::Parse { .. })), "{result:?}");
    let result = read_spike_times(&fixture("no_such_file.txt"));
    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}
