"""The benchmark driver behind `scripts/bench`: runs every measurement against the moto emulator
given, each beside its peer in the same run, and prints the results as Markdown.

  bench.py --iamwiz PATH --endpoint URL --root DIR [--reps N] [--quick] [--only SECTION ...]
           [--markdown FILE] [--json FILE]

Sections: search, startup, catalogue, creation (which includes the round trips). Standard library
only (the peers import boto3 in processes of their own).
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_proxy import BlackHole, DelayProxy, closed_port_endpoint, sequential_round_trips  # noqa: E402
from bench_pty import Pty  # noqa: E402

LIB = os.path.dirname(os.path.abspath(__file__))
SECTIONS = ["search", "startup", "catalogue", "creation", "throttled"]

# The creation benchmark's shared options: a boundary, 3 tags, a console password with reset,
# an access key, 2 groups, 3 managed policies and 1 inline policy.
GROUPS = ["bench-developers", "bench-deployers"]
POLICIES = ["bench-read-reports", "bench-deploy", "bench-billing"]
BOUNDARY = "bench-boundary"
INLINE = {
    "name": "bench-inline",
    "document": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
    },
}
ACCOUNT = "123456789012"  # moto's


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# --- statistics and formatting -------------------------------------------------------------


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def ms(s, digits=None):
    """A duration in seconds, as milliseconds with sensible precision."""
    v = s * 1000
    if digits is None:
        digits = 2 if v < 10 else 1 if v < 100 else 0
    return f"{v:,.{digits}f}"


def fmt_ms(st):
    if st is None:
        return "—"
    if st["n"] == 1:
        return f"{ms(st['median'])} ms"
    return f"{ms(st['median'])} ms ({ms(st['min'])}–{ms(st['max'])})"


def fmt_mib(st):
    if st is None:
        return "—"
    f = lambda kib: f"{kib / 1024:.1f}"  # noqa: E731
    if st["n"] == 1:
        return f"{f(st['median'])} MiB"
    return f"{f(st['median'])} MiB ({f(st['min'])}–{f(st['max'])})"


def ratio(a, b):
    """a/b of two stats' medians, as `N.NNx`."""
    if a is None or b is None or not b["median"]:
        return "—"
    r = a["median"] / b["median"]
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def met(ok):
    return "**met**" if ok else "**not met**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- processes -----------------------------------------------------------------------------


class Env:
    """The environment every measured process gets: a temporary HOME with XDG directories, no
    AWS config files, moto's dummy credentials (unless asked not to), and `.venv/bin` on PATH."""

    def __init__(self, root, endpoint):
        self.root = root
        self.endpoint = endpoint
        self.tmp = tempfile.mkdtemp(prefix="iamwiz-bench.")

    def home(self, name):
        home = os.path.join(self.tmp, name)
        for d in ("config", "data", "cache", "state"):
            os.makedirs(os.path.join(home, d), exist_ok=True)
        return home

    def make(self, home, credentials=True, endpoint=None):
        env = {
            "PATH": os.path.join(self.root, ".venv", "bin") + ":/usr/local/bin:/usr/bin:/bin",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "XDG_DATA_HOME": os.path.join(home, "data"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        if credentials:
            env.update(
                {
                    "AWS_CONFIG_FILE": os.path.join(home, "no-aws-config"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-aws-credentials"),
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_REGION": "us-east-1",
                    "AWS_DEFAULT_REGION": "us-east-1",
                    "AWS_PAGER": "",
                }
            )
        if endpoint:
            env["AWS_ENDPOINT_URL"] = endpoint
        return env

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def timed(argv, env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, cwd=None, check=True):
    """Runs `argv` to its end: (wall seconds, peak RSS in KiB, CPU seconds)."""
    started = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, stdin=stdin, cwd=cwd)
    # wait4 gives this child's own rusage (peak RSS, CPU), which Popen.wait does not.
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - started
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}… exited {p.returncode}:\n{err[-2000:]}")
    return wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime


def peak_rss(argv, env, cwd=None):
    """Peak RSS (KiB) of `argv` run to its end, from GNU time's `%M`. A process forked from this
    (large) Python process would count this process's pages as its own until its exec; GNU time is
    small."""
    out = os.path.join(tempfile.mkdtemp(prefix="iamwiz-bench-time."), "rss")
    timed(["/usr/bin/time", "-f", "%M", "-o", out] + argv, env, cwd=cwd)
    with open(out) as f:
        kib = int(f.read().split()[-1])
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    return kib


# --- search --------------------------------------------------------------------------------


def bench_search(args, results):
    log("search: cargo bench --bench picker")
    out = subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "picker"],
        cwd=args.root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"bench: (\S+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", line)
        if m:
            found[m.group(1)] = {
                "median": float(m.group(2)),
                "p99": float(m.group(3)),
                "max": float(m.group(4)),
                "n": int(m.group(5)),
            }
    results["search"] = found
    log(out)


def report_search(results):
    s = results.get("search")
    if not s:
        return None
    k = s["keystroke"]
    rows = []
    for id_, what in [
        ("keystroke", "iamwiz: a keystroke through `update` (refilter + rank 1,500)"),
        ("substring", "peer: plain case-insensitive substring filter"),
        ("nucleo", "peer: bare nucleo `Pattern::match_list` (fuzzy, sorted)"),
        ("frame", "iamwiz: draw the Policies pane (80x24, highlights)"),
    ]:
        v = s[id_]
        r = {"keystroke": "1.00x", "frame": "(not a peer)"}.get(id_, f"{v['median'] / k['median']:.2f}x")
        rows.append(
            [what, f"{v['median']:.0f} µs", f"{v['p99']:.0f} µs", f"{v['max']:.0f} µs", r]
        )
    ok = k["p99"] < 1000
    return "\n\n".join(
        [
            "### Search: fuzzy filtering of 1,500 policy names\n\n"
            f"{k['n']} keystrokes (5 queries typed letter by letter, cleared between). Ratio: "
            "the peer's median divided by iamwiz's median keystroke (above 1: iamwiz is faster).",
            table(["what", "median", "p99", "max", "this / iamwiz keystroke"], rows),
            f"Target: under 1 ms per keystroke — {met(ok)} (p99 {k['p99']:.0f} µs, max "
            f"{k['max']:.0f} µs). Preparing the 1,500 names when the catalogue arrives: "
            f"{s['prepare']['median']:.0f} µs, once.\n\n"
            "Command: `cargo bench --bench picker`",
        ]
    )


