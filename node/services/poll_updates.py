"""After the votes: sending our polls' results, and closing polls that have ended.

Results. A vote on one of our polls does not send anything at once: the first vote since the
last send sets `results_due_at` to RESULTS_DELAY later, and the poll step then sends one
Update{Question} with every vote cast meanwhile, as Mastodon does (its VoteService queues
DistributePollUpdateWorker three minutes out, unique until run). One Update per vote would
send (votes x follower servers) deliveries for a popular poll; three minutes bounds that to
one round per poll per three minutes, and voters still see results move within minutes.
The Update goes to the poll's audience as the audience module decides it now (followers,
the mentioned; remote voters too for public and unlisted polls), not to the delivery ledger:
new results are new content, and those who left the audience get none.

Closing. The step closes every poll past its end once, across any number of worker
processes: the UPDATE that sets `closed_at` is the claim (a row another process closed
first matches nothing), and the notifications and the final Update{Question} with `closed`
are written in that same transaction, so they exist exactly when the close does. The author
(for our polls) and every local voter get a POLL notification.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from federation.activities import question_update
from federation.audience import inboxes_for, is_federated
from federation.claims import PassWorker
from node.conversions import post_to_note
from node.models import Actor, NotificationKind, Poll, PollOption, PollVote, Post
from node.polls import question_facts
from node.queries import mentions_and_tags
from node.services.notifications import notify
from node.services.outbox import queue, recipients_of
from node.uris import Uris

log = logging.getLogger(__name__)

RESULTS_DELAY = timedelta(minutes=3)


async def schedule_results(poll_id: int, now: datetime) -> None:
    """Have the results of our poll sent RESULTS_DELAY after the first vote since the last
    send (later votes ride along). Call in the vote's transaction."""
    not_yet_due = Poll.filter(id=poll_id, results_due_at=None, closed_at=None)
    await not_yet_due.update(results_due_at=now + RESULTS_DELAY)


async def queue_results(uris: Uris, post: Post, now: datetime) -> int:
    """Queue the Update{Question} of our post's poll to the poll's audience and its remote
    voters (as the audience module allows); return how many deliveries."""
    if post.deleted_at is not None or not is_federated(post.visibility):
        return 0
    author = await Actor.get(id=post.author_id)
    mentioned, tags = (await mentions_and_tags([post.id]))[post.id]
    voters = await Actor.filter(local=False, poll_votes__poll__post_id=post.id).distinct()
    inboxes = inboxes_for(post.visibility, await recipients_of(author, mentioned, voters))
    if not inboxes:
        return 0
    poll = (await question_facts([post.id], now))[post.id]
    document = post_to_note(uris, post, author, mentioned, tags, poll)
    return await queue(question_update(document, now), inboxes, sender_key_id=author.public_key_id,
                       object_id=post.ap_id)


async def recount(poll_id: int) -> None:
    """Set our poll's tallies from its votes. The counters move by atomic increments as votes
    come; recounting before each send makes them exact even after two voters' transactions
    raced on PostgreSQL (voters_count, the only count an increment cannot keep exact)."""
    per_option = dict(await PollVote.filter(poll_id=poll_id).group_by("option_id")
                      .annotate(n=Count("id")).values_list("option_id", "n"))
    for option_id in await PollOption.filter(poll_id=poll_id).values_list("id", flat=True):
        await PollOption.filter(id=option_id).update(votes_count=per_option.get(option_id, 0))
    voters = await PollVote.filter(poll_id=poll_id).annotate(n=Count("voter_id", distinct=True)) \
        .values_list("n")
    await Poll.filter(id=poll_id).update(voters_count=voters[0][0] if voters else 0)


async def send_due_results(uris: Uris, poll_id: int, now: datetime) -> bool:
    """Send the results of one poll whose send is due, unless another process took it;
    return whether this call did."""
    async with in_transaction():
        if not await Poll.filter(id=poll_id, results_due_at__lte=now).update(results_due_at=None):
            return False
        poll = await Poll.get(id=poll_id)
        post = await Post.get(id=poll.post_id)
        if post.local:
            await recount(poll_id)
            await queue_results(uris, post, now)
    return True


async def close_poll(uris: Uris, poll_id: int, now: datetime) -> bool:
    """Close one poll past its end, unless another process closed it first: notify, and
    send our poll's final results; return whether this call closed it."""
    async with in_transaction():
        if not await Poll.filter(id=poll_id, closed_at=None).update(closed_at=now, results_due_at=None):
            return False
        poll = await Poll.get(id=poll_id)
        post = await Post.get(id=poll.post_id).select_related("author")
        if post.deleted_at is not None:
            return True
        await _notify_ended(post)
        if post.local:
            await recount(poll_id)
            await queue_results(uris, post, now)
            await Actor.filter(id=post.author_id).update(changed_at=now)  # cached pages show "ended"
    return True


async def _notify_ended(post: Post) -> None:
    """Tell the author (when ours) and every local voter that the poll has ended."""
    await notify(NotificationKind.POLL, post.author_id, None, post.id)
    local_votes = PollVote.filter(poll__post_id=post.id, voter__local=True)
    for voter_id in sorted(set(await local_votes.values_list("voter_id", flat=True)) - {post.author_id}):
        await notify(NotificationKind.POLL, voter_id, post.author_id, post.id)


class PollWorker(PassWorker):
    """The periodic poll step: close ended polls, send due results; several processes may
    run it at once."""

    name = "poll"

    def __init__(self, uris: Uris, wake_delivery: Callable[[], None], *, every: float = 5.0,
                 batch: int = 100) -> None:
        super().__init__(every)
        self._uris = uris
        self._wake_delivery = wake_delivery
        self._batch = batch

    async def run_due(self, now: datetime | None = None) -> int:
        """Close the polls that have ended and send the results that are due by `now`;
        return how many polls this call handled."""
        now = now or datetime.now(timezone.utc)
        ended = await Poll.filter(closed_at=None, expires_at__lte=now).order_by("expires_at") \
            .limit(self._batch).values_list("id", flat=True)
        due = await Poll.filter(results_due_at__lte=now).order_by("results_due_at") \
            .limit(self._batch).values_list("id", flat=True)
        handled = [await self._step(close_poll, poll_id, now) for poll_id in ended]
        handled += [await self._step(send_due_results, poll_id, now) for poll_id in due]
        if any(handled):
            self._wake_delivery()
        return sum(handled)

    async def _step(self, step: Callable[[Uris, int, datetime], Awaitable[bool]], poll_id: int,
                    now: datetime) -> bool:
        # One poll that fails (its transaction rolled back) must not hold up the others.
        try:
            return await step(self._uris, poll_id, now)
        except Exception:
            log.exception("poll step %s failed for poll %s", step.__name__, poll_id)
            return False
