"""Benchmark the home timeline and a thread page on a node with 1,000,000 posts.

    .venv/bin/python bench/timelines.py                  # SQLite (data kept in bench/results/)
    .venv/bin/python bench/timelines.py --database-url postgres://postgres@127.0.0.1:5432/kith_bench_timelines
    .venv/bin/python bench/timelines.py --reseed         # seed again (after a change to the seeding)
    .venv/bin/python bench/timelines.py --drop           # remove the kept data (and database), then stop

Run it with the Python that has Kith installed. The seeding is in bench/timelines_seed.py.

What it does, all on loopback and bounded in time:
  1. Seeds, once, and keeps between runs (seeding 1,000,000 posts takes minutes): six local
     accounts, 6,000 remote actors posting with a skewed (Zipf) rate, 1,000,000 posts over
     two years in a realistic mix of visibilities (remote followers-only posts only from
     actors some local account follows, direct posts always mentioning someone), mentions,
     replies, content warnings and deletions, written with bulk SQL (executemany on SQLite,
     COPY on PostgreSQL). The measured account, `reader`, follows 1,000 accounts (accepted;
     30 more requests pending), is blocked by one local account and mentioned in some posts
     of accounts it does not follow. One 200-post conversation: a tree of replies by 14
     authors, one chain 30 deep, with replies the reader may not see (followers-only of
     accounts it does not follow, direct posts to others, posts of the account blocking it,
     a deleted one) and some that only signed-in readers see. The data lives in
     bench/results/timelines-sqlite/ or, with --database-url, in that PostgreSQL database
     (and bench/results/timelines-DBNAME/ for the node's secret); a table `bench_seed`
     records what was seeded, so a run with other parameters, or --reseed, seeds again.
  2. Applies pending migrations (`kith migrate`: indexes added since seeding), runs VACUUM
     ANALYZE on PostgreSQL (autovacuum would have; SQLite gets none, as Kith never runs it), opens a
     session for `reader`, starts `kith serve --workers 1 --no-queue-worker` with
     KITH_SERVER_TIMING=1 and checks every page once.
  3. Measures each page with one keep-alive client at concurrency 1 against the quiet node:
     the server time is the `Server-Timing: app;dur=` header (from the first request hook to
     the finished response, rendering included), so the client's own time and the
     machine's other load on the client side do not count. Also reports the round trip
     the client saw, and how much CPU other processes used meanwhile.

Target (issue 4): p95 server time under 50 ms for every page, on SQLite and PostgreSQL.
Exit status 0 when met, 1 when a page misses it, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # noqa: E402  (bench/ is not a package)
    BenchError, CpuWatch, _our_backends, _process_ticks, free_port, run_kith, stop, wait_healthy)
from timelines_seed import (  # noqa: E402
    BASE_URL, PASSWORD, READER, RESULTS, analyze, locations, open_reader_session, pg_database, prepare)

TARGET_P95_MS = 50.0
OTHER_LOAD_WARN = 0.15


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=None,
                   help="postgres://USER@HOST:PORT/DB, kept between runs (default: SQLite under bench/results/)")
    p.add_argument("--posts", type=int, default=1_000_000, help="posts in the database (default 1000000)")
    p.add_argument("--remote-actors", type=int, default=6_000, help="remote actors (default 6000)")
    p.add_argument("--following", type=int, default=1_000, help="accounts reader follows (default 1000)")
    p.add_argument("--samples", type=int, default=400, help="measured requests per page (default 400)")
    p.add_argument("--warmup", type=int, default=40, help="unmeasured requests per page first (default 40)")
    p.add_argument("--pages", default="home,home2,thread,thread-anon,deep",
                   help="comma-separated pages to measure (default: all five)")
    p.add_argument("--reseed", action="store_true", help="seed again even when the kept data matches")
    p.add_argument("--drop", action="store_true", help="remove the kept data (and database), then stop")
    p.add_argument("--profile", action="store_true",
                   help="record the node with py-spy while each page is measured (bench/results/pyspy-*.txt)")
    p.add_argument("--json", metavar="FILE", default=None, help="also write the results as JSON to FILE")
    args = p.parse_args(argv)
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        p.error("--database-url must be postgres://… (SQLite is the default)")
    if args.posts < 10_000 or args.remote_actors < 100 or not 10 <= args.following <= args.remote_actors:
        p.error("need --posts >= 10000, --remote-actors >= 100, 10 <= --following <= --remote-actors")
    args.pages = [x.strip() for x in args.pages.split(",") if x.strip()]
    return args


# ------------------------------------------------------------------ measuring

@dataclass
class Page:
    key: str
    label: str
    path: str
    signed_in: bool
    server_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    db_cpu_ms: float = 0.0  # PostgreSQL server processes' CPU, a request on average
    other_cores: float = 0.0
    note: str = ""

    def pct(self, q: float, which: str = "server") -> float:
        data = sorted({"server": self.server_ms, "cpu": self.cpu_ms, "client": self.client_ms}[which])
        return data[min(len(data) - 1, int(round(q / 100 * (len(data) - 1))))]


class Client:
    """One keep-alive HTTP/1.1 connection: requests one at a time, as a quiet reader would."""

    def __init__(self, port: int, cookie: str | None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Cookie": f"kith_session={cookie}"} if cookie else {}

    def get(self, path: str) -> tuple[int, str, float, float, float]:
        """Return the status, body, server time, server CPU time and round trip (ms)."""
        t0 = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read().decode()
        elapsed = (time.perf_counter() - t0) * 1000
        timing = re.fullmatch(r"app;dur=([\d.]+), cpu;dur=([\d.]+)", response.getheader("Server-Timing") or "")
        if timing is None:
            raise BenchError(f"GET {path}: no Server-Timing header (is KITH_SERVER_TIMING on?)")
        return response.status, body, float(timing.group(1)), float(timing.group(2)), elapsed


def check(port: int, token: str, info: dict) -> list[Page]:
    """Fetch every page once; fail when one is not what the load should measure."""
    reader, anon = Client(port, token), Client(port, None)
    status, home, *_ = reader.get("/")
    shown = _cards(home)
    cursor = re.search(r'href="/\?before=(\d+)"', home)
    if status != 200 or shown != 20 or cursor is None:
        raise BenchError(f"GET / as reader answered {status} with {shown} posts and no next page")
    root, deep = info["root"], info["deep"]
    pages = [Page("home", "home, page 1", "/", True),
             Page("home2", "home, page 2", f"/?before={cursor.group(1)}", True),
             Page("thread", "thread root, reader", f"/@alice/{root}", True),
             Page("thread-anon", "thread root, anonymous", f"/@alice/{root}", False),
             Page("deep", "30-deep reply, reader", f"/@carol/{deep}", True)]
    for page in pages:
        status, body, *_ = (reader if page.signed_in else anon).get(page.path)
        posts = _cards(body)
        if status != 200 or posts == 0:
            raise BenchError(f"GET {page.path} answered {status} with {posts} posts")
        page.note = f"{posts} posts, {len(body) // 1024} KiB"
    return pages


def _cards(page: str) -> int:
    # A card's classes may add to "post" (the thread's own post, a reply's depth).
    return len(re.findall(r'<article class="post[" ]', page))


def measure(port: int, token: str, pages: list[Page], args, server_pids: list[int]) -> None:
    for page in pages:
        client = Client(port, token if page.signed_in else None)
        for _ in range(args.warmup):
            client.get(page.path)
        spy = _py_spy(server_pids[-1], page, args) if args.profile else None
        watch = CpuWatch(server_pids, args.database_url)
        backends = _our_backends(args.database_url)
        db_ticks = sum(_process_ticks(p) for p in backends)
        for _ in range(args.samples):
            status, _, server, cpu, elapsed = client.get(page.path)
            if status != 200:
                raise BenchError(f"GET {page.path} answered {status} during the run")
            page.server_ms.append(server)
            page.cpu_ms.append(cpu)
            page.client_ms.append(elapsed)
        page.other_cores = watch.other_cores()
        db_ticks = sum(_process_ticks(p) for p in backends) - db_ticks
        page.db_cpu_ms = db_ticks / os.sysconf("SC_CLK_TCK") * 1000 / args.samples
        if spy is not None:
            spy.wait(timeout=120)
        print(f"  {page.label:<26} p50 {page.pct(50):6.1f}  p95 {page.pct(95):6.1f}  p99 {page.pct(99):6.1f} ms"
              f"   ({page.note})", flush=True)


def _py_spy(pid: int, page: Page, args) -> subprocess.Popen | None:
    """Record the serving process while the page is measured (raw stacks, text)."""
    exe = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if exe is None:
        print("  (py-spy not found: pip install py-spy; not profiling)", file=sys.stderr)
        return None
    db = "pg" if args.database_url else "sqlite"
    out = RESULTS / f"pyspy-timelines-{db}-{page.key}.txt"
    return subprocess.Popen([exe, "record", "--nonblocking", "--idle", "-r", "250", "-p", str(pid), "-f", "raw",
                             "-o", str(out), "-d", str(max(5, args.samples // 10))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def report(args, pages: list[Page], info: dict) -> bool:
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nKith timelines benchmark: {db}, {info['posts']:,} posts, {info['remote_actors']:,} remote actors, "
          f"reader follows {info['following']:,}; {args.samples} requests a page at concurrency 1, "
          f"{os.cpu_count()} cores")
    print("server: Server-Timing app (wall); cpu: the node's CPU time in it; db: PostgreSQL's CPU a request")
    print(f"{'page':<26} {'server p50':>10} {'p95':>6} {'p99':>6} {'cpu p50':>8} {'p95':>6} {'db':>5}"
          f" {'client p95':>10} {'other CPU':>10}  target p95 < 50 ms")
    ok = True
    for p in pages:
        met = p.pct(95) < TARGET_P95_MS
        ok &= met
        busy = " BUSY" if p.other_cores > OTHER_LOAD_WARN else ""
        print(f"{p.label:<26} {p.pct(50):8.1f}ms {p.pct(95):6.1f} {p.pct(99):6.1f} {p.pct(50, 'cpu'):6.1f}ms"
              f" {p.pct(95, 'cpu'):6.1f} {p.db_cpu_ms:5.1f} {p.pct(95, 'client'):8.1f}ms"
              f" {p.other_cores:6.2f} cores  {'ok' if met else 'MISSED'}{busy}")
    print("All pages met the target." if ok else "Some pages MISSED the target.")
    if any(p.other_cores > OTHER_LOAD_WARN for p in pages):
        print("Warning: other processes used the CPU meanwhile (BUSY): the numbers read high; run again when idle.")
    return ok


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt  # so `finally` stops the server on SIGTERM too


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        import node  # noqa: F401
    except ImportError:
        print(f"bench: Kith is not installed for {sys.executable}; run this with the venv's python", file=sys.stderr)
        return 2
    data_dir, database_url = locations(args)
    env = {k: v for k, v in os.environ.items() if not (k.startswith("KITH_") or k == "DATABASE_URL")}
    env.update(KITH_DATA_DIR=str(data_dir), KITH_BASE_URL=BASE_URL, KITH_ADMIN_USER=READER,
               KITH_ADMIN_PASSWORD=PASSWORD, KITH_LOG_LEVEL="WARNING", KITH_SERVER_TIMING="1",
               PYTHONUNBUFFERED="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    if args.drop:
        shutil.rmtree(data_dir, ignore_errors=True)
        if database_url:
            asyncio.run(pg_database(database_url, "drop"))
        print(f"Dropped {data_dir}{' and ' + database_url if database_url else ''}.")
        return 0
    server = None
    try:
        info = prepare(args, env, data_dir)
        run_kith(env, "migrate", timeout=1800)  # indexes added since the data was seeded
        if database_url:
            asyncio.run(analyze(env))
        token = asyncio.run(open_reader_session(env))
        port = free_port()
        log = open(data_dir / "serve.log", "w")
        server = subprocess.Popen(
            [sys.executable, "-m", "node", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
             "--no-queue-worker"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_healthy(f"http://127.0.0.1:{port}", server)
        pages = [p for p in check(port, token, info) if p.key in args.pages]
        print(f"Serving on port {port} (pid {server.pid}); measuring {args.samples} requests a page …", flush=True)
        pids = [server.pid] + [int(x) for x in os.listdir("/proc") if x.isdigit() and _parent(int(x)) == server.pid]
        measure(port, token, pages, args, pids)
        ok = report(args, pages, info)
        if args.json:
            Path(args.json).write_text(json.dumps({
                "database": "postgresql" if database_url else "sqlite", "seed": {k: v for k, v in info.items() if k != "tree"},
                "pages": [{"page": p.label, "path": p.path, "p50": p.pct(50), "p95": p.pct(95), "p99": p.pct(99),
                           "cpu_p50": p.pct(50, "cpu"), "cpu_p95": p.pct(95, "cpu"), "db_cpu_ms": p.db_cpu_ms,
                           "client_p95": p.pct(95, "client"), "other_cores": p.other_cores, "note": p.note}
                          for p in pages]}, indent=2) + "\n")
        return 0 if ok else 1
    except (BenchError, subprocess.TimeoutExpired) as e:
        print(f"bench: {e}", file=sys.stderr)
        if (data_dir / "serve.log").exists():
            tail = (data_dir / "serve.log").read_text().splitlines()[-15:]
            if tail:
                print("  serve.log:\n    " + "\n    ".join(tail), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            stop(server)


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


if __name__ == "__main__":
    sys.exit(main())
