//! What a report was made from: the files read (each with its SHA-256, so
//! a reader can tell whether the scene in hand is the one reported on), the
//! command, the program's version and the date. The seed, replications and
//! run window come from the experiment itself.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One input file.
#[derive(Clone, Debug, PartialEq)]
pub struct InputFile {
    pub path: String,
    pub bytes: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// The files, command, version and date of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    pub command: String,
    pub version: &'static str,
    /// "2026-12-03 14:05 UTC"; from `SOURCE_DATE_EPOCH` when set, so a
    /// report can be made reproducibly.
    pub date: String,
    /// The same moment in seconds since 1970 (the workbook's creation time).
    pub epoch: i64,
    /// The run window (warm-up, observed), in seconds, where the experiment
    /// itself does not carry it (a sweep).
    pub window: Option<(f64, f64)>,
}

impl Inputs {
    /// The inputs of this process: `files` hashed as they are on disk now.
    pub fn of(files: &[PathBuf]) -> Self {
        let command: Vec<String> = std::env::args()
            .skip(1)
            .map(|a| {
                if a.contains(' ') {
                    format!("\"{a}\"")
                } else {
                    a
                }
            })
            .collect();
        Self {
            files: files.iter().map(|p| hashed(p)).collect(),
            command: format!("factory-twin {}", command.join(" ")),
            version: env!("CARGO_PKG_VERSION"),
            date: date(epoch()),
            epoch: epoch(),
            window: None,
        }
    }

    /// With the run window the experiment does not carry.
    pub fn with_window(mut self, warmup_s: f64, observed_s: f64) -> Self {
        self.window = Some((warmup_s, observed_s));
        self
    }

    /// No files and no command (for reports made from a library call).
    pub fn none() -> Self {
        Self {
            files: Vec::new(),
            command: String::new(),
            version: env!("CARGO_PKG_VERSION"),
            date: date(epoch()),
            epoch: epoch(),
            window: None,
        }
    }
}

fn hashed(path: &Path) -> InputFile {
    let data = std::fs::read(path).unwrap_or_default();
    let digest = Sha256::digest(&data);
    InputFile {
        path: path.display().to_string(),
        bytes: data.len() as u64,
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Now, or `SOURCE_DATE_EPOCH`, in seconds since 1970.
fn epoch() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        })
}

/// `secs` as "YYYY-MM-DD HH:MM UTC".
fn date(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (H. Hinnant's days-from-civil, inverted).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(59), (1970, 3, 1));
        // 2000-02-29 (a leap day of a century leap year) and 2026-12-03.
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(civil(20_790), (2026, 12, 3));
    }

    #[test]
    fn a_file_s_hash_is_its_sha256() {
        let dir = std::env::temp_dir().join("factory_twin_inputs_test");
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("abc.txt");
        std::fs::write(&f, "abc").unwrap();
        let h = hashed(&f);
        assert_eq!(h.bytes, 3);
        assert_eq!(
            h.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
