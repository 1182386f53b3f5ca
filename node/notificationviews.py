"""What the notifications page shows: an account's notifications, newest first, each with
who did what and the post it is about.

A notification about a post the account may no longer see (deleted, or its audience
changed) is left out: the post is loaded through `visible_to` like every other list, so a
notification never shows more than the account may see. Notifications from actors the
account has since blocked are left out too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery

from node.media.views import emojis_of
from node.models import Account, Actor, Block, Notification, Post
from node.postviews import PostView, views_of
from node.queries import Viewer, visible_to

PAGE_SIZE = 20


@dataclass
class NotificationView:
    notification: Notification
    who: Actor | None  # who did it (None: nobody in particular, as when a poll ends)
    view: PostView | None = None  # the post it is about, when there is one
    who_emojis: dict[str, str] = field(default_factory=dict)  # the custom emoji of their name

    @property
    def kind(self) -> str:
        return self.notification.kind


async def notifications_for(account: Account, before: int | None = None) -> tuple[list[NotificationView], int | None]:
    """Return one page of `account`'s notifications older than `before`, newest first, and
    the cursor of the next page (None on the last)."""
    query = Notification.filter(account_id=account.id)
    blocked = Subquery(Block.filter(blocker_id=account.actor_id).values("target_id"))
    query = query.filter(Q(from_actor_id=None) | ~Q(from_actor_id__in=blocked))
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(PAGE_SIZE).select_related("from_actor")
    posts = await _visible_posts(account, {row.post_id for row in rows if row.post_id is not None})
    names = await _name_emojis(rows)
    shown = [NotificationView(row, row.from_actor, posts.get(row.post_id), names.get(row.from_actor_id, {}))
             for row in rows if row.post_id is None or row.post_id in posts]
    return shown, rows[-1].id if len(rows) == PAGE_SIZE else None


async def _name_emojis(rows: list[Notification]) -> dict[int, dict[str, str]]:
    """Return the custom emoji of the remote names on the page, by actor id (one query)."""
    remote = list({row.from_actor.id for row in rows if row.from_actor is not None and not row.from_actor.local})
    if not remote:
        return {}
    found = await emojis_of([], remote)
    return {actor_id: found[("actor", actor_id)] for actor_id in remote}


async def _visible_posts(account: Account, post_ids: set[int]) -> dict[int, PostView]:
    if not post_ids:
        return {}
    viewer = Viewer.of(account)
    posts = await Post.filter(visible_to(viewer), id__in=post_ids).order_by("-id")
    return {view.entry_id or view.post.id: view for view in await views_of(posts, viewer)}


async def mark_seen(account: Account) -> None:
    """Record that `account` has seen every notification it has (the unread count is 0)."""
    newest = await Notification.filter(account_id=account.id).order_by("-id").limit(1).values_list("id", flat=True)
    if newest and newest[0] > account.notifications_seen_id:
        await Account.filter(id=account.id, notifications_seen_id__lt=newest[0]).update(notifications_seen_id=newest[0])
        account.notifications_seen_id = newest[0]
