"""Polls: a post's question (one poll per post), its options with their tallies, and the
votes cast here or received for polls of ours.

For our own polls every vote is a row and the tallies are kept from them; for remote polls
the tallies are what the author's server last said, and the only votes kept are our
accounts' own.
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


class Poll(Model):
    """The poll of `post`: single or multiple choice, open until `expires_at`."""

    id = fields.BigIntField(primary_key=True)
    post: fields.OneToOneRelation[Post] = fields.OneToOneField(
        "models.Post", related_name="poll", on_delete=fields.CASCADE
    )
    multiple = fields.BooleanField(default=False)  # anyOf rather than oneOf
    expires_at = DatetimeField(null=True)  # remote servers may send endless polls
    closed_at = DatetimeField(null=True)  # set once, by the step that closes it
    voters_count = fields.IntField(default=0)
    # Our polls: when the next Update{Question} with new tallies is due (votes since the last).
    results_due_at = DatetimeField(null=True)
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "polls"
        # The closing step looks for open polls past their end; the results step for due ones.
        indexes = (Index(fields=("closed_at", "expires_at")), Index(fields=("results_due_at",)))


class PollOption(Model):
    """One answer of a poll, in the author's order, and how many votes it has."""

    id = fields.BigIntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="options", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    # A vote names its option by this exact text, so a remote one is kept whole.
    name = fields.TextField()
    votes_count = fields.IntField(default=0)

    class Meta:
        table = "poll_options"
        unique_together = (("poll", "position"),)


class PollVote(Model):
    """`voter` chose `option` of `poll`.

    `slot` is 0 on single-choice polls and the option's position on multiple-choice ones, so
    (poll, voter, slot) being unique lets nobody vote twice, or twice for one option.
    """

    id = fields.BigIntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="votes", on_delete=fields.CASCADE
    )
    option: fields.ForeignKeyRelation[PollOption] = fields.ForeignKeyField(
        "models.PollOption", related_name="votes", on_delete=fields.CASCADE
    )
    voter: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="poll_votes", on_delete=fields.CASCADE
    )
    slot = fields.IntField(default=0)
    ap_id = fields.CharField(max_length=512, null=True, unique=True)  # the vote Note's id
    created_at = DatetimeField(auto_now_add=True)

    class Meta:
        table = "poll_votes"
        # Also the index of "my votes in these polls" (poll_id IN ..., voter_id = me).
        unique_together = (("poll", "voter", "slot"),)
