"""Likes and boosts: ours going out (with Undo), and theirs coming in, each in one
transaction with its notification and its deliveries (the outbox pattern).

A boost is a post (Mastodon's reblog): a row of `posts` by the booster with `boost_of` set,
no content, an id made at the boost time and the Announce's id as its ap_id. A like is a
`Favourite`. Who may be liked or boosted is the audience module's to say: only posts the
account may see, and boosts only of public and unlisted posts. Likes go to the liked post's
author's own inbox (as Mastodon's); Announces to the booster's followers and the boosted
post's author; every Undo to the inboxes its activity went to (the delivery ledger).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federation import activities
from federation.audience import Visibility, announce_addressing, inboxes_for, is_boostable
from federation.delivery import ledger_inboxes
from federation.models import Delivery, DeliveryState
from federation.vocab import PUBLIC
from node.ids import new_id
from node.models import Account, Actor, Favourite, Notification, NotificationKind, Post
from node.queries import Viewer, may_view
from node.services.notifications import notify
from node.services.outbox import queue, recipients_of
from node.uris import Uris


class ReactionError(ValueError):
    """A like or boost that cannot be made; `status` is the HTTP answer it deserves."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# --- ours ------------------------------------------------------------------------------------

async def like(account: Account, post: Post) -> None:
    """Like `post` as `account` (again: nothing more); raise ReactionError if it may not."""
    me: Actor = account.actor
    await _check_visible(account, post)
    if await Favourite.exists(actor_id=me.id, post_id=post.id):
        return
    author = await Actor.get(id=post.author_id)
    try:
        async with in_transaction():
            favourite = await Favourite.create(actor_id=me.id, post_id=post.id)
            favourite.ap_id = f"{me.ap_id}#likes/{favourite.id}"  # Mastodon's shape
            await Favourite.filter(id=favourite.id).update(ap_id=favourite.ap_id)
            await _liked(post, me, author)
            if not author.local:
                like_document = activities.like(favourite.ap_id, me.ap_id, post.ap_id)
                await queue(like_document, [author.inbox], sender_key_id=me.public_key_id,
                            object_id=favourite.ap_id)
    except IntegrityError:
        return  # the same like, made at the same moment in another request


async def unlike(account: Account, post: Post) -> None:
    """Take back `account`'s like of `post`, telling whoever the Like reached."""
    me: Actor = account.actor
    favourite = await Favourite.get_or_none(actor_id=me.id, post_id=post.id)
    if favourite is None:
        return
    async with in_transaction():
        await Favourite.filter(id=favourite.id).delete()
        await _forget(NotificationKind.LIKE, post, me)
        if favourite.ap_id:
            undone = activities.like(favourite.ap_id, me.ap_id, post.ap_id)
            await _queue_undo(activities.undo(f"{favourite.ap_id}/undo", me.ap_id, undone), me, favourite.ap_id)


async def boost(uris: Uris, account: Account, post: Post) -> Post:
    """Boost `post` as `account` and return the boost (the one there is, if boosted before);
    raise ReactionError if it may not be seen or boosted."""
    me: Actor = account.actor
    await _check_visible(account, post)
    if post.boost_of_id is not None or not is_boostable(post.visibility):
        raise ReactionError("only public and unlisted posts can be boosted", 403)
    existing = await Post.get_or_none(author_id=me.id, boost_of_id=post.id)
    if existing is not None:
        return existing
    author = await Actor.get(id=post.author_id)
    now = datetime.now(timezone.utc)
    boost_id = new_id(now)
    async with in_transaction():
        row = await Post.create(
            id=boost_id, ap_id=uris.activity(me.username, boost_id), author_id=me.id, local=True,
            visibility=Visibility.PUBLIC, content_html="", created_at=now, boost_of_id=post.id)
        await Actor.filter(id=me.id).update(changed_at=now)  # the boost is on my profile
        await _boosted(post, me, author)
        await _queue_announce(row, me, post, author)
    return row


async def unboost(account: Account, post: Post) -> None:
    """Take back `account`'s boost of `post`, telling whoever the Announce reached."""
    me: Actor = account.actor
    row = await Post.get_or_none(author_id=me.id, boost_of_id=post.id)
    if row is None:
        return
    author = await Actor.get(id=post.author_id)
    undone = announce_of(row, me, post.ap_id, author.ap_id)
    undo = activities.undo(f"{me.ap_id}#announces/{row.id}/undo", me.ap_id, undone, to=(PUBLIC,))
    async with in_transaction():
        await Post.filter(id=row.id).delete()
        await Actor.filter(id=me.id).update(changed_at=datetime.now(timezone.utc))
        await _forget(NotificationKind.BOOST, post, me)
        await _queue_undo(undo, me, row.ap_id)


def announce_of(row: Post, booster: Actor, original_ap_id: str, original_author_ap_id: str) -> dict:
    """Return the Announce of one of our boosts, addressed as Mastodon addresses a public
    reblog (federation.audience.announce_addressing)."""
    addressing = announce_addressing(booster.followers_url, original_author_ap_id)
    return activities.announce(row.ap_id, booster.ap_id, original_ap_id, row.created_at,
                               addressing.to, addressing.cc)


async def _check_visible(account: Account, post: Post) -> None:
    # A post the account may not see is answered as if it did not exist.
    if post.boost_of_id is not None or not await may_view(Viewer.of(account), post):
        raise ReactionError("no such post", 404)


