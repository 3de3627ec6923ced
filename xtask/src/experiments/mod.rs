//! The experiments of the main job, one module each.
//!
//! Each module has a `Config` (serde, with defaults, loadable from TOML), a `Cli` for
//! `cargo xtask experiment NAME`, and a `run` function that writes its outputs under
//! `report/NAME/` and returns its [`Section`](crate::report::Section) of the report.

pub mod brain_transformer;
pub mod connectome_motifs;
pub mod continuous_ebm;
pub mod energy_landscape;
pub mod hopfield_capacity;
pub mod maxent_scale;
pub mod motif_gallery;
pub mod motif_recovery;
pub mod rbm_digits;
pub mod worm_mapping;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Creates `report_dir/name` for an experiment's files and returns its path.
pub fn create_output_dir(report_dir: &Path, name: &str) -> Result<PathBuf> {
    let out_dir = report_dir.join(name);
    fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create the report folder {}", out_dir.display()))?;
    Ok(out_dir)
}

/// Returns the first value that occurs earlier in `values` too.
pub fn first_repeat<T: PartialEq>(values: &[T]) -> Option<&T> {
    values
        .iter()
        .enumerate()
        .find(|(i, value)| values[..*i].contains(value))
        .map(|(_, value)| value)
}

/// Checks a list of HCP subjects: not empty, each one in the data, none listed twice.
pub fn validate_subjects(subjects: &[String]) -> Result<()> {
    if subjects.is_empty() {
        bail!(
            "no HCP subject given; pass --subject with one of {:?}",
            ncm_data::HCP_SUBJECTS
        );
    }
    if subjects.iter().any(|s| s.trim().is_empty()) {
        bail!(
            "a subject name is empty (check for a stray comma); use subjects from {:?}",
            ncm_data::HCP_SUBJECTS
        );
    }
    if let Some(unknown) = subjects
        .iter()
        .find(|s| !ncm_data::HCP_SUBJECTS.contains(&s.as_str()))
    {
        bail!(
            "unknown HCP subject {unknown}; the data has subjects {:?}",
            ncm_data::HCP_SUBJECTS
        );
    }
    if let Some(repeated) = first_repeat(subjects) {
        bail!("subject {repeated} is listed twice; list each subject once");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate_subjects;

    fn subjects(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn subjects_accept_known_names() {
        assert!(validate_subjects(&subjects(&["101309", "102311"])).is_ok());
    }

    #[test]
    fn subjects_reject_bad_lists() {
        let cases = [
            (subjects(&[]), "no HCP subject"),
            (subjects(&["101309", ""]), "empty"),
            (subjects(&["999999"]), "unknown HCP subject 999999"),
            (subjects(&["101309", "101309"]), "listed twice"),
        ];
        for (list, expected) in cases {
            let message = validate_subjects(&list).unwrap_err().to_string();
            assert!(message.contains(expected), "{list:?}: {message}");
        }
    }
}
