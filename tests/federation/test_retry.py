"""Retry policy as a table of answers, and the backoff schedule without a clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from federation.retry import GIVE_UP_AFTER, Outcome, next_attempt, outcome_of, retry_after_time

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "status,attempt,expected",
    [
        (200, 1, Outcome.DELIVERED), (202, 1, Outcome.DELIVERED), (204, 5, Outcome.DELIVERED),
        (None, 1, Outcome.RETRY), (500, 1, Outcome.RETRY), (502, 9, Outcome.RETRY), (503, 1, Outcome.RETRY),
        (429, 1, Outcome.RETRY), (408, 1, Outcome.RETRY),
        (410, 1, Outcome.GONE),
        (401, 1, Outcome.RETRY), (401, 3, Outcome.ABANDONED),
        (400, 1, Outcome.ABANDONED), (403, 1, Outcome.ABANDONED), (404, 1, Outcome.ABANDONED),
        (422, 1, Outcome.ABANDONED), (301, 1, Outcome.ABANDONED),
    ],
)
def test_outcome_of__each_answer(status, attempt, expected):
    assert outcome_of(status, attempt) is expected


def test_backoff__grows_then_gives_up_after_about_two_days():
    rng = random.Random(1)
    first, now, attempt, delays = NOW, NOW, 1, []
    while (when := next_attempt(attempt, first, now, rng=rng)) is not None:
        delays.append(when - now)
        now, attempt = when, attempt + 1
    assert delays[0] >= timedelta(seconds=30) and delays[0] < timedelta(seconds=37)
    assert all(later >= earlier * 1.5 for earlier, later in zip(delays[:6], delays[1:7]))
    assert max(delays) <= timedelta(hours=8) * 1.2
    assert timedelta(days=1) < now - first <= GIVE_UP_AFTER
    assert 10 <= attempt <= 20


def test_retry_after__seconds_and_http_date_are_honoured():
    assert next_attempt(1, NOW, NOW, retry_after="3600") >= NOW + timedelta(hours=1)
    date = "Wed, 25 Nov 2026 15:00:00 GMT"
    assert next_attempt(1, NOW, NOW, retry_after=date) == datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "Wed, 25 Nov 2020 15:00:00 GMT"])
def test_retry_after__ignored_when_useless(value):
    assert retry_after_time(value, NOW) is None


def test_retry_after__beyond_the_last_chance_gives_up():
    assert next_attempt(1, NOW, NOW, retry_after=str(3 * 24 * 3600)) is None
