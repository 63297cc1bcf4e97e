//! Results run elsewhere: the runs a cluster's shards made, held by what
//! they are a run of (the scene's hash and the replication). An experiment
//! given them (`Options::held`) takes each run it asks for from here instead
//! of simulating it, so `merge` summarises a sharded compare, `roi` or
//! bottleneck experiment with exactly the code, and to exactly the bytes,
//! of one machine.

use super::{Replication, RunError};
use crate::cluster::scene_hash;
use crate::kpi::RunResult;
use crate::scene::Scene;
use std::collections::HashMap;

/// Runs by (scene hash, replication).
#[derive(Debug, Default)]
pub struct Held {
    runs: HashMap<(String, u32), RunResult>,
}

impl Held {
    /// Holds `result` as replication `rep` of the scene hashing to `hash`.
    pub fn insert(&mut self, hash: String, rep: u32, result: RunResult) {
        self.runs.insert((hash, rep), result);
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Replication `rep` of `scene`; an internal error when it is not held
    /// (the plan did not list a run the experiment needs: a bug, since
    /// plans are made from the same functions that ask).
    pub(super) fn take(&self, scene: &Scene, rep: u32) -> Result<Replication, RunError> {
        let hash = scene_hash(scene);
        self.runs
            .get(&(hash, rep))
            .map(|r| Replication {
                result: r.clone(),
                log: None,
            })
            .ok_or_else(|| {
                RunError::Internal(format!(
                    "the shards hold no run of replication {rep} of \"{}\", which the experiment asks for: the plan missed it",
                    scene.name
                ))
            })
    }
}
