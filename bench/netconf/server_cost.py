#!/usr/bin/python3
"""A NETCONF server's own cost, measured from its process: CPU per RPC and memory at scale.

  server_cost.py rpc   --pid PID --port N --user U --password P [--n 300] [--label L]
  server_cost.py scale --pid PID --port N --user U --password P [--entries 100000] [--label L]

`rpc`: N rounds of lock, edit-config (one leaf), commit, unlock and a one-entry get-config;
the server's CPU time (utime+stime of PID and its children that exited, from /proc) is added
up per RPC type around each call and divided by N. Ticks are 10 ms, so each call's share is
a sample; over N rounds the sum is unbiased.
`scale`: edit-configs creating ENTRIES entries (CHUNK per message: the 200,000-element limit of
one message) + one commit (wall ms), then a whole get-config
(wall ms, 3 times), and the server's peak and current RSS (VmHWM, VmRSS), then clears.
Prints one JSON object per line (model: models/appliance-interfaces.json's entries).
"""

import argparse
import json
import os
import sys
import time

from ncclient import manager
from ncclient.operations import RaiseMode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_netconf import config_of, entry_xml, load_model, patch_ncclient  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime stime cutime cstime are fields 14-17 (1-based); after the comm they start at index 11
    return sum(int(x) for x in fields[11:15]) / TICK


def mem_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0])
    return out


def connect(a):
    m = manager.connect(host=a.host, port=a.port, username=a.user, password=a.password, hostkey_verify=False,
                        allow_agent=False, look_for_keys=False, timeout=600)
    m.raise_mode = RaiseMode.ALL
    return m


def rpc_costs(a, model):
    m = connect(a)
    key = "cost-0"
    m.edit_config(target="candidate", config=config_of(model, entry_xml(model, 0, key, "v0")))
    m.commit()
    calls = [
        ("lock", lambda i: m.lock("candidate")),
        ("edit-config", lambda i: m.edit_config(target="candidate", config=config_of(
            model, model["leaf_change"].format(key=key, value="v%d" % i, i=i)))),
        ("commit", lambda i: m.commit()),
        ("unlock", lambda i: m.unlock("candidate")),
        ("get-config one entry", lambda i: m.get_config(source="running", filter=("subtree", model["read_filter"].format(key=key)))),
    ]
    cpu = {name: 0.0 for name, _ in calls}
    wall = {name: 0.0 for name, _ in calls}
    for i in range(a.warm + a.n):
        for name, call in calls:
            c0, t0 = cpu_s(a.pid), time.perf_counter()
            call(i)
            if i >= a.warm:
                wall[name] += time.perf_counter() - t0
                cpu[name] += cpu_s(a.pid) - c0
    for name, _ in calls:
        print(json.dumps({"label": a.label, "workload": "server_cpu_per_rpc", "rpc": name, "n": a.n,
                          "server_cpu_ms": round(cpu[name] * 1000 / a.n, 3), "wall_ms": round(wall[name] * 1000 / a.n, 3)}))
    m.close_session()


def scale(a, model):
    m = connect(a)
    before = mem_kb(a.pid)
    # Edits of at most --chunk entries each: one message may hold 200,000 elements (docs/security.md),
    # so 100,000 entries of 5 elements cannot go in one edit-config; they go in one commit.
    chunks = []
    for lo in range(0, a.entries, a.chunk):
        inner = "".join(entry_xml(model, i, "bulk-%06d" % i, "value-%08d" % i) for i in range(lo, min(a.entries, lo + a.chunk)))
        chunks.append(config_of(model, inner))
    t0 = time.perf_counter()
    for cfg in chunks:
        m.edit_config(target="candidate", config=cfg)
    t1 = time.perf_counter()
    m.commit()
    t2 = time.perf_counter()
    gets = []
    size = 0
    for _ in range(3):
        g0 = time.perf_counter()
        r = m.get_config(source="running")
        gets.append(time.perf_counter() - g0)
        size = len(r.xml)
    seen = r.xml.count("<name>bulk-")
    after = mem_kb(a.pid)
    print(json.dumps({
        "label": a.label, "workload": "scale", "entries": a.entries, "edit_configs": len(chunks), "payload_bytes": sum(len(c) for c in chunks),
        "bulk_total_ms": round((t2 - t0) * 1000, 1), "bulk_edit_ms": round((t1 - t0) * 1000, 1), "bulk_commit_ms": round((t2 - t1) * 1000, 1),
        "getconfig_ms": [round(g * 1000, 1) for g in gets], "getconfig_best_ms": round(min(gets) * 1000, 1),
        "reply_bytes": size, "entries_seen": seen, "verified": seen == a.entries,
        "rss_before_mb": round(before.get("VmRSS", 0) / 1024, 1), "rss_after_mb": round(after.get("VmRSS", 0) / 1024, 1),
        "rss_peak_mb": round(after.get("VmHWM", 0) / 1024, 1),
    }))
    m.edit_config(target="candidate", config='<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">%s</config>' % model["clear"])
    m.commit()
    m.close_session()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["rpc", "scale"])
    ap.add_argument("--pid", type=int, required=True, help="the server process (the management daemon)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--model", default="appliance-interfaces")
    ap.add_argument("--label", default="appliance")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--warm", type=int, default=30)
    ap.add_argument("--entries", type=int, default=100000)
    ap.add_argument("--chunk", type=int, default=25000, help="entries per edit-config (all in one commit)")
    a = ap.parse_args()
    patch_ncclient(True)
    model = load_model(a.model)
    (rpc_costs if a.mode == "rpc" else scale)(a, model)


if __name__ == "__main__":
    main()
