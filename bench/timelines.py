"""Benchmark the home timeline and a thread page on a node with 1,000,000 posts.

    .venv/bin/python bench/timelines.py                  # SQLite (data kept in bench/results/)
    .venv/bin/python bench/timelines.py --database-url postgres://postgres@127.0.0.1:5432/kith_bench_timelines
    .venv/bin/python bench/timelines.py --reseed         # seed again (after a change to the seeding)
    .venv/bin/python bench/timelines.py --drop           # remove the kept data (and database), then stop

Run it with the Python that has Kith installed.

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
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # noqa: E402  (bench/ is not a package)
    BenchError, CpuWatch, WORDS, _admin_url, _our_backends, _process_ticks, free_port, run_kith, stop,
    wait_healthy)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 50.0
OTHER_LOAD_WARN = 0.15
BASE_URL = "http://localhost:8000"  # links in the seeded posts; the node listens elsewhere
SEED_VERSION = 1
READER = "reader"
LOCALS = ("alice", "bob", "carol", "dan", "erin")  # erin blocks reader
PASSWORD = "bench-password-1"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Visibility weights by kind of author. A remote server sends us followers-only posts only
# when someone here follows the author, and direct posts only when they mention someone here.
MIX_LOCAL = {"public": 45, "unlisted": 20, "followers": 20, "direct": 5, "local": 10}
MIX_FOLLOWED = {"public": 55, "unlisted": 20, "followers": 20, "direct": 5}
MIX_UNFOLLOWED = {"public": 75, "unlisted": 20, "direct": 5}


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


# ------------------------------------------------------------------------ the plan

@dataclass
class Plan:
    """Everything seeded, decided up front from one random seed (so reruns are identical)."""

    args: argparse.Namespace
    rng: random.Random = field(default_factory=lambda: random.Random(20261201))

    def __post_init__(self) -> None:
        a, rng = self.args, self.rng
        self.remote = list(range(a.remote_actors))  # remote actor numbers
        ranks = self.remote[:]
        rng.shuffle(ranks)
        # Posting rate by a Zipf-like law: a few accounts post a lot, most rarely.
        self.remote_weight = [1 / (1 + r) ** 0.8 for r in ranks]
        self.followed = set(rng.sample(self.remote, a.following - 4))  # + alice, bob, carol, dan
        rest = [r for r in self.remote if r not in self.followed]
        self.pending = set(rng.sample(rest, 30))
        # Remote actors other local accounts follow (their followers-only posts reach us too).
        self.followed_by_others = set(rng.sample(self.remote, a.remote_actors // 10))

    def settings(self) -> dict:
        a = self.args
        return {"version": SEED_VERSION, "posts": a.posts, "remote_actors": a.remote_actors,
                "following": a.following}


def remote_ap_id(n: int) -> str:
    return f"https://r{n % 400}.remote.test/users/u{n}"


def post_id(at: datetime, n: int) -> int:
    """An id as node.ids makes them (milliseconds in the high bits), unique by construction."""
    return ((at - EPOCH) // timedelta(milliseconds=1)) << 16 | (n & 0xFFFF)


def text(rng: random.Random, mention: str | None) -> tuple[str, str]:
    words = rng.choices(WORDS, k=rng.randint(6, 40))
    words[0] = words[0].capitalize()
    plain = " ".join(words) + "."
    if mention:
        plain = f"@{mention} {plain}"
        html = (f'<p><span class="h-card"><a href="#" class="u-url mention">@<span>{mention}</span></a>'
                f'</span> {" ".join(words)}.</p>')
        return plain, html
    return plain, f"<p>{plain}</p>"


# ------------------------------------------------------------------ the conversation

@dataclass
class Reply:
    parent: int | None  # index of the parent in the conversation
    author: str  # a local name, or "fN"/"uN": the N-th followed / unfollowed remote participant
    visibility: str
    mention: str | None = None
    deleted: bool = False


def conversation(rng: random.Random) -> list[Reply]:
    """Return a 200-post tree: root by alice; a 30-deep chain ending with carol's reply; the
    rest spread under earlier posts. Replies the reader may not see: followers-only posts of
    accounts it does not follow, direct posts to others, all of erin's (she blocks reader),
    one deleted; `local` ones only signed-in readers see. The order is the time order."""
    people = ["alice", "bob", "carol", "dan", "erin", READER, "f0", "f1", "f2", "f3", "u0", "u1", "u2", "u3"]
    tree = [Reply(None, "alice", "public")]
    for depth in range(1, 31):  # the deep chain
        author = "carol" if depth == 30 else ("alice", "bob", "f0", "u1", "dan")[depth % 5]
        tree.append(Reply(depth - 1, author, "public" if depth % 7 else "unlisted"))
    while len(tree) < 200:
        parent = min(int(rng.expovariate(1 / 40)), len(tree) - 1)  # shallow posts get more replies
        author = rng.choice(people)
        roll = rng.random()
        if roll < 0.60:
            visibility, mention = "public", None
        elif roll < 0.75:
            visibility, mention = "unlisted", None
        elif roll < 0.87:
            visibility, mention = "followers", (READER if rng.random() < 0.2 else None)
        elif roll < 0.93:
            visibility, mention = "direct", rng.choice((READER, "bob", "dan"))
        else:
            visibility, mention = ("local", None) if author in LOCALS or author == READER else ("public", None)
        tree.append(Reply(parent, author, visibility, mention))
    tree[57].deleted = True
    return tree


# ------------------------------------------------------------------------ seeding

class Writer:
    """Bulk inserts into SQLite (executemany, one transaction) or PostgreSQL (COPY)."""

    POST_COLUMNS = ("id", "ap_id", "url", "local", "visibility", "source", "content_html",
                    "content_warning", "sensitive", "in_reply_to_ap_id", "created_at", "edited_at",
                    "deleted_at", "author_id", "in_reply_to_id")

    def __init__(self, database_url: str) -> None:
        self.sqlite = database_url.startswith("sqlite://")
        self.url = database_url

    async def open(self) -> None:
        if self.sqlite:
            import sqlite3

            self.conn = sqlite3.connect(self.url.removeprefix("sqlite://"), isolation_level=None)
            self.conn.execute("PRAGMA synchronous = OFF")
            self.conn.execute("PRAGMA cache_size = -400000")
            self.conn.execute("BEGIN")
        else:
            import asyncpg

            self.conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))

    async def close(self, analyze: bool) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.close()
        else:
            for table in ("actors", "follows", "blocks", "mentions"):
                await self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")
            if analyze:
                await self.conn.execute("ANALYZE")
            await self.conn.close()

    def value(self, v):
        """SQLite stores what Tortoise writes: 0/1 for booleans, ISO text for times."""
        if self.sqlite:
            if isinstance(v, bool):
                return int(v)
            if isinstance(v, datetime):
                return v.isoformat(" ")
        return v

    async def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.sqlite:
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                                  [tuple(self.value(v) for v in row) for row in rows])
        else:
            await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def rows(self, sql: str) -> list[tuple]:
        if self.sqlite:
            return self.conn.execute(sql).fetchall()
        return [tuple(r) for r in await self.conn.fetch(sql)]


async def create_locals(env: dict[str, str]) -> None:
    """Make the local accounts (reader is made by `kith init`) as the service makes them."""
    from node.db import close_database, open_database
    from node.services.accounts import create_account
    from node.settings import load_settings
    from node.uris import Uris

    settings = load_settings(env)
    await open_database(settings)
    try:
        for name in LOCALS:
            await create_account(Uris(settings.base_url), name, PASSWORD)
    finally:
        await close_database()


async def seed(env: dict[str, str], plan: Plan) -> dict:
    """Write the plan's actors, follows, block and posts; return what the run needs to know."""
    from node.settings import load_settings

    writer = Writer(load_settings(env).database_url)
    await writer.open()
    try:
        info = await _seed(writer, plan)
        await writer.insert("bench_seed", ("value",), [(json.dumps({**plan.settings(), **info}),)])
    except BaseException:
        if writer.sqlite:
            writer.conn.execute("ROLLBACK")
        raise
    await writer.close(analyze=not writer.sqlite)
    return info


