//! The scikit-learn digits reader on small gzip fixtures (see `fixtures/README.md`).

use std::path::{Path, PathBuf};

use ncm_data::{DIGIT_PIXELS, DataError, read_digits};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn digits_small_reads_images_and_labels() {
    let digits = read_digits(&fixture("digits_small.csv.gz")).expect("valid fixture");

    assert_eq!(digits.len(), 3);
    assert_eq!(digits.n_pixels, DIGIT_PIXELS);
    assert_eq!(digits.images.len(), 3 * DIGIT_PIXELS);
    assert_eq!(digits.labels, vec![0, 7, 9]);
    assert!(digits.image(0).unwrap().iter().all(|&p| p == 0));
    assert!(digits.image(1).unwrap().iter().all(|&p| p == 16));
    let third: Vec<u8> = (0..DIGIT_PIXELS).map(|k| (k % 17) as u8).collect();
    assert_eq!(digits.image(2).unwrap(), third.as_slice());
}

#[test]
fn digits_bad_label_is_parse_error() {
    let result = read_digits(&fixture("digits_bad_label.csv.gz"));

    assert!(
        matches!(result, Err(DataError::Parse { row: 2, .. })),
        "{result:?}"
    );
}

#[test]
fn digits_empty_file_is_reported() {
    let result = read_digits(&fixture("digits_empty.csv.gz"));

    assert!(matches!(result, Err(DataError::Empty { .. })), "{result:?}");
}

#[test]
fn digits_plain_text_is_io_error() {
    // A CSV that was never compressed fails in the gzip decoder.
    let result = read_digits(&fixture("edges_header.csv"));

    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}

#[test]
fn digits_missing_file_is_io_error() {
    let result = read_digits(&fixture("no_such_digits.csv.gz"));

    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}
