"""Posts and what they name: mentioned actors and hashtags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from federation.audience import Visibility
from node.models.fields import DatetimeField

if TYPE_CHECKING:
    from node.models.accounts import Actor


class Post(Model):
    """A status. `id` is time-ordered (node.ids), so newest-first is `-id`."""

    id = fields.BigIntField(primary_key=True, generated=False)
    ap_id = fields.CharField(max_length=512, unique=True)
    url = fields.CharField(max_length=512, default="")
    author: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="posts", on_delete=fields.CASCADE
    )
    local = fields.BooleanField(default=True)
    visibility = fields.CharEnumField(Visibility, max_length=16)
    source = fields.TextField(default="")  # what the author typed (local posts)
    content_html = fields.TextField()  # sanitised, ready to show
    content_warning = fields.TextField(default="")
    sensitive = fields.BooleanField(default=False)
    in_reply_to_ap_id = fields.CharField(max_length=512, null=True)
    in_reply_to: fields.ForeignKeyNullableRelation["Post"] = fields.ForeignKeyField(
        "models.Post", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    created_at = DatetimeField()
    edited_at = DatetimeField(null=True)
    deleted_at = DatetimeField(null=True)  # a tombstone: kept so its id stays taken
    link_preview = fields.BooleanField(default=True)  # the author wants a card for its first link
    # A boost is a post too (Mastodon's reblog): by the booster, without content of its own, its
    # id the boost time, its ap_id the Announce's. Shown as "X boosted" with `boost_of`.
    boost_of: fields.ForeignKeyNullableRelation["Post"] = fields.ForeignKeyField(
        "models.Post", related_name="boosts", null=True, on_delete=fields.CASCADE
    )

    class Meta:
        table = "posts"
        # One boost per booster and post. Led by boost_of_id, it also serves counting a page's
        # boosts and finding one's own boost of a post.
        unique_together = (("boost_of", "author"),)
        indexes = (
            # Profile pages and feeds: one author's posts of some visibilities, newest first.
            Index(fields=("author_id", "visibility", "id")),
            Index(fields=("author_id", "id")),
            # Replies that arrived before their parent are linked when it arrives.
            Index(fields=("in_reply_to_ap_id",)),
            # A post's replies in order (threads), and counting the replies of a page of posts.
            Index(fields=("in_reply_to_id", "id")),
        )



class Mention(Model):
    """An actor a post mentions; the mentioned are the audience of a direct post."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="mentions", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="mentioned_in", on_delete=fields.CASCADE
    )

    class Meta:
        table = "mentions"
        unique_together = (("post", "actor"),)
        indexes = (Index(fields=("actor_id", "post_id")),)



class Tag(Model):
    """A hashtag used by a post, lower-cased."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="tags", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)

    class Meta:
        table = "tags"
        unique_together = (("post", "name"),)
        indexes = (Index(fields=("name", "post_id")),)
