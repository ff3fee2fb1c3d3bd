#!/usr/bin/python3
"""Interop driver: runs one NETCONF scenario against a server with ncclient (or, where ncclient
cannot express it, a raw paramiko channel) and prints ONE JSON object with what it observed.
It decides nothing: test/interop/ncclient.test.ts asserts on the JSON.

  /usr/bin/python3 ncclient_driver.py SCENARIO --port N [--host H] --user U --password P
                   [--user2 U2 --password2 P2] [--confirm-timeout S] [--base10]

Scenarios: hello, hello10, cycle, confirmed-revert, confirmed-close, filter, invalid, kill, viewer, operator,
notification, bad-xml, rpc-attributes, bad-login.  Needs Debian's python3-ncclient: run with /usr/bin/python3.
Exit status: 0 when the scenario ran to its end (whatever the server answered), 2 when the
driver itself could not run it (the JSON then carries "driver_error").
"""

import argparse
import json
import re
import sys
import threading
import time
import traceback

try:
    import paramiko
    from lxml import etree
    from ncclient import manager
    from ncclient.devices.default import DefaultDeviceHandler
    from ncclient.operations import RaiseMode
    from ncclient.transport import ssh as nc_ssh
    from ncclient.transport.errors import TransportError
    from ncclient.transport.session import NetconfBase
except ImportError as e:  # pragma: no cover
    print(json.dumps({"driver_error": "ncclient not importable (use /usr/bin/python3 with python3-ncclient): %s" % e}))
    sys.exit(2)

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
IF_NS = "urn:appliance:interfaces"
SYS_NS = "urn:appliance:system"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
NCN_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"
BASE_10 = "urn:ietf:params:netconf:base:1.0"
BASE_11 = "urn:ietf:params:netconf:base:1.1"

# --------------------------------------------------------------------------------------------
# ncclient 0.6.x queues outgoing rpcs and its reader thread only sends after select() times
# out (100 ms): send from the calling thread instead, as ../shared/bench does.
# --------------------------------------------------------------------------------------------


def _direct_send(self, message):
    if not self.connected:
        raise TransportError("Not connected to NETCONF server")
    data = message.encode()
    if self._base == NetconfBase.BASE_11:
        data = b"\n#%d\n%s%s" % (len(data), data, nc_ssh.END_DELIM)
    else:
        data = data + nc_ssh.MSG_DELIM
    lock = self.__dict__.setdefault("_driver_send_lock", threading.Lock())
    with lock:
        self._channel.sendall(data)


nc_ssh.SSHSession.send = _direct_send

# Every byte read from any paramiko channel, per channel, so a scenario can see the framing
# the server actually used on the wire.
_received = {}
_orig_recv = paramiko.Channel.recv


def _recording_recv(self, nbytes):
    data = _orig_recv(self, nbytes)
    _received.setdefault(id(self), bytearray()).extend(data)
    return data


paramiko.Channel.recv = _recording_recv


def received_bytes(m):
    return bytes(_received.get(id(m._session._channel), b""))


def framing_of(buf):
    """The RFC 6242 framing of the bytes of one reply: chunked, eom or unknown."""
    if re.match(rb"^\n#[1-9][0-9]*\n", buf) and buf.endswith(b"\n##\n"):
        return "chunked"
    if buf.endswith(b"]]>]]>") and not buf.startswith(b"\n#"):
        return "eom"
    return "unknown"


class Base10Handler(DefaultDeviceHandler):
    """A client that offers only base:1.0 in its hello."""

    def get_capabilities(self):
        return [BASE_10]


def connect(a, user=None, password=None, base10=False):
    params = dict(host=a.host, port=a.port, username=user or a.user, password=password or a.password,
                  hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=15)
    if base10:
        params["device_params"] = {"handler": Base10Handler}
    m = manager.connect(**params)
    m.raise_mode = RaiseMode.NONE
    return m


def cfg(inner):
    return '<config xmlns="%s">%s</config>' % (NC_NS, inner)


def ifaces_xml(*entries):
    return '<interfaces xmlns="%s">%s</interfaces>' % (IF_NS, "".join(entries))


def iface(name, **leaves):
    body = "<name>%s</name>" % name
    for k, v in leaves.items():
        body += "<%s>%s</%s>" % (k.replace("_", "-"), v, k.replace("_", "-"))
    return "<interface>%s</interface>" % body


