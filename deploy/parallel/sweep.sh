#!/usr/bin/env bash
# Every shard of a factory-twin plan on a few PCs with GNU parallel over ssh
# (Debian's `parallel`). Each host needs factory-twin on its PATH and the
# working folder (the plan, the scenes, results/) on a shared filesystem;
# without one, add `--transferfile plan.json --return results/shard-{}*.json`.
#
#   factory-twin plan scenes/bracket_line.ron --set b2.capacity=2..40 --reps 100 --out plan.json
#   deploy/parallel/sweep.sh plan.json 64 hosts.txt     # hosts.txt: one ssh login per line; ":" is this machine
#   factory-twin merge results/shard-*.json --report sweep.html
#
# A shard that failed is named by merge; run the same command again and only
# the shards without a file run (--resume-failed is not needed: the check is
# the shard file itself).
set -euo pipefail
plan="${1:?the plan file}"
shards="${2:?the number of shards}"
hosts="${3:?a file of ssh logins}"
out="${4:-results}"
mkdir -p "$out"
todo=()
for i in $(seq 0 $((shards - 1))); do
    if [ ! -e "$out/$(printf 'shard-%04d-of-%04d.json' "$i" "$shards")" ]; then todo+=("$i"); fi
done
if [ ${#todo[@]} -eq 0 ]; then
    echo "every shard is there: factory-twin merge $out/shard-*.json"
    exit 0
fi
printf '%s\n' "${todo[@]}" | parallel --sshloginfile "$hosts" --workdir . --jobs 1 --halt never \
    "${FACTORY_TWIN:-factory-twin}" shard "$plan" --shard "{}/$shards" --out "$out"
