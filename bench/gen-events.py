#!/usr/bin/env python3
"""Writes realistic Windows event JSON lines for the matcher benchmark, at
any size, seeded from the events in SigmaHQ's regression data so the field
names and values are real.

Each event is a copy of a regression event (Sysmon and Security channels,
and the other channels the data holds) whose values are varied: times and
record ids run forward, process ids, GUIDs, ports and addresses change, and
most events (99% by default) take ordinary values from a pool of benign
ones (images, command lines, file names, registry keys, users, hosts)
instead of the malicious ones the regression events were made to show, so
rules fire about as rarely as they do on real logs.

  bench/gen-events.py --events N [--layout nested|flat] [--malicious P] [--seed S] > events.jsonl
  bench/gen-events.py --mb M ...                      (stop after about M megabytes)

nested: the evtx_dump layout (Event.System.*, Event.EventData.*), as
`sigc match` and the generated matcher read .evtx; flat: one object with the
System fields (EventID, Channel, Computer, TimeCreated) and the EventData
fields side by side, as NXLog and most shippers write them.

Deterministic for a given seed.  Needs ../shared/corpus/sigmahq/regression_data
(or --regression DIR).
"""
import argparse
import glob
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REGRESSION = os.path.join(HERE, "..", "..", "shared", "corpus", "sigmahq", "regression_data")

BENIGN = {
    "Image": [r"C:\Windows\System32\svchost.exe", r"C:\Windows\explorer.exe",
              r"C:\Program Files\Google\Chrome\Application\chrome.exe", r"C:\Windows\System32\RuntimeBroker.exe",
              r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE", r"C:\Windows\System32\taskhostw.exe",
              r"C:\Windows\System32\SearchIndexer.exe", r"C:\Program Files\Mozilla Firefox\firefox.exe",
              r"C:\Windows\System32\backgroundTaskHost.exe", r"C:\Windows\System32\dllhost.exe"],
    "CommandLine": [r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
                    r'"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US',
                    r"C:\Windows\Explorer.EXE", r"C:\Windows\System32\RuntimeBroker.exe -Embedding",
                    r'"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" /recycle',
                    r"taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}",
                    r"C:\Windows\system32\SearchIndexer.exe /Embedding",
                    r"C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}"],
    "TargetFilename": [r"C:\Users\alice\AppData\Local\Temp\tmp4F2A.tmp",
                       r"C:\Users\bob\Documents\report-q3.docx",
                       r"C:\Windows\Prefetch\CHROME.EXE-5349D4D3.pf",
                       r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\01",
                       r"C:\Users\alice\AppData\Local\Google\Chrome\User Data\Default\Cache\data_1"],
    "TargetObject": [r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\Advanced\Hidden",
                     r"HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Office\16.0\Common\General\ShownFirstRunOptin",
                     r"HKLM\SYSTEM\CurrentControlSet\Services\bam\State\UserSettings\S-1-5-18",
                     r"HKCU\Software\Google\Chrome\BLBeacon\version"],
    "User": [r"CORP\alice", r"CORP\bob", r"NT AUTHORITY\SYSTEM", r"NT AUTHORITY\LOCAL SERVICE"],
    "Computer": ["ws-0142.corp.example", "ws-0077.corp.example", "srv-file01.corp.example", "dc01.corp.example"],
    "ImageLoaded": [r"C:\Windows\System32\kernel32.dll", r"C:\Windows\System32\ntdll.dll",
                    r"C:\Windows\System32\user32.dll", r"C:\Windows\System32\combase.dll"],
    "ScriptBlockText": ["Get-ChildItem -Path C:\\Users\\alice\\Documents", "Import-Module ActiveDirectory",
                        "$PSVersionTable.PSVersion", "Get-Service | Where-Object {$_.Status -eq 'Running'}"],
    "QueryName": ["www.example.com", "login.microsoftonline.com", "update.googleapis.com", "corp.example"],
    "DestinationHostname": ["www.example.com", "outlook.office365.com", "update.googleapis.com"],
}
BENIGN["ParentImage"] = BENIGN["Image"]
BENIGN["ParentCommandLine"] = BENIGN["CommandLine"]
BENIGN["SourceImage"] = BENIGN["Image"]
BENIGN["TargetImage"] = BENIGN["Image"]
BENIGN["NewProcessName"] = BENIGN["Image"]
BENIGN["ParentProcessName"] = BENIGN["Image"]
BENIGN["ObjectName"] = BENIGN["TargetFilename"]


