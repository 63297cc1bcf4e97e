//! How replications scale with worker threads: the bundled bracket-line
//! comparison (base and robot variant, paired replications) timed with 1, 2,
//! … threads. Results are identical whatever the thread count (tested); only
//! the wall time changes.

use crate::experiment::{self, Options};
use crate::scene::load_scene;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// Wall time of the comparison at one thread count.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadTiming {
    pub threads: usize,
    /// Median over the repeats.
    pub wall_s: f64,
    /// Wall time with one thread ÷ this wall time.
    pub speedup: f64,
}

/// The scaling figures.
#[derive(Clone, Debug, Serialize)]
pub struct Scaling {
    pub what: String,
    pub replications: u32,
    pub cores: usize,
    pub timings: Vec<ThreadTiming>,
}

/// Times `compare bracket_line bracket_line_robot_weld --reps reps` at each
/// thread count (median of `repeats`).
pub fn replication_scaling(
    reps: u32,
    threads: &[usize],
    repeats: usize,
) -> Result<Scaling, String> {
    // Relative to the working directory, not the machine that built the binary.
    let root = Path::new("scenes");
    let load = |f: &str| load_scene(&root.join(f)).map_err(|d| d.to_string());
    let base = load("bracket_line.ron")?;
    let robot = load("bracket_line_robot_weld.ron")?;
    let mut timings: Vec<ThreadTiming> = Vec::new();
    for &t in threads {
        let options = Options {
            replications: Some(reps),
            threads: Some(t.max(1)),
            ..Options::default()
        };
        let mut walls: Vec<f64> = (0..repeats.max(1))
            .map(|_| {
                let start = Instant::now();
                experiment::compare(&base, std::slice::from_ref(&robot), &options)
                    .map(|_| start.elapsed().as_secs_f64())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        walls.sort_by(f64::total_cmp);
        let wall_s = walls[walls.len() / 2];
        let one = timings.first().map_or(wall_s, |x| x.wall_s);
        timings.push(ThreadTiming {
            threads: t,
            wall_s,
            speedup: one / wall_s,
        });
    }
    Ok(Scaling {
        what: "compare bracket_line.ron bracket_line_robot_weld.ron (2 scenarios, paired replications)".into(),
        replications: reps,
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        timings,
    })
}
