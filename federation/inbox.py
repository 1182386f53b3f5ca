"""The inbox worker: processes stored activities at least once, through node's handlers.

Each claimed item is parsed (ownership checks in inbound.parse_inbound), dispatched by the
registry, and marked processed, errored (refused for good, with the reason) or retried
with backoff when the handler says "try later" or fails unexpectedly. A crash mid-way
leaves the item claimed until its lease ends; then another pass takes it again, so handlers
must be idempotent (they are: follows are unique, posts keyed by ActivityPub id).

I/O ring: Tortoise and the pure core; never Quart or node (handlers are passed in).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from federation.claims import PassWorker, claim_due
from federation.dispatch import HandlerRegistry
from federation.errors import FederationError, Rejected
from federation.inbound import parse_inbound
from federation.models import InboxItem, InboxState
from federation.retry import next_attempt

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class TryLater(FederationError):
    """A handler could not finish now (a remote server did not answer); retry later."""


class InboxWorker(PassWorker):
    """Processes due inbox items with the handlers in `registry`."""

    name = "inbox"

    def __init__(self, registry: HandlerRegistry, *, now: Callable[[], datetime] | None = None,
                 batch: int = 50, poll_every: float = 0.5) -> None:
        super().__init__(poll_every)
        self._registry = registry
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._batch = batch

    async def run_due(self) -> int:
        """Process the items due now; return how many were claimed."""
        items = await claim_due(InboxItem, InboxState.RECEIVED, self._now(), self._batch, LEASE)
        for item in items:
            await self._process(item)
        return len(items)

    async def _process(self, item: InboxItem) -> None:
        try:
            activity = parse_inbound(json.loads(item.body), item.signer)
            handler = self._registry.handler_for(activity)
            if handler is not None:
                await handler(activity, item.recipient)
            else:
                log.info("unhandled activity type=%s object=%s id=%s", activity.type, activity.object_type, activity.id)
        except Rejected as e:
            await self._finish(item, InboxState.ERRORED, e.reason)
        except Exception as e:  # TryLater, a remote failure, or a bug: retry with backoff
            log.warning("inbox item %s failed (try %d): %s", item.activity_id, item.attempts + 1, e)
            await self._retry(item, f"{type(e).__name__}: {e}")
        else:
            await self._finish(item, InboxState.PROCESSED, "")

    async def _finish(self, item: InboxItem, state: str, error: str) -> None:
        await InboxItem.filter(id=item.id).update(state=state, error=error[:500], locked_until=None)

    async def _retry(self, item: InboxItem, error: str) -> None:
        attempts = item.attempts + 1
        when = next_attempt(attempts, item.received_at, self._now())
        if when is None or attempts >= MAX_ATTEMPTS:
            await InboxItem.filter(id=item.id).update(
                state=InboxState.ERRORED, attempts=attempts, error=error[:500], locked_until=None)
            return
        await InboxItem.filter(id=item.id).update(
            attempts=attempts, next_try_at=when, error=error[:500], locked_until=None)
