"""Notifications: what happened to a local account that it should hear about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from node.models.fields import DatetimeField

if TYPE_CHECKING:
    from node.models.accounts import Account, Actor
    from node.models.posts import Post


class NotificationKind:
    FOLLOW = "follow"  # someone follows the account
    FOLLOW_REQUEST = "follow_request"  # someone asks to follow the (locked) account
    MENTION = "mention"  # a post mentions the account
    REPLY = "reply"  # a post answers one of the account's posts
    BOOST = "boost"
    LIKE = "like"
    POLL = "poll"  # a poll the account made or voted in has ended
    UPDATE = "update"  # a post the account boosted or replied to was edited

    ALL = (FOLLOW, FOLLOW_REQUEST, MENTION, REPLY, BOOST, LIKE, POLL, UPDATE)


class Notification(Model):
    """`account` hears that `from_actor` did `kind` (about `post`, when there is one)."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)
    from_actor: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="notified", null=True, on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "notifications"
        # The page lists an account's newest first; the unread count reads past a watermark.
        indexes = (Index(fields=("account_id", "id")),)
