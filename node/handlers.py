"""What inbound activities do to our database: one small function per (type, object type).

Each reads like a checklist (GoToSocial's federatingdb): find who is involved, refuse what
does not concern us, store, and queue any answer in the same transaction. Handlers are
idempotent, because the inbox worker delivers an activity at least once. A refusal is a
`Rejected` with the reason; a remote server that does not answer is retried by the worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federation import activities
from federation.audience import is_boostable, visibility_of
from federation.errors import Rejected
from federation.inbound import InboundActivity
from federation.notes import NoteInfo, note_fields
from federation.polls import votes_in
from federation.resolver import Resolver
from federation.vocab import host_of
from node.html import sanitize
from node.ids import new_id
from node.media.attachments import store_remote_media
from node.models import Account, Actor, Block, DomainBlock, Follow, FollowState, Mention, NotificationKind, Post, Tag
from node.poll_handlers import count_votes, store_remote_poll, update_remote_poll
from node.queries import Viewer, may_view
from node.services.ancestors import link_replies
from node.services.editing import apply_remote_edit
from node.services.forgetting import forget_post
from node.services.link_cards import attach_link_card
from node.services.outbox import queue
from node.services.notifications import notify, notify_new_post
from node.services.reactions import (boosted_post_changed, published_of, remove_boosts, remove_likes, store_boost,
                                     store_like)
from node.services.remote import remote_actor, save_remote_actor
from node.uris import Uris

log = logging.getLogger(__name__)


@dataclass
class Handlers:
    uris: Uris
    resolver: Resolver

    # --- follows -------------------------------------------------------------------------

    async def on_follow(self, activity: InboundActivity, recipient: str | None) -> None:
        # 1. the account followed must be one of ours
        target = await self._local_target(activity.object_id)
        # 2. who follows: fetched (or refreshed) so we know their inbox
        follower = await remote_actor(self.resolver, activity.actor)
        # 3. a blocked follower is refused, an existing follow answered again (idempotent)
        if await Block.exists(blocker_id=target.actor.id, target_id=follower.id):
            return await self._answer(target, follower, activity, accepted=False)
        follow = await Follow.get_or_none(follower_id=follower.id, target_id=target.actor.id)
        if follow is None:
            state = FollowState.REQUESTED if target.actor.locked else FollowState.ACCEPTED
            async with in_transaction():
                follow = await Follow.create(follower_id=follower.id, target_id=target.actor.id,
                                             ap_id=activity.id, state=state, accepted_at=_now_if(state))
                await notify(_follow_kind(state), target.actor.id, follower.id)
        elif follow.ap_id != activity.id:
            await Follow.filter(id=follow.id).update(ap_id=activity.id)
        # 4. accepted at once unless the account approves followers by hand
        if follow.state == FollowState.ACCEPTED:
            await self._answer(target, follower, activity, accepted=True)

    async def on_undo_follow(self, activity: InboundActivity, recipient: str | None) -> None:
        await _undo(Follow, "follower", "target", activity)

    async def on_accept_follow(self, activity: InboundActivity, recipient: str | None) -> None:
        follow = await self._our_follow(activity)
        if follow is not None and follow.state != FollowState.ACCEPTED:
            await Follow.filter(id=follow.id).update(state=FollowState.ACCEPTED, accepted_at=_now())

    async def on_reject_follow(self, activity: InboundActivity, recipient: str | None) -> None:
        follow = await self._our_follow(activity)
        if follow is not None:
            await Follow.filter(id=follow.id).delete()

    async def _our_follow(self, activity: InboundActivity) -> Follow | None:
        """Return our Follow that an Accept/Reject from its target answers, or None."""
        target = await Actor.get_or_none(ap_id=activity.actor, local=False)
        if target is None:
            return None
        follows = Follow.filter(target_id=target.id, follower__local=True)
        follower = _embedded_actor_of(activity)
        if activity.object_id and activity.object_id.startswith(self.uris.base):
            follows = follows.filter(ap_id=activity.object_id)
        elif follower:
            follows = follows.filter(follower__ap_id=follower)
        candidates = await follows.limit(2)
        # Without our Follow's id or its actor, only an unambiguous answer is taken.
        return candidates[0] if len(candidates) == 1 else None

    async def _local_target(self, ap_id: str | None) -> Account:
        account = await Account.get_or_none(actor__ap_id=ap_id or "").select_related("actor")
        if account is None:
            raise Rejected(f"{ap_id} is not an account on this server")
        return account

    async def _answer(self, target: Account, follower: Actor, follow: InboundActivity, accepted: bool) -> None:
        build = activities.accept if accepted else activities.reject
        answer = build(self.uris.new_activity_id(target.username), target.actor.ap_id, follow.raw)
        async with in_transaction():
            await queue(answer, [follower.inbox], sender_key_id=target.actor.public_key_id, object_id=None)

    # --- blocks --------------------------------------------------------------------------

    async def on_block(self, activity: InboundActivity, recipient: str | None) -> None:
        # A remote actor blocks one of ours: they stop receiving our posts, and stop following.
        target = await self._local_target(activity.object_id)
        blocker = await remote_actor(self.resolver, activity.actor)
        async with in_transaction():
            await Block.get_or_create(blocker_id=blocker.id, target_id=target.actor.id)
            await Follow.filter(follower_id=blocker.id, target_id=target.actor.id).delete()

    async def on_undo_block(self, activity: InboundActivity, recipient: str | None) -> None:
        await _undo(Block, "blocker", "target", activity)

    # --- likes and boosts -------------------------------------------------------------

    async def on_like(self, activity: InboundActivity, recipient: str | None) -> None:
        # 1. a post of ours, which the liker may see
        post = await Post.get_or_none(ap_id=activity.object_id or "", local=True, boost_of_id=None)
        if post is None:
            raise Rejected(f"{activity.object_id} is not a post of ours")
        actor = await self._may_react(activity, post)
        # 2. one like per actor and post (a repeated Like is the same like)
        await store_like(post, actor, activity.id)

    async def on_announce(self, activity: InboundActivity, recipient: str | None) -> None:
        # 1. the boosted post: ours, or fetched from its origin for followers of the booster
        booster = await remote_actor(self.resolver, activity.actor)
        post = await self._boosted_post(activity, booster)
        await self._may_react(activity, post)
        # 2. only public and unlisted posts may be boosted (Mastodon refuses the others too;
        #    a followers-only self-boost, as GoToSocial sends, included)
        if not is_boostable(post.visibility):
            raise Rejected("followers-only, direct and local posts cannot be boosted")
        # 3. kept as the booster's post, addressed as the Announce is, once per booster and post
        visibility = visibility_of(activity.to, activity.cc, booster.followers_url or None)
        await store_boost(post, booster, activity.id or "", visibility, published_of(activity.raw))

    async def on_undo_like(self, activity: InboundActivity, recipient: str | None) -> None:
        actor = await Actor.get_or_none(ap_id=activity.actor)
        target = _embedded_object_of(activity)
        if actor is not None and (target or activity.object_id):
            await remove_likes(actor, **({"post__ap_id": target} if target else {"ap_id": activity.object_id}))

    async def on_undo_announce(self, activity: InboundActivity, recipient: str | None) -> None:
        actor = await Actor.get_or_none(ap_id=activity.actor)
        target = _embedded_object_of(activity)
        if actor is not None and (target or activity.object_id):
            await remove_boosts(actor, **({"boost_of__ap_id": target} if target else {"ap_id": activity.object_id}))

    async def on_undo_by_id(self, activity: InboundActivity, recipient: str | None) -> None:
        # Some servers name the undone activity by its id alone: a like, a boost or a follow.
        actor = await Actor.get_or_none(ap_id=activity.actor)
        if actor is None or not activity.object_id:
            return
        await remove_likes(actor, ap_id=activity.object_id)
        await remove_boosts(actor, ap_id=activity.object_id)
        await Follow.filter(follower_id=actor.id, ap_id=activity.object_id).delete()

    async def _may_react(self, activity: InboundActivity, post: Post) -> Actor:
        actor = await remote_actor(self.resolver, activity.actor)
        if not await may_view(Viewer(actor_id=actor.id), post):
            raise Rejected("the post is not visible to this actor")
        return actor

    async def _boosted_post(self, activity: InboundActivity, booster: Actor) -> Post:
        """Return the post an Announce boosts: ours, or one someone here will see because
        they follow the booster (fetched from its origin when we do not have it)."""
        object_id = activity.object_id or ""
        post = await Post.get_or_none(ap_id=object_id, boost_of_id=None)
        if post is not None and post.local:
            return post
        if host_of(object_id) == self.uris.host:
            raise Rejected(f"{object_id} is not a post known here")
        if not await Follow.exists(target_id=booster.id, follower__local=True, state=FollowState.ACCEPTED):
            raise Rejected("nobody here follows the booster, and the post is not ours")
        return post or await self._fetch_boosted(activity)

    async def _fetch_boosted(self, activity: InboundActivity) -> Post:
        # The Create path's rules: from its origin unless the embedded copy can be trusted,
        # and only its author's own; a blocked server's post is not fetched at all.
        object_id = activity.object_id or ""
        if await DomainBlock.exists(domain=host_of(object_id)):
            raise Rejected(f"{object_id} is on a blocked server")
        obj = activity.object if activity.object is not None and not activity.needs_refetch \
            else await self.resolver.fetch_object(object_id)
        note = note_fields(obj)
        if host_of(note.attributed_to) != host_of(note.ap_id):
            raise Rejected("the boosted object is not its author's own")
        author = await remote_actor(self.resolver, note.attributed_to)
        # Checked before storing: a post that may not be boosted is not kept either.
        if not is_boostable(visibility_of(note.to, note.cc, author.followers_url or None)):
            raise Rejected("followers-only, direct and local posts cannot be boosted")
        await self._store_note(note, author, await _local_actors(note.to + note.cc + tuple(m.href for m in note.mentions)))
        return await Post.get(ap_id=note.ap_id)

    # --- posts ---------------------------------------------------------------------------

    async def on_create_note(self, activity: InboundActivity, recipient: str | None) -> None:
        if votes := votes_in(activity):  # poll votes are counted, never stored as posts
            return await count_votes(self.resolver, activity.actor, votes)
        # 1. the object, from its origin when the embedded copy cannot be trusted
        note = await self._note_of(activity)
        if await Post.exists(ap_id=note.ap_id):
            return
        # 2. kept only when addressed to one of ours or written by someone one of ours follows
        author = await remote_actor(self.resolver, note.attributed_to)
        mentioned = await _mentioned_here(note)
        followed = await Follow.exists(target_id=author.id, follower__local=True, state=FollowState.ACCEPTED)
        if not mentioned and not followed:
            raise Rejected("not addressed to anyone here, and nobody here follows its author")
        # 3. stored with the audience its addressing gives, starting from direct
        await self._store_note(note, author, mentioned)

    async def on_update_note(self, activity: InboundActivity, recipient: str | None) -> None:
        # 1. the new version, from its author's own host
        note = await self._note_of(activity)
        post = await Post.get_or_none(ap_id=note.ap_id, local=False).select_related("author")
        if post is None:
            return  # unknown here: nothing to change
        # 2. only the author changes a post (a same-host actor claiming it is refused)
        if post.author.ap_id != activity.actor:
            raise Rejected(f"{activity.actor} may not change {post.ap_id}, which is {post.author.ap_id}'s")
        # 3. a poll's new tallies (or a poll dropped) change no version
        await update_remote_poll(post, note)
        # 4. the new version (text, warning, media, emoji, tags, card) is ours; the old joins its history
        await apply_remote_edit(self.uris, post, note, await _mentioned_here(note), _tag_names(note))

    async def on_update_person(self, activity: InboundActivity, recipient: str | None) -> None:
        if activity.object_id != activity.actor:
            raise Rejected("an actor may only update itself")
        if await Actor.exists(ap_id=activity.actor, local=False):
            await save_remote_actor(await self.resolver.fetch_actor(activity.actor))

    async def on_delete(self, activity: InboundActivity, recipient: str | None) -> None:
        # The object is a post (becomes a tombstone) or the actor itself (their posts go).
        if activity.object_id == activity.actor:
            await boosted_post_changed(author_ap_id=activity.actor)
            await Actor.filter(ap_id=activity.actor, local=False).delete()
            return
        post = await Post.get_or_none(ap_id=activity.object_id or "", local=False).select_related("author")
        if post is None:
            return  # never seen here, or a Delete of something that is not a post
        if post.author.ap_id != activity.actor:
            raise Rejected(f"{activity.actor} may not delete {post.ap_id}, which is {post.author.ap_id}'s")
        async with in_transaction():
            await Post.filter(id=post.id).update(deleted_at=_now(), content_html="", content_warning="")
            await Mention.filter(post_id=post.id).delete()
            await Tag.filter(post_id=post.id).delete()
            await forget_post(post.id)

    async def store_from_origin(self, url: str) -> Post:
        """Return the post at `url`, fetched from its origin (signed as the instance actor)
        and stored with the audience its addressing gives: an ancestor a thread page needs.
        Raise FederationError when it cannot be fetched or is not its author's own."""
        note = _own_note(await self.resolver.fetch_object(url))
        author = await remote_actor(self.resolver, note.attributed_to)
        await self._store_note(note, author, await _mentioned_here(note))
        return await Post.get(ap_id=note.ap_id)

    async def _note_of(self, activity: InboundActivity) -> NoteInfo:
        obj = activity.object
        if obj is None or activity.needs_refetch:
            obj = await self.resolver.fetch_object(activity.object_id or "")
        return _own_note(obj, activity.actor)

    async def _store_note(self, note: NoteInfo, author: Actor, mentioned: list[Actor]) -> None:
        published = note.published or _now()
        parent = await Post.get_or_none(ap_id=note.in_reply_to) if note.in_reply_to else None
        for attempt in range(3):
            try:
                return await self._insert_note(note, author, mentioned, published, parent)
            except IntegrityError:
                # Another process stored this very note, or (rarely) two posts drew one id:
                # draw again; after three draws the worker retries the item later.
                if await Post.exists(ap_id=note.ap_id):
                    return
                if attempt == 2:
                    raise

    async def _insert_note(self, note: NoteInfo, author: Actor, mentioned: list[Actor], published: datetime,
                           parent: Post | None) -> None:
        async with in_transaction():
            post = await Post.create(
                id=new_id(published), ap_id=note.ap_id, url=note.url or note.ap_id, author_id=author.id,
                local=False, visibility=visibility_of(note.to, note.cc, author.followers_url or None),
                content_html=sanitize(note.content_html), content_warning=note.summary or "",
                sensitive=note.sensitive or bool(note.summary), in_reply_to_ap_id=note.in_reply_to,
                in_reply_to_id=parent.id if parent else None, created_at=published, edited_at=note.updated)
            if mentioned:
                await Mention.bulk_create([Mention(post_id=post.id, actor_id=a.id) for a in mentioned])
            tags = _tag_names(note)
            if tags:
                await Tag.bulk_create([Tag(post_id=post.id, name=name) for name in tags])
            await store_remote_poll(post.id, note)
            await attach_link_card(self.uris, post)
            await store_remote_media(post, author, note)
            await link_replies(post)  # replies that arrived first now know their parent
            await notify_new_post(post, mentioned, parent)


