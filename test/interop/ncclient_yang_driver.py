#!/usr/bin/python3
"""Interop driver for what a schema-driven NMS uses: YANG modules (get-schema, netconf-state,
with-defaults) and the protocol details RFC 6241/6470 fix. Runs scenario "nms" with ncclient and
prints ONE JSON object; test/interop/ncclient-yang.test.ts asserts on it. Shares the connection
and reply helpers of ncclient_driver.py.

  /usr/bin/python3 ncclient_yang_driver.py nms --port N --user U --password P
  /usr/bin/python3 ncclient_yang_driver.py capchange --start-time RFC3339 --port N --user U --password P
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ncclient_driver import (IF_NS, NC_NS, NCN_NS, cfg, commit_edit, connect, iface, ifaces_xml,  # noqa: E402
                             interfaces_of, outcome, parse, run_scenario)
from lxml import etree  # noqa: E402

MON_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"


def texts(xml, tag, ns):
    return [(e.text or "").strip() for e in parse(xml).iter("{%s}%s" % (ns, tag))]


def dispatch(m, xml):
    r = m.dispatch(etree.fromstring(xml))
    return outcome(r)


def session_event(n):
    root = parse(n.notification_xml)
    for name in ("netconf-session-start", "netconf-session-end"):
        e = root.find("{%s}%s" % (NCN_NS, name))
        if e is not None:
            return {"event": name, **{etree.QName(c).localname: (c.text or "").strip() for c in e}}
    return {"event": etree.QName(root[1]).localname if len(root) > 1 else None}


def s_nms(a):
    m = connect(a)
    out = {}
    schema = m.get_schema("appliance-interfaces")
    out["get_schema_ok"] = schema.ok
    out["get_schema_text_start"] = (parse(schema.xml).findtext("{%s}data" % MON_NS) or "")[:40]
    out["get_schema_unknown"] = outcome(m.get_schema("no-such-module"))
    st = m.get(filter=("subtree", '<netconf-state xmlns="%s"><schemas/></netconf-state>' % MON_NS))
    out["schemas"] = texts(st.xml, "identifier", MON_NS)
    out["netconf_state_children"] = [etree.QName(c).localname for c in parse(st.xml).iter("{%s}netconf-state" % MON_NS).__next__()]
    out["setup"] = commit_edit(m, ifaces_xml(iface("eth0", address="10.0.0.1/24"), iface("eth1", address="10.0.0.2/24"),
                                             iface("eth2", mtu=1400)))
    # eth1's mtu set to its default value: explicit reports it, trim does not.
    out["set_default"] = commit_edit(m, ifaces_xml(iface("eth1", mtu=1500)))
    trim = m.get_config(source="running", filter=("subtree", ifaces_xml()), with_defaults="trim")
    out["trim"] = interfaces_of(trim.xml)
    out["absent"] = interfaces_of(m.get_config(source="running", filter=("subtree", ifaces_xml())).xml)
    out["explicit"] = interfaces_of(m.get_config(source="running", filter=("subtree", ifaces_xml()), with_defaults="explicit").xml)
    out["report_all"] = interfaces_of(m.get_config(source="running", filter=("subtree", ifaces_xml()), with_defaults="report-all").xml)
    out["get_explicit"] = interfaces_of(m.get(filter=("subtree", ifaces_xml()), with_defaults="explicit").xml)
    wd = '<with-defaults xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults">%s</with-defaults>'
    copies = {}
    for mode in ("report-all", "trim", "explicit"):
        ok = dispatch(m, '<copy-config xmlns="%s"><target><candidate/></target><source><running/></source>%s</copy-config>'
                      % (NC_NS, wd % mode))
        cand = m.get_config(source="candidate", filter=("subtree", ifaces_xml()), with_defaults="explicit")
        copies[mode] = {"outcome": ok, "candidate": interfaces_of(cand.xml)}
    out["copy_config"] = copies
    m.discard_changes()
    tagged = m.get_config(source="running", filter=("subtree", ifaces_xml(iface("eth2"))), with_defaults="report-all-tagged")
    out["tagged_default_attributes"] = [e.get("{urn:ietf:params:xml:ns:netconf:default:1.0}default")
                                        for e in parse(tagged.xml).iter("{%s}enabled" % IF_NS)]
    # :xpath (RFC 6241 §8.9): ncclient checks the capability before it sends an xpath filter.
    out["xpath_capability"] = ":xpath" in m.server_capabilities
    xp = m.get_config(source="running", filter=("xpath", ({"if": IF_NS}, "/if:interfaces/if:interface[if:mtu < 1500]")))
    out["xpath_mtu"] = {"ok": xp.ok, "interfaces": interfaces_of(xp.xml)}
    xp2 = m.get_config(source="running", filter=("xpath", "/interfaces/interface[starts-with(name, 'eth1')]/name"))
    out["xpath_unprefixed"] = {"ok": xp2.ok, "interfaces": interfaces_of(xp2.xml)}
    out["xpath_bad"] = outcome(m.get_config(source="running", filter=("xpath", "/if:interfaces[")))
    lm = m.get_config(source="running", filter=("subtree", ifaces_xml("<interface><address>10.0.0.1/24</address></interface>")))
    out["leaf_list_match"] = interfaces_of(lm.xml)
    out["unknown_element"] = dispatch(m, '<get xmlns="%s"><bogus/></get>' % NC_NS)
    bad = m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("eth0", mtu=70000), iface("eth1", mtu=10))))
    out["two_invalid"] = outcome(bad)
    m.discard_changes()
    out["continue_on_error"] = outcome(m.edit_config(target="candidate", error_option="continue-on-error",
                                                     config=cfg(ifaces_xml(iface("eth0", mtu=1500)))))
    out["confirm_timeout_0"] = dispatch(m, '<commit xmlns="%s"><confirmed/><confirm-timeout>0</confirm-timeout></commit>' % NC_NS)
    # RFC 6470 session events, seen by a subscriber.
    sub = connect(a)
    out["subscribe"] = outcome(sub.create_subscription())
    mb = connect(a)
    mc = connect(a)
    out["b_session_id"], out["c_session_id"] = mb.session_id, mc.session_id
    out["kill"] = outcome(mb.kill_session(mc.session_id))
    mb.close_session()
    events = []
    for _ in range(4):
        n = sub.take_notification(block=True, timeout=10)
        if n is None:
            break
        events.append(session_event(n))
    out["session_events"] = events
    sub.close_session()
    m.close_session()
    return out


def s_capchange(a):
    """Replay from --start-time: every notification until replayComplete, RFC 6470 ones as dicts."""
    m = connect(a)
    out = {"subscribe": outcome(m.create_subscription(start_time=a.start_time))}
    events = []
    for _ in range(200):
        n = m.take_notification(block=True, timeout=10)
        if n is None:
            break
        root = parse(n.notification_xml)
        body = root[1] if len(root) > 1 else None
        name = etree.QName(body).localname if body is not None else None
        if name == "replayComplete":
            break
        e = {"event": name}
        if name == "netconf-capability-change":
            for key in ("added-capability", "deleted-capability", "modified-capability"):
                e[key] = [(c.text or "").strip() for c in body.findall("{%s}%s" % (NCN_NS, key))]
            e["changed-by"] = [etree.QName(c).localname for c in body.find("{%s}changed-by" % NCN_NS)]
        events.append(e)
    out["events"] = events
    m.close_session()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", choices=["nms", "capchange"])
    p.add_argument("--start-time", default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="admin")
    p.add_argument("--password", required=True)
    args = p.parse_args()
    run_scenario(s_capchange if args.scenario == "capchange" else s_nms, args)


if __name__ == "__main__":
    main()