def parse(xml):
    return etree.fromstring(xml.encode() if isinstance(xml, str) else xml)


def rpc_errors(reply_xml):
    """Every rpc-error of a reply, as the server wrote it (no ncclient normalisation)."""
    root = parse(reply_xml)
    out = []
    for e in root.iter("{%s}rpc-error" % NC_NS):
        d = {}
        for c in e:
            name = etree.QName(c).localname
            if name == "error-info":
                d["error-info"] = {etree.QName(i).localname: (i.text or "").strip() for i in c}
            else:
                d[name] = (c.text or "").strip()
                if name == "error-path":
                    d["error-path-nsmap"] = {k: v for k, v in c.nsmap.items() if k is not None}
                if name == "error-message":
                    d["error-message-lang"] = c.get("{http://www.w3.org/XML/1998/namespace}lang")
        out.append(d)
    return out


def outcome(reply):
    """ok / errors of an ncclient reply (raise_mode NONE)."""
    if reply.ok:
        return {"ok": True}
    return {"ok": False, "errors": rpc_errors(reply.xml)}


def interfaces_of(data_xml):
    """The interfaces in a <data> reply: list of {child name: text}."""
    root = parse(data_xml)
    out = []
    for i in root.iter("{%s}interface" % IF_NS):
        out.append({etree.QName(c).localname: (c.text or "").strip() for c in i})
    return out


def get_ifaces(m, source="running", filter_xml=None):
    # report-all: the scenarios compare whole entries, defaults included (the basic mode is explicit).
    r = m.get_config(source=source, filter=("subtree", filter_xml) if filter_xml else None, with_defaults="report-all")
    if not r.ok:
        return {"ok": False, "errors": rpc_errors(r.xml)}
    return interfaces_of(r.xml)


def commit_edit(m, inner):
    """edit-config of the candidate and commit; the outcome of both."""
    e = m.edit_config(target="candidate", config=cfg(inner))
    c = m.commit()
    return {"edit": outcome(e), "commit": outcome(c)}


# --------------------------------------------------------------------------------------------
# A raw NETCONF client on a paramiko channel: for what ncclient cannot send (malformed XML
# gets a reply without message-id, which ncclient's reader treats as fatal).
# --------------------------------------------------------------------------------------------


class RawNetconf:
    def __init__(self, a, base11=True):
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect(a.host, port=a.port, username=a.user, password=a.password,
                            allow_agent=False, look_for_keys=False, timeout=15)
        self.chan = self.client.get_transport().open_session()
        self.chan.settimeout(10)
        self.chan.invoke_subsystem("netconf")
        self.buf = b""
        self.server_hello = self._read_eom()
        caps = [BASE_10, BASE_11] if base11 else [BASE_10]
        hello = '<?xml version="1.0" encoding="UTF-8"?><hello xmlns="%s"><capabilities>%s</capabilities></hello>' % (
            NC_NS, "".join("<capability>%s</capability>" % c for c in caps))
        self.chan.sendall(hello.encode() + b"]]>]]>")
        self.base11 = base11 and BASE_11 in self.server_hello.decode()

    def _fill(self):
        data = self.chan.recv(65536)
        if not data:
            raise EOFError("the server closed the channel")
        self.buf += data

    def _read_eom(self):
        while b"]]>]]>" not in self.buf:
            self._fill()
        msg, _, self.buf = self.buf.partition(b"]]>]]>")
        return msg

    def _read_chunked(self):
        msg = b""
        while True:
            while not re.match(rb"^\n#(#|[1-9][0-9]*)\n", self.buf):
                if len(self.buf) > 32 and not self.buf.startswith(b"\n#"):
                    raise ValueError("bad chunk header: %r" % self.buf[:32])
                self._fill()
            h = re.match(rb"^\n#(#|[1-9][0-9]*)\n", self.buf)
            self.buf = self.buf[h.end():]
            if h.group(1) == b"#":
                return msg
            n = int(h.group(1))
            while len(self.buf) < n:
                self._fill()
            msg += self.buf[:n]
            self.buf = self.buf[n:]

    def send(self, xml):
        data = xml.encode()
        if self.base11:
            self.chan.sendall(b"\n#%d\n%s\n##\n" % (len(data), data))
        else:
            self.chan.sendall(data + b"]]>]]>")

    def read(self):
        return (self._read_chunked() if self.base11 else self._read_eom()).decode()

    def close(self):
        self.client.close()


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


