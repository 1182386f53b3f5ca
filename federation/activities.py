"""Builders for the activities and objects Kith sends, from plain dataclasses. Pure.

Every document carries an `@context` made only of the standard documents plus inline
term definitions: strict servers refuse context URLs they do not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from federation.vocab import AS_CONTEXT, APObject

# The Mastodon extension terms our Notes use, defined inline.
NOTE_CONTEXT: list = [
    AS_CONTEXT,
    {
        "sensitive": "as:sensitive",
        "Hashtag": "as:Hashtag",
        "toot": "http://joinmastodon.org/ns#",
        "Emoji": "toot:Emoji",
        "blurhash": "toot:blurhash",
        "votersCount": "toot:votersCount",
    },
]


def iso(moment: datetime) -> str:
    """Return `moment` as ActivityStreams writes times: UTC, seconds, a Z."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class MentionTag:
    href: str  # the mentioned actor's id
    name: str  # @user@host


@dataclass(frozen=True)
class HashtagTag:
    href: str  # our tag page
    name: str  # #tag


@dataclass(frozen=True)
class NoteFacts:
    ap_id: str
    url: str
    attributed_to: str
    content_html: str
    published: datetime
    to: tuple[str, ...]
    cc: tuple[str, ...]
    summary: str = ""  # the content warning
    sensitive: bool = False
    in_reply_to: str | None = None
    updated: datetime | None = None
    mentions: tuple[MentionTag, ...] = ()
    hashtags: tuple[HashtagTag, ...] = ()
    source_text: str | None = None
    attachments: tuple[APObject, ...] = field(default=())


def note(facts: NoteFacts, *, with_context: bool = True) -> APObject:
    """Return the Note for a post, shaped as Mastodon emits and reads it."""
    document: APObject = {
        "id": facts.ap_id,
        "type": "Note",
        "attributedTo": facts.attributed_to,
        "summary": facts.summary or None,
        "sensitive": facts.sensitive,
        "content": facts.content_html,
        "published": iso(facts.published),
        "url": facts.url,
        "to": list(facts.to),
        "cc": list(facts.cc),
        "inReplyTo": facts.in_reply_to,
        "tag": [{"type": "Mention", "href": m.href, "name": m.name} for m in facts.mentions]
        + [{"type": "Hashtag", "href": h.href, "name": h.name} for h in facts.hashtags],
        "attachment": list(facts.attachments),
    }
    if facts.updated:
        document["updated"] = iso(facts.updated)
    if facts.source_text is not None:
        document["source"] = {"content": facts.source_text, "mediaType": "text/plain"}
    return {"@context": NOTE_CONTEXT, **document} if with_context else document


@dataclass(frozen=True)
class PollChoice:
    name: str
    votes: int = 0


@dataclass(frozen=True)
class PollFacts:
    choices: tuple[PollChoice, ...]
    multiple: bool
    end_time: datetime
    voters_count: int = 0
    closed: datetime | None = None  # when it ended; None while it is open


def question(note_document: APObject, poll: PollFacts) -> APObject:
    """Return a post with a poll as the Question Mastodon and GoToSocial send: the Note's
    fields, the choices under oneOf (anyOf when several may be chosen) as named Notes whose
    `replies.totalItems` is the tally, endTime, votersCount, and `closed` once it ended."""
    document = {**note_document, "type": "Question"}
    document["anyOf" if poll.multiple else "oneOf"] = [
        {"type": "Note", "name": choice.name, "replies": {"type": "Collection", "totalItems": choice.votes}}
        for choice in poll.choices
    ]
    document["endTime"] = iso(poll.end_time)
    document["votersCount"] = poll.voters_count
    if poll.closed is not None:
        document["closed"] = iso(poll.closed)
    return document


def question_update(question_document: APObject, moment: datetime) -> APObject:
    """Return the Update carrying a Question's new tallies (or its end). The Question keeps
    its own `updated`: Mastodon takes an Update without a newer `updated` as new results
    only, not as an edit. The id names the moment to the millisecond, so two sends of new
    results never share one (receivers drop an activity id they have seen)."""
    activity = update(question_document, moment)
    activity["id"] = f"{question_document['id']}#updates/results-{int(moment.timestamp() * 1000)}"
    return activity


