"""notify() tells local accounts once, and never about their own doings or blocked senders."""

from __future__ import annotations

import pytest

from node.models import Block, Notification, NotificationKind
from node.services.notifications import notify, unread_count


async def test_notify__once_per_event_and_counted_until_seen(make_account):
    # Given alice and bob
    alice, bob = await make_account("alice"), await make_account("bob")
    # When bob follows alice, and the same event is handled twice
    first = await notify(NotificationKind.FOLLOW, alice.actor_id, bob.actor_id)
    again = await notify(NotificationKind.FOLLOW, alice.actor_id, bob.actor_id)
    # Then alice has one unread notification, until she has seen it
    assert first is not None and again is None
    assert await unread_count(alice) == 1
    alice.notifications_seen_id = first.id
    assert await unread_count(alice) == 0


async def test_notify__nobody_to_tell(make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    await Block.create(blocker_id=alice.actor_id, target_id=bob.actor_id)
    # One's own action, a blocked sender: nothing recorded
    assert await notify(NotificationKind.LIKE, alice.actor_id, alice.actor_id) is None
    assert await notify(NotificationKind.MENTION, alice.actor_id, bob.actor_id) is None
    assert await Notification.all().count() == 0
    with pytest.raises(ValueError):
        await notify("poke", alice.actor_id, bob.actor_id)
