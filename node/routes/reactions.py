"""Like, unlike, boost and unboost: the buttons on every post card (plain POST forms).

A post the account may not see answers 404, as if it did not exist; a post that may not
be boosted answers 403 with the reason. After acting the browser goes back to the page it
came from (same origin only), else to the post.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from quart import Blueprint, Response, abort, current_app, redirect, request

from node.models import Account, Post
from node.queries import Viewer, may_view
from node.security import current_account, require_csrf
from node.services import reactions
from node.uris import Uris

blueprint = Blueprint("reactions", __name__)


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


@blueprint.post("/posts/<int:post_id>/like")
async def like(post_id: int) -> Response:
    return await _react(post_id, lambda account, post: reactions.like(account, post))


@blueprint.post("/posts/<int:post_id>/unlike")
async def unlike(post_id: int) -> Response:
    return await _react(post_id, lambda account, post: reactions.unlike(account, post))


@blueprint.post("/posts/<int:post_id>/boost")
async def boost(post_id: int) -> Response:
    return await _react(post_id, lambda account, post: reactions.boost(_uris(), account, post))


@blueprint.post("/posts/<int:post_id>/unboost")
async def unboost(post_id: int) -> Response:
    return await _react(post_id, lambda account, post: reactions.unboost(account, post))


async def _react(post_id: int, act: Callable[[Account, Post], Awaitable[object]]) -> Response:
    await require_csrf()
    account = await current_account()
    if account is None:
        abort(401, description="sign in to like or boost posts")
    post = await Post.get_or_none(id=post_id, boost_of_id=None)
    if post is None or not await may_view(Viewer.of(account), post):
        abort(404)
    try:
        await act(account, post)
    except reactions.ReactionError as e:
        abort(e.status, description=str(e))
    current_app.config["KITH_RUNTIME"].wake_delivery()
    return redirect(_back_to(post))


def _back_to(post: Post) -> str:
    """Return the page the form was on (a path of ours), else the post's own page."""
    referrer = request.headers.get("Referer", "")
    base = _uris().base
    if referrer.startswith(base + "/"):
        path = referrer[len(base):]
        if not path.startswith("//"):
            return path
    page = _uris().web_url(post.ap_id)
    return page.removeprefix(base) if page.startswith(base + "/") else page
