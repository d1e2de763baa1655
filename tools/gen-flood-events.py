#!/usr/bin/env python3
"""Writes the demo's event data to examples/events/: for each flood detection
in rules/, the flood itself among ordinary and busy-but-legitimate traffic,
so that the rules fire exactly once per dataset and on the flooding source
only.  Every file is JSON lines, deterministic (fixed seeds), all times on
2026-04-20 from 10:00:00 UTC.

network_flood.jsonl  Sysmon network connections (EventID 3), in the layout
    evtx_dump writes (Event.System.*, Event.EventData.*); the seed rule and
    the connection-flood rule (200 per SourceIp within 1 minute):
      10.20.0.66   250 connections within 50 s: the flood, fires at its 200th
      10.20.0.7    150 connections within 50 s: busy, below the threshold
      10.20.0.9    230 connections over 8 minutes: never 200 within a minute
      others       a handful of ordinary connections

web_flood.jsonl  web-server access log records with IIS W3C field names
    (c-ip, cs-method, cs-uri-stem...), for the HTTP request flood rule
    (300 per c-ip within 1 minute):
      203.0.113.66   400 requests within 40 s: the flood, fires at its 300th
      198.51.100.23  250 requests within 55 s: a busy client, below it
      192.0.2.80     600 requests of a crawler over 20 minutes
      10.20.0.2      a health check every 5 s
      others         ordinary browsing

proxy_flood.jsonl  forward-proxy records (Sigma's proxy names: src_ip, c-uri,
    cs-host...), for the event_count correlation (300 per src_ip within 1
    minute):
      10.30.0.45   350 requests to one site within 50 s: fires at its 300th
      10.30.0.12   280 requests within 1 minute: busy, below it
      others       ordinary browsing

eve_flood.jsonl  Suricata EVE JSON: tls events for the TLS handshake flood
    rule (100 per source within 1 minute), among flow, http and dns events:
      203.0.113.50   150 handshakes within 45 s: the flood, fires at its 100th
      198.51.100.40  90 handshakes within 1 minute: busy, below it
      192.0.2.30     150 handshakes over 15 minutes
      others         ordinary sessions, with their flow, http and dns events

usage: tools/gen-flood-events.py [OUTDIR]      (default examples/events)
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 4, 20, 10, 0, 0, tzinfo=timezone.utc)


def at(seconds):
    return START + timedelta(seconds=seconds)


def write(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


# ---- Sysmon network connections ------------------------------------------

def sysmon_event(t, src, port, image, record):
    ts = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": 3,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Computer": "web01.example.org",
            "EventRecordID": record,
            "TimeCreated": {"#attributes": {"SystemTime": ts}},
        },
        "EventData": {
            "UtcTime": t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "Image": image,
            "Protocol": "tcp",
            "Initiated": "false",
            "SourceIp": src,
            "SourcePort": port,
            "DestinationIp": "10.20.0.5",
            "DestinationHostname": "web01.example.org",
            "DestinationPort": 443,
        },
    }}


def network_flood():
    rnd = random.Random(1499002)
    rows = []
    web = "C:\\Program Files\\nginx\\nginx.exe"
    for i in range(250):
        rows.append((at(5 + i * 0.2), "10.20.0.66", web))
    for i in range(150):
        rows.append((at(i / 3), "10.20.0.7", web))
    for i in range(230):
        rows.append((at(i * 2.1), "10.20.0.9", web))
    for i in range(20):
        rows.append((at(rnd.uniform(0, 480)), f"192.0.2.{rnd.randint(1, 254)}", web))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [sysmon_event(t, src, 49152 + n % 16000, image, 100000 + n)
            for n, (t, src, image) in enumerate(rows, 1)]


# ---- web server ------------------------------------------------------------

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
PAGES = ["/", "/index.html", "/products", "/products/42", "/cart", "/images/logo.png", "/css/site.css", "/js/app.js"]


def w3c(t, client, method, stem, query, status, agent, taken):
    return {
        "date": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "s-ip": "10.20.0.5", "cs-method": method, "cs-uri-stem": stem, "cs-uri-query": query,
        "s-port": 443, "c-ip": client, "cs(User-Agent)": agent, "sc-status": status,
        "time-taken": taken,
    }


def web_flood():
    rnd = random.Random(1499102)
    rows = []
    for i in range(400):  # the flood: cache-busting searches, 10 a second
        rows.append((at(20 + i * 0.1), "203.0.113.66", "GET", "/search", f"q={rnd.randint(0, 10**9)}",
                     200, "python-requests/2.31.0"))
    for i in range(250):  # a busy but legitimate client (an office behind NAT)
        rows.append((at(i * 0.22), "198.51.100.23", "GET", rnd.choice(PAGES), "-", 200, BROWSER))
    for i in range(600):  # a crawler, steady, 30 a minute
        rows.append((at(i * 2.0), "192.0.2.80", "GET", f"/products/{i}", "-", rnd.choice([200, 200, 404]),
                     "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"))
    for i in range(240):  # a load balancer's health check
        rows.append((at(i * 5.0), "10.20.0.2", "HEAD", "/health", "-", 200, "ELB-HealthChecker/2.0"))
    for i in range(60):  # ordinary visitors
        client = f"198.51.100.{rnd.randint(30, 250)}"
        rows.append((at(rnd.uniform(0, 1200)), client, rnd.choice(["GET", "GET", "POST"]), rnd.choice(PAGES),
                     "-", 200, BROWSER))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [w3c(t, c, m, s, q, st, ua, rnd.randint(2, 90)) for t, c, m, s, q, st, ua in rows]


# ---- forward proxy ---------------------------------------------------------

SITES = ["www.example.com", "news.example.net", "cdn.example.org", "mail.example.com"]


def proxy_record(t, client, host, path, status):
    return {
        "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "src_ip": client, "cs-method": "GET", "c-uri": f"https://{host}{path}", "cs-host": host,
        "c-useragent": BROWSER, "sc-status": status, "r-dns": host,
    }


def proxy_flood():
    rnd = random.Random(1499202)
    rows = []
    for i in range(350):  # a host inside, flooding one site
        rows.append((at(30 + i / 7), "10.30.0.45", "shop.example.com", f"/api/stock?item={i}", 200))
    for i in range(280):  # busy, below the threshold
        rows.append((at(i * 0.2), "10.30.0.12", rnd.choice(SITES), "/", 200))
    for i in range(80):
        rows.append((at(rnd.uniform(0, 600)), f"10.30.0.{rnd.randint(50, 200)}", rnd.choice(SITES),
                     rnd.choice(["/", "/inbox", "/story/1", "/img/a.png"]), rnd.choice([200, 200, 304])))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [proxy_record(*r) for r in rows]


# ---- Suricata EVE JSON -----------------------------------------------------

JA3_CURL = "456523fc94726331a4d5a2e1d40b2cd7"
JA3_CHROME = "cd08e31494f9531f560d64c695473da9"


def eve_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+0000"


def eve_flood():
    rnd = random.Random(1499302)
    rows = []
    flow = [1000]

    def session(t, client, sni, ja3, extra):
        flow[0] += 1
        fid = flow[0]
        port = rnd.randint(32768, 60999)
        base = {"flow_id": fid, "src_ip": client, "src_port": port, "dest_ip": "10.20.0.5", "dest_port": 443,
                "proto": "TCP"}
        rows.append((t, dict(base, event_type="tls", tls={
            "subject": "CN=shop.example.org", "issuerdn": "CN=Example CA", "sni": sni,
            "version": "TLS 1.2", "ja3": {"hash": ja3}})))
        if extra:
            rows.append((t + timedelta(seconds=0.8), dict(base, event_type="flow", app_proto="tls", flow={
                "pkts_toserver": 12, "pkts_toclient": 10, "bytes_toserver": 1800, "bytes_toclient": 9200,
                "state": "closed", "reason": "timeout"})))

    for i in range(150):  # the flood: a new handshake every 0.3 s
        session(at(10 + i * 0.3), "203.0.113.50", "shop.example.org", JA3_CURL, False)
    for i in range(90):  # busy, below the threshold
        session(at(i * 0.65), "198.51.100.40", "shop.example.org", JA3_CHROME, False)
    for i in range(150):  # steady, 10 a minute
        session(at(i * 6.0), "192.0.2.30", "shop.example.org", JA3_CHROME, False)
    for i in range(40):  # ordinary visitors, with their flow records
        session(at(rnd.uniform(0, 900)), f"198.51.100.{rnd.randint(50, 250)}", "shop.example.org", JA3_CHROME, True)
    for i in range(30):  # plain HTTP and DNS on the same sensor
        t = at(rnd.uniform(0, 900))
        flow[0] += 1
        rows.append((t, {"flow_id": flow[0], "event_type": "http", "src_ip": f"192.0.2.{rnd.randint(1, 250)}",
                         "src_port": rnd.randint(32768, 60999), "dest_ip": "10.20.0.5", "dest_port": 80,
                         "proto": "TCP", "http": {"hostname": "shop.example.org", "url": "/",
                                                  "http_method": "GET", "status": 301, "length": 0}}))
        flow[0] += 1
        rows.append((t, {"flow_id": flow[0], "event_type": "dns", "src_ip": "10.20.0.5",
                         "src_port": rnd.randint(32768, 60999), "dest_ip": "10.20.0.53", "dest_port": 53,
                         "proto": "UDP", "dns": {"type": "query", "id": rnd.randint(1, 65535),
                                                 "rrname": "updates.example.org", "rrtype": "A"}}))
    rows.sort(key=lambda r: (r[0], r[1]["flow_id"], r[1]["event_type"]))
    out = []
    for t, r in rows:
        rec = {"timestamp": eve_time(t)}
        rec.update(r)
        out.append(rec)
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "examples/events"
    write(os.path.join(outdir, "network_flood.jsonl"), network_flood())
    write(os.path.join(outdir, "web_flood.jsonl"), web_flood())
    write(os.path.join(outdir, "proxy_flood.jsonl"), proxy_flood())
    write(os.path.join(outdir, "eve_flood.jsonl"), eve_flood())


if __name__ == "__main__":
    main()
