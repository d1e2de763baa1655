#!/usr/bin/env python3
"""Writes examples/events/network_flood.jsonl: Sysmon network connection
events (EventID 3) in the evtx_dump layout, one JSON object per line, for the
seed rule rules/T1499.002.yml (a placeholder filled in as "200 or more
connections per SourceIp within 60 s").

  10.20.0.66   250 connections to the web server within 50 s: a flood, fires once
  10.20.0.7    150 connections within 50 s: busy, below the threshold
  10.20.0.9    230 connections spread over 8 minutes: never 200 within 60 s
  others       a handful of ordinary connections

Deterministic (fixed seed); usage: tools/gen-flood-events.py > examples/events/network_flood.jsonl
"""
import json
import random
from datetime import datetime, timedelta, timezone

START = datetime(2026, 4, 20, 10, 0, 0, tzinfo=timezone.utc)


def event(t, src, port, image, record):
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


def main():
    rnd = random.Random(1499002)
    rows = []
    web = "C:\\Program Files\\nginx\\nginx.exe"
    for i in range(250):
        rows.append((START + timedelta(seconds=5 + i * 0.2), "10.20.0.66", web))
    for i in range(150):
        rows.append((START + timedelta(seconds=i / 3), "10.20.0.7", web))
    for i in range(230):
        rows.append((START + timedelta(seconds=i * 2.1), "10.20.0.9", web))
    for i in range(20):
        rows.append((START + timedelta(seconds=rnd.uniform(0, 480)), f"192.0.2.{rnd.randint(1, 254)}", web))
    rows.sort(key=lambda r: (r[0], r[1]))
    for n, (t, src, image) in enumerate(rows, 1):
        print(json.dumps(event(t, src, 49152 + n % 16000, image, 100000 + n), separators=(",", ":")))


if __name__ == "__main__":
    main()
