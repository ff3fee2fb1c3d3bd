#!/usr/bin/env bash
# The appliance's own cost, beside the harness floor (a null ssh2 NETCONF server): the daemon's
# CPU per RPC (lock, edit-config, commit, unlock, one-entry get-config) and, at ENTRIES entries
# (100,000 by default), a bulk create in one commit (edit-configs of 25,000 entries each: one
# message may hold 200,000 elements, docs/security.md), a whole get-config and the daemon's RSS.
# Run by `npm run bench:netconf` after the side-by-side rounds (NETCONF_BENCH_COST=0 skips it).
#
#   bench/netconf-cost.sh [--entries N] [--n ROUNDS]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="${NETCONF_BENCH_DIR:-$REPO/bench/netconf}"
ENTRIES=100000
N=300
while [[ $# -gt 0 ]]; do
  case $1 in
    --entries) ENTRIES=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    *) echo "bench-cost: unknown argument $1" >&2; exit 2 ;;
  esac
done
DATA="$(mktemp -d "${TMPDIR:-/tmp}/appliance-nccost.XXXXXX")"
PASSWORD="bench-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT="${APPLIANCE_BENCH_PORT:-2832}"
NULL_PORT="${NCB_NULL_PORT:-1833}"
cleanup() {
  [[ -n ${NULL_PID:-} ]] && kill -TERM "$NULL_PID" 2>/dev/null && wait "$NULL_PID" 2>/dev/null
  [[ -n ${PID:-} ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

APPLIANCE_ADMIN_PASSWORD="$PASSWORD" node "$REPO/bin/appliance" start --data-dir "$DATA/var" --port "$PORT" --http-port 0 \
  --log-level info 2>"$DATA/appliance.log" &
PID=$!
DAEMON=""
for _ in $(seq 300); do
  DAEMON="$(grep '"msg":"appliance started"' "$DATA/appliance.log" 2>/dev/null | head -1 | sed -E 's/.*"pid":([0-9]+).*/\1/' || true)"
  [[ -n $DAEMON ]] && break
  sleep 0.1
done
[[ -n $DAEMON ]] || { echo "bench-cost: the appliance did not start" >&2; tail -5 "$DATA/appliance.log" >&2; exit 1; }
"$HARNESS/server_cost.py" rpc --pid "$DAEMON" --port "$PORT" --user admin --password "$PASSWORD" --n "$N" --label appliance
"$HARNESS/server_cost.py" scale --pid "$DAEMON" --port "$PORT" --user admin --password "$PASSWORD" --entries "$ENTRIES" --label appliance

node "$HARNESS/limits/null_netconf_server.js" --port "$NULL_PORT" >"$DATA/null-server.log" 2>&1 &
NULL_PID=$!
for _ in $(seq 50); do grep -q listening "$DATA/null-server.log" 2>/dev/null && break; sleep 0.1; done
"$HARNESS/server_cost.py" rpc --pid "$NULL_PID" --port "$NULL_PORT" --user bench --password bench-pw --n "$N" --label floor-null-ssh2