async def _seed(w: Writer, plan: Plan) -> dict:
    rng, now = plan.rng, datetime.now(timezone.utc).replace(microsecond=0)
    if w.sqlite:
        w.conn.execute('CREATE TABLE "bench_seed" ("value" TEXT NOT NULL)')
    else:
        await w.conn.execute('CREATE TABLE "bench_seed" ("value" TEXT NOT NULL)')
    local_ids = dict(await w.rows("SELECT username, id FROM actors WHERE local"))
    await w.insert("actors", ("ap_id", "actor_type", "username", "domain", "local", "display_name",
                              "summary_html", "url", "inbox", "shared_inbox", "outbox", "followers_url",
                              "following_url", "public_key_id", "public_key_pem", "locked", "discoverable",
                              "created_at", "changed_at", "fetched_at"),
                   [_remote_actor(n, now) for n in plan.remote])
    by_ap_id = dict(await w.rows("SELECT ap_id, id FROM actors WHERE NOT local"))
    remote_ids = [by_ap_id[remote_ap_id(n)] for n in plan.remote]
    await _seed_relations(w, plan, local_ids, remote_ids, now)
    return await _seed_posts(w, plan, local_ids, remote_ids, now)


def _remote_actor(n: int, now: datetime) -> tuple:
    ap_id, host = remote_ap_id(n), f"r{n % 400}.remote.test"
    return (ap_id, "Person", f"u{n}", host, False, f"Remote {n}", "", f"https://{host}/@u{n}",
            f"{ap_id}/inbox", f"https://{host}/inbox", f"{ap_id}/outbox", f"{ap_id}/followers",
            f"{ap_id}/following", f"{ap_id}#main-key", "", False, True, now, now, now)


