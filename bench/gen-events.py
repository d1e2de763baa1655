#!/usr/bin/env python3
"""Writes realistic Windows event JSON lines for the matcher benchmark, at
any size, seeded from the events in SigmaHQ's regression data so the field
names and values are real.

Each event is a copy of a regression event (Sysmon and Security channels,
and the other channels the data holds) whose values are varied: times and
record ids run forward, process ids, GUIDs, ports and addresses change, and
most events (99% by default) take ordinary values instead of the malicious
ones the regression events were made to show, so rules fire about as rarely
as they do on real logs.  The ordinary values hang together: one user on one
host, a process drawn from profiles of everyday Windows processes (image,
version info, command line, directory, integrity level, user and the parent
that usually starts it), and what that process usually touches (registry
values with their data, files, modules, connections, tasks...).

  bench/gen-events.py --events N [--layout nested|flat] [--malicious P] [--seed S] > events.jsonl
  bench/gen-events.py --mb M ...                      (stop after about M megabytes)

nested: the evtx_dump layout (Event.System.*, Event.EventData.*), as
`sigc match` and the generated matcher read .evtx; flat: one object with the
System fields (EventID, Channel, Computer, TimeCreated) and the EventData
fields (or those of the record UserData holds) side by side, as NXLog and
most shippers write them.

Deterministic for a given seed.  Needs ../shared/corpus/sigmahq/regression_data
(or --regression DIR).
"""
import argparse
import functools
import glob
import hashlib
import json
import os
import random
import sys
from collections import namedtuple
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REGRESSION = os.path.join(HERE, "..", "..", "shared", "corpus", "sigmahq", "regression_data")

# The benign values.  %USERPROFILE% and %SID% stand for the event's user's.
USERS = [("CORP", "alice", "S-1-5-21-3623811015-3361044348-30300820-1104"),
         ("CORP", "bob", "S-1-5-21-3623811015-3361044348-30300820-1107"),
         ("CORP", "carol", "S-1-5-21-3623811015-3361044348-30300820-1112")]
HOSTS = ["ws-0142.corp.example", "ws-0077.corp.example", "srv-file01.corp.example", "dc01.corp.example"]

# An executable or module: its path, version information and signer.
Binary = namedtuple("Binary", "path original_name description product company version signer")


def windows_binary(name, original_name, description, folder="C:\\Windows\\System32\\"):
    return Binary(folder + name, original_name, description, "Microsoft\u00ae Windows\u00ae Operating System",
                  "Microsoft Corporation", "10.0.22621.3527 (WinBuild.160101.0800)", "Microsoft Windows")


def microsoft_binary(path, original_name, product, version):
    return Binary(path, original_name, product, product, "Microsoft Corporation", version, "Microsoft Corporation")


CHROME = Binary(r"C:\Program Files\Google\Chrome\Application\chrome.exe", "chrome.exe", "Google Chrome",
                "Google Chrome", "Google LLC", "124.0.6367.91", "Google LLC")
OUTLOOK = microsoft_binary(r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE", "Outlook.exe",
                           "Microsoft Outlook", "16.0.17531.20140")
TEAMS = microsoft_binary(r"C:\Program Files\WindowsApps\MSTeams_24033.811.2738.2546_x64__8wekyb3d8bbwe\ms-teams.exe",
                         "ms-teams.exe", "Microsoft Teams", "24033.811.2738.2546")
ONEDRIVE = microsoft_binary(r"%USERPROFILE%\AppData\Local\Microsoft\OneDrive\OneDrive.exe", "OneDrive.exe",
                            "Microsoft OneDrive", "24.070.0407.0003")

# An everyday process as it usually runs: parent names the profile of the
# process that starts it, user LOGGED_ON is the event's user.
Process = namedtuple("Process", "binary command_line parent user integrity directory",
                     defaults=("C:\\Windows\\system32\\",))
SYSTEM, LOCAL_SERVICE, NETWORK_SERVICE = (r"NT AUTHORITY\SYSTEM", r"NT AUTHORITY\LOCAL SERVICE",
                                          r"NT AUTHORITY\NETWORK SERVICE")
LOGGED_ON = None


def service_host(arguments, user):
    return Process(windows_binary("svchost.exe", "svchost.exe", "Host Process for Windows Services"),
                   r"C:\Windows\system32\svchost.exe " + arguments, "services", user, "System")