# --- start-up ------------------------------------------------------------------------------


def first_frame(argv, env, cwd):
    """Starts the wizard in a pty: (seconds to the first drawn User details frame, seconds from
    Ctrl-C to exit)."""
    with Pty(argv, env, cwd=cwd) as p:
        t = p.wait_for("Step 1 of 6", timeout=20)
        q0 = p.elapsed()
        p.finish(b"\x03", timeout=10)
        quit_s = p.elapsed() - q0
        if p.status is None or not os.WIFEXITED(p.status):
            raise RuntimeError(f"iamwiz did not exit after Ctrl-C (status {p.status})")
    return t, quit_s


def top_first_frame(env, cwd):
    with Pty(["/usr/bin/top"], env, cwd=cwd) as p:
        t = p.wait_for("load average", timeout=20)
        p.finish(b"q", timeout=5)
    return t


def bench_startup(args, results, env):
    reps = 3 if args.quick else max(args.reps * 3, 15)
    blackhole = BlackHole()
    closed = closed_port_endpoint()
    iamwiz = args.iamwiz
    aws = os.path.join(args.root, ".venv", "bin", "aws")
    cases = {
        "nocreds": ([iamwiz], False),
        "blackhole": ([iamwiz, "--endpoint-url", blackhole.endpoint], True),
        "closed": ([iamwiz, "--endpoint-url", closed], True),
        "moto": ([iamwiz, "--endpoint-url", args.endpoint], True),
    }
    data = {k: [] for k in cases}
    quits = {k: [] for k in cases}
    peers = {"aws_version": [], "iamwiz_version": [], "top": []}
    log(f"startup: {reps} repetitions")
    for _ in range(reps):
        for name, (argv, creds) in cases.items():
            home = env.home(f"startup-{uuid.uuid4().hex[:8]}")
            t, q = first_frame(argv, env.make(home, credentials=creds), home)
            data[name].append(t)
            quits[name].append(q)
        home = env.home("startup-peers")
        e = env.make(home)
        peers["aws_version"].append(timed([aws, "--version"], e)[0])
        peers["iamwiz_version"].append(timed([iamwiz, "--version"], e)[0])
        if os.path.exists("/usr/bin/top"):
            peers["top"].append(top_first_frame(e, home))
    blackhole.close()
    results["startup"] = {
        "first_frame": {k: stats(v) for k, v in data.items()},
        "quit": {k: stats(v) for k, v in quits.items()},
        "peers": {k: stats(v) for k, v in peers.items()},
    }


def report_startup(results):
    s = results.get("startup")
    if not s:
        return None
    ff, q, peers = s["first_frame"], s["quit"], s["peers"]
    aws = peers["aws_version"]
    rows = []
    for key, what in [
        ("nocreds", "iamwiz, no credentials (empty HOME, no `AWS_*`)"),
        ("blackhole", "iamwiz, endpoint accepts and never answers"),
        ("closed", "iamwiz, endpoint port closed"),
        ("moto", "iamwiz, moto reachable (for comparison)"),
    ]:
        rows.append([what, fmt_ms(ff[key]), fmt_ms(q[key]), ratio(aws, ff[key]),
                     ratio(peers.get("top"), ff[key])])
    rows.append(["peer: `aws --version` (process exit)", fmt_ms(aws), "", "", ""])
    if peers.get("top"):
        rows.append(["peer: `top` (first frame: `load average` on screen)", fmt_ms(peers["top"]), "", "", ""])
    rows.append(["floor: `iamwiz --version` (process exit)", fmt_ms(peers["iamwiz_version"]), "", "", ""])
    worst = max(ff[k]["median"] for k in ("nocreds", "blackhole", "closed"))
    n = ff["nocreds"]["n"]
    return "\n\n".join(
        [
            "### Start-up: process start to the first drawn frame\n\n"
            "From just before the fork to the moment the User details screen (`Step 1 of 6`) is on "
            "the emulated 80x24 screen of a pseudo-terminal; median (min–max) of "
            f"{n} starts each, the cases taking turns. Quit: from Ctrl-C to the process's exit. "
            "Ratios: the peer's time / iamwiz's first frame (above 1: iamwiz is faster).",
            table(["what", "first frame", "quit", "`aws --version` / this", "`top` / this"], rows),
            f"Target: under 50 ms with no credentials and with an unreachable endpoint — "
            f"{met(worst < 0.050)} (worst median {ms(worst)} ms).\n\n"
            "Command: `scripts/bench --only startup`",
        ]
    )


# --- catalogue (first and second start) and memory -----------------------------------------



def row_visible(screen, name):
    return any(
        line.lstrip("│ ›").startswith(f"[ ] {name} ") or line.lstrip("│ ›").rstrip("│ ") == f"[ ] {name}"
        for line in screen.splitlines()
    )


def to_policies(p):
    """From a fresh start to the Policies pane of the Permissions step."""
    p.wait_for("Step 1 of 6")
    p.send("benchcatalogue")
    p.wait_for("benchcatalogue")
    p.send("\r")
    p.wait_for("Step 2 of 6")
    p.send("\r")
    p.wait_for("Step 3 of 6")
    p.send("\x1b[C\x1b[C")  # → Copy from user → Policies
    p.wait_until("the Policies pane", lambda s: "Ctrl-T" in s or "^T type" in s)


