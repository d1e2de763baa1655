#!/usr/bin/env python3
"""replay.py - crafted traffic through the real Suricata 7 engine.

CLI:
    replay.py RULES_FILE SCENARIO [--pcap OUT.pcap]
        writes the built-in SCENARIO's packets to a pcap, runs
        `suricata -r PCAP -S RULES_FILE` with tests/suricata/suricata.yaml and
        prints one line `sid <N> <count>` per rule that alerted (by sid).
    replay.py --list          the scenarios, one per line, with what they send
    replay.py --self-test     checks every generator against hand-written
                              rules; exit 0 when all pass
Exit 77 (skip) when Suricata 7 or scapy (python3-scapy) is missing: see
tools/suricata-setup.sh.

Library (import replay; all addresses are strings, t is a UNIX timestamp in
seconds that becomes the packets' .time, so thresholds can be tested):
    http_request(src, dst, sport=None, method='GET', host='www.example.com',
                 uri='/', user_agent=DEFAULT_UA, headers={}, cookie=None,
                 referer=None, body=b'', status=200, response_body=b'',
                 t=T0, dport=80, version='HTTP/1.1') -> [packets]
    dns_query(src, dst, qname, qtype='A', t=T0, sport=None, answer=None,
              rcode=0) -> [packets]
    tls_client_hello(src, dst, sni, t=T0, sport=None, dport=443,
                     server_hello=True) -> [packets]
    tcp_syn(src, dst, sport, dport, t=T0) -> [packet]
    tcp_session(src, dst, sport, dport, client_data, server_data, t=T0)
    write_pcap(packets, path)          (stably sorted by time)
    run_suricata(rules_path, pcap_path, config=CONFIG) -> [alert events]
    alerts_by_sid(alerts) -> {sid: count}
    replay(rules, packets) -> [alert events]   (rules: text of a rules file)
    ja3_string(), JA3_HASH: the fixed ClientHello's JA3.
Each call without sport takes the next port from 40000 up, so sessions never
share a 4-tuple.  Packets of one session are 1 ms apart from t on.
"""
import hashlib
import itertools
import json
import logging
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "suricata.yaml")
T0 = 1700000000.0  # 2023-11-14 22:13:20 UTC
DEFAULT_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) sigc-test"
CLIENT_MAC = "02:00:00:00:00:01"
SERVER_MAC = "02:00:00:00:00:02"
STEP = 0.001

# Debian's python3-scapy is installed for /usr/bin/python3; a python3 that
# comes first on PATH (pyenv) does not see it, but scapy is pure Python.
try:
    import scapy  # noqa: F401
except ImportError:
    for d in ("/usr/lib/python3/dist-packages",):
        if os.path.isdir(os.path.join(d, "scapy")) and d not in sys.path:
            sys.path.append(d)
try:
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from scapy.layers.l2 import Ether
        from scapy.layers.inet import IP, TCP, UDP
        from scapy.layers.dns import DNS, DNSQR, DNSRR
        from scapy.utils import wrpcap
    HAVE_SCAPY = True
except ImportError:
    HAVE_SCAPY = False

_ports = itertools.count(40000)


def _next_port():
    return next(_ports)


def _isn(src, sport, salt):
    h = hashlib.sha256(f"{src}:{sport}:{salt}".encode()).digest()
    return struct.unpack("!I", h[:4])[0]


# ---------------------------------------------------------------- TCP


def tcp_syn(src, dst, sport, dport, t=T0):
    """One SYN, for header-only rules."""
    p = Ether(src=CLIENT_MAC, dst=SERVER_MAC) / IP(src=src, dst=dst) / \
        TCP(sport=sport, dport=dport, flags="S", seq=_isn(src, sport, "c"),
            window=64240, options=[("MSS", 1460)])
    p.time = t
    return [p]