CHROME_DIRECTORY = "C:\\Program Files\\Google\\Chrome\\Application\\124.0.6367.91\\"
PROCESSES = {
    # only parents
    "services": Process(windows_binary("services.exe", "services.exe", "Services and Controller app"),
                        r"C:\Windows\system32\services.exe", None, SYSTEM, "System"),
    "userinit": Process(windows_binary("userinit.exe", "USERINIT.EXE", "Userinit Logon Application"),
                        r"C:\Windows\system32\userinit.exe", None, LOGGED_ON, "Medium"),
    # the processes of the events
    "svchost-dcom": service_host("-k DcomLaunch -p", SYSTEM),
    "svchost-schedule": service_host("-k netsvcs -p -s Schedule", SYSTEM),
    "svchost-sysmain": service_host("-k LocalSystemNetworkRestricted -p -s SysMain", SYSTEM),
    "svchost-dhcp": service_host("-k LocalServiceNetworkRestricted -p -s Dhcp", LOCAL_SERVICE),
    "svchost-dnscache": service_host("-k NetworkService -p -s Dnscache", NETWORK_SERVICE),
    "searchindexer": Process(windows_binary("SearchIndexer.exe", "SearchIndexer.exe",
                                            "Microsoft Windows Search Indexer"),
                             r"C:\Windows\system32\SearchIndexer.exe /Embedding", "services", SYSTEM, "System"),
    "runtimebroker": Process(windows_binary("RuntimeBroker.exe", "RuntimeBroker.exe", "Runtime Broker"),
                             r"C:\Windows\System32\RuntimeBroker.exe -Embedding", "svchost-dcom", LOGGED_ON, "Medium"),
    "dllhost": Process(windows_binary("dllhost.exe", "dllhost.exe", "COM Surrogate"),
                       r"C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}",
                       "svchost-dcom", LOGGED_ON, "Medium"),
    "backgroundtaskhost": Process(windows_binary("backgroundTaskHost.exe", "backgroundTaskHost.exe",
                                                 "Background Task Host"),
                                  r'"C:\Windows\system32\backgroundTaskHost.exe" '
                                  r"-ServerName:BackgroundTaskHost.WebAccountBackgroundTask",
                                  "svchost-dcom", LOGGED_ON, "Low"),
    "smartscreen": Process(windows_binary("smartscreen.exe", "smartscreen.exe", "Windows Defender SmartScreen"),
                           r"C:\Windows\System32\smartscreen.exe -Embedding", "svchost-dcom", LOGGED_ON, "Medium"),
    "wmiprvse": Process(windows_binary("WmiPrvSE.exe", "Wmiprvse.exe", "WMI Provider Host",
                                       "C:\\Windows\\System32\\wbem\\"),
                        r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
                        "svchost-dcom", NETWORK_SERVICE, "System"),
    "taskhostw": Process(windows_binary("taskhostw.exe", "taskhostw.exe", "Host Process for Windows Tasks"),
                         r"taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", "svchost-schedule",
                         LOGGED_ON, "Medium"),
    "explorer": Process(windows_binary("explorer.exe", "EXPLORER.EXE", "Windows Explorer", "C:\\Windows\\"),
                        r"C:\Windows\Explorer.EXE", "userinit", LOGGED_ON, "Medium"),
    "cmd": Process(windows_binary("cmd.exe", "Cmd.Exe", "Windows Command Processor"),
                   r'"C:\Windows\system32\cmd.exe"', "explorer", LOGGED_ON, "Medium", "%USERPROFILE%\\"),
    "conhost": Process(windows_binary("conhost.exe", "CONHOST.EXE", "Console Window Host"),
                       r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1", "cmd", LOGGED_ON, "Medium"),
    "chrome": Process(CHROME, f'"{CHROME.path}"', "explorer", LOGGED_ON, "Medium", CHROME_DIRECTORY),
    "chrome-renderer": Process(CHROME, f'"{CHROME.path}" --type=renderer --lang=en-US --device-scale-factor=1 '
                                       "--num-raster-threads=4 --renderer-client-id=9 "
                                       "--field-trial-handle=1980,i,14795216386393428186 /prefetch:1",
                               "chrome", LOGGED_ON, "Low", CHROME_DIRECTORY),
    "outlook": Process(OUTLOOK, f'"{OUTLOOK.path}"', "explorer", LOGGED_ON, "Medium",
                       "C:\\Program Files\\Microsoft Office\\root\\Office16\\"),
    "teams": Process(TEAMS, f'"{TEAMS.path}" msteams:system-initiated', "explorer", LOGGED_ON, "Medium"),
    "onedrive": Process(ONEDRIVE, f'"{ONEDRIVE.path}" /background', "explorer", LOGGED_ON, "Medium",
                        "%USERPROFILE%\\AppData\\Local\\Microsoft\\OneDrive\\"),
}
EVENT_PROCESSES = [name for name, p in PROCESSES.items() if p.parent]

# What the processes touch, each with the process that does.
REGISTRY = [  # (process, value, data); a key event takes the value's key
    ("explorer", r"HKU\%SID%\Software\Microsoft\Windows\CurrentVersion\Explorer\UserAssist"
                 r"\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\Count\HRZR_PGYFRFFVBA", "Binary Data"),
    ("explorer", r"HKU\%SID%\Software\Microsoft\Windows\CurrentVersion\Explorer\Advanced\TaskbarAl",
     "DWORD (0x00000000)"),
    ("svchost-dcom", r"HKLM\System\CurrentControlSet\Services\bam\State\UserSettings\%SID%"
                     r"\\Device\HarddiskVolume3\Program Files\Google\Chrome\Application\chrome.exe", "Binary Data"),
    ("svchost-dhcp", r"HKLM\System\CurrentControlSet\Services\Tcpip\Parameters\Interfaces"
                     r"\{6B2B4C1E-5D3A-4F0B-9E2C-3A1D8F7E6C5B}\DhcpIPAddress", "10.1.4.23"),
    ("chrome", r"HKU\%SID%\Software\Google\Chrome\BLBeacon\version", "124.0.6367.91"),
    ("outlook", r"HKU\%SID%\Software\Microsoft\Office\16.0\Common\General\ShownFirstRunOptin", "DWORD (0x00000001)"),
    ("outlook", r"HKU\%SID%\Software\Microsoft\Office\16.0\Outlook\Preferences\PreviewMarkMessage",
     "DWORD (0x00000001)"),
    ("teams", r"HKU\%SID%\Software\Microsoft\Office\Teams\LoggedInOnce", "DWORD (0x00000001)"),
    ("onedrive", r"HKU\%SID%\Software\Microsoft\OneDrive\Accounts\Business1\LastSignInTime", "DWORD (0x66238a11)"),
]
FILES = [  # (process, file)
    ("chrome", r"%USERPROFILE%\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_00a3c1"),
    ("chrome", r"%USERPROFILE%\Downloads\report-q3.pdf"),
    ("outlook", r"%USERPROFILE%\AppData\Local\Microsoft\Outlook\RoamCache\Stream_Autocomplete_0_5B3F6C0A2D1E4F8B.dat"),
    ("svchost-sysmain", r"C:\Windows\Prefetch\CHROME.EXE-5349D4D3.pf"),
    ("onedrive", r"%USERPROFILE%\AppData\Local\Microsoft\OneDrive\logs\Business1"
                 r"\SyncEngine-2026-04-20.0800.4512.1.odl"),
    ("teams", r"%USERPROFILE%\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs"
              r"\MSTeams_2026-04-20.log"),
    ("searchindexer", r"C:\ProgramData\Microsoft\Search\Data\Applications\Windows\GatherLogs\SystemIndex"
                      r"\SystemIndex.12.gthr"),
    ("explorer", r"%USERPROFILE%\Documents\budget-2026.xlsx"),
]
CONNECTIONS = [  # (process, host name, address, port)
    ("chrome", "www.google.com", "142.250.185.68", 443),
    ("outlook", "outlook.office365.com", "52.97.146.2", 443),
    ("teams", "teams.microsoft.com", "52.113.194.132", 443),
    ("onedrive", "corp-my.sharepoint.com", "13.107.136.10", 443),
    ("svchost-dnscache", "dc01.corp.example", "10.1.0.10", 53),
    ("svchost-schedule", "ctldl.windowsupdate.com", "93.184.221.240", 80),
]
PIPES = [("chrome", r"\mojo.6120.10424.16342716402735497810"), ("teams", r"\mojo.7788.5516.2290143817164590542"),
         ("outlook", r"\Winsock2\CatalogChangeListener-2f4-0")]
MODULES = [windows_binary("kernelbase.dll", "Kernelbase.dll", "Windows NT BASE API Client DLL"),
           windows_binary("combase.dll", "COMBASE.DLL", "Microsoft COM for Windows"),
           windows_binary("user32.dll", "user32", "Multi-User Windows USER API Client DLL"),
           windows_binary("crypt32.dll", "CRYPT32.DLL", "Crypto API32"),
           windows_binary("uxtheme.dll", "UxTheme.dll", "Microsoft UxTheme Library"),
           windows_binary("profapi.dll", "profapi.dll", "User Profile Basic API")]
SERVICES = [  # (name, image path)
    ("edgeupdate", r'"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /svc'),
    ("GoogleUpdaterService",
     r'"C:\Program Files (x86)\Google\GoogleUpdater\125.0.6422.142\updater.exe" --system --windows-service'),
]
TASKS = [  # (name, command, arguments)
    (r"\Microsoft\Windows\Defrag\ScheduledDefrag", r"%windir%\system32\defrag.exe", "-c -h -o -$"),
    (r"\Microsoft\Office\Office Automatic Updates 2.0",
     r"C:\Program Files\Common Files\Microsoft Shared\ClickToRun\OfficeC2RClient.exe",
     "/frequentupdate SCHEDULEDTASK displaylevel=False"),
    (r"\MicrosoftEdgeUpdateTaskMachineUA", r"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe",
     "/ua /installsource scheduler"),
]
TASK_XML = ('<?xml version="1.0" encoding="UTF-16"?>\r\n'
            '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\r\n'
            "  <RegistrationInfo>\r\n    <URI>{}</URI>\r\n  </RegistrationInfo>\r\n"
            '  <Actions Context="Author">\r\n    <Exec>\r\n      <Command>{}</Command>\r\n'
            "      <Arguments>{}</Arguments>\r\n    </Exec>\r\n  </Actions>\r\n</Task>")
COMMANDLETS = [r"Get-ChildItem -Path $env:USERPROFILE\Documents -Filter *.docx", "Get-Culture",
               "Get-Service | Where-Object {$_.Status -eq 'Running'}", "Get-Date -Format yyyy-MM-dd"]
POWERSHELL = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
WMI_OPERATIONS = [r"Start IWbemServices::ExecQuery - root\cimv2 : SELECT * FROM Win32_OperatingSystem",
                  r"Start IWbemServices::GetObject - root\StandardCimv2 : MSFT_NetAdapter",
                  r"Start IWbemServices::ExecQuery - root\cimv2 : SELECT Name FROM Win32_Processor"]
GROUP_POLICY = r"corp.example\Policies\{31B2F340-016D-11D2-945F-00C04FB984F9}\GPT.INI"  # read over \\*\SYSVOL
SYSMON_CONFIG = r"C:\ProgramData\Sysmon\sysmonconfig.xml"
HEX_DIGITS = {"MD5": 32, "SHA1": 40, "SHA256": 64, "IMPHASH": 32}


def internal_address(rnd):
    return "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))


@functools.lru_cache(maxsize=None)
def file_hashes(template, path):
    """Hashes of the file at path in the template's format
    ("SHA1=...,MD5=..."): made up, but the same for the same file."""
    out = []
    for algorithm in (part.split("=", 1)[0] for part in template.split(",")):
        digest = hashlib.sha256(f"{algorithm}:{path}".encode()).hexdigest()
        out.append(f"{algorithm}={digest[:HEX_DIGITS.get(algorithm, 32)].upper()}")
    return ",".join(out)


def benign_values(data, host, rnd):
    """Benign values, coherent with one another, for the fields data may
    hold: a user on host, a process with its parent, and what the process
    touches."""
    domain, name, sid = rnd.choice(USERS)
    account = domain + "\\" + name
    computer = host.split(".")[0].upper()

    def personal(text):
        return text.replace("%USERPROFILE%", "C:\\Users\\" + name).replace("%SID%", sid)

    v = {"RuleName": "-", "SubjectUserSid": sid, "SubjectUserName": name, "SubjectDomainName": domain,
         "TargetUserName": name, "TargetDomainName": domain, "UserName": account, "IpAddress": internal_address(rnd),
         "WorkstationName": computer, "ClientMachine": computer, "FQDN": host,
         "ShareName": r"\\*\SYSVOL", "RelativeTargetName": GROUP_POLICY,
         "HostApplication": POWERSHELL, "ContextInfo": f"Severity = Informational\r\nHost Name = ConsoleHost\r\n"
                                                       f"Host Application = {POWERSHELL}\r\nUser = {account}\r\n",
         "Configuration": SYSMON_CONFIG}

    actor = None  # the process that touches the event's object, if it has one
    if "TargetObject" in data:
        actor, target, details = rnd.choice(REGISTRY)
        if data.get("EventType") in ("CreateKey", "DeleteKey"):
            target = target.rsplit("\\", 1)[0]
        v.update(TargetObject=personal(target), Details=details)
    elif "TargetFilename" in data or "ObjectName" in data:
        actor, path = rnd.choice(FILES)
        v.update(TargetFilename=personal(path), ObjectName=personal(path))
    elif "PipeName" in data:
        actor, v["PipeName"] = rnd.choice(PIPES)
    elif data.keys() & {"DestinationIp", "DestinationHostname", "QueryName"}:
        actor, hostname, address, port = rnd.choice(CONNECTIONS)
        v.update(DestinationHostname=hostname, DestinationIp=address, DestinationPort=port,
                 QueryName=hostname, QueryResults=f"::ffff:{address};")

    process = PROCESSES[actor or rnd.choice(EVENT_PROCESSES)]
    parent = PROCESSES[process.parent]
    image = personal(process.binary.path)
    v.update(Image=image, NewProcessName=image, ProcessName=image, SourceImage=image,
             CommandLine=personal(process.command_line), CurrentDirectory=personal(process.directory),
             IntegrityLevel=process.integrity, User=process.user or account, SourceUser=process.user or account,
             ParentImage=personal(parent.binary.path), ParentProcessName=personal(parent.binary.path),
             ParentCommandLine=personal(parent.command_line), ParentUser=parent.user or account)
    if "TargetImage" in data:  # process access, remote threads
        target = PROCESSES[rnd.choice(EVENT_PROCESSES)]
        v.update(TargetImage=personal(target.binary.path), TargetUser=target.user or account,
                 CallTrace=rf"C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e"
                           rf"|{image}+1a2b3")

    binary = rnd.choice(MODULES) if "ImageLoaded" in data else process.binary  # what the version fields describe
    v.update(ImageLoaded=binary.path, OriginalFileName=binary.original_name, Description=binary.description,
             Product=binary.product, Company=binary.company, FileVersion=binary.version,
             Signed="true", Signature=binary.signer, SignatureStatus="Valid")
    if "Hashes" in data:
        v["Hashes"] = file_hashes(data["Hashes"], personal(binary.path))
    if "ConfigurationFileHash" in data:
        v["ConfigurationFileHash"] = file_hashes(data["ConfigurationFileHash"], SYSMON_CONFIG)

    if data.keys() & {"ServiceName", "ImagePath", "ServiceFileName"}:
        service, path = rnd.choice(SERVICES)
        v.update(ServiceName=service, ImagePath=path, ServiceFileName=path)
    if "TaskName" in data:
        task = rnd.choice(TASKS)
        v.update(TaskName=task[0], TaskContent=TASK_XML.format(*task))
    if "ScriptBlockText" in data or "Payload" in data:
        script = rnd.choice(COMMANDLETS)
        commandlet = script.split()[0]
        v.update(ScriptBlockText=script, Payload=f'CommandInvocation({commandlet}): "{commandlet}"')
    if "Operation" in data:
        v["Operation"] = rnd.choice(WMI_OPERATIONS)
    return v


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


def event_data(e):
    """The event's data fields: EventData, or the record UserData holds
    (WMI-Activity and others), or None."""
    data = e["Event"].get("EventData")
    if isinstance(data, dict):
        return data
    user_data = e["Event"].get("UserData")
    if isinstance(user_data, dict):
        return next((v for v in user_data.values() if isinstance(v, dict)), None)
    return None


def vary(ev, rnd, t, record, malicious):
    e = json.loads(json.dumps(ev))  # a deep copy
    sysd = e["Event"].setdefault("System", {})
    data = event_data(e)
    if data is None:
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
        data["SourceIp"] = internal_address(rnd)
    if not malicious:
        host = rnd.choice(HOSTS)
        if "Computer" in sysd:
            sysd["Computer"] = host
        benign = benign_values(data, host, rnd)
        for k in data.keys() & benign.keys():
            data[k] = benign[k]
    return e


def flatten(e):
    """The flat layout: System's fields (attributes as Provider_Name,
    SystemTime...) and the data fields side by side."""
    sysd = e["Event"].get("System", {})
    out = {}
    for k, v in sysd.items():
        if isinstance(v, dict):
            for ak, av in (v.get("#attributes") or {}).items():
                out[k + "_" + ak if k != "TimeCreated" else ak] = av
        else:
            out[k] = v
    for k, v in (event_data(e) or {}).items():
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
