"""What a poll may be, and our polls as ActivityPub facts.

Owns the limits of a poll written here (Mastodon's: 2 to 4 options of up to 50 characters,
open from 5 minutes to 7 days), `PollDraft` (what the compose form or `kith post` asked for,
unchecked, so a refused form can be shown again as typed), `poll_problem` (why a draft cannot
be posted, or None), whether a poll is still open, and `question_facts` (the tallies of a page
of posts, for `federation.activities.question`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from federation.activities import PollChoice, PollFacts
from node.models import Poll, PollOption

MIN_OPTIONS, MAX_OPTIONS = 2, 4
MAX_OPTION_CHARS = 50
MIN_SECONDS, MAX_SECONDS = 5 * 60, 7 * 24 * 3600

DEFAULT_SECONDS = 86400  # the compose form's choice unless another is made


@dataclass(frozen=True)
class PollDraft:
    """A poll as asked for: options as typed (blank ones dropped), single or multiple
    choice, and how long it runs (None when what was given is not a number)."""

    options: tuple[str, ...]
    multiple: bool = False
    expires_in: int | None = DEFAULT_SECONDS


def poll_input(options: list[str], multiple: bool, expires_in: str | int | None) -> PollDraft | None:
    """Return the draft of a poll from raw input, or None when no option was filled in."""
    typed = tuple(option.strip() for option in options if option and option.strip())
    if not typed:
        return None
    if isinstance(expires_in, str):
        expires_in = int(expires_in) if expires_in.strip().isdigit() and len(expires_in) < 10 else None
    return PollDraft(typed, multiple, expires_in)


def poll_of_form(form) -> PollDraft | None:
    """Return the poll drafted in the compose form (fields poll_option, poll_multiple,
    poll_expires), or None when it has no option filled in."""
    return poll_input(form.getlist("poll_option"), form.get("poll_multiple") == "on",
                      form.get("poll_expires"))


def poll_problem(draft: PollDraft | None) -> str | None:
    """Return why the draft cannot be posted, or None when it can (or there is no poll)."""
    if draft is None:
        return None
    if not MIN_OPTIONS <= len(draft.options) <= MAX_OPTIONS:
        return f"a poll needs {MIN_OPTIONS} to {MAX_OPTIONS} options, this one has {len(draft.options)}"
    too_long = next((option for option in draft.options if len(option) > MAX_OPTION_CHARS), None)
    if too_long:
        return (f"a poll option may have at most {MAX_OPTION_CHARS} characters: "
                f"{too_long[:60]!r} has {len(too_long)}")
    if len(set(draft.options)) != len(draft.options):
        return "each poll option must be different"
    if draft.expires_in is None or not MIN_SECONDS <= draft.expires_in <= MAX_SECONDS:
        return "a poll runs from 5 minutes to 7 days (300 to 604800 seconds)"
    return None


def ends_at(draft: PollDraft, now: datetime) -> datetime:
    """Return when a poll drafted now ends."""
    return now + timedelta(seconds=draft.expires_in or DEFAULT_SECONDS)


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    """Return whether votes may still be cast: not closed, and not past its end."""
    now = now or datetime.now(timezone.utc)
    return poll.closed_at is None and (poll.expires_at is None or poll.expires_at > now)


def ended_at(poll: Poll, now: datetime) -> datetime | None:
    """Return when the poll ended (its end, if that has passed before the closing step ran),
    or None while it is open."""
    if poll.closed_at is not None:
        return min(poll.closed_at, poll.expires_at) if poll.expires_at else poll.closed_at
    return poll.expires_at if poll.expires_at and poll.expires_at <= now else None


async def question_facts(post_ids: list[int], now: datetime | None = None) -> dict[int, PollFacts]:
    """Return the poll facts of those of `post_ids` that have a poll, in two queries."""
    if not post_ids:
        return {}
    now = now or datetime.now(timezone.utc)
    polls = {poll.id: poll for poll in await Poll.filter(post_id__in=post_ids)}
    choices: dict[int, list[PollChoice]] = {poll_id: [] for poll_id in polls}
    for option in await PollOption.filter(poll_id__in=list(polls)).order_by("poll_id", "position"):
        choices[option.poll_id].append(PollChoice(option.name, option.votes_count))
    return {
        poll.post_id: PollFacts(choices=tuple(choices[poll.id]), multiple=poll.multiple,
                                end_time=poll.expires_at or poll.created_at, voters_count=poll.voters_count,
                                closed=ended_at(poll, now))
        for poll in polls.values()
    }
