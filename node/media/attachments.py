"""Attachments and custom emoji as other servers see them, both ways.

Out: our Media rows as the Document objects Mastodon sends (type, mediaType, url, name =
the alt text, blurhash, width, height). In: the attachments and Emoji tags of remote posts,
and the Emoji tags of remote actors, as rows: metadata only, checked and trimmed; nothing
is fetched here (pages show them through the media proxy). An edit of a remote post
replaces its attachments and emoji with the new version's.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Iterable

from tortoise.exceptions import NoValuesFetched

from federation.notes import Attachment, Emoji, NoteInfo
from federation.vocab import is_http_url
from node.media.emoji import SHORTCODE_RE
from node.models import Actor, CustomEmoji, Media, Post
from node.uris import Uris

MAX_REMOTE_ATTACHMENTS = 8
MAX_EMOJIS = 50
MAX_DESCRIPTION = 1500  # Mastodon's limit for alt text
MAX_URL = 1024
MAX_SIDE = 100_000
_MEDIA_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,30}/[a-z0-9][a-z0-9!#$&^_.+-]{0,30}$")
_BLURHASH_RE = re.compile(r"^[0-9A-Za-z#$%*+,\-.:;=?@\[\]^_{|}~]{6,64}$")
UNKNOWN_TYPE = "application/octet-stream"


# --- out --------------------------------------------------------------------------------

def loaded_media(post: Post) -> list[Media]:
    """Return the post's media when they were loaded with it (`fetch_related("media")`),
    in order; an empty list when they were not."""
    try:
        return sorted(post.media, key=lambda m: m.position)
    except NoValuesFetched:
        return []


def media_documents(uris: Uris, media: Iterable[Media]) -> tuple[dict, ...]:
    """Return our attachments as Mastodon sends them (ActivityPub::NoteSerializer's
    MediaAttachmentSerializer): a Document with the alt text as `name`."""
    return tuple(_document(uris, m) for m in media if m.file_name)


def _document(uris: Uris, media: Media) -> dict:
    document = {
        "type": "Document",
        "mediaType": media.media_type,
        "url": uris.media_file(media.file_name or ""),
        "name": media.description or None,
        "blurhash": media.blurhash,
    }
    if media.width and media.height:
        document.update(width=media.width, height=media.height)
    return document


# --- in ---------------------------------------------------------------------------------

async def store_remote_media(post: Post, author: Actor, note: NoteInfo) -> None:
    """Keep the attachments and custom emoji of a remote post (call in its transaction)."""
    rows = remote_media_rows(post, author.id, note)
    if rows:
        await Media.bulk_create(rows)
    emojis = emoji_rows(note.emojis, post_id=post.id)
    if emojis:
        await CustomEmoji.bulk_create(emojis)


def remote_media_rows(post: Post, owner_id: int, note: NoteInfo) -> list[Media]:
    """Return unsaved rows for the usable attachments of remote post `note`, in order."""
    rows = [_media_row(post, owner_id, a, i) for i, a in enumerate(note.attachments[:MAX_REMOTE_ATTACHMENTS])]
    return [row for row in rows if row is not None]


def media_differ(old: list[Media], new: list[Media]) -> bool:
    """Whether `new` attachments are another set than `old` for a reader: one added, removed,
    moved or replaced (another URL), or described anew (Mastodon's significant change)."""
    return [(m.remote_url, m.description) for m in old] != [(m.remote_url, m.description) for m in new]


async def replace_remote_media(post: Post, old: list[Media], new: list[Media]) -> bool:
    """Make `new` the attachments of remote post `post` in place of `old` (call in the
    transaction of its edit); return False, writing nothing, when they are alike in every
    detail."""
    if [_details(m) for m in old] == [_details(m) for m in new]:
        return False
    await Media.filter(post_id=post.id, file_name=None).delete()
    if new:
        await Media.bulk_create(new)
    return True


async def replace_post_emojis(post: Post, emojis: Iterable[Emoji]) -> bool:
    """Make `emojis` the custom emoji of remote post `post`; return whether they changed."""
    rows = emoji_rows(emojis, post_id=post.id)
    before = await CustomEmoji.filter(post_id=post.id).values_list("shortcode", "icon_url")
    if {(r.shortcode, r.icon_url) for r in rows} == {tuple(pair) for pair in before}:
        return False
    await CustomEmoji.filter(post_id=post.id).delete()
    if rows:
        await CustomEmoji.bulk_create(rows)
    return True


def _details(media: Media) -> tuple:
    return (media.remote_url, media.description, media.media_type, media.width, media.height, media.blurhash)


async def replace_actor_emojis(actor: Actor, emojis: Iterable[Emoji]) -> None:
    """Make the custom emoji of a remote actor's name the ones its document has now."""
    await CustomEmoji.filter(actor_id=actor.id).delete()
    rows = emoji_rows(emojis, actor_id=actor.id)
    if rows:
        await CustomEmoji.bulk_create(rows)


def emoji_rows(emojis: Iterable[Emoji], *, post_id: int | None = None,
               actor_id: int | None = None) -> list[CustomEmoji]:
    """Return rows for the usable emoji: a plain shortcode, an http(s) icon, first of each
    shortcode, at most MAX_EMOJIS."""
    found: dict[str, CustomEmoji] = {}
    for emoji in emojis:
        if SHORTCODE_RE.match(emoji.name) and _usable_url(emoji.icon_url) and emoji.name not in found:
            found[emoji.name] = CustomEmoji(shortcode=emoji.name, icon_url=emoji.icon_url,
                                            post_id=post_id, actor_id=actor_id)
    return list(found.values())[:MAX_EMOJIS]


def _media_row(post: Post, owner_id: int, attachment: Attachment, position: int) -> Media | None:
    if not _usable_url(attachment.url):
        return None
    return Media(
        owner_id=owner_id, post_id=post.id, position=position, remote_url=attachment.url,
        media_type=_media_type(attachment),
        width=_side(attachment.width), height=_side(attachment.height),
        blurhash=attachment.blurhash if _BLURHASH_RE.match(attachment.blurhash or "") else None,
        description=(attachment.name or "").strip()[:MAX_DESCRIPTION],
    )


def _media_type(attachment: Attachment) -> str:
    # Untyped attachments (fediverse-pasture "No type") are guessed from the URL's ending.
    declared = (attachment.media_type or "").split(";", 1)[0].strip().lower()
    if _MEDIA_TYPE_RE.match(declared):
        return declared
    guessed, _ = mimetypes.guess_type(attachment.url.split("?", 1)[0])
    return guessed if guessed and _MEDIA_TYPE_RE.match(guessed) else UNKNOWN_TYPE


def _side(value: int | None) -> int | None:
    return value if value and 0 < value <= MAX_SIDE else None


def _usable_url(url: str | None) -> bool:
    return bool(url) and len(url) <= MAX_URL and is_http_url(url)