async def _seed_relations(w: Writer, plan: Plan, local_ids: dict, remote_ids: list[int], now: datetime) -> None:
    me = local_ids[READER]
    follows = [(me, local_ids[name], "accepted") for name in ("alice", "bob", "carol", "dan")]
    follows += [(me, remote_ids[n], "accepted") for n in sorted(plan.followed)]
    follows += [(me, remote_ids[n], "requested") for n in sorted(plan.pending)]
    others = [local_ids[name] for name in LOCALS]
    for i, n in enumerate(sorted(plan.followed_by_others)):
        follows.append((others[i % len(others)], remote_ids[n], "accepted"))
    follows += [(local_ids[a], local_ids[b], "accepted") for a in LOCALS for b in (*LOCALS, READER)
                if a != b and a != "erin"]
    await w.insert("follows", ("follower_id", "target_id", "state", "created_at", "accepted_at"),
                   [(f, t, s, now, now if s == "accepted" else None) for f, t, s in follows])
    await w.insert("blocks", ("blocker_id", "target_id", "created_at"), [(local_ids["erin"], me, now)])


async def _seed_posts(w: Writer, plan: Plan, local_ids: dict, remote_ids: list[int], now: datetime) -> dict:
    """Write the posts in id order, in chunks, with their mentions; return the ids to measure."""
    args, rng = plan.args, plan.rng
    tree = conversation(rng)
    span = timedelta(days=730)
    start = now - span
    times = sorted(rng.random() for _ in range(args.posts - len(tree)))
    conv_start = now - timedelta(days=3)
    conv_times = sorted(rng.random() for _ in range(len(tree)))
    events = [(start + span * t, -1) for t in times]
    events += [(conv_start + timedelta(hours=36) * t, i) for i, t in enumerate(conv_times)]
    events.sort()
    locals_ = [local_ids[name] for name in (READER, *LOCALS)]
    local_name = {v: k for k, v in local_ids.items()}
    cum = list(accumulate(plan.remote_weight))
    local_share = 0.03
    followed_local = set(plan.followed) | set(plan.followed_by_others)
    f_people = rng.sample(sorted(plan.followed), 4)
    u_people = rng.sample(sorted(set(plan.remote) - plan.followed - plan.pending), 4)
    recent: list[tuple[int, str]] = []
    conv_ids: dict[int, tuple[int, str]] = {}
    posts, mentions, counts = [], [], {}
    for n, (at, conv) in enumerate(events):
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        pid = post_id(at, n)
        if conv >= 0:
            row, mentioned = _conversation_post(tree[conv], conv_ids, pid, at, local_ids, remote_ids,
                                                f_people, u_people, rng)
            conv_ids[conv] = (pid, row[1])
        else:
            row, mentioned = _ordinary_post(plan, rng, pid, at, recent, locals_, local_name, remote_ids,
                                            cum, local_share, followed_local, local_ids)
        posts.append(row)
        mentions += [(pid, a) for a in mentioned]
        counts[row[4]] = counts.get(row[4], 0) + 1
        if conv < 0:  # ordinary posts never reply into the conversation
            recent.append((pid, row[1]))
        if len(recent) > 4000:
            del recent[:2000]
        if len(posts) >= 50_000:
            await _flush(w, posts, mentions)
            print(f"  {n + 1:,} posts", flush=True)
    await _flush(w, posts, mentions)
    root, deep = conv_ids[0][0], conv_ids[30][0]
    return {"root": root, "deep": deep, "visibilities": counts, "tree": [r.__dict__ for r in tree]}


