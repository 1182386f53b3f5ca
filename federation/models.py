"""Protocol tables, owned by the federation I/O ring: the inbox queue, the delivery queue
and its ledger, and the cache of remote public keys. Registered in node's Tortoise config.

States are plain columns moved by explicit functions in inbox.py and delivery.py:
InboxItem received -> processed | errored; Delivery pending -> delivered | abandoned | gone.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class InboxState:
    RECEIVED = "received"
    PROCESSED = "processed"
    ERRORED = "errored"  # refused by a handler or failed for good; `error` says why


class DeliveryState:
    PENDING = "pending"
    DELIVERED = "delivered"
    ABANDONED = "abandoned"
    GONE = "gone"


class InboxItem(Model):
    """An activity someone POSTed to us, stored before we answered 202."""

    id = fields.BigIntField(primary_key=True)
    activity_id = fields.CharField(max_length=512, unique=True)  # dedupe: at most once stored
    signer = fields.CharField(max_length=512)  # the actor whose key signed the request
    recipient = fields.CharField(max_length=255, null=True)  # local username for personal inboxes
    body = fields.TextField()  # the raw JSON as received
    state = fields.CharField(max_length=16, default=InboxState.RECEIVED)
    attempts = fields.IntField(default=0)
    next_try_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)  # claimed by a worker until then
    error = fields.CharField(max_length=500, default="")
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbox_items"
        indexes = (Index(fields=("state", "next_try_at")),)


class Delivery(Model):
    """One activity to POST to one inbox, signed as `sender_key_id` on every try."""

    id = fields.BigIntField(primary_key=True)
    inbox = fields.CharField(max_length=512)
    host = fields.CharField(max_length=255)
    activity_id = fields.CharField(max_length=512)
    object_id = fields.CharField(max_length=512, null=True)  # the post, for the ledger
    body = fields.TextField()
    sender_key_id = fields.CharField(max_length=512)
    state = fields.CharField(max_length=16, default=DeliveryState.PENDING)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    next_try_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    last_status = fields.IntField(null=True)
    error = fields.CharField(max_length=500, default="")

    class Meta:
        table = "deliveries"
        indexes = (Index(fields=("state", "next_try_at")), Index(fields=("object_id",)))


class DeliveredTo(Model):
    """The ledger: `inbox` accepted an activity about `object_id`; later edits and deletes
    of that object go to every inbox here, not only to today's followers."""

    id = fields.BigIntField(primary_key=True)
    object_id = fields.CharField(max_length=512)
    inbox = fields.CharField(max_length=512)
    delivered_at = fields.DatetimeField()

    class Meta:
        table = "delivered_to"
        unique_together = (("object_id", "inbox"),)


class HostHealth(Model):
    """Failures per remote host, so a host that has failed for days is skipped until it
    answers again."""

    host = fields.CharField(max_length=255, primary_key=True)
    failing_since = fields.DatetimeField(null=True)
    last_failure_at = fields.DatetimeField(null=True)
    unreachable = fields.BooleanField(default=False)

    class Meta:
        table = "host_health"


class RemoteKey(Model):
    """A remote actor's public key, as last fetched."""

    key_id = fields.CharField(max_length=512, primary_key=True)
    owner = fields.CharField(max_length=512)
    public_key_pem = fields.TextField()
    fetched_at = fields.DatetimeField()

    class Meta:
        table = "remote_keys"