def catalogue_run(args, env, home, endpoint, first_name, last_name=None, proxy=None):
    """One start of the wizard: seconds to `first_name` listed in the Policies pane; with
    `last_name`, then filters to it and returns the peak RSS (KiB) with the whole catalogue in.
    With `proxy` (the endpoint's), also the seconds to the end of the live read of the catalogue
    (its last `ListPolicies` answered, the wizard still running), or None if it made none."""
    argv = [args.iamwiz, "--endpoint-url", endpoint]
    if proxy:
        proxy.take_log()
    with Pty(argv, env.make(home), cwd=home) as p:
        to_policies(p)
        t = p.wait_until(f"{first_name} in the Policies pane", lambda s: row_visible(s, first_name), 120)
        refreshed = None
        if proxy:
            # The live read: ListPolicies requests until one comes back without a marker (its
            # last page); wait for the log to stop growing.
            deadline = time.perf_counter() + 30
            seen, quiet_since = -1, time.perf_counter()
            while time.perf_counter() < deadline:
                p.pump(0.05)
                n = sum(1 for e in proxy.log if e[2] == "ListPolicies")
                if n != seen:
                    seen, quiet_since = n, time.perf_counter()
                elif n and time.perf_counter() - quiet_since > 3 * proxy.delay + 0.3:
                    break
            ends = [e[1] for e in proxy.log if e[2] == "ListPolicies"]
            refreshed = (max(ends) - p.started) if ends else None
        # The catalogue is saved once it is read live; give the first start the time to save it.
        cache = os.path.join(home, "cache", "iamwiz")
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and not (os.path.isdir(cache) and os.listdir(cache)):
            p.pump(0.05)
        cached = os.path.isdir(cache) and bool(os.listdir(cache))
        rss = None
        if last_name:
            p.send(last_name)
            p.wait_until(f"{last_name} in the Policies pane", lambda s: row_visible(s, last_name), 60)
            deadline = time.perf_counter() + 1
            while time.perf_counter() < deadline:
                p.pump(0.05)
            rss = p.hwm_kib()
        p.send("\x03")
        try:
            p.wait_for("Quit iamwiz?", timeout=5)
            p.finish(b"y")
        except (TimeoutError, RuntimeError):
            p.finish(b"")
    if proxy:
        return t, rss, cached, refreshed
    return t, rss, cached


def catalogue_names(env, endpoint):
    out = subprocess.run(
        [sys.executable, os.path.join(LIB, "bench_boto3.py"), "list-policies"],
        env=env.make(env.home("names"), endpoint=endpoint), check=True, capture_output=True,
    ).stdout
    return [p["PolicyName"] for p in json.loads(out)]


def bench_catalogue(args, results, env):
    reps = 1 if args.quick else args.reps
    names = catalogue_names(env, args.endpoint)
    ordered = sorted(names, key=str.lower)
    first_name, last_name = "AdministratorAccess", ordered[-1]
    log(f"catalogue: {len(names)} policies, {reps} repetitions")
    proxy = DelayProxy(args.endpoint.removeprefix("http://").rstrip("/"), args.slow_ms / 1000)
    d = {k: [] for k in ("first", "second", "slow_first", "slow_second", "rss", "slow_first_live",
                         "slow_second_live")}
    cached = []
    peers = {k: [] for k in ("aws_time", "aws_rss", "boto3_time", "boto3_rss")}
    aws = os.path.join(args.root, ".venv", "bin", "aws")
    for _ in range(reps):
        home = env.home(f"catalogue-{uuid.uuid4().hex[:8]}")
        t, rss, c = catalogue_run(args, env, home, args.endpoint, first_name, last_name)
        d["first"].append(t)
        d["rss"].append(rss)
        cached.append(c)
        d["second"].append(catalogue_run(args, env, home, args.endpoint, first_name)[0])
        home = env.home(f"catalogue-slow-{uuid.uuid4().hex[:8]}")
        t, _, _, done = catalogue_run(args, env, home, proxy.endpoint, first_name, proxy=proxy)
        d["slow_first"].append(t)
        d["slow_first_live"].append(done)
        t, _, _, done = catalogue_run(args, env, home, proxy.endpoint, first_name, proxy=proxy)
        d["slow_second"].append(t)
        d["slow_second_live"].append(done)
        e = env.make(env.home("catalogue-peers"), endpoint=args.endpoint)
        for peer, argv in [
            ("aws", [aws, "iam", "list-policies", "--scope", "All", "--page-size", "1000"]),
            ("boto3", [sys.executable, os.path.join(LIB, "bench_boto3.py"), "list-policies"]),
        ]:
            peers[f"{peer}_time"].append(timed(argv, e)[0])
            peers[f"{peer}_rss"].append(peak_rss(argv, e))
    proxy.close()
    results["catalogue"] = {
        "policies": len(names),
        "aws_managed": None,
        "first_name": first_name,
        "last_name": last_name,
        "cache_written": all(cached),
        "slow_ms": args.slow_ms,
        **{k: stats(v) for k, v in d.items()},
        **{k: stats(v) for k, v in peers.items()},
    }


