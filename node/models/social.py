"""Relations between actors: follows, blocks, blocked servers, likes. (Boosts are posts:
node.models.posts `Post.boost_of`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from node.models.fields import DatetimeField

if TYPE_CHECKING:
    from node.models.accounts import Actor
    from node.models.posts import Post


class FollowState:
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"



class Follow(Model):
    """`follower` follows `target`: requested, then accepted or rejected."""

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=512, null=True, unique=True)
    follower: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="following", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="followers", on_delete=fields.CASCADE
    )
    state = fields.CharField(max_length=16, default=FollowState.REQUESTED)
    created_at = DatetimeField(auto_now_add=True)
    accepted_at = DatetimeField(null=True)

    class Meta:
        table = "follows"
        unique_together = (("follower", "target"),)
        indexes = (Index(fields=("target_id", "state")), Index(fields=("follower_id", "state")))



class Block(Model):
    """`blocker` blocks `target`: the target sees none of the blocker's posts."""

    id = fields.BigIntField(primary_key=True)
    blocker: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocked_by", on_delete=fields.CASCADE
    )
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "blocks"
        unique_together = (("blocker", "target"),)
        indexes = (Index(fields=("target_id", "blocker_id")),)



class DomainBlock(Model):
    """A server this node refuses: its activities are dropped and it receives nothing."""

    id = fields.BigIntField(primary_key=True)
    domain = fields.CharField(max_length=255, unique=True)  # host[:port], lower-cased
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_blocks"



class Favourite(Model):
    """`actor` liked `post` (a Like activity)."""

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=512, null=True)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="favourites", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="favourites", on_delete=fields.CASCADE
    )
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "favourites"
        unique_together = (("actor", "post"),)
        indexes = (Index(fields=("post_id",)),)  # counting the likes of a page of posts

