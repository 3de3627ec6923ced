//! Connectome readers on small synthetic fixtures, including every error path.
//!
//! The `.xls` and `.xlsx` fixtures were written with xlwt 1.3 and openpyxl
//! (see `fixtures/README.md`); the text fixtures are hand-written.

use std::path::{Path, PathBuf};

use ncm_data::{
    Connectome, DataError, SynapseKind, read_cook_2019, read_edge_list, read_varshney_2011,
    read_white_1986, read_witvliet_2021,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Synapse count of `kind` from `pre` to `post`, summed over rows.
fn weight(c: &Connectome, pre: &str, post: &str, kind: SynapseKind) -> f64 {
    let n = c.node_count();
    let i = c.node_index(pre).expect("pre node exists");
    let j = c.node_index(post).expect("post node exists");
    c.adjacency(kind)[i * n + j]
}

fn assert_parse_error_row(result: ncm_data::Result<Connectome>, expected_row: usize) {
    match result {
        Err(DataError::Parse { row, .. }) => assert_eq!(row, expected_row),
        other => panic!("expected a Parse error on row {expected_row}, got {other:?}"),
    }
}

#[test]
fn white_reads_crlf_tabs() {
    let c = read_white_1986(&fixture("white_small.tsv")).expect("valid fixture");
    assert_eq!(c.source(), "White 1986");
    assert_eq!(c.nodes(), ["ADAL", "ADFL", "AIBL", "AIBR"]);
    assert_eq!(c.edge_count(), 5);
    assert_eq!(c.total_synapses(SynapseKind::Chemical), 7);
    assert_eq!(c.total_synapses(SynapseKind::Electrical), 1);
    assert_eq!(weight(&c, "ADAL", "AIBR", SynapseKind::Chemical), 2.0);
    assert_eq!(weight(&c, "AIBR", "AIBR", SynapseKind::Chemical), 1.0);
    // The self-loop AIBR -> AIBR is an edge but not a directed pair.
    assert_eq!(c.directed_pairs(SynapseKind::Chemical).len(), 3);
}

#[test]
fn white_requires_header() {
    assert_parse_error_row(read_white_1986(&fixture("white_no_header.tsv")), 1);
}

#[test]
fn cook_trims_padded_names() {
    let c = read_cook_2019(&fixture("cook_small.csv")).expect("valid fixture");
    assert_eq!(c.source(), "Cook 2019");
    assert_eq!(c.nodes(), ["I1L", "I2L", "I3", "pm1"]);
    assert_eq!(c.total_synapses(SynapseKind::Chemical), 13);
    // Listed in both directions (2 + 2) plus a self-loop of 1.
    assert_eq!(c.total_synapses(SynapseKind::Electrical), 5);
    assert_eq!(c.gap_junction_total(), 3);
    assert_eq!(weight(&c, "I1L", "I2L", SynapseKind::Chemical), 10.0);
}

#[test]
fn cook_rejects_non_numeric_weight() {
    let result = read_cook_2019(&fixture("cook_bad_count.csv"));
    assert_parse_error_row(result, 2);
}

#[test]
fn witvliet_reads_xlsx() {
    let c = read_witvliet_2021(&fixture("witvliet_small.xlsx")).expect("valid fixture");
    assert_eq!(c.source(), "Witvliet 2021");
    assert_eq!(c.nodes(), ["ADAL", "ADAR", "AIBR", "ASHL"]);
    assert_eq!(c.edge_count(), 4);
    assert_eq!(c.total_synapses(SynapseKind::Chemical), 5);
    assert_eq!(c.total_synapses(SynapseKind::Electrical), 10);
    assert_eq!(weight(&c, "ADAL", "ASHL", SynapseKind::Electrical), 9.0);
}

#[test]
fn witvliet_rejects_fractional_count() {
    let result = read_witvliet_2021(&fixture("witvliet_fractional.xlsx"));
    assert_parse_error_row(result, 2);
}

#[test]
fn varshney_keeps_sent_and_gap_rows() {
    let c = read_varshney_2011(&fixture("varshney_small.xls")).expect("valid fixture");
    assert_eq!(c.source(), "Varshney 2011");
    // avfl/avfr occur only on an Rp row, DVB only on an NMJ row and AVFL/VB01 only on a
    // row with 0 synapses, so none of them is a node.
    assert_eq!(c.nodes(), ["ADAR", "ADAL", "RIBL", "AIBL", "AIBR"]);
    assert_eq!(c.edge_count(), 6);
    assert_eq!(c.total_synapses(SynapseKind::Chemical), 6);
    assert_eq!(weight(&c, "ADAL", "AIBL", SynapseKind::Chemical), 3.0);
    assert_eq!(weight(&c, "ADAL", "AIBR", SynapseKind::Chemical), 3.0);
    assert_eq!(weight(&c, "AIBL", "ADAL", SynapseKind::Chemical), 0.0);
    assert_eq!(c.directed_pairs(SynapseKind::Chemical).len(), 2);
    // EJ rows: ADAR-ADAL in both directions and the RIBL self-loop.
    assert_eq!(c.total_synapses(SynapseKind::Electrical), 3);
    assert_eq!(c.gap_junction_total(), 2);
}

#[test]
fn varshney_rejects_unknown_type_code() {
    assert_parse_error_row(read_varshney_2011(&fixture("varshney_bad_type.xls")), 3);
}

#[test]
fn spreadsheet_missing_file_is_io_error() {
    let result = read_varshney_2011(&fixture("no_such_file.xls"));
    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}

#[test]
fn spreadsheet_rejects_text_file() {
    let result = read_witvliet_2021(&fixture("white_small.tsv"));
    assert!(
        matches!(result, Err(DataError::Spreadsheet { .. })),
        "{result:?}"
    );
}

#[test]
fn edge_list_with_header_and_comments() {
    let c = read_edge_list(&fixture("edges_header.csv")).expect("valid fixture");
    assert_eq!(c.source(), "edge list");
    assert_eq!(c.nodes(), ["AVAL", "AVAR", "DA01", "VA01"]);
    assert_eq!(c.total_synapses(SynapseKind::Electrical), 6);
    assert_eq!(c.total_synapses(SynapseKind::Chemical), 13);
    assert_eq!(weight(&c, "DA01", "VA01", SynapseKind::Chemical), 1.0);
}

#[test]
fn edge_list_tab_without_header() {
    let c = read_edge_list(&fixture("edges_tab_no_header.tsv")).expect("valid fixture");
    assert_eq!(c.edge_count(), 3);
    assert_eq!(c.total_synapses(SynapseKind::Electrical), 0);
    // Two rows for AVAL -> DA01 are summed in the adjacency matrix.
    assert_eq!(weight(&c, "AVAL", "DA01", SynapseKind::Chemical), 6.0);
    assert_eq!(c.directed_pairs(SynapseKind::Chemical).len(), 2);
}

#[test]
fn edge_list_whitespace_defaults() {
    let c = read_edge_list(&fixture("edges_whitespace.txt")).expect("valid fixture");
    assert_eq!(c.nodes(), ["AVAL", "DA01", "VA01"]);
    assert_eq!(c.edge_count(), 3);
    assert!(
        c.edges()
            .iter()
            .all(|e| e.synapses == 1 && e.kind == SynapseKind::Chemical)
    );
}

#[test]
fn edge_list_columns_by_header_name() {
    let c = read_edge_list(&fixture("edges_reordered.csv")).expect("valid fixture");
    assert_eq!(c.nodes(), ["A", "B"]);
    assert_eq!(weight(&c, "A", "B", SynapseKind::Chemical), 1.0);
    assert_eq!(weight(&c, "B", "A", SynapseKind::Electrical), 1.0);
}

#[test]
fn edge_list_error_rows() {
    let cases = [
        ("edges_bad_count.csv", 2),
        ("edges_wrong_columns.csv", 2),
        ("edges_bad_type.csv", 2),
        ("edges_too_many_columns.csv", 1),
    ];
    for (file, row) in cases {
        let result = read_edge_list(&fixture(file));
        match result {
            Err(DataError::Parse { row: got, .. }) => assert_eq!(got, row, "{file}"),
            other => panic!("{file}: expected a Parse error, got {other:?}"),
        }
    }
}

#[test]
fn edge_list_skips_zero_count_rows() {
    let c = read_edge_list(&fixture("edges_zero_count.csv")).expect("valid fixture");
    assert_eq!(c.nodes(), ["B", "C"]);
    assert_eq!(c.edge_count(), 1);
}

#[test]
fn edge_list_error_message_names_file_and_fix() {
    let err = read_edge_list(&fixture("edges_bad_count.csv")).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("edges_bad_count.csv"), "{message}");
    assert!(message.contains("row 2"), "{message}");
    assert!(message.contains("\"two\""), "{message}");
}

#[test]
fn edge_list_without_edges_is_empty_error() {
    let result = read_edge_list(&fixture("edges_header_only.csv"));
    assert!(matches!(result, Err(DataError::Empty { .. })), "{result:?}");
}

#[test]
fn edge_list_missing_file_is_io_error() {
    let result = read_edge_list(&fixture("no_such_file.csv"));
    assert!(matches!(result, Err(DataError::Io { .. })), "{result:?}");
}
