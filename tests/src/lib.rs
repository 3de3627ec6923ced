//! Shared helpers for ncm's cross-crate tests: where the fetched data lives.
//!
//! The tests under `tests/` check invariants that span crates (readers feeding the census,
//! binarised recordings feeding the maximum-entropy fit), run the readers on the real files,
//! and compare the Burn backends with each other.

use std::path::PathBuf;

/// Returns the data folder: `NCM_DATA_DIR` when set, otherwise `data/` in the workspace.
///
/// # Panics
///
/// Panics when the folder contains no fetched data, with the command that fetches it: the
/// real-data tests must fail rather than pass without their data.
pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("NCM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("..").join("data"));
    assert!(
        dir.join(".stamps").is_dir(),
        "no fetched data in {}; run `cargo xtask fetch-data` (or set NCM_DATA_DIR) first",
        dir.display()
    );
    dir
}

/// Returns this crate's folder. It prefers the `CARGO_MANIFEST_DIR` that Cargo sets when it
/// runs a test, because that stays right when one target folder serves several checkouts. The
/// compile-time value serves a test binary started by hand.
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
