"""Domain tables. Local and remote actors share one shape, as federation needs.

Protocol fields carry an `ap_` prefix; database keys are `pk`.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from federation.audience import DEFAULT_VISIBILITY, Visibility


class FollowState:
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Actor(Model):
    """A person, group or service, on this node (`local`) or another server."""

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=512, unique=True)
    actor_type = fields.CharField(max_length=32, default="Person")
    username = fields.CharField(max_length=255)
    domain = fields.CharField(max_length=255)  # host[:port] that names the account
    local = fields.BooleanField(default=False)
    display_name = fields.CharField(max_length=255, default="")
    summary_html = fields.TextField(default="")  # sanitised bio
    url = fields.CharField(max_length=512, default="")  # the profile page
    inbox = fields.CharField(max_length=512, default="")
    shared_inbox = fields.CharField(max_length=512, null=True)
    outbox = fields.CharField(max_length=512, default="")
    followers_url = fields.CharField(max_length=512, default="")
    following_url = fields.CharField(max_length=512, default="")
    featured_url = fields.CharField(max_length=512, default="")
    public_key_id = fields.CharField(max_length=512, default="")
    public_key_pem = fields.TextField(default="")
    avatar_url = fields.CharField(max_length=512, null=True)
    header_url = fields.CharField(max_length=512, null=True)
    locked = fields.BooleanField(default=False)  # manuallyApprovesFollowers
    discoverable = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Bumped whenever the profile or any of the actor's posts changes: feeds and cached
    # pages use it as their version (ETag, Last-Modified).
    changed_at = fields.DatetimeField(auto_now_add=True)
    fetched_at = fields.DatetimeField(null=True)  # remote actors: when last refreshed

    class Meta:
        table = "actors"
        unique_together = (("username", "domain"),)

    @property
    def handle(self) -> str:
        return f"{self.username}@{self.domain}"

    @property
    def name_or_username(self) -> str:
        return self.display_name or self.username


class Account(Model):
    """A person who signs in on this node; their public face is `actor`."""

    id = fields.BigIntField(primary_key=True)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="account", on_delete=fields.CASCADE
    )
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    private_key_pem = fields.TextField()
    is_admin = fields.BooleanField(default=False)
    default_visibility = fields.CharEnumField(Visibility, max_length=16, default=DEFAULT_VISIBILITY)
    bio_source = fields.TextField(default="")
    rss_enabled = fields.BooleanField(default=True)
    hide_network = fields.BooleanField(default=False)  # followers/following lists not shown
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "accounts"


class Session(Model):
    """A signed-in browser. The cookie holds a random token; we keep only its hash."""

    token_hash = fields.CharField(max_length=64, primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sessions"


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
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)  # a tombstone: kept so its id stays taken

    class Meta:
        table = "posts"
        indexes = (
            # Profile pages and feeds: one author's posts of some visibilities, newest first.
            Index(fields=("author_id", "visibility", "id")),
            Index(fields=("author_id", "id")),
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
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

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
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "blocks"
        unique_together = (("blocker", "target"),)
        indexes = (Index(fields=("target_id", "blocker_id")),)


class DomainBlock(Model):
    """A server this node refuses: its activities are dropped and it receives nothing."""

    id = fields.BigIntField(primary_key=True)
    domain = fields.CharField(max_length=255, unique=True)  # host[:port], lower-cased
    created_at = fields.DatetimeField(auto_now_add=True)

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
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "favourites"
        unique_together = (("actor", "post"),)


class Boost(Model):
    """`actor` boosted `post` (an Announce activity)."""

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=512, null=True)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="boosts", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="boosts", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "boosts"
        unique_together = (("actor", "post"),)
