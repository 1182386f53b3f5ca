"""Edits and the history they leave.

A local author's edit makes a new version of their post (mentions and hashtags rendered
again, new mentions addressed, image descriptions changed), keeps the old one in
`post_edits`, and queues the Update to who should have it (services.outbox.queue_update).
A remote author's Update does the same to our copy of their post (handlers.on_update_note
calls `apply_remote_edit`): text, warning, sensitive mark, attachments, custom emoji,
mentions, hashtags and link card all become the new version's.

A version is made only when what a reader sees of the post changes: its text, content
warning or sensitive mark, or its attachments (one added, removed or replaced, or described
anew: Mastodon lets an author edit only an image's description). An Update that only carries
new poll tallies, or repeats the version we have, leaves the history alone; the link
preview choice of a local post is the author's setting, not a version, and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

from tortoise.transactions import in_transaction

from federation.inbox import TryLater
from federation.notes import NoteInfo
from node.html import Rendered, sanitize
from node.media.attachments import (MAX_DESCRIPTION, media_differ, remote_media_rows, replace_post_emojis,
                                    replace_remote_media)
from node.models import Account, Actor, Media, Mention, NotificationKind, Post, PostEdit, Tag
from node.queries import Viewer, may_view
from node.services.notifications import notify
from node.services.outbox import queue_update
from node.services.link_cards import refresh_link_card
from node.services.reactions import boosted_post_changed
from node.services.posting import MAX_CONTENT_WARNING, MentionLookup, PostError, mentions_in, rendered_text
from node.uris import Uris

class EditConflict(PostError):
    """Another edit of the post was saved first."""


@dataclass(frozen=True)
class Edit:
    text: str
    content_warning: str = ""
    descriptions: Mapping[int, str] | None = None  # new alt text by Media id; None keeps them all
    link_preview: bool | None = None  # None keeps the post's choice


async def edit_post(uris: Uris, account: Account, post: Post, edit: Edit, max_chars: int,
                    mentions: MentionLookup | None = None) -> bool:
    """Make `edit` the new version of the account's own post (its mentions looked up already,
    or local ones now); return False when it changes nothing. Raise PostError when the post
    is not the account's, the text is empty or anything is too long; EditConflict when
    another edit was saved first."""
    if not post.local or post.author_id != account.actor_id or post.deleted_at is not None:
        raise PostError("you can only edit your own posts")
    media = await media_of(post)
    text, warning = _checked(edit, max_chars, has_media=bool(media))
    described = _described(media, edit.descriptions)
    if text == post.source and warning == post.content_warning and not described:
        return await _choose_link_preview(uris, post, edit.link_preview)
    mentions = mentions or await mentions_in(uris, text)
    rendered = rendered_text(uris, text, mentions)
    mentioned = _mentioned(mentions, rendered)
    now = datetime.now(timezone.utc)
    preview = post.link_preview if edit.link_preview is None else edit.link_preview
    async with in_transaction():
        await _replace_version(post, now, media, bool(described), source=text, content_html=rendered.html,
                               content_warning=warning, sensitive=bool(warning), link_preview=preview)
        for media_id, description in described.items():
            await Media.filter(id=media_id, post_id=post.id).update(description=description)
        await _replace_mentions_and_tags(post, [a.id for a in mentioned], rendered.tags)
        await Actor.filter(id=account.actor_id).update(changed_at=now)  # profile and feed caches
        await refresh_link_card(uris, post)  # the first link may be another now
        await queue_update(uris, post, account.actor, mentioned, rendered.tags)  # with the new descriptions
        await _notify_edit(post)
    return True


async def apply_remote_edit(uris: Uris, post: Post, note: NoteInfo, mentioned: list[Actor], tags: list[str]) -> bool:
    """Make the author's new version (`note`) our copy's, with its local `mentioned` and
    `tags`, keeping the old one in the history when a reader would see a change; return
    whether it made a version. Nothing changes when we already have a later version. Raise
    TryLater when another Update of the post was stored meanwhile."""
    if post.deleted_at is not None or _older(note.updated, post.edited_at):
        return False  # Updates may arrive out of order (Mastodon drops the older one too)
    content, warning = sanitize(note.content_html), note.summary or ""
    sensitive = note.sensitive or bool(warning)
    media, incoming = await media_of(post), remote_media_rows(post, post.author_id, note)
    media_changed = media_differ(media, incoming)
    text_changed = content != post.content_html
    versioned = text_changed or warning != post.content_warning or sensitive != post.sensitive or media_changed
    try:
        async with in_transaction():
            await _hold(post)
            if versioned:
                await _replace_version(post, note.updated or datetime.now(timezone.utc), media, media_changed,
                                       content_html=content, content_warning=warning, sensitive=sensitive)
            # A new blurhash or size, new emoji images, another tag list: no version, but shown.
            shown = await replace_remote_media(post, media, incoming)
            shown |= await replace_post_emojis(post, note.emojis)
            shown |= await _replace_mentions_and_tags(post, [a.id for a in mentioned], tags)
            if text_changed:
                await refresh_link_card(uris, post)  # only if someone here follows the author
            if versioned:
                await _notify_edit(post)
            elif shown:
                await boosted_post_changed(post.id)  # the boosters' cached pages show it
    except EditConflict as e:
        raise TryLater(str(e)) from None
    return versioned


async def media_of(post: Post) -> list[Media]:
    """Return the post's attachments in order."""
    return await Media.filter(post_id=post.id).order_by("position")


