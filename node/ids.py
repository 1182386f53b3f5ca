"""Time-ordered 64-bit post ids, so the newest-first order is the primary key order.

Like Mastodon's: milliseconds since the Unix epoch in the high 48 bits. Below them, the
microsecond within the millisecond (10 bits), so ids made one after the other keep their
order, and 6 random bits, so two processes posting in the same microsecond rarely collide
(the unique key refuses the second if they do). An id says when its post was made.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def new_id(at: datetime | None = None) -> int:
    """Return a fresh id for something made at `at` (default: now)."""
    at = at or datetime.now(timezone.utc)
    microseconds = (at - EPOCH) // timedelta(microseconds=1)  # exact: no float rounding
    milliseconds, within = divmod(microseconds, 1000)
    if within == 0:
        # A time with no sub-millisecond part (remote servers write whole seconds): all 16
        # low bits random, or posts published in the same second would collide after ~64.
        return (milliseconds << 16) | secrets.randbits(16)
    return (milliseconds << 16) | (within << 6) | secrets.randbits(6)
