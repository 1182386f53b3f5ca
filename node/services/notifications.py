"""Notifying local accounts: one call where something happens to them, and the unread count.

Called inside the transaction of whatever caused it (a handler storing a Like, a service
accepting a follow), so a notification exists exactly when its cause does.
"""

from __future__ import annotations

from node.models import Account, Block, Notification, NotificationKind


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
    # Handlers run at least once: the same event arriving twice is one notification.
    same = dict(account_id=account_id[0], kind=kind, from_actor_id=from_actor_id, post_id=post_id)
    if await Notification.exists(**same):
        return None
    return await Notification.create(**same)


async def unread_count(account: Account) -> int:
    """Return how many notifications the account has not seen yet."""
    return await Notification.filter(account_id=account.id, id__gt=account.notifications_seen_id).count()
