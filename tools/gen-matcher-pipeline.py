#!/usr/bin/env python3
"""Writes compiler/data/pipelines/windows-events.yml, the C matcher's log-source
map, from SigmaHQ's tests/thor.yml (the map SigmaHQ's own CI uses).

thor.yml has two layers: a category entry gives its EventID conditions, its
field renames and a rewrite to (product, service); a service entry gives the
event log channels ("WinEventLog:<Channel>").  Each category entry becomes one
logsources entry with EventID and Channel conditions; each service entry one
with its Channel.  Log sources of files ("File:...") have no channel to test
and are left to `unplaced: fields-only`.

usage: tools/gen-matcher-pipeline.py ../shared/corpus/sigmahq/tests/thor.yml > compiler/data/pipelines/windows-events.yml
"""
import sys

import yaml


def quote(v):
    if isinstance(v, int):
        return str(v)
    s = str(v)
    return "'" + s.replace("'", "''") + "'"


def value(v):
    if isinstance(v, list):
        return "[" + ", ".join(quote(x) for x in v) + "]"
    return quote(v)


# Services pySigma's Windows pipeline (sigma/pipelines/windows) maps that
# thor.yml does not: (service, channel).
EXTRA_SERVICES = [
    ("dns-server", "DNS Server"),
    ("driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"),
    ("microsoft-servicebus-client", "Microsoft-ServiceBus-Client"),
]


# Fields of the evtx layout and their names in Winlogbeat's JSON.
EVENT_NAMES = [
    ("EventID", ["winlog.event_id"]),
    ("Channel", ["winlog.channel"]),
    ("Provider_Name", ["winlog.provider_name"]),
    ("Computer", ["winlog.computer_name"]),
    ("EventRecordID", ["winlog.record_id"]),
]


