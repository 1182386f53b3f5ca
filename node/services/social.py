"""Following and followers: follow, unfollow, approve or reject a request, remove a
follower. One transaction each, with the activity for the other side queued inside it."""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise.transactions import in_transaction

from federation import activities
from node.models import Account, Actor, Follow, FollowState, NotificationKind
from node.services.notifications import notify
from node.services.outbox import queue_to_actor
from node.uris import Uris


class SocialError(ValueError):
    """A follow action that cannot be done; the message says why."""


def _follow_document(follow: Follow, follower: Actor, target: Actor) -> dict:
    return activities.follow(follow.ap_id or "", follower.ap_id, target.ap_id)


async def follow(uris: Uris, account: Account, target: Actor) -> Follow:
    """Follow `target`: accepted at once for local unlocked accounts, else requested until
    the other side accepts. Following again is harmless."""
    me: Actor = account.actor
    if target.id == me.id:
        raise SocialError("you cannot follow yourself")
    existing = await Follow.get_or_none(follower_id=me.id, target_id=target.id)
    if existing is not None:
        return existing
    state = FollowState.ACCEPTED if target.local and not target.locked else FollowState.REQUESTED
    async with in_transaction():
        record = await Follow.create(
            follower_id=me.id, target_id=target.id, ap_id=uris.new_activity_id(me.username), state=state,
            accepted_at=datetime.now(timezone.utc) if state == FollowState.ACCEPTED else None)
        kind = NotificationKind.FOLLOW if state == FollowState.ACCEPTED else NotificationKind.FOLLOW_REQUEST
        await notify(kind, target.id, me.id)  # nobody to tell when the target is remote
        await queue_to_actor(_follow_document(record, me, target), me, target)
    return record


async def unfollow(uris: Uris, account: Account, target: Actor) -> None:
    """Stop following `target` (or withdraw the request), telling their server with Undo."""
    me: Actor = account.actor
    record = await Follow.get_or_none(follower_id=me.id, target_id=target.id)
    if record is None:
        return
    undo = activities.undo(uris.new_activity_id(me.username), me.ap_id, _follow_document(record, me, target))
    async with in_transaction():
        await Follow.filter(id=record.id).delete()
        await queue_to_actor(undo, me, target)


async def answer_request(uris: Uris, account: Account, follower: Actor, approve: bool) -> None:
    """Approve or reject a pending follow request to `account` from `follower`."""
    me: Actor = account.actor
    record = await Follow.get_or_none(follower_id=follower.id, target_id=me.id, state=FollowState.REQUESTED)
    if record is None:
        raise SocialError("there is no such follow request")
    build = activities.accept if approve else activities.reject
    answer = build(uris.new_activity_id(me.username), me.ap_id, _follow_document(record, follower, me))
    async with in_transaction():
        if approve:
            await Follow.filter(id=record.id).update(state=FollowState.ACCEPTED, accepted_at=datetime.now(timezone.utc))
        else:
            await Follow.filter(id=record.id).delete()
        await queue_to_actor(answer, me, follower)


async def remove_follower(uris: Uris, account: Account, follower: Actor) -> None:
    """Remove an accepted follower: they are told with a Reject of their Follow, as Mastodon
    does, so their server stops showing them our followers-only posts."""
    me: Actor = account.actor
    record = await Follow.get_or_none(follower_id=follower.id, target_id=me.id)
    if record is None:
        return
    reject = activities.reject(uris.new_activity_id(me.username), me.ap_id, _follow_document(record, follower, me))
    async with in_transaction():
        await Follow.filter(id=record.id).delete()
        await queue_to_actor(reject, me, follower)
