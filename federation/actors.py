"""Actor documents both ways: `parse_actor` validates a remote actor into `RemoteActorInfo`;
`local_actor_document` builds the document we serve for our own accounts.

Owns what an actor must carry to be usable (id, type, inbox, username, a key its owner
controls) and the shape Mastodon expects from us. Does not fetch, cache or sanitise: the I/O
ring fetches, `node/html.py` sanitises `summary_html`. Pure: standard library only; must not
import the ORM, Quart, aiohttp or `node`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from federation.errors import MalformedDocument, Rejected
from federation.notes import Emoji, emojis_of
from federation.vocab import (
    ACTOR_TYPES,
    AS_CONTEXT,
    SECURITY_CONTEXT,
    APObject,
    as_list,
    host_of,
    href_of,
    id_of,
    ids_of,
    is_http_url,
    string_of,
    types_of,
)


@dataclass(frozen=True)
class RemoteActorInfo:
    """The facts Kith keeps about a remote actor, validated; HTML is raw (not yet sanitised)."""

    ap_id: str
    actor_type: str
    username: str
    inbox: str
    display_name: str = ""
    summary_html: str = ""
    url: str | None = None
    outbox: str | None = None
    shared_inbox: str | None = None
    followers: str | None = None
    following: str | None = None
    featured: str | None = None
    public_key_id: str | None = None
    public_key_pem: str | None = None  # None when publicKey was only an IRI: fetch the key
    public_key_owner: str | None = None
    icon_url: str | None = None
    image_url: str | None = None
    locked: bool = False
    discoverable: bool = False  # absent means no: opt-in, as Mastodon treats a missing flag
    indexable: bool = False
    moved_to: str | None = None
    also_known_as: tuple[str, ...] = ()
    emojis: tuple[Emoji, ...] = ()  # custom emoji of the display name (and bio)


@dataclass(frozen=True)
class PublicKeyInfo:
    """One key from an actor's `publicKey`: its id, PEM (None if only referenced) and owner."""

    key_id: str
    pem: str | None = None
    owner: str | None = None


def parse_actor(doc: Any) -> RemoteActorInfo:
    """Return the validated facts of a remote actor document; raise Rejected (or its
    MalformedDocument subclass) naming what is missing or not owned by the actor."""
    if not isinstance(doc, dict):
        raise MalformedDocument("actor document is not a JSON object")
    ap_id = _required_url(doc, "id", "actor has no http(s) id")
    key = public_key_of(doc, ap_id)
    return RemoteActorInfo(
        ap_id=ap_id,
        actor_type=_actor_type(doc),
        username=_username(doc),
        # Mastodon's spec fixture `activitypub-actor-noinbox` has "inbox": null: unusable.
        inbox=_required_url(doc, "inbox", "actor has no usable inbox (http(s) URL)"),
        display_name=string_of(doc.get("name")) or "",
        summary_html=string_of(doc.get("summary")) or "",
        url=_url(href_of(doc.get("url"))),
        outbox=_url(id_of(doc.get("outbox"))),
        shared_inbox=_shared_inbox(doc),
        followers=_url(id_of(doc.get("followers"))),
        following=_url(id_of(doc.get("following"))),
        featured=_url(id_of(doc.get("featured"))),
        public_key_id=key.key_id if key else None,
        public_key_pem=key.pem if key else None,
        public_key_owner=key.owner if key else None,
        icon_url=_image_url(doc.get("icon")),
        image_url=_image_url(doc.get("image")),
        locked=doc.get("manuallyApprovesFollowers") is True,
        discoverable=doc.get("discoverable") is True,
        indexable=doc.get("indexable") is True,
        moved_to=_url(id_of(doc.get("movedTo"))),
        also_known_as=tuple(iri for iri in ids_of(doc.get("alsoKnownAs")) if is_http_url(iri)),
        emojis=emojis_of(doc.get("tag")),
    )


def _required_url(doc: APObject, key: str, reason: str) -> str:
    value = id_of(doc.get(key))
    if not is_http_url(value):
        raise MalformedDocument(reason)
    return value


def _actor_type(doc: APObject) -> str:
    # Mastodon's spec fixture `activitypub-actor-individual` sends ["Person", "vcard:individual"].
    for name in types_of(doc):
        if name in ACTOR_TYPES:
            return name
    raise Rejected(f"not a supported actor type: {types_of(doc) or 'no type'}")


def _username(doc: APObject) -> str:
    username = string_of(doc.get("preferredUsername"))
    if not username or not username.strip():
        raise MalformedDocument("actor has no preferredUsername")
    return username


