//! The report: `summary.json` with every number shown, and `index.html` with tables and figures.
//!
//! Each experiment returns a [`Section`]; this module only assembles them.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use crate::backend::Backend;

/// One experiment's part of the report.
pub struct Section {
    /// Short machine name, also the name of the experiment's output folder.
    pub name: &'static str,
    /// Heading shown in the HTML report.
    pub title: String,
    /// Every number the section shows, written to `summary.json`.
    pub summary: serde_json::Value,
    /// HTML body of the section; figure paths are relative to the report folder.
    pub html: String,
}

/// Writes `summary.json` and `index.html` for the given sections into `report_dir`.
pub fn write(report_dir: &Path, backend: Backend, sections: &[Section]) -> Result<()> {
    fs::create_dir_all(report_dir)
        .with_context(|| format!("cannot create the report folder {}", report_dir.display()))?;

    let mut summary = serde_json::Map::new();
    for section in sections {
        summary.insert(section.name.to_owned(), section.summary.clone());
    }
    let document = json!({
        "ncm_version": env!("CARGO_PKG_VERSION"),
        "backend": backend,
        "experiments": summary,
    });
    let summary_path = report_dir.join("summary.json");
    fs::write(&summary_path, serde_json::to_string_pretty(&document)?)
        .with_context(|| format!("cannot write {}", summary_path.display()))?;

    let index_path = report_dir.join("index.html");
    fs::write(&index_path, render_html(backend, sections))
        .with_context(|| format!("cannot write {}", index_path.display()))?;
    tracing::info!(report = %index_path.display(), "report written");
    Ok(())
}

fn render_html(backend: Backend, sections: &[Section]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>ncm report</title><style>\
         body{font-family:sans-serif;max-width:72rem;margin:2rem auto;line-height:1.4}\
         table{border-collapse:collapse;margin:1rem 0;font-size:0.9rem}\
         td,th{border:1px solid #bbb;padding:0.2rem 0.5rem;text-align:right}\
         th{background:#eee}td:first-child{text-align:left}\
         img{max-width:100%;display:block;margin:1rem 0}\
         </style></head><body>\n<h1>ncm report</h1>\n",
    );
    let _ = writeln!(
        html,
        "<p>ncm {} &middot; tensor backend <code>{backend:?}</code> &middot; every number \
         shown here is also in <a href=\"summary.json\">summary.json</a>.</p>",
        env!("CARGO_PKG_VERSION")
    );
    for section in sections {
        let _ = writeln!(
            html,
            "<h2 id=\"{}\">{}</h2>\n{}",
            section.name, section.title, section.html
        );
    }
    html.push_str("</body></html>\n");
    html
}

/// Renders an HTML table from a header row and body rows of already formatted cells.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut html = String::from("<table><tr>");
    for cell in header {
        let _ = write!(html, "<th>{}</th>", escape(cell));
    }
    html.push_str("</tr>\n");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{}</td>", escape(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}

/// Escapes text for HTML element content.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Formats a number for a table cell with `digits` decimals; absent values show as a dash.
pub fn cell(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "–".to_owned(),
    }
}
