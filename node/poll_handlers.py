"""Inbound polls: votes for our polls, and the polls (and tallies) of remote posts.

Called from node/handlers.py: `count_votes` when a Create carries votes (before anything
would store it as a post: a vote is never a post), `store_remote_poll` inside the
transaction that stores a remote Question, `update_remote_poll` when its author sends an
Update (tallies change there and make no edit). Refusals are `Rejected` with the reason.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federation.errors import Rejected
from federation.notes import NoteInfo
from federation.polls import Vote
from federation.resolver import Resolver
from node.models import Poll, PollOption, PollVote, Post
from node.queries import Viewer, may_view
from node.services.polls import VoteRefused, record_votes
from node.services.remote import remote_actor

# A remote Question with more options than this keeps the first ones (Mastodon allows 4,
# others more); the page of a post is no place for a hundred answers.
MAX_REMOTE_OPTIONS = 20


async def count_votes(resolver: Resolver, voter_iri: str, votes: tuple[Vote, ...]) -> None:
    """Count a remote actor's votes for one of our polls; raise Rejected when they are for
    no poll of ours, an unknown option, a poll they may not see, ended, or chosen before."""
    # 1. every choice answers one poll of ours
    questions = {vote.question for vote in votes}
    post = await Post.get_or_none(ap_id=questions.pop(), local=True) if len(questions) == 1 else None
    poll = await Poll.get_or_none(post_id=post.id) if post else None
    if poll is None:
        raise Rejected("a poll vote that does not answer a poll of ours")
    # 2. a delivery repeated after its votes were counted changes nothing (at least once)
    if await PollVote.filter(ap_id__in=[vote.ap_id for vote in votes]).count() == len(votes):
        return
    # 3. only someone who may see the poll votes in it
    voter = await remote_actor(resolver, voter_iri)
    if not await may_view(Viewer(actor_id=voter.id), post):
        raise Rejected("the poll is not visible to this actor")
    # 4. each choice names an option, exactly
    options = {option.name: option for option in await PollOption.filter(poll_id=poll.id)}
    unknown = [vote.choice for vote in votes if vote.choice not in options]
    if unknown:
        raise Rejected(f"the poll has no option {unknown[0][:100]!r}")
    # 5. counted, unless the poll has ended or the voter chose (this option) before
    picks = [(options[vote.choice], vote.ap_id) for vote in votes]
    try:
        async with in_transaction():
            await record_votes(post, poll, voter.id, picks, datetime.now(timezone.utc))
    except VoteRefused as e:
        raise Rejected(e.reason) from None
    except IntegrityError:
        raise Rejected("this actor has already voted in this poll (or for this option)") from None


async def store_remote_poll(post_id: int, note: NoteInfo) -> None:
    """Keep the poll of a remote post, if its object carries one (a Question). Call in the
    transaction that stores the post."""
    if not note.poll_options:
        return
    options = note.poll_options[:MAX_REMOTE_OPTIONS]
    poll = await Poll.create(post_id=post_id, multiple=note.poll_multiple, expires_at=_end_of(note),
                             voters_count=_voters_of(note))
    await PollOption.bulk_create([PollOption(poll_id=poll.id, position=position, name=option.name,
                                             votes_count=option.votes)
                                  for position, option in enumerate(options)])


async def update_remote_poll(post: Post, note: NoteInfo) -> None:
    """Take a remote poll's tallies and end from its author's Update (the caller checked the
    author). A poll whose options changed starts again, votes here dropped, as Mastodon and
    GoToSocial reset an edited poll; a post edited into a plain Note loses its poll."""
    poll = await Poll.get_or_none(post_id=post.id)
    names = [option.name for option in note.poll_options[:MAX_REMOTE_OPTIONS]]
    if poll is not None and not names and note.object_type == "Question":
        return  # a Question whose options we cannot read: keep what we have
    stored = await PollOption.filter(poll_id=poll.id).order_by("position") if poll else []
    async with in_transaction():
        if poll is None or [o.name for o in stored] != names or poll.multiple != note.poll_multiple:
            await Poll.filter(post_id=post.id).delete()
            return await store_remote_poll(post.id, note)
        for option, tally in zip(stored, note.poll_options):
            if option.votes_count != tally.votes:
                await PollOption.filter(id=option.id).update(votes_count=tally.votes)
        await Poll.filter(id=poll.id).update(voters_count=_voters_of(note),
                                             expires_at=_end_of(note) or poll.expires_at)


def _end_of(note: NoteInfo) -> datetime | None:
    # A poll that says it closed before its endTime ended then (closed early, or endless).
    end, closed = note.poll_end_time, note.poll_closed
    return closed if closed is not None and (end is None or closed < end) else end


def _voters_of(note: NoteInfo) -> int:
    # Without votersCount a single-choice poll has as many voters as votes; for a
    # multiple-choice one it is unknown, and 0 makes the page count votes instead.
    if note.poll_voters is not None:
        return note.poll_voters
    return 0 if note.poll_multiple else sum(option.votes for option in note.poll_options)