def s_hello(a):
    m = connect(a)
    sid = m.session_id
    caps = list(m.server_capabilities)
    base = "1.1" if m._session._base == NetconfBase.BASE_11 else "1.0"
    before = len(received_bytes(m))
    r = m.get_config(source="running")
    reply_bytes = received_bytes(m)[before:]
    m.close_session()
    return {"session_id": sid, "server_capabilities": caps, "negotiated_base": base,
            "client_capabilities": list(m.client_capabilities), "rpc_ok": r.ok,
            "reply_framing": framing_of(reply_bytes)}


def s_hello10(a):
    m = connect(a, base10=True)
    sid = m.session_id
    base = "1.1" if m._session._base == NetconfBase.BASE_11 else "1.0"
    before = len(received_bytes(m))
    r = m.get_config(source="running")
    reply_bytes = received_bytes(m)[before:]
    m.close_session()
    return {"session_id": sid, "server_capabilities": list(m.server_capabilities), "negotiated_base": base,
            "client_capabilities": list(m.client_capabilities), "rpc_ok": r.ok,
            "rpc_reply_has_data": parse(r.xml).find("{%s}data" % NC_NS) is not None,
            "reply_framing": framing_of(reply_bytes)}


def s_cycle(a):
    m = connect(a)
    steps = {}
    steps["lock"] = outcome(m.lock(target="candidate"))
    steps["edit-config"] = outcome(m.edit_config(target="candidate", config=cfg(ifaces_xml(
        iface("eth0", description="uplink", mtu=9000), iface("eth1", description="lan", enabled="false")))))
    steps["validate"] = outcome(m.validate(source="candidate"))
    steps["commit"] = outcome(m.commit())
    steps["unlock"] = outcome(m.unlock(target="candidate"))
    running = get_ifaces(m, "running")
    m.close_session()
    return {"steps": steps, "running": running}


def config_changes(n):
    """The parts of a netconf-config-change notification a test looks at (None for other events)."""
    root = parse(n.notification_xml)
    cc = root.find("{%s}netconf-config-change" % NCN_NS)
    if cc is None:
        return None
    by = cc.find("{%s}changed-by" % NCN_NS)
    edits = []
    for e in cc.findall("{%s}edit" % NCN_NS):
        t = e.find("{%s}target" % NCN_NS)
        edits.append({
            "target": (t.text or "").strip() if t is not None else None,
            "target_nsmap": {k: v for k, v in t.nsmap.items() if k is not None} if t is not None else {},
            "operation": e.findtext("{%s}operation" % NCN_NS),
        })
    return {
        "root": etree.QName(root).text,
        "event_time": (root.findtext("{%s}eventTime" % NOTIF_NS) or "").strip(),
        "changed_by": {etree.QName(c).localname: (c.text or "").strip() for c in by} if by is not None else None,
        "datastore": cc.findtext("{%s}datastore" % NCN_NS),
        "edits": edits,
    }


def confirmed_event(n):
    """An RFC 6470 netconf-confirmed-commit notification as a dict, or None for another kind."""
    root = parse(n.notification_xml)
    cc = root.find("{%s}netconf-confirmed-commit" % NCN_NS)
    if cc is None:
        return None
    return {etree.QName(c).localname: (c.text or "").strip() for c in cc}


def take_notifications(watch, count):
    """Up to `count` notifications: (config-change dicts, confirmed-commit dicts), each in order."""
    changes, confirmed = [], []
    while len(changes) + len(confirmed) < count:
        n = watch.take_notification(block=True, timeout=5)
        if n is None:
            break
        root = parse(n.notification_xml)
        if root.find("{%s}netconf-config-change" % NCN_NS) is None and root.find("{%s}netconf-confirmed-commit" % NCN_NS) is None:
            continue  # session events and alarms share the stream: not what these scenarios count
        ev = confirmed_event(n)
        if ev is None:
            changes.append(config_changes(n))
        else:
            confirmed.append(ev)
    return changes, confirmed