def main():
    thor = yaml.safe_load(open(sys.argv[1]))["logsources"]
    channels = {}
    for name, e in thor.items():
        if "sources" in e and e.get("service") and not e.get("category"):
            chans = [s[len("WinEventLog:"):] for s in (e.get("sources") or []) if s.startswith("WinEventLog:")]
            if chans:
                channels[(e.get("product"), e["service"])] = chans
    out = []
    out.append("# windows-events: the C matcher's log-source map, generated from SigmaHQ's")
    out.append("# tests/thor.yml (the map SigmaHQ's CI uses) by tools/gen-matcher-pipeline.py.")
    out.append("# Do not edit by hand: change the generator and run it again.")
    out.append("#")
    out.append("# A Windows category becomes its EventID and its channel (Channel: the event")
    out.append("# log name, as in the evtx_dump layout's Event.System.Channel); a category that")
    out.append("# thor.yml places on two event types (process_creation: Sysmon 1 or Security")
    out.append("# 4688 with NewProcessName for Image) matches either (placement: all).  Rules")
    out.append("# of other log sources (Linux, web servers, cloud, network...) keep their own")
    out.append("# fields: see the fallback entries at the end.")
    out.append("name: windows-events")
    out.append("target: c")
    out.append("description: Windows event logs by EventID and Channel (SigmaHQ tests/thor.yml); other log sources by their fields")
    out.append("timestamp: SystemTime")
    out.append("placement: all")
    out.append("unplaced: fields-only")
    out.append("# The names Winlogbeat and Elastic Agent (ECS) give the System fields; their")
    out.append("# EventData fields (winlog.event_data.Image) answer to their own key already.")
    out.append("event-names:")
    for field, names in EVENT_NAMES:
        out.append(f"  {field}: [{', '.join(names)}]")
    out.append("logsources:")
    for name, e in thor.items():
        cat = e.get("category")
        if not cat or "conditions" not in e:
            continue
        rw = e.get("rewrite") or {}
        chans = channels.get((rw.get("product"), rw.get("service")))
        conds = dict(e["conditions"])
        if chans:
            conds["Channel"] = chans if len(chans) > 1 else chans[0]
        match = {"category": cat}
        if e.get("product"):
            match["product"] = e["product"]
        out.append("  - match: {" + ", ".join(f"{k}: {v}" for k, v in match.items()) + "}   # thor.yml " + name)
        out.append("    conditions: {" + ", ".join(f"{k}: {value(v)}" for k, v in conds.items()) + "}")
        fm = e.get("fieldmappings")
        if fm:
            out.append("    fields: {" + ", ".join(f"{k}: {value(v)}" for k, v in fm.items()) + "}")
    for (product, service), chans in channels.items():
        out.append(f"  - match: {{product: {product}, service: {service}}}")
        out.append("    conditions: {Channel: " + value(chans if len(chans) > 1 else chans[0]) + "}")
    out.append("  # sigc's additions: Windows services that thor.yml does not name, with the")
    out.append("  # channels pySigma's Windows pipeline gives them.")
    for service, chan in EXTRA_SERVICES:
        if ("windows", service) not in channels:
            out.append(f"  - match: {{product: windows, service: {service}}}")
            out.append("    conditions: {Channel: " + value(chan) + "}")
    out.append("  # Web-server logs (W3C names: the request's path in cs-uri-stem) and proxy")
    out.append("  # logs (the whole URL in c-uri), told apart by where the request goes.")
    out.append("  - match: {category: webserver}")
    out.append("    conditions: {cs-uri-stem|exists: true, Channel|exists: false}")
    out.append("  - match: {category: proxy}")
    out.append("    conditions: {c-uri|exists: true, Channel|exists: false}")
    out.append("  # Zeek's ssl log, one record per TLS session, and the same sessions as")
    out.append("  # Suricata writes them (EVE JSON, event_type tls), with Zeek's names")
    out.append("  # mapped onto EVE's.  EVE events carry no Channel: saying so keeps these")
    out.append("  # rules out of the Windows events' dispatch buckets.")
    out.append("  - match: {product: zeek, service: ssl}")
    out.append("    conditions: {uid|exists: true, established|exists: true, Channel|exists: false}")
    out.append("  - match: {product: zeek, service: ssl}")
    out.append("    conditions: {event_type: tls, Channel|exists: false}")
    out.append("    fields:")
    for zeek, eve in [("id.orig_h", "src_ip"), ("id.orig_p", "src_port"), ("id.resp_h", "dest_ip"),
                      ("id.resp_p", "dest_port"), ("server_name", "tls.sni"), ("subject", "tls.subject"),
                      ("issuer", "tls.issuerdn"), ("version", "tls.version"), ("ja3", "tls.ja3.hash"),
                      ("ja3s", "tls.ja3s.hash")]:
        out.append(f"      {zeek}: {eve}")
    out.append("  # Suricata's EVE JSON for the proxy and DNS rules, and for Zeek's http")
    out.append("  # log: an http event is one request (http.url: its path and query), a dns")
    out.append("  # event one query or answer.  A field EVE does not have stays unmapped, so")
    out.append("  # a selection on it never holds there (these rules name such fields only")
    out.append("  # in selections).  Not Zeek's dns rules: they test Zeek's own flags (Z,")
    out.append("  # rejected) under `not`, which would hold on every EVE event.  DNS logs of")
    out.append("  # other kinds keep their own names (query...), as proxy logs do.")
    proxy_eve = [("c-uri", "http.url"), ("cs-host", "http.hostname"), ("c-useragent", "http.http_user_agent"),
                 ("cs-method", "http.http_method"), ("sc-status", "http.status"), ("cs-referrer", "http.http_refer"),
                 ("src_ip", "src_ip"), ("dst_ip", "dest_ip")]
    zeek_http_eve = [("id.orig_h", "src_ip"), ("id.orig_p", "src_port"), ("id.resp_h", "dest_ip"),
                     ("id.resp_p", "dest_port"), ("host", "http.hostname"), ("uri", "http.url"),
                     ("user_agent", "http.http_user_agent"), ("method", "http.http_method"),
                     ("status_code", "http.status"), ("referrer", "http.http_refer")]
    dns_eve = [("query", "dns.rrname"), ("record_type", "dns.rrtype"), ("answer", "dns.answers.rdata")]
    for match, event_type, native, fields in [
            ("{category: proxy}", "http", None, proxy_eve),
            ("{category: dns}", "dns", "{query|exists: true, Channel|exists: false}", dns_eve),
            ("{product: zeek, service: http}", "http", "{uid|exists: true, Channel|exists: false}", zeek_http_eve)]:
        if native:
            out.append(f"  - match: {match}")
            out.append(f"    conditions: {native}")
        out.append(f"  - match: {match}")
        out.append(f"    conditions: {{event_type: {event_type}, Channel|exists: false}}")
        out.append("    fields: {" + ", ".join(f"{a}: {b}" for a, b in fields) + "}")
    out.append("  # Fallbacks, for rules no entry above places.  A Windows rule of another")
    out.append("  # log source (file_access, a service of its own) holds on Windows events")
    out.append("  # that carry one of its fields; a rule of any other product (Linux, web,")
    out.append("  # cloud, network...) on events that are not Windows events (no Channel)")
    out.append("  # and carry one of its fields, so a Cisco or Zeek rule stays quiet on")
    out.append("  # Sysmon logs.  A rule of keywords only needs the rest of the event.")
    out.append("  - match: {product: windows}")
    out.append("    fallback: true")
    out.append("    conditions: {Channel|exists: true}")
    out.append("  - match: {}")
    out.append("    fallback: true")
    out.append("    conditions: {Channel|exists: false}")
    print("\n".join(out))


main()
