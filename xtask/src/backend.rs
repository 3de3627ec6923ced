//! Selection of the Burn backend at run time.
//!
//! Burn 0.22 picks its backend through a `Device` value; Cargo features decide which backends
//! are compiled in. xtask compiles `flex` and `wgpu` by default, and `ndarray` with
//! `--features ndarray`.

use anyhow::{Result, bail};
use burn::tensor::Device;
use clap::ValueEnum;
use serde::Serialize;

/// A Burn backend that an xtask command can run its tensor work on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Burn's pure-Rust CPU backend.
    #[default]
    Flex,
    /// Burn's ndarray CPU backend, kept for comparison.
    Ndarray,
    /// Burn's wgpu GPU backend (Vulkan, Metal or DX12; Mesa's lavapipe also works).
    Wgpu,
}

impl Backend {
    /// Returns the default device of this backend, or an error naming the Cargo feature that
    /// compiles it in.
    pub fn device(self) -> Result<Device> {
        match self {
            Backend::Flex => flex_device(),
            Backend::Ndarray => ndarray_device(),
            Backend::Wgpu => wgpu_device(),
        }
    }
}

#[cfg(feature = "flex")]
fn flex_device() -> Result<Device> {
    Ok(Device::flex())
}

#[cfg(not(feature = "flex"))]
fn flex_device() -> Result<Device> {
    bail!("backend `flex` was not compiled in; rebuild xtask with `--features flex`")
}

#[cfg(feature = "ndarray")]
fn ndarray_device() -> Result<Device> {
    Ok(Device::ndarray())
}

#[cfg(not(feature = "ndarray"))]
fn ndarray_device() -> Result<Device> {
    bail!(
        "backend `ndarray` was not compiled in; run `cargo xtask` with `--features ndarray` \
         (for example `cargo run --release -p xtask --features ndarray -- run --backend ndarray`)"
    )
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device> {
    Ok(Device::wgpu(Default::default()))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Result<Device> {
    bail!("backend `wgpu` was not compiled in; rebuild xtask with `--features wgpu`")
}
