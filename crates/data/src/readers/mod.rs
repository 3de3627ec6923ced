//! Readers for published *C. elegans* connectomes and for user edge lists.
//!
//! Every reader returns a [`Connectome`] whose nodes are trimmed names in order
//! of first mention. Rows for the same ordered pair are kept as separate
//! edges. Gap junctions keep the direction, or both directions, that the file
//! lists (see the [`crate::connectome`] module documentation).

mod edges;
mod table;

use std::path::Path;

use crate::connectome::{Connectome, SynapseKind};
use crate::error::Result;
use edges::{EdgeTableSpec, classify_generic, connectome_from_table};
use table::{Delimiter, read_sheet_table, read_text_table};

/// Reads a user edge list from delimited text.
///
/// # Format
/// - Fields are separated by tabs if the first data line contains a tab,
///   else by commas if it contains a comma, else by runs of spaces. Fields
///   are trimmed and one pair of surrounding double quotes is removed;
///   quoted fields containing the separator are not supported.
/// - Blank lines and lines starting with `#` are ignored.
/// - An optional header row is recognised when one of its fields is a known
///   column name (any letter case): `pre`/`source`/`from`/`neuron 1`,
///   `post`/`target`/`to`/`neuron 2`, `synapses`/`weight`/`count`/`nbr`, and
///   `type`/`kind`. Columns are then found by name, in any order, and other
///   columns are ignored.
/// - Without a header the columns are `pre post [synapses [type]]`.
/// - `synapses` is a whole number and defaults to 1. Rows with 0 synapses
///   are skipped, and names that occur only on them do not become nodes.
/// - `type` is `chemical` or `electrical` (also `chem`, `gap`, `gap junction`,
///   `ej`) and defaults to chemical.
/// - Every data row has as many fields as the header, or as the first row
///   when there is no header.
///
/// ```text
/// pre,post,synapses,type
/// AVAL,AVAR,3,electrical
/// AVAL,DA01,12,chemical
/// ```
///
/// # Errors
/// [`crate::DataError::Io`] if the file cannot be read,
/// [`crate::DataError::Parse`] naming the line of a malformed row, and
/// [`crate::DataError::Empty`] if the file has no edges.
pub fn read_edge_list(path: &Path) -> Result<Connectome> {
    let table = read_text_table(path, None)?;
    let spec = EdgeTableSpec {
        source: "edge list",
        header_required: false,
        count_and_kind_required: false,
        classify: classify_generic,
    };
    connectome_from_table(&table, &spec)
}

/// Reads the White et al. 1986 hermaphrodite connectome
/// (`aconnectome_white_1986_whole.csv`): tab-separated with the header
/// `pre post type synapses`, type `chemical` or `electrical`. Each gap
/// junction is listed once, in one direction.
pub fn read_white_1986(path: &Path) -> Result<Connectome> {
    let table = read_text_table(path, Some(Delimiter::Tab))?;
    connectome_from_table(&table, &published_spec("White 1986"))
}

/// Reads the Cook et al. 2019 hermaphrodite edge list (`herm_full_edgelist.csv`):
/// comma-separated with the header `Source,Target,Weight,Type`, names padded
/// with spaces, type `chemical` or `electrical`. Nodes include muscles and
/// other end organs. Most gap junctions are listed in both directions.
pub fn read_cook_2019(path: &Path) -> Result<Connectome> {
    let table = read_text_table(path, Some(Delimiter::Comma))?;
    connectome_from_table(&table, &published_spec("Cook 2019"))
}

/// Reads one developmental stage of Witvliet et al. 2021
/// (`witvliet_2020_<stage> <name>.xlsx`): first sheet with the header
/// `pre post type synapses`. Each gap junction is listed once.
pub fn read_witvliet_2021(path: &Path) -> Result<Connectome> {
    let table = read_sheet_table(path)?;
    connectome_from_table(&table, &published_spec("Witvliet 2021"))
}

/// Reads Varshney et al. 2011 (`NeuronConnect.xls`, columns
/// `Neuron 1, Neuron 2, Type, Nbr`).
///
/// Only the rows that define the network are kept:
/// - `S` and `Sp` (Neuron 1 sends a monadic or polyadic chemical synapse to
///   Neuron 2) become [`SynapseKind::Chemical`] edges.
/// - `EJ` rows become [`SynapseKind::Electrical`] edges. The file lists each
///   gap junction once per direction, and both are kept.
/// - `R` and `Rp` (the same chemical synapses seen from the receiving side)
///   and `NMJ` (neuromuscular junctions) are skipped, and names that occur
///   only on skipped rows do not become nodes.
/// - Rows with `Nbr` 0 are skipped (the file has three, all redundant).
///
/// Any other type code is a [`crate::DataError::Parse`] error.
pub fn read_varshney_2011(path: &Path) -> Result<Connectome> {
    let table = read_sheet_table(path)?;
    let spec = EdgeTableSpec {
        source: "Varshney 2011",
        header_required: true,
        count_and_kind_required: true,
        classify: classify_varshney,
    };
    connectome_from_table(&table, &spec)
}

fn published_spec(source: &'static str) -> EdgeTableSpec {
    EdgeTableSpec {
        source,
        header_required: true,
        count_and_kind_required: true,
        classify: classify_generic,
    }
}

fn classify_varshney(cell: &str) -> std::result::Result<Option<SynapseKind>, &'static str> {
    match cell {
        "S" | "Sp" => Ok(Some(SynapseKind::Chemical)),
        "EJ" => Ok(Some(SynapseKind::Electrical)),
        "R" | "Rp" | "NMJ" => Ok(None),
        _ => Err("type code S, Sp, R, Rp, EJ or NMJ"),
    }
}
