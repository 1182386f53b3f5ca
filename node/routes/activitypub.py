"""ActivityPub: actors, collections, objects (with authorized fetch) and inboxes.

A browser asking for an actor or object is sent to its page. Objects that are not public
are served only to a signed request whose actor is in their audience; everyone else gets
the 404 of an object that does not exist. Local-only posts are never served here.
"""

from __future__ import annotations

import json

from quart import Blueprint, Response, abort, current_app, redirect, request

from federation.activities import tombstone
from federation.audience import is_federated
from federation.collections import collection, collection_page
from federation.keys import public_pem_of
from federation.vocab import ACTIVITY_JSON, host_of
from node.conversions import account_to_actor, instance_actor, post_to_create, post_to_note
from node.models import Actor, Post
from node.polls import question_facts
from node.queries import (
    Viewer,
    follow_collection_ids,
    follow_count,
    local_account,
    may_view,
    mentions_and_tags,
    outbox_posts,
    public_post_count,
)
from node.security import request_facts, signed_by
from node.services.reactions import announce_of
from node.uris import Uris

blueprint = Blueprint("activitypub", __name__)

AP_ACCEPTS = ("application/activity+json", "application/ld+json", "application/json")
INBOX_TYPES = ("application/activity+json", "application/ld+json", "application/json")
PAGE = 20


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


def wants_activitypub() -> bool:
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in AP_ACCEPTS)


def ap_response(document: dict, status: int = 200) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False), status, content_type=f"{ACTIVITY_JSON}; charset=utf-8")
    response.headers["Vary"] = "Accept, Signature"
    return response


async def _owner(username: str):
    account = await local_account(username)
    if account is None:
        abort(404)
    return account


@blueprint.get("/users/<username>")
async def actor(username: str) -> Response:
    account = await _owner(username)
    if not wants_activitypub():
        return redirect(f"/@{account.username}")
    return ap_response(account_to_actor(_uris(), account))


@blueprint.get("/actor")
async def application_actor() -> Response:
    runtime = current_app.config["KITH_RUNTIME"]
    created = current_app.config["KITH_STARTED"]
    return ap_response(instance_actor(_uris(), public_pem_of(runtime.instance_private_pem), created))


@blueprint.get("/users/<username>/outbox")
async def outbox(username: str) -> Response:
    account = await _owner(username)
    url = _uris().outbox(account.username)
    if request.args.get("page") is None:
        total = await public_post_count(account.actor)
        return ap_response(collection(url, total, first=f"{url}?page=true"))
    posts = await outbox_posts(account.actor, _before(), PAGE)
    extras = await mentions_and_tags([p.id for p in posts])
    polls = await question_facts([p.id for p in posts])
    await Post.fetch_for_list(posts, "media")
    items = [post_to_create(_uris(), p, account.actor, *extras.get(p.id, ([], [])), polls.get(p.id))
             for p in posts]
    next_url = f"{url}?page=true&max_id={posts[-1].id}" if len(posts) == PAGE else None
    return ap_response(collection_page(request_url(), url, items, next_url))


@blueprint.get("/users/<username>/followers")
async def followers(username: str) -> Response:
    return await _follow_collection(username, "followers")


@blueprint.get("/users/<username>/following")
async def following(username: str) -> Response:
    return await _follow_collection(username, "following")


async def _follow_collection(username: str, which: str) -> Response:
    account = await _owner(username)
    url = getattr(_uris(), which)(account.username)
    total = await follow_count(account.actor, which)
    if account.hide_network:
        return ap_response(collection(url, total))
    if request.args.get("page") is None:
        return ap_response(collection(url, total, first=f"{url}?page=1"))
    page = _page_number()
    items = await follow_collection_ids(account.actor, which, page, PAGE)
    next_url = f"{url}?page={page + 1}" if len(items) == PAGE else None
    return ap_response(collection_page(request_url(), url, items, next_url))