async def versions_of(post: Post) -> list[PostEdit]:
    """Return the post's earlier versions, newest first."""
    return await PostEdit.filter(post_id=post.id).order_by("-id")


def _checked(edit: Edit, max_chars: int, has_media: bool) -> tuple[str, str]:
    text, warning = edit.text.strip(), edit.content_warning.strip()
    if not text and not has_media:
        raise PostError("a post needs some text")
    if len(text) > max_chars:
        raise PostError(f"a post may have at most {max_chars} characters, this one has {len(text)}")
    if len(warning) > MAX_CONTENT_WARNING:
        raise PostError(f"a content warning may have at most {MAX_CONTENT_WARNING} characters")
    return text, warning


def _described(media: list[Media], descriptions: Mapping[int, str] | None) -> dict[int, str]:
    """Return {Media id: new description} of the post's images whose description `descriptions`
    changes (ids of other posts' media are ignored); raise PostError for one too long."""
    changed = {}
    for number, item in enumerate(media, 1):
        if descriptions is None or item.id not in descriptions:
            continue
        description = descriptions[item.id].strip()
        if len(description) > MAX_DESCRIPTION:
            raise PostError(f"the description of image {number} may have at most {MAX_DESCRIPTION} characters, "
                            f"this one has {len(description)}")
        if description != item.description:
            changed[item.id] = description
    return changed


async def _choose_link_preview(uris: Uris, post: Post, wanted: bool | None) -> bool:
    """Turn the post's link preview on or off (not a version: other servers make their own
    cards); return False when it is already so."""
    if wanted is None or wanted == post.link_preview:
        return False
    async with in_transaction():
        await Post.filter(id=post.id).update(link_preview=wanted)
        post.link_preview = wanted
        await refresh_link_card(uris, post)
        await Actor.filter(id=post.author_id).update(changed_at=datetime.now(timezone.utc))  # cached pages
        await boosted_post_changed(post.id)
    return True


def _mentioned(mentions: MentionLookup, rendered: Rendered) -> list[Actor]:
    by_id = {a.ap_id: a for a in mentions.found.values()}
    return [by_id[m.ap_id] for m in rendered.mentions]


def _older(updated: datetime | None, edited_at: datetime | None) -> bool:
    return updated is not None and edited_at is not None and updated < edited_at


async def _hold(post: Post) -> None:
    """Hold the post's row until the transaction ends, if it is still the version read; raise
    EditConflict otherwise. Two Updates of one post at once (two inbox workers) then replace
    its attachments and emoji one after the other, never both deleting and both inserting."""
    if not await Post.filter(id=post.id, edited_at=post.edited_at, deleted_at=None).update(edited_at=post.edited_at):
        raise EditConflict("the post changed while the edit was applied")


async def _replace_version(post: Post, now: datetime, media: list[Media], media_changed: bool, **fields) -> None:
    """Keep the post's current version, with its attachments `media` as they are now, in its
    history and make `fields` the new one (also on `post` itself); raise EditConflict when
    another edit was saved first."""
    await PostEdit.create(
        post_id=post.id, content_html=post.content_html, source=post.source,
        content_warning=post.content_warning, sensitive=post.sensitive,
        media=[{"kind": m.kind, "description": m.description} for m in media], media_changed=media_changed,
        current_from=post.edited_at or post.created_at, current_until=now)
    # Only if the post is still the version just kept: two edits at once must not both keep
    # the same old version and lose one of the new ones.
    still = Post.filter(id=post.id, edited_at=post.edited_at, deleted_at=None)
    changed = await still.update(edited_at=now, **fields)
    if not changed:
        raise EditConflict("the post changed while you were editing it; reload it and try again")
    for name, value in {**fields, "edited_at": now}.items():
        setattr(post, name, value)


async def _replace_mentions_and_tags(post: Post, actor_ids: list[int], tags: list[str]) -> bool:
    """Make the post's mentions and hashtags (its tag pages) these; return whether they changed."""
    actor_ids, tags = list(dict.fromkeys(actor_ids)), list(dict.fromkeys(tags))
    before_actors = await Mention.filter(post_id=post.id).values_list("actor_id", flat=True)
    before_tags = await Tag.filter(post_id=post.id).values_list("name", flat=True)
    if set(before_actors) == set(actor_ids) and set(before_tags) == set(tags):
        return False
    await Mention.filter(post_id=post.id).delete()
    await Tag.filter(post_id=post.id).delete()
    if actor_ids:
        await Mention.bulk_create([Mention(post_id=post.id, actor_id=actor_id) for actor_id in actor_ids])
    if tags:
        await Tag.bulk_create([Tag(post_id=post.id, name=name) for name in tags])
    return True


async def _notify_edit(post: Post) -> None:
    """Tell the local accounts who answered or boosted the post, and may still see it, that it
    changed (Mastodon tells those who boosted it); refresh the boosters' cached pages."""
    repliers = await Post.filter(in_reply_to_id=post.id, local=True, deleted_at=None) \
        .values_list("author_id", flat=True)
    boosters = await Post.filter(boost_of_id=post.id, local=True).values_list("author_id", flat=True)
    for actor_id in dict.fromkeys([*repliers, *boosters]):
        if await may_view(Viewer(actor_id=actor_id, is_local=True), post):
            await notify(NotificationKind.UPDATE, actor_id, post.author_id, post.id)
    await boosted_post_changed(post.id)