async def _queue_announce(row: Post, booster: Actor, post: Post, author: Actor) -> int:
    """Queue the Announce to the booster's followers and the boosted post's author (their
    server's shared inbox when it has one, like any post addressed to them)."""
    mentioned = [] if author.local else [author]
    inboxes = inboxes_for(Visibility.PUBLIC, await recipients_of(booster, mentioned))
    if not inboxes:
        return 0
    announce = announce_of(row, booster, post.ap_id, author.ap_id)
    return await queue(announce, inboxes, sender_key_id=booster.public_key_id, object_id=row.ap_id)


async def _queue_undo(undo: dict, actor: Actor, object_id: str) -> int:
    """Queue `undo` to every inbox the undone activity reached, or is still on its way to."""
    inboxes = set(await ledger_inboxes(object_id))
    pending = Delivery.filter(object_id=object_id, state=DeliveryState.PENDING)
    inboxes |= set(await pending.values_list("inbox", flat=True))
    if not inboxes:
        return 0
    return await queue(undo, sorted(inboxes), sender_key_id=actor.public_key_id, object_id=object_id)


# --- theirs ----------------------------------------------------------------------------------

async def store_like(post: Post, actor: Actor, ap_id: str | None) -> None:
    """Keep a remote actor's like of our `post` (once: a repeated Like is the same like)."""
    author = await Actor.get(id=post.author_id)
    async with in_transaction():
        _, created = await Favourite.get_or_create(defaults={"ap_id": ap_id}, actor_id=actor.id, post_id=post.id)
        if created:
            await _liked(post, actor, author)


async def store_boost(post: Post, booster: Actor, ap_id: str, visibility: Visibility,
                      published: datetime | None) -> None:
    """Keep a remote actor's boost of `post` as their post, once per booster and post."""
    if await Post.exists(author_id=booster.id, boost_of_id=post.id):
        return
    author = await Actor.get(id=post.author_id)
    at = _sane_time(published)
    for attempt in range(3):
        try:
            async with in_transaction():
                await Post.create(id=new_id(at), ap_id=ap_id, author_id=booster.id, local=False,
                                  visibility=visibility, content_html="", created_at=at, boost_of_id=post.id)
                await _boosted(post, booster, author)
            return
        except IntegrityError:
            # Stored by another process already, or (rarely) two posts drew one id: draw again.
            if await Post.exists(ap_id=ap_id) or await Post.exists(author_id=booster.id, boost_of_id=post.id):
                return
            if attempt == 2:
                raise


async def remove_likes(actor: Actor, **which) -> None:
    """Remove `actor`'s likes chosen by `which` (ap_id=..., post__ap_id=...) and their
    notifications."""
    rows = await Favourite.filter(actor_id=actor.id, **which).values_list("id", "post_id")
    if not rows:
        return
    async with in_transaction():
        await Favourite.filter(id__in=[row_id for row_id, _ in rows]).delete()
        await Notification.filter(kind=NotificationKind.LIKE, from_actor_id=actor.id,
                                  post_id__in=[post_id for _, post_id in rows]).delete()


async def remove_boosts(booster: Actor, **which) -> None:
    """Remove `booster`'s boosts chosen by `which` (ap_id=..., boost_of__ap_id=...) and
    their notifications."""
    rows = await Post.filter(author_id=booster.id, boost_of_id__isnull=False, **which) \
        .values_list("id", "boost_of_id")
    if not rows:
        return
    async with in_transaction():
        await Post.filter(id__in=[row_id for row_id, _ in rows]).delete()
        await Notification.filter(kind=NotificationKind.BOOST, from_actor_id=booster.id,
                                  post_id__in=[post_id for _, post_id in rows]).delete()


def published_of(activity: dict) -> datetime | None:
    """Return an activity's `published` time, or None when it has none that reads as one."""
    value = activity.get("published")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc) if moment else None


def _sane_time(published: datetime | None) -> datetime:
    """Return the Announce's own time, unless missing or in the future (then now)."""
    now = datetime.now(timezone.utc)
    if published is None or published > now + timedelta(minutes=5):
        return now
    return published


async def boosted_post_changed(post_id: int | None = None, *, author_ap_id: str | None = None) -> None:
    """Move `changed_at` of the local accounts that boosted the post `post_id` (or any post
    of `author_ap_id`) because it is deleted or edited: their profiles are cached for
    anonymous readers under it, with the boosted post shown in them."""
    which = {"boost_of_id": post_id} if post_id is not None else {"boost_of__author__ap_id": author_ap_id}
    boosters = await Post.filter(local=True, **which).values_list("author_id", flat=True)
    if boosters:
        await Actor.filter(id__in=list(set(boosters))).update(changed_at=datetime.now(timezone.utc))


# --- both ------------------------------------------------------------------------------------

async def _liked(post: Post, liker: Actor, author: Actor) -> None:
    await notify(NotificationKind.LIKE, author.id, liker.id, post.id)
    await _counts_changed(author)


async def _boosted(post: Post, booster: Actor, author: Actor) -> None:
    # The notification names the boosted post (the author's own), so the boost itself may
    # be as narrowly addressed as its booster chose.
    await notify(NotificationKind.BOOST, author.id, booster.id, post.id)
    await _counts_changed(author)


async def _forget(kind: str, post: Post, actor: Actor) -> None:
    await Notification.filter(kind=kind, from_actor_id=actor.id, post_id=post.id).delete()


async def _counts_changed(author: Actor) -> None:
    # Anonymous readers get a local author's profile from a cache kept under `changed_at`:
    # move it so the counts on it are not stale.
    if author.local:
        await Actor.filter(id=author.id).update(changed_at=datetime.now(timezone.utc))
