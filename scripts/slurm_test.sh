#!/usr/bin/env bash
# Run a small sweep through a real (single-node) Slurm cluster and check that the
# merged results equal the same sweep run locally, byte for byte.
#
# Installs slurm-wlm and munge with apt-get if missing (prints SKIP and exits 0
# only if that install fails), starts munged, slurmctld and slurmd on localhost
# under a temporary folder (see shared/SLURM.md), submits the job array and merge
# job written by `pathsim sweep --emit-slurm`, waits, compares, and stops the
# daemons it started. Needs root (the rig runs the daemons as root).
#
# Then a failure: one task's shard file is made unwritable, so that task fails; the
# merge job must be cancelled (--kill-on-invalid-dep=yes), not left pending for
# ever; the task log must say what the task did; `resubmit.sh --list` must name
# only that shard, and `resubmit.sh` must finish the sweep (same files again).
#
# Cost of one run, measured on this machine (2 cores, shared) for the default
# --time and --mem that --emit-slurm writes (it measures run 0 itself, too):
#   /usr/bin/time -v target/release/pathsim sweep scenarios/sweeps/teaching.toml --run 0 --threads 1
#     -> 0.16 s wall, 7,808 KiB peak RSS (scale 200, 1 replicate; 50 runs in the sweep)
#   /usr/bin/time -v target/release/pathsim run scenarios/baseline.toml --quiet
#     -> 18.6 s wall, 17,304 KiB peak RSS (the baseline at its own scale, 2 threads)
# so a 4-task teaching sweep gets --time=00:10:07 (3 x 13 runs x 0.16 s + 10 min)
# and --mem=320M (1.5 x 8 MiB + 256 MiB, rounded up to 64 MiB).
#
# Usage: scripts/slurm_test.sh [SWEEP.toml] [TASKS]
#   default: scenarios/sweeps/teaching.toml, 4 array tasks
# Env: PATHSIM=/path/to/pathsim (default: build target/release/pathsim),
#      KEEP=1 keeps the rig folder for inspection.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
sweep_file=$(realpath "${1:-scenarios/sweeps/teaching.toml}")
tasks=${2:-4}

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: this rig runs slurmctld/slurmd/munged as root; rerun as root" >&2
    exit 0
fi

if ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1; then
    echo "installing slurm-wlm and munge (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; }; then
        echo "SKIP: apt-get could not install slurm-wlm and munge" >&2
        exit 0
    fi
fi

if [ -n "${PATHSIM:-}" ]; then
    exe=$(realpath "$PATHSIM")
else
    cargo build --release --quiet
    exe=$root/target/release/pathsim
fi

S=$(mktemp -d /tmp/pathsim-slurm.XXXXXX)
chmod 755 "$S" # munged wants every folder above its socket searchable
mkdir -p "$S"/{munge,state,spool,log,run}
chmod 755 "$S/munge"

