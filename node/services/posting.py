"""Posting: publish and delete a post, each in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from federation.audience import Visibility
from node.html import MENTION_RE, MentionLink, Rendered, render_text
from node.ids import new_id
from node.services.media import StoredUpload, attach_media
from node.models import Account, Actor, Mention, Post, Tag
from node.polls import PollDraft, poll_problem
from federation.errors import FederationError
from federation.resolver import Resolver
from node.queries import Viewer, may_view
from node.services.link_cards import attach_link_card
from node.services.notifications import notify_new_post
from node.services.remote import actor_for_handle
from node.services.forgetting import forget_post
from node.services.outbox import queue_create, queue_delete
from node.services.polls import create_poll
from node.uris import Uris

MAX_CONTENT_WARNING = 500


class PostError(ValueError):
    """A post that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Draft:
    text: str
    visibility: Visibility
    content_warning: str = ""
    in_reply_to: str | None = None  # URL of the post answered
    poll: PollDraft | None = None
    link_preview: bool = True  # show a preview card of the first link


@dataclass(frozen=True)
class MentionLookup:
    """Who the @mentions of a text name: found accounts by (username, host), lower-cased,
    and the handles that could not be found (posted as plain text)."""

    found: dict[tuple[str, str], Actor] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()


async def mentions_in(uris: Uris, text: str, resolver: Resolver | None = None) -> MentionLookup:
    """Return the accounts `text` mentions: ours from the database, remote ones through
    WebFinger when a resolver is given (an unknown or unreachable one is unresolved)."""
    found = await _local_mentionable(uris, text)
    unresolved = []
    for match in MENTION_RE.finditer(text):
        name, host = match.group(1).lower(), (match.group(2) or uris.host).lower()
        if (name, host) in found or host == uris.host:
            if (name, host) not in found:
                unresolved.append(match.group(0))
            continue
        try:
            if resolver is None:
                raise ValueError("remote accounts are not looked up here")
            found[(name, host)] = await actor_for_handle(resolver, f"{name}@{host}")
        except (FederationError, ValueError):
            unresolved.append(match.group(0))
    return MentionLookup(found, tuple(dict.fromkeys(unresolved)))


async def publish_post(uris: Uris, account: Account, draft: Draft, max_chars: int,
                       mentions: MentionLookup | None = None, media: Sequence[StoredUpload] = ()) -> Post:
    """Create a post from `draft` (its mentions looked up already, or local ones now) with
    `media` attached (node.services.media); raise PostError when it is empty, too long or
    answers a post the author may not see."""
    text = draft.text.strip()
    if not text and not media:
        raise PostError("a post needs some text")
    if len(text) > max_chars:
        raise PostError(f"a post may have at most {max_chars} characters, this one has {len(text)}")
    if len(draft.content_warning) > MAX_CONTENT_WARNING:
        raise PostError(f"a content warning may have at most {MAX_CONTENT_WARNING} characters")
    if poll_problem(draft.poll):
        raise PostError(poll_problem(draft.poll))
    parent = await _reply_target(uris, account, draft.in_reply_to)
    mentions = mentions or await mentions_in(uris, text)
    rendered = rendered_text(uris, text, mentions)

    actor: Actor = account.actor
    now = datetime.now(timezone.utc)
    post_id = new_id(now)
    async with in_transaction():
        post = await Post.create(
            id=post_id,
            ap_id=uris.status(actor.username, post_id),
            url=uris.permalink(actor.username, post_id),
            author_id=actor.id,
            local=True,
            visibility=draft.visibility,
            source=text,
            content_html=rendered.html,
            content_warning=draft.content_warning.strip(),
            sensitive=bool(draft.content_warning.strip()),
            in_reply_to_id=parent.id if parent else None,
            in_reply_to_ap_id=parent.ap_id if parent else None,
            created_at=now,
            link_preview=draft.link_preview,
        )
        by_id = {a.ap_id: a for a in mentions.found.values()}
        mentioned = [by_id[m.ap_id] for m in rendered.mentions]
        if mentioned:
            await Mention.bulk_create([Mention(post_id=post.id, actor_id=a.id) for a in mentioned])
        if rendered.tags:
            await Tag.bulk_create([Tag(post_id=post.id, name=name) for name in rendered.tags])
        await attach_media(post, media)
        await notify_new_post(post, mentioned, parent)
        await Actor.filter(id=actor.id).update(changed_at=now)
        if draft.poll:
            await create_poll(post.id, draft.poll, now)
        await attach_link_card(uris, post)
        await queue_create(uris, post, actor, mentioned, rendered.tags)
    return post


def rendered_text(uris: Uris, text: str, mentions: MentionLookup) -> Rendered:
    """Return a post's HTML for `text`: links, hashtags, and the mentions `mentions` found."""
    return render_text(text, uris.tag, lambda name, domain: _mention(uris, mentions, name, domain))


async def delete_post(account: Account, post: Post) -> None:
    """Turn the account's own post into a tombstone: its text, mentions and tags go."""
    if post.author_id != account.actor_id:
        raise PostError("you can only delete your own posts")
    now = datetime.now(timezone.utc)
    author = await Actor.get(id=post.author_id)
    mentioned = await Actor.filter(mentioned_in__post_id=post.id)
    async with in_transaction():
        await queue_delete(post, author, mentioned)
        await Post.filter(id=post.id).update(deleted_at=now, source="", content_html="", content_warning="")
        await Mention.filter(post_id=post.id).delete()
        await Tag.filter(post_id=post.id).delete()
        await forget_post(post.id)
        await Actor.filter(id=post.author_id).update(changed_at=now)


async def _reply_target(uris: Uris, account: Account, url: str | None) -> Post | None:
    """Return the post `url` names if the author may see it; raise PostError otherwise."""
    if not url:
        return None
    url = url.strip()
    local = uris.local_post_id(url)
    if local:
        post = await Post.get_or_none(id=local[1], author__username=local[0], local=True, boost_of_id=None)
    else:
        post = await Post.filter(Q(ap_id=url) | Q(url=url), boost_of_id=None).first()  # never a boost
    # A post the author may not see is answered as if it did not exist.
    if post is None or not await may_view(Viewer.of(account), post):
        raise PostError(f"cannot reply to {url}: no such post")
    return post


async def _local_mentionable(uris: Uris, text: str) -> dict[tuple[str, str], Actor]:
    """Return the local actors that @mentions in `text` name, by (username, host) lower-cased."""
    names = {
        m.group(1).lower()
        for m in MENTION_RE.finditer(text)
        if m.group(2) is None or m.group(2).lower() == uris.host
    }
    if not names:
        return {}
    # Usernames compare case-insensitively, as in Mastodon.
    by_name = Q(*[Q(username__iexact=name) for name in names], join_type=Q.OR)
    return {(a.username.lower(), uris.host): a for a in await Actor.filter(by_name, local=True)}


def _mention(uris: Uris, mentions: MentionLookup, name: str, domain: str | None) -> MentionLink | None:
    actor = mentions.found.get((name.lower(), (domain or uris.host).lower()))
    if actor is None:
        return None
    return MentionLink(actor.username, actor.domain, actor.url, actor.ap_id)
