"""Making polls and voting in them.

`create_poll` stores the poll of a post being published (inside its transaction).
`record_votes` is the one place a vote is counted, whoever casts it (an account here, or a
remote voter's Note): it refuses votes once the poll has ended and breaks no tally.
`cast_vote` is an account here voting: in a poll of ours it is counted; in a remote poll it
is also sent, one Create{Note} per choice, to the poll author's own inbox and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from federation.activities import poll_vote
from node.models import Account, Actor, Poll, PollOption, PollVote, Post
from node.polls import PollDraft, ends_at, is_open
from node.services.outbox import queue_to_actor
from node.services.poll_updates import schedule_results
from node.uris import Uris


@dataclass
class VoteRefused(Exception):
    """A vote that is not counted, and why; `status` is the HTTP answer for a form."""

    reason: str
    status: int = 409

    def __str__(self) -> str:
        return self.reason


async def create_poll(post_id: int, draft: PollDraft, now: datetime) -> Poll:
    """Store the poll of a new post (the draft already checked by `poll_problem`)."""
    poll = await Poll.create(post_id=post_id, multiple=draft.multiple, expires_at=ends_at(draft, now))
    await PollOption.bulk_create([PollOption(poll_id=poll.id, position=position, name=name)
                                  for position, name in enumerate(draft.options)])
    return poll


async def record_votes(post: Post, poll: Poll, voter_id: int, picks: list[tuple[PollOption, str | None]],
                       now: datetime) -> None:
    """Count the voter's picks (an option and the vote Note's id, if any); raise VoteRefused
    when the poll has ended or the picks break its rules, IntegrityError when the voter has
    already chosen (one of) them. Call inside a transaction."""
    if not is_open(poll, now):
        raise VoteRefused("this poll has ended")
    positions = [option.position for option, _ in picks]
    if not picks:
        raise VoteRefused("choose an option to vote", 400)
    if len(picks) > 1 and not poll.multiple:
        raise VoteRefused("this poll takes one choice", 400)
    if len(set(positions)) != len(positions):
        raise VoteRefused("choose each option once", 400)
    new_voter = not await PollVote.exists(poll_id=poll.id, voter_id=voter_id)
    for option, ap_id in picks:
        await PollVote.create(poll_id=poll.id, option_id=option.id, voter_id=voter_id, ap_id=ap_id,
                              slot=option.position if poll.multiple else 0)
    chosen = PollOption.filter(id__in=[option.id for option, _ in picks])
    await chosen.update(votes_count=F("votes_count") + 1)
    if new_voter:
        await Poll.filter(id=poll.id).update(voters_count=F("voters_count") + 1)
    if post.local:
        await schedule_results(poll.id, now)
        await Actor.filter(id=post.author_id).update(changed_at=now)  # cached pages show tallies


async def cast_vote(uris: Uris, account: Account, post: Post, poll: Poll, positions: list[int],
                    now: datetime | None = None) -> None:
    """Vote as `account` (who may see `post`: the caller checked) for the options at
    `positions`; raise VoteRefused when the vote cannot be counted."""
    now = now or datetime.now(timezone.utc)
    options = {option.position: option for option in await PollOption.filter(poll_id=poll.id)}
    if not positions or any(position not in options for position in positions):
        raise VoteRefused("choose one of the poll's options", 400)
    if await PollVote.exists(poll_id=poll.id, voter_id=account.actor_id):
        raise VoteRefused("you have already voted in this poll")
    picks = [(options[p], None if post.local else uris.vote(account.username)) for p in positions]
    try:
        async with in_transaction():
            await record_votes(post, poll, account.actor_id, picks, now)
            if not post.local:
                await _send_votes(account, post, picks)
    except IntegrityError:
        raise VoteRefused("you have already voted in this poll") from None


async def _send_votes(account: Account, post: Post, picks: list[tuple[PollOption, str | None]]) -> None:
    """Queue one Create{Note} per choice to the poll author's own inbox: a vote is for the
    author alone (Mastodon and GoToSocial address it so), never for a shared inbox."""
    author = await Actor.get(id=post.author_id)
    voter = account.actor
    for option, vote_id in picks:
        activity = poll_vote(str(vote_id), voter.ap_id, post.ap_id, author.ap_id, option.name)
        await queue_to_actor(activity, voter, author)