def report_catalogue(results):
    c = results.get("catalogue")
    if not c:
        return None
    n = c["first"]["n"]
    rows = [
        ["iamwiz, first start (empty cache)", fmt_ms(c["first"]), fmt_ms(c["slow_first"]),
         ratio(c["aws_time"], c["first"]), ratio(c["boto3_time"], c["first"])],
        ["iamwiz, second start (the cache the first left)", fmt_ms(c["second"]), fmt_ms(c["slow_second"]),
         ratio(c["aws_time"], c["second"]), ratio(c["boto3_time"], c["second"])],
        ["peer: `aws iam list-policies --scope All --page-size 1000`", fmt_ms(c["aws_time"]), "", "", ""],
        ["peer: boto3 script, paginated `list_policies` (1,000 a page)", fmt_ms(c["boto3_time"]), "", "", ""],
    ]
    if c.get("slow_second_live"):
        rows.append(["iamwiz, live read of the catalogue done (first / second start)", "",
                     f"{fmt_ms(c['slow_first_live'])} / {fmt_ms(c['slow_second_live'])}", "", ""])
    second_fast = c["second"]["median"] < 0.5 * c["first"]["median"] and c["cache_written"]
    refreshed = bool(c.get("slow_second_live"))
    cache_note = (
        "The first start wrote its cache file under `$XDG_CACHE_HOME/iamwiz/`."
        if c["cache_written"]
        else "**No cache file was written** under `$XDG_CACHE_HOME/iamwiz/`: this build has no disk "
        "cache yet, so the second start reads the catalogue live like the first."
    )
    mem_rows = [
        ["iamwiz wizard, whole catalogue loaded and filtered in the Policies pane", fmt_mib(c["rss"]), ""],
        ["peer: `aws iam list-policies --scope All --page-size 1000`", fmt_mib(c["aws_rss"]),
         ratio(c["aws_rss"], c["rss"])],
        ["peer: boto3 script, paginated `list_policies`", fmt_mib(c["boto3_rss"]), ratio(c["boto3_rss"], c["rss"])],
    ]
    return "\n\n".join(
        [
            "### Catalogue: first start and second start\n\n"
            f"The catalogue is moto's full list: {c['policies']:,} policies (moto's AWS managed "
            "policies and the benchmark's customer policies). Time from just before the fork to "
            f"`{c['first_name']}` listed in the Policies pane (the wizard is driven there through "
            "User details and Access type as soon as each screen shows); median (min–max) of "
            f"{n} runs. Slow endpoint: a proxy holding every request {c['slow_ms']} ms. Peers: the "
            "whole catalogue read by a process of its own, same page size, against moto directly. "
            "Ratios (moto): the peer's time / iamwiz's (above 1: iamwiz shows it sooner).",
            table(["what", "moto", f"moto + {c['slow_ms']} ms a request", "`aws` / this",
                   "boto3 / this"], rows),
            f"{cache_note} "
            + ("The second start still read the catalogue live (its `ListPolicies` requests "
               "went through the proxy after the cached list was shown): the refresh row. "
               if refreshed else "The second start made no `ListPolicies` request while it ran. ")
            + "Target: the second start shows the catalogue at once and refreshes it in the "
            f"background — {met(second_fast and refreshed)}.\n\n"
            "Command: `scripts/bench --only catalogue`",
            "### Memory: peak RSS with the whole catalogue loaded\n\n"
            "The wizard's peak resident set (`VmHWM` in `/proc/PID/status`, read a second "
            f"after the {c['policies']:,}-policy catalogue is listed and filtered to its last "
            f"name (`{c['last_name']}`) and the cache file is written); the peers' peak RSS from GNU "
            f"`time -f %M` for a process that reads the same catalogue; median (min–max) of {n} "
            "runs. Ratio: the peer's / iamwiz's (above 1: iamwiz uses less).",
            table(["what", "peak RSS", "this / iamwiz"], mem_rows),
            f"Target: under 40 MB (38.1 MiB) — {met(c['rss']['max'] < 40 * 1000 * 1000 / 1024)} "
            f"(largest {c['rss']['max'] / 1024:.1f} MiB).\n\n"
            "Command: `scripts/bench --only catalogue`",
        ]
    )


# --- creation and round trips --------------------------------------------------------------


def setup_account(env, endpoint):
    """The groups, policies and boundary the plan names, and a password policy that lets users
    change their own password (so iamwiz attaches nothing beyond the plan)."""
    home = env.home("setup")
    path = os.path.join(home, "plan.json")
    with open(path, "w") as f:
        json.dump(plan_for(["setup"]), f)
    subprocess.run([sys.executable, os.path.join(LIB, "bench_boto3.py"), "setup", path],
                   env=env.make(home, endpoint=endpoint), check=True)


def plan_for(users):
    return {
        "version": 1,
        "users": users,
        "path": "/",
        "access_key": True,
        "console_password": {"require_reset": True},
        "groups": GROUPS,
        "managed_policies": [f"arn:aws:iam::{ACCOUNT}:policy/{p}" for p in POLICIES],
        "inline_policies": [INLINE],
        "permissions_boundary": f"arn:aws:iam::{ACCOUNT}:policy/{BOUNDARY}",
        "tags": [
            {"key": "team", "value": "bench"},
            {"key": "cost-centre", "value": "1234"},
            {"key": "owner", "value": "benchmarks"},
        ],
    }


class Creator:
    """Creates a plan's users with one of the three tools, each a process of its own."""

    def __init__(self, args, env):
        self.args, self.env = args, env
        self.dir = env.home("creation")
        self.aws = os.path.join(args.root, ".venv", "bin", "aws")

    def _plan(self, users):
        path = os.path.join(self.dir, f"plan-{users[0]}.json")
        with open(path, "w") as f:
            json.dump(plan_for(users), f)
        return path

    def run(self, tool, users, endpoint):
        plan = self._plan(users)
        e = self.env.make(self.dir, endpoint=endpoint)
        if tool == "iamwiz":
            csv = os.path.join(self.dir, f"secrets-{users[0]}.csv")
            argv = [self.args.iamwiz, "--endpoint-url", endpoint, "apply", plan, "--csv", csv]
        elif tool == "boto3":
            argv = [sys.executable, os.path.join(LIB, "bench_boto3.py"), "create", plan]
        else:
            # The AWS CLI sequence is the one `iamwiz apply --dry-run` prints for the same plan.
            script = os.path.join(self.dir, f"cli-{users[0]}.sh")
            commands = subprocess.run(
                [self.args.iamwiz, "apply", plan, "--dry-run"], check=True, capture_output=True, text=True
            ).stdout
            with open(script, "w") as f:
                f.write("set -e\n" + commands)
            e["IAMWIZ_PASSWORD"] = "Bench-Passw0rd!x"
            argv = ["/bin/bash", script]
        wall, rss, cpu = timed(argv, e, cwd=self.dir)
        if tool == "iamwiz":
            os.remove(csv)
        return wall, cpu


TOOLS = ["iamwiz", "boto3", "cli"]
TOOL_NAMES = {
    "iamwiz": "`iamwiz apply` (checks, then the engine)",
    "boto3": "boto3 script, calls one after another",
    "cli": "AWS CLI, one `aws` process per call",
}


