"""Benchmark delivery fan-out: one public Create to the shared inboxes of 2,000 followers.

    /tmp/kvenv/bin/python bench/delivery.py
    /tmp/kvenv/bin/python bench/delivery.py --database-url postgres://postgres@127.0.0.1:5432/kith_bench_delivery

What it does, all on loopback and bounded in time (--timeout per round):
  1. starts --receivers helper processes that serve --hosts fake servers between them
     (aiohttp.web, one loopback port each); every POST's HTTP signature is verified with the
     sender's public key and its arrival time recorded;
  2. makes a fresh database (SQLite in a temporary directory, or the PostgreSQL database
     --database-url names, which must not exist yet and is dropped at the end) and starts
     federation.delivery.DeliveryWorker.run_forever on it, as node.worker would;
  3. --rounds times: enqueues one public Create to the shared inboxes of --followers
     followers spread over the hosts (deduplicated to one row per host) in one transaction,
     wakes the worker, and waits until every row is delivered;
  4. prints, per round, the time from the start of enqueue to the first, median and last
     arrival and the deliveries per second, and checks every inbox received one copy with a
     valid signature.

Target: every inbox within 2 s of enqueue. Exit status 0 when every round meets it, 1 when
one misses, 2 when the benchmark could not run. Round 1 opens every connection; later
rounds reuse them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import BenchError, _pg  # noqa: E402  (bench/ is not a package)

TARGET_SECONDS = 2.0
KEY_ID = "http://bench.local/users/bench#main-key"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=None,
                   help="postgres://USER@HOST:PORT/DB (created, then dropped); default: SQLite")
    p.add_argument("--hosts", type=int, default=400, help="fake servers, one shared inbox each (400)")
    p.add_argument("--followers", type=int, default=2000, help="followers spread over the hosts (2000)")
    p.add_argument("--rounds", type=int, default=3, help="posts to deliver, one after another (3)")
    p.add_argument("--receivers", type=int, default=4, help="helper processes serving the hosts (4)")
    p.add_argument("--concurrency", type=int, default=64, help="DeliveryWorker concurrency (64)")
    p.add_argument("--per-host", type=int, default=4, help="DeliveryWorker sends per host (4)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a round (60)")
    p.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)  # helper mode
    p.add_argument("--public-key", default="", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if min(args.hosts, args.followers, args.rounds, args.receivers, args.concurrency, args.per_host) < 1:
        p.error("counts must be 1 or more")
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        p.error("--database-url must be postgres://… (SQLite is the default)")
    return args


# ---------------------------------------------------------------------- receivers (helper)

async def serve(count: int, public_key_file: str) -> None:
    """Serve `count` verifying inboxes; print their ports; on each stdin line print receipts."""
    from aiohttp import web

    from federation.signatures import RequestFacts, verify

    pem = Path(public_key_file).read_text()
    receipts: list[dict] = []

    async def inbox(request: web.Request) -> web.Response:
        body = await request.read()
        arrived = time.time()
        facts = RequestFacts.of("POST", f"http://{request.host}{request.path_qs}",
                                list(request.headers.items()), body)
        ok = verify(facts, pem, datetime.now(timezone.utc)).ok
        receipts.append({"host": request.host, "t": arrived, "ok": ok, "id": json.loads(body)["id"]})
        return web.Response(status=202 if ok else 401)

    app = web.Application()
    app.router.add_post("/inbox", inbox)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sites = [web.TCPSite(runner, "127.0.0.1", 0, backlog=512) for _ in range(count)]
    for site in sites:
        await site.start()
    print(json.dumps([s._server.sockets[0].getsockname()[1] for s in sites]), flush=True)
    await _report_on_request(receipts)
    await runner.cleanup()


async def _report_on_request(receipts: list[dict]) -> None:
    """Print (and forget) the receipts each time a line arrives on stdin; stop at EOF."""
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):
        print(json.dumps(receipts), flush=True)
        receipts.clear()


class Receivers:
    """The helper processes and the host -> port map of their inboxes."""

    def __init__(self, hosts: int, processes: int, public_key_file: str) -> None:
        shares = [hosts // processes + (i < hosts % processes) for i in range(processes)]
        self.procs = [subprocess.Popen([sys.executable, __file__, "--serve", str(n), "--public-key",
                                        public_key_file], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       text=True, cwd=ROOT) for n in shares if n]
        ports = [p for proc in self.procs for p in json.loads(self._line(proc))]
        self.host_map = {f"h{i}.bench": ("127.0.0.1", port) for i, port in enumerate(ports)}

    def _line(self, proc: subprocess.Popen) -> str:
        line = proc.stdout.readline()
        if not line:
            raise BenchError("a receiver process failed to start")
        return line

    def receipts(self) -> list[dict]:
        """Return what every receiver recorded since the last call."""
        for proc in self.procs:
            proc.stdin.write("report\n")
            proc.stdin.flush()
        return [r for proc in self.procs for r in json.loads(self._line(proc))]

    def close(self) -> None:
        for proc in self.procs:
            proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# ------------------------------------------------------------------------------ the sender

async def run(args: argparse.Namespace, receivers: Receivers, private_pem: str, data_dir: str) -> list[dict]:
    """Deliver `args.rounds` posts with a running worker; return one result per round."""
    from federation.delivery import DeliveryWorker
    from federation.transport import Transport, TransportConfig
    from node.db import close_database, migrate, open_database
    from node.settings import load_settings

    env = {"KITH_DATA_DIR": data_dir, "KITH_BASE_URL": "http://localhost:8000"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    settings = load_settings(env)
    await open_database(settings)
    await migrate(settings)
    transport = Transport(TransportConfig(host_map=receivers.host_map))

    async def private_key_for(key_id: str) -> str:
        return private_pem

    worker = DeliveryWorker(transport, private_key_for, concurrency=args.concurrency,
                            per_host=args.per_host)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run_forever(stop))
    try:
        return [await one_round(args, n, worker, receivers) for n in range(1, args.rounds + 1)]
    finally:
        stop.set()
        await running
        await transport.close()
        await close_database()


async def one_round(args: argparse.Namespace, n: int, worker, receivers: Receivers) -> dict:
    """Enqueue one Create to every shared inbox, wake the worker, wait; return the timings."""
    from tortoise.transactions import in_transaction

    from federation.delivery import enqueue
    from federation.models import Delivery, DeliveryState

    activity = _create(n)
    inboxes = [f"http://h{i % args.hosts}.bench/inbox" for i in range(args.followers)]
    start = time.time()
    async with in_transaction():
        rows = await enqueue(activity, inboxes, sender_key_id=KEY_ID, object_id=activity["object"]["id"])
    committed = time.time()
    worker.wake()
    pending = Delivery.filter(activity_id=activity["id"], state=DeliveryState.PENDING)
    while await pending.count():
        if time.time() - start > args.timeout:
            raise BenchError(f"round {n}: not all delivered within {args.timeout} s")
        await asyncio.sleep(0.02)
    failed = await Delivery.filter(activity_id=activity["id"]).exclude(state=DeliveryState.DELIVERED).count()
    return _timings(n, rows, failed, start, committed, receivers.receipts(), activity["id"])


def _create(n: int) -> dict:
    note = f"http://bench.local/users/bench/statuses/{n}"
    return {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create",
            "id": f"{note}/activity", "actor": "http://bench.local/users/bench",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": ["http://bench.local/users/bench/followers"],
            "object": {"id": note, "type": "Note", "content": f"<p>post {n}</p>",
                       "attributedTo": "http://bench.local/users/bench"}}


def _timings(n: int, rows: int, failed: int, start: float, committed: float, receipts: list[dict],
             activity_id: str) -> dict:
    mine = [r for r in receipts if r["id"] == activity_id]
    arrivals = sorted(r["t"] - start for r in mine)
    last = arrivals[-1] if arrivals else float("nan")
    return {"round": n, "inboxes": rows, "received": len(mine), "hosts": len({r["host"] for r in mine}),
            "bad_signatures": sum(not r["ok"] for r in mine), "not_delivered": failed,
            "enqueue_s": committed - start, "first_s": arrivals[0] if arrivals else float("nan"),
            "median_s": statistics.median(arrivals) if arrivals else float("nan"),
            "last_s": last, "per_s": len(mine) / last if arrivals else 0.0}


# ----------------------------------------------------------------------------- reporting

def report(results: list[dict], args: argparse.Namespace) -> bool:
    """Print the table; return whether every round met the target and arrived intact."""
    db = "postgresql" if args.database_url else "sqlite"
    print(f"\ndelivery fan-out: {args.followers} followers on {args.hosts} hosts, {db}, "
          f"concurrency {args.concurrency}, per host {args.per_host}, {args.receivers} receiver processes")
    print(f"{'round':>5} {'inboxes':>7} {'received':>8} {'bad sig':>7} {'enqueue':>8} {'first':>7} "
          f"{'median':>7} {'last':>7} {'deliv/s':>8}")
    ok = True
    for r in results:
        intact = r["received"] == r["hosts"] == r["inboxes"] and not r["bad_signatures"] and not r["not_delivered"]
        met = intact and r["last_s"] <= TARGET_SECONDS
        ok &= met
        print(f"{r['round']:>5} {r['inboxes']:>7} {r['received']:>8} {r['bad_signatures']:>7} "
              f"{r['enqueue_s'] * 1000:>6.0f}ms {r['first_s']:>6.3f}s {r['median_s']:>6.3f}s "
              f"{r['last_s']:>6.3f}s {r['per_s']:>8.0f}  {'ok' if met else 'MISSED'}")
    print(f"target: every inbox within {TARGET_SECONDS:.0f} s of enqueue, once, validly signed: "
          f"{'met' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.public_key))
        return 0
    from federation.keys import generate_key_pair

    keys = generate_key_pair()
    with tempfile.TemporaryDirectory(prefix="kith-bench-delivery-") as tmp:
        key_file = os.path.join(tmp, "public.pem")
        Path(key_file).write_text(keys.public_pem)
        receivers, created = None, False
        try:
            if args.database_url:
                asyncio.run(_pg(args.database_url, create=True))
                created = True
            receivers = Receivers(args.hosts, args.receivers, key_file)
            results = asyncio.run(run(args, receivers, keys.private_pem, os.path.join(tmp, "data")))
        except BenchError as e:
            print(f"bench/delivery.py: {e}", file=sys.stderr)
            return 2
        finally:
            if receivers:
                receivers.close()
            if created:
                asyncio.run(_pg(args.database_url, create=False))
    return 0 if report(results, args) else 1


if __name__ == "__main__":
    sys.exit(main())
