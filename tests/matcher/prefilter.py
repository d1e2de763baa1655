#!/usr/bin/env python3
"""The prefilter skips only rules that cannot match (issue 7), checked on
random events against an oracle written here and against --no-prefilter.

The rules exercise what decides what the prefilter scans for an event
(and how a contains test looks for its needle):
keyword rules of every Windows event, keyword rules of one channel (their
keywords are looked for only in events of that channel, every few bytes:
the stride is the shortest keyword less 3), a keyword rule with an EventID
(its bucket scans every byte for every keyword), keywords of 4 bytes (a
stride of 1), field rules of one EventID (other EventIDs do not scan that
field), a rule with no literal, and a rule that names a keyword of another
channel's rule inside a NOT (the keyword is not looked for there: the
predicate must still be tested, not taken as false).  Events: several
channels in any case, EventIDs with and without rules, the channel missing
or given twice, keywords at every offset of every field, in any case, split
across two fields, near misses.  usage: prefilter.py SIGC
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

SYSMON = "Microsoft-Windows-Sysmon/Operational"
APP = "Application"
SEC = "Security"


def rule(n, logsource, detection):
    return ("title: Prefilter %d\nid: 6c0a6a51-1c36-4c55-8a57-00000000%04d\nlevel: low\nlogsource: %s\n"
            "detection:\n%s" % (n, n, logsource, detection))


# (rule text, oracle(event) -> bool); the oracle reads the flat event
def any_value(ev, words):
    vals = [str(v).lower() for k, v in ev.items() if not isinstance(v, list)]
    vals += [str(x).lower() for v in ev.values() if isinstance(v, list) for x in v]
    return any(w in v for w in words for v in vals)


def channel_is(ev, name):
    c = ev.get("Channel")
    cs = c if isinstance(c, list) else [c]
    return any(isinstance(x, str) and x.lower() == name.lower() for x in cs)


def eid(ev):
    return ev.get("EventID")


def process_creation(ev):  # the windows-events pipeline: Sysmon 1 or Security 4688
    return (channel_is(ev, SYSMON) and eid(ev) == 1) or (channel_is(ev, SEC) and eid(ev) == 4688)


def alower(s):  # sigc folds ASCII letters only
    return s.translate(ASCII_LOWER)


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def contains(ev, field, word):
    return isinstance(ev.get(field), str) and word in ev[field].lower()


WIN_WORDS = ["sekurlsa::", "invoke-mimikatz", "lsadump::sam"]      # every Windows event, stride 7
APP_WORDS = ["hktl", "trojan.win", "exploit/"]                     # Application only, stride 1
# Security only, stride 12; the third's bytes \ _ @ [ ] ^ (bit 5 clear) share the
# scanner's filter bits with | DEL ` { } ~
SEC_WORDS = ["kerberoast-tool-x", "golden-ticket-x", "krb_tgt\\dump@x[1]^"]
BUCKET_WORDS = ["bucketword"]                                      # EventID 4624 only
IMAGE_ENDS = ["\\rundll32.exe", "\\svchost.exe", "\\PowerShell.exe", "\\cmd.exe", ".hta", "\\Äpfel-tool.exe",
              ".scr", ".CPL", "\\at.exe", ".jse", ".js"]
USERS = ["NT AUTHORITY\\SYSTEM", "LOCAL SERVICE", "Admin", "root", "guest-account-with-a-long-name"]
PARENT_STARTS = ["C:\\Windows\\System32\\", "C:\\Program Files\\", "C:\\Users\\Public\\", "D:\\tools\\x", "E:\\",
                 "D:\\x1", "F:\\tmp", "Z:\\s\\", "G:\\ab"]
TARGETS = ["report.docx", "Keep.txt", "a", "C:\\Temp\\payload-with-a-longer-name.dll", "notes.md", "x.y"]
RULES = [
    (rule(1, "{product: windows}", "    keywords:\n" + "".join("        - '%s'\n" % w for w in WIN_WORDS)
          + "    condition: keywords\n"),
     lambda ev: "Channel" in ev and any_value(ev, WIN_WORDS)),
    (rule(2, "{product: windows, service: application}",
          "    keywords:\n" + "".join("        - '%s'\n" % w for w in APP_WORDS) + "    condition: keywords\n"),
     lambda ev: channel_is(ev, APP) and any_value(ev, APP_WORDS)),
    (rule(3, "{product: windows, service: security}",
          "    keywords:\n" + "".join("        - '%s'\n" % w for w in SEC_WORDS) + "    condition: keywords\n"),
     lambda ev: channel_is(ev, SEC) and any_value(ev, SEC_WORDS)),
    (rule(4, "{product: windows, service: security}",
          "    sel:\n        EventID: 4624\n    keywords:\n        - '%s'\n    condition: sel and keywords\n"
          % BUCKET_WORDS[0]),
     lambda ev: channel_is(ev, SEC) and eid(ev) == 4624 and any_value(ev, BUCKET_WORDS)),
    (rule(5, "{category: process_creation, product: windows}",
          "    sel:\n        CommandLine|contains: 'whoami /priv'\n    condition: sel\n"),
     lambda ev: process_creation(ev) and contains(ev, "CommandLine", "whoami /priv")),
    (rule(6, "{category: network_connection, product: windows}",
          "    sel:\n        Image|endswith: '\\\\rundll32.exe'\n    condition: sel\n"),
     lambda ev: channel_is(ev, SYSMON) and eid(ev) == 3 and isinstance(ev.get("Image"), str)
     and ev["Image"].lower().endswith("\\rundll32.exe")),
    (rule(7, "{category: process_creation, product: windows}",
          "    sel:\n        IntegrityLevel: System\n    condition: sel\n"),
     lambda ev: process_creation(ev) and str(ev.get("IntegrityLevel", "")).lower() == "system"),
    # names rule 3's keyword (scanned for in Security events only) under NOT
    (rule(8, "{product: windows, service: application}",
          "    sel:\n        EventID: 1000\n    keywords:\n        - 'kerberoast-tool-x'\n"
          "    condition: sel and not keywords\n"),
     lambda ev: channel_is(ev, APP) and eid(ev) == 1000 and not any_value(ev, ["kerberoast-tool-x"])),
    # a keyword under 4 bytes: System events are scanned at every byte for every keyword
    (rule(9, "{product: windows, service: system}", "    keywords:\n        - 'zq!'\n    condition: keywords\n"),
     lambda ev: channel_is(ev, "System") and any_value(ev, ["zq!"])),
    # an atom under 4 bytes, and the same atom under NOT in a rule of another EventID
    (rule(10, "{category: process_creation, product: windows}",
          "    sel:\n        CommandLine|contains: ' -q'\n    condition: sel\n"),
     lambda ev: process_creation(ev) and contains(ev, "CommandLine", " -q")),
    (rule(11, "{category: network_connection, product: windows}",
          "    filter:\n        CommandLine|contains: ' -q'\n    condition: not filter\n"),
     lambda ev: channel_is(ev, SYSMON) and eid(ev) == 3 and not contains(ev, "CommandLine", " -q")),
    # makes network events scan CommandLine, for 4-byte grams only: rule 11's ' -q' is not looked for there
    (rule(12, "{category: network_connection, product: windows}",
          "    sel:\n        CommandLine|contains: 'beacon'\n    condition: sel\n"),
     lambda ev: channel_is(ev, SYSMON) and eid(ev) == 3 and contains(ev, "CommandLine", "beacon")),
    # a cased contains: looked for by its rarest byte, compared byte for byte
    (rule(13, "{category: process_creation, product: windows}",
          "    sel:\n        CommandLine|contains|cased: 'Ab^Cd'\n    condition: sel\n"),
     lambda ev: process_creation(ev) and isinstance(ev.get("CommandLine"), str) and "Ab^Cd" in ev["CommandLine"]),
    # regexes: an escape's argument is no literal text (\x41 is 'A', not "41"); a byte
    # every match holds ('`') is looked for first
    (rule(14, "{product: windows}", "    sel:\n        Data|re: '\\x41BCDEFG'\n    condition: sel\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("Data"), str) and "ABCDEFG" in ev["Data"]),
    (rule(15, "{product: windows}", "    sel:\n        Data|re: '\\QAB.D\\E'\n    condition: sel\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("Data"), str) and "AB.D" in ev["Data"]),
    (rule(16, "{category: process_creation, product: windows}",
          "    sel:\n        CommandLine|re: '\\w+`\\w+`'\n    condition: sel\n"),
     lambda ev: process_creation(ev) and isinstance(ev.get("CommandLine"), str)
     and re.search(r"\w+`\w+`", ev["CommandLine"], re.ASCII) is not None),
    # value lists (the matcher looks them up in hash sets): endswith and
    # startswith items of 8 bytes or more, of 4 to 7 (a set of their own),
    # shorter ones beside them, equals with and without case
    (rule(17, "{category: process_creation, product: windows}",
          "    sel:\n        Image|endswith:\n" + "".join("            - '%s'\n" % w for w in IMAGE_ENDS)
          + "    condition: sel\n"),
     # (Security 4688 names the image NewProcessName, which these events lack)
     lambda ev: channel_is(ev, SYSMON) and eid(ev) == 1 and isinstance(ev.get("Image"), str)
     and any(alower(ev["Image"]).endswith(alower(w)) for w in IMAGE_ENDS)),
    (rule(18, "{product: windows}",
          "    sel:\n        User|cased:\n" + "".join("            - '%s'\n" % w for w in USERS) + "    condition: sel\n"),
     lambda ev: "Channel" in ev and ev.get("User") in USERS),
    (rule(19, "{product: windows}",
          "    sel:\n        ParentImage|startswith:\n" + "".join("            - '%s'\n" % w for w in PARENT_STARTS)
          + "    condition: sel\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("ParentImage"), str)
     and any(alower(ev["ParentImage"]).startswith(alower(w)) for w in PARENT_STARTS)),
    (rule(20, "{product: windows}",
          "    sel:\n        TargetFilename:\n" + "".join("            - '%s'\n" % w for w in TARGETS)
          + "    filter:\n        TargetFilename: 'Keep.TXT'\n    condition: sel and not filter\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("TargetFilename"), str)
     and alower(ev["TargetFilename"]) in [alower(w) for w in TARGETS] and alower(ev["TargetFilename"]) != "keep.txt"),
    # a regex: the escape of a control character (\t, \x{0A}, \x0d) is its byte, literal text
    (rule(21, "{product: windows}", "    sel:\n        Data|re: 'q\\tw\\x{0A}e\\x0d'\n    condition: sel\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("Data"), str) and "q\tw\ne\r" in ev["Data"]),
    # a 2-byte atom of rare punctuation: its grams looked up where '^' ends one, in ASCII text and not
    (rule(22, "{category: process_creation, product: windows}",
          "    sel:\n        CommandLine|contains: '^^'\n    condition: sel\n"),
     lambda ev: process_creation(ev) and contains(ev, "CommandLine", "^^")),
    # regexes whose byte looked for first lies in a group every match passes through ('}'),
    # and a group that may be skipped, with a ')' in a class (no literal of it is needed)
    (rule(23, "{category: process_creation, product: windows}",
          "    sel:\n        CommandLine|re: '\"(?:\\{\\d\\})+\"\\s*-f'\n    condition: sel\n"),
     lambda ev: process_creation(ev) and isinstance(ev.get("CommandLine"), str)
     and re.search(r'"(?:\{\d\})+"\s*-f', ev["CommandLine"], re.ASCII) is not None),
    (rule(24, "{product: windows}", "    sel:\n        Data|re: '([)];wxyz)?e'\n    condition: sel\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("Data"), str) and re.search(r"([)];wxyz)?e", ev["Data"]) is not None),
    # a verb is no group of text: '(*LIMIT_MATCH=...)' needs no '='
    (rule(25, "{product: windows}", "    sel:\n        Data|re: '(*LIMIT_MATCH=100000)zq'\n    condition: sel\n"),
     lambda ev: "Channel" in ev and isinstance(ev.get("Data"), str) and "zq" in ev["Data"]),
]

FIELDS = ["CommandLine", "Image", "Message", "Data", "User", "ParentImage", "TargetFilename"]
CASED_WORDS = ["Ab^Cd", "ABCDEFG", "AB.D", "q\tw\ne\r", '"{1}{2}" -f', '"{3}"-f', '"{x}" -f', '"{4}"  -f',
               '"{5}{6}{7}"-f']
WORDS = WIN_WORDS + APP_WORDS + SEC_WORDS + BUCKET_WORDS + ["whoami /priv", "\\rundll32.exe", "zq!", " -q", ".exe", "beacon", "ABCDEFG", "AB.D", "ab`cd`",
                                                               "^^", "\u00e9^^", "^^^", '"{1}{2}" -f', '"{3}"-f', '"{x}" -f',
                                                               '"{4}"  -f', '"{5}{6}{7}"-f']


def text_with(rnd, word):
    """Filler with word (often in a random case, maybe cut short by one byte) at a
    random offset."""
    if rnd.random() < 0.15:
        word = word[:-1]  # a near miss
    if rnd.random() < (0.3 if word in CASED_WORDS else 0.7):
        word = "".join(c.upper() if rnd.random() < 0.5 else c for c in word)
    pre = "".join(rnd.choice("abcdefghij \\:./-") for _ in range(rnd.randrange(0, 40)))
    post = "".join(rnd.choice("abcdefghij \\:./-") for _ in range(rnd.randrange(0, 12))) if rnd.random() < 0.5 else ""
    return pre + word + post


def event(rnd, i):
    ev = {}
    r = rnd.random()
    if r < 0.08:
        pass  # no channel
    elif r < 0.12:
        ev["Channel"] = [rnd.choice([SYSMON, APP, SEC]), rnd.choice([SYSMON, APP, SEC])]
    else:
        c = rnd.choice([SYSMON, SYSMON, APP, SEC, "System", "Microsoft-Windows-PowerShell/Operational"])
        ev["Channel"] = c.upper() if rnd.random() < 0.1 else c
    ev["EventID"] = rnd.choice([1, 3, 3, 4624, 4688, 1000, 7045, 11])
    ev["RecordID"] = i
    for f in rnd.sample(FIELDS, rnd.randrange(1, 5)):
        if rnd.random() < 0.5:
            own = {"CommandLine": rnd.choice(["whoami /priv", " -q", "Ab^Cd", "beacon", "ab`cd`"]),
                   "Image": "\\rundll32.exe", "Data": rnd.choice(["ABCDEFG", "AB.D", "q\tw\ne\r"])}.get(f)
            ev[f] = text_with(rnd, own if own and rnd.random() < 0.4 else rnd.choice(WORDS))
        else:
            ev[f] = "".join(rnd.choice("abcdefghijklmnop \\") for _ in range(rnd.randrange(0, 30)))
    if rnd.random() < 0.1:  # a keyword split over two fields matches neither
        w = rnd.choice(WIN_WORDS)
        ev["Part1"], ev["Part2"] = w[:4], w[4:]
    if rnd.random() < 0.3:
        ev["IntegrityLevel"] = rnd.choice(["System", "SYSTEM", "High", "Medium"])
    # the value lists' items: exact, in another case, cut or grown by a byte
    def near(w):
        x = rnd.random()
        if x < 0.3:
            return "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in w)
        if x < 0.4:
            return w[1:] if rnd.random() < 0.5 else w[:-1]
        if x < 0.5:
            return w + rnd.choice("ax\\")
        return w
    filler = lambda: "".join(rnd.choice("abcdefghij \\:./-") for _ in range(rnd.randrange(0, 20)))
    if rnd.random() < 0.25:
        ev["Image"] = filler() + near(rnd.choice(IMAGE_ENDS))
    if rnd.random() < 0.2:
        ev["User"] = near(rnd.choice(USERS))
    if rnd.random() < 0.2:
        ev["ParentImage"] = near(rnd.choice(PARENT_STARTS)) + filler()
    if rnd.random() < 0.2:
        ev["TargetFilename"] = near(rnd.choice(TARGETS))
    return ev


def main():
    sigc = sys.argv[1]
    rnd = random.Random(11)
    events = [event(rnd, i) for i in range(16000)]
    expected = []
    for i, ev in enumerate(events):
        for n, (_, oracle) in enumerate(RULES, 1):
            if oracle(ev):
                expected.append((i + 1, n))
    fail = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (text, _) in enumerate(RULES, 1):
            with open(os.path.join(tmp, "r%d.yml" % n), "w") as f:
                f.write(text)
        path = os.path.join(tmp, "events.jsonl")
        with open(path, "w") as f:
            for ev in events:
                f.write(json.dumps(ev) + "\n")
        outs = {}
        for mode in ([], ["--no-prefilter"]):
            p = subprocess.run([sigc, "match", "--no-event", *mode, "-r", tmp, "-e", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if p.returncode not in (0, 1):
                print("FAIL: sigc match %s exited %d: %s" % (mode, p.returncode, p.stderr[-500:]))
                return 1
            got = []
            for line in p.stdout.splitlines():
                m = json.loads(line)
                got.append((m["line"], int(m["id"][-4:])))
            outs[tuple(mode)] = got
        for mode, got in outs.items():
            if sorted(got) != sorted(expected):
                fail = 1
                missing = sorted(set(expected) - set(got))[:10]
                extra = sorted(set(got) - set(expected))[:10]
                print("FAIL: %s: %d matches, the oracle %d; missing (line, rule) %s; extra %s"
                      % (" ".join(mode) or "prefilter on", len(got), len(expected), missing, extra))
                for line, n in (missing + extra)[:3]:
                    print("  event %d: %s" % (line, json.dumps(events[line - 1])))
        per_rule = [sum(1 for _, n in expected if n == k) for k in range(1, len(RULES) + 1)]
        if min(per_rule) < 5:
            print("FAIL: the events exercise too few matches per rule: %s" % per_rule)
            fail = 1
    if not fail:
        print("prefilter on and off: the oracle's %d matches over %d events (per rule %s)"
              % (len(expected), len(events), per_rule))
    return fail


if __name__ == "__main__":
    sys.exit(main())
