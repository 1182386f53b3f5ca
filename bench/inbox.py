"""Benchmark the inbox: distinct signed Create activities POSTed at concurrency 64, then processed.

    /tmp/kvenv/bin/python bench/inbox.py                  # SQLite, 15 s of load per scenario
    python bench/inbox.py --database-url postgres://postgres@127.0.0.1:5432/kith_bench_inbox
    python bench/inbox.py --scenarios default --duration 10 --profile --profile-format raw

Run it with the Python that has Kith installed. It needs `wrk` (Debian: apt-get install -y wrk);
`--profile` needs py-spy in the same environment.

What it does, all on loopback and bounded in time:
  1. picks a free port, makes RSA keys for K remote actors (cached in
     bench/results/inbox-actor-keys.json, made once) and pre-signs N distinct Create{Note}
     POSTs to the shared inbox http://127.0.0.1:PORT/inbox, each from one of the actors,
     public with @alice in cc and a Mention of her (so the node keeps every one), written
     as files that bench/inbox_requests.lua replays, each request once;
  2. for each scenario, on a fresh data directory (and, with --database-url, a fresh
     PostgreSQL database, which must not exist yet, dropped at the end): `kith init` with
     the one account alice, then the K actors and their keys seeded straight into `actors`
     and `remote_keys` (fresh, so the node verifies and processes without fetching);
  3. scenarios:
       default   `kith serve --workers 2` (the first web process also runs the inbox and
                 delivery workers), wrk -t2 -c64 -dDURATION --latency;
       separate  `kith serve --workers 2 --no-queue-worker` plus one `kith worker`, same load;
       crash     like default, but the load comes from an asyncio client in this process that
                 records every request's answer, and the web process running the queue
                 workers is killed with SIGKILL a third of the way in; the supervisor restarts
                 it. Afterwards every request answered 202 must be an inbox_items row, and
                 every row processed (items the killed process had claimed wait for their
                 lease, 5 minutes, to run out);
     The notes are published a millisecond apart (--published-in-seconds: in whole seconds,
     as Mastodon writes them);
  4. after the load, polls the database until every stored item is processed (or errored),
     and reports the processing rate and the errors;
  5. prints a table against the targets, stops everything and removes what it made.

Targets (from the issue): >= 1,500 accepted (202) per second on SQLite, >= 1,200 on PostgreSQL,
p99 < 150 ms, every one processed afterwards, none lost if a worker process is killed.
Exit status 0 when every target is met, 1 when one is missed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # noqa: E402  (bench/ is not a package: the helpers of the pages benchmark)
    BenchError,
    _busy_ticks,
    _children_ticks,
    _our_backends,
    _pg,
    _process_ticks,
    children,
    free_port,
    py_spy,
    run_kith,
    stop,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "inbox_requests.lua"
KEY_CACHE = RESULTS / "inbox-actor-keys.json"
TARGET_RATE = {"sqlite": 1500.0, "postgresql": 1200.0}
TARGET_P99_MS = 150.0
LOCAL_USER = "alice"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
OTHER_LOAD_WARN = 0.15


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=None,
                   help="postgres://USER@HOST:PORT/DB (created, then dropped); default: SQLite in a temp dir")
    p.add_argument("--duration", type=int, default=15, help="seconds of load per scenario (default 15)")
    p.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load before each wrk run (default 2)")
    p.add_argument("--count", type=int, default=None,
                   help="distinct activities to pre-sign (default: 2 x target rate x (warm-up + duration))")
    p.add_argument("--actors", type=int, default=200, help="remote actors sending them (default 200)")
    p.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=2, help="kith serve --workers (default 2)")
    p.add_argument("--scenarios", default="default,separate,crash",
                   help="comma-separated: default, separate, crash (default: all three)")
    p.add_argument("--kill-at", type=float, default=1 / 3,
                   help="crash scenario: kill after this fraction of the duration (default 0.33)")
    p.add_argument("--drain-timeout", type=int, default=600,
                   help="seconds to wait after the load for every item to be processed (default 600)")
    p.add_argument("--published-in-seconds", action="store_true",
                   help="give the notes `published` times in whole seconds, as Mastodon does (default: "
                        "a distinct millisecond each)")
    p.add_argument("--profile", action="store_true",
                   help="record every kith process with py-spy during each wrk run (written to bench/results/)")
    p.add_argument("--profile-format", choices=("flamegraph", "raw", "speedscope"), default="flamegraph",
                   help="py-spy output: flamegraph (SVG), raw (collapsed stacks, text) or speedscope")
    p.add_argument("--json", metavar="FILE", default=None, help="also write the results as JSON to FILE")
    p.add_argument("--keep", action="store_true", help="keep the data directories (and the last database)")
    args = p.parse_args(argv)
    if min(args.duration, args.connections, args.threads, args.workers, args.actors) < 1:
        p.error("--duration, --connections, --threads, --workers and --actors must be 1 or more")
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        p.error("--database-url must be postgres://… (SQLite is the default)")
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - {"default", "separate", "crash"}
    if unknown or not args.scenarios:
        p.error(f"--scenarios: unknown {', '.join(sorted(unknown)) or 'nothing'}")
    if not 0 < args.kill_at < 1:
        p.error("--kill-at must be between 0 and 1")
    return args


# ------------------------------------------------------------------- actors and requests

def actor_keys(count: int) -> list[dict[str, str]]:
    """Return `count` RSA-2048 key pairs, made once and cached under bench/results/."""

    keys: list[dict[str, str]] = []
    if KEY_CACHE.exists():
        try:
            keys = json.loads(KEY_CACHE.read_text())
        except ValueError:
            keys = []
    if len(keys) < count:
        missing = count - len(keys)
        print(f"Making {missing} RSA-2048 key pairs for the remote actors (cached in {KEY_CACHE}) …", flush=True)
        with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=get_context("fork")) as pool:
            made = list(pool.map(_key_pair, range(missing), chunksize=8))
        keys += made
        RESULTS.mkdir(parents=True, exist_ok=True)
        KEY_CACHE.write_text(json.dumps(keys))
        KEY_CACHE.chmod(0o600)
    return keys[:count]


def _key_pair(_: int) -> dict[str, str]:
    from federation.keys import generate_key_pair

    pair = generate_key_pair()
    return {"private": pair.private_pem, "public": pair.public_pem}


def remote_actor_id(i: int) -> str:
    return f"https://r{i}.bench.test/users/sender{i}"


def activity_id(n: int, actors: int) -> str:
    return f"{remote_actor_id(n % actors)}/statuses/{n}/activity"


def _activity(n: int, actors: int, base: str, published: str) -> dict:
    actor = remote_actor_id(n % actors)
    alice = f"{base}/users/{LOCAL_USER}"
    host = base.split("://", 1)[1]
    note_id = f"{actor}/statuses/{n}"
    to, cc = [PUBLIC], [f"{actor}/followers", alice]
    content = (f'<p><span class="h-card"><a href="{base}/@{LOCAL_USER}" class="u-url mention">'
               f'@<span>{LOCAL_USER}</span></a></span> Inbox benchmark note number {n}: the kettle is on, '
               f'the garden is quiet and the <a href="https://r{n % actors}.bench.test/tags/kith" '
               f'class="mention hashtag" rel="tag">#<span>kith</span></a> node keeps up.</p>')
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor,
        "published": published,
        "to": to,
        "cc": cc,
        "object": {
            "id": note_id,
            "type": "Note",
            "summary": None,
            "inReplyTo": None,
            "published": published,
            "url": f"https://r{n % actors}.bench.test/@sender{n % actors}/{n}",
            "attributedTo": actor,
            "to": to,
            "cc": cc,
            "sensitive": False,
            "content": content,
            "contentMap": {"en": content},
            "attachment": [],
            "tag": [
                {"type": "Mention", "href": alice, "name": f"@{LOCAL_USER}@{host}"},
                {"type": "Hashtag", "href": f"https://r{n % actors}.bench.test/tags/kith", "name": "#kith"},
            ],
        },
    }


_SIGN_STATE: dict = {}


def _sign_block(job: tuple[int, int, Path]) -> int:
    """Sign activities start..stop-1 and write them to `path`; return the bytes written."""
    from federation.signatures import sign_request

    start, stop_, path = job
    keys, base, actors, t0 = (_SIGN_STATE[k] for k in ("keys", "base", "actors", "published_from"))
    url = base + "/inbox"
    signed: dict[int, bytes] = {}
    # One actor at a time: sign_request loads the private key through a 64-entry cache, and
    # loading an RSA key costs ~35 ms.
    for a in range(actors):
        first = start + (a - start) % actors
        for n in range(first, stop_, actors):
            # By default every note is published in its own millisecond: notes sharing one
            # collide on posts.id (node.ids.new_id(published) keeps 6 random bits), as
            # `--published-in-seconds` (Mastodon's resolution) shows.
            at = t0 + timedelta(milliseconds=n)
            published = (at.replace(microsecond=0).isoformat() if _SIGN_STATE["seconds"]
                         else at.isoformat(timespec="milliseconds")).replace("+00:00", "Z")
            body = json.dumps(_activity(n, actors, base, published), separators=(",", ":")).encode()
            headers = sign_request("POST", url, {"Content-Type": "application/activity+json"}, body,
                                   remote_actor_id(a) + "#main-key", keys[a]["private"])
            head = (f"POST /inbox HTTP/1.1\r\nHost: {headers['Host']}\r\nDate: {headers['Date']}\r\n"
                    f"Digest: {headers['Digest']}\r\nSignature: {headers['Signature']}\r\n"
                    f"Content-Type: application/activity+json\r\nContent-Length: {len(body)}\r\n"
                    f"User-Agent: kith-bench/inbox\r\nAccept: */*\r\n\r\n")
            signed[n] = head.encode("latin-1") + body
    size = 0
    with open(path, "wb") as out:
        for n in range(start, stop_):
            raw = signed[n]
            out.write(f"{len(raw)}\n".encode() + raw)
            size += len(raw)
    return size


@dataclass
class RequestSet:
    prefix: Path
    blocks: list[tuple[int, int]]  # [start, stop) of the activity numbers in each thread's file

    @property
    def count(self) -> int:
        return sum(b - a for a, b in self.blocks)

    def ids_sent(self, sent_per_thread: list[int], offsets: list[int]) -> set[str]:
        """Return the activity ids the threads sent (without replays)."""
        ids = set()
        for (a, b), sent, offset in zip(self.blocks, sent_per_thread, offsets):
            for n in range(a + offset, min(b, a + offset + sent)):
                ids.add(activity_id(n, _ACTORS))
        return ids

    def load(self) -> list[tuple[str, bytes]]:
        """Return every (activity id, raw request), thread files interleaved."""
        per_file = []
        for t, (a, b) in enumerate(self.blocks, 1):
            data = Path(f"{self.prefix}.{t}").read_bytes()
            items, pos = [], 0
            for n in range(a, b):
                nl = data.index(b"\n", pos)
                length = int(data[pos:nl])
                items.append((activity_id(n, _ACTORS), data[nl + 1:nl + 1 + length]))
                pos = nl + 1 + length
            per_file.append(items)
        out = []
        for group in zip(*per_file):
            out.extend(group)
        for items in per_file:
            out.extend(items[min(len(i) for i in per_file):])
        return out


_ACTORS = 200


def presign(keys: list[dict[str, str]], base: str, count: int, threads: int, workdir: Path,
            seconds: bool = False) -> RequestSet:
    global _ACTORS
    _ACTORS = len(keys)
    published_from = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(milliseconds=count + 60_000)
    _SIGN_STATE.update(keys=keys, base=base, actors=len(keys), published_from=published_from, seconds=seconds)
    per = math.ceil(count / threads)
    blocks = [(t * per, min(count, (t + 1) * per)) for t in range(threads)]
    prefix = workdir / "requests"
    jobs = []  # split each thread's block further so every CPU signs
    pieces = max(1, (os.cpu_count() or 1) * 2 // threads)
    for t, (a, b) in enumerate(blocks, 1):
        step = math.ceil((b - a) / pieces)
        for k in range(pieces):
            lo, hi = a + k * step, min(b, a + (k + 1) * step)
            if lo < hi:
                jobs.append((t, k, (lo, hi, workdir / f"part-{t}-{k}")))
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=get_context("fork")) as pool:
        sizes = list(pool.map(_sign_block, [job for _, _, job in jobs]))
    for t in range(1, threads + 1):
        with open(f"{prefix}.{t}", "wb") as out:
            for tt, k, (_, _, part) in jobs:
                if tt == t:
                    out.write(part.read_bytes())
                    part.unlink()
    print(f"Pre-signed {count:,} distinct Create activities from {len(keys)} actors "
          f"({sum(sizes) / count:,.0f} bytes a request)", flush=True)
    return RequestSet(prefix, blocks)


# --------------------------------------------------------------------------- seeding

async def seed(env: dict[str, str], keys: list[dict[str, str]]) -> None:
    """Insert the remote actors and their keys as the resolver would have stored them."""
    from tortoise.transactions import in_transaction

    from federation.models import RemoteKey
    from node.db import close_database, open_database
    from node.models import Actor
    from node.settings import load_settings

    await open_database(load_settings(env))
    try:
        now = datetime.now(timezone.utc)
        actors, remote_keys = [], []
        for i, key in enumerate(keys):
            ap_id = remote_actor_id(i)
            host = f"r{i}.bench.test"
            actors.append(Actor(
                ap_id=ap_id, actor_type="Person", username=f"sender{i}", domain=host, local=False,
                display_name=f"Sender {i}", url=f"https://{host}/@sender{i}", inbox=f"{ap_id}/inbox",
                shared_inbox=f"https://{host}/inbox", outbox=f"{ap_id}/outbox",
                followers_url=f"{ap_id}/followers", following_url=f"{ap_id}/following",
                public_key_id=f"{ap_id}#main-key", public_key_pem=key["public"],
                created_at=now, changed_at=now, fetched_at=now))
            remote_keys.append(RemoteKey(key_id=f"{ap_id}#main-key", owner=ap_id,
                                         public_key_pem=key["public"], fetched_at=now))
        async with in_transaction():
            await Actor.bulk_create(actors, batch_size=500)
            await RemoteKey.bulk_create(remote_keys, batch_size=500)
    finally:
        await close_database()


# ------------------------------------------------------------------- the database, read

class Db:
    """Read-only views of the queue, straight from the database (not through the node)."""

    def __init__(self, env: dict[str, str]) -> None:
        from node.settings import load_settings

        settings = load_settings(env)
        self.sqlite = settings.is_sqlite
        self.url = settings.database_url
        self._conn = None

    async def open(self) -> None:
        if self.sqlite:
            self._conn = sqlite3.connect(self.url.removeprefix("sqlite://"), timeout=30)
        else:
            import asyncpg

            self._conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))

    async def close(self) -> None:
        if self._conn is not None:
            if self.sqlite:
                self._conn.close()
            else:
                await self._conn.close()
            self._conn = None

    async def rows(self, sql: str) -> list[tuple]:
        if self.sqlite:
            return self._conn.execute(sql).fetchall()
        return [tuple(r) for r in await self._conn.fetch(sql)]

    async def counts(self) -> dict[str, int]:
        states = dict(await self.rows("SELECT state, COUNT(*) FROM inbox_items GROUP BY state"))
        (posts,), = await self.rows("SELECT COUNT(*) FROM posts WHERE NOT local")
        now = "datetime('now')" if self.sqlite else "now()"
        locked = "locked_until > " + ("strftime('%Y-%m-%d %H:%M:%f', 'now')" if self.sqlite else now)
        (leased,), = await self.rows(
            f"SELECT COUNT(*) FROM inbox_items WHERE state = 'received' AND locked_until IS NOT NULL AND {locked}")
        (retrying,), = await self.rows("SELECT COUNT(*) FROM inbox_items WHERE state = 'received' AND attempts > 0")
        return {"received": states.get("received", 0), "processed": states.get("processed", 0),
                "errored": states.get("errored", 0), "total": sum(states.values()), "posts": posts,
                "leased": leased, "retrying": retrying}

    async def errors(self) -> list[tuple[str, str, int]]:
        return [(s, e, n) for s, e, n in await self.rows(
            "SELECT state, error, COUNT(*) FROM inbox_items WHERE error <> '' "
            "GROUP BY state, error ORDER BY COUNT(*) DESC LIMIT 10")]

    async def activity_ids(self) -> set[str]:
        return {r[0] for r in await self.rows("SELECT activity_id FROM inbox_items")}

    async def lease_ends(self) -> str | None:
        (end,), = await self.rows("SELECT MAX(locked_until) FROM inbox_items WHERE state = 'received'")
        return str(end) if end else None


# ----------------------------------------------------------------------- processes

@dataclass
class Node:
    server: subprocess.Popen
    worker: subprocess.Popen | None
    web: list[int]  # web worker pids; web[0] runs the queue workers unless `worker` does
    logs: list[Path]


def _start_ticks(pid: int) -> tuple[int, int]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[19]), pid  # starttime (field 22), then pid


def start_node(env: dict[str, str], port: int, workers: int, data_dir: Path, separate: bool) -> Node:
    base = env["KITH_BASE_URL"]
    log = data_dir / "serve.log"
    cmd = [sys.executable, "-m", "node", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)] + (["--no-queue-worker"] if separate else [])
    server = subprocess.Popen(cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    node = Node(server, None, [], [log])
    wait_healthy(base, server)
    if separate:
        wlog = data_dir / "worker.log"
        node.worker = subprocess.Popen([sys.executable, "-m", "node", "worker"], env=env, stdout=open(wlog, "w"),
                                       stderr=subprocess.STDOUT, start_new_session=True)
        node.logs.append(wlog)
    time.sleep(2)
    if node.worker is not None and node.worker.poll() is not None:
        raise BenchError(f"kith worker exited with {node.worker.returncode}")
    web = children(server.pid)
    if len(web) != workers:
        raise BenchError(f"expected {workers} worker processes under {server.pid}, found {web}")
    node.web = sorted(web, key=_start_ticks) if workers > 1 else [server.pid]  # the first started runs the queues
    return node


def stop_node(node: Node | None) -> None:
    if node is None:
        return
    if node.worker is not None:
        stop(node.worker)
    stop(node.server)


def log_tail(node: Node | None, lines: int = 15) -> str:
    if node is None:
        return ""
    out = []
    for log in node.logs:
        if log.exists():
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            if tail:
                out.append(f"  {log.name}:\n    " + "\n    ".join(tail))
    return "\n".join(out)


class CpuUse:
    """CPU time per process over an interval, in cores (like pages.CpuWatch, but itemised)."""

    def __init__(self, named: dict[str, int], database_url: str | None) -> None:
        self.named = dict(named)
        for i, pid in enumerate(_our_backends(database_url)):
            self.named[f"postgres backend {i + 1}"] = pid
        self.start = {name: _process_ticks(pid) for name, pid in self.named.items()}
        self.busy, self.kids, self.me = _busy_ticks(), _children_ticks(), _process_ticks(os.getpid())
        self.t0 = time.monotonic()

    def finish(self) -> dict[str, float]:
        hz, elapsed = os.sysconf("SC_CLK_TCK"), time.monotonic() - self.t0
        used = {name: (_process_ticks(pid) - self.start[name]) / hz / elapsed for name, pid in self.named.items()}
        pg = sum(v for k, v in used.items() if k.startswith("postgres backend"))
        used = {k: v for k, v in used.items() if not k.startswith("postgres backend")}
        if pg:
            used["postgres backends"] = pg
        generator = (_children_ticks() - self.kids) + (_process_ticks(os.getpid()) - self.me)
        used["load generator"] = generator / hz / elapsed
        busy = (_busy_ticks() - self.busy) / hz / elapsed
        used["everything else"] = max(0.0, busy - sum(used.values()))
        return used


# ------------------------------------------------------------------------------ load

@dataclass
class Load:
    """What one load run did, from the load generator's side."""

    duration_s: float = 0.0
    completed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    sent_per_thread: list[int] = field(default_factory=list)
    replayed: int = 0
    raw: str = field(default="", repr=False)

    @property
    def accepted(self) -> int:
        return self.statuses.get("202", 0)

    @property
    def rate(self) -> float:
        return self.accepted / self.duration_s if self.duration_s else 0.0

    @property
    def not_accepted(self) -> int:
        return sum(n for code, n in self.statuses.items() if code != "202") + sum(self.socket_errors.values())