def bench_creation(args, results, env):
    setup_account(env, args.endpoint)
    tag = uuid.uuid4().hex[:6]
    creator = Creator(args, env)
    reps = 1 if args.quick else args.reps
    cli_reps = 1 if args.quick else args.cli_reps
    walls = {(t, n): [] for t in TOOLS for n in (1, 10)}
    cpus = {(t, n): [] for t in TOOLS for n in (1, 10)}
    counter = 0

    def users(tool, n):
        nonlocal counter
        counter += 1
        return [f"b{tag}-{tool[:2]}{counter}-{i}" for i in range(n)]

    log(f"creation: {reps} repetitions ({cli_reps} for the AWS CLI)")
    # Warm-up (not counted): moto's first requests are slower.
    creator.run("iamwiz", users("iamwiz", 1), args.endpoint)
    creator.run("boto3", users("boto3", 1), args.endpoint)
    for r in range(reps):
        # The tools take turns, starting with a different one each repetition, so that a drift
        # in the machine's load falls on all of them.
        order = TOOLS[r % 3 :] + TOOLS[: r % 3]
        for n in (1, 10):
            for tool in order:
                if tool == "cli" and r >= cli_reps:
                    continue
                wall, cpu = creator.run(tool, users(tool, n), args.endpoint)
                walls[(tool, n)].append(wall)
                cpus[(tool, n)].append(cpu)
                log(f"  {tool:6} {n:2} users: {wall * 1000:8.0f} ms")

    # Round trips: the same runs through a proxy that holds each request L ms.
    delay = args.latency_ms / 1000
    proxy = DelayProxy(args.endpoint.removeprefix("http://").rstrip("/"), delay)
    rt = {}
    proxy_reps = 1 if args.quick else 3
    for n in (1, 10):
        for tool in TOOLS:
            if tool == "cli" and n == 10 and not args.cli_ten_through_proxy:
                continue
            runs = []
            for _ in range(1 if tool == "cli" else proxy_reps):
                proxy.take_log()
                wall, _ = creator.run(tool, users(tool, n), proxy.endpoint)
                entries = proxy.take_log()
                runs.append(analyse(entries, wall, delay, tool))
                log(f"  via proxy {tool:6} {n:2} users: {wall * 1000:8.0f} ms, {runs[-1]}")
            rt[(tool, n)] = runs
    proxy.close()

    # 10 users at longer latencies (as far from AWS as a real admin is): iamwiz and boto3 only.
    latencies = {}
    for extra in args.more_latency_ms:
        proxy = DelayProxy(args.endpoint.removeprefix("http://").rstrip("/"), extra / 1000)
        got = {"iamwiz": [], "boto3": []}
        for r in range(proxy_reps):
            for tool in (["iamwiz", "boto3"] if r % 2 == 0 else ["boto3", "iamwiz"]):
                wall, _ = creator.run(tool, users(tool, 10), proxy.endpoint)
                got[tool].append(wall)
                log(f"  via proxy +{extra} ms {tool:6} 10 users: {wall * 1000:8.0f} ms")
        proxy.close()
        latencies[str(extra)] = {t: stats(v) for t, v in got.items()}
    results["creation"] = {
        "latency_ms": args.latency_ms,
        "wall": {f"{t}:{n}": stats(v) for (t, n), v in walls.items()},
        "cpu": {f"{t}:{n}": stats(v) for (t, n), v in cpus.items()},
        "round_trips": {f"{t}:{n}": v for (t, n), v in rt.items()},
        "latencies": latencies,
    }


# The read-only checks `iamwiz apply` makes before creating anything.
CHECKS = {"GetCallerIdentity", "GetAccountPasswordPolicy", "GetPolicy", "GetGroup", "GetUser",
          "GetAccountAuthorizationDetails", "ListUsers"}


def analyse(entries, wall, delay, tool):
    """Splits a proxied run's requests into iamwiz's read-only checks and the creation, and
    counts each phase's requests and sequential round trips: overall, and within each user's own
    requests (what depends on what: a request sent late because the machine was busy can follow
    another user's answer without depending on it)."""
    pre = [e for e in entries if tool == "iamwiz" and e[2] in CHECKS]
    create = [e for e in entries if not (tool == "iamwiz" and e[2] in CHECKS)]
    users = {e[3] for e in create if e[3]}
    out = {
        "wall": wall,
        "requests": len(entries),
        "pre_requests": len(pre),
        "pre_rounds": sequential_round_trips(pre),
        "create_requests": len(create),
        "create_rounds": sequential_round_trips(create),
        "create_rounds_per_user": max(
            (sequential_round_trips([e for e in create if e[3] == u]) for u in users), default=0
        ),
        "rounds": sequential_round_trips(entries),
    }
    if create:
        out["create_span"] = max(e[1] for e in create) - create[0][0]
        out["create_span_rounds"] = out["create_span"] / delay
    return out


