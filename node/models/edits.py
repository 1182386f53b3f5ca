"""Edit history: the earlier versions of posts, kept when their authors edit them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from node.models.fields import DatetimeField

if TYPE_CHECKING:
    from node.models.posts import Post


class PostEdit(Model):
    """What `post` said from `current_from` until an edit replaced it at `current_until`."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="edits", on_delete=fields.CASCADE
    )
    content_html = fields.TextField()  # sanitised, as it was shown
    source = fields.TextField(default="")  # what the author typed (local posts)
    content_warning = fields.TextField(default="")
    sensitive = fields.BooleanField(default=False)
    # The version's attachments as the history shows them, without their files: a list of
    # {"kind": "image" | "video" | "audio" | "file", "description": alt text}. Null for
    # versions kept before this was recorded (migration 9): what they had is not known.
    media = fields.JSONField(null=True)
    # The edit that ended this version added, removed, replaced or described anew attachments.
    media_changed = fields.BooleanField(default=False)
    current_from = DatetimeField()
    current_until = DatetimeField()

    class Meta:
        table = "post_edits"
        # The history page lists one post's versions, newest first.
        indexes = (Index(fields=("post_id", "id")),)