def run_wrk(args: argparse.Namespace, base: str, requests: RequestSet, duration: int, offsets: list[int]) -> Load:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
           "-s", str(LUA), base + "/inbox", "--", str(requests.prefix), ",".join(map(str, offsets))]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    if proc.returncode != 0 or "KITH summary" not in proc.stdout:
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    load = Load(raw=proc.stdout)
    for line in proc.stdout.splitlines():
        if not line.startswith("KITH "):
            continue
        kind, *pairs = line[5:].split()
        values = dict(p.split("=", 1) for p in pairs)
        if kind == "summary":
            load.duration_s = int(values["duration_us"]) / 1e6
            load.completed = int(values["requests"])
            load.socket_errors = {k: int(values[k]) for k in ("connect", "read", "write", "timeout") if int(values[k])}
        elif kind == "latency_us":
            load.p50_ms, load.p90_ms, load.p99_ms, load.max_ms = (
                int(values[k]) / 1000 for k in ("p50", "p90", "p99", "max"))
        elif kind == "thread":
            load.sent_per_thread.append(int(values["sent"]))
            load.replayed += int(values["replayed"])
        elif kind == "status":
            load.statuses[values["code"]] = load.statuses.get(values["code"], 0) + int(values["count"])
    return load


async def client_load(port: int, items: list[tuple[str, bytes]], connections: int, duration: float,
                      at: float, action) -> tuple[Load, dict[str, int]]:
    """Replay `items` over `connections` keep-alive connections for `duration` seconds,
    recording every request's answer (status, or 0 for no answer); call `action` after `at` s."""
    answers: dict[str, int] = {}
    latencies: list[float] = []
    next_index = 0
    t0 = time.monotonic()
    end = t0 + duration
    errors = {"connect": 0, "read": 0, "timeout": 0}

    async def connect():
        while time.monotonic() < end:
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                errors["connect"] += 1
                await asyncio.sleep(0.05)
        return None

    async def one_connection() -> None:
        nonlocal next_index
        conn = await connect()
        while conn is not None and time.monotonic() < end and next_index < len(items):
            reader, writer = conn
            aid, raw = items[next_index]
            next_index += 1
            answers[aid] = 0
            started = time.monotonic()
            close = False
            try:
                writer.write(raw)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split()[1])
                headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
                await reader.readexactly(int(headers.get("content-length", "0")))
                answers[aid] = status
                latencies.append(time.monotonic() - started)
                close = headers.get("connection", "") == "close"
            except asyncio.TimeoutError:
                errors["timeout"] += 1
                close = True
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors["read"] += 1
                close = True
            if close:
                writer.close()
                conn = await connect()
        if conn is not None:
            conn[1].close()

    async def trigger() -> None:
        await asyncio.sleep(at)
        action()

    killer = asyncio.create_task(trigger())
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    await killer
    load = Load(duration_s=time.monotonic() - t0, completed=len(latencies))
    for status in answers.values():
        if status:
            load.statuses[str(status)] = load.statuses.get(str(status), 0) + 1
    load.socket_errors = {k: v for k, v in errors.items() if v}
    latencies.sort()
    if latencies:
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        load.p50_ms, load.p90_ms, load.p99_ms, load.max_ms = pick(0.5), pick(0.9), pick(0.99), latencies[-1] * 1000
    load.sent_per_thread = [next_index]
    return load, answers