async def _flush(w: Writer, posts: list, mentions: list) -> None:
    await w.insert("posts", Writer.POST_COLUMNS, posts)
    await w.insert("mentions", ("post_id", "actor_id"), mentions)
    posts.clear()
    mentions.clear()


def _row(pid: int, ap_id: str, url: str, local: bool, visibility: str, plain: str, html: str, cw: str,
         parent: tuple[int, str] | None, at: datetime, author: int, deleted: bool = False) -> tuple:
    return (pid, ap_id, url, local, visibility, plain if local and not deleted else "",
            "" if deleted else html, cw, bool(cw), parent[1] if parent else None, at, None,
            at + timedelta(hours=1) if deleted else None, author, parent[0] if parent else None)


def _urls(pid: int, local_name: str | None, remote_n: int | None) -> tuple[str, str]:
    if local_name is not None:
        return f"{BASE_URL}/users/{local_name}/statuses/{pid}", f"{BASE_URL}/@{local_name}/{pid}"
    ap_id = f"{remote_ap_id(remote_n)}/statuses/{pid}"
    return ap_id, f"https://r{remote_n % 400}.remote.test/@u{remote_n}/{pid}"


def _ordinary_post(plan, rng, pid, at, recent, locals_, local_name, remote_ids, cum, local_share,
                   followed_local, local_ids) -> tuple[tuple, list[int]]:
    local = rng.random() < local_share
    if local:
        author = rng.choice(locals_)
        name, remote_n, mix = local_name[author], None, MIX_LOCAL
    else:
        remote_n = bisect(cum, rng.random() * cum[-1])
        author, name = remote_ids[remote_n], None
        mix = MIX_FOLLOWED if remote_n in followed_local else MIX_UNFOLLOWED
    visibility = rng.choices(list(mix), list(mix.values()))[0]
    mentioned: list[int] = []
    if visibility == "direct" or rng.random() < 0.05:
        if not local and (visibility == "direct" or rng.random() < 0.3):
            target = rng.choice(locals_)  # a remote server sends us a direct post only for us
        else:
            target = rng.choice(locals_) if rng.random() < 0.3 else remote_ids[rng.randrange(len(remote_ids))]
        if target != author:
            mentioned.append(target)
    mention_name = local_name.get(mentioned[0]) if mentioned else None
    plain, html = text(rng, mention_name or ("someone" if mentioned else None))
    cw = rng.choice(("food", "politics", "long")) if rng.random() < 0.05 else ""
    parent = recent[rng.randrange(len(recent))] if recent and rng.random() < 0.25 else None
    ap_id, url = _urls(pid, name, remote_n)
    deleted = rng.random() < 0.005
    return _row(pid, ap_id, url, local, visibility, plain, html, cw, parent, at, author, deleted), \
        ([] if deleted else mentioned)