def _own_note(obj: dict, actor: str | None = None) -> NoteInfo:
    """Return the facts of post object `obj` if `actor` (by default its author) wrote it and
    it lives on the actor's host; raise Rejected otherwise."""
    note = note_fields(obj)
    actor = actor or note.attributed_to
    if note.attributed_to != actor or host_of(note.ap_id) != host_of(actor):
        raise Rejected("the object is not the actor's own")
    return note


async def _mentioned_here(note: NoteInfo) -> list[Actor]:
    """Return our accounts the post addresses or mentions: they are in its audience."""
    return await _local_actors(note.to + note.cc + tuple(m.href for m in note.mentions))


def _tag_names(note: NoteInfo) -> list[str]:
    """Return the post's hashtags as we store ours: lower-cased, unique, in order, sane."""
    names = [h.name.strip().lstrip("#").lower() for h in note.hashtags]
    return list(dict.fromkeys(n for n in names if n and len(n) <= 100 and not any(c.isspace() for c in n)))


async def _undo(model, actor_field: str, target_field: str, activity: InboundActivity) -> None:
    """Remove what the Undo's actor did (a follow, block, like or boost): the undone activity
    is named by its id, or embedded with its object."""
    actor = await Actor.get_or_none(ap_id=activity.actor)
    if actor is None:
        return
    rows = model.filter(**{f"{actor_field}_id": actor.id})
    target = _embedded_object_of(activity)
    if target:
        rows = rows.filter(**{f"{target_field}__ap_id": target})
    elif activity.object_id and "ap_id" in model._meta.fields_map:
        rows = rows.filter(ap_id=activity.object_id)
    else:
        return  # nothing names what to undo
    await rows.delete()


async def _local_actors(iris: tuple[str, ...]) -> list[Actor]:
    return await Actor.filter(ap_id__in=list(set(iris)), local=True) if iris else []


def _embedded_object_of(activity: InboundActivity) -> str | None:
    """Return the object of the activity an Undo embeds (whom a Follow or Block was of)."""
    inner = activity.raw.get("object")
    if isinstance(inner, dict):
        target = inner.get("object")
        return target if isinstance(target, str) else (target or {}).get("id")
    return None


def _embedded_actor_of(activity: InboundActivity) -> str | None:
    """Return the actor of the activity an Accept or Reject embeds (who followed)."""
    inner = activity.raw.get("object")
    actor = inner.get("actor") if isinstance(inner, dict) else None
    return actor if isinstance(actor, str) else None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _now_if(state: str) -> datetime | None:
    return _now() if state == FollowState.ACCEPTED else None


def _follow_kind(state: str) -> str:
    return NotificationKind.FOLLOW if state == FollowState.ACCEPTED else NotificationKind.FOLLOW_REQUEST