def tcp_session(src, dst, sport, dport, client_data, server_data, t=T0,
                mss=1400):
    """A whole TCP session: handshake, client_data (bytes, acked by the
    server), server_data (acked by the client), FIN from the client, FIN from
    the server, last ACK; seq/ack exact so Suricata's stream engine
    reassembles it and hands it to the app-layer parser."""
    pkts = []
    now = [t]
    c_seq = _isn(src, sport, "c")
    s_seq = _isn(src, sport, "s")

    def c2s(flags, seq, ack, data=b"", **kw):
        p = Ether(src=CLIENT_MAC, dst=SERVER_MAC) / IP(src=src, dst=dst) / \
            TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
                window=64240, **kw)
        if data:
            p = p / data
        p.time = now[0]
        now[0] += STEP
        pkts.append(p)

    def s2c(flags, seq, ack, data=b"", **kw):
        p = Ether(src=SERVER_MAC, dst=CLIENT_MAC) / IP(src=dst, dst=src) / \
            TCP(sport=dport, dport=sport, flags=flags, seq=seq, ack=ack,
                window=65160, **kw)
        if data:
            p = p / data
        p.time = now[0]
        now[0] += STEP
        pkts.append(p)

    c2s("S", c_seq, 0, options=[("MSS", 1460)])
    s2c("SA", s_seq, c_seq + 1, options=[("MSS", 1460)])
    c_seq += 1
    s_seq += 1
    c2s("A", c_seq, s_seq)
    for i in range(0, len(client_data), mss):
        chunk = client_data[i:i + mss]
        c2s("PA", c_seq, s_seq, chunk)
        c_seq += len(chunk)
        s2c("A", s_seq, c_seq)
    for i in range(0, len(server_data), mss):
        chunk = server_data[i:i + mss]
        s2c("PA", s_seq, c_seq, chunk)
        s_seq += len(chunk)
        c2s("A", c_seq, s_seq)
    c2s("FA", c_seq, s_seq)
    c_seq += 1
    s2c("FA", s_seq, c_seq)
    s_seq += 1
    c2s("A", c_seq, s_seq)
    return pkts


# ---------------------------------------------------------------- HTTP

_REASONS = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently",
            302: "Found", 304: "Not Modified", 400: "Bad Request",
            401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}


def _b(s):
    return s if isinstance(s, bytes) else str(s).encode("latin-1")


def http_request(src, dst, sport=None, method="GET", host="www.example.com",
                 uri="/", user_agent=DEFAULT_UA, headers=None, cookie=None,
                 referer=None, body=b"", status=200, response_body=b"",
                 t=T0, dport=80, version="HTTP/1.1"):
    """One HTTP/1.1 request and its response in its own TCP session.
    host/user_agent None leave the header out; headers is a dict (or a list
    of pairs) of extra request headers, sent in order after the fixed ones;
    Content-Length is added when body is given (unless in headers)."""
    if sport is None:
        sport = _next_port()
    lines = [_b(method) + b" " + _b(uri) + b" " + _b(version)]
    if host is not None:
        lines.append(b"Host: " + _b(host))
    if user_agent is not None:
        lines.append(b"User-Agent: " + _b(user_agent))
    lines.append(b"Accept: */*")
    if referer is not None:
        lines.append(b"Referer: " + _b(referer))
    if cookie is not None:
        lines.append(b"Cookie: " + _b(cookie))
    extra = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    for k, v in extra:
        lines.append(_b(k) + b": " + _b(v))
    body = _b(body)
    if body and not any(str(k).lower() == "content-length" for k, _ in extra):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    request = b"\r\n".join(lines) + b"\r\n\r\n" + body
    response_body = _b(response_body)
    response = (b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Status").encode()) +
                b"Server: nginx\r\nContent-Type: text/html\r\n" +
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(response_body) +
                response_body)
    return tcp_session(src, dst, sport, dport, request, response, t=t)


# ---------------------------------------------------------------- DNS


def dns_query(src, dst, qname, qtype="A", t=T0, sport=None, answer=None,
              rcode=0):
    """A DNS query over UDP to dst:53 and the server's response.  The answer
    for A is 192.0.2.1 and for AAAA 2001:db8::1 unless given; other types
    (and rcode != 0) get no answer record unless answer is given."""
    if sport is None:
        sport = _next_port()
    txid = _isn(src, sport, "dns") & 0xFFFF
    q = Ether(src=CLIENT_MAC, dst=SERVER_MAC) / IP(src=src, dst=dst) / \
        UDP(sport=sport, dport=53) / \
        DNS(id=txid, rd=1, qd=DNSQR(qname=qname, qtype=qtype))
    q.time = t
    if answer is None and rcode == 0:
        answer = {"A": "192.0.2.1", "AAAA": "2001:db8::1"}.get(str(qtype).upper())
    an = None
    if answer is not None:
        an = DNSRR(rrname=qname, type=qtype, ttl=300, rdata=answer)
    r = Ether(src=SERVER_MAC, dst=CLIENT_MAC) / IP(src=dst, dst=src) / \
        UDP(sport=53, dport=sport) / \
        DNS(id=txid, qr=1, aa=0, rd=1, ra=1, rcode=rcode,
            qd=DNSQR(qname=qname, qtype=qtype), an=an)
    r.time = t + STEP
    return [q, r]


# ---------------------------------------------------------------- TLS

