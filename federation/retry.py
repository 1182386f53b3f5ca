"""When to try a delivery again: pure functions of the attempt, the answer and the clock.

Policy (Mastodon's and microblog.pub's rules, Fedify's backoff shape): 2xx is done; 410 Gone
means the recipient is gone; 429 and 503 honour Retry-After; 401 is retried a few times (the
other side may be fetching our key); other 4xx are final; 5xx and network errors back off
exponentially with jitter, over about two days.
"""

from __future__ import annotations

import enum
import random
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=8)
GIVE_UP_AFTER = timedelta(days=2)
UNAUTHORIZED_TRIES = 3
JITTER = 0.2  # up to 20% later, so many deliveries to one host do not retry in step


class Outcome(str, enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    ABANDONED = "abandoned"  # a final refusal: 4xx other than the retryable ones
    GONE = "gone"  # 410: the recipient no longer exists


def outcome_of(status: int | None, attempt: int) -> Outcome:
    """Return what an answer with `status` (None: no answer) on try `attempt` (1-based) means."""
    if status is None or status >= 500 or status in (408, 425, 429):
        return Outcome.RETRY
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status == 410:
        return Outcome.GONE
    if status == 401 and attempt < UNAUTHORIZED_TRIES:
        return Outcome.RETRY
    return Outcome.ABANDONED


def next_attempt(
    attempt: int,
    first_tried: datetime,
    now: datetime,
    retry_after: str | None = None,
    rng: random.Random | None = None,
) -> datetime | None:
    """Return when to try again after failed try `attempt`, or None to give up."""
    delay = min(FIRST_DELAY * (2 ** (attempt - 1)), LONGEST_DELAY)
    delay += delay * JITTER * (rng or random).random()
    asked = retry_after_time(retry_after, now)
    when = max(now + delay, asked) if asked else now + delay
    if when - first_tried > GIVE_UP_AFTER:
        return None
    return when


def retry_after_time(value: str | None, now: datetime) -> datetime | None:
    """Return the time a Retry-After header (seconds or an HTTP date) names, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        # Capped so an absurd number cannot overflow; anything past GIVE_UP_AFTER gives up anyway.
        return now + timedelta(seconds=min(int(value), 10 * int(GIVE_UP_AFTER.total_seconds())))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when if when > now else None
