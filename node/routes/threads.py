"""The thread page's missing ancestors, fetched before the page is built: one
AncestorFetcher per app (it remembers which parents failed lately), made on first use."""

from __future__ import annotations

from quart import current_app

from node.handlers import Handlers
from node.models import Post
from node.queries import Viewer
from node.services.ancestors import AncestorFetcher

FETCHER = "KITH_ANCESTORS"


async def fetch_missing_ancestors(post: Post, viewer: Viewer) -> int:
    """Fetch and store the ancestors of `post` this node lacks (bounded); return how many."""
    if not post.in_reply_to_ap_id:
        return 0
    config = current_app.config
    if FETCHER not in config:
        runtime = config["KITH_RUNTIME"]
        config[FETCHER] = AncestorFetcher(Handlers(runtime.uris, runtime.resolver), runtime.uris.base)
    return await config[FETCHER].fill(post, viewer)
