"""What a page shows of a poll: options with counts and percentages, the viewer's own
choices, time left or ended, and whether the viewer may vote.

`attach_polls` fills `PostView.poll` for a whole page in two queries (the options with
their polls, then the viewer's own votes), never one per post. The views given are already
of posts the viewer may see: a poll is shown exactly where its post is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from node.models import PollOption, PollVote
from node.polls import ended_at
from node.queries import Viewer

if TYPE_CHECKING:
    from node.models import Poll
    from node.postviews import PostView


@dataclass(frozen=True)
class OptionView:
    position: int
    name: str
    votes: int
    percent: int
    mine: bool = False


@dataclass(frozen=True)
class PollView:
    options: tuple[OptionView, ...]
    multiple: bool
    voters: int  # people who voted (for a remote multiple-choice poll, maybe unknown: 0)
    votes: int  # choices made
    ends_at: datetime | None
    ended: bool
    voted: bool  # the viewer voted
    can_vote: bool  # a signed-in viewer, an open poll, no vote yet
    time_left: str  # "3 hours left"; "" once ended or when endless


async def attach_polls(views: list[PostView], viewer: Viewer, now: datetime | None = None) -> None:
    """Set `poll` on those of `views` whose post has one, as `viewer` sees it."""
    now = now or datetime.now(timezone.utc)
    by_post = {view.post.id: view for view in views}
    if not by_post:
        return
    options = await PollOption.filter(poll__post_id__in=list(by_post)).select_related("poll") \
        .order_by("poll_id", "position")
    polls: dict[int, tuple[Poll, list[PollOption]]] = {}
    for option in options:
        polls.setdefault(option.poll_id, (option.poll, []))[1].append(option)
    mine = await _own_choices(viewer, list(polls))
    for poll, poll_options in polls.values():
        by_post[poll.post_id].poll = poll_view(poll, poll_options, mine, viewer, now)


async def _own_choices(viewer: Viewer, poll_ids: list[int]) -> set[int]:
    if viewer.actor_id is None or not poll_ids:
        return set()
    votes = PollVote.filter(poll_id__in=poll_ids, voter_id=viewer.actor_id)
    return set(await votes.values_list("option_id", flat=True))


def poll_view(poll: Poll, options: list[PollOption], mine: set[int], viewer: Viewer,
              now: datetime) -> PollView:
    """Return the view of one poll; `mine` holds the ids of the options the viewer chose."""
    votes = sum(option.votes_count for option in options)
    # Of a multiple-choice poll, each option's share is of the voters (as Mastodon shows it),
    # so the shares may add up past 100%; of a single-choice one, of the votes.
    base = poll.voters_count if poll.multiple and poll.voters_count else votes
    voted = any(option.id in mine for option in options)
    ended = ended_at(poll, now) is not None
    return PollView(
        options=tuple(OptionView(o.position, o.name, o.votes_count, _percent(o.votes_count, base),
                                 o.id in mine) for o in options),
        multiple=poll.multiple,
        voters=poll.voters_count,
        votes=votes,
        ends_at=poll.expires_at,
        ended=ended,
        voted=voted,
        can_vote=viewer.is_local and not ended and not voted,
        time_left="" if ended or poll.expires_at is None else time_left(poll.expires_at - now),
    )


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def time_left(delta) -> str:
    """Return a timedelta as the poll card says it: "2 days left", "1 hour left"..."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} left"
    return "less than a minute left"
