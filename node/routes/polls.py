"""Voting: the form on a poll's card posts here.

A post the account may not see, or one without a poll, answers 404 exactly like a post that
does not exist; only then is the vote itself looked at (ended, twice, a bad choice: 4xx with
the reason).
"""

from __future__ import annotations

from quart import Blueprint, Response, abort, current_app, redirect, request

from node.models import Account, Poll, Post
from node.queries import Viewer, may_view
from node.security import current_account, require_csrf
from node.services.polls import VoteRefused, cast_vote
from node.uris import Uris

blueprint = Blueprint("polls", __name__)


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


@blueprint.post("/posts/<int:post_id>/vote")
async def vote(post_id: int) -> Response:
    await require_csrf()
    account = await current_account()
    if account is None:
        abort(redirect("/login"))
    post, poll = await _visible_poll(account, post_id)
    try:
        await cast_vote(_uris(), account, post, poll, _positions((await request.form).getlist("choice")))
    except VoteRefused as e:
        abort(e.status, description=e.reason)
    current_app.config["KITH_RUNTIME"].wake_delivery()
    return redirect(_back(post))


async def _visible_poll(account: Account, post_id: int) -> tuple[Post, Poll]:
    """Return the post and its poll if the account may see the post; 404 otherwise."""
    post = await Post.get_or_none(id=post_id)
    poll = await Poll.get_or_none(post_id=post_id) if post else None
    if poll is None or not await may_view(Viewer.of(account), post):
        abort(404)
    return post, poll


def _positions(raw: list[str]) -> list[int]:
    """Return the chosen option positions; 400 when a choice is not an option's number."""
    if any(not value.isdigit() or len(value) > 3 for value in raw):
        abort(400, description="a choice must be one of the poll's options")
    return [int(value) for value in raw]


def _back(post: Post) -> str:
    """Return the page the vote came from (only one of ours), else the post's own page."""
    referrer = request.headers.get("Referer", "")
    base = _uris().base
    if referrer.startswith(base + "/") and not referrer.startswith(base + "//"):
        return referrer.removeprefix(base)
    return post.url.removeprefix(base) if post.local else "/"