def load_templates(root):
    """Every regression event, as parsed JSON (nested layout)."""
    out = []
    dec = json.JSONDecoder()
    for path in sorted(glob.glob(os.path.join(root, "**", "*.json"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        i = 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                break
            obj, i = dec.raw_decode(text, i)
            for ev in obj if isinstance(obj, list) else [obj]:
                if isinstance(ev, dict) and isinstance(ev.get("Event"), dict):
                    out.append(ev)
    return out


def vary(ev, rnd, t, record, malicious):
    e = json.loads(json.dumps(ev))  # a deep copy
    sysd = e["Event"].setdefault("System", {})
    data = e["Event"].get("EventData")
    if not isinstance(data, dict):
        data = {}
        e["Event"]["EventData"] = data
    sysd.setdefault("TimeCreated", {"#attributes": {}})
    if isinstance(sysd["TimeCreated"], dict):
        sysd["TimeCreated"].setdefault("#attributes", {})["SystemTime"] = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sysd["EventRecordID"] = record
    if "UtcTime" in data:
        data["UtcTime"] = t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    for k in ("ProcessId", "ParentProcessId", "SourceProcessId", "TargetProcessId"):
        if isinstance(data.get(k), int):
            data[k] = rnd.randint(100, 20000)
    for k in ("ProcessGuid", "ParentProcessGuid"):
        if isinstance(data.get(k), str):
            data[k] = "{%08X-%04X-%04X-0000-%012X}" % (rnd.getrandbits(32), rnd.getrandbits(16),
                                                     rnd.getrandbits(16), rnd.getrandbits(48))
    if "SourcePort" in data:
        data["SourcePort"] = rnd.randint(49152, 65535)
    if "SourceIp" in data:
        data["SourceIp"] = "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))
    if not malicious:
        for k, pool in BENIGN.items():
            if k in data and isinstance(data[k], str):
                data[k] = rnd.choice(pool)
        if "Computer" in sysd:
            sysd["Computer"] = rnd.choice(BENIGN["Computer"])
    return e


def flatten(e):
    """The flat layout: System's fields (attributes as Provider_Name,
    SystemTime...) and EventData's side by side."""
    sysd = e["Event"].get("System", {})
    out = {}
    for k, v in sysd.items():
        if isinstance(v, dict):
            for ak, av in (v.get("#attributes") or {}).items():
                out[k + "_" + ak if k != "TimeCreated" else ak] = av
        else:
            out[k] = v
    for k, v in (e["Event"].get("EventData") or {}).items():
        out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=0)
    ap.add_argument("--mb", type=float, default=0)
    ap.add_argument("--layout", choices=("nested", "flat"), default="nested")
    ap.add_argument("--malicious", type=float, default=0.01, help="share of events that keep their malicious values")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--regression", default=DEFAULT_REGRESSION)
    a = ap.parse_args()
    if not a.events and not a.mb:
        ap.error("give --events N or --mb M")
    templates = load_templates(a.regression)
    if not templates:
        sys.exit(f"gen-events: no events under {a.regression}")
    rnd = random.Random(a.seed)
    t = datetime(2026, 4, 20, 8, 0, 0, tzinfo=timezone.utc)
    out = sys.stdout
    written = n = 0
    limit = a.mb * 1e6
    while (a.events and n < a.events) or (limit and written < limit):
        n += 1
        t += timedelta(microseconds=rnd.randint(200, 5000))
        e = vary(rnd.choice(templates), rnd, t, 1000000 + n, rnd.random() < a.malicious)
        line = json.dumps(flatten(e) if a.layout == "flat" else e, separators=(",", ":")) + "\n"
        out.write(line)
        written += len(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
