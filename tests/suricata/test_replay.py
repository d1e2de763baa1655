#!/usr/bin/env python3
"""Sigma rules through `sigc convert -t suricata` into the real Suricata 7,
replayed against crafted traffic (replay.py): for each construct, traffic
that must alert and traffic that must not.  Each case prints one line; exit 1
on any failure, 77 without Suricata 7 or scapy.
usage: test_replay.py SIGC
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import replay as R  # noqa: E402

INSIDE, INSIDE2, OUTSIDE, SERVER = "10.5.5.5", "10.1.2.3", "198.51.100.7", "10.0.0.80"


def rule(title, logsource, detection, extra=""):
    return (f"title: {title}\nid: 6b1f0d3e-0000-4000-8000-{abs(hash(title)) % 10**12:012d}\nlevel: high\n"
            f"logsource: {logsource}\ndetection:\n{detection}{extra}")


CASES = [
    # (name, sigma rule, [(traffic description, packets, expected alerts)])
    ("webserver: query contains, stem endswith, method list",
     rule("uri parts", "{category: webserver}",
          "    q:\n        cs-uri-query|contains: 'cmd='\n    s:\n        cs-uri-stem|endswith: '/shell.php'\n"
          "    m:\n        cs-method: [GET, POST]\n    condition: q and s and m\n"),
     [("GET /shell.php?cmd=id", lambda: R.http_request(OUTSIDE, SERVER, uri="/shell.php?cmd=id"), 1),
      ("POST /up/shell.php?x=1&cmd=ls", lambda: R.http_request(OUTSIDE, SERVER, method="POST", uri="/up/shell.php?x=1&cmd=ls"), 1),
      ("cmd= in the stem, not the query", lambda: R.http_request(OUTSIDE, SERVER, uri="/cmd=/shell.php?a=b"), 0),
      ("PUT", lambda: R.http_request(OUTSIDE, SERVER, method="PUT", uri="/shell.php?cmd=id"), 0),
      ("stem ends elsewhere", lambda: R.http_request(OUTSIDE, SERVER, uri="/shell.php.bak?cmd=id"), 0)]),
    ("proxy: user agent startswith, host endswith (case), not internal cidr",
     rule("proxy agents", "{category: proxy}",
          "    a:\n        c-useragent|startswith: ['python-requests/', 'curl/']\n"
          "    h:\n        cs-host|endswith: '.example.net'\n    i:\n        c-ip|cidr: '10.1.0.0/16'\n"
          "    condition: a and h and not i\n"),
     [("curl to WWW.Example.NET", lambda: R.http_request(INSIDE, OUTSIDE, host="WWW.Example.NET", user_agent="curl/8.5.0"), 1),
      ("python-requests", lambda: R.http_request(INSIDE, OUTSIDE, host="a.example.net", user_agent="python-requests/2.31"), 1),
      ("from the excluded range", lambda: R.http_request(INSIDE2, OUTSIDE, host="a.example.net", user_agent="curl/8.5.0"), 0),
      ("a browser", lambda: R.http_request(INSIDE, OUTSIDE, host="a.example.net"), 0),
      ("another host", lambda: R.http_request(INSIDE, OUTSIDE, host="a.example.com", user_agent="curl/8.5.0"), 0)]),
    ("proxy: wildcard ? is one character", rule("wildcard", "{category: proxy}",
          "    s:\n        c-uri|contains: '/api/v?/exec'\n    condition: s\n"),
     [("/api/v2/exec", lambda: R.http_request(INSIDE, OUTSIDE, uri="/x/api/v2/exec?a=1"), 1),
      ("/api/v22/exec", lambda: R.http_request(INSIDE, OUTSIDE, uri="/x/api/v22/exec"), 0)]),
    ("proxy: regex with ; / and \" in it", rule("regex", "{category: proxy}",
          "    s:\n        c-uri|re: '^/x/[^/;\"]+;y\\d+'\n    condition: s\n"),
     [("/x/abc;y12", lambda: R.http_request(INSIDE, OUTSIDE, uri="/x/abc;y12"), 1),
      ("/x/a/b;y1", lambda: R.http_request(INSIDE, OUTSIDE, uri="/x/a/b;y1"), 0)]),
    ("proxy: hostile bytes in a content", rule("escaping", "{category: proxy}",
          "    s:\n        c-useragent|contains: 'a\"b;c:d|e\\f'\n    condition: s\n"),
     [("the exact bytes", lambda: R.http_request(INSIDE, OUTSIDE, user_agent='x a"b;c:d|e\\f y'), 1),
      ("one byte off", lambda: R.http_request(INSIDE, OUTSIDE, user_agent='x a"b;c:d|e/f y'), 0)]),
    ("dns: endswith list, not a cased name", rule("dns", "{category: dns}",
          "    s:\n        query|endswith: ['.tunnel.example', '.exfil.example']\n"
          "    n:\n        query|cased: 'safe.tunnel.example'\n    condition: s and not n\n"),
     [("evil.tunnel.example", lambda: R.dns_query(INSIDE, "10.0.0.53", "evil.tunnel.example"), 1),
      ("x.EXFIL.example", lambda: R.dns_query(INSIDE, "10.0.0.53", "x.EXFIL.example"), 1),
      ("safe.tunnel.example", lambda: R.dns_query(INSIDE, "10.0.0.53", "safe.tunnel.example"), 0),
      ("SAFE.tunnel.example (not the cased name)", lambda: R.dns_query(INSIDE, "10.0.0.53", "SAFE.tunnel.example"), 1),
      ("tunnel.example.org", lambda: R.dns_query(INSIDE, "10.0.0.53", "tunnel.example.org"), 0)]),
    ("firewall: ports list, port comparison, not a source range", rule("firewall", "{category: firewall}",
          "    p:\n        dst_port: [445, 3389]\n    h:\n        src_port|gte: 1024\n"
          "    i:\n        src_ip|cidr: '10.0.0.0/8'\n    condition: p and h and not i\n"),
     [("outside -> 445", lambda: R.tcp_syn(OUTSIDE, SERVER, 50000, 445), 1),
      ("outside -> 3389", lambda: R.tcp_syn(OUTSIDE, SERVER, 50001, 3389), 1),
      ("inside -> 445", lambda: R.tcp_syn(INSIDE, SERVER, 50002, 445), 0),
      ("outside -> 80", lambda: R.tcp_syn(OUTSIDE, SERVER, 50003, 80), 0),
      ("from port 500", lambda: R.tcp_syn(OUTSIDE, SERVER, 500, 445), 0)]),
    ("webserver: status code comparison, not one code", rule("status", "{category: webserver}",
          "    e:\n        sc-status|gte: 500\n    b:\n        sc-status: 503\n    condition: e and not b\n"),
     [("500", lambda: R.http_request(OUTSIDE, SERVER, status=500), 1),
      ("502", lambda: R.http_request(OUTSIDE, SERVER, status=502), 1),
      ("503", lambda: R.http_request(OUTSIDE, SERVER, status=503), 0),
      ("404", lambda: R.http_request(OUTSIDE, SERVER, status=404), 0)]),
    ("zeek conn: protocol and port, not the resolvers", rule("proto", "{product: zeek, service: conn}",
          "    s:\n        proto: udp\n        id.resp_p: 53\n    r:\n        id.resp_h: '10.0.0.53'\n"
          "    condition: s and not r\n"),
     [("UDP to another resolver", lambda: R.dns_query(INSIDE, "10.0.0.99", "a.example")[:1], 1),
      ("UDP to the resolver", lambda: R.dns_query(INSIDE, "10.0.0.53", "a.example")[:1], 0),
      ("TCP SYN to port 53", lambda: R.tcp_syn(INSIDE, "10.0.0.99", 50010, 53), 0)]),
    ("zeek files: file name endswith", rule("files", "{product: zeek, service: files}",
          "    s:\n        filename|endswith: '.pdf.js'\n    condition: s\n"),
     [("GET /dl/report.pdf.js", lambda: R.http_request(OUTSIDE, SERVER, uri="/dl/report.pdf.js",
                                                      response_body=b"alert(1);" * 20), 1),
      ("GET /dl/report.pdf", lambda: R.http_request(OUTSIDE, SERVER, uri="/dl/report.pdf",
                                                   response_body=b"%PDF-1.4" * 20), 0)]),
    ("zeek ssl: server name endswith", rule("sni", "{product: zeek, service: ssl}",
          "    s:\n        server_name|endswith: '.bad.example'\n    condition: s\n"),
     [("www.bad.example", lambda: R.tls_client_hello(INSIDE, OUTSIDE, "www.bad.example"), 1),
      ("www.good.example", lambda: R.tls_client_hello(INSIDE, OUTSIDE, "www.good.example"), 0)]),
    ("threshold extension: 10 requests per client within 1 minute", rule("flood", "{category: webserver}",
          "    s:\n        cs-method: GET\n    condition: s\n",
          "threshold:\n    type: event_count\n    group-by: [c-ip]\n    timespan: 1m\n    condition: {gte: 10}\n"),
     [("12 requests in 20 s", lambda: burst(12, 20), 1),
      ("9 requests in 20 s", lambda: burst(9, 20), 0),
      ("12 requests over 10 minutes", lambda: burst(12, 600), 0),
      ("12 requests in 20 s from 12 clients", lambda: burst(12, 20, many=True), 0)]),
    ("threshold on responses: 404s per client (the client is the destination of a response)",
     rule("scan", "{category: webserver}", "    s:\n        sc-status: 404\n    condition: s\n",
          "threshold:\n    type: event_count\n    group-by: [c-ip]\n    timespan: 1m\n    condition: {gte: 10}\n"),
     [("12 404s to one client in 20 s", lambda: burst(12, 20, status=404), 1),
      ("12 404s to 12 clients in 20 s", lambda: burst(12, 20, many=True, status=404), 0),
      ("12 200s to one client in 20 s", lambda: burst(12, 20), 0)]),
    ("legacy count: more than 3 queries per source in 30 s", rule("legacy", "{category: dns}",
          "    s:\n        query|endswith: '.example.org'\n    timeframe: 30s\n    condition: s | count() by src_ip > 3\n"),
     [("4 queries in 10 s", lambda: sum((R.dns_query(INSIDE, "10.0.0.53", f"q{i}.example.org", t=R.T0 + i * 2.5)
                                       for i in range(4)), []), 1),
      ("3 queries in 10 s", lambda: sum((R.dns_query(INSIDE, "10.0.0.53", f"q{i}.example.org", t=R.T0 + i * 3)
                                       for i in range(3)), []), 0)]),
]


def burst(n, seconds, many=False, tls=False, status=200, client=OUTSIDE, server=SERVER):
    pkts = []
    for i in range(n):
        src = f"198.51.100.{10 + i}" if many else client
        t = R.T0 + i * seconds / max(n - 1, 1)
        pkts += R.tls_client_hello(src, server, "shop.example", t=t) if tls else \
            R.http_request(src, server, uri=f"/p{i}", t=t, status=status)
    return pkts


# The seed rule (a placeholder filled in as 200 connections per source in a
# minute): a connection flood, an HTTP request flood and a TLS handshake
# flood; each new session is also a connection, so a flood of requests on
# new connections alerts twice (the SYN rule and the request rule).
with open(os.path.join(HERE, "..", "..", "rules", "T1499.002.yml"), encoding="utf-8") as _f:
    SEED = _f.read()
CASES.append(("seed T1499.002: connection, HTTP request and TLS handshake floods", SEED,
              [("210 HTTP requests in 50 s", lambda: burst(210, 50), 2),
               ("210 TLS handshakes in 50 s", lambda: burst(210, 50, tls=True), 2),
               ("150 HTTP requests in 50 s", lambda: burst(150, 50), 0),
               ("210 HTTP requests over 10 minutes", lambda: burst(210, 600), 0),
               ("210 TLS handshakes over 10 minutes", lambda: burst(210, 600, tls=True), 0)]))


def shipped(name):
    with open(os.path.join(HERE, "..", "..", "rules", name), encoding="utf-8") as f:
        return f.read()


# The completed T1499.002 rules of rules/: each counts requests, handshakes
# or connections, never packets (every session here is several packets, so a
# per-packet count would alert on the runs below the threshold).
CASES += [
    ("rules/: HTTP request flood on a web server, 300 per client in 1 minute",
     shipped("web_service_exhaustion_http_request_flood.yml"),
     [("310 requests in 50 s", lambda: burst(310, 50), 1),
      ("250 requests in 50 s", lambda: burst(250, 50), 0),
      ("310 requests over 10 minutes", lambda: burst(310, 600), 0)]),
    ("rules/: HTTP request flood through a proxy (an event_count correlation), 300 per client in 1 minute",
     shipped("proxy_service_exhaustion_http_request_flood_correlation.yml"),
     [("310 requests from inside to outside in 50 s", lambda: burst(310, 50, client=INSIDE, server=OUTSIDE), 1),
      ("310 requests from outside to inside in 50 s", lambda: burst(310, 50), 0),
      ("250 requests from inside in 50 s", lambda: burst(250, 50, client=INSIDE, server=OUTSIDE), 0)]),
    ("rules/: TLS handshake flood, 100 per source in 1 minute",
     shipped("zeek_ssl_service_exhaustion_tls_handshake_flood.yml"),
     [("110 handshakes in 50 s", lambda: burst(110, 50, tls=True), 1),
      ("90 handshakes in 50 s", lambda: burst(90, 50, tls=True), 0),
      ("110 handshakes from 110 sources in 50 s", lambda: burst(110, 50, tls=True, many=True), 0)]),
    ("rules/: connection flood, 200 per source in 1 minute (not counting loopback)",
     shipped("net_connection_win_service_exhaustion_connection_flood.yml"),
     [("210 HTTP requests in 50 s", lambda: burst(210, 50), 2),
      ("150 HTTP requests in 50 s", lambda: burst(150, 50), 0)]),
]


def main():
    if not R.HAVE_SCAPY or not R.have_suricata():
        print("Suricata 7 or scapy missing: skipped")
        return 77
    sigc = os.path.abspath(sys.argv[1])
    failures = checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, text, runs in CASES:
            path = os.path.join(tmp, "r.yml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            conv = subprocess.run([sigc, "convert", "-q", "-t", "suricata", path], capture_output=True, text=True)
            if conv.returncode != 0:
                print(f"FAIL: {name}: convert exited {conv.returncode}\n{conv.stderr}")
                failures += 1
                continue
            for what, make, want in runs:
                checks += 1
                got = len(R.replay(conv.stdout, make()))
                if got != want:
                    failures += 1
                    print(f"FAIL: {name}: {what}: {got} alerts, want {want}\n{conv.stdout}")
    print(f"{checks} replays of {len(CASES)} rules: " + ("ok" if not failures else f"{failures} failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
