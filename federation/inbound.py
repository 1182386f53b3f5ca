"""Inbound activities, normalised and checked for ownership.

Owns `parse_inbound` (raw activity + the actor whose key signed it -> `InboundActivity`, or
`Rejected` with a reason); the facts of the posts they carry are `federation/notes.py`.
Liberal in shape, strict on ownership: the signer must be the actor, an actor speaks only for
objects on its own host, Update/Delete touch only the actor's own objects. Never fetches: when
an embedded copy cannot be trusted it says `needs_refetch` and the I/O ring fetches from the
origin.
Pure: standard library only; must not import the ORM, Quart, aiohttp or `node`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from federation.errors import MalformedDocument, Rejected
from federation.vocab import (
    ACTIVITY_TYPES,
    ACTOR_TYPES,
    APObject,
    actor_of,
    as_list,
    first_of,
    host_of,
    id_of,
    ids_of,
    main_type_of,
    types_of,
)

# Activities that mean nothing without an object.
NEEDS_OBJECT = ACTIVITY_TYPES

# Idempotent activities real servers send without an id: GoToSocial's Deletes (its federation
# docs, posts-outgoing-Delete) and Mastodon's featured-collection Add/Remove (mastodon#30664).
# AP 6 allows id-less "transient" activities; dedupe is then skipped, which is harmless here.
MAY_LACK_ID = frozenset({"Delete", "Add", "Remove"})

# Activities whose embedded object carries content we would store.
CONTENT_BEARING = frozenset({"Create", "Update"})


@dataclass(frozen=True)
class InboundActivity:
    """A received activity after normalisation and ownership checks.

    `object` is the embedded object only when it may be trusted (on the actor's host);
    otherwise None with `needs_refetch` set, and the handler fetches `object_id` from its origin.
    """

    id: str | None  # None only for the id-less idempotent types in MAY_LACK_ID
    type: str
    actor: str
    object_id: str | None = None
    object_ids: tuple[str, ...] = ()  # every object (Flag sends [account, status, ...])
    object_type: str | None = None  # None when the object was only an IRI
    object: APObject | None = field(default=None, compare=False)
    target: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    needs_refetch: bool = False
    raw: APObject = field(default_factory=dict, compare=False, repr=False)


def parse_inbound(raw: Any, signer_actor_id: str) -> InboundActivity:
    """Return the normalised activity signed by `signer_actor_id`; raise Rejected (or its
    MalformedDocument subclass) with a reason when it is malformed or not the signer's to send."""
    activity_type, actor, activity_id = _envelope(raw)
    # The key that signed the request must belong to the activity's actor (Fedify
    # doesActorOwnKey); relayed activities signed by someone else are refetched, not trusted.
    if actor != signer_actor_id:
        raise Rejected(f"activity actor {actor} is not the signer {signer_actor_id}")
    objects = as_list(raw.get("object"))
    if activity_type in NEEDS_OBJECT and not ids_of(objects):
        raise MalformedDocument(f"{activity_type} has no object with an id")
    embedded = [item for item in objects if isinstance(item, dict)]
    _check_ownership(activity_type, actor, raw, embedded)
    trusted = _trusted_object(first_of(objects), actor)
    return InboundActivity(
        id=activity_id,
        type=activity_type,
        actor=actor,
        object_id=id_of(objects),
        object_ids=tuple(ids_of(objects)),
        object_type=main_type_of(first_of(objects)),
        object=trusted,
        target=id_of(raw.get("target")),
        to=tuple(ids_of(raw.get("to"))),
        cc=tuple(ids_of(raw.get("cc"))),
        needs_refetch=_needs_refetch(activity_type, objects, trusted),
        raw=raw,
    )


def _envelope(raw: Any) -> tuple[str, str, str | None]:
    if not isinstance(raw, dict):
        raise MalformedDocument("activity is not a JSON object")
    activity_type = main_type_of(raw)
    if not activity_type:
        raise MalformedDocument("activity has no type")
    actor = actor_of(raw)
    if not actor:
        raise MalformedDocument(f"{activity_type} has no actor")
    activity_id = id_of(raw.get("id"))
    if not activity_id and activity_type not in MAY_LACK_ID:
        raise MalformedDocument(f"{activity_type} has no id")
    return activity_type, actor, activity_id


def _check_ownership(activity_type: str, actor: str, raw: APObject, embedded: list) -> None:
    if activity_type in CONTENT_BEARING:
        for obj in embedded:
            _check_authored_by(obj, actor)
    if activity_type in {"Update", "Delete"}:
        for object_id in ids_of(raw.get("object")):
            _check_own_object(activity_type, object_id, actor)
    if activity_type == "Undo":
        _check_undoer(embedded, actor)
    if activity_type == "Move":
        _check_move(raw, actor)


def _check_authored_by(obj: APObject, actor: str) -> None:
    object_id = id_of(obj)
    if not object_id:
        raise MalformedDocument("embedded object has no id")
    if not types_of(obj):
        raise MalformedDocument(f"embedded object {object_id} has no type")
    if set(types_of(obj)) & ACTOR_TYPES:
        # Update(Person): an actor may only describe itself.
        if object_id != actor:
            raise Rejected(f"actor {object_id} is not {actor}, who sent it")
        return
    author = author_of(obj)
    if not author:
        raise MalformedDocument(f"object {object_id} has no attributedTo")
    if author != actor:
        raise Rejected(f"object {object_id} is attributed to {author}, not {actor}")


def _check_own_object(activity_type: str, object_id: str, actor: str) -> None:
    if object_id == actor:
        return  # Update(Person) of oneself, or Delete of one's own account
    # Same host is all the payload can show; the handler compares the stored author.
    if host_of(object_id) != host_of(actor):
        raise Rejected(f"{activity_type} of {object_id}, which is not on {actor}'s host")


def _check_undoer(embedded: list, actor: str) -> None:
    for obj in embedded:
        undone_actor = actor_of(obj)
        if undone_actor and undone_actor != actor:
            raise Rejected(f"Undo of an activity by {undone_actor}, not {actor}")


def _check_move(raw: APObject, actor: str) -> None:
    # GoToSocial's Move tests: only the moving account may move itself, and not onto itself.
    origin, target = id_of(raw.get("object")), id_of(raw.get("target"))
    if origin != actor:
        raise Rejected(f"Move of {origin}, which is not the actor {actor}")
    if not target or target == origin:
        raise Rejected(f"Move target {target} is missing or equals its origin")


def author_of(obj: APObject) -> str | None:
    """Return the first IRI in an object's attributedTo (string, object or list), or None.

    PeerTube sends [Person, Group channel]; Mastodon likewise takes the first.
    """
    return id_of(obj.get("attributedTo"))


def _trusted_object(first: Any, actor: str) -> APObject | None:
    # An embedded copy speaks for its origin only when the actor lives there (Mastodon
    # `invalid_origin?`); an object elsewhere must be fetched from its own server.
    if not isinstance(first, dict) or host_of(id_of(first)) != host_of(actor):
        return None
    return first if id_of(first) else None


def _needs_refetch(activity_type: str, objects: list, trusted: APObject | None) -> bool:
    first = first_of(objects)
    if isinstance(first, dict):
        return trusted is None
    return activity_type in CONTENT_BEARING and first is not None  # Create by reference
