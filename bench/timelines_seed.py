"""Seeding for bench/timelines.py: 1,000,000 posts, the accounts and follows around them and
one 200-post conversation, written with bulk SQL and kept between runs (see that file).

Everything is decided up front from one random seed (`Plan`), so a reseed makes the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

from pages import BenchError, WORDS, _admin_url, _pg, run_kith

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
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
    now = datetime.now(timezone.utc).replace(microsecond=0)
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
    await _pg(database_url, create=False)
    if action == "create":
        await _pg(database_url, create=True)


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
