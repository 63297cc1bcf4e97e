#!/usr/bin/env bash
# A one-node Slurm cluster in a folder, for trying the array job on one
# machine and for the test that runs a sweep through a real scheduler
# (tests/engine/cluster.rs). Needs root and Debian's slurmctld, slurmd,
# slurm-client and munge (.ci/run installs them).
#
#   deploy/slurm/single-node.sh start DIR   # then: export SLURM_CONF=DIR/slurm.conf
#   deploy/slurm/single-node.sh stop DIR
#
# Everything lives in DIR: its own munge key and socket, free ports for
# slurmctld and slurmd, state and logs, so it touches no system service.
set -euo pipefail
cmd="${1:?start or stop}"
dir="$(mkdir -p "${2:?a folder}" && cd "$2" && pwd)"

stop() {
    local pids=()
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/pid"; do
        if [ -s "$pid" ]; then pids+=("$(cat "$pid")"); fi
    done
    if [ ${#pids[@]} -gt 0 ]; then
        kill "${pids[@]}" 2>/dev/null || true
        # Wait for them, so the folder can go and the ports are free.
        for _ in $(seq 50); do
            kill -0 "${pids[@]}" 2>/dev/null || break
            sleep 0.1
        done
    fi
}

case "$cmd" in
stop)
    stop
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

mkdir -p "$dir"/{state,spool,log,munge}
host="$(hostname)"
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 0400 "$dir/munge/munge.key"
# --force: munged refuses root otherwise; the key and socket are private to $dir.
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" \
    --pid-file="$dir/munge/pid" --log-file="$dir/munge/log" --seed-file="$dir/munge/seed"
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cat > "$dir/slurm.conf" <<CONF
ClusterName=factory-twin
SlurmctldHost=$host
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# Without SLURM_CONF the clients look the controller up in DNS and fail.
export SLURM_CONF="$dir/slurm.conf"
slurmctld
slurmd
for _ in $(seq 100); do
    if sinfo -h -o %t 2>/dev/null | grep -q idle; then
        echo "export SLURM_CONF=$dir/slurm.conf"
        exit 0
    fi
    sleep 0.2
done
echo "the node did not come up; see $dir/log" >&2
stop
exit 1
