//! The peer engines on the same serial line, each a program of its own that
//! takes `N T --warmup W --seed S --json` and prints one JSON object with
//! `engine`, `throughput`, `station_ops_total`, `wall_s` and
//! `station_ops_per_s` (bench/README.md sets them up):
//!
//! - `simpy`: SimPy 4 (`bench/simpy_line.py`, pure Python);
//! - `cimba`: Cimba (`bench/cimba_line.py`, a C engine with a Python
//!   front-end that compiles the model with Numba);
//! - `nexosim`: NeXosim (`bench/nexosim_line`, Rust actors, one thread).
//!
//! A peer that is not installed is skipped with a note saying what to do,
//! never an error: the bench still measures the others.

use super::Case;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The peers `--peers` can name.
pub const PEERS: [&str; 3] = ["simpy", "cimba", "nexosim"];

/// How to start one peer.
#[derive(Clone, Debug)]
pub struct Peer {
    pub name: &'static str,
    pub program: PathBuf,
    /// The script, for the Python peers.
    pub script: Option<PathBuf>,
}

/// Where the peers are: the Python for SimPy and Cimba, their scripts, the
/// NeXosim binary.
#[derive(Clone, Debug)]
pub struct PeerSetup {
    pub python: String,
    pub simpy_script: PathBuf,
    pub cimba_script: PathBuf,
    pub nexosim: PathBuf,
}

impl PeerSetup {
    /// The peer of that name, or why it cannot run here.
    pub fn peer(&self, name: &str) -> Result<Peer, String> {
        let python = |script: &Path, name: &'static str| {
            if !script.exists() {
                return Err(format!(
                    "{} not found (run from the repository root)",
                    script.display()
                ));
            }
            Ok(Peer {
                name,
                program: PathBuf::from(&self.python),
                script: Some(script.to_path_buf()),
            })
        };
        match name {
            "simpy" => python(&self.simpy_script, "simpy"),
            "cimba" => python(&self.cimba_script, "cimba"),
            "nexosim" => {
                if !self.nexosim.exists() {
                    return Err(format!(
                        "{} not found: build it with cargo build --release --manifest-path bench/nexosim_line/Cargo.toml, and run bench with the same CARGO_TARGET_DIR or name the binary with --nexosim PATH (bench/README.md)",
                        self.nexosim.display()
                    ));
                }
                Ok(Peer {
                    name: "nexosim",
                    program: self.nexosim.clone(),
                    script: None,
                })
            }
            other => Err(format!("no peer \"{other}\" (peers: {})", PEERS.join(", "))),
        }
    }
}

/// One peer's figures for a case: the median of its repeats by wall time.
#[derive(Clone, Debug, Serialize)]
pub struct PeerFigures {
    /// The engine as it names itself ("simpy 4.1.2", "cimba 0.9.6 (C engine 3.0.0)").
    pub engine: String,
    /// The program that ran it (the interpreter for the Python peers).
    pub interpreter: String,
    /// The Python version, for the Python peers.
    pub python: String,
    pub ops: u64,
    pub wall_s: f64,
    pub ops_per_sec: f64,
    pub throughput: f64,
}

impl PeerFigures {
    /// Which peer ran on what, for the footer of a table.
    pub fn origin(&self) -> String {
        if self.python.is_empty() {
            format!("{} ({})", self.engine, self.interpreter)
        } else {
            format!(
                "{} on Python {} ({})",
                self.engine, self.python, self.interpreter
            )
        }
    }
}

/// A peer's result for one case.
#[derive(Clone, Debug, Serialize)]
pub struct PeerResult {
    pub peer: &'static str,
    pub figures: Option<PeerFigures>,
    /// factory-twin's ops/s ÷ the peer's.
    pub factory_twin_over_peer: Option<f64>,
    /// Why it did not run.
    pub note: Option<String>,
}

/// Runs one peer `repeats` times on a case; the median by wall time.
pub fn run_peer(
    peer: &Peer,
    case: &Case,
    seed: u64,
    repeats: usize,
) -> Result<PeerFigures, String> {
    let mut runs = Vec::new();
    for _ in 0..repeats.max(1) {
        runs.push(run_once(peer, case, seed)?);
    }
    runs.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
    Ok(runs.swap_remove(runs.len() / 2))
}

fn run_once(peer: &Peer, case: &Case, seed: u64) -> Result<PeerFigures, String> {
    let mut c = Command::new(&peer.program);
    if let Some(s) = &peer.script {
        c.arg(s);
    }
    let shown = match &peer.script {
        Some(s) => format!("{} {}", peer.program.display(), s.display()),
        None => peer.program.display().to_string(),
    };
    let out = c
        .arg(case.stations.to_string())
        .arg(case.horizon.to_string())
        .args([
            "--warmup",
            &case.warmup.to_string(),
            "--seed",
            &seed.to_string(),
            "--json",
        ])
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{shown} failed: {}",
            err.lines().last().unwrap_or("")
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{} output is not JSON: {e}", peer.name))?;
    let f = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| format!("{} output lacks `{k}`", peer.name))
    };
    let text = |k: &str| v.get(k).and_then(|e| e.as_str()).map(str::to_string);
    Ok(PeerFigures {
        engine: text("engine").unwrap_or_else(|| peer.name.to_string()),
        interpreter: peer.program.display().to_string(),
        python: text("python").unwrap_or_default(),
        ops: f("station_ops_total")? as u64,
        wall_s: f("wall_s")?,
        ops_per_sec: f("station_ops_per_s")?,
        throughput: f("throughput")?,
    })
}

/// The processor, as `lscpu` names it ("AMD EPYC 7B13"), else /proc/cpuinfo's.
pub fn cpu_name() -> String {
    let lscpu = Command::new("lscpu")
        .env("LC_ALL", "C")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.starts_with("Model name:"))
                .map(|l| l["Model name:".len()..].trim().to_string())
        });
    lscpu
        .or_else(|| {
            std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_that_is_not_set_up_says_how_to_set_it_up() {
        let setup = PeerSetup {
            python: "python3".into(),
            simpy_script: "/nonexistent/simpy_line.py".into(),
            cimba_script: "/nonexistent/cimba_line.py".into(),
            nexosim: "/nonexistent/release/nexosim_line".into(),
        };
        let why = setup.peer("nexosim").unwrap_err();
        for needed in [
            "/nonexistent/release/nexosim_line",
            "cargo build --release --manifest-path bench/nexosim_line/Cargo.toml",
            "CARGO_TARGET_DIR",
            "--nexosim",
        ] {
            assert!(why.contains(needed), "{needed:?} missing from {why:?}");
        }
        let why = setup.peer("simpy").unwrap_err();
        assert!(why.contains("/nonexistent/simpy_line.py"), "{why}");
    }
}
