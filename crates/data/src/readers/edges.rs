//! Interpretation of edge tables: header detection, column mapping and
//! conversion of each row into a typed edge.

use crate::connectome::{Connectome, ConnectomeBuilder, SynapseKind};
use crate::error::{DataError, Result};
use crate::readers::table::{Row, Table};

/// Header names accepted for each column, compared in lower case.
const PRE_NAMES: &[&str] = &[
    "pre",
    "source",
    "from",
    "presynaptic",
    "neuron 1",
    "neuron1",
];
const POST_NAMES: &[&str] = &[
    "post",
    "target",
    "to",
    "postsynaptic",
    "neuron 2",
    "neuron2",
];
const COUNT_NAMES: &[&str] = &[
    "synapses",
    "weight",
    "count",
    "nbr",
    "number",
    "synapse count",
];
const KIND_NAMES: &[&str] = &["type", "kind", "synapse type"];

/// Column positions of one edge table.
#[derive(Debug, Clone, Copy)]
struct Columns {
    pre: usize,
    post: usize,
    count: Option<usize>,
    kind: Option<usize>,
    width: usize,
}

/// Requirements of one reader on a table, and its rule for the type column.
pub(crate) struct EdgeTableSpec {
    /// Short source name stored in the connectome.
    pub(crate) source: &'static str,
    /// Reject tables without a recognised header row.
    pub(crate) header_required: bool,
    /// Reject tables without a synapse-count and a type column.
    pub(crate) count_and_kind_required: bool,
    /// Maps a type cell to `Ok(Some(kind))`, `Ok(None)` to skip the row, or
    /// `Err(expected)` describing the valid values.
    pub(crate) classify: fn(&str) -> std::result::Result<Option<SynapseKind>, &'static str>,
}

/// Type rule of plain edge lists: `chemical` or `electrical` (see [`SynapseKind::from_name`]).
pub(crate) fn classify_generic(
    cell: &str,
) -> std::result::Result<Option<SynapseKind>, &'static str> {
    match SynapseKind::from_name(cell) {
        Some(kind) => Ok(Some(kind)),
        None => Err("synapse type `chemical` or `electrical`"),
    }
}

fn is_header_name(field: &str) -> bool {
    let lower = field.to_ascii_lowercase();
    [PRE_NAMES, POST_NAMES, COUNT_NAMES, KIND_NAMES]
        .iter()
        .any(|names| names.contains(&lower.as_str()))
}

fn find_column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.contains(&h.to_ascii_lowercase().as_str()))
}

/// Maps named header columns; the pre and post columns are mandatory.
fn columns_from_header(table: &Table, header: &Row) -> Result<Columns> {
    let pre = find_column(&header.fields, PRE_NAMES);
    let post = find_column(&header.fields, POST_NAMES);
    let (Some(pre), Some(post)) = (pre, post) else {
        let expected = "a header naming a pre column (pre, source, from, Neuron 1) and a post \
                        column (post, target, to, Neuron 2)";
        return Err(DataError::parse(
            &table.path,
            header.number,
            expected,
            header.fields.join(" | "),
        ));
    };
    Ok(Columns {
        pre,
        post,
        count: find_column(&header.fields, COUNT_NAMES),
        kind: find_column(&header.fields, KIND_NAMES),
        width: header.fields.len(),
    })
}

/// Assigns columns by position: pre, post, optional count, optional type.
fn columns_by_position(table: &Table, first: &Row) -> Result<Columns> {
    let width = first.fields.len();
    if !(2..=4).contains(&width) {
        let expected = "2 to 4 columns: pre, post, optional synapse count, optional type";
        return Err(DataError::parse(
            &table.path,
            first.number,
            expected,
            first.fields.join(" | "),
        ));
    }
    Ok(Columns {
        pre: 0,
        post: 1,
        count: (width >= 3).then_some(2),
        kind: (width >= 4).then_some(3),
        width,
    })
}

