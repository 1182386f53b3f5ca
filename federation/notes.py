"""Post objects: the facts of a Note, Article, Question, Page, Video ... as `NoteInfo`.

Owns `note_fields` (a post object -> `NoteInfo`) and the frozen dataclasses it fills
(`Mention`, `Hashtag`, `Emoji`, `Attachment`, `PollOption`). Liberal in shape: tags,
attachments, content maps, polls and quotes come in the forms real servers send. Checks only
that the object has an id and an author; whether the author may send it is `parse_inbound`'s
job (`federation/inbound.py`). HTML is returned raw, never fetched or sanitised here.
Pure: standard library only; must not import the ORM, Quart, aiohttp or `node`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from federation.errors import MalformedDocument
from federation.inbound import author_of
from federation.vocab import (
    APObject,
    as_list,
    first_of,
    href_of,
    id_of,
    ids_of,
    is_http_url,
    main_type_of,
    string_of,
    types_of,
)


@dataclass(frozen=True)
class Mention:
    """A Mention tag: the mentioned actor's IRI and the name as written (may be missing)."""

    href: str
    name: str | None = None


@dataclass(frozen=True)
class Hashtag:
    """A Hashtag tag; `name` without the leading '#', as written otherwise."""

    name: str
    href: str | None = None


@dataclass(frozen=True)
class Emoji:
    """A custom emoji tag; `name` is the shortcode without colons."""

    name: str
    icon_url: str
    ap_id: str | None = None  # GoToSocial's tests send Emoji tags with no, null or "" id


@dataclass(frozen=True)
class Attachment:
    """A media attachment as announced; nothing here has been fetched or checked."""

    url: str
    media_type: str | None = None
    name: str | None = None  # the description (alt text)
    width: int | None = None
    height: int | None = None
    blurhash: str | None = None


@dataclass(frozen=True)
class PollOption:
    """One answer of a Question, with the vote count the author's server reports."""

    name: str
    votes: int = 0