def _url(value: str | None) -> str | None:
    return value if is_http_url(value) else None


def _shared_inbox(doc: APObject) -> str | None:
    endpoints = doc.get("endpoints")
    if not isinstance(endpoints, dict):
        return None
    return _url(id_of(endpoints.get("sharedInbox")))


def _image_url(value: Any) -> str | None:
    # Icons come as an Image object, a bare IRI, or a list of either (the AP spec's example 9);
    # relative paths such as Mastodon's old "/headers/original/missing.png" are unusable.
    return _url(href_of(value))


def public_key_of(doc: APObject, actor_id: str) -> PublicKeyInfo | None:
    """Return the actor's first RSA publicKey (object, list, or bare IRI), or None if it has
    none; raise Rejected when any embedded key is owned by someone else or lives elsewhere."""
    keys = [_key_of(item, actor_id) for item in as_list(doc.get("publicKey"))]
    keys = [key for key in keys if key is not None]
    embedded = [key for key in keys if key.pem]
    return (embedded or keys or [None])[0]


def _key_of(item: Any, actor_id: str) -> PublicKeyInfo | None:
    key_id = id_of(item)
    if not key_id:
        return None
    if host_of(key_id) != host_of(actor_id):
        raise Rejected(f"publicKey {key_id} is not on the actor's host")
    if not isinstance(item, dict):
        return PublicKeyInfo(key_id=key_id)  # referenced only: the resolver fetches it
    # FEP-521a / CID documents name the owner `controller`; the security/v1 term is `owner`.
    owner = id_of(item.get("owner")) or id_of(item.get("controller"))
    if owner != actor_id:
        raise Rejected(f"publicKey {key_id} is owned by {owner or 'nobody'}, not {actor_id}")
    return PublicKeyInfo(key_id=key_id, pem=string_of(item.get("publicKeyPem")), owner=owner)


# ---- our own actors -------------------------------------------------------------------------

def local_actor_context() -> list:
    """Return the `@context` of our actor documents: the two standard documents plus inline
    terms, because strict servers refuse context URLs they do not know (Mastodon does the same)."""
    return [
        AS_CONTEXT,
        SECURITY_CONTEXT,
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
        },
    ]


@dataclass(frozen=True)
class LocalActor:
    """Plain facts about one of our actors, as `node/` knows them; IRIs come from node/uris."""

    ap_id: str
    username: str
    inbox: str
    outbox: str
    public_key_id: str
    public_key_pem: str
    published: datetime
    display_name: str = ""
    summary_html: str = ""
    url: str | None = None  # the profile page
    followers: str | None = None
    following: str | None = None
    featured: str | None = None
    shared_inbox: str | None = None
    locked: bool = False
    discoverable: bool = False
    indexable: bool = False
    icon_url: str | None = None
    icon_media_type: str | None = None
    image_url: str | None = None
    image_media_type: str | None = None
    actor_type: str = "Person"  # "Application" for the instance actor


def local_actor_document(actor: LocalActor) -> APObject:
    """Return the ActivityPub document for one of our actors, in the shape Mastodon emits."""
    doc: APObject = {
        "@context": local_actor_context(),
        "id": actor.ap_id,
        "type": actor.actor_type,
        "following": actor.following,
        "followers": actor.followers,
        "inbox": actor.inbox,
        "outbox": actor.outbox,
        "featured": actor.featured,
        "preferredUsername": actor.username,
        "name": actor.display_name,
        "summary": actor.summary_html,
        "url": actor.url,
        "manuallyApprovesFollowers": actor.locked,
        "discoverable": actor.discoverable,
        "indexable": actor.indexable,
        "published": _timestamp(actor.published),
        "publicKey": _public_key_document(actor),
        "tag": [],
        "attachment": [],
        "endpoints": {"sharedInbox": actor.shared_inbox} if actor.shared_inbox else None,
        "icon": _image_document(actor.icon_url, actor.icon_media_type),
        "image": _image_document(actor.image_url, actor.image_media_type),
    }
    return {key: value for key, value in doc.items() if value is not None}


def _public_key_document(actor: LocalActor) -> APObject:
    return {"id": actor.public_key_id, "owner": actor.ap_id, "publicKeyPem": actor.public_key_pem}


def _image_document(url: str | None, media_type: str | None) -> APObject | None:
    if not url:
        return None
    image = {"type": "Image", "mediaType": media_type, "url": url}
    return {key: value for key, value in image.items() if value is not None}


def _timestamp(moment: datetime) -> str:
    # Mastodon writes whole seconds in UTC with a Z; naive datetimes are taken as UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