stop() {
    local status=$?
    for d in slurmd slurmctld munged; do
        if [ -f "$S/run/$d.pid" ]; then
            kill "$(cat "$S/run/$d.pid")" 2>/dev/null || true
        fi
    done
    sleep 1
    for d in slurmd slurmctld munged; do
        if [ -f "$S/run/$d.pid" ]; then
            kill -9 "$(cat "$S/run/$d.pid")" 2>/dev/null || true
        fi
    done
    if [ "$status" != 0 ]; then
        echo "--- rig logs ($S/log) ---" >&2
        tail -n 20 "$S"/log/*.log >&2 || true
        tail -n 20 "$S"/cluster/slurm/logs/* >&2 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ] || [ "$status" != 0 ]; then
        echo "rig folder kept: $S" >&2
    else
        rm -rf "$S"
    fi
}
trap stop EXIT

# The node's memory, so the --mem the scripts ask for can be granted (without
# RealMemory Slurm assumes 1 MB and refuses any --mem).
mem_mib=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
cat >"$S/slurm.conf" <<EOF
ClusterName=rig
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.socket.2
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

if [ -f /etc/munge/munge.key ]; then
    cp /etc/munge/munge.key "$S/munge/munge.key"
else
    dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 600 "$S/munge/munge.key"
munged --socket="$S/munge/munge.socket.2" --key-file="$S/munge/munge.key" \
    --log-file="$S/log/munged.log" --pid-file="$S/run/munged.pid" --seed-file="$S/munge/munged.seed"
export SLURM_CONF=$S/slurm.conf
slurmctld -f "$S/slurm.conf" -c
slurmd -f "$S/slurm.conf" -N localhost

for _ in $(seq 1 60); do
    if sinfo -h -o %t 2>/dev/null | grep -q idle; then break; fi
    sleep 0.5
done
sinfo -h -o %t | grep -q idle || { echo "FAIL: the Slurm node did not come up" >&2; exit 1; }
echo "slurm rig up in $S" >&2

# The cluster run: job array + merge job, as a user would submit it.
"$exe" sweep "$sweep_file" --emit-slurm "$tasks" --out "$S/cluster"
sh "$S/cluster/slurm/submit.sh"
deadline=$((SECONDS + 600))
while [ -n "$(squeue -h 2>/dev/null)" ]; do
    if [ "$SECONDS" -gt "$deadline" ]; then
        echo "FAIL: jobs still queued after 10 minutes" >&2
        squeue >&2
        exit 1
    fi
    sleep 1
done
[ -f "$S/cluster/runs.csv" ] || { echo "FAIL: the merge job wrote no runs.csv" >&2; exit 1; }
shards=$(ls "$S"/cluster/runs.shard-*-of-"$tasks".csv | wc -l)
[ "$shards" = "$tasks" ] || { echo "FAIL: expected $tasks shard files, found $shards" >&2; exit 1; }

# The same sweep on this machine, no scheduler.
"$exe" sweep "$sweep_file" --out "$S/local" --quiet
status=0
for f in "$S"/local/*.csv; do
    name=$(basename "$f")
    case "$name" in runs.journal.csv) continue ;; esac
    if cmp -s "$f" "$S/cluster/$name"; then
        echo "same: $name ($(wc -l <"$f") lines)"
    else
        echo "DIFFERENT: $name" >&2
        status=1
    fi
done
[ "$status" = 0 ] || exit 1
echo "PASS: $tasks Slurm array tasks + merge job give the same files as a local run"

wait_idle() { # $1: seconds; fails if jobs are still queued then
    local until=$((SECONDS + $1))
    while [ -n "$(squeue -h 2>/dev/null)" ]; do
        if [ "$SECONDS" -gt "$until" ]; then
            echo "FAIL: $2" >&2
            squeue >&2
            exit 1
        fi
        sleep 1
    done
}

# A failed task: shard 1's file is a folder, so task 1 cannot write it and fails.
"$exe" sweep "$sweep_file" --emit-slurm "$tasks" --out "$S/fail" --quiet
mkdir "$S/fail/runs.shard-1-of-$tasks.csv"
sh "$S/fail/slurm/submit.sh"
wait_idle 120 "the merge job is still queued 2 minutes after a task failed (not cancelled)"
[ ! -f "$S/fail/runs.csv" ] || { echo "FAIL: merged although a task failed" >&2; exit 1; }
log=$(ls "$S"/fail/slurm/logs/sweep_*_1.out)
grep -q "start: task 1 " "$log" || { echo "FAIL: task 1's log does not say it started" >&2; cat "$log" >&2; exit 1; }
grep -Eq "end: task 1, shard 1/$tasks, 0 runs done, exit status [1-9]" "$log" \
    || { echo "FAIL: task 1's log does not give its end and exit status" >&2; cat "$log" >&2; exit 1; }
log0=$(ls "$S"/fail/slurm/logs/sweep_*_0.out)
grep -Eq "end: task 0, shard 0/$tasks, [0-9]+ runs done, exit status 0" "$log0" \
    || { echo "FAIL: task 0's log does not say what it did" >&2; cat "$log0" >&2; exit 1; }
listed=$(sh "$S/fail/slurm/resubmit.sh" --list)
echo "$listed" | grep -qx "failed or missing shards: 1" \
    || { echo "FAIL: resubmit.sh --list should name shard 1 only:" >&2; echo "$listed" >&2; exit 1; }
rmdir "$S/fail/runs.shard-1-of-$tasks.csv"
sh "$S/fail/slurm/resubmit.sh"
wait_idle 600 "resubmitted jobs still queued after 10 minutes"
for f in "$S"/local/*.csv; do
    name=$(basename "$f")
    case "$name" in runs.journal.csv) continue ;; esac
    cmp -s "$f" "$S/fail/$name" || { echo "FAIL: after resubmit.sh, $name differs" >&2; exit 1; }
done
echo "PASS: a failed task cancels the merge job, its log says so, and resubmit.sh reruns only that shard"
