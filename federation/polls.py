"""Poll votes as they arrive: which objects of a Create are votes, and what they choose.

A vote is shaped as Mastodon and GoToSocial send it (GoToSocial's federation docs, "Poll
Votes"): a Note whose `name` is the exact text of the chosen option, whose `inReplyTo` is the
Question, with no content, addressed to the poll's author. Mastodon sends one Create per
choice; GoToSocial puts every choice of a multiple-choice vote in one Create. A vote is never
a post, so nothing here goes near the post path. Ownership (the signer is the actor, each
Note is attributed to it) is `parse_inbound`'s; this module adds that a vote must live on its
voter's host, because vote ids are fragments nobody can fetch from elsewhere.
Pure: standard library only; must not import the ORM, Quart, aiohttp or `node`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from federation.errors import Rejected
from federation.inbound import InboundActivity
from federation.vocab import APObject, as_list, first_of, host_of, href_of, id_of, string_of, types_of


@dataclass(frozen=True)
class Vote:
    """One choice of one voter: the vote Note's id, the Question it answers, the option."""

    ap_id: str
    question: str
    choice: str


def votes_in(activity: InboundActivity) -> tuple[Vote, ...]:
    """Return the votes a Create carries, () when it carries none; raise Rejected when votes
    come mixed with other objects or from another host than the voter's."""
    if activity.type != "Create":
        return ()
    objects = as_list(activity.raw.get("object"))
    votes = [item for item in objects if isinstance(item, dict) and is_vote_shaped(item)]
    if not votes:
        return ()
    if len(votes) != len(objects):
        raise Rejected("a Create mixes poll votes with other objects")
    return tuple(_vote(item, activity.actor) for item in votes)


def is_vote_shaped(obj: APObject) -> bool:
    """Return whether `obj` looks like a poll vote: a Note with a name, no content, and a
    post it answers."""
    return ("Note" in types_of(obj) and bool(string_of(obj.get("name")))
            and not _has_content(obj) and bool(_reference(obj.get("inReplyTo"))))


def _vote(obj: APObject, actor: str) -> Vote:
    vote_id = id_of(obj)
    if not vote_id or host_of(vote_id) != host_of(actor):
        raise Rejected(f"a poll vote {vote_id} that does not live on its voter's host")
    return Vote(ap_id=vote_id, question=_reference(obj.get("inReplyTo")) or "", choice=obj["name"])


def _has_content(obj: APObject) -> bool:
    content_map = obj.get("contentMap")
    texts = [obj.get("content"), *(content_map.values() if isinstance(content_map, dict) else [])]
    return any(isinstance(text, str) and text.strip() for text in texts)


def _reference(value: Any) -> str | None:
    return id_of(value) or href_of(first_of(value))
