//! The throwaway Python virtual environment with numpy that the benchmarks' reference scripts
//! run in, created under the target folder and reused while its numpy version matches.
//! Benchmarks that need another package (igraph for the census, JAX for the transformer) add
//! it with [`ensure_package`].

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};
use tracing::info;

/// numpy version installed into the virtual environment.
pub const NUMPY_VERSION: &str = "2.4.6";

/// Returns the Python interpreter of the virtual environment at `venv_dir`, creating the
/// environment with `python3 -m venv` and installing numpy [`NUMPY_VERSION`] with pip first
/// when needed.
///
/// # Errors
/// A message naming what to install when python3, its venv module or pip is missing, and
/// pip's own output when the install fails.
pub fn ensure_numpy_venv(venv_dir: &Path) -> Result<PathBuf> {
    let python = venv_python(venv_dir);
    if !python.exists() {
        create_venv(venv_dir)?;
    }
    if installed_numpy_version(&python).as_deref() == Some(NUMPY_VERSION) {
        return Ok(python);
    }

    info!(venv = %venv_dir.display(), version = NUMPY_VERSION, "installing numpy with pip");
    let requirement = format!("numpy=={NUMPY_VERSION}");
    let output = run_command(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            &requirement,
        ]),
        "the virtual environment's python",
    )?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No module named pip") {
            bail!(
                "pip is missing from the virtual environment {}: install pip for python3 (on \
                 Debian or Ubuntu: apt-get install python3-pip python3-venv), then delete that \
                 folder and run the benchmark again",
                venv_dir.display()
            );
        }
        bail!(
            "`pip install {requirement}` failed in {}:\n{stderr}",
            venv_dir.display()
        );
    }
    Ok(python)
}

fn venv_python(venv_dir: &Path) -> PathBuf {
    if cfg!(windows) {
        venv_dir.join("Scripts").join("python.exe")
    } else {
        venv_dir.join("bin").join("python")
    }
}

fn create_venv(venv_dir: &Path) -> Result<()> {
    info!(venv = %venv_dir.display(), "creating a Python virtual environment");
    let output = run_command(
        Command::new("python3").arg("-m").arg("venv").arg(venv_dir),
        "python3",
    )?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`python3 -m venv {}` failed: install Python's venv module and pip (on Debian or \
             Ubuntu: apt-get install python3-venv python3-pip), then delete that folder and run \
             the benchmark again.\n{stderr}",
            venv_dir.display()
        );
    }
    Ok(())
}

/// Returns numpy's version in the environment of `python`, or None when it is not installed.
fn installed_numpy_version(python: &Path) -> Option<String> {
    let output = Command::new(python)
        .args(["-c", "import numpy; print(numpy.__version__)"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Runs `command` and turns a missing program into an error naming the packages to install.
fn run_command(command: &mut Command, program: &str) -> Result<Output> {
    match command.output() {
        Ok(output) => Ok(output),
        Err(error) if error.kind() == ErrorKind::NotFound => bail!(
            "{program} was not found: install Python 3 with its venv module and pip (on Debian \
             or Ubuntu: apt-get install python3 python3-venv python3-pip)"
        ),
        Err(error) => Err(error).with_context(|| format!("cannot start {program}")),
    }
}

/// Runs `script` with `python`, the given arguments and extra environment variables, and
/// returns its standard output.
///
/// # Errors
/// A failed start, or a non-zero exit with the script's standard error.
pub fn run_script(
    python: &Path,
    script: &Path,
    args: &[&Path],
    env: &[(&str, &str)],
) -> Result<String> {
    let mut command = Command::new(python);
    command.arg(script).args(args).envs(env.iter().copied());
    let output = run_command(&mut command, "the virtual environment's python")?;
    if !output.status.success() {
        bail!(
            "the reference script {} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).context("the reference script printed invalid UTF-8")
}

/// scikit-learn version installed next to numpy for the RBM comparisons, with the scipy it is
/// installed with.
pub const SKLEARN_VERSION: &str = "1.9.1";
const SCIPY_VERSION: &str = "1.17.1";

/// Returns the Python interpreter of the numpy environment at `venv_dir` (see
/// [`ensure_numpy_venv`]) after installing scikit-learn [`SKLEARN_VERSION`] into it when
/// another version or none is installed.
///
/// # Errors
/// Those of [`ensure_numpy_venv`], and pip's output when the install fails.
pub fn ensure_sklearn_venv(venv_dir: &Path) -> Result<PathBuf> {
    let python = ensure_numpy_venv(venv_dir)?;
    ensure_package(&python, "scipy", "scipy", SCIPY_VERSION)?;
    ensure_package(&python, "scikit-learn", "sklearn", SKLEARN_VERSION)?;
    Ok(python)
}

/// Installs `package==version` with pip into the virtual environment of `python` unless
/// `import module; module.__version__` already reports `version`.
///
/// # Errors
/// pip's own output when the install fails.
pub fn ensure_package(python: &Path, package: &str, module: &str, version: &str) -> Result<()> {
    let probe = format!("import {module}; print({module}.__version__)");
    let installed = Command::new(python)
        .args(["-c", &probe])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string());
    if installed.as_deref() == Some(version) {
        return Ok(());
    }

    info!(package, version, "installing with pip");
    let requirement = format!("{package}=={version}");
    let output = run_command(
        Command::new(python).args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            &requirement,
        ]),
        "the virtual environment's python",
    )?;
    if !output.status.success() {
        bail!(
            "`pip install {requirement}` failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// JAX version installed next to numpy for the transformer comparison, with its CPU jaxlib
/// (the `jax[cpu]` extra). jax 0.10.2 is the last release that supports Python 3.11; later
/// ones need Python 3.12 or newer.
pub const JAX_VERSION: &str = "0.10.2";
/// optax version that provides the JAX side's Adam.
pub const OPTAX_VERSION: &str = "0.2.8";

/// Returns the Python interpreter of the numpy environment at `venv_dir` (see
/// [`ensure_numpy_venv`]) after installing `jax[cpu]` [`JAX_VERSION`] and optax
/// [`OPTAX_VERSION`] into it when another version or none is installed.
///
/// # Errors
/// Those of [`ensure_numpy_venv`], and pip's output when an install fails.
pub fn ensure_jax_venv(venv_dir: &Path) -> Result<PathBuf> {
    let python = ensure_numpy_venv(venv_dir)?;
    ensure_package(&python, "jax[cpu]", "jax", JAX_VERSION)?;
    ensure_package(&python, "optax", "optax", OPTAX_VERSION)?;
    Ok(python)
}
