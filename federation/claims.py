"""Claiming due rows of a queue table so that several worker processes never take the same
row: the inbox queue and the delivery queue both use it.

A claim stamps `locked_until` with a lease end unique to this claim, and only on rows that
are still unclaimed when the UPDATE runs; the rows carrying that stamp afterwards are ours.
On PostgreSQL the UPDATE re-checks its conditions under row locks, so a second worker's
UPDATE skips rows the first one took; SQLite runs one writer at a time. Portable, one index
(state, next_try_at), no extra column.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model

M = TypeVar("M", bound=Model)


def unclaimed(now: datetime) -> Q:
    """Return the filter for rows no live lease holds."""
    return Q(locked_until=None) | Q(locked_until__lt=now)


async def claim_due(model: type[M], state: str, now: datetime, limit: int, lease: timedelta) -> list[M]:
    """Claim up to `limit` rows of `model` in `state` whose next_try_at has come; return them."""
    candidates = await (
        model.filter(unclaimed(now), state=state, next_try_at__lte=now)
        .order_by("next_try_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    if not candidates:
        return []
    # The microseconds make the stamp this claim's own, so we can tell our rows apart.
    stamp = now + lease + timedelta(microseconds=secrets.randbelow(1_000_000))
    await model.filter(unclaimed(now), id__in=candidates, state=state).update(locked_until=stamp)
    return await model.filter(id__in=candidates, locked_until=stamp).order_by("next_try_at")
