"""People: actors (local and remote share one shape, as federation needs), the accounts
that sign in here, and their browser sessions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from federation.audience import DEFAULT_VISIBILITY, Visibility
from node.models.fields import DatetimeField


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
    created_at = DatetimeField(auto_now_add=True)
    # Bumped whenever the profile or any of the actor's posts changes: feeds and cached
    # pages use it as their version (ETag, Last-Modified).
    changed_at = DatetimeField(auto_now_add=True)
    fetched_at = DatetimeField(null=True)  # remote actors: when last refreshed

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
    # Notifications up to this id have been seen: the unread count is what lies past it.
    notifications_seen_id = fields.BigIntField(default=0)
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "accounts"



class Session(Model):
    """A signed-in browser. The cookie holds a random token; we keep only its hash."""

    token_hash = fields.CharField(max_length=64, primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = DatetimeField(auto_now_add=True)
    last_seen_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "sessions"