@blueprint.get("/users/<username>/collections/featured")
async def featured(username: str) -> Response:
    account = await _owner(username)
    return ap_response(collection(_uris().featured(account.username), 0, items=[]))


@blueprint.get("/users/<username>/statuses/<int:post_id>")
async def status(username: str, post_id: int) -> Response:
    return await _status(username, post_id, activity=False)


@blueprint.get("/users/<username>/statuses/<int:post_id>/activity")
async def status_activity(username: str, post_id: int) -> Response:
    return await _status(username, post_id, activity=True)


async def _status(username: str, post_id: int, activity: bool) -> Response:
    post = await Post.get_or_none(id=post_id, author__username=username, local=True).select_related("author")
    if post is None or not is_federated(post.visibility):
        abort(404)  # local-only posts never leave the node, not even by fetch
    if post.boost_of_id is not None:
        return await _boost(post, activity)
    if post.deleted_at is not None:
        return ap_response(tombstone(post.ap_id, post.deleted_at), 410)
    # A signed fetch speaks for its actor, so a blocked one is refused even a public post
    # (it could read it unsigned, but we do not serve it to them by name).
    if not await may_view(await _remote_viewer(), post):
        abort(404)
    if not wants_activitypub():
        return redirect(post.url)
    extras = (await mentions_and_tags([post.id])).get(post.id, ([], []))
    await post.fetch_related("media")
    build = post_to_create if activity else post_to_note
    poll = (await question_facts([post.id])).get(post.id)
    return ap_response(build(_uris(), post, post.author, *extras, poll))


async def _boost(row: Post, activity: bool) -> Response:
    """A boost of ours is no Note: its object URL is not found, and its activity URL (its
    ap_id, as Mastodon's) serves the Announce to whoever may see it."""
    if not activity or not await may_view(await _remote_viewer(), row):
        abort(404)
    original = await Post.get(id=row.boost_of_id).select_related("author")
    if not wants_activitypub():
        return redirect(_uris().web_url(original.ap_id))
    return ap_response(announce_of(row, row.author, original.ap_id, original.author.ap_id))


async def _remote_viewer() -> Viewer:
    """Return the viewer a signed fetch speaks for (a known remote actor), else anonymous."""
    signer = await signed_by()
    if signer is None:
        return Viewer()
    if await current_app.config["KITH_RUNTIME"].blocked_hosts(host_of(signer)):
        abort(404)  # a blocked server is answered as if nothing were here
    actor = await Actor.get_or_none(ap_id=signer, local=False)
    return Viewer(actor_id=actor.id) if actor else Viewer()


@blueprint.post("/inbox")
async def shared_inbox() -> Response:
    return await _inbox(None)


@blueprint.post("/users/<username>/inbox")
async def personal_inbox(username: str) -> Response:
    account = await _owner(username)
    return await _inbox(account.username)


async def _inbox(recipient: str | None) -> Response:
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in INBOX_TYPES:
        return Response(f"expected {ACTIVITY_JSON}, got {content_type or 'nothing'}\n", 415)
    try:
        activity = json.loads(await request.get_data(cache=True))
    except (ValueError, UnicodeDecodeError):
        return Response("the body is not JSON\n", 400)
    runtime = current_app.config["KITH_RUNTIME"]
    try:
        outcome = await runtime.intake.accept(await request_facts(), activity, recipient)
    except Exception:  # the database could not store it: the sender should retry
        current_app.logger.exception("inbox store failed")
        return Response("cannot store the activity now; try again later\n", 503, headers={"Retry-After": "30"})
    if outcome.status == 202:
        runtime.wake_inbox()
    return Response(outcome.reason + "\n", outcome.status, content_type="text/plain")


def _before() -> int | None:
    raw = request.args.get("max_id")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 20:
        abort(400, description="'max_id' must be a post id")
    return int(raw)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 0 < int(raw) < 100000:
        abort(400, description="'page' must be a page number")
    return int(raw)


def request_url() -> str:
    query = request.query_string.decode("latin-1")
    return _uris().base + request.path + (f"?{query}" if query else "")
