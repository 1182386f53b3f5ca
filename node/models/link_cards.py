"""Link preview cards: one per linked URL, shared by every post that links it, and which
post shows which card.

A card row is also its own fetch job (the inbox and delivery queues' shape: `state`,
`next_try_at`, `locked_until`, claimed by federation.claims): it is written pending in the
transaction that stores the post, so a crash after that commit loses nothing, and the
worker in node.services.link_cards fills it in later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from node.models.fields import DatetimeField

if TYPE_CHECKING:
    from node.models.posts import Post


class LinkCardState:
    PENDING = "pending"  # to fetch: new, or old enough to fetch again
    FETCHED = "fetched"  # the page gave a card
    FAILED = "failed"  # no card: refused, unreachable, not HTML, too slow, no title


class LinkCard(Model):
    """What the page at `url` said about itself when last fetched."""

    id = fields.BigIntField(primary_key=True)
    url = fields.CharField(max_length=1024, unique=True)  # as linked in the post
    state = fields.CharField(max_length=16, default=LinkCardState.PENDING)
    title = fields.CharField(max_length=300, default="")
    description = fields.CharField(max_length=500, default="")
    site_name = fields.CharField(max_length=100, default="")
    image_url = fields.CharField(max_length=2000, null=True)  # shown only through the media proxy
    error = fields.CharField(max_length=200, default="")  # why the last fetch gave no card (operators only)
    fetched_at = DatetimeField(null=True)
    next_try_at = DatetimeField()
    locked_until = DatetimeField(null=True)  # claimed by a worker until then

    class Meta:
        table = "link_cards"
        indexes = (Index(fields=("state", "next_try_at")),)


class PostLinkCard(Model):
    """The card of the first link of `post` (at most one per post)."""

    id = fields.BigIntField(primary_key=True)
    post: fields.OneToOneRelation[Post] = fields.OneToOneField(
        "models.Post", related_name="link_card", on_delete=fields.CASCADE
    )
    card: fields.ForeignKeyRelation[LinkCard] = fields.ForeignKeyField(
        "models.LinkCard", related_name="posts", on_delete=fields.CASCADE
    )

    class Meta:
        table = "post_link_cards"