/// Finds the column layout and the index of the first data row.
fn resolve_columns(table: &Table, spec: &EdgeTableSpec) -> Result<(Columns, usize)> {
    let Some(first) = table.rows.first() else {
        return Err(DataError::Empty {
            path: table.path.clone(),
            what: "rows".to_owned(),
        });
    };
    let has_header = first.fields.iter().any(|f| is_header_name(f));
    let columns = if has_header {
        columns_from_header(table, first)?
    } else if spec.header_required {
        let expected = "a header row naming the pre, post, type and synapse-count columns";
        return Err(DataError::parse(
            &table.path,
            first.number,
            expected,
            first.fields.join(" | "),
        ));
    } else {
        columns_by_position(table, first)?
    };
    if spec.count_and_kind_required && (columns.count.is_none() || columns.kind.is_none()) {
        let expected = "a header with a synapse-count column and a type column";
        return Err(DataError::parse(
            &table.path,
            first.number,
            expected,
            first.fields.join(" | "),
        ));
    }
    Ok((columns, usize::from(has_header)))
}

/// Parses a synapse count: a whole number, 0 or more.
fn parse_count(table: &Table, row: &Row, cell: &str) -> Result<u32> {
    cell.parse::<u32>()
        .map_err(|_| DataError::parse(&table.path, row.number, "a whole synapse count", cell))
}

/// Converts one data row into `(pre, post, kind, synapses)`, or `None` when
/// the type rule skips it or its synapse count is 0. A zero count records no
/// synapse; `NeuronConnect.xls` has three such rows, each repeating a pair
/// that another row already connects.
fn parse_row<'r>(
    table: &Table,
    row: &'r Row,
    columns: &Columns,
    spec: &EdgeTableSpec,
) -> Result<Option<(&'r str, &'r str, SynapseKind, u32)>> {
    if row.fields.len() != columns.width {
        let expected = format!("{} columns", columns.width);
        return Err(DataError::parse(
            &table.path,
            row.number,
            expected,
            row.fields.join(" | "),
        ));
    }
    let kind = match columns.kind {
        None => SynapseKind::Chemical,
        Some(c) => match (spec.classify)(&row.fields[c]) {
            Ok(Some(kind)) => kind,
            Ok(None) => return Ok(None),
            Err(expected) => {
                return Err(DataError::parse(
                    &table.path,
                    row.number,
                    expected,
                    &row.fields[c],
                ));
            }
        },
    };
    let pre = row.fields[columns.pre].as_str();
    let post = row.fields[columns.post].as_str();
    for name in [pre, post] {
        if name.is_empty() {
            let found = row.fields.join(" | ");
            return Err(DataError::parse(
                &table.path,
                row.number,
                "non-empty node names",
                found,
            ));
        }
    }
    let synapses = match columns.count {
        None => 1,
        Some(c) => parse_count(table, row, &row.fields[c])?,
    };
    if synapses == 0 {
        return Ok(None);
    }
    Ok(Some((pre, post, kind, synapses)))
}

/// Builds a connectome from an edge table according to `spec`.
pub(crate) fn connectome_from_table(table: &Table, spec: &EdgeTableSpec) -> Result<Connectome> {
    let (columns, data_start) = resolve_columns(table, spec)?;
    let mut builder = ConnectomeBuilder::default();
    let mut skipped = 0usize;
    for row in &table.rows[data_start..] {
        match parse_row(table, row, &columns, spec)? {
            Some((pre, post, kind, synapses)) => builder.add_edge(pre, post, kind, synapses),
            None => skipped += 1,
        }
    }
    if builder.edge_count() == 0 {
        return Err(DataError::Empty {
            path: table.path.clone(),
            what: "edge rows".to_owned(),
        });
    }
    tracing::debug!(
        path = %table.path.display(),
        edges = builder.edge_count(),
        skipped,
        "read edge table"
    );
    Ok(builder.build(spec.source))
}
