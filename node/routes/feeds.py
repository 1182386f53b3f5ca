"""GET /@NAME.rss and /@NAME.atom, with ETag and Last-Modified (304 when unchanged).

A feed changes only when its author's profile or posts do, and the author's `changed_at`
says when that was: a request costs one indexed lookup, and the rendered feed is kept
(node.cache) under a key that changes when `changed_at` moves.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

from quart import Blueprint, Response, abort, current_app, request

from node.cache import RenderedCache
from node.feeds import build_feed, build_tag_feed
from node.queries import Viewer, feed_posts, local_account, local_version, tagged_posts

blueprint = Blueprint("feeds", __name__)

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


@blueprint.get("/@<username>.rss")
async def rss(username: str) -> Response:
    return await _feed(username, "rss")


@blueprint.get("/tags/<tag>.rss")
async def tag_rss(tag: str) -> Response:
    """The public posts this node knows with hashtag `tag`, newest first."""
    posts = await tagged_posts(Viewer(), tag, None)
    body = build_tag_feed(current_app.config["KITH_URIS"], tag.lower(), posts)
    return Response(body, 200, content_type=CONTENT_TYPES["rss"], headers={"Cache-Control": "public, max-age=60"})


@blueprint.get("/@<username>.atom")
async def atom(username: str) -> Response:
    return await _feed(username, "atom")


async def _feed(username: str, kind: str) -> Response:
    version = await local_version(username)
    if version is None or not version[2]:
        abort(404)
    actor_id, changed_at, _ = version
    changed = changed_at.astimezone(timezone.utc).replace(microsecond=0)
    etag = hashlib.sha256(f"{actor_id}:{kind}:{changed_at.isoformat()}".encode()).hexdigest()[:32]
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": format_datetime(changed, usegmt=True),
        "Cache-Control": "public, max-age=60",
    }
    if _not_modified(etag, changed):
        return Response(b"", 304, headers=headers)
    body = await _rendered(username, kind, etag)
    return Response(body, 200, headers=headers, content_type=CONTENT_TYPES[kind])


def _not_modified(etag: str, changed: datetime) -> bool:
    """Return whether the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return f'"{etag}"' in tags or "*" in tags
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            return changed <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


async def _rendered(username: str, kind: str, etag: str) -> bytes:
    async def make() -> bytes:
        owner = await local_account(username)
        if owner is None:
            abort(404)
        return build_feed(current_app.config["KITH_URIS"], owner.actor, await feed_posts(owner.actor), kind)

    cache: RenderedCache = current_app.config["KITH_RENDERED"]
    return await cache.get_or_make(("feed", etag), make)