def poll_vote(vote_id: str, voter: str, question_id: str, question_author: str, choice: str) -> APObject:
    """Return the Create of one vote: a Note whose `name` is the chosen option, answering the
    Question, with no content, addressed to the poll's author alone (as Mastodon and
    GoToSocial send votes; one Create per choice, as Mastodon does)."""
    vote = {"id": vote_id, "type": "Note", "attributedTo": voter, "to": [question_author],
            "name": choice, "inReplyTo": question_id}
    return {"@context": AS_CONTEXT, "id": f"{vote_id}/activity", "type": "Create", "actor": voter,
            "to": [question_author], "object": vote}


def create(note_document: APObject, *, activity_id: str | None = None) -> APObject:
    """Return the Create wrapping a Note; its id is the Note's `/activity`, as Mastodon's."""
    body = {k: v for k, v in note_document.items() if k != "@context"}
    return {
        "@context": NOTE_CONTEXT,
        "id": activity_id or f"{body['id']}/activity",
        "type": "Create",
        "actor": body["attributedTo"],
        "published": body["published"],
        "to": body["to"],
        "cc": body["cc"],
        "object": body,
    }


def update(note_document: APObject, updated: datetime) -> APObject:
    """Return the Update carrying an edited Note (its id names the edit time)."""
    body = {k: v for k, v in note_document.items() if k != "@context"}
    # Milliseconds, not Mastodon's seconds: two edits in one second (a script) would share an
    # id, and receivers drop the second as a repeat.
    stamp = int(updated.timestamp() * 1000)
    return {
        "@context": NOTE_CONTEXT,
        "id": f"{body['id']}#updates/{stamp}",
        "type": "Update",
        "actor": body["attributedTo"],
        "published": iso(updated),
        "to": body["to"],
        "cc": body["cc"],
        "object": body,
    }


def delete(object_id: str, actor: str, to: list[str], cc: list[str]) -> APObject:
    """Return the Delete of one of our objects, with a Tombstone as Mastodon sends it."""
    return {
        "@context": AS_CONTEXT,
        "id": f"{object_id}#delete",
        "type": "Delete",
        "actor": actor,
        "to": to,
        "cc": cc,
        "object": {"id": object_id, "type": "Tombstone"},
    }


def tombstone(object_id: str, deleted: datetime | None = None) -> APObject:
    """Return the Tombstone served at a deleted object's IRI."""
    document: APObject = {"@context": AS_CONTEXT, "id": object_id, "type": "Tombstone"}
    if deleted:
        document["deleted"] = iso(deleted)
    return document


def follow(activity_id: str, actor: str, target: str) -> APObject:
    """Return a Follow of `target` by `actor`."""
    return {"@context": AS_CONTEXT, "id": activity_id, "type": "Follow", "actor": actor, "object": target}


def accept(activity_id: str, actor: str, follow_activity: APObject) -> APObject:
    """Return the Accept of a Follow (the Follow embedded, as Mastodon expects)."""
    return _respond("Accept", activity_id, actor, follow_activity)


def reject(activity_id: str, actor: str, follow_activity: APObject) -> APObject:
    """Return the Reject of a Follow."""
    return _respond("Reject", activity_id, actor, follow_activity)


def _respond(kind: str, activity_id: str, actor: str, follow_activity: APObject) -> APObject:
    embedded = {k: v for k, v in follow_activity.items() if k != "@context"}
    return {"@context": AS_CONTEXT, "id": activity_id, "type": kind, "actor": actor, "object": embedded}


def undo(activity_id: str, actor: str, undone: APObject, *, to: tuple[str, ...] = ()) -> APObject:
    """Return the Undo of one of our earlier activities (embedded), addressed `to` when given
    (Mastodon addresses the Undo of an Announce to Public)."""
    embedded = {k: v for k, v in undone.items() if k != "@context"}
    document = {"@context": AS_CONTEXT, "id": activity_id, "type": "Undo", "actor": actor, "object": embedded}
    return {**document, "to": list(to)} if to else document


def like(activity_id: str, actor: str, object_id: str) -> APObject:
    """Return a Like of the post `object_id`, as Mastodon sends it: no addressing, for the
    post's author's own inbox alone."""
    return {"@context": AS_CONTEXT, "id": activity_id, "type": "Like", "actor": actor, "object": object_id}


def announce(activity_id: str, actor: str, object_id: str, published: datetime,
             to: tuple[str, ...], cc: tuple[str, ...]) -> APObject:
    """Return an Announce (a boost) of the post `object_id`, naming the post by its id as
    Mastodon does (the receiver fetches it from its origin)."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Announce",
        "actor": actor,
        "published": iso(published),
        "to": list(to),
        "cc": list(cc),
        "object": object_id,
    }
