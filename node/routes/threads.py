"""The thread page's missing ancestors. The chain thread_of found ends in a gap when its
oldest post answers one not stored here; only then is the AncestorFetcher asked to fill it
(one per app, made on first use: it remembers which parents failed lately), so a thread
without a gap costs no query more."""

from __future__ import annotations

from quart import current_app

from node.handlers import Handlers
from node.models import Post
from node.queries import THREAD_DEPTH, Viewer
from node.services.ancestors import AncestorFetcher

FETCHER = "KITH_ANCESTORS"


async def fetch_missing_ancestors(post: Post, ancestors: list[Post], viewer: Viewer) -> bool:
    """Fetch and store what the chain above `ancestors` (oldest first, as thread_of gives
    them for `post`) lacks, within the page's depth; return whether the thread changed."""
    top, room = (ancestors[0] if ancestors else post), THREAD_DEPTH - len(ancestors)
    if room <= 0 or not top.in_reply_to_ap_id or top.in_reply_to_id is not None:
        return False  # the chain is whole, or ends where the viewer may not look
    return await _fetcher().fill(top, viewer, max_depth=room) > 0


def _fetcher() -> AncestorFetcher:
    config = current_app.config
    if FETCHER not in config:
        runtime = config["KITH_RUNTIME"]
        config[FETCHER] = AncestorFetcher(Handlers(runtime.uris, runtime.resolver), runtime.uris.base,
                                          is_blocked_host=runtime.blocked_hosts)
    return config[FETCHER]