def _conversation_post(reply: Reply, conv_ids, pid, at, local_ids, remote_ids, f_people, u_people,
                       rng) -> tuple[tuple, list[int]]:
    if reply.author[0] in "fu" and reply.author[1:].isdigit():
        remote_n = (f_people if reply.author[0] == "f" else u_people)[int(reply.author[1:])]
        author, name = remote_ids[remote_n], None
    else:
        remote_n, name, author = None, reply.author, local_ids[reply.author]
    mentioned = [local_ids[reply.mention]] if reply.mention and local_ids[reply.mention] != author else []
    plain, html = text(rng, reply.mention)
    parent = conv_ids[reply.parent] if reply.parent is not None else None
    ap_id, url = _urls(pid, name, remote_n)
    return _row(pid, ap_id, url, name is not None, reply.visibility, plain, html, "", parent, at, author,
                reply.deleted), mentioned


# ------------------------------------------------------------------ kept data

def locations(args: argparse.Namespace) -> tuple[Path, str | None]:
    if args.database_url:
        _, db = _admin_url(args.database_url)
        return RESULTS / f"timelines-{db}", args.database_url
    return RESULTS / "timelines-sqlite", None


async def pg_database(database_url: str, action: str) -> None:
    """`create` (dropping any old one first) or `drop` the benchmark database."""
    import asyncpg

    admin, db = _admin_url(database_url)
    try:
        conn = await asyncpg.connect(admin, timeout=10)
    except Exception as e:
        raise BenchError(f"cannot connect to PostgreSQL at {admin}: {e}") from None
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{db}"')
    finally:
        await conn.close()


async def kept_seed(env: dict[str, str]) -> dict | None:
    """Return what the kept database says was seeded, or None when there is nothing usable."""
    from node.settings import load_settings

    settings = load_settings(env)
    if settings.is_sqlite and not Path(settings.database_url.removeprefix("sqlite://")).exists():
        return None
    writer = Writer(settings.database_url)
    try:
        if writer.sqlite:
            import sqlite3

            writer.conn = sqlite3.connect(settings.database_url.removeprefix("sqlite://"))
        else:
            import asyncpg

            writer.conn = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://", 1))
    except Exception:
        return None
    try:
        rows = await writer.rows('SELECT "value" FROM "bench_seed"')
        return json.loads(rows[0][0]) if rows else None
    except Exception:
        return None
    finally:
        result = writer.conn.close()
        if asyncio.iscoroutine(result):
            await result


def prepare(args: argparse.Namespace, env: dict[str, str], data_dir: Path) -> dict:
    """Return the seed info, seeding first when the kept data is missing or different."""
    plan = Plan(args)
    kept = None if args.reseed else asyncio.run(kept_seed(env))
    if kept is not None and all(kept.get(k) == v for k, v in plan.settings().items()):
        print(f"Using the kept data ({data_dir}{', ' + args.database_url if args.database_url else ''}).")
        return kept
    print("Seeding (takes a few minutes; kept for later runs) …", flush=True)
    t0 = time.monotonic()
    shutil.rmtree(data_dir, ignore_errors=True)
    if args.database_url:
        asyncio.run(pg_database(args.database_url, "create"))
    run_kith(env, "init")
    asyncio.run(create_locals(env))
    info = asyncio.run(seed(env, plan))
    print(f"Seeded in {time.monotonic() - t0:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in info["visibilities"].items()))
    return {**plan.settings(), **info}


async def open_reader_session(env: dict[str, str]) -> str:
    from node.db import close_database, open_database
    from node.models import Account
    from node.services.sessions import open_session
    from node.settings import load_settings

    await open_database(load_settings(env))
    try:
        return await open_session(await Account.get(username=READER))
    finally:
        await close_database()


async def analyze(env: dict[str, str]) -> None:
    import asyncpg
    from node.settings import load_settings

    conn = await asyncpg.connect(load_settings(env).database_url.replace("postgres://", "postgresql://", 1))
    try:
        # Autovacuum would have done both on a node whose posts came in over two years: the
        # statistics for the planner, and the visibility map for index-only scans.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


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
    shown = home.count('<article class="post"')
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
        posts = body.count('<article class="post"')
        if status != 200 or posts == 0:
            raise BenchError(f"GET {page.path} answered {status} with {posts} posts")
        page.note = f"{posts} posts, {len(body) // 1024} KiB"
    return pages


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
