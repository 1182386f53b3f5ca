"""The delivery queue against a real database and real HTTP on loopback: a fake remote
server verifies every signature and records what arrived; a stepped clock moves past
backoff without sleeping."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web
from tortoise.transactions import in_transaction

from federation.delivery import SKIPPED, DeliveryWorker, claim_due, enqueue, ledger_inboxes
from federation.models import Delivery, DeliveryState, HostHealth
from federation.retry import GIVE_UP_AFTER
from federation.signatures import RequestFacts, verify
from federation.transport import Transport, TransportConfig

KEY_ID = "http://localhost:8000/users/alice#main-key"
NOTE = "http://localhost:8000/users/alice/statuses/1"
INBOX = "http://remote.test/inbox"


def create(n: int = 1) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create",
            "id": f"{NOTE}/activity/{n}", "actor": "http://localhost:8000/users/alice",
            "object": {"id": NOTE, "type": "Note", "content": "hello"}}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.current = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta

    def to(self, when: datetime) -> None:
        self.current = max(self.current, when)


@dataclass
class Received:
    path: str
    date: str
    signature: str
    activity: dict
    verified: bool


@dataclass
class Remote:
    """A fake remote server: answers from `script`, then `status`; records and verifies."""

    public_pem: str
    clock: Clock
    status: int = 202
    script: list[tuple[int, dict]] = field(default_factory=list)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        facts = RequestFacts.of("POST", f"http://{request.host}{request.path_qs}",
                                list(request.headers.items()), body)
        check = verify(facts, self.public_pem, self.clock())
        self.received.append(Received(request.path, request.headers.get("Date", ""),
                                      request.headers.get("Signature", ""), json.loads(body), check.ok))
        status, headers = self.script.pop(0) if self.script else (self.status, {})
        await asyncio.sleep(self.delay)
        return web.Response(status=status, headers=headers)

    def paths(self) -> list[str]:
        assert all(r.verified for r in self.received), "a delivery arrived with a bad signature"
        return [r.path for r in self.received]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def key_pair(_key_pool):
    return _key_pool[0]


@pytest.fixture
async def remote(key_pair, clock):
    remote = Remote(key_pair.public_pem, clock)
    app = web.Application()
    app.router.add_post("/{tail:.*}", remote.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    remote.port = site._server.sockets[0].getsockname()[1]
    yield remote
    await runner.cleanup()


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def make_worker(remote, key_pair, clock, closed_port):
    transports = []

    async def private_key_for(key_id: str) -> str:
        assert key_id == KEY_ID
        return key_pair.private_pem

    def make(total_timeout: float = 5.0, **kwargs) -> DeliveryWorker:
        host_map = {"remote.test": ("127.0.0.1", remote.port), "down.test": ("127.0.0.1", closed_port)}
        transport = Transport(TransportConfig(host_map=host_map, total_timeout=total_timeout))
        transports.append(transport)
        return DeliveryWorker(transport, kwargs.pop("keys", private_key_for), now=clock, **kwargs)

    yield make
    for transport in transports:
        await transport.close()


async def queue(inboxes, clock, n: int = 1, object_id: str | None = NOTE) -> int:
    async with in_transaction():
        return await enqueue(create(n), inboxes, sender_key_id=KEY_ID, object_id=object_id, now=clock())


async def row(inbox: str = INBOX) -> Delivery:
    return await Delivery.get(inbox=inbox)


# --- enqueue --------------------------------------------------------------------------------


async def test_enqueue__one_row_per_distinct_inbox(db, clock):
    # Given followers sharing inboxes
    inboxes = [INBOX, "http://other.test:8443/inbox", INBOX, "http://remote.test/users/bob/inbox", INBOX]
    # When the activity is queued
    added = await queue(inboxes, clock)
    # Then each inbox has one pending row, due now, with its host and the JSON body
    assert added == 3
    rows = await Delivery.all().order_by("id")
    assert [(r.inbox, r.host, r.state) for r in rows] == [
        (INBOX, "remote.test", DeliveryState.PENDING),
        ("http://other.test:8443/inbox", "other.test:8443", DeliveryState.PENDING),
        ("http://remote.test/users/bob/inbox", "remote.test", DeliveryState.PENDING)]
    assert json.loads(rows[0].body) == create() and rows[0].next_try_at == clock()


async def test_enqueue__refuses_an_activity_without_id_or_a_bad_inbox(db, clock):
    with pytest.raises(ValueError):
        await enqueue({"type": "Create"}, [INBOX], sender_key_id=KEY_ID, object_id=None)
    with pytest.raises(ValueError):
        await enqueue(create(), ["ftp://remote.test/inbox"], sender_key_id=KEY_ID, object_id=None)


async def test_enqueue__in_a_transaction_that_rolls_back__leaves_no_rows(db, clock):
    # When the caller's transaction fails after enqueueing
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await enqueue(create(), [INBOX, "http://other.test/inbox"], sender_key_id=KEY_ID, object_id=NOTE)
            raise RuntimeError("the post could not be saved")
    # Then nothing is queued
    assert await Delivery.all().count() == 0


# --- delivering -----------------------------------------------------------------------------


async def test_run_due__delivers_once_signed__and_records_the_ledger(db, clock, remote, make_worker):
    # Given a queued Create
    await queue([INBOX], clock)
    worker = make_worker()
    # When the worker runs twice
    handled = await worker.run_due()
    again = await worker.run_due()
    # Then the remote received it once, validly signed, and the ledger lists the inbox
    assert (handled, again) == (1, 0)
    assert remote.paths() == ["/inbox"] and remote.received[0].activity == create()
    delivered = await row()
    assert (delivered.state, delivered.attempts, delivered.last_status, delivered.error) == (
        DeliveryState.DELIVERED, 1, 202, "")
    assert delivered.locked_until is None
    assert await ledger_inboxes(NOTE) == [INBOX]


async def test_run_due__duplicate_inboxes__are_sent_once_each(db, clock, remote, make_worker):
    # Given five followers on two shared inboxes
    shared = [INBOX, "http://remote.test/shared"]
    await queue(shared * 2 + [INBOX], clock)
    # When the worker runs
    await make_worker().run_due()
    # Then each inbox got exactly one copy, and both are in the ledger
    assert sorted(remote.paths()) == ["/inbox", "/shared"]
    assert sorted(await ledger_inboxes(NOTE)) == sorted(shared)


async def test_ledger__collects_inboxes_across_activities__without_duplicates(db, clock, remote, make_worker):
    # Given a Create and then an Update of the same note, both delivered to the same inbox
    worker = make_worker()
    await queue([INBOX], clock, n=1)
    await worker.run_due()
    await queue([INBOX, "http://remote.test/late"], clock, n=2)
    await worker.run_due()
    # Then the ledger names each inbox once
    assert await ledger_inboxes(NOTE) == [INBOX, "http://remote.test/late"]


async def test_run_due__without_object__keeps_no_ledger(db, clock, remote, make_worker):
    await queue([INBOX], clock, object_id=None)
    await make_worker().run_due()
    assert remote.paths() == ["/inbox"] and (await row()).state == DeliveryState.DELIVERED
    assert await ledger_inboxes(NOTE) == []


async def test_server_error__retried_later__and_signed_afresh(db, clock, remote, make_worker):
    # Given a remote that fails once
    remote.script = [(500, {})]
    await queue([INBOX], clock)
    worker = make_worker()
    await worker.run_due()
    failed = await row()
    assert (failed.state, failed.attempts, failed.last_status, failed.error) == (
        DeliveryState.PENDING, 1, 500, "HTTP 500")
    assert failed.next_try_at >= clock() + timedelta(seconds=30)
    # When the worker runs before the backoff ends, and again after it
    assert await worker.run_due() == 0
    clock.to(failed.next_try_at)
    assert await worker.run_due() == 1
    # Then the second try succeeded, with a new Date and signature
    first, second = remote.received
    assert second.date != first.date and second.signature != first.signature
    assert remote.paths() == ["/inbox", "/inbox"]
    assert ((await row()).state, (await row()).attempts) == (DeliveryState.DELIVERED, 2)


async def test_too_many_requests__honours_retry_after(db, clock, remote, make_worker):
    # Given a remote that asks us to wait ten minutes
    remote.script = [(429, {"Retry-After": "600"})]
    await queue([INBOX], clock)
    worker = make_worker()
    start = clock()
    await worker.run_due()
    # Then the row waits at least that long
    assert (await row()).next_try_at >= start + timedelta(seconds=600)
    clock.advance(timedelta(seconds=590))
    assert await worker.run_due() == 0
    clock.advance(timedelta(seconds=60))
    assert await worker.run_due() == 1
    assert (await row()).state == DeliveryState.DELIVERED


async def test_gone__ends_the_row_as_gone(db, clock, remote, make_worker):
    remote.status = 410
    await queue([INBOX], clock)
    worker = make_worker()
    await worker.run_due()
    clock.advance(timedelta(days=1))
    assert await worker.run_due() == 0
    gone = await row()
    assert (gone.state, gone.last_status, gone.attempts) == (DeliveryState.GONE, 410, 1)
    assert len(remote.received) == 1 and await ledger_inboxes(NOTE) == []


@pytest.mark.parametrize("status", [400, 403, 404, 422])
async def test_client_error__abandoned_without_retry(db, clock, remote, make_worker, status):
    remote.status = status
    await queue([INBOX], clock)
    worker = make_worker()
    await worker.run_due()
    clock.advance(timedelta(days=1))
    assert await worker.run_due() == 0
    refused = await row()
    assert (refused.state, refused.last_status, refused.error) == (
        DeliveryState.ABANDONED, status, f"HTTP {status}")
    assert len(remote.received) == 1


async def test_timeout__retried_later(db, clock, remote, make_worker):
    # Given a remote slower than the transport's timeout
    remote.delay = 2.0
    await queue([INBOX], clock)
    # When the worker tries
    await make_worker(total_timeout=0.3).run_due()
    # Then the row waits for another try, and the host has a failure on record
    waiting = await row()
    assert (waiting.state, waiting.attempts, waiting.last_status) == (DeliveryState.PENDING, 1, None)
    assert "Timeout" in waiting.error and waiting.next_try_at > clock()
    assert (await HostHealth.get(host="remote.test")).failing_since == clock()


async def test_connection_refused__retried_later(db, clock, make_worker):
    await queue(["http://down.test/inbox"], clock)
    await make_worker().run_due()
    waiting = await row("http://down.test/inbox")
    assert (waiting.state, waiting.attempts, waiting.last_status) == (DeliveryState.PENDING, 1, None)
    assert "cannot connect" in waiting.error


async def test_unsafe_inbox__abandoned_without_sending(db, clock, make_worker):
    # Plain http to a host that is not a mapped test host is refused by the transport.
    await queue(["http://example.org/inbox"], clock)
    await make_worker().run_due()
    refused = await row("http://example.org/inbox")
    assert refused.state == DeliveryState.ABANDONED and refused.error.startswith("unsafe URL")


async def test_missing_signing_key__retried__without_blaming_the_host(db, clock, remote, make_worker):
    async def no_key(key_id: str) -> str:
        raise KeyError(key_id)

    await queue([INBOX], clock)
    await make_worker(keys=no_key).run_due()
    waiting = await row()
    assert waiting.state == DeliveryState.PENDING and waiting.error.startswith("cannot sign")
    assert remote.received == [] and await HostHealth.all().count() == 0


async def test_failing_remote__given_up_after_about_two_days(db, clock, remote, make_worker):
    # Given a remote that always fails
    remote.status = 503
    await queue([INBOX], clock)
    start = clock()
    worker = make_worker(unreachable_after=timedelta(days=30))
    # When the worker tries every time the row comes due
    while (current := await row()).state == DeliveryState.PENDING:
        clock.to(current.next_try_at)
        await worker.run_due()
    # Then it gave up within two days, after a dozen or so tries
    assert current.state == DeliveryState.ABANDONED and current.error == "gave up: HTTP 503"
    assert timedelta(days=1) < clock() - start <= GIVE_UP_AFTER
    assert 8 <= current.attempts <= 20 and len(remote.received) == current.attempts


# --- several workers ------------------------------------------------------------------------


async def test_two_workers_at_once__never_send_a_row_twice(db, clock, remote, make_worker):
    # Given forty inboxes and two workers
    inboxes = [f"http://remote.test/inbox/{i}" for i in range(40)]
    await queue(inboxes, clock)
    workers = [make_worker(), make_worker()]

    async def drain(worker: DeliveryWorker) -> int:
        handled = 0
        while batch := await worker.run_due(limit=3):
            handled += batch
        return handled

    # When both drain the queue concurrently
    counts = await asyncio.gather(*(drain(w) for w in workers))
    # Then every inbox received exactly one copy
    assert sum(counts) == 40
    assert sorted(remote.paths()) == sorted(f"/inbox/{i}" for i in range(40))


async def test_claim__a_lease_keeps_a_row__until_it_runs_out(db, clock):
    # Given a row claimed by a worker that then died
    await queue([INBOX], clock)
    lease = timedelta(minutes=5)
    assert len(await claim_due(clock(), 10, lease)) == 1
    # Then no one else claims it while the lease holds, and someone does after
    assert await claim_due(clock() + timedelta(minutes=4), 10, lease) == []
    assert len(await claim_due(clock() + lease + timedelta(seconds=1), 10, lease)) == 1


async def test_short_lease__renewed_before_sending(db, clock, remote, make_worker):
    # A lease shorter than a send may take is renewed by compare-and-set before the POST.
    await queue([INBOX], clock)
    await make_worker(lease=timedelta(seconds=1)).run_due()
    assert remote.paths() == ["/inbox"] and (await row()).state == DeliveryState.DELIVERED


async def test_claim__oldest_first(db, clock):
    await queue(["http://remote.test/b"], clock)
    clock.advance(timedelta(seconds=-10))
    await queue(["http://remote.test/a"], clock, n=2)
    clock.advance(timedelta(seconds=10))
    claimed = await claim_due(clock(), 1, timedelta(minutes=5))
    assert [r.inbox for r in claimed] == ["http://remote.test/a"]


# --- unreachable hosts ----------------------------------------------------------------------


async def test_unreachable_host__skipped__then_probed__and_recovers(db, clock, remote, make_worker):
    # Given a host that fails for longer than the threshold
    remote.status = 503
    worker = make_worker(unreachable_after=timedelta(minutes=5), probe_every=timedelta(minutes=10))
    await queue([INBOX], clock)
    while not (await HostHealth.get_or_none(host="remote.test") or HostHealth()).unreachable:
        clock.to((await row()).next_try_at)
        await worker.run_due()
    tries = len(remote.received)

    # When a new delivery to it comes due before the next probe
    await queue(["http://remote.test/later"], clock, n=2)
    await worker.run_due()
    # Then it is not sent, costs no try, and waits for the next probe
    later = await row("http://remote.test/later")
    assert len(remote.received) == tries
    assert (later.state, later.attempts, later.error) == (DeliveryState.PENDING, 0, SKIPPED)
    assert later.next_try_at == clock() + timedelta(minutes=10)

    # When the host is back and the probe time comes
    remote.status = 202
    clock.advance(timedelta(minutes=10, seconds=1))
    await worker.run_due()  # the oldest row is the probe; the other is put off, then brought forward
    await worker.run_due()
    # Then both are delivered and the host is healthy again
    assert [r.state for r in await Delivery.all().order_by("id")] == [DeliveryState.DELIVERED] * 2
    health = await HostHealth.get(host="remote.test")
    assert (health.unreachable, health.failing_since) == (False, None)
    assert remote.paths()[tries:] == ["/inbox", "/later"]


async def test_unreachable_host__one_probe_per_period(db, clock, remote, make_worker):
    # Given an unreachable host whose probe is due, and three rows for it
    remote.status = 503
    await HostHealth.create(host="remote.test", failing_since=clock() - timedelta(days=3),
                            last_failure_at=clock() - timedelta(hours=2), unreachable=True)
    await queue([f"http://remote.test/{i}" for i in range(3)], clock)
    # When two workers pass at once
    await asyncio.gather(make_worker().run_due(), make_worker().run_due())
    # Then only one row was sent; the probe failed and the host stays unreachable
    assert len(remote.paths()) == 1
    assert (await HostHealth.get(host="remote.test")).unreachable is True
    skipped = await Delivery.filter(error=SKIPPED).count()
    assert skipped == 2


async def test_unreachable_host__old_rows_are_abandoned(db, clock, remote, make_worker):
    await HostHealth.create(host="remote.test", failing_since=clock() - timedelta(days=3),
                            last_failure_at=clock(), unreachable=True)
    async with in_transaction():
        await enqueue(create(), [INBOX], sender_key_id=KEY_ID, object_id=NOTE,
                      now=clock() - GIVE_UP_AFTER - timedelta(minutes=1))
    await make_worker().run_due()
    abandoned = await row()
    assert (abandoned.state, abandoned.error) == (DeliveryState.ABANDONED, f"gave up: {SKIPPED}")
    assert remote.received == []


# --- the loop -------------------------------------------------------------------------------


async def test_run_forever__wake__delivers_without_waiting_for_the_poll(db, clock, remote, make_worker):
    # Given a running worker that would otherwise look only every minute
    worker = make_worker(poll_every=60)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run_forever(stop))
    await asyncio.sleep(0.05)
    # When a post is queued in this process and the worker woken
    await queue([INBOX], clock)
    worker.wake()
    # Then it is delivered at once
    async def delivered() -> None:
        while (await row()).state != DeliveryState.DELIVERED:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(delivered(), timeout=5)
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert remote.paths() == ["/inbox"]
