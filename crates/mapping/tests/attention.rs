//! Averaging of attention weights per head.

use ncm_mapping::{MappingError, average_attention};

#[test]
fn heads_are_averaged_over_sequences() -> anyhow::Result<()> {
    // Two sequences, two heads, two tokens, row-major [sequence, head, query, key]. Each row
    // sums to 1. Head 0 is [[1, 0], [0.5, 0.5]] then [[0, 1], [0.5, 0.5]], mean
    // [[0.5, 0.5], [0.5, 0.5]]; head 1 is [[0.2, 0.8], [0.6, 0.4]] twice.
    let weights = [
        1.0, 0.0, 0.5, 0.5, // sequence 0, head 0
        0.2, 0.8, 0.6, 0.4, // sequence 0, head 1
        0.0, 1.0, 0.5, 0.5, // sequence 1, head 0
        0.2, 0.8, 0.6, 0.4, // sequence 1, head 1
    ];
    let heads = average_attention(&weights, [2, 2, 2, 2])?;
    let expected = [[0.5, 0.5, 0.5, 0.5], [0.2, 0.8, 0.6, 0.4]];
    assert_eq!(heads.len(), 2);
    for (head, want) in heads.iter().zip(expected) {
        for (got, want) in head.iter().zip(want) {
            assert!((got - want).abs() < 1e-7, "{got} against {want}");
        }
    }
    Ok(())
}

#[test]
fn bad_attention_gives_typed_errors() {
    assert_eq!(
        average_attention(&[], [0, 1, 2, 2]),
        Err(MappingError::Empty {
            what: "attention weights"
        })
    );
    assert!(matches!(
        average_attention(&[0.5; 6], [1, 1, 2, 3]),
        Err(MappingError::NotSquare {
            rows: 2,
            cols: 3,
            ..
        })
    ));
    assert!(matches!(
        average_attention(&[0.5; 7], [2, 1, 2, 2]),
        Err(MappingError::Shape {
            len: 7,
            expected: 8,
            ..
        })
    ));
    assert!(matches!(
        average_attention(&[0.5, 0.5, f32::NAN, 0.5], [1, 1, 2, 2]),
        Err(MappingError::NonFinite { row: 0, col: 2, .. })
    ));
}
