//! The scikit-learn handwritten digits: 1797 images of 8 x 8 pixels, each pixel a count from
//! 0 to 16, with labels 0 to 9 (the test set of the UCI "Optical Recognition of Handwritten
//! Digits" data, as shipped in `sklearn/datasets/data/digits.csv.gz`).
//!
//! # File format
//! A gzip-compressed CSV without a header: one image per line, 64 pixel values in row-major
//! order followed by the label, all written as integers.

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use crate::error::{DataError, Result};

/// Pixels per digit image (8 x 8).
pub const DIGIT_PIXELS: usize = 64;

/// Largest pixel value: each pixel counts the set bits of a 4 x 4 block of the 32 x 32 scan.
pub const MAX_DIGIT_PIXEL: u8 = 16;

/// Digit images with their labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digits {
    /// Pixel values 0 to 16, row-major, one image of `n_pixels` values after another.
    pub images: Vec<u8>,
    /// Digit shown by each image, 0 to 9.
    pub labels: Vec<u8>,
    /// Pixels per image, 64.
    pub n_pixels: usize,
}

impl Digits {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Returns `true` when there are no images, which never happens for a [`read_digits`]
    /// result.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels of image `index`, or `None` past the last image.
    pub fn image(&self, index: usize) -> Option<&[u8]> {
        let start = index.checked_mul(self.n_pixels)?;
        self.images.get(start..start + self.n_pixels)
    }
}

/// Reads the gzip-compressed digits CSV described in the module documentation.
///
/// # Errors
/// [`DataError::Io`] when the file cannot be read or is not valid gzip or UTF-8.
/// [`DataError::Parse`] for a line without exactly 65 integer fields, a pixel above 16 or a
/// label above 9. [`DataError::Empty`] when the file has no image lines.
pub fn read_digits(path: &Path) -> Result<Digits> {
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut text = String::new();
    GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| DataError::io(path, e))?;

    let mut digits = Digits {
        images: Vec::new(),
        labels: Vec::new(),
        n_pixels: DIGIT_PIXELS,
    };
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (pixels, label) = parse_line(line).ok_or_else(|| {
            let expected = format!(
                "{DIGIT_PIXELS} integer pixel values from 0 to {MAX_DIGIT_PIXEL} and a label \
                 from 0 to 9, separated by commas"
            );
            DataError::parse(path, index + 1, expected, line)
        })?;
        digits.images.extend_from_slice(&pixels);
        digits.labels.push(label);
    }
    if digits.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            what: "digit images".to_owned(),
        });
    }
    Ok(digits)
}

/// Parses one line into its pixels and label, or `None` when it is malformed.
fn parse_line(line: &str) -> Option<([u8; DIGIT_PIXELS], u8)> {
    let mut fields = line.split(',').map(|field| field.trim().parse::<u8>().ok());
    let mut pixels = [0u8; DIGIT_PIXELS];
    for pixel in &mut pixels {
        *pixel = fields.next()??;
        if *pixel > MAX_DIGIT_PIXEL {
            return None;
        }
    }
    let label = fields.next()??;
    if label > 9 || fields.next().is_some() {
        return None;
    }
    Some((pixels, label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(pixel: &str, label: &str) -> String {
        let mut fields = vec![pixel; DIGIT_PIXELS];
        fields.push(label);
        fields.join(",")
    }

    #[test]
    fn parse_line_accepts_valid_rows() {
        let (pixels, label) = parse_line(&line("16", "9")).expect("valid line");
        assert_eq!(pixels, [16; DIGIT_PIXELS]);
        assert_eq!(label, 9);
    }

    #[test]
    fn parse_line_rejects_bad_rows() {
        let too_many = format!("{},0", line("1", "2"));
        let too_few = line("1", "2").rsplit_once(',').unwrap().0.to_owned();
        let cases = [
            ("pixel above 16", line("17", "0")),
            ("label above 9", line("0", "10")),
            ("negative pixel", line("-1", "0")),
            ("fractional pixel", line("0.5", "0")),
            ("extra field", too_many),
            ("missing label", too_few),
        ];
        for (case, text) in cases {
            assert_eq!(parse_line(&text), None, "{case}");
        }
    }

    #[test]
    fn image_slices_by_index() {
        let digits = Digits {
            images: (0..128).map(|v| (v % 17) as u8).collect(),
            labels: vec![3, 4],
            n_pixels: DIGIT_PIXELS,
        };
        assert_eq!(digits.len(), 2);
        assert_eq!(digits.image(1).unwrap()[0], (64 % 17) as u8);
        assert_eq!(digits.image(2), None);
        assert_eq!(digits.image(usize::MAX), None);
    }
}
