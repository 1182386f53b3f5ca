"""Time-ordered 64-bit post ids, so the newest-first order is the primary key order.

Like Mastodon's: milliseconds since the Unix epoch in the high bits, 16 random bits below,
so ids made by several processes in the same millisecond rarely collide (the insert
retries on the unique key if they do) and an id says when its post was made.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone


def new_id(at: datetime | None = None) -> int:
    """Return a fresh id for something made at `at` (default: now)."""
    at = at or datetime.now(timezone.utc)
    return (int(at.timestamp() * 1000) << 16) | secrets.randbits(16)


def id_floor(at: datetime) -> int:
    """Return the smallest id made at or after `at` (for time-bounded id ranges)."""
    return int(at.timestamp() * 1000) << 16
