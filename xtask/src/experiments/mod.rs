//! The experiments of the main job, one module each.
//!
//! Each module has a `Config` (serde, with defaults, loadable from TOML), a `Cli` for
//! `cargo xtask experiment NAME`, and a `run` function that writes its outputs under
//! `report/NAME/` and returns its [`Section`](crate::report::Section) of the report.

pub mod connectome_motifs;
pub mod energy_landscape;
pub mod hopfield_capacity;