def report_creation(results):
    c = results.get("creation")
    if not c:
        return None
    w = c["wall"]
    L = c["latency_ms"]
    rows = []
    for t in TOOLS:
        rows.append([
            TOOL_NAMES[t],
            fmt_ms(w[f"{t}:1"]),
            fmt_ms(w[f"{t}:10"]),
            ratio(w[f"{t}:1"], w["iamwiz:1"]),
            ratio(w[f"{t}:10"], w["iamwiz:10"]),
        ])
    ten = w["boto3:10"]["median"] / w["iamwiz:10"]["median"]
    rt = c["round_trips"]

    def med(key, field):
        runs = rt.get(key)
        if not runs:
            return None
        vals = [r[field] for r in runs if field in r]
        return statistics.median(vals) if vals else None

    def wall_cell(key):
        runs = rt.get(key)
        if not runs:
            return "not run"
        return fmt_ms(stats([r["wall"] for r in runs]))

    rrows = []
    for t in TOOLS:
        for n in (1, 10):
            key = f"{t}:{n}"
            if key not in rt:
                rrows.append([TOOL_NAMES[t], n, "not run (one process per call)", "", "", "", "", ""])
                continue
            pre = f"{med(key, 'pre_requests'):.0f} / {med(key, 'pre_rounds'):.0f}" if t == "iamwiz" else "—"
            span = med(key, "create_span_rounds")
            rrows.append([
                TOOL_NAMES[t],
                n,
                wall_cell(key),
                pre,
                f"{med(key, 'create_requests'):.0f} / {med(key, 'create_rounds_per_user'):.0f}"
                f" / {med(key, 'create_rounds'):.0f}",
                f"{span:.1f}" if span is not None else "—",
                f"{med(key, 'rounds'):.0f}",
                ratio(stats([r["wall"] for r in rt[key]]), stats([r["wall"] for r in rt.get(f"iamwiz:{n}", [])])),
            ])
    lat_boto3 = stats([r["wall"] for r in rt.get("boto3:10", [])])
    lat_iamwiz = stats([r["wall"] for r in rt.get("iamwiz:10", [])])
    lat_ratio = (lat_boto3["median"] / lat_iamwiz["median"]) if lat_boto3 and lat_iamwiz else None
    create_rounds_1 = med("iamwiz:1", "create_rounds_per_user")
    create_rounds_10 = med("iamwiz:10", "create_rounds_per_user")
    n = w["iamwiz:10"]["n"]
    return "\n\n".join(
        [
            "### Creation: 1 and 10 users with the same options\n\n"
            "Each user: a permissions boundary, 3 tags, a console password with reset at first "
            "sign-in, an access key, 2 groups, 3 managed policies and 1 inline policy — 9 IAM "
            "calls (the account's password policy lets users change their own password, so "
            "iamwiz attaches nothing more). Whole-process wall time against the same moto in the "
            f"same run, new user names every time; median (min–max) of {n} runs "
            f"({w['cli:10']['n']} for the AWS CLI). The AWS CLI sequence is the one `iamwiz apply "
            "--dry-run` prints for the plan, run by bash. `iamwiz apply` also makes its read-only "
            "checks first (identity, password policy, every policy, group and user name). Ratios: "
            "the tool's time / iamwiz's (above 1: iamwiz is faster).",
            table(["tool", "1 user", "10 users", "ratio, 1 user", "ratio, 10 users"], rows),
            f"Target: 10 users at least 5x faster than the sequential boto3 script — against moto "
            f"directly {met(ten >= 5)} ({ten:.2f}x). moto answers one request at a time (Python, "
            "one interpreter lock), so with no network latency the concurrent calls cannot overlap "
            "and the ratio is bounded by moto's own time per call; what concurrency saves is "
            "waiting on the network, measured next.",
            f"#### Round trips (every request held {L} ms by a proxy, as a network would)\n\n"
            "Sequential round trips: the longest chain of requests each sent after the previous "
            "one was answered: per user, among the requests naming that user (what depends on "
            "what), and overall, among all the phase's requests (a request sent late on a busy "
            "machine can follow another user's answer without depending on it). Phases: iamwiz's "
            "read-only checks (`GetCallerIdentity`, `GetAccountPasswordPolicy`, `GetPolicy`, "
            "`GetGroup` or `GetAccountAuthorizationDetails`, `GetUser` or `ListUsers`), then the "
            "creation (everything else). "
            f"Span: the creation phase's first request to its last answer, divided by {L} ms: above "
            "the round trips when moto's own time per request adds up. Median of "
            f"{len(rt.get('iamwiz:10', []))} runs (1 for the AWS CLI).",
            table(["tool", "users", f"wall (+{L} ms a request)", "checks: requests / round trips",
                   "creation: requests / round trips per user / overall", f"creation span / {L} ms",
                   "all round trips",
                   "wall / iamwiz's"],
                  rrows),
            f"Target: the critical path is two round trips per user's creation — "
            f"{met(create_rounds_1 is not None and create_rounds_1 <= 2 and (create_rounds_10 or 99) <= 2)} "
            f"(a user's creation: {create_rounds_1:.0f} sequential round trips with 1 user, "
            f"{create_rounds_10:.0f} with 10; the 10 users' creations run side by side). "
            + (f"With {L} ms a request, 10 users: boto3 / iamwiz = **{lat_ratio:.1f}x** "
               f"({met(lat_ratio >= 5)} for the 5x target under network latency)." if lat_ratio else ""),
            latency_table(c, lat_boto3, lat_iamwiz),
            "Command: `scripts/bench --only creation`",
        ]
    )


def latency_table(c, lat_boto3, lat_iamwiz):
    """10 users at each latency measured: iamwiz, boto3 and their ratio."""
    rows = [["0 (moto directly)", fmt_ms(c["wall"]["iamwiz:10"]), fmt_ms(c["wall"]["boto3:10"]),
             ratio(c["wall"]["boto3:10"], c["wall"]["iamwiz:10"])]]
    if lat_iamwiz and lat_boto3:
        rows.append([f"{c['latency_ms']} ms", fmt_ms(lat_iamwiz), fmt_ms(lat_boto3), ratio(lat_boto3, lat_iamwiz)])
    for ms_, v in sorted(c.get("latencies", {}).items(), key=lambda kv: int(kv[0])):
        rows.append([f"{ms_} ms", fmt_ms(v["iamwiz"]), fmt_ms(v["boto3"]), ratio(v["boto3"], v["iamwiz"])])
    return (
        "#### 10 users as the latency grows\n\n"
        "The same 10-user plan with every request held by the proxy for the time shown (a "
        "network's round trip), iamwiz and the boto3 script taking turns. Ratio: boto3 / iamwiz "
        "(target: at least 5x).\n\n"
        + table(["latency a request", "`iamwiz apply`", "boto3 script", "boto3 / iamwiz"], rows)
    )


# --- a throttled account -------------------------------------------------------------------

# Request quotas (requests a second, with bursts of as many) in front of moto, as IAM's.
QUOTAS = (10, 5)


