//! NPY export of attention weights.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::{
    ForwardMask, Layout, TransformerConfig, TransformerError, npy_bytes, write_attention,
};

#[test]
fn npy_header_matches_numpy() {
    // Bytes of `np.save` (numpy 2.4.6) of np.arange(6, dtype='<f4').reshape(2, 3): this
    // header, padded with spaces so that 10 + len(header) is 128, then six little-endian
    // floats; np.save of np.array([1.5], dtype='<f4') gave 132 bytes.
    let bytes = npy_bytes(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3]).unwrap();
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    let mut expected = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    expected.extend_from_slice(dict.as_bytes());
    expected.extend(std::iter::repeat_n(b' ', 118 - dict.len() - 1));
    expected.push(b'\n');
    for v in 0..6 {
        expected.extend_from_slice(&(v as f32).to_le_bytes());
    }
    assert_eq!(bytes, expected);
    let single = npy_bytes(&[1.5], &[1]).unwrap();
    assert_eq!(single.len(), 132);
    assert!(String::from_utf8_lossy(&single).contains("'shape': (1,), }"));
}

#[test]
fn npy_rejects_a_wrong_value_count() {
    assert!(matches!(
        npy_bytes(&[1.0], &[2]),
        Err(TransformerError::ShapeMismatch {
            what: "NPY values",
            ..
        })
    ));
}

/// A temporary folder removed on drop, named per process and test.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("ncm-export-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn attention_round_trips_through_npy() {
    let device = Device::flex();
    let (channels, window) = (3, 4);
    let model = TransformerConfig::new(channels, window)
        .with_layout(Layout::Spatial)
        .with_d_model(8)
        .with_heads(2)
        .with_depth(2)
        .with_seed(5)
        .init(&device)
        .unwrap();
    let values: Vec<f32> = (0..2 * window * channels)
        .map(|i| (i as f32 * 0.37).sin())
        .collect();
    let input = Tensor::<3>::from_data(TensorData::new(values, [2, window, channels]), &device);
    let output = model.forward(input, &ForwardMask::default()).unwrap();
    let labels: Vec<String> = ["AVAL", "AVAR", "RIS"].map(String::from).to_vec();
    let folder = TempDir::new("round-trip");
    let written = write_attention(&folder.0, &output.attention, &labels).unwrap();
    assert_eq!(written.len(), 3);

    for (block, weights) in output.attention.iter().enumerate() {
        let bytes = std::fs::read(folder.0.join(format!("block{block}.npy"))).unwrap();
        let header_length = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
        let header = String::from_utf8_lossy(&bytes[10..10 + header_length]);
        assert!(header.contains("'shape': (2, 2, 3, 3), }"), "{header}");
        let stored: Vec<f32> = bytes[10 + header_length..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let expected = weights.to_data().try_to_vec::<f32>().unwrap();
        assert_eq!(stored, expected);
    }
    let tokens = std::fs::read_to_string(folder.0.join("tokens.txt")).unwrap();
    assert_eq!(tokens, "AVAL\nAVAR\nRIS\n");
}

#[test]
fn bad_labels_give_typed_errors() {
    let device = Device::flex();
    let model = TransformerConfig::new(3, 4)
        .with_layout(Layout::Spatial)
        .with_d_model(8)
        .with_heads(2)
        .init(&device)
        .unwrap();
    let input = Tensor::<3>::zeros([1, 4, 3], &device);
    let output = model.forward(input, &ForwardMask::default()).unwrap();
    let folder = TempDir::new("bad-labels");
    let two: Vec<String> = vec!["a".into(), "b".into()];
    assert!(matches!(
        write_attention(&folder.0, &output.attention, &two),
        Err(TransformerError::ShapeMismatch {
            what: "token labels",
            ..
        })
    ));
    let broken: Vec<String> = vec!["a".into(), "b\nc".into(), "d".into()];
    assert!(matches!(
        write_attention(&folder.0, &output.attention, &broken),
        Err(TransformerError::ShapeMismatch {
            what: "token labels",
            ..
        })
    ));
    assert!(!folder.0.exists());
}
