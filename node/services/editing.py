"""Edits and the history they leave.

A local author's edit makes a new version of their post (mentions and hashtags rendered
again, new mentions addressed), keeps the old one in `post_edits`, and queues the Update to
who should have it (services.outbox.queue_update). A remote author's Update does the same
to our copy of their post (handlers.on_update_note calls `apply_remote_edit`).

A version is made only when the text or the content warning changes: an Update that only
carries new poll tallies, or repeats the version we have, leaves the history alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from tortoise.transactions import in_transaction

from federation.inbox import TryLater
from federation.notes import NoteInfo
from node.html import Rendered, sanitize
from node.models import Account, Actor, Mention, NotificationKind, Post, PostEdit, Tag
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


async def edit_post(uris: Uris, account: Account, post: Post, edit: Edit, max_chars: int,
                    mentions: MentionLookup | None = None) -> bool:
    """Make `edit` the new version of the account's own post (its mentions looked up already,
    or local ones now); return False when it changes nothing. Raise PostError when the post
    is not the account's, or the text is empty or too long; EditConflict when another edit
    was saved first."""
    if not post.local or post.author_id != account.actor_id or post.deleted_at is not None:
        raise PostError("you can only edit your own posts")
    text, warning = _checked(edit, max_chars)
    if text == post.source and warning == post.content_warning:
        return False
    mentions = mentions or await mentions_in(uris, text)
    rendered = rendered_text(uris, text, mentions)
    mentioned = _mentioned(mentions, rendered)
    now = datetime.now(timezone.utc)
    async with in_transaction():
        await _replace_version(post, now, source=text, content_html=rendered.html,
                               content_warning=warning, sensitive=bool(warning))
        await _replace_mentions_and_tags(post, [a.id for a in mentioned], rendered.tags)
        await Actor.filter(id=account.actor_id).update(changed_at=now)  # profile and feed caches
        await refresh_link_card(uris, post)  # the first link may be another now
        await queue_update(uris, post, account.actor, mentioned, rendered.tags)
        await _notify_edit(post)
    return True


async def apply_remote_edit(post: Post, note: NoteInfo, mentioned: list[Actor], tags: list[str]) -> bool:
    """Make the author's new version (`note`) our copy's, with its local `mentioned` and
    `tags`, keeping the old one in the history; return False, changing nothing, when neither
    the text nor the warning changed or we already have a later version. Raise TryLater when
    another Update of the post was stored meanwhile."""
    if post.deleted_at is not None or _older(note.updated, post.edited_at):
        return False  # Updates may arrive out of order (Mastodon drops the older one too)
    content, warning = sanitize(note.content_html), note.summary or ""
    if content == post.content_html and warning == post.content_warning:
        return False
    try:
        async with in_transaction():
            await _replace_version(post, note.updated or datetime.now(timezone.utc), content_html=content,
                                   content_warning=warning, sensitive=note.sensitive or bool(warning))
            await _replace_mentions_and_tags(post, [a.id for a in mentioned], tags)
            await _notify_edit(post)
    except EditConflict as e:
        raise TryLater(str(e)) from None
    return True


async def versions_of(post: Post) -> list[PostEdit]:
    """Return the post's earlier versions, newest first."""
    return await PostEdit.filter(post_id=post.id).order_by("-id")


def _checked(edit: Edit, max_chars: int) -> tuple[str, str]:
    text, warning = edit.text.strip(), edit.content_warning.strip()
    if not text:
        raise PostError("a post needs some text")
    if len(text) > max_chars:
        raise PostError(f"a post may have at most {max_chars} characters, this one has {len(text)}")
    if len(warning) > MAX_CONTENT_WARNING:
        raise PostError(f"a content warning may have at most {MAX_CONTENT_WARNING} characters")
    return text, warning


def _mentioned(mentions: MentionLookup, rendered: Rendered) -> list[Actor]:
    by_id = {a.ap_id: a for a in mentions.found.values()}
    return [by_id[m.ap_id] for m in rendered.mentions]


def _older(updated: datetime | None, edited_at: datetime | None) -> bool:
    return updated is not None and edited_at is not None and updated < edited_at


async def _replace_version(post: Post, now: datetime, **fields) -> None:
    """Keep the post's current version in its history and make `fields` the new one (also
    on `post` itself); raise EditConflict when another edit was saved first."""
    await PostEdit.create(
        post_id=post.id, content_html=post.content_html, source=post.source,
        content_warning=post.content_warning, sensitive=post.sensitive,
        current_from=post.edited_at or post.created_at, current_until=now)
    # Only if the post is still the version just kept: two edits at once must not both keep
    # the same old version and lose one of the new ones.
    still = Post.filter(id=post.id, edited_at=post.edited_at, deleted_at=None)
    changed = await still.update(edited_at=now, **fields)
    if not changed:
        raise EditConflict("the post changed while you were editing it; reload it and try again")
    for name, value in {**fields, "edited_at": now}.items():
        setattr(post, name, value)


async def _replace_mentions_and_tags(post: Post, actor_ids: list[int], tags: list[str]) -> None:
    await Mention.filter(post_id=post.id).delete()
    await Tag.filter(post_id=post.id).delete()
    if actor_ids:
        unique = dict.fromkeys(actor_ids)
        await Mention.bulk_create([Mention(post_id=post.id, actor_id=actor_id) for actor_id in unique])
    if tags:
        await Tag.bulk_create([Tag(post_id=post.id, name=name) for name in dict.fromkeys(tags)])


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
