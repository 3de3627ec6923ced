//! The report: `summary.json` with every number shown, and `index.html` with tables and figures.
//!
//! Each experiment returns a [`Section`]; this module only assembles them.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One experiment's part of the report.
#[derive(Serialize, Deserialize)]
pub struct Section {
    /// Short machine name: the key in `summary.json` and the anchor in `index.html`.
    pub name: String,
    /// Heading shown in the HTML report.
    pub title: String,
    /// Every number the section shows, written to `summary.json`.
    pub summary: serde_json::Value,
    /// HTML body of the section; figure paths are relative to the report folder.
    pub html: String,
}

/// Order of the main job's sections in the report; other sections follow by name.
const SECTION_ORDER: [&str; 2] = ["connectome_motifs", "energy_landscape"];

/// Stores `sections` under `report_dir/sections/`, then rewrites `summary.json` and
/// `index.html` from every stored section, so that running one experiment updates its own
/// part of the report and keeps the others.
pub fn write(report_dir: &Path, sections: &[Section]) -> Result<()> {
    let sections_dir = report_dir.join("sections");
    fs::create_dir_all(&sections_dir)
        .with_context(|| format!("cannot create the report folder {}", sections_dir.display()))?;
    for section in sections {
        let path = sections_dir.join(format!("{}.json", section.name));
        fs::write(&path, serde_json::to_string(section)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }

    let stored = read_sections(&sections_dir)?;
    let mut summary = serde_json::Map::new();
    for section in &stored {
        summary.insert(section.name.clone(), section.summary.clone());
    }
    let document = json!({ "ncm_version": env!("CARGO_PKG_VERSION"), "experiments": summary });
    let summary_path = report_dir.join("summary.json");
    fs::write(&summary_path, serde_json::to_string_pretty(&document)?)
        .with_context(|| format!("cannot write {}", summary_path.display()))?;

    let index_path = report_dir.join("index.html");
    fs::write(&index_path, render_html(&stored))
        .with_context(|| format!("cannot write {}", index_path.display()))?;
    tracing::info!(report = %index_path.display(), "report written");
    Ok(())
}

fn read_sections(sections_dir: &Path) -> Result<Vec<Section>> {
    let mut sections = Vec::new();
    for entry in fs::read_dir(sections_dir)? {
        let path = entry?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            let text = fs::read_to_string(&path)?;
            let section: Section = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not a report section; delete it and rerun",
                    path.display()
                )
            })?;
            sections.push(section);
        }
    }
    let rank = |name: &str| {
        SECTION_ORDER
            .iter()
            .position(|n| *n == name)
            .unwrap_or(SECTION_ORDER.len())
    };
    sections.sort_by(|a, b| (rank(&a.name), &a.name).cmp(&(rank(&b.name), &b.name)));
    Ok(sections)
}

fn render_html(sections: &[Section]) -> String {
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
        "<p>ncm {}. Every number shown here is also in <a href=\"summary.json\">summary.json</a>.</p>",
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