def s_confirmed_persist(a):
    """RFC 6241 §8.4: a confirmed commit with <persist> outlives its session; another session confirms with <persist-id>."""
    m = connect(a)
    watch = connect(a)
    subscribe = outcome(watch.create_subscription())
    setup = commit_edit(m, ifaces_xml(iface("eth8", description="before")))
    edit = outcome(m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("eth8", description="trial")))))
    commit = outcome(m.commit(confirmed=True, timeout="120", persist="tok-8"))
    closed = outcome(m.close_session())
    time.sleep(0.3)
    after_close = get_ifaces(watch, "running")
    other = connect(a)
    wrong = outcome(other.commit(persist_id="nope"))
    confirm = outcome(other.commit(persist_id="tok-8"))
    other.close_session()
    changes, confirmed = take_notifications(watch, 5)
    watch.close_session()
    return {"subscribe": subscribe, "setup": setup, "edit": edit, "commit": commit, "close": closed,
            "after_close": after_close, "wrong": wrong, "confirm": confirm, "confirmed": confirmed, "changes": len(changes)}


def s_confirmed_revert(a):
    m = connect(a)
    watch = connect(a)
    setup = commit_edit(m, ifaces_xml(iface("eth5", description="before", mtu=1500)))
    before = get_ifaces(m, "running")
    subscribe = outcome(watch.create_subscription())
    edit = outcome(m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("eth5", description="trial", mtu=1280)))))
    started = time.monotonic()
    commit = outcome(m.commit(confirmed=True, timeout=str(a.confirm_timeout)))
    during = get_ifaces(m, "running")
    # Poll until running changes back (or a generous deadline): no fixed sleep.
    after, reverted_after = None, None
    deadline = started + a.confirm_timeout + 10
    while time.monotonic() < deadline:
        now = get_ifaces(m, "running")
        if now == before:
            after, reverted_after = now, time.monotonic() - started
            break
        after = now
        time.sleep(0.1)
    candidate_after = get_ifaces(m, "candidate")
    # The config-change events seen meanwhile: the confirmed commit, then the revert.
    notifications, confirmed = take_notifications(watch, 4)
    out = {"confirmed": confirmed, "setup": setup, "session_id": m.session_id, "edit": edit, "commit": commit, "confirm_timeout": a.confirm_timeout,
           "before": before, "during": during, "after": after, "reverted_after_s": reverted_after,
           "candidate_after": candidate_after, "subscribe": subscribe, "notifications": notifications}
    m.close_session()
    watch.close_session()
    return out


def s_confirmed_close(a):
    """RFC 6241 §8.4.1: the session of a confirmed commit (without persist) ends → revert at once."""
    m = connect(a)
    watch = connect(a)
    setup = commit_edit(m, ifaces_xml(iface("eth6", description="before")))
    before = get_ifaces(watch, "running")
    edit = outcome(m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("eth6", description="trial")))))
    commit = outcome(m.commit(confirmed=True, timeout="120"))
    during = get_ifaces(watch, "running")
    closed = outcome(m.close_session())
    started = time.monotonic()
    after, reverted_after = None, None
    while time.monotonic() < started + 10:
        after = get_ifaces(watch, "running")
        if after == before:
            reverted_after = time.monotonic() - started
            break
        time.sleep(0.05)
    watch.close_session()
    return {"setup": setup, "edit": edit, "commit": commit, "close": closed, "before": before, "during": during,
            "after": after, "reverted_after_s": reverted_after}


def s_filter(a):
    m = connect(a)
    setup = commit_edit(m, ifaces_xml(
        iface("eth0", description="uplink", mtu=9000),
        iface("eth1", description="lan", mtu=1500),
        iface("eth2", description="dmz", mtu=1400)))
    running = get_ifaces(m, "running")
    by_key = get_ifaces(m, "running", ifaces_xml("<interface><name>eth1</name></interface>"))
    one_leaf = get_ifaces(m, "running", ifaces_xml("<interface><mtu/></interface>"))
    # The whole reply of the second filter: nothing outside interfaces may appear.
    r = m.get_config(source="running", filter=("subtree", ifaces_xml("<interface><mtu/></interface>")))
    data = parse(r.xml).find("{%s}data" % NC_NS)
    top = [etree.QName(c).text for c in data] if data is not None else None
    m.close_session()
    return {"setup": setup, "running": running, "by_key": by_key, "one_leaf": one_leaf, "one_leaf_top_elements": top}


