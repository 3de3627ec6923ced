//! Row tables read from delimited text files or from the first sheet of a
//! spreadsheet, before their columns are interpreted.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};

use crate::error::{DataError, Result};

/// One non-empty row with its 1-based line (text) or row (spreadsheet) number.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) number: usize,
    pub(crate) fields: Vec<String>,
}

/// The non-empty rows of one file, fields trimmed.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) path: PathBuf,
    pub(crate) rows: Vec<Row>,
}

/// Field separator of a delimited text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    Tab,
    Comma,
    Whitespace,
}

impl Delimiter {
    /// Picks tab if the line contains one, else comma if it contains one,
    /// else runs of whitespace.
    fn detect(line: &str) -> Delimiter {
        if line.contains('\t') {
            Delimiter::Tab
        } else if line.contains(',') {
            Delimiter::Comma
        } else {
            Delimiter::Whitespace
        }
    }

    fn split(self, line: &str) -> Vec<String> {
        match self {
            Delimiter::Tab => line.split('\t').map(clean_field).collect(),
            Delimiter::Comma => line.split(',').map(clean_field).collect(),
            Delimiter::Whitespace => line.split_whitespace().map(clean_field).collect(),
        }
    }
}

/// Trims spaces and one pair of surrounding double quotes.
fn clean_field(field: &str) -> String {
    let trimmed = field.trim();
    let unquoted = trimmed
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(trimmed);
    unquoted.trim().to_owned()
}

/// Reads a delimited text file, skipping blank lines and lines that start with `#`.
///
/// With `delimiter == None` the separator is detected from the first data line.
pub(crate) fn read_text_table(path: &Path, delimiter: Option<Delimiter>) -> Result<Table> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut chosen = delimiter;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let delimiter = *chosen.get_or_insert_with(|| Delimiter::detect(line));
        rows.push(Row {
            number: i + 1,
            fields: delimiter.split(line),
        });
    }
    Ok(Table {
        path: path.to_owned(),
        rows,
    })
}

/// Formats one spreadsheet cell as text. Whole-number floats print without a
/// fractional part, because Rust formats `3.0_f64` as `3`.
fn cell_text(cell: &Data) -> String {
    cell.to_string().trim().to_owned()
}

/// Reads the first sheet of an `.xls` or `.xlsx` file, skipping empty rows and
/// dropping empty trailing cells.
pub(crate) fn read_sheet_table(path: &Path) -> Result<Table> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(DataError::io(path, source));
    }
    let spreadsheet_error = |source| DataError::Spreadsheet {
        path: path.to_owned(),
        source,
    };
    let mut workbook = open_workbook_auto(path).map_err(spreadsheet_error)?;
    let range = match workbook.worksheet_range_at(0) {
        Some(range) => range.map_err(spreadsheet_error)?,
        None => {
            return Err(DataError::Empty {
                path: path.to_owned(),
                what: "worksheets".to_owned(),
            });
        }
    };
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let mut fields: Vec<String> = cells.iter().map(cell_text).collect();
        while fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        if fields.is_empty() {
            continue;
        }
        rows.push(Row {
            number: first_row + i + 1,
            fields,
        });
    }
    Ok(Table {
        path: path.to_owned(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection() {
        assert_eq!(Delimiter::detect("a\tb,c"), Delimiter::Tab);
        assert_eq!(Delimiter::detect("a, b"), Delimiter::Comma);
        assert_eq!(Delimiter::detect("a  b 3"), Delimiter::Whitespace);
    }

    #[test]
    fn fields_are_trimmed_and_unquoted() {
        assert_eq!(
            Delimiter::Comma.split(" \"AVAL\" , AVAR  ,3"),
            vec!["AVAL", "AVAR", "3"]
        );
        assert_eq!(Delimiter::Whitespace.split("  a \t b  "), vec!["a", "b"]);
    }
}
