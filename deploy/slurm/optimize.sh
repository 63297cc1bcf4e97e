#!/usr/bin/env bash
# An optimisation on a Slurm cluster, batch by batch. The search is adaptive
# (each generation depends on the last), so it is one round trip a batch:
# `optimize --state --plan` writes the runs the next batch needs as a plan,
# an array job runs its shards (sweep.sbatch), `merge` adds them to the state
# file, and the same command goes on; when the state file holds every run
# the search needs, `optimize` prints its result (the bytes one machine
# prints) and this script ends.
#
#   deploy/slurm/optimize.sh 32 opt-state.json scenes/bracket_line.ron \
#       --vary b1.capacity=1..20 --vary welders.count=1..4 --objective npv \
#       --indifference 5000000 --budget 400 --report opt.html
#
# The first argument is the most shards a batch is cut into (a batch of
# fewer runs gets one shard a run), the second the state file; the rest are
# `optimize`'s own. Stopped (a failed task, Ctrl-C), the same command goes
# on from the state file: runs merged are kept, a batch is planned again.
# FACTORY_TWIN names the program if it is not on the PATH; OPTIMIZE_WORK the
# folder for each batch's plan and shards (default optimize-work).
set -euo pipefail
shards="${1:?the most shards a batch is cut into}"
state="${2:?the state file}"
shift 2
ft="${FACTORY_TWIN:-factory-twin}"
here="$(cd "$(dirname "$0")" && pwd)"
work="${OPTIMIZE_WORK:-optimize-work}"
mkdir -p "$work"
plan="$work/plan.json"
batch=0
while true; do
    rm -f "$plan"
    "$ft" optimize "$@" --state "$state" --plan "$plan" > "$work/result"
    # No plan written: the state file held every run, and this is the result.
    if [ ! -e "$plan" ]; then
        cat "$work/result"
        exit 0
    fi
    batch=$((batch + 1))
    jobs=$(grep -o '"jobs": *[0-9]*' "$plan" | grep -o '[0-9]*$')
    n=$((jobs < shards ? jobs : shards))
    results="$work/batch-$batch"
    rm -rf "$results"
    echo "optimize.sh: batch $batch, $jobs runs in $n shards" >&2
    sbatch --wait --array="0-$((n - 1))" "$here/sweep.sbatch" "$plan" "$results" >&2
    "$ft" merge "$results"/shard-*.json >&2
done
