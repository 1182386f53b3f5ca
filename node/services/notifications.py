"""Notifying local accounts: one call where something happens to them, and the unread count.

Called inside the transaction of whatever caused it (a handler storing a Like, a service
accepting a follow), so a notification exists exactly when its cause does.
"""

from __future__ import annotations

from datetime import datetime, timezone

from node.models import Account, Actor, Block, Notification, NotificationKind, Post
from node.queries import Viewer, may_view


async def notify(kind: str, recipient_actor_id: int, from_actor_id: int | None = None,
                 post_id: int | None = None) -> Notification | None:
    """Record that `from_actor_id` did `kind` to the local account whose actor is
    `recipient_actor_id`; return the notification, or None when there is nobody to tell:
    a remote recipient, one's own action, a sender the recipient blocks, or a repeat."""
    if kind not in NotificationKind.ALL:
        raise ValueError(f"unknown notification kind {kind!r}")
    if from_actor_id is not None and from_actor_id == recipient_actor_id:
        return None
    account_id = await Account.filter(actor_id=recipient_actor_id).values_list("id", flat=True)
    if not account_id:
        return None
    if from_actor_id is not None and await Block.exists(blocker_id=recipient_actor_id, target_id=from_actor_id):
        return None
    # Handlers run at least once: the same event arriving twice is one notification. Each
    # edit is news of its own (a repeated Update changes nothing, so notifies nobody).
    same = dict(account_id=account_id[0], kind=kind, from_actor_id=from_actor_id, post_id=post_id)
    if kind != NotificationKind.UPDATE and await Notification.exists(**same):
        return None
    return await Notification.create(**same)


async def unread_count(account: Account) -> int:
    """Return how many notifications the account has not seen yet."""
    return await Notification.filter(account_id=account.id, id__gt=account.notifications_seen_id).count()


async def notify_new_post(post: Post, mentioned: list[Actor], parent: Post | None) -> None:
    """Tell local accounts about a new post: the author of the post it answers (a reply)
    and the local accounts it mentions (a mention), each only if they may see it."""
    told = set()
    if parent is not None and parent.local and await may_view(Viewer(actor_id=parent.author_id, is_local=True), post):
        if await notify(NotificationKind.REPLY, parent.author_id, post.author_id, post.id):
            told.add(parent.author_id)
        await _replies_changed(parent.author_id)
    for actor in mentioned:
        if actor.local and actor.id not in told and await may_view(Viewer(actor_id=actor.id, is_local=True), post):
            await notify(NotificationKind.MENTION, actor.id, post.author_id, post.id)


async def _replies_changed(actor_id: int) -> None:
    # A local author's profile is cached for anonymous readers under `changed_at`, reply
    # counts included: move it.
    await Actor.filter(id=actor_id, local=True).update(changed_at=datetime.now(timezone.utc))
