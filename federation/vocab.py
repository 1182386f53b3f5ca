"""ActivityStreams 2 vocabulary: the constants Kith speaks and tiny normalisers over raw JSON.

Owns: the Public audience IRIs, the context and media-type strings, the actor/object/activity
type names, and one small function per JSON-LD ambiguity (one-or-many, IRI-or-object,
string-or-Link, prefixed-or-bare type names), so no other module writes `isinstance` checks on
remote JSON. We read compacted JSON as servers send it; no JSON-LD expansion happens anywhere.
Pure: standard library only; must not import the ORM, Quart, aiohttp or `node`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

APObject = dict[str, Any]  # raw JSON at the edge; converted to frozen dataclasses at once

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
AS_NAMESPACE = AS_CONTEXT + "#"

PUBLIC = AS_NAMESPACE + "Public"
# The compacted forms are legal JSON-LD and real servers send them (fediverse-pasture
# "public_addressing" probes all three).
PUBLIC_IRIS = frozenset({PUBLIC, "as:Public", "Public"})

ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AP_MEDIA_TYPES = (ACTIVITY_JSON, LD_JSON_AS)  # what we Accept and serve, preferred first

ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
OBJECT_TYPES = frozenset(
    {"Note", "Article", "Question", "Page", "Image", "Video", "Audio", "Document", "Event"}
)
ACTIVITY_TYPES = frozenset(
    {
        "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like",
        "Announce", "Add", "Remove", "Block", "Flag", "Move", "EmojiReact", "TentativeAccept",
        "TentativeReject",
    }
)  # fmt: skip
KNOWN_TYPES = ACTOR_TYPES | OBJECT_TYPES | ACTIVITY_TYPES | {"Tombstone"}

_DEFAULT_PORTS = {"http": 80, "https": 443}


def as_list(value: Any) -> list:
    """Return `value` as a list: [] for None, the list itself, else a one-item list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def first_of(value: Any) -> Any:
    """Return the first item of a one-or-many value, or None when there is none."""
    items = as_list(value)
    return items[0] if items else None


def id_of(value: Any) -> str | None:
    """Return the IRI of an IRI-or-object value (first item of a list), or None.

    Empty strings count as missing: GoToSocial's tests carry Emoji tags with `"id": ""`.
    """
    value = first_of(value)
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def ids_of(value: Any) -> list[str]:
    """Return the IRIs of every item of a one-or-many value, skipping items without one."""
    return [iri for iri in (id_of(item) for item in as_list(value)) if iri]


def actor_of(activity: APObject) -> str | None:
    """Return the IRI of an activity's actor (embedded or referenced), or None."""
    return id_of(activity.get("actor"))


def object_of(activity: APObject) -> str | APObject | None:
    """Return an activity's first object as given: an IRI, an embedded dict, or None."""
    item = first_of(activity.get("object"))
    return item if isinstance(item, (str, dict)) else None


def is_public(iri: Any) -> bool:
    """Return whether `iri` names the Public audience in any of its three spellings."""
    return isinstance(iri, str) and iri in PUBLIC_IRIS


def types_of(obj: Any) -> list[str]:
    """Return an object's type names, bare: `as:Hashtag` and full AS IRIs lose their prefix."""
    if not isinstance(obj, dict):
        return []
    names = [name for name in as_list(obj.get("type")) if isinstance(name, str) and name]
    return [_bare_type(name) for name in names]


def _bare_type(name: str) -> str:
    for prefix in ("as:", AS_NAMESPACE):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def main_type_of(obj: Any) -> str | None:
    """Return the first type name we know (["Person", "vcard:individual"] -> Person), or None."""
    names = types_of(obj)
    known = [name for name in names if name in KNOWN_TYPES]
    return (known or names or [None])[0]


def host_of(iri: Any) -> str:
    """Return the lower-cased host[:port] of an absolute IRI (default ports dropped), or ""."""
    if not isinstance(iri, str):
        return ""
    try:
        parts = urlsplit(iri)
        host, port = (parts.hostname or ""), parts.port
    except ValueError:  # a malformed port or bracketed host
        return ""
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def is_http_url(value: Any) -> bool:
    """Return whether `value` is an absolute http(s) URL with a host."""
    if not isinstance(value, str):
        return False
    return urlsplit(value).scheme.lower() in _DEFAULT_PORTS and bool(host_of(value))


def href_of(value: Any, prefer: str | None = "text/html") -> str | None:
    """Return a URL from a string, Link (`href`), object with `url`, or a list of those.

    From a list, the first Link whose mediaType is `prefer` wins, else the first usable entry
    (PeerTube lists HLS and torrent Links beside the HTML page); `prefer=None` takes the first.
    """
    items = as_list(value)
    preferred = [i for i in items if _has_media_type(i, prefer)] if prefer else []
    for item in preferred + items:
        url = _href_of_one(item)
        if url:
            return url
    return None


def _has_media_type(item: Any, media_type: str) -> bool:
    return isinstance(item, dict) and item.get("mediaType") == media_type


def _href_of_one(item: Any) -> str | None:
    if isinstance(item, str):
        return item or None
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("href"), str) and item["href"]:
        return item["href"]
    return href_of(item.get("url")) if "url" in item else None


def string_of(value: Any) -> str | None:
    """Return `value` if it is a non-empty string, else None (absorbs null, "" and odd types).

    NUL characters are dropped: PostgreSQL text cannot hold them (the insert would fail and
    the whole activity with it), and browsers read them as U+FFFD anyway."""
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "") if "\x00" in value else value
    return value or None
