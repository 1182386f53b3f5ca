"""The queue tables (inbox items, deliveries, link cards) share how workers take work and
wait: `claim_due` to take rows, `PassWorker` to loop over passes.

`claim_due` takes due rows with one statement, so several worker processes never take the
same row: an UPDATE of `locked_until` over a sub-select of due, unclaimed rows, RETURNING
their ids. On PostgreSQL the sub-select ends in FOR UPDATE SKIP LOCKED, so workers pass
over each other's rows instead of waiting for them; SQLite (3.35+) runs one writer at a
time, so the statement is atomic there.

I/O ring: Tortoise only; never Quart or node.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TypeVar

from tortoise.models import Model

M = TypeVar("M", bound=Model)
log = logging.getLogger(__name__)

# $1 lease end, $2 the state that is due, $3 now, $4 how many. Oldest first (FIFO).
_CLAIM = """UPDATE {table} SET locked_until = {p1}
WHERE id IN (SELECT id FROM {table}
             WHERE state = {p2} AND next_try_at <= {p3}
               AND (locked_until IS NULL OR locked_until < {p3})
             ORDER BY next_try_at, id LIMIT {p4}{lock})
RETURNING id"""


def claim_sql(table: str, dialect: str) -> str:
    """Return the claim statement for `table` in `dialect` ("postgres" or "sqlite")."""
    if dialect == "postgres":
        return _CLAIM.format(table=table, p1="$1", p2="$2", p3="$3", p4="$4", lock=" FOR UPDATE SKIP LOCKED")
    return _CLAIM.format(table=table, p1="?1", p2="?2", p3="?3", p4="?4", lock="")


async def claim_due(model: type[M], state: str, now: datetime, limit: int, lease: timedelta) -> list[M]:
    """Claim up to `limit` rows of `model` in `state` that are due, until `now + lease`;
    return them oldest first."""
    db = model._meta.db
    dialect = "postgres" if db.capabilities.dialect == "postgres" else "sqlite"
    rows = await db.execute_query_dict(claim_sql(model._meta.db_table, dialect), [now + lease, state, now, limit])
    if not rows:
        return []
    return list(await model.filter(id__in=[r["id"] for r in rows]).order_by("next_try_at", "id"))


async def sleep_or_wake(wake: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    """Wait up to `seconds`, less when woken or stopped; clear the wake-up."""
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        wake.clear()


class PassWorker:
    """Work done in passes: `run_due` makes one pass and returns how much it handled;
    `run_forever` repeats passes until stopped, at once while they find work, else after
    `poll_every` seconds or when woken (this process just stored some)."""

    name = "worker"  # in the log line of a failed pass

    def __init__(self, poll_every: float) -> None:
        self._poll_every = poll_every
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next pass now."""
        self._wake.set()

    async def run_due(self) -> int:
        raise NotImplementedError

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Make passes until `stop` is set; a failed pass is logged and the loop goes on (the
        database may be away for a moment)."""
        while not stop.is_set():
            try:
                handled = await self.run_due()
            except Exception:
                log.exception("%s pass failed", self.name)
                handled = 0
            if not handled:
                await sleep_or_wake(self._wake, stop, self._poll_every)