# A fixed TLS 1.2 ClientHello (JA3 fields: version, ciphers, extensions,
# groups, point formats); server_name is the only part that changes.
TLS_VERSION = 0x0303
TLS_CIPHERS = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014,
               0x009C, 0x009D, 0x002F, 0x0035]
TLS_GROUPS = [0x001D, 0x0017, 0x0018]
TLS_POINT_FORMATS = [0]
TLS_SIG_ALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
# server_name, extended_master_secret, renegotiation_info, supported_groups,
# ec_point_formats, session_ticket, ALPN, signature_algorithms
TLS_EXTENSIONS = [0, 23, 65281, 10, 11, 35, 16, 13]


def ja3_string():
    return "%d,%s,%s,%s,%s" % (
        TLS_VERSION, "-".join(map(str, TLS_CIPHERS)),
        "-".join(map(str, TLS_EXTENSIONS)), "-".join(map(str, TLS_GROUPS)),
        "-".join(map(str, TLS_POINT_FORMATS)))


JA3_HASH = hashlib.md5(ja3_string().encode()).hexdigest()


def _ext(typ, data):
    return struct.pack("!HH", typ, len(data)) + data


def _u16list(vals):
    body = b"".join(struct.pack("!H", v) for v in vals)
    return struct.pack("!H", len(body)) + body


def client_hello_bytes(sni):
    """The TLS record (type 22, record version TLS 1.0 as browsers send)
    holding the fixed ClientHello with server_name sni."""
    name = _b(sni)
    exts = {
        0: struct.pack("!HBH", len(name) + 3, 0, len(name)) + name,
        23: b"",
        65281: b"\x00",
        10: _u16list(TLS_GROUPS),
        11: bytes([len(TLS_POINT_FORMATS)] + TLS_POINT_FORMATS),
        35: b"",
        16: (lambda p: struct.pack("!H", len(p)) + p)(b"\x02h2\x08http/1.1"),
        13: _u16list(TLS_SIG_ALGS),
    }
    ext_bytes = b"".join(_ext(e, exts[e]) for e in TLS_EXTENSIONS)
    random = hashlib.sha256(b"client random" + name).digest()
    body = (struct.pack("!H", TLS_VERSION) + random + b"\x00" +
            _u16list(TLS_CIPHERS) + b"\x01\x00" +
            struct.pack("!H", len(ext_bytes)) + ext_bytes)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def server_hello_bytes():
    """A TLS 1.2 ServerHello (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) with
    renegotiation_info and ec_point_formats."""
    ext_bytes = _ext(65281, b"\x00") + _ext(11, b"\x01\x00")
    body = (struct.pack("!H", TLS_VERSION) + hashlib.sha256(b"server random").digest() +
            b"\x00" + struct.pack("!H", 0xC02F) + b"\x00" +
            struct.pack("!H", len(ext_bytes)) + ext_bytes)
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def tls_client_hello(src, dst, sni, t=T0, sport=None, dport=443,
                     server_hello=True):
    """A TCP session carrying the fixed TLS 1.2 ClientHello with SNI sni
    (JA3 = JA3_HASH), then the server's ServerHello (no certificate)."""
    if sport is None:
        sport = _next_port()
    return tcp_session(src, dst, sport, dport, client_hello_bytes(sni),
                       server_hello_bytes() if server_hello else b"", t=t)


# ---------------------------------------------------------------- engine


def have_suricata():
    exe = shutil.which("suricata")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "-V"], capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "version 7." in out


def write_pcap(packets, path):
    """Writes packets (stably sorted by .time) to a pcap file at path."""
    pkts = sorted(packets, key=lambda p: float(p.time))
    wrpcap(path, pkts)
    return path


class SuricataError(RuntimeError):
    pass


