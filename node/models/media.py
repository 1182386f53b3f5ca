"""Media: the pictures (and, from other servers, videos and sounds) attached to posts, and
the custom emoji that remote posts and names use.

A local attachment names its files under the media directory (unguessable names, see
node.media.files); a remote one keeps only the metadata its server sent, and is shown
through the media proxy, never fetched into this table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from node.models.fields import DatetimeField

if TYPE_CHECKING:
    from node.models.accounts import Actor
    from node.models.posts import Post


class Media(Model):
    """One attachment: ours (`file_name` set) or another server's (`remote_url` set)."""

    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="media", on_delete=fields.CASCADE
    )
    # Null until the upload is attached (a client may upload first and post later).
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="media", null=True, on_delete=fields.CASCADE
    )
    position = fields.SmallIntField(default=0)  # order within the post
    file_name = fields.CharField(max_length=64, null=True, unique=True)
    thumbnail_name = fields.CharField(max_length=64, null=True, unique=True)
    remote_url = fields.CharField(max_length=1024, null=True)
    media_type = fields.CharField(max_length=64)  # MIME type: image/jpeg, video/mp4 ...
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    blurhash = fields.CharField(max_length=64, null=True)
    description = fields.TextField(default="")  # the alt text
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "media"
        indexes = (Index(fields=("post_id", "position")),)

    @property
    def kind(self) -> str:
        """image, video, audio, or file: how a page shows it."""
        major = self.media_type.split("/", 1)[0]
        return major if major in ("image", "video", "audio") else "file"


class CustomEmoji(Model):
    """A custom emoji a remote post (`post`) or a remote actor's name (`actor`) uses:
    `:shortcode:` in the text is shown as the image at `icon_url` (through the proxy)."""

    id = fields.BigIntField(primary_key=True)
    shortcode = fields.CharField(max_length=64)
    icon_url = fields.CharField(max_length=1024)
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="emojis", null=True, on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="emojis", null=True, on_delete=fields.CASCADE
    )

    class Meta:
        table = "custom_emojis"
        indexes = (Index(fields=("post_id",)), Index(fields=("actor_id",)))
