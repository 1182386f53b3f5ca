"""Benchmark the public pages: GET /@NAME.rss and GET /@NAME under load, and idle memory.

    /tmp/kvenv/bin/python bench/pages.py                  # SQLite, 15 s per URL
    python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/kith_bench
    python bench/pages.py --duration 5 --profile          # py-spy one worker during each run

Run it with the Python that has Kith installed. It needs `wrk` (Debian: apt-get install -y wrk);
`--profile` needs py-spy (pip install py-spy into the same environment).

What it does, all on loopback and bounded in time:
  1. makes a temporary data directory (and, with --database-url, creates that PostgreSQL
     database, which must not exist yet, and drops it at the end);
  2. `kith init` with one account, NAME, then seeds 10,000 posts of mixed visibility
     (public, unlisted, followers, direct, local; some with content warnings, hashtags,
     links, mentions, a few edited or deleted) straight into the database, as
     publish_post would have made them, then runs ANALYZE (--no-analyze skips it);
  3. starts `kith serve --workers 2` on a free port and waits for /healthz;
  4. measures each worker's idle resident memory, warms up, runs
     `wrk -t2 -c32 -dDURATION --latency` against /@NAME.rss and then /@NAME, and measures
     idle memory again;
  5. prints a table against the targets, stops the server and removes what it made.

Targets (from the issue): RSS feed >= 1,000 req/s, profile page >= 600 req/s, p99 < 100 ms
for both, idle RSS < 120 MB per worker. Exit status 0 when every target is met, 1 when
one is missed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_RSS_RPS = 1000.0
TARGET_PROFILE_RPS = 600.0
TARGET_P99_MS = 100.0
TARGET_IDLE_MB = 120.0
OTHER_LOAD_WARN = 0.15  # cores used by unrelated processes during a run before we warn

# Visibility mix of the seeded posts (weights).
VISIBILITY_MIX = {"public": 50, "unlisted": 20, "followers": 15, "direct": 5, "local": 10}


class BenchError(RuntimeError):
    """The benchmark could not run; the message says why."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=None,
                   help="postgres://USER@HOST:PORT/DB (created, then dropped); default: SQLite in the temp dir")
    p.add_argument("--duration", type=int, default=15, help="seconds of load per URL (default 15)")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up load per URL (default 3)")
    p.add_argument("--connections", type=int, default=32, help="wrk concurrency (default 32)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=2, help="kith serve --workers (default 2)")
    p.add_argument("--posts", type=int, default=10_000, help="posts to seed (default 10000)")
    p.add_argument("--name", default="bench", help="the seeded account (default bench)")
    p.add_argument("--no-analyze", action="store_true",
                   help="skip ANALYZE after seeding (PostgreSQL then plans without statistics)")
    p.add_argument("--profile", action="store_true",
                   help="record one worker with py-spy during each run (written to bench/results/)")
    p.add_argument("--profile-format", choices=("flamegraph", "raw", "speedscope"), default="flamegraph",
                   help="py-spy output: flamegraph (SVG), raw (collapsed stacks, text) or speedscope")
    p.add_argument("--json", metavar="FILE", default=None, help="also write the results as JSON to FILE")
    p.add_argument("--keep", action="store_true", help="keep the data directory (and database)")
    args = p.parse_args(argv)
    if args.duration < 1 or args.connections < 1 or args.threads < 1 or args.workers < 1 or args.posts < 1:
        p.error("--duration, --connections, --threads, --workers and --posts must be 1 or more")
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        p.error("--database-url must be postgres://… (SQLite is the default)")
    return args


# ---------------------------------------------------------------------------- seeding

WORDS = (
    "the a small node federated quiet garden morning coffee river walk code review bread "
    "station train book notes weather rain light evening friends music tea project bicycle "
    "window city market letter winter summer autumn spring bird paper print server kitten "
    "lunch moss stone field harbour lantern thread fabric neighbour radio sketch tomato"
).split()
TAGS = ["kith", "fediverse", "python", "gardening", "photography", "music", "books", "cycling"]
LINKS = ["https://example.org/notes/2024/spring", "https://www.example.com/a/very/long/path/to/an/article?id=42",
         "https://docs.example.net/guide"]


def _post_text(rng: random.Random, mention: str | None) -> str:
    paragraphs = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        words = rng.choices(WORDS, k=rng.randint(8, 45))
        words[0] = words[0].capitalize()
        paragraphs.append(" ".join(words) + rng.choice((".", ".", "!", "?")))
    if mention:
        paragraphs[0] = f"@{mention} " + paragraphs[0]
    if rng.random() < 0.3:
        paragraphs[-1] += " " + " ".join(f"#{t}" for t in rng.sample(TAGS, rng.randint(1, 3)))
    if rng.random() < 0.2:
        paragraphs[-1] += f" See {rng.choice(LINKS)}."
    if rng.random() < 0.1:
        paragraphs[0] = paragraphs[0].replace(" ", "\n", 1)  # a line break
    return "\n\n".join(paragraphs)


async def seed(env: dict[str, str], name: str, friend: str, count: int, analyze: bool) -> dict[str, int]:
    """Insert `count` posts by `name` as publish_post makes them; return counts per visibility.

    With `analyze`, refresh the planner's statistics afterwards, as PostgreSQL's autovacuum
    would have long done for posts written over a year (a bulk load just before the run
    leaves PostgreSQL without statistics, and its plans then differ)."""
    from tortoise import connections
    from tortoise.transactions import in_transaction

    from federation.audience import Visibility
    from node.db import close_database, open_database
    from node.html import MentionLink, render_text
    from node.ids import new_id
    from node.models import Actor, Mention, Post, Tag
    from node.settings import load_settings
    from node.uris import Uris

    settings = load_settings(env)
    uris = Uris(settings.base_url)
    await open_database(settings)
    try:
        actor = await Actor.get(username=name, local=True)
        other = await Actor.get(username=friend, local=True)
        link = MentionLink(other.username, other.domain, other.url, other.ap_id)

        def resolve(n: str, domain: str | None) -> MentionLink | None:
            ok = n.lower() == other.username.lower() and (domain is None or domain.lower() == uris.host)
            return link if ok else None

        rng = random.Random(20240601)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        step = timedelta(minutes=47)  # 10,000 posts span about a year
        visibilities = list(VISIBILITY_MIX)
        weights = list(VISIBILITY_MIX.values())
        counts: dict[str, int] = {}
        posts, mentions, tags = [], [], []
        for i in range(count):
            created = now - step * (count - i) + timedelta(seconds=rng.randint(0, 600))
            visibility = Visibility(rng.choices(visibilities, weights)[0])
            mentioned = visibility is Visibility.DIRECT or rng.random() < 0.05
            text = _post_text(rng, friend if mentioned else None)
            rendered = render_text(text, uris.tag, resolve)
            cw = rng.choice(("", "", "", "", "", "", "", "", "", "food", "politics", "long post"))
            post_id = new_id(created)
            deleted = rng.random() < 0.01
            edited = created + timedelta(minutes=rng.randint(1, 30)) if rng.random() < 0.03 else None
            posts.append(Post(
                id=post_id,
                ap_id=uris.status(actor.username, post_id),
                url=uris.permalink(actor.username, post_id),
                author_id=actor.id,
                local=True,
                visibility=visibility,
                source="" if deleted else text,
                content_html="" if deleted else rendered.html,
                content_warning="" if deleted else cw,
                sensitive=bool(cw) and not deleted,
                created_at=created,
                edited_at=edited,
                deleted_at=created + timedelta(days=1) if deleted else None,
            ))
            if not deleted:
                mentions += [Mention(post_id=post_id, actor_id=other.id) for _ in rendered.mentions]
                tags += [Tag(post_id=post_id, name=t) for t in rendered.tags]
            counts[visibility.value] = counts.get(visibility.value, 0) + 1
        async with in_transaction():
            await Post.bulk_create(posts, batch_size=500)
            await Mention.bulk_create(mentions, batch_size=500)
            await Tag.bulk_create(tags, batch_size=500)
            await Actor.filter(id=actor.id).update(changed_at=datetime.now(timezone.utc))
        if analyze:
            await connections.get("default").execute_script("ANALYZE")
        counts["deleted"] = sum(1 for p in posts if p.deleted_at)
        return counts
    finally:
        await close_database()


# ------------------------------------------------------------------------- PostgreSQL

def _admin_url(database_url: str) -> tuple[str, str]:
    """Return (URL of the maintenance database `postgres`, name of the bench database)."""
    parts = urlsplit(database_url)
    db = parts.path.strip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", db):
        raise BenchError(f"--database-url: {db!r} is not a plain database name")
    return urlunsplit(("postgresql", parts.netloc, "/postgres", "", "")), db


async def _pg(database_url: str, create: bool) -> None:
    import asyncpg

    admin, db = _admin_url(database_url)
    try:
        conn = await asyncpg.connect(admin, timeout=10)
    except Exception as e:
        raise BenchError(f"cannot connect to PostgreSQL at {admin}: {e}") from None
    try:
        if create:
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db):
                raise BenchError(f"database {db} exists already; drop it or name another")
            await conn.execute(f'CREATE DATABASE "{db}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    finally:
        await conn.close()


# ----------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_kith(env: dict[str, str], *args: str, stdin: str | None = None, timeout: int = 120) -> str:
    proc = subprocess.run([sys.executable, "-m", "node", *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"kith {' '.join(args)} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    """Wait for /healthz to answer 200; fail early when it keeps answering something else."""
    deadline = time.monotonic() + timeout
    first_answer = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"kith serve exited with {server.returncode} before it was healthy")
        try:
            status, body = get(base + "/healthz", timeout=2)
        except OSError:
            status = None  # not listening yet
        if status == 200:
            return
        if status is not None:
            first_answer = first_answer or time.monotonic()
            if time.monotonic() - first_answer > 10:
                raise BenchError(f"/healthz keeps answering {status}: {body.decode(errors='replace').strip()}")
        time.sleep(0.2)
    raise BenchError(f"kith serve was not healthy within {timeout:.0f} s")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for process {pid}")


def _busy_ticks() -> int:
    """Return the CPU time processes have used so far on the machine, in clock ticks."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[0] + fields[1] + fields[2]  # user, nice, system (interrupts are charged to no one)


def _process_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0  # gone
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _our_backends(database_url: str | None) -> list[int]:
    """PostgreSQL server processes serving the benchmark's database (their title names it)."""
    if not database_url:
        return []
    db = urlsplit(database_url).path.strip("/")
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {db} " in title:
                found.append(int(entry.name))
    return found


class CpuWatch:
    """How much CPU the rest of the machine used while the benchmark ran (it should be ~0:
    anything else busy on a 2-core machine shows up as lower req/s and a worse p99)."""

    def __init__(self, server_pids: list[int], database_url: str | None) -> None:
        self.pids = server_pids + _our_backends(database_url)
        self.busy = _busy_ticks()
        self.ours = sum(_process_ticks(p) for p in self.pids)
        self.children = _children_ticks()
        self.me = _self_ticks()
        self.t0 = time.monotonic()

    def other_cores(self) -> float:
        busy = _busy_ticks() - self.busy
        ours = (sum(_process_ticks(p) for p in self.pids) - self.ours) + (_children_ticks() - self.children) \
            + (_self_ticks() - self.me)
        return max(0.0, (busy - ours) / os.sysconf("SC_CLK_TCK") / (time.monotonic() - self.t0))


def _children_ticks() -> int:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
    return round((usage.ru_utime + usage.ru_stime) * os.sysconf("SC_CLK_TCK"))


def _self_ticks() -> int:
    return _process_ticks(os.getpid())


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session: only the server and its workers
        server.wait(timeout=10)


# -------------------------------------------------------------------------------- wrk

@dataclass
class Run:
    label: str
    path: str
    target_rps: float
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0  # socket errors, timeouts and non-2xx/3xx answers
    other_cores: float = 0.0  # CPU used meanwhile by processes that are not part of the benchmark
    bytes_per_response: int = 0
    raw: str = field(default="", repr=False)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, args: argparse.Namespace, duration: int) -> str:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--latency",
           "--timeout", "5s", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if proc.returncode != 0:
        raise BenchError(f"wrk failed: {proc.stderr.strip()}")
    return proc.stdout


def parse_wrk(run: Run, out: str) -> None:
    run.raw = out
    run.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    run.requests = int(re.search(r"(\d+) requests in", out).group(1))
    run.p50_ms = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    run.p99_ms = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    run.errors = (sum(map(int, socket_errors.groups())) if socket_errors else 0) + (
        int(non_2xx.group(1)) if non_2xx else 0)


def py_spy(pid: int, duration: int, out: Path, fmt: str) -> subprocess.Popen | None:
    exe = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if exe is None:
        print("  (py-spy not found: pip install py-spy; not profiling)", file=sys.stderr)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([exe, "record", "--nonblocking", "-r", "200", "-p", str(pid), "-d", str(duration),
                             "-o", str(out), "-f", fmt],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ------------------------------------------------------------------------------- main

def check_pages(base: str, name: str) -> dict[str, str]:
    """Fetch both pages once; fail early when either is not what the load will measure."""
    notes = {}
    status, body = get(f"{base}/@{name}.rss")
    items = body.count(b"<item>")
    if status != 200 or items == 0:
        raise BenchError(f"/@{name}.rss answered {status} with {items} items")
    notes["rss"] = f"{len(body)} bytes, {items} items"
    status, body = get(f"{base}/@{name}")
    posts = body.count(b'<article class="post')
    if status != 200 or posts == 0:
        raise BenchError(f"/@{name} answered {status} with {posts} posts")
    notes["profile"] = f"{len(body)} bytes, {posts} posts"
    return notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import node  # noqa: F401
    except ImportError:
        print(f"bench: Kith is not installed for {sys.executable}; run this with the venv's python "
              "(e.g. /tmp/kvenv/bin/python bench/pages.py)", file=sys.stderr)
        return 2
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix="kith-bench-"))
    env = {k: v for k, v in os.environ.items() if not (k.startswith("KITH_") or k == "DATABASE_URL")}
    env.update(KITH_DATA_DIR=str(data_dir), KITH_BASE_URL=base, KITH_ADMIN_USER=args.name,
               KITH_ADMIN_PASSWORD="bench-password-1", KITH_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    server: subprocess.Popen | None = None
    pg_created = False
    results: dict = {"database": "postgresql" if args.database_url else "sqlite", "posts": args.posts,
                     "analyzed": not args.no_analyze,
                     "workers": args.workers, "connections": args.connections, "duration_s": args.duration}
    try:
        t0 = time.monotonic()
        if args.database_url:
            asyncio.run(_pg(args.database_url, create=True))
            pg_created = True
        run_kith(env, "init")
        friend = "friend"  # mentioned by direct posts; posts nothing itself
        run_kith(env, "user", "create", friend, "--password-stdin", stdin="friend-password-1\n")
        counts = asyncio.run(seed(env, args.name, friend, args.posts, analyze=not args.no_analyze))
        results["seeded"] = counts
        print(f"Seeded {args.posts} posts for @{args.name} in {time.monotonic() - t0:.1f} s: "
              + ", ".join(f"{k} {v}" for k, v in counts.items()), flush=True)

        log = open(data_dir / "serve.log", "w")
        server = subprocess.Popen(
            [sys.executable, "-m", "node", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_healthy(base, server)
        time.sleep(2)
        workers = children(server.pid)
        if len(workers) != args.workers:
            raise BenchError(f"expected {args.workers} worker processes under {server.pid}, found {workers}")
        idle_start = {pid: rss_mb(pid) for pid in workers}
        notes = check_pages(base, args.name)
        print(f"Serving {base} (supervisor {server.pid}, workers {workers}); "
              f"RSS feed {notes['rss']}; profile {notes['profile']}", flush=True)

        runs = [Run("RSS feed", f"/@{args.name}.rss", TARGET_RSS_RPS),
                Run("profile page", f"/@{args.name}", TARGET_PROFILE_RPS)]
        for run in runs:
            url = base + run.path
            if args.warmup:
                wrk(url, args, args.warmup)
            spy = None
            if args.profile:
                stamp = time.strftime("%Y%m%d-%H%M%S")
                slug = "rss" if run.path.endswith(".rss") else "profile"
                suffix = {"flamegraph": "svg", "raw": "txt", "speedscope": "json"}[args.profile_format]
                svg = ROOT / "bench" / "results" / f"pyspy-{results['database']}-{slug}-{stamp}.{suffix}"
                spy = py_spy(workers[0], args.duration, svg, args.profile_format)
            print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s {run.path} …", flush=True)
            watch = CpuWatch([server.pid, *workers], args.database_url)
            parse_wrk(run, wrk(url, args, args.duration))
            run.other_cores = watch.other_cores()
            if spy is not None:
                spy.wait(timeout=60)
                print(f"  py-spy profile of worker {workers[0]}: {svg}", flush=True)
            if run.errors:
                print(f"  warning: {run.errors} errors or non-2xx answers", file=sys.stderr)
        if server.poll() is not None:
            raise BenchError(f"kith serve exited with {server.returncode} during the load")
        time.sleep(3)
        idle_after = {pid: rss_mb(pid) for pid in children(server.pid)}
        supervisor_mb = rss_mb(server.pid)
        results["idle_rss_mb"] = {"after_start": idle_start, "after_load": idle_after, "supervisor": supervisor_mb}
        results["runs"] = [{k: v for k, v in asdict(r).items() if k != "raw"} for r in runs]
        ok = report(args, runs, idle_start, idle_after, supervisor_mb)
        results["targets_met"] = ok
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
        return 0 if ok else 1
    except (BenchError, subprocess.TimeoutExpired) as e:
        print(f"bench: {e}", file=sys.stderr)
        if server is not None and (data_dir / "serve.log").exists():
            tail = (data_dir / "serve.log").read_text().splitlines()[-15:]
            if tail:
                print("  serve.log:\n    " + "\n    ".join(tail), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            print(f"Kept {data_dir}" + (f" and {args.database_url}" if pg_created else ""))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if pg_created:
                asyncio.run(_pg(args.database_url, create=False))


def report(args, runs: list[Run], idle_start: dict[int, float], idle_after: dict[int, float],
           supervisor_mb: float) -> bool:
    rows = []
    ok_all = True

    def row(what: str, value: str, target: str, ok: bool) -> None:
        nonlocal ok_all
        ok_all &= ok
        rows.append((what, value, target, "ok" if ok else "MISSED"))

    for run in runs:
        row(f"GET {run.path} req/s", f"{run.rps:,.0f}", f">= {run.target_rps:,.0f}", run.rps >= run.target_rps)
        row(f"GET {run.path} p99", f"{run.p99_ms:.1f} ms (p50 {run.p50_ms:.1f})", f"< {TARGET_P99_MS:.0f} ms",
            run.p99_ms < TARGET_P99_MS)
        if run.errors:
            row(f"GET {run.path} errors", f"{run.errors} of {run.requests}", "0", False)
        rows.append(("  other CPU load meanwhile", f"{run.other_cores:.2f} cores", "(should be ~0)",
                     "BUSY" if run.other_cores > OTHER_LOAD_WARN else ""))
    for label, sample in (("after start", idle_start), ("after load", idle_after)):
        for i, (pid, mb) in enumerate(sorted(sample.items())):
            row(f"idle RSS worker {i + 1} {label}", f"{mb:.1f} MB (pid {pid})", f"< {TARGET_IDLE_MB:.0f} MB",
                mb < TARGET_IDLE_MB)
    rows.append(("idle RSS supervisor", f"{supervisor_mb:.1f} MB", "(not a worker)", ""))

    db = "PostgreSQL" if args.database_url else "SQLite"
    stats = ", no ANALYZE" if args.no_analyze else ""
    print(f"\nKith pages benchmark: {db}{stats}, {args.posts} posts, --workers {args.workers}, "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {os.cpu_count()} cores")
    widths = [max(len(r[i]) for r in rows + [("what", "measured", "target", "")]) for i in range(4)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format("what", "measured", "target", ""))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r).rstrip())
    print("All targets met." if ok_all else "Some targets MISSED.")
    if any(r.other_cores > OTHER_LOAD_WARN for r in runs):
        print("Warning: other processes used the CPU during the load (BUSY above); the numbers are "
              "lower and noisier than on an idle machine. Run again when it is idle.")
    return ok_all


if __name__ == "__main__":
    sys.exit(main())