def s_invalid(a):
    m = connect(a)
    setup = commit_edit(m, ifaces_xml(iface("eth0", mtu=1500)))
    candidate_before = get_ifaces(m, "candidate")
    r = m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("eth0", mtu=70000))))
    candidate_after = get_ifaces(m, "candidate")
    m.close_session()
    return {"setup": setup, "ok": r.ok, "errors": rpc_errors(r.xml), "candidate_before": candidate_before,
            "candidate_after": candidate_after}


def s_kill(a):
    ma = connect(a)
    mb = connect(a)
    out = {"a_session_id": ma.session_id, "b_session_id": mb.session_id}
    out["b_kill_self"] = outcome(mb.kill_session(mb.session_id))
    out["a_lock"] = outcome(ma.lock(target="candidate"))
    out["b_lock_refused"] = outcome(mb.lock(target="candidate"))
    out["b_kill_a"] = outcome(mb.kill_session(ma.session_id))
    out["b_lock_after_kill"] = outcome(mb.lock(target="candidate"))
    # A must see its session end: poll its transport, then try an rpc on it.
    deadline = time.monotonic() + 5
    while ma.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    out["a_connected_after_kill"] = ma.connected
    try:
        r = ma.get_config(source="running")
        out["a_rpc_after_kill"] = {"raised": None, "ok": r.ok}
    except Exception as e:  # noqa: BLE001 — what A observes is the result
        out["a_rpc_after_kill"] = {"raised": type(e).__name__}
    out["b_unlock"] = outcome(mb.unlock(target="candidate"))
    mb.close_session()
    return out


def hash_leaks(xml):
    """How a reply could leak password hashes: password-hash elements, or scrypt text anywhere."""
    root = parse(xml)
    elements = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "password-hash"]
    return {"password_hash_elements": len(elements), "scrypt_text": "$scrypt$" in xml}


def s_viewer(a):
    m = connect(a, a.user2, a.password2)
    r = m.get_config(source="running")
    users = []
    for u in parse(r.xml).iter("{%s}user" % SYS_NS):
        users.append({etree.QName(c).localname: (c.text or "").strip() for c in u})
    reads = {"get-config running": r}
    reads["get"] = m.get()
    reads["get-config candidate"] = m.get_config(source="candidate")
    reads["get-config startup"] = m.get_config(source="startup")
    # A filter that asks for the hashes by name.
    f = '<system xmlns="%s"><users><user><password-hash/></user></users></system>' % SYS_NS
    reads["get-config filter password-hash"] = m.get_config(source="running", filter=("subtree", f))
    reads["get filter password-hash"] = m.get(filter=("subtree", f))
    out = {"session_id": m.session_id, "users": users,
           "reads": {k: {"ok": v.ok, **hash_leaks(v.xml)} for k, v in reads.items()}}
    out["edit"] = outcome(m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("eth0", description="viewer-was-here")))))
    out["commit"] = outcome(m.commit())
    out["copy-config"] = outcome(m.copy_config(source="running", target="startup"))
    out["candidate_after"] = get_ifaces(m, "candidate")
    m.close_session()
    return out


def s_operator(a):
    """An operator may change interfaces but not users (nor other parts of system)."""
    m = connect(a, a.user2, a.password2)
    out = {"session_id": m.session_id}
    out["edit_interfaces"] = outcome(m.edit_config(target="candidate", config=cfg(ifaces_xml(iface("op0", description="by-operator")))))
    out["edit_users"] = outcome(m.edit_config(target="candidate", config=cfg(
        '<system xmlns="%s"><users><user><name>%s</name><role>admin</role></user></users></system>' % (SYS_NS, a.user2))))
    out["commit"] = outcome(m.commit())
    out["running"] = get_ifaces(m, "running")
    r = m.get_config(source="running", filter=("subtree", '<system xmlns="%s"><users/></system>' % SYS_NS))
    out["users"] = [{etree.QName(c).localname: (c.text or "").strip() for c in u if etree.QName(c).localname in ("name", "role")}
                    for u in parse(r.xml).iter("{%s}user" % SYS_NS)]
    m.close_session()
    return out


def s_notification(a):
    ma = connect(a)
    mb = connect(a)
    sub = outcome(ma.create_subscription())
    change = commit_edit(mb, ifaces_xml(iface("eth7", description="notified-%d" % time.time_ns())))
    changes, _ = take_notifications(ma, 1)
    out = {"subscriber_session_id": ma.session_id, "committer_session_id": mb.session_id, "committer_user": a.user,
           "subscribe": sub, "change": change, "received": len(changes) > 0,
           "notification": changes[0] if changes else None}
    # :interleave:1.0 — the subscribed session still answers rpcs.
    out["subscriber_rpc_ok"] = ma.get_config(source="running").ok
    ma.close_session()
    mb.close_session()
    return out