def run_suricata(rules_path, pcap_path, config=CONFIG, logdir=None):
    """Runs Suricata over pcap_path with the rules in rules_path and returns
    the alert events of eve.json (dicts, in file order).  Raises
    SuricataError, with the engine's messages, when it fails."""
    own = logdir is None
    if own:
        logdir = tempfile.mkdtemp(prefix="sigc-replay.")
    try:
        cmd = ["suricata", "-r", pcap_path, "-S", rules_path, "-c", config,
               "-l", logdir, "--runmode", "single", "-k", "none",
               "--init-errors-fatal"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise SuricataError("%s exited %d:\n%s%s" % (
                " ".join(cmd), p.returncode, p.stdout, p.stderr))
        errors = [ln for ln in p.stderr.splitlines() if ln.startswith("E: ")]
        if errors:
            raise SuricataError("%s:\n%s" % (" ".join(cmd), "\n".join(errors)))
        alerts = []
        eve = os.path.join(logdir, "eve.json")
        if os.path.exists(eve):
            with open(eve, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        ev = json.loads(line)
                        if ev.get("event_type") == "alert":
                            alerts.append(ev)
        return alerts
    finally:
        if own:
            shutil.rmtree(logdir, ignore_errors=True)


def alerts_by_sid(alerts):
    """{sid: number of alerts} from run_suricata's list."""
    out = {}
    for a in alerts:
        sid = a["alert"]["signature_id"]
        out[sid] = out.get(sid, 0) + 1
    return out


def replay(rules, packets, config=CONFIG):
    """Writes rules (text) and packets to a temporary folder and returns
    run_suricata's alerts."""
    d = tempfile.mkdtemp(prefix="sigc-replay.")
    try:
        rp = os.path.join(d, "test.rules")
        with open(rp, "w", encoding="utf-8") as f:
            f.write(rules if rules.endswith("\n") else rules + "\n")
        pp = write_pcap(packets, os.path.join(d, "test.pcap"))
        return run_suricata(rp, pp, config=config)
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- scenarios

CLIENT = "10.1.2.3"
CLIENT2 = "10.1.2.4"
SERVER = "192.168.50.10"
EXTERNAL = "198.51.100.7"  # documentation range: never sent anywhere


def _burst(n, seconds, src=CLIENT, uri="/login"):
    """n GET requests from src spread evenly over seconds."""
    pkts = []
    for i in range(n):
        pkts += http_request(src, SERVER, uri=uri, t=T0 + i * seconds / max(n - 1, 1))
    return pkts


SCENARIOS = {
    "http": ("GET /x?a=1 to www.example.com with a cookie and a referer, 200",
             lambda: http_request(CLIENT, SERVER, uri="/x?a=1", host="www.example.com",
                                  cookie="session=abc", referer="http://ref.example/",
                                  headers={"X-Test": "yes"},
                                  response_body=b"<html>hello</html>")),
    "http-post": ("POST /upload with a form body, answered 403",
                  lambda: http_request(CLIENT, SERVER, method="POST", uri="/upload",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"},
                                       body=b"user=admin&pass=secret", status=403,
                                       response_body=b"denied")),
    "http-burst": ("12 GET /login from one source within 20 s",
                   lambda: _burst(12, 20)),
    "http-spread": ("12 GET /login from one source over 10 minutes",
                    lambda: _burst(12, 600)),
    "dns": ("A query for evil.example and TXT for www.example.com",
            lambda: dns_query(CLIENT, SERVER, "evil.example") +
            dns_query(CLIENT, SERVER, "www.example.com", qtype="TXT", t=T0 + 1)),
    "tls": ("TLS 1.2 ClientHello with SNI bad.example (fixed JA3) and ServerHello",
            lambda: tls_client_hello(CLIENT, EXTERNAL, "bad.example")),
    "syn": ("one SYN 10.1.2.3:40000 -> 198.51.100.7:4444",
            lambda: tcp_syn(CLIENT, EXTERNAL, 40000, 4444)),
}


def _rules(*lines):
    return "\n".join(lines) + "\n"


def self_test():
    """Each generator against hand-written rules; returns the failures."""
    fails = []

    def check(name, rules, packets, want):
        try:
            got = alerts_by_sid(replay(rules, packets))
        except SuricataError as e:
            fails.append(f"{name}: {e}")
            print(f"FAIL {name}: {e}")
            return
        if got != want:
            fails.append(f"{name}: got {got}, want {want}")
            print(f"FAIL {name}: got {got}, want {want}")
        else:
            print(f"ok   {name}: {got}")

    http_rules = _rules(
        'alert http any any -> any any (msg:"uri"; http.uri; content:"/x"; sid:1;)',
        'alert http any any -> any any (msg:"host"; flow:established,to_server; http.host; content:"www.example.com"; sid:11;)',
        'alert http any any -> any any (msg:"ua"; http.user_agent; content:"sigc-test"; sid:12;)',
        'alert http any any -> any any (msg:"cookie"; http.cookie; content:"session=abc"; sid:13;)',
        'alert http any any -> any any (msg:"referer"; http.referer; content:"ref.example"; sid:14;)',
        'alert http any any -> any any (msg:"header"; http.header; content:"X-Test|3a 20|yes|0d 0a|"; sid:15;)',
        'alert http any any -> any any (msg:"method"; http.method; content:"GET"; sid:16;)',
        'alert http any any -> any any (msg:"status"; flow:to_client; http.stat_code; content:"200"; sid:17;)',
        'alert http any any -> any any (msg:"resp body"; flow:to_client; http.response_body; content:"hello"; sid:18;)',
        'alert http $HOME_NET any -> $HTTP_SERVERS $HTTP_PORTS (msg:"vars"; http.uri; content:"a=1"; sid:19;)',
        'alert http any any -> any any (msg:"uri miss"; http.uri; content:"/nothere"; sid:20;)',
    )
    check("http_request GET", http_rules, SCENARIOS["http"][1](),
          {1: 1, 11: 1, 12: 1, 13: 1, 14: 1, 15: 1, 16: 1, 17: 1, 18: 1, 19: 1})
    check("http_request POST", _rules(
        'alert http any any -> any any (msg:"post"; http.method; content:"POST"; http.request_body; content:"pass=secret"; sid:21;)',
        'alert http any any -> any any (msg:"403"; flow:to_client; http.stat_code; content:"403"; sid:22;)',
        'alert http any any -> any any (msg:"uri"; http.uri; content:"/x"; sid:1;)',
    ), SCENARIOS["http-post"][1](), {21: 1, 22: 1})
    check("dns_query", _rules(
        'alert dns any any -> any any (msg:"dns"; dns.query; content:"evil.example"; nocase; sid:2;)',
        'alert dns any any -> any any (msg:"dns www"; dns.query; content:"www.example.com"; sid:31;)',
        'alert dns any any -> any any (msg:"dns miss"; dns.query; content:"nothere.example"; sid:32;)',
    ), SCENARIOS["dns"][1](), {2: 1, 31: 1})
    check("tls_client_hello", _rules(
        'alert tls any any -> any any (msg:"sni"; tls.sni; content:"bad.example"; sid:3;)',
        'alert tls any any -> any any (msg:"ja3"; ja3.hash; content:"%s"; sid:41;)' % JA3_HASH,
        'alert tls any any -> any any (msg:"sni ext"; tls.sni; content:"bad.example"; endswith; sid:42;)',
        'alert tls any any -> any any (msg:"sni miss"; tls.sni; content:"good.example"; sid:43;)',
    ), SCENARIOS["tls"][1](), {3: 1, 41: 1, 42: 1})
    check("tcp_syn", _rules(
        'alert tcp $HOME_NET any -> $EXTERNAL_NET 4444 (msg:"syn"; flags:S; sid:4;)',
        'alert tcp $HOME_NET any -> $EXTERNAL_NET 5555 (msg:"other port"; flags:S; sid:51;)',
    ), SCENARIOS["syn"][1](), {4: 1})
    threshold = _rules(
        'alert http any any -> any any (msg:"burst"; http.uri; content:"/login"; '
        'threshold: type threshold, track by_src, count 10, seconds 60; sid:5;)',
        'alert http any any -> any any (msg:"every"; http.uri; content:"/login"; sid:6;)',
    )
    check("threshold: 12 requests in 20 s", threshold, SCENARIOS["http-burst"][1](),
          {5: 1, 6: 12})
    check("threshold: 12 requests over 10 min", threshold, SCENARIOS["http-spread"][1](),
          {6: 12})
    return fails


def main(argv):
    if argv[:1] == ["--list"]:
        for name, (doc, _) in SCENARIOS.items():
            print(f"{name}\t{doc}")
        return 0
    if not HAVE_SCAPY:
        print("replay: scapy not installed (python3-scapy; tools/suricata-setup.sh); skipping",
              file=sys.stderr)
        return 77
    if not have_suricata():
        print("replay: Suricata 7 not installed (tools/suricata-setup.sh); skipping",
              file=sys.stderr)
        return 77
    if argv[:1] == ["--self-test"]:
        fails = self_test()
        print("replay self-test: %d failed" % len(fails) if fails else "replay self-test: all passed")
        return 1 if fails else 0
    pcap_out = None
    if "--pcap" in argv:
        i = argv.index("--pcap")
        if i + 1 >= len(argv):
            print("replay: --pcap needs a file name", file=sys.stderr)
            return 2
        pcap_out = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) != 2 or argv[1] not in SCENARIOS:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        print("scenarios: " + ", ".join(SCENARIOS), file=sys.stderr)
        return 2
    rules_path, scenario = argv
    d = tempfile.mkdtemp(prefix="sigc-replay.")
    try:
        pcap = write_pcap(SCENARIOS[scenario][1](), pcap_out or os.path.join(d, "replay.pcap"))
        try:
            alerts = run_suricata(rules_path, pcap)
        except SuricataError as e:
            print(f"replay: {e}", file=sys.stderr)
            return 1
    finally:
        shutil.rmtree(d, ignore_errors=True)
    for sid, n in sorted(alerts_by_sid(alerts).items()):
        print(f"sid {sid} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