def bench_throttled(args, results, env):
    """10 users with every option by each tool under each quota, each run starting with a full
    bucket. The floor is what the quota alone needs for the requests the tool got served: (served
    - burst) / rate."""
    setup_account(env, args.endpoint)
    tag = uuid.uuid4().hex[:6]
    creator = Creator(args, env)
    reps = 1 if args.quick else 3
    upstream = args.endpoint.removeprefix("http://").rstrip("/")
    counter = 0
    out = {}
    for rate in QUOTAS:
        proxy = DelayProxy(upstream, 0, quota=(rate, rate))
        runs = {t: [] for t in TOOLS}
        for r in range(reps):
            order = TOOLS[r % 3:] + TOOLS[: r % 3]
            for tool in order:
                if tool == "cli" and r > 0:
                    continue
                counter += 1
                users = [f"t{tag}-{tool[:2]}{counter}-{i}" for i in range(10)]
                proxy.reset_quota()
                started = time.perf_counter()
                try:
                    creator.run(tool, users, proxy.endpoint)
                    ok = True
                except RuntimeError as e:
                    ok = False
                    log(f"  {tool} failed: {str(e)[-300:]}")
                wall = time.perf_counter() - started
                run = {"wall": wall, "ok": ok, "served": proxy.served, "refused": proxy.refused,
                       "floor": max(0, proxy.served - rate) / rate}
                runs[tool].append(run)
                log(f"  quota {rate}/s {tool:6}: {wall:6.1f} s, ok={ok}, served {proxy.served}, "
                    f"throttled {proxy.refused}, floor {run['floor']:.1f} s")
        proxy.close()
        out[str(rate)] = runs
    results["throttled"] = out


