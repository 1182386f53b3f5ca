"""The inbox request path: authenticate the POST, store the raw activity durably, then 202.

Nothing else happens in the request (microblog.pub's inbox, Mastodon's too): the worker in
inbox.py processes stored items later and can retry. Activities from blocked servers are
dropped quietly before anything is fetched. Stores are grouped: requests arriving while a
write is in flight are written together in the next transaction (group commit), and each
request is answered only after the transaction holding its item has committed.

I/O ring: Tortoise, the resolver, the pure core; never Quart or node.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from tortoise.transactions import in_transaction

from federation.errors import FetchError, Gone, Rejected
from federation.models import InboxItem
from federation.resolver import KnownKey, Resolver
from federation.signatures import MAX_SKEW, RequestFacts, SignatureCheck, signature_key_id, verify
from federation.errors import SignatureError
from federation.vocab import actor_of, host_of, id_of

log = logging.getLogger(__name__)


class Unauthenticated(Exception):
    """The request's signature is missing, wrong, or not the activity actor's (answer 401)."""


@dataclass(frozen=True)
class Outcome:
    status: int  # 202 accepted (stored, duplicate or quietly dropped), 400, 401
    reason: str


ACCEPTED = Outcome(202, "accepted")


class Intake:
    """Authenticates inbox POSTs and stores them; one per process."""

    def __init__(self, resolver: Resolver, *, is_blocked_host: Callable[[str], Awaitable[bool]],
                 max_skew: timedelta = MAX_SKEW, now: Callable[[], datetime] | None = None) -> None:
        self._resolver = resolver
        self._is_blocked_host = is_blocked_host
        self._max_skew = max_skew
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._writer = InboxWriter()

    async def accept(self, request: RequestFacts, activity: object, recipient: str | None) -> Outcome:
        """Return how to answer an inbox POST of `activity` (already JSON-decoded)."""
        if not isinstance(activity, dict) or not isinstance(actor_of(activity), str):
            return Outcome(400, "the body is not an activity with an actor")
        actor = actor_of(activity)
        if await self._is_blocked_host(host_of(actor)):
            return ACCEPTED  # dropped quietly: a blocked server learns nothing
        try:
            signer = await self.authenticate(request)
        except Unauthenticated as e:
            if _is_self_delete_of_gone_actor(activity, e):
                return ACCEPTED  # Mastodon floods these when an account is deleted
            return Outcome(401, str(e))
        if signer != actor:
            return Outcome(401, f"the request is signed by {signer}, not by the activity's actor")
        await self._writer.store(_item(activity, signer, recipient, self._now()))
        return ACCEPTED

    async def authenticate(self, request: RequestFacts) -> str:
        """Return the actor whose key signed `request`; raise Unauthenticated."""
        try:
            key_id = signature_key_id(request)
        except SignatureError as e:
            raise Unauthenticated(f"malformed signature: {e.reason}") from None
        if key_id is None:
            raise Unauthenticated("the request is not signed")
        key = await self._key(key_id, refresh=False)
        check = self._check(request, key)
        if check.key_may_be_stale:
            key = await self._key(key_id, refresh=True)  # the owner may have rotated it
            check = self._check(request, key)
        if not check.ok:
            raise Unauthenticated(f"signature rejected: {check.reason}")
        return key.owner

    def _check(self, request: RequestFacts, key: KnownKey) -> SignatureCheck:
        return verify(request, key.pem, self._now(), self._max_skew)

    async def _key(self, key_id: str, *, refresh: bool) -> KnownKey:
        try:
            return await self._resolver.public_key(key_id, refresh=refresh)
        except Gone as e:
            raise Unauthenticated(f"the signing key is gone: {e.reason}") from e
        except (FetchError, Rejected) as e:
            raise Unauthenticated(f"cannot get the signing key: {e.reason}") from e


def _is_self_delete_of_gone_actor(activity: dict, error: Unauthenticated) -> bool:
    gone = isinstance(error.__cause__, Gone)
    return gone and activity.get("type") == "Delete" and id_of(activity.get("object")) == actor_of(activity)


def _item(activity: dict, signer: str, recipient: str | None, now: datetime) -> InboxItem:
    body = json.dumps(activity, separators=(",", ":"), ensure_ascii=False)
    # Activities that may come without an id (GoToSocial's Deletes) dedupe on their content.
    activity_id = id_of(activity) or "urn:sha256:" + hashlib.sha256(body.encode()).hexdigest()
    return InboxItem(activity_id=activity_id[:512], signer=signer, recipient=recipient, body=body,
                     next_try_at=now, received_at=now)


class InboxWriter:
    """Writes inbox items in groups: one transaction for everything waiting."""

    def __init__(self) -> None:
        self._waiting: list[tuple[InboxItem, asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def store(self, item: InboxItem) -> None:
        """Return once `item` is committed (a duplicate activity id is kept once)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with in_transaction():
                    await InboxItem.bulk_create([item for item, _ in batch], ignore_conflicts=True)
            except Exception as e:  # the database failed: every waiting request fails
                log.exception("storing %d inbox items failed", len(batch))
                _settle(batch, e)
                continue
            _settle(batch, None)


def _settle(batch: list[tuple[InboxItem, asyncio.Future[None]]], error: Exception | None) -> None:
    """Answer every waiting request; one whose client went away (cancelled) is skipped, so
    it cannot leave the others of its batch waiting. Its item is stored all the same."""
    for _, future in batch:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
