"""Queueing our activities for delivery, inside the caller's transaction (the outbox
pattern): a crash after commit loses nothing, a crash before it sends nothing.

Who receives what is decided by federation.audience from facts gathered here, and every
activity of ours is queued through `queue`, which never queues for a server this node
blocks (DomainBlock: it receives nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tortoise.expressions import Q

from federation import activities
from federation.audience import OPEN_VISIBILITIES, Recipient, addressing_for, inboxes_for, is_federated
from federation.delivery import enqueue, ledger_inboxes
from federation.vocab import host_of
from node.conversions import post_to_create, post_to_note
from node.models import Actor, Block, DomainBlock, FollowState, Post
from node.polls import question_facts
from node.uris import Uris


async def recipients_of(author: Actor, mentioned: list[Actor], voters: Sequence[Actor] = ()) -> list[Recipient]:
    """Return the remote actors who might receive the author's post, with the facts the
    audience module needs: accepted followers, the mentioned, those who voted in its poll,
    and who is blocked."""
    followers = await Actor.filter(
        local=False, following__target_id=author.id, following__state=FollowState.ACCEPTED
    )
    blocked = set(await Block.filter(blocker_id=author.id).values_list("target_id", flat=True))
    blocked |= set(await Block.filter(target_id=author.id).values_list("blocker_id", flat=True))
    follower_ids = {a.id for a in followers}
    everyone = {a.id: a for a in [*followers, *[m for m in [*mentioned, *voters] if not m.local]]}
    voter_ids = {a.id for a in voters}
    return [
        Recipient(ap_id=a.ap_id, inbox=a.inbox, shared_inbox=a.shared_inbox, host=a.domain,
                  follows_author=a.id in follower_ids, mentioned=a in mentioned, blocked=a.id in blocked,
                  voted=a.id in voter_ids)
        for a in everyone.values()
    ]


async def queue_create(uris: Uris, post: Post, author: Actor, mentioned: list[Actor], tags: list[str]) -> int:
    """Queue the Create of a new post to its audience's inboxes; return how many."""
    if not is_federated(post.visibility):
        return 0
    inboxes = inboxes_for(post.visibility, await recipients_of(author, mentioned))
    if not inboxes:
        return 0
    poll = (await question_facts([post.id])).get(post.id)
    activity = post_to_create(uris, post, author, mentioned, tags, poll)
    return await queue(activity, inboxes, sender_key_id=author.public_key_id, object_id=post.ap_id)


async def queue_delete(post: Post, author: Actor, mentioned: list[Actor]) -> int:
    """Queue the Delete of a post to every inbox that got it (the ledger) and to its audience
    now; return how many."""
    if not is_federated(post.visibility):
        return 0
    inboxes = await reach_of(post, author, mentioned, with_ledger=True)
    if not inboxes:
        return 0
    addressing = addressing_for(post.visibility, author.followers_url, [m.ap_id for m in mentioned])
    activity = activities.delete(post.ap_id, author.ap_id, list(addressing.to), list(addressing.cc))
    return await queue(activity, inboxes, sender_key_id=author.public_key_id, object_id=post.ap_id)


async def queue_update(uris: Uris, post: Post, author: Actor, mentioned: list[Actor], tags: list[str]) -> int:
    """Queue the Update of an edited post (its Note carries `updated`) to its audience now and,
    for a public or unlisted post, every inbox that got it before; return how many.

    The new text of a followers-only or direct post goes only to its audience now: a server
    whose follower left, or whose account is no longer mentioned, keeps the old text and is
    never sent the new one."""
    if not is_federated(post.visibility) or post.edited_at is None:
        return 0
    inboxes = await reach_of(post, author, mentioned, with_ledger=post.visibility in OPEN_VISIBILITIES)
    inboxes -= await _blocked_inboxes(author)  # a Delete may reach them; new text may not
    if not inboxes:
        return 0
    # The whole post goes again: without its attachments or poll, receivers would drop them.
    await post.fetch_related("media")
    poll = (await question_facts([post.id])).get(post.id)
    activity = activities.update(post_to_note(uris, post, author, mentioned, tags, poll), post.edited_at)
    return await queue(activity, inboxes, sender_key_id=author.public_key_id, object_id=post.ap_id)


async def reach_of(post: Post, author: Actor, mentioned: list[Actor], *, with_ledger: bool) -> set[str]:
    """Return the inboxes of the post's audience now and, `with_ledger`, every inbox that
    accepted an activity about it before (a follower who left since, a server once
    mentioned)."""
    inboxes = inboxes_for(post.visibility, await recipients_of(author, mentioned))
    if with_ledger:
        inboxes |= set(await ledger_inboxes(post.ap_id))
    return inboxes


async def _blocked_inboxes(author: Actor) -> set[str]:
    """Return the own inboxes of remote actors the author blocks or is blocked by."""
    blocked = Block.filter(Q(blocker_id=author.id) | Q(target_id=author.id))
    ids = {i for pair in await blocked.values_list("blocker_id", "target_id") for i in pair} - {author.id}
    return set(await Actor.filter(id__in=ids, local=False).values_list("inbox", flat=True)) if ids else set()


async def queue_to_actor(activity: dict, sender: Actor, recipient: Actor) -> int:
    """Queue one activity (a Follow, an Undo, an Accept...) to one actor's own inbox."""
    if recipient.local:
        return 0
    return await queue(activity, [recipient.inbox], sender_key_id=sender.public_key_id, object_id=None)


async def queue(activity: dict, inboxes: Iterable[str], *, sender_key_id: str, object_id: str | None) -> int:
    """Queue `activity` to `inboxes` (inside the caller's transaction), leaving out every
    inbox on a server this node blocks; return how many deliveries were queued."""
    inboxes = list(dict.fromkeys(inboxes))
    hosts = {host_of(inbox) for inbox in inboxes}
    blocked = set(await DomainBlock.filter(domain__in=hosts).values_list("domain", flat=True)) if hosts else set()
    allowed = [inbox for inbox in inboxes if host_of(inbox) not in blocked]
    if not allowed:
        return 0
    return await enqueue(activity, allowed, sender_key_id=sender_key_id, object_id=object_id)