@dataclass(frozen=True)
class NoteInfo:
    """The facts of a post object (Note, Article, Question, Page, Video ...); HTML is raw."""

    ap_id: str
    object_type: str
    attributed_to: str
    content_html: str = ""
    name: str | None = None  # an Article's title, a poll vote's chosen option
    summary: str | None = None  # the content warning
    sensitive: bool = False
    in_reply_to: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    url: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    hashtags: tuple[Hashtag, ...] = ()
    emojis: tuple[Emoji, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    poll_options: tuple[PollOption, ...] = ()
    poll_multiple: bool = False  # anyOf rather than oneOf
    poll_end_time: datetime | None = None
    poll_closed: datetime | None = None  # set once the poll has ended
    poll_voters: int | None = None  # votersCount; None when the server does not say
    language: str | None = None
    quote_url: str | None = None


def note_fields(obj: Any) -> NoteInfo:
    """Return the facts of a post object; raise MalformedDocument if it lacks id or author."""
    if not isinstance(obj, dict):
        raise MalformedDocument("post object is not a JSON object")
    ap_id, author = id_of(obj.get("id")), author_of(obj)
    if not ap_id:
        raise MalformedDocument("post object has no id")
    if not author:
        raise MalformedDocument(f"post object {ap_id} has no attributedTo")
    content, language = _content_of(obj)
    tags = [tag for tag in as_list(obj.get("tag")) if isinstance(tag, dict)]
    options, multiple = _poll_of(obj)
    return NoteInfo(
        ap_id=ap_id,
        object_type=main_type_of(obj) or "Note",
        attributed_to=author,
        content_html=content,
        name=string_of(obj.get("name")),
        summary=string_of(obj.get("summary")),
        sensitive=obj.get("sensitive") is True,
        in_reply_to=_http_url(_reference(obj.get("inReplyTo"))),
        published=_datetime(obj.get("published")),
        updated=_datetime(obj.get("updated")),
        url=_http_url(href_of(obj.get("url"))),
        to=tuple(ids_of(obj.get("to"))),
        cc=tuple(ids_of(obj.get("cc"))),
        mentions=_mentions(tags),
        hashtags=_hashtags(tags),
        emojis=emojis_of(tags),
        attachments=_attachments(obj.get("attachment")),
        poll_options=options,
        poll_multiple=multiple,
        poll_end_time=_datetime(obj.get("endTime") or obj.get("closed")),
        poll_closed=_closed_of(obj),
        poll_voters=_count(obj.get("votersCount")),
        language=language or _context_language(obj),
        quote_url=_quote_of(obj, tags),
    )


def _content_of(obj: APObject) -> tuple[str, str | None]:
    # contentMap alone is valid AS2 (fediverse-pasture "language"). The language is the key
    # whose text is `content`, else the first key (as Mastodon takes it); the text is
    # `content`, else the first entry of the map.
    content = string_of(obj.get("content"))
    content_map = obj.get("contentMap")
    entries = content_map.items() if isinstance(content_map, dict) else []
    entries = [(lang, text) for lang, text in entries if string_of(lang) and string_of(text)]
    if not entries:
        return content or "", None
    matching = [lang for lang, text in entries if text == content]
    return content or entries[0][1], (matching or [entries[0][0]])[0]


def _context_language(obj: APObject) -> str | None:
    # The AP spec's examples set the language as {"@language": "en"} inside @context.
    for term in as_list(obj.get("@context")):
        if isinstance(term, dict) and string_of(term.get("@language")):
            return term["@language"]
    return None


def _reference(value: Any) -> str | None:
    # inReplyTo comes as an IRI, an embedded object, a Link, or a list of those.
    return id_of(value) or href_of(first_of(value))


def _http_url(value: str | None) -> str | None:
    # Pages link `url` and `inReplyTo`: a "javascript:" or "data:" one must never get there.
    return value if is_http_url(value) else None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _mentions(tags: list) -> tuple[Mention, ...]:
    found: dict[str, Mention] = {}
    for tag in tags:
        href = string_of(tag.get("href"))
        if "Mention" in types_of(tag) and href and href not in found:
            found[href] = Mention(href=href, name=string_of(tag.get("name")))
    return tuple(found.values())


def _hashtags(tags: list) -> tuple[Hashtag, ...]:
    found: dict[str, Hashtag] = {}
    for tag in tags:
        name = (string_of(tag.get("name")) or "").removeprefix("#")
        # Only `href` links a tag; a stray `url` is ignored (fediverse-pasture "hashtags").
        if "Hashtag" in types_of(tag) and name and name.lower() not in found:
            found[name.lower()] = Hashtag(name=name, href=string_of(tag.get("href")))
    return tuple(found.values())


def emojis_of(tags: Any) -> tuple[Emoji, ...]:
    """Return the custom emoji among `tags` (a post's or an actor's `tag`: one or many)."""
    found = []
    for tag in as_list(tags):
        if not isinstance(tag, dict):
            continue
        name = (string_of(tag.get("name")) or "").strip(":")
        icon_url = href_of(tag.get("icon"))
        if "Emoji" in types_of(tag) and name and is_http_url(icon_url):
            found.append(Emoji(name=name, icon_url=icon_url, ap_id=id_of(tag)))
    return tuple(found)


_MEDIA_TYPES = {"Document", "Image", "Audio", "Video"}


def _attachments(value: Any) -> tuple[Attachment, ...]:
    found = [_attachment(item) for item in as_list(value)]
    return tuple(item for item in found if item is not None)


def _attachment(item: Any) -> Attachment | None:
    if isinstance(item, str):
        return Attachment(url=item) if is_http_url(item) else None
    # Untyped attachments count as media (pasture "No type"); Links, PropertyValues, Notes
    # and other embedded objects do not.
    if not isinstance(item, dict) or (types_of(item) and not set(types_of(item)) & _MEDIA_TYPES):
        return None
    url = href_of(item.get("url"), prefer=None) or string_of(item.get("href"))
    if not is_http_url(url):
        return None  # data: URIs (pasture "inline image") and payto: links are not fetchable
    return Attachment(
        url=url,
        media_type=string_of(item.get("mediaType")) or _link_media_type(item.get("url")),
        # GoToSocial reads summary before name: name may carry a file name (its test fixture
        # attachment-document-with-summary); Mastodon writes the description into name.
        name=string_of(item.get("summary")) or string_of(item.get("name")),
        width=_int(item.get("width")),
        height=_int(item.get("height")),
        blurhash=string_of(item.get("blurhash")),
    )


def _link_media_type(value: Any) -> str | None:
    first = first_of(value)
    return string_of(first.get("mediaType")) if isinstance(first, dict) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _closed_of(obj: APObject) -> datetime | None:
    # AS2 lets `closed` be a time or `true` (ended, time unknown: then its endTime).
    closed = obj.get("closed")
    return _datetime(obj.get("endTime")) if closed is True else _datetime(closed)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _poll_of(obj: APObject) -> tuple[tuple[PollOption, ...], bool]:
    multiple = obj.get("anyOf") is not None
    choices = as_list(obj.get("anyOf") if multiple else obj.get("oneOf"))
    options = [_poll_option(choice) for choice in choices if isinstance(choice, dict)]
    return tuple(option for option in options if option), multiple


def _poll_option(choice: APObject) -> PollOption | None:
    name = string_of(choice.get("name"))
    if not name:
        return None
    replies = choice.get("replies")
    votes = replies.get("totalItems") if isinstance(replies, dict) else None
    return PollOption(name=name, votes=_int(votes) or 0)


_QUOTE_KEYS = ("quote", "quoteUrl", "quoteUri", "_misskey_quote")
_QUOTE_REL = "https://misskey-hub.net/ns#_misskey_quote"


def _quote_of(obj: APObject, tags: list) -> str | None:
    # FEP-044f `quote`, Fedibird `quoteUri`, Misskey `_misskey_quote`, and FEP-e232 Link tags.
    for key in _QUOTE_KEYS:
        if id_of(obj.get(key)):
            return id_of(obj.get(key))
    for tag in tags:
        if "Link" in types_of(tag) and _QUOTE_REL in as_list(tag.get("rel")):
            return string_of(tag.get("href"))
    return None