def s_bad_xml(a):
    raw = RawNetconf(a, base11=not a.base10)
    out = {"base": "1.1" if raw.base11 else "1.0"}
    raw.send('<?xml version="1.0" encoding="UTF-8"?><rpc message-id="101" xmlns="%s"><get-config><source><running/></sourc></get-config></rpc>' % NC_NS)
    reply = raw.read()
    root = parse(reply)
    out["bad_reply_root"] = etree.QName(root).text
    out["bad_reply_message_id"] = root.get("message-id")
    out["errors"] = rpc_errors(reply)
    raw.send('<?xml version="1.0" encoding="UTF-8"?><rpc message-id="102" xmlns="%s"><get-config><source><running/></source></get-config></rpc>' % NC_NS)
    good = parse(raw.read())
    out["next_reply_message_id"] = good.get("message-id")
    out["next_reply_has_data"] = good.find("{%s}data" % NC_NS) is not None
    out["next_reply_errors"] = len(good.findall("{%s}rpc-error" % NC_NS))
    raw.send('<rpc message-id="103" xmlns="%s"><close-session/></rpc>' % NC_NS)
    out["close_reply_ok"] = parse(raw.read()).find("{%s}ok" % NC_NS) is not None
    raw.close()
    return out


def s_rpc_attributes(a):
    """RFC 6241 §4.2: attributes of <rpc> (namespaced ones and their xmlns too) come back on <rpc-reply>."""
    raw = RawNetconf(a)
    raw.send('<?xml version="1.0" encoding="UTF-8"?><rpc message-id="101" xmlns="%s" xmlns:ex="http://example.net/content/1.0" '
             'ex:user-id="fred" client-tag="t-1"><get-config><source><running/></source><filter type="subtree">'
             '<system xmlns="%s"><hostname/></system></filter></get-config></rpc>' % (NC_NS, SYS_NS))
    reply = parse(raw.read())
    raw.send('<rpc message-id="102" xmlns="%s"><close-session/></rpc>' % NC_NS)
    raw.read()
    raw.close()
    return {"root": etree.QName(reply).text, "attributes": {k: v for k, v in reply.attrib.items()},
            "nsmap": {k: v for k, v in reply.nsmap.items() if k is not None},
            "has_data": reply.find("{%s}data" % NC_NS) is not None}


def s_bad_login(a):
    try:
        m = connect(a, a.user, a.password + "-wrong")
    except Exception as e:  # noqa: BLE001 — the refusal is the observation
        return {"connected": False, "raised": type(e).__name__}
    sid = m.session_id
    m.close_session()
    return {"connected": True, "session_id": sid}


SCENARIOS = {
    "hello": s_hello, "hello10": s_hello10, "cycle": s_cycle, "confirmed-revert": s_confirmed_revert, "confirmed-persist": s_confirmed_persist,
    "confirmed-close": s_confirmed_close, "filter": s_filter, "invalid": s_invalid, "kill": s_kill, "viewer": s_viewer, "operator": s_operator,
    "notification": s_notification, "bad-xml": s_bad_xml, "rpc-attributes": s_rpc_attributes, "bad-login": s_bad_login,
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="admin")
    p.add_argument("--password", required=True)
    p.add_argument("--user2", help="the second user (viewer and operator scenarios)")
    p.add_argument("--password2")
    p.add_argument("--confirm-timeout", type=int, default=2)
    p.add_argument("--base10", action="store_true", help="bad-xml: offer only base:1.0")
    a = p.parse_args()
    run_scenario(SCENARIOS[a.scenario], a)


def run_scenario(scenario, a):
    """Runs one scenario and prints its JSON (or the driver's own failure, exit status 2)."""
    try:
        result = scenario(a)
    except Exception as e:  # noqa: BLE001 — reported as data, the test decides
        print(json.dumps({"driver_error": "%s: %s" % (type(e).__name__, e), "traceback": traceback.format_exc()}))
        sys.exit(2)
    print(json.dumps({"scenario": a.scenario, **result}))


if __name__ == "__main__":
    main()