def report_throttled(results):
    t = results.get("throttled")
    if not t:
        return None
    rows = []
    verdicts = []
    for rate in QUOTAS:
        runs = t[str(rate)]
        walls = {tool: statistics.median(r["wall"] for r in runs[tool]) for tool in TOOLS if runs[tool]}
        for tool in TOOLS:
            rs = runs[tool]
            if not rs:
                continue
            pick = sorted(rs, key=lambda r: r["wall"])[len(rs) // 2]
            failed = sum(1 for r in rs if not r["ok"])
            rows.append([
                f"{rate}/s",
                TOOL_NAMES[tool],
                "all exit 0" if not failed else f"**{failed} of {len(rs)} failed**",
                f"{walls[tool]:.1f} s",
                str(pick["served"]),
                str(pick["refused"]),
                f"{pick['floor']:.1f} s",
                f"{pick['wall'] / pick['floor']:.2f}x" if pick["floor"] else "-",
                f"{walls[tool] / walls['boto3']:.2f}x" if "boto3" in walls else "-",
            ])
        i = sorted(runs["iamwiz"], key=lambda r: r["wall"])[len(runs["iamwiz"]) // 2]
        verdicts.append((rate, all(r["ok"] for r in runs["iamwiz"]), i["wall"] / i["floor"],
                         walls["iamwiz"] / walls["boto3"]))
    lines = [
        "### A throttled account: 10 users under a request quota",
        "",
        "Each tool creates 10 users with every option (as in the creation benchmark) through a "
        "proxy in front of moto that answers IAM's `Throttling` error above a token bucket of R "
        "requests a second (bursts of R, full at the start of each run; a refused request costs "
        "no token). The floor is the time the quota alone needs for the requests the tool was "
        "served: (served − R) / R. Median of 3 runs for iamwiz and boto3, 1 for the AWS CLI; the "
        "requests and the ratio to the floor are those of the median run.",
        "",
        table(["quota", "tool", "outcome", "wall (median)", "requests served", "throttled",
               "floor", "wall ÷ floor", "÷ boto3"], rows),
        "",
    ]
    for rate, ok, to_floor, to_boto3 in verdicts:
        lines.append(
            f"- {rate}/s: iamwiz {'exit 0 every run' if ok else 'FAILED a run'}; "
            f"{to_floor:.2f}x its floor (target ≤ 1.3x: {met(ok and to_floor <= 1.3)}); "
            f"{to_boto3:.2f}x the sequential boto3 script (target ≤ 1.2x: {met(ok and to_boto3 <= 1.2)})."
        )
    lines += ["", "Command: `scripts/bench --only throttled`"]
    return "\n".join(lines)


# --- the whole report ----------------------------------------------------------------------


def machine(args):
    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
        except Exception:  # noqa: BLE001 - a missing tool is just not reported
            return "?"

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        moto_v, boto3_v = version("moto"), version("boto3")
    except Exception:  # noqa: BLE001
        moto_v = boto3_v = "?"
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
        "rustc": cmd(["rustc", "--version"]),
        "python": platform.python_version(),
        "moto": moto_v,
        "boto3": boto3_v,
        "aws": cmd([os.path.join(args.root, ".venv", "bin", "aws"), "--version"]).split(" ")[0],
        "iamwiz": cmd([args.iamwiz, "--version"]),
    }


def summary(results):
    """One row per target: the figure, its peer, the ratio, met or not, the command."""
    rows = []
    c = results.get("creation")
    if c:
        rt = c["round_trips"]

        def med(key, field):
            vals = [r[field] for r in rt.get(key, []) if field in r]
            return statistics.median(vals) if vals else None

        r1, r10 = med("iamwiz:1", "create_rounds_per_user"), med("iamwiz:10", "create_rounds_per_user")
        o10 = med("iamwiz:10", "create_rounds")
        b1, b10 = med("boto3:1", "create_rounds"), med("boto3:10", "create_rounds")
        rows.append([
            "Creation: critical path two round trips per user",
            f"{r1:.0f} a user (1 user), {r10:.0f} a user (10 users, {o10:.0f} overall), after the checks",
            f"boto3: {b1:.0f} and {b10:.0f}",
            f"{b10 / o10:.0f}x fewer (10 users, overall)",
            met(r1 <= 2 and r10 <= 2),
            "`scripts/bench --only creation`",
        ])
        w = c["wall"]
        direct = w["boto3:10"]["median"] / w["iamwiz:10"]["median"]
        lat = [stats([r["wall"] for r in rt.get(f"{t}:10", [])]) for t in ("iamwiz", "boto3")]
        lat_r = lat[1]["median"] / lat[0]["median"] if all(lat) else None
        more = c.get("latencies", {})
        if more:
            top = max(more, key=int)
            lat = [more[top]["iamwiz"], more[top]["boto3"]]
            lat_r = lat[1]["median"] / lat[0]["median"]
            c = dict(c, latency_ms=int(top))
        rows.append([
            "Creation: 10 users ≥ 5x faster than sequential boto3",
            f"{fmt_ms(w['iamwiz:10'])} against moto; {fmt_ms(lat[0])} with {c['latency_ms']} ms a request",
            f"boto3: {fmt_ms(w['boto3:10'])}; {fmt_ms(lat[1])}",
            f"{direct:.2f}x; {lat_r:.2f}x" if lat_r else f"{direct:.2f}x",
            f"{met(direct >= 5)} against moto; {met(bool(lat_r and lat_r >= 5))} with latency",
            "`scripts/bench --only creation`",
        ])
    st = results.get("startup")
    if st:
        ff = st["first_frame"]
        worst_key = max(("nocreds", "blackhole", "closed"), key=lambda k: ff[k]["median"])
        worst = ff[worst_key]
        aws = st["peers"]["aws_version"]
        rows.append([
            "Start-up: first frame < 50 ms, no credentials / unreachable endpoint",
            f"{fmt_ms(worst)} (the slowest case: "
            + {"nocreds": "no credentials", "blackhole": "endpoint never answers",
               "closed": "endpoint port closed"}[worst_key] + ")",
            f"`aws --version`: {fmt_ms(aws)}",
            f"{ratio(aws, worst)} faster",
            met(worst["median"] < 0.050),
            "`scripts/bench --only startup`",
        ])
    se = results.get("search")
    if se:
        k, sub = se["keystroke"], se["substring"]
        rows.append([
            "Search: < 1 ms a keystroke over 1,500 policies",
            f"median {k['median']:.0f} µs, p99 {k['p99']:.0f} µs",
            f"substring filter: median {sub['median']:.0f} µs",
            f"{sub['median'] / k['median']:.2f}x",
            met(k["p99"] < 1000),
            "`cargo bench --bench picker`",
        ])
    ca = results.get("catalogue")
    if ca:
        rows.append([
            "Catalogue: second start shows it at once",
            f"second {fmt_ms(ca['second'])} vs first {fmt_ms(ca['first'])}; "
            f"+{ca['slow_ms']} ms a request: {fmt_ms(ca['slow_second'])} vs {fmt_ms(ca['slow_first'])}",
            f"`aws iam list-policies`: {fmt_ms(ca['aws_time'])}",
            f"{ratio(ca['aws_time'], ca['second'])} faster",
            met(ca["cache_written"] and ca["second"]["median"] < 0.5 * ca["first"]["median"]
                and bool(ca.get("slow_second_live"))),
            "`scripts/bench --only catalogue`",
        ])
        rows.append([
            "Memory: peak RSS < 40 MB with the whole catalogue",
            fmt_mib(ca["rss"]),
            f"`aws iam list-policies`: {fmt_mib(ca['aws_rss'])}",
            f"{ratio(ca['aws_rss'], ca['rss'])} less",
            met(ca["rss"]["max"] < 40 * 1000 * 1000 / 1024),
            "`scripts/bench --only catalogue`",
        ])
    if not rows:
        return None
    return "### Summary\n\n" + table(["target", "iamwiz", "peer (same run)", "ratio", "target", "command"], rows)


def render(args, results, sections):
    m = results["machine"]
    head = (
        f"Run {results['date']} ({'quick: 1 repetition' if args.quick else f'{args.reps} repetitions'}; "
        f"took {results['seconds']:.0f} s){' — **PROVISIONAL**: ' + args.provisional if args.provisional else ''}.\n\n"
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}; load average at the "
        f"start {m['load_start']}, at the end {m['load']}. {m['iamwiz']} (release build), "
        f"{m['rustc']}, Python {m['python']}, moto {m['moto']}, boto3 {m['boto3']}, {m['aws']}."
    )
    if results.get("earlier"):
        head += " Sections from earlier runs: " + ", ".join(
            f"{name} ({date})" for name, date in sorted(results["earlier"].items())) + "."
    parts = [head]
    if summary(results):
        parts.append(summary(results))
    for name, f in [("search", report_search), ("startup", report_startup),
                    ("catalogue", report_catalogue), ("creation", report_creation),
                    ("throttled", report_throttled)]:
        if name in results:
            text = f(results)
            if text:
                parts.append(text)
    return "\n\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iamwiz", required=True)
    ap.add_argument("--endpoint", required=True, help="moto, e.g. http://127.0.0.1:5201")
    ap.add_argument("--root", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--cli-reps", type=int, default=3, help="repetitions for the AWS CLI (slow)")
    ap.add_argument("--latency-ms", type=int, default=25, help="the round-trip proxy's delay")
    ap.add_argument("--more-latency-ms", type=int, action="append",
                    help="also time 10 users (iamwiz and boto3) with this delay (default: 100)")
    ap.add_argument("--slow-ms", type=int, default=100, help="the slow endpoint's delay (catalogue)")
    ap.add_argument("--cli-ten-through-proxy", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", action="append", choices=SECTIONS)
    ap.add_argument("--provisional", default="", help="a note that marks the figures provisional")
    ap.add_argument("--markdown", help="also write the Markdown here")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--previous", help="with --only: the raw results of an earlier run, whose other sections are kept")
    args = ap.parse_args()
    args.iamwiz = os.path.abspath(args.iamwiz)
    if args.more_latency_ms is None:
        args.more_latency_ms = [100]
    sections = args.only or SECTIONS

    started = time.time()
    results = {}
    if args.only and args.previous and os.path.exists(args.previous):
        # Keep the sections not run now from the previous run, so that the report stays whole.
        with open(args.previous) as f:
            previous = json.load(f)
        for name in SECTIONS:
            if name not in sections and name in previous:
                results[name] = previous[name]
                results.setdefault("earlier", {})[name] = previous.get("dates", {}).get(name, previous.get("date"))
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results["dates"] = {name: results["date"] for name in sections}
    if results.get("earlier"):
        results["dates"].update(results["earlier"])
    load_start = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    env = Env(args.root, args.endpoint)
    try:
        for name in sections:
            {"search": lambda: bench_search(args, results),
             "startup": lambda: bench_startup(args, results, env),
             "catalogue": lambda: bench_catalogue(args, results, env),
             "creation": lambda: bench_creation(args, results, env),
             "throttled": lambda: bench_throttled(args, results, env)}[name]()
    finally:
        env.cleanup()
    results["seconds"] = time.time() - started
    results["machine"] = machine(args)
    results["machine"]["load_start"] = load_start
    md = render(args, results, sections)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=str)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
