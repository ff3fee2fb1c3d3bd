#!/usr/bin/env bash
# npm run bench:netconf — the shared NETCONF harness (ncclient) with the appliance as a target,
# in the same run as the peer (Debian's netconfd) and the floor (a null ssh2 server), then every
# appliance figure as a ratio to both.
#
#   npm run bench:netconf [-- --rounds N] [-- --quick]
#
# The harness is bench/netconf/ in this repository (NETCONF_BENCH_DIR overrides it). The peer
# needs root (it runs its own sshd) and: apt-get install netconfd openssh-server; the harness
# needs python3-ncclient. Without the peer the run goes on without it, and says so.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="${NETCONF_BENCH_DIR:-$REPO/bench/netconf}"
[[ -x $HARNESS/run_all.sh ]] || { echo "bench:netconf: no harness at $HARNESS (set NETCONF_BENCH_DIR)" >&2; exit 1; }
PEER_ARGS=()
missing=()
for b in /usr/sbin/netconfd /usr/sbin/netconf-subsystem /usr/sbin/sshd; do [[ -x $b ]] || missing+=("$b"); done
if [[ ${#missing[@]} -gt 0 || $(id -u) -ne 0 ]]; then
  echo "bench:netconf: the peer (Debian's netconfd) cannot run here (${missing[*]:-not root}): measuring without it;" \
    "ratios to the peer are left out (apt-get install netconfd openssh-server, run as root)" >&2
  PEER_ARGS=(--no-peer)
fi
ROUNDS=3
EXTRA=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done

DATA="$(mktemp -d "${TMPDIR:-/tmp}/appliance-ncbench.XXXXXX")"
OUT="$DATA/results"
PASSWORD="bench-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT="${APPLIANCE_BENCH_PORT:-2830}"
cleanup() {
  [[ -n ${PID:-} ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$DATA/var"
}
trap cleanup EXIT INT TERM

APPLIANCE_ADMIN_PASSWORD="$PASSWORD" node "$REPO/bin/appliance" start --data-dir "$DATA/var" --port "$PORT" --log-level warn \
  2>"$DATA/appliance.log" &
PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

"$HARNESS/run_all.sh" --rounds "$ROUNDS" --out "$OUT" --node-modules "$REPO/node_modules" \
  --target "appliance,127.0.0.1,$PORT,admin,$PASSWORD,$HARNESS/models/appliance-interfaces.json" ${PEER_ARGS[@]+"${PEER_ARGS[@]}"} ${EXTRA[@]+"${EXTRA[@]}"} >&2
node "$REPO/dist/bench/netconf-ratios.js" "$OUT/medians.jsonl"
echo "raw results in $OUT" >&2
# The daemon's own CPU per RPC beside the floor's, and the 100,000-entry bulk, read and RSS.
[[ ${NETCONF_BENCH_COST:-1} == 0 ]] || "$REPO/bench/netconf-cost.sh"
