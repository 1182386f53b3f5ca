"""The delivery queue: outgoing activities, one row per inbox, sent at least once.

Owns `enqueue()` (called inside the caller's transaction, so a post and its deliveries commit
together: the outbox pattern), the ledger of inboxes that accepted an object, and
`DeliveryWorker`, which claims due rows, signs every try afresh, POSTs, and records the
outcome with the policy of `retry.py`.

Claiming is one UPDATE ... RETURNING (SQLite >= 3.35, PostgreSQL) that stamps `locked_until`
on the oldest due rows no live lease holds. SQLite runs one writer at a time, so the
statement is atomic there; on PostgreSQL its subquery takes the rows FOR UPDATE SKIP LOCKED,
so concurrent workers pass over each other's rows instead of waiting for them or taking
them twice (Takahē's `transition_get_with_lock`). A worker that dies mid-send leaves its rows
claimed until the lease ends; then another worker takes them (at least once, never twice
while a lease holds: a long wait renews the lease by compare-and-set before sending).

Unreachable hosts (the circuit breaker DESIGN.md leaves for later, Fedify's shape): a host
that has only failed (no answer, or 5xx) for `unreachable_after` is marked unreachable. Its
due rows are then not sent but put off by `probe_every` without counting a try, except one
probe per host per `probe_every`; rows older than retry.GIVE_UP_AFTER are abandoned. Any
answer below 500 clears the mark and brings the put-off rows forward at once.

I/O ring: Tortoise, the transport and the pure core; never Quart, Jinja2 or node (the node
passes in the key lookup).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Literal, Mapping

from federation.claims import claim_due as claim_rows, sleep_or_wake
from federation.errors import FetchError, UnsafeURL
from federation.models import DeliveredTo, Delivery, DeliveryState, HostHealth
from federation.retry import GIVE_UP_AFTER, Outcome, next_attempt, outcome_of
from federation.signatures import sign_request
from federation.transport import Signer, Transport
from federation.vocab import ACTIVITY_JSON, host_of

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
KeyLookup = Callable[[str], Awaitable[str]]  # key id -> private key PEM

ERROR_CHARS = 500  # the width of Delivery.error
SKIPPED = "skipped: host unreachable"  # also marks the rows to bring forward on recovery
STATE_OF = MappingProxyType({Outcome.DELIVERED: DeliveryState.DELIVERED,
                             Outcome.GONE: DeliveryState.GONE,
                             Outcome.ABANDONED: DeliveryState.ABANDONED})

def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(timezone.utc)


# --- the queue ------------------------------------------------------------------------------

async def enqueue(activity: Mapping[str, Any], inboxes: Iterable[str], *, sender_key_id: str,
                  object_id: str | None, now: datetime | None = None) -> int:
    """Queue `activity` once per distinct inbox; return how many rows were added.

    Call it inside the caller's `in_transaction()`. Raises ValueError for an activity without
    an id or an inbox that is not an http(s) URL.
    """
    activity_id = activity.get("id")
    if not isinstance(activity_id, str) or not activity_id:
        raise ValueError("an activity to deliver needs an id")
    when = (now or utc_now()).astimezone(timezone.utc)
    body = json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
    rows = [Delivery(inbox=inbox, host=_inbox_host(inbox), activity_id=activity_id,
                     object_id=object_id, body=body, sender_key_id=sender_key_id,
                     created_at=when, next_try_at=when)
            for inbox in dict.fromkeys(inboxes)]
    if rows:
        await Delivery.bulk_create(rows)
    return len(rows)


async def ledger_inboxes(object_id: str) -> list[str]:
    """Return the inboxes that accepted an activity about `object_id`, first first."""
    ledger = DeliveredTo.filter(object_id=object_id).order_by("id")
    return list(await ledger.values_list("inbox", flat=True))


def _inbox_host(inbox: str) -> str:
    host = host_of(inbox)
    if not host or not inbox.lower().startswith(("https://", "http://")):
        raise ValueError(f"not an inbox URL: {inbox!r}")
    return host


async def claim_due(now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
    """Claim up to `limit` due pending rows until `now + lease`; return them oldest first."""
    return await claim_rows(Delivery, DeliveryState.PENDING, now, limit, lease)


# --- one try ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attempt:
    """What one try came to: the status (None: no answer), why it failed, and Retry-After."""

    status: int | None
    error: str = ""
    retry_after: str | None = None
    # local: no key, or it cannot sign; unsafe: the transport refused the URL
    cause: Literal["answer", "network", "local", "unsafe"] = "answer"

    @property
    def host_answered(self) -> bool:
        return self.status is not None and self.status < 500

    @property
    def host_failed(self) -> bool:
        return self.cause == "network" or (self.status is not None and self.status >= 500)

    def outcome(self, attempt: int) -> Outcome:
        """Return what this try means for the row, on try number `attempt`."""
        return Outcome.ABANDONED if self.cause == "unsafe" else outcome_of(self.status, attempt)


class _Pass:
    """What the sends of one claim share: private keys, looked up once (a post to 400 inboxes
    has one sender), and the hosts on record as failing when the rows were claimed."""

    def __init__(self, lookup: KeyLookup, failing: set[str]) -> None:
        self._lookup = lookup
        self._found: dict[str, asyncio.Future[str]] = {}
        self.failing = failing

    async def key(self, key_id: str) -> str:
        if key_id not in self._found:
            self._found[key_id] = asyncio.ensure_future(self._lookup(key_id))
        return await asyncio.shield(self._found[key_id])


class _HostGates:
    """At most `per_host` sends to one host at a time; a host's entry lives while in use."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._gates: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        gate, users = self._gates.get(host) or (asyncio.Semaphore(self._per_host), 0)
        self._gates[host] = (gate, users + 1)
        try:
            async with gate:
                yield
        finally:
            gate, users = self._gates[host]
            if users == 1:
                del self._gates[host]
            else:
                self._gates[host] = (gate, users - 1)


