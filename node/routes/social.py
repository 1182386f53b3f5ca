"""Finding people and following them: search, remote profiles, follow and unfollow,
follow requests, followers and following lists."""

from __future__ import annotations

from quart import Blueprint, Response, abort, current_app, redirect, request

from federation.errors import FederationError
from node.media.views import actor_emojis
from node.models import Account, Actor, Follow, FollowState
from node.postviews import views_of
from node.queries import Viewer, profile_posts
from node.routes.rendering import render
from node.security import current_account, require_csrf
from node.services import social
from node.services.remote import actor_for_handle, remote_actor
from node.uris import Uris

blueprint = Blueprint("social", __name__)


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


async def _signed_in() -> Account:
    account = await current_account()
    if account is None:
        abort(redirect("/login"))
    return account


@blueprint.get("/search")
async def search() -> str | tuple[str, int]:
    account = await _signed_in()
    query = request.args.get("q", "").strip()
    if not query:
        return render("search.html", account=account, query="", found=None, error=None)
    try:
        found = await _lookup(query)
    except (FederationError, ValueError) as e:
        reason = getattr(e, "reason", None) or str(e)
        return render("search.html", account=account, query=query, found=None, error=reason), 404
    return redirect(f"/@{found.handle}" if not found.local else f"/@{found.username}")


async def _lookup(query: str) -> Actor:
    """Return the account a handle or profile URL names, fetching it if we do not know it."""
    resolver = current_app.config["KITH_RUNTIME"].resolver
    if query.startswith(("https://", "http://")):
        known = await Actor.get_or_none(url=query) or await Actor.get_or_none(ap_id=query)
        return known or await remote_actor(resolver, query)
    handle = query.lstrip("@")
    if "@" not in handle or handle.endswith("@" + _uris().host):
        local = await Actor.get_or_none(username__iexact=handle.split("@")[0], local=True)
        if local is None:
            raise ValueError(f"nobody here is called {query}")
        return local
    return await actor_for_handle(resolver, handle)


async def remote_profile(handle: str) -> str:
    """The page of a remote account we know: its profile, our relation, its posts here."""
    account = await current_account()
    username, _, host = handle.partition("@")
    actor = await Actor.get_or_none(username__iexact=username, domain=host.lower(), local=False)
    if actor is None:
        abort(404)
    follow = None
    if account is not None:
        follow = await Follow.get_or_none(follower_id=account.actor_id, target_id=actor.id)
    viewer = Viewer.of(account)
    posts = await views_of(await profile_posts(viewer, actor, None), viewer, actor)
    return render("remote_profile.html", account=account, actor=actor, follow=follow, posts=posts,
                  emojis=await actor_emojis(actor.id))


@blueprint.post("/follow")
async def follow() -> Response:
    await require_csrf()
    account = await _signed_in()
    target = await _actor_from_form()
    try:
        await social.follow(_uris(), account, target)
    except social.SocialError as e:
        abort(400, description=str(e))
    current_app.config["KITH_RUNTIME"].wake_delivery()
    return redirect(_page_of(target))


@blueprint.post("/unfollow")
async def unfollow() -> Response:
    await require_csrf()
    account = await _signed_in()
    target = await _actor_from_form()
    await social.unfollow(_uris(), account, target)
    current_app.config["KITH_RUNTIME"].wake_delivery()
    return redirect(_page_of(target))


@blueprint.get("/follow-requests")
async def follow_requests() -> str:
    account = await _signed_in()
    requests = await Follow.filter(target_id=account.actor_id, state=FollowState.REQUESTED) \
        .order_by("-id").select_related("follower")
    return render("follow_requests.html", account=account, requests=requests)


@blueprint.post("/follow-requests")
async def answer_follow_request() -> Response:
    await require_csrf()
    account = await _signed_in()
    follower = await _actor_from_form()
    decision = (await request.form).get("decision")
    if decision not in ("approve", "reject"):
        abort(400, description="'decision' must be approve or reject")
    try:
        await social.answer_request(_uris(), account, follower, approve=decision == "approve")
    except social.SocialError as e:
        abort(404, description=str(e))
    current_app.config["KITH_RUNTIME"].wake_delivery()
    return redirect("/follow-requests")


@blueprint.get("/followers")
async def followers() -> str:
    account = await _signed_in()
    rows = await Follow.filter(target_id=account.actor_id, state=FollowState.ACCEPTED) \
        .order_by("-id").select_related("follower")
    return render("people.html", account=account, title="Followers", people=[r.follower for r in rows],
                  removable=True)


@blueprint.post("/followers/remove")
async def remove_follower() -> Response:
    await require_csrf()
    account = await _signed_in()
    await social.remove_follower(_uris(), account, await _actor_from_form())
    current_app.config["KITH_RUNTIME"].wake_delivery()
    return redirect("/followers")


@blueprint.get("/following")
async def following() -> str:
    account = await _signed_in()
    rows = await Follow.filter(follower_id=account.actor_id).order_by("-id").select_related("target")
    return render("people.html", account=account, title="Following", people=[r.target for r in rows],
                  pending={r.target_id for r in rows if r.state != FollowState.ACCEPTED}, removable=False)


async def _actor_from_form() -> Actor:
    raw = (await request.form).get("actor", "")
    actor = await Actor.get_or_none(ap_id=raw) if raw else None
    if actor is None:
        abort(404, description="no such account")
    return actor


def _page_of(actor: Actor) -> str:
    return f"/@{actor.username}" if actor.local else f"/@{actor.handle}"