# ------------------------------------------------------------------------- scenarios

@dataclass
class Drain:
    at_load_end: dict[str, int] = field(default_factory=dict)
    final: dict[str, int] = field(default_factory=dict)
    seconds_after_load: float = 0.0
    complete: bool = False
    errors: list = field(default_factory=list)
    lease_waits: int = 0  # items that sat claimed by a dead process until their lease ran out


@dataclass
class Result:
    scenario: str
    database: str
    target_rate: float
    load: Load = field(default_factory=Load)
    warmup: Load | None = None
    drain: Drain = field(default_factory=Drain)
    cpu: dict[str, float] = field(default_factory=dict)
    load_started: float = 0.0
    stored_not_sent: int = 0  # rows whose id was never sent: should be 0
    accepted_lost: int = 0  # crash: answered 202 but no row
    stored_unanswered: int = 0  # crash: stored, but the client got no 202 (killed mid-answer)
    killed: dict = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def processing_rate(self) -> float:
        total = self.drain.final.get("processed", 0) + self.drain.final.get("errored", 0)
        elapsed = self.load.duration_s + self.drain.seconds_after_load
        return total / elapsed if elapsed else 0.0


async def drain(db: Db, result: Result, timeout: float, lease_ok: bool) -> None:
    """Poll until every stored item is processed or errored (or `timeout`)."""
    d = result.drain
    d.at_load_end = await db.counts()
    t0 = time.monotonic()
    last_progress, last_done, last_print = t0, -1, t0 - 25
    counts = d.at_load_end
    while time.monotonic() - t0 < timeout:
        counts = await db.counts()
        done = counts["processed"] + counts["errored"]
        if counts["received"] == 0:
            d.complete = True
            break
        if done != last_done:
            last_done, last_progress = done, time.monotonic()
        elif counts["leased"] and lease_ok:
            d.lease_waits = max(d.lease_waits, counts["leased"])
        elif time.monotonic() - last_progress > 60 and not counts["leased"]:
            break  # nothing moves and nothing is claimed: retries waiting for their backoff
        if time.monotonic() - last_print >= 30:
            last_print = time.monotonic()
            print(f"  … {counts['received']:,} items still to process ({counts['leased']} claimed, "
                  f"{counts['retrying']} retrying)", flush=True)
        await asyncio.sleep(1)
    d.seconds_after_load = time.monotonic() - t0
    d.final = counts if not d.complete else await db.counts()
    d.errors = await db.errors()


