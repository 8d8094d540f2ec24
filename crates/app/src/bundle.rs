//! The bundled sample (the repository's `sample-data/`, 350 kB) compiled into the binary, so a
//! fresh machine has real data with no download and no checkout: the first `emp ingest-once`
//! or `emp run` writes it under the data directory and loads it into an empty store.

use std::path::{Path, PathBuf};

/// Path relative to the sample directory, and the file's bytes (licences and NOTICE included).
const FILES: &[(&str, &[u8])] = &[
    ("NOTICE", include_bytes!("../../../sample-data/NOTICE")),
    (
        "LICENSES/arch-NCSA.md",
        include_bytes!("../../../sample-data/LICENSES/arch-NCSA.md"),
    ),
    (
        "LICENSES/statsmodels-BSD-3-Clause.txt",
        include_bytes!("../../../sample-data/LICENSES/statsmodels-BSD-3-Clause.txt"),
    ),
    (
        "equity/crude.csv.gz",
        include_bytes!("../../../sample-data/equity/crude.csv.gz"),
    ),
    (
        "equity/nasdaq.csv.gz",
        include_bytes!("../../../sample-data/equity/nasdaq.csv.gz"),
    ),
    (
        "equity/sp500.csv.gz",
        include_bytes!("../../../sample-data/equity/sp500.csv.gz"),
    ),
    (
        "equity/vix.csv.gz",
        include_bytes!("../../../sample-data/equity/vix.csv.gz"),
    ),
    (
        "equity/wti.csv.gz",
        include_bytes!("../../../sample-data/equity/wti.csv.gz"),
    ),
    (
        "macro/core-cpi.csv.gz",
        include_bytes!("../../../sample-data/macro/core-cpi.csv.gz"),
    ),
    (
        "macro/danish_data.csv",
        include_bytes!("../../../sample-data/macro/danish_data.csv"),
    ),
    (
        "macro/default.csv.gz",
        include_bytes!("../../../sample-data/macro/default.csv.gz"),
    ),
    (
        "macro/frenchdata.csv.gz",
        include_bytes!("../../../sample-data/macro/frenchdata.csv.gz"),
    ),
    (
        "macro/interest_inflation_E6.csv",
        include_bytes!("../../../sample-data/macro/interest_inflation_E6.csv"),
    ),
    (
        "macro/macrodata.csv",
        include_bytes!("../../../sample-data/macro/macrodata.csv"),
    ),
];

/// Where the bundle is written: `<data_dir>/sample-data`.
pub(crate) fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("sample-data")
}

/// Write the bundled files that are missing or differ under `dir`; returns how many were
/// written. Existing identical files are left alone, so this is cheap after the first run.
pub(crate) fn materialize(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Write then rename, so a crash never leaves a truncated sample file behind.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bootstrap_sample_is_bundled_with_its_licences() {
        for s in emp_ingest::BOOTSTRAP_SAMPLES {
            assert!(
                FILES.iter().any(|(p, _)| *p == s.path),
                "{} not bundled",
                s.path
            );
        }
        assert!(FILES.iter().any(|(p, _)| *p == "NOTICE"));
        assert_eq!(
            FILES
                .iter()
                .filter(|(p, _)| p.starts_with("LICENSES/"))
                .count(),
            2
        );
    }

    #[test]
    fn materialize_writes_once_and_repairs_damage() {
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(tmp.path());
        assert_eq!(materialize(&d).unwrap(), FILES.len());
        assert_eq!(materialize(&d).unwrap(), 0);
        std::fs::write(d.join("equity/sp500.csv.gz"), b"truncated").unwrap();
        assert_eq!(materialize(&d).unwrap(), 1);
        let on_disk = std::fs::read(d.join("equity/sp500.csv.gz")).unwrap();
        assert_eq!(on_disk.len(), 102_735);
    }
}