# --- the worker -------------------------------------------------------------------------------

class DeliveryWorker:
    """Sends due deliveries with bounded concurrency, overall and per host."""

    def __init__(self, transport: Transport, private_key_for: KeyLookup, *, now: Clock = utc_now,
                 concurrency: int = 64, per_host: int = 4, lease: timedelta = timedelta(minutes=5),
                 unreachable_after: timedelta = timedelta(days=2),
                 probe_every: timedelta = timedelta(hours=1), poll_every: float = 0.5,
                 rng: random.Random | None = None) -> None:
        self._transport = transport
        self._private_key_for = private_key_for
        self._now = now
        self._concurrency = concurrency
        self._lease = lease
        # A send may take the transport's whole timeout: renew leases with less than twice that.
        self._send_budget = timedelta(seconds=2 * transport.config.total_timeout)
        self._unreachable_after = unreachable_after
        self._probe_every = probe_every
        self._poll_every = poll_every
        self._rng = rng
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts = _HostGates(per_host)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due rows now (a post was just committed in this process)."""
        self._wake.set()

    async def run_due(self, limit: int | None = None) -> int:
        """Claim due rows, send them and record the outcomes; return how many were handled."""
        handled, tasks = await self._start(limit or self._concurrency)
        await asyncio.gather(*tasks)
        return handled

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Keep up to `concurrency` sends in flight until `stop` is set, then let them finish."""
        while not stop.is_set():
            free = self._concurrency - len(self._in_flight)
            if free > 0:
                try:
                    await self._start(free)
                except Exception:  # the database may be briefly away: look again after a pause
                    log.exception("delivery claim failed")
            await sleep_or_wake(self._wake, stop, self._poll_every)
        await asyncio.gather(*self._in_flight)

    async def _start(self, limit: int) -> tuple[int, list[asyncio.Task[None]]]:
        now = self._now()
        claimed = await claim_due(now, limit, self._lease)
        failing = await _failing_hosts(claimed)
        sendable = await self._skip_unreachable(claimed, failing, now)
        batch = _Pass(self._private_key_for, set(failing))
        tasks = [asyncio.create_task(self._deliver(row, batch)) for row in sendable]
        for task in tasks:
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed), tasks

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # a slot is free: run_forever looks for more at once

    async def _deliver(self, row: Delivery, batch: _Pass) -> None:
        try:
            async with self._hosts.slot(row.host), self._slots:
                if not await self._still_ours(row):
                    return
                attempt = await self._attempt(row, batch)
            await self._record(row, attempt, batch)
        except Exception:  # a bug or the database: the lease runs out and another pass retries
            log.exception("delivery failed id=%s inbox=%s", row.id, row.inbox)

    async def _still_ours(self, row: Delivery) -> bool:
        """Return whether the lease still holds, renewing it (compare-and-set) if it is short."""
        now = self._now()
        if row.locked_until is not None and row.locked_until - now > self._send_budget:
            return True
        renewed = now + self._lease
        mine = Delivery.filter(id=row.id, locked_until=row.locked_until)
        won = await mine.update(locked_until=renewed)
        row.locked_until = renewed
        return bool(won)

    async def _attempt(self, row: Delivery, batch: _Pass) -> Attempt:
        try:
            pem = await batch.key(row.sender_key_id)
            sign = self._signer(row.sender_key_id, pem)
            response = await self._transport.post(row.inbox, row.body.encode("utf-8"),
                                                  content_type=ACTIVITY_JSON, sign=sign)
        except UnsafeURL as e:
            return Attempt(None, f"unsafe URL: {e}", cause="unsafe")
        except FetchError as e:
            return Attempt(None, str(e), cause="network")
        except Exception as e:  # no key for the sender, or a key that cannot sign
            return Attempt(None, f"cannot sign: {type(e).__name__}: {e}", cause="local")
        error = "" if 200 <= response.status < 300 else f"HTTP {response.status}"
        return Attempt(response.status, error, response.headers.get("Retry-After"))

    def _signer(self, key_id: str, pem: str) -> Signer:
        """Return a signer that dates the request when it is sent (re-signed on every try)."""
        return lambda method, url, headers, body: sign_request(
            method, url, headers, body, key_id, pem, now=self._now())

    # --- recording ----------------------------------------------------------------------------

    async def _record(self, row: Delivery, attempt: Attempt, batch: _Pass) -> None:
        now = self._now()
        tries = row.attempts + 1
        outcome = attempt.outcome(tries)
        fields: dict[str, Any] = {"attempts": tries, "last_status": attempt.status,
                                  "error": attempt.error[:ERROR_CHARS], "locked_until": None}
        if outcome is Outcome.RETRY:
            fields.update(self._retry_fields(row, attempt, tries, now))
        else:
            fields["state"] = STATE_OF[outcome]
        log.info("delivery id=%s inbox=%s activity=%s status=%s outcome=%s", row.id, row.inbox,
                 row.activity_id, attempt.status, fields.get("state", "retry"))
        if outcome is Outcome.DELIVERED and row.object_id:
            await self._delivered(row, fields, now)
        else:
            await Delivery.filter(id=row.id).update(**fields)
        await self._note_host(row.host, attempt, now, batch)

    def _retry_fields(self, row: Delivery, attempt: Attempt, tries: int,
                      now: datetime) -> dict[str, Any]:
        when = next_attempt(tries, row.created_at, now, attempt.retry_after, self._rng)
        if when is None:
            error = f"gave up: {attempt.error}"[:ERROR_CHARS]
            return {"state": DeliveryState.ABANDONED, "error": error}
        return {"next_try_at": when}

    async def _delivered(self, row: Delivery, fields: dict[str, Any], now: datetime) -> None:
        """Add the inbox to the object's ledger, then mark the row delivered."""
        # In this order no transaction is needed: a crash between the two leaves the row
        # pending, to be sent again, and the ledger already right.
        entry = DeliveredTo(object_id=row.object_id, inbox=row.inbox, delivered_at=now)
        await DeliveredTo.bulk_create([entry], ignore_conflicts=True)
        await Delivery.filter(id=row.id).update(**fields)

    # --- host health --------------------------------------------------------------------------

    async def _note_host(self, host: str, attempt: Attempt, now: datetime, batch: _Pass) -> None:
        # A healthy host needs no write; one that started failing since the claim is cleared
        # by a later pass's answer.
        if attempt.host_answered and host in batch.failing:
            await self._host_answered(host, now)
        elif attempt.host_failed:
            await self._host_failed(host, now)

    async def _host_answered(self, host: str, now: datetime) -> None:
        recovered = await HostHealth.filter(host=host, failing_since__isnull=False).update(
            failing_since=None, unreachable=False)
        if recovered:
            # Rows put off while the host was unreachable go now, not at their next probe time.
            put_off = Delivery.filter(host=host, state=DeliveryState.PENDING, error=SKIPPED)
            await put_off.update(next_try_at=now)

    async def _host_failed(self, host: str, now: datetime) -> None:
        health = await HostHealth.get_or_none(host=host)
        if health is None:
            # Another worker may create the row at the same moment: either one will do.
            first = HostHealth(host=host, failing_since=now, last_failure_at=now)
            await HostHealth.bulk_create([first], ignore_conflicts=True)
            return
        since = health.failing_since or now
        unreachable = health.unreachable or now - since >= self._unreachable_after
        if unreachable and not health.unreachable:
            log.warning("host unreachable host=%s failing_since=%s", host, since.isoformat())
        await HostHealth.filter(host=host).update(failing_since=since, last_failure_at=now,
                                                  unreachable=unreachable)

    async def _skip_unreachable(self, rows: list[Delivery], failing: dict[str, HostHealth],
                                now: datetime) -> list[Delivery]:
        """Return the rows to send: all but those to unreachable hosts, one probe excepted."""
        down = [health for health in failing.values() if health.unreachable]
        if not down:
            return rows
        probing = {h.host for h in down if await self._take_probe(h, now)}
        down_hosts = {h.host for h in down}
        sendable, skipped = [], []
        for row in rows:
            if row.host not in down_hosts or row.host in probing:
                probing.discard(row.host)  # the oldest row of the host is its probe; no other
                sendable.append(row)
            else:
                skipped.append(row)
        await self._put_off(skipped, now)
        return sendable

    async def _take_probe(self, health: HostHealth, now: datetime) -> bool:
        """Return whether this pass may probe the host: due, and no other worker took it first."""
        last = health.last_failure_at
        if last is not None and now - last < self._probe_every:
            return False
        # Stamping the probe's start as the last failure lets only one probe through per period.
        unchanged = HostHealth.filter(host=health.host, last_failure_at=last)
        return bool(await unchanged.update(last_failure_at=now))

    async def _put_off(self, rows: list[Delivery], now: datetime) -> None:
        expired = [r.id for r in rows if now - r.created_at > GIVE_UP_AFTER]
        waiting = [r.id for r in rows if now - r.created_at <= GIVE_UP_AFTER]
        if expired:
            await Delivery.filter(id__in=expired).update(
                state=DeliveryState.ABANDONED, error=f"gave up: {SKIPPED}", locked_until=None)
        if waiting:
            await Delivery.filter(id__in=waiting).update(
                next_try_at=now + self._probe_every, error=SKIPPED, locked_until=None)


async def _failing_hosts(rows: list[Delivery]) -> dict[str, HostHealth]:
    """Return the health records of the rows' hosts that are failing, by host."""
    hosts = list({row.host for row in rows})
    if not hosts:
        return {}
    return {h.host: h for h in await HostHealth.filter(host__in=hosts, failing_since__isnull=False)}