async def scenario(name: str, args: argparse.Namespace, port: int, keys: list[dict[str, str]],
                   requests: RequestSet, items: list[tuple[str, bytes]] | None) -> Result:
    db_kind = "postgresql" if args.database_url else "sqlite"
    result = Result(name, db_kind, TARGET_RATE[db_kind])
    base = f"http://127.0.0.1:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix=f"kith-bench-inbox-{name}-"))
    env = {k: v for k, v in os.environ.items() if not (k.startswith("KITH_") or k == "DATABASE_URL")}
    env.update(KITH_DATA_DIR=str(data_dir), KITH_BASE_URL=base, KITH_ADMIN_USER=LOCAL_USER,
               KITH_ADMIN_PASSWORD="bench-password-1", KITH_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    node: Node | None = None
    db = Db(env)
    print(f"\n== scenario {name} ({db_kind})", flush=True)
    try:
        if args.database_url:
            await _pg(args.database_url, create=False)  # left over by an earlier scenario
            await _pg(args.database_url, create=True)
        await asyncio.to_thread(run_kith, env, "init")
        await seed(env, keys)
        node = start_node(env, port, args.workers, data_dir, separate=name == "separate")
        await db.open()
        named = {f"web {i + 1}" + (" (+queues)" if i == 0 and node.worker is None else ""): pid
                 for i, pid in enumerate(node.web)}
        if node.worker is not None:
            named["kith worker"] = node.worker.pid
        print(f"Serving {base}: " + ", ".join(f"{k} pid {v}" for k, v in named.items()), flush=True)

        spies = []
        if name != "crash":
            offsets = [0] * args.threads
            if args.warmup:
                result.warmup = await asyncio.to_thread(run_wrk, args, base, requests, args.warmup, offsets)
                offsets = result.warmup.sent_per_thread
            if args.profile:
                stamp = time.strftime("%Y%m%d-%H%M%S")
                suffix = {"flamegraph": "svg", "raw": "txt", "speedscope": "json"}[args.profile_format]
                for label, pid in named.items():
                    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
                    out = RESULTS / f"pyspy-inbox-{db_kind}-{name}-{slug}-{stamp}.{suffix}"
                    spy = py_spy(pid, args.duration, out, args.profile_format)
                    if spy is not None:
                        spies.append((spy, out))
            print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s POST /inbox …", flush=True)
            cpu = CpuUse(named, args.database_url)
            result.load_started = time.monotonic()
            result.load = await asyncio.to_thread(run_wrk, args, base, requests, args.duration, offsets)
            result.cpu = cpu.finish()
            for spy, out in spies:
                spy.wait(timeout=60)
                result.profiles.append(str(out))
            sent = requests.ids_sent(
                [o + s for o, s in zip(offsets, result.load.sent_per_thread)], [0] * args.threads)
            if result.load.replayed:
                result.notes.append(f"{result.load.replayed:,} requests were replays (ran out of distinct "
                                    "activities; raise --count)")
        else:
            victim = node.web[0]

            def kill() -> None:
                result.killed = {"pid": victim, "at_s": round(time.monotonic() - result.load_started, 2)}
                os.kill(victim, signal.SIGKILL)
                print(f"  killed web worker {victim} (runs the queue workers) with SIGKILL "
                      f"at {result.killed['at_s']} s", flush=True)

            print(f"asyncio client, {args.connections} connections, {args.duration}s POST /inbox, "
                  f"kill -9 {victim} at {args.duration * args.kill_at:.1f} s …", flush=True)
            result.load_started = time.monotonic()
            result.load, answers = await client_load(port, items, args.connections, args.duration,
                                                     args.duration * args.kill_at, kill)
            # (no CPU split: the killed process's time is lost with it)
            sent = set(answers)
            accepted = {aid for aid, status in answers.items() if status == 202}
            deadline = time.monotonic() + 30
            while len(children(node.server.pid)) < args.workers and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            restarted = [p for p in children(node.server.pid) if p not in node.web]
            result.killed["restarted_as"] = restarted
            if node.server.poll() is not None or not restarted:
                raise BenchError(f"the supervisor did not restart the killed worker (children now "
                                 f"{children(node.server.pid)})")

        await drain(db, result, args.drain_timeout, lease_ok=name == "crash")
        stored = await db.activity_ids()
        result.stored_not_sent = len(stored - sent)
        if name == "crash":
            result.accepted_lost = len(accepted - stored)
            result.stored_unanswered = len(stored - accepted)
        else:
            # Every distinct activity answered 202 must be a row (replays are duplicates).
            accepted = sum(x.accepted - x.replayed for x in (result.load, result.warmup) if x is not None)
            result.accepted_lost = max(0, accepted - len(stored))
        if node.server.poll() is not None:
            raise BenchError(f"kith serve exited with {node.server.returncode}")
        return result
    except BenchError as e:
        tail = log_tail(node)
        raise BenchError(f"{name}: {e}" + (f"\n{tail}" if tail else "")) from None
    finally:
        await db.close()
        stop_node(node)
        if node is not None and not args.keep:
            for log in node.logs:
                text = log.read_text(errors="replace") if log.exists() else ""
                lines = text.splitlines()
                problems = [i for i, line in enumerate(lines) if line.startswith(("ERROR", "CRITICAL"))]
                if problems:
                    first = " / ".join(lines[problems[0]:problems[0] + 2])
                    result.notes.append(f"{log.name}: {len(problems)} ERROR lines, first: {first[:300]}")
        if args.keep:
            print(f"Kept {data_dir}", flush=True)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


# ------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import node  # noqa: F401
    except ImportError:
        print(f"bench: Kith is not installed for {sys.executable}; run this with the venv's python "
              "(e.g. /tmp/kvenv/bin/python bench/inbox.py)", file=sys.stderr)
        return 2
    if shutil.which("wrk") is None and set(args.scenarios) - {"crash"}:
        print("bench: wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    db_kind = "postgresql" if args.database_url else "sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="kith-bench-inbox-requests-"))
    results: list[Result] = []
    try:
        t0 = time.monotonic()
        keys = actor_keys(args.actors)
        count = args.count or math.ceil(TARGET_RATE[db_kind] * 2 * (args.duration + args.warmup))
        requests = presign(keys, base, count, args.threads, workdir, args.published_in_seconds)
        print(f"  ({time.monotonic() - t0:.1f} s)", flush=True)
        items = requests.load() if "crash" in args.scenarios else None
        for name in args.scenarios:
            results.append(asyncio.run(scenario(name, args, port, keys, requests, items)))
        ok = report(args, results)
        if args.json:
            Path(args.json).write_text(json.dumps(
                {"database": db_kind, "targets_met": ok, "count": requests.count,
                 "results": [{k: v for k, v in asdict(r).items()} for r in results]},
                indent=2, default=str) + "\n")
        return 0 if ok else 1
    except (BenchError, subprocess.TimeoutExpired) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.database_url and not args.keep:
            try:
                asyncio.run(_pg(args.database_url, create=False))
            except BenchError:
                pass


