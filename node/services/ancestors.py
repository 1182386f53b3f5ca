"""Ancestors fetched on demand, and replies linked to parents that arrive after them.

When a thread page is shown and its chain of parents reaches one not stored here, the
missing posts are fetched from their origin (signed as the instance actor) and stored with
the audience their addressing gives, by the same code that stores inbound posts
(`Handlers.store_from_origin`: the object must be its author's own, on the author's host).

Every walk is bounded: MAX_DEPTH steps up the chain, MAX_FETCHES fetches and TIME_BUDGET
seconds per page view; a loop (A answers B answers A) ends it; a parent that could not be
fetched (404, 401, gone, refused, too slow) is not asked for again for RETRY_AFTER seconds,
so a page that keeps being read does not keep knocking on a door that said no. A server this
node blocks is never asked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Awaitable, Callable

from federation.errors import FederationError
from federation.vocab import host_of
from node.models import Post
from node.queries import THREAD_DEPTH, Viewer, may_view

if TYPE_CHECKING:
    from node.handlers import Handlers

log = logging.getLogger(__name__)

HostCheck = Callable[[str], Awaitable[bool]]  # host[:port] -> blocked?

MAX_DEPTH = THREAD_DEPTH  # no deeper than a thread page shows
MAX_FETCHES = 8
TIME_BUDGET = 3.0  # seconds of fetching per page view
RETRY_AFTER = 600.0
REMEMBERED_FAILURES = 2048


async def link_replies(parent: Post) -> int:
    """Give the stored replies that name `parent` by its id (and arrived before it) their
    link to it; return how many."""
    return await Post.filter(in_reply_to_ap_id=parent.ap_id, in_reply_to_id=None) \
        .exclude(id=parent.id).update(in_reply_to_id=parent.id)


class AncestorFetcher:
    """Fills the gaps in threads; one per process (it remembers recent failures)."""

    def __init__(self, handlers: Handlers, own_base: str, *, is_blocked_host: HostCheck | None = None,
                 max_depth: int = MAX_DEPTH, max_fetches: int = MAX_FETCHES, budget: float = TIME_BUDGET,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._handlers = handlers
        self._own_base = own_base.rstrip("/") + "/"
        self._is_blocked_host = is_blocked_host
        self.max_depth, self.max_fetches, self.budget = max_depth, max_fetches, budget
        self._clock = clock
        self._failed: OrderedDict[str, float] = OrderedDict()

    async def fill(self, post: Post, viewer: Viewer, max_depth: int | None = None) -> int:
        """Fetch and store the missing ancestors of `post`, at most `max_depth` (default
        MAX_DEPTH) posts up, along the chain `viewer` may see; return how many links to a
        parent were made (0: the chain is as it was)."""
        deadline, seen = self._clock() + self.budget, {post.ap_id}
        depth_left = self.max_depth if max_depth is None else min(max_depth, self.max_depth)
        current, fetches, linked = post, 0, 0
        while current.in_reply_to_ap_id and depth_left > 0:
            parent = await self._stored_parent(current)
            if parent is None:
                if fetches >= self.max_fetches:
                    break
                fetches += 1
                parent = await self._fetch(current.in_reply_to_ap_id, deadline)
                if parent is None:
                    break
            linked += await self._link(current, parent)
            # A loop ends the walk, as does a post the viewer may not see (the page stops there).
            if parent.ap_id in seen or not await may_view(viewer, parent):
                break
            seen.add(parent.ap_id)
            current, depth_left = parent, depth_left - 1
        return linked

    async def _stored_parent(self, child: Post) -> Post | None:
        if child.in_reply_to_id is not None:
            return await Post.get_or_none(id=child.in_reply_to_id)
        return await Post.get_or_none(ap_id=child.in_reply_to_ap_id)

    async def _link(self, child: Post, parent: Post) -> int:
        """Link `child` to `parent` unless it is already (or is `parent`); return 1 if linked."""
        if child.in_reply_to_id is not None or parent.id == child.id:
            return 0
        await Post.filter(id=child.id).update(in_reply_to_id=parent.id)
        child.in_reply_to_id = parent.id  # a page about to render may hold this object
        return 1

    async def _fetch(self, url: str, deadline: float) -> Post | None:
        """Return the post at `url` fetched and stored, or None (and remember why not)."""
        remaining = deadline - self._clock()
        if remaining <= 0 or url.startswith(self._own_base) or self._recently_failed(url):
            return None
        if self._is_blocked_host is not None and await self._is_blocked_host(host_of(url)):
            return None  # a server this node blocks is never asked for anything
        try:
            async with asyncio.timeout(remaining):
                return await self._handlers.store_from_origin(url)
        except (FederationError, TimeoutError) as e:
            reason = getattr(e, "reason", None) or f"no answer within {self.budget:g} s"
            log.info("ancestor not fetched url=%s reason=%s", url, reason)
        except Exception:  # a bug must not take the thread page down with it
            log.exception("ancestor fetch failed url=%s", url)
        self._remember_failure(url)
        return None

    def _recently_failed(self, url: str) -> bool:
        when = self._failed.get(url)
        return when is not None and self._clock() - when < RETRY_AFTER

    def _remember_failure(self, url: str) -> None:
        self._failed[url] = self._clock()
        self._failed.move_to_end(url)
        while len(self._failed) > REMEMBERED_FAILURES:
            self._failed.popitem(last=False)