def report(args: argparse.Namespace, results: list[Result]) -> bool:
    rows: list[tuple[str, str, str, str]] = []
    ok_all = True

    def row(what: str, value: str, target: str = "", ok: bool | None = None) -> None:
        nonlocal ok_all
        if ok is not None:
            ok_all &= ok
        rows.append((what, value, target, "" if ok is None else ("ok" if ok else "MISSED")))

    for r in results:
        tag = f"[{r.scenario}]"
        load = r.load
        if r.scenario != "crash":
            row(f"{tag} accepted (202)/s", f"{load.rate:,.0f} ({load.accepted:,} in {load.duration_s:.1f} s)",
                f">= {r.target_rate:,.0f}", load.rate >= r.target_rate)
            row(f"{tag} p99", f"{load.p99_ms:.1f} ms (p50 {load.p50_ms:.1f}, p90 {load.p90_ms:.1f}, "
                f"max {load.max_ms:.0f})", f"< {TARGET_P99_MS:.0f} ms", load.p99_ms < TARGET_P99_MS)
            bad = {k: v for k, v in load.statuses.items() if k != "202"}
            row(f"{tag} not accepted", ", ".join(f"{v} x {k}" for k, v in bad.items()) + (
                ", " if bad and load.socket_errors else "") + ", ".join(
                f"{v} {k} errors" for k, v in load.socket_errors.items()) or "0", "0", not load.not_accepted)
            row(f"{tag} accepted but not stored", f"{r.accepted_lost}", "0", r.accepted_lost == 0)
        else:
            row(f"{tag} killed", f"pid {r.killed.get('pid')} at {r.killed.get('at_s')} s, restarted as "
                f"{r.killed.get('restarted_as')}")
            row(f"{tag} answers", f"{load.accepted:,} x 202 ({load.rate:,.0f}/s, p99 {load.p99_ms:.0f} ms)" + "".join(
                f", {v} x {k}" for k, v in load.statuses.items() if k != "202") + "".join(
                f", {v} {k} errors" for k, v in load.socket_errors.items()))
            row(f"{tag} answered 202 but not stored", f"{r.accepted_lost}", "0", r.accepted_lost == 0)
            row(f"{tag} stored without a 202", f"{r.stored_unanswered} (in flight at the kill; fine)")
        if r.stored_not_sent:
            row(f"{tag} stored but never sent", str(r.stored_not_sent), "0", False)
        f, d = r.drain.final, r.drain
        row(f"{tag} processed", f"{f.get('processed', 0):,} of {f.get('total', 0):,} stored, "
            f"{f.get('posts', 0):,} posts kept", "all", d.complete and f.get("processed") == f.get("total")
            and f.get("posts") == f.get("total"))
        if f.get("errored"):
            row(f"{tag} errored", str(f["errored"]), "0", False)
        during = d.at_load_end.get("processed", 0) + d.at_load_end.get("errored", 0)
        per_s = during / load.duration_s if load.duration_s else 0.0
        row(f"{tag}   processed during the load", f"{during:,} ({per_s:,.0f}/s)")
        row(f"{tag}   drained after the load in", f"{d.seconds_after_load:.0f} s"
            + (f" (waited for the lease of {d.lease_waits} claimed items)" if d.lease_waits else "")
            + ("" if d.complete else " (NOT complete)"))
        if not d.lease_waits:
            row(f"{tag}   processing rate overall", f"{r.processing_rate:,.0f} items/s (load start to last item)")
        if r.cpu:
            row(f"{tag}   CPU during the load", ", ".join(f"{k} {v:.2f}" for k, v in r.cpu.items()) + " cores")
        for state, error, n in d.errors:
            row(f"{tag}   {state} x {n}", error[:160])
        for note in r.notes:
            row(f"{tag}   note", note)
        for path in r.profiles:
            row(f"{tag}   py-spy", path)

    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nKith inbox benchmark: {db}, {args.actors} remote actors, --workers {args.workers}, "
          f"{args.connections} connections, {args.duration} s of load, {os.cpu_count()} cores")
    widths = [min(70, max(len(r[i]) for r in rows + [("what", "measured", "target", "")])) for i in range(4)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format("what", "measured", "target", ""))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r).rstrip())
    print("All targets met." if ok_all else "Some targets MISSED.")
    if any(r.cpu.get("everything else", 0) > OTHER_LOAD_WARN for r in results):
        print("Warning: other processes used the CPU during a load ('everything else' above); the numbers are "
              "lower and noisier than on an idle machine.")
    return ok_all


if __name__ == "__main__":
    sys.exit(main())
