"""The web pages: home and compose, profiles, posts, settings."""

from __future__ import annotations

from urllib.parse import urlencode

from quart import Blueprint, Response, abort, current_app, redirect, request

from tortoise.expressions import Q

from federation.audience import Visibility, reply_visibility
from node.cache import RenderedCache
from node.models import Account, Actor, Follow, Post
from node.queries import (
    Viewer,
    home_posts,
    local_account,
    local_version,
    profile_posts,
    may_view,
    tagged_posts,
    thread_of,
    visible_post,
)
from node.polls import poll_of_form
from node.postviews import view_of, views_of
from node.routes.media import descriptions_in_form, media_files, read_upload_form, uploads_in_form
from node.routes.rendering import render
from node.routes.social import remote_profile
from node.routes.threads import fetch_missing_ancestors
from node.security import current_account, require_csrf
from node.services.accounts import AccountError, ProfileChange, update_profile
from node.services.media import delete_media_of, prepare_uploads, stored_uploads
from node.services.mention_warning import unfollowing_mentioned
from node.services.posting import Draft, PostError, delete_post, mentions_in, publish_post
from node.uris import Uris

blueprint = Blueprint("web", __name__)


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


def _max_chars() -> int:
    return current_app.config["KITH_SETTINGS"].max_post_chars


async def _signed_in() -> Account:
    account = await current_account()
    if account is None:
        abort(redirect("/login"))
    return account


def _cursor() -> int | None:
    """Return the `before` query parameter (an id to page past), or abort 400."""
    raw = request.args.get("before")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 20:
        abort(400, description="'before' must be a post id")
    return int(raw)


@blueprint.get("/")
async def home() -> str:
    account = await current_account()
    if account is None:
        locals_ = await Actor.filter(local=True, discoverable=True).order_by("username").limit(50)
        return render("welcome.html", account=None, profiles=locals_)
    posts = await home_posts(Viewer.of(account), _cursor())
    draft = await _reply_draft(account, request.args.get("in_reply_to"))
    return await _compose_page(account, posts, draft=draft)


async def _reply_draft(account: Account, url: str | None) -> Draft | None:
    """Return the compose draft answering the post at `url`: its author mentioned, the
    audience no wider than the parent's. 404 when the viewer may not see that post."""
    if not url:
        return None
    parent = await _parent(account, url)
    if parent is None:
        abort(404)
    author = parent.author
    mention = "" if author.id == account.actor_id else f"@{author.username if author.local else author.handle} "
    visibility = reply_visibility(parent.visibility, account.default_visibility)
    return Draft(mention, visibility, parent.content_warning, in_reply_to=parent.ap_id)


async def _parent(account: Account, url: str) -> Post | None:
    """Return the post at `url` (its id or its page) if the account may see it."""
    parent = await Post.filter(Q(ap_id=url) | Q(url=url), boost_of_id=None).select_related("author").first()
    if parent is None or not await may_view(Viewer.of(account), parent):
        return None
    return parent


async def _compose_page(account: Account, posts: list[Post], *, draft: Draft | None = None,
                        error: str | None = None, warning: list[Actor] | None = None,
                        descriptions: dict[str, str] | None = None) -> str:
    # A reply shows the post it answers above the form, so the author sees what they answer.
    parent = await _parent(account, draft.in_reply_to) if draft and draft.in_reply_to else None
    return render(
        "home.html",
        account=account,
        posts=await views_of(posts, Viewer.of(account)),
        parent=await view_of(parent, Viewer.of(account)) if parent else None,
        draft=draft,
        error=error,
        warning=warning,
        visibilities=list(Visibility),
        max_chars=_max_chars(),
        descriptions=descriptions or {},
    )


@blueprint.post("/posts")
async def compose() -> Response | tuple[str, int]:
    await read_upload_form()  # 413 with the limits when the body is over them
    await require_csrf()
    account = await _signed_in()
    form = await request.form
    try:
        visibility = Visibility.parse(form.get("visibility", account.default_visibility.value))
        draft = Draft(
            text=form.get("text", ""),
            visibility=visibility,
            content_warning=form.get("content_warning", ""),
            in_reply_to=form.get("in_reply_to") or None,
            poll=poll_of_form(form),
            link_preview=_wants_link_preview(form),
        )
        resolver = current_app.config["KITH_RUNTIME"].resolver
        mentions = await mentions_in(_uris(), draft.text, resolver)
        unfollowing = await unfollowing_mentioned(account.actor, draft.visibility, mentions,
                                                  in_reply_to=draft.in_reply_to)
        if unfollowing and form.get("confirm_mentions") != "yes":  # asked first, draft kept
            posts = await home_posts(Viewer.of(account))
            return await _compose_page(account, posts, draft=draft, warning=unfollowing,
                                       descriptions=await descriptions_in_form())
        media = await prepare_uploads(await uploads_in_form())
        async with stored_uploads(media_files(), media) as stored:
            post = await publish_post(_uris(), account, draft, _max_chars(), mentions, media=stored)
    except (ValueError, PostError) as e:
        # Keep what was typed so nothing is lost; say what is wrong.
        chosen = form.get("visibility", "")
        visibility = Visibility(chosen) if chosen in {v.value for v in Visibility} else account.default_visibility
        keep = Draft(form.get("text", ""), visibility, form.get("content_warning", ""),
                     in_reply_to=form.get("in_reply_to") or None, poll=poll_of_form(form),
                     link_preview=_wants_link_preview(form))
        posts = await home_posts(Viewer.of(account))
        return await _compose_page(account, posts, draft=keep, error=str(e),
                                   descriptions=await descriptions_in_form()), 400
    current_app.config["KITH_RUNTIME"].wake_delivery()
    current_app.config["KITH_RUNTIME"].wake_cards()
    page = post.url.removeprefix(_uris().base) or "/"
    if mentions.unresolved:
        # Tell the author which mentions stayed plain text (shown on the post page, to them).
        page += "?" + urlencode({"unresolved": " ".join(mentions.unresolved)})
    return redirect(page)


def _wants_link_preview(form) -> bool:
    """The compose checkbox: the form sends "off" always and "on" when it is ticked, so a
    form without the field (a script, an older page) keeps the default, on."""
    return "on" in form.getlist("link_preview") or "link_preview" not in form


@blueprint.get("/@<username>")
async def profile(username: str) -> str:
    if "@" in username:
        return await remote_profile(username)
    version = await local_version(username)
    if version is None:
        abort(404)
    account, before = await current_account(), _cursor()

    async def page() -> str:
        owner = await local_account(username)
        if owner is None:
            abort(404)
        viewer = Viewer.of(account)
        posts = await views_of(await profile_posts(viewer, owner.actor, before), viewer, owner.actor)
        follow = await Follow.get_or_none(follower_id=account.actor_id, target_id=owner.actor.id) if account else None
        return render("profile.html", account=account, actor=owner.actor, posts=posts,
                      rss_enabled=owner.rss_enabled, follow=follow)

    if account is not None:
        return await page()
    # Every anonymous reader sees the same page (it has no form), and it changes only when
    # the owner's profile or posts do: keep it under the owner's version (one narrow query).
    actor_id, changed_at, _ = version
    cache: RenderedCache = current_app.config["KITH_RENDERED"]
    return await cache.get_or_make(("profile", actor_id, changed_at, before), page)


@blueprint.get("/@<username>/<int:post_id>")
async def post_page(username: str, post_id: int) -> str:
    account = await current_account()
    post = await visible_post(Viewer.of(account), username, post_id)
    if post is None:
        abort(404)  # the same answer as for a post that does not exist
    viewer = Viewer.of(account)
    thread = await thread_of(viewer, post)
    if await fetch_missing_ancestors(post, thread.ancestors, viewer):  # remote parents we lacked
        thread = await thread_of(viewer, post)
    ancestors, replies = thread.ancestors, thread.replies
    views = await views_of([*ancestors, post, *replies], viewer, reply_counts=thread.reply_counts)
    unresolved = request.args.get("unresolved", "") if account and post.author_id == account.actor_id else ""
    return render("post.html", account=account, view=views[len(ancestors)], unresolved=unresolved[:500],
                  ancestors=views[:len(ancestors)], replies=views[len(ancestors) + 1:])


async def _own_post(username: str, post_id: int) -> tuple[Account, Post]:
    """Return the signed-in account and its post `post_id`; 404 for anyone else's."""
    account = await _signed_in()
    post = await visible_post(Viewer.of(account), username, post_id)
    if post is None or post.author_id != account.actor_id:
        abort(404)
    return account, post


@blueprint.get("/@<username>/<int:post_id>/delete")
async def delete_page(username: str, post_id: int) -> str:
    account, post = await _own_post(username, post_id)
    return render("delete.html", account=account, view=await view_of(post, Viewer.of(account)))


@blueprint.post("/@<username>/<int:post_id>/delete")
async def delete(username: str, post_id: int) -> Response:
    await require_csrf()
    account, post = await _own_post(username, post_id)
    await delete_post(account, post)
    await delete_media_of(media_files(), post)
    return redirect(f"/@{account.username}")


@blueprint.get("/tags/<tag>")
async def tag_page(tag: str) -> str:
    account = await current_account()
    viewer = Viewer.of(account)
    posts = await views_of(await tagged_posts(viewer, tag, _cursor()), viewer)
    return render("tag.html", account=account, tag=tag.lower(), posts=posts)


@blueprint.get("/settings")
async def settings_page() -> str:
    account = await _signed_in()
    return await _settings_page(account)


async def _settings_page(account: Account, error: str | None = None, saved: bool = False) -> str:
    return render(
        "settings.html", account=account, visibilities=list(Visibility), error=error, saved=saved
    )


@blueprint.post("/settings")
async def save_settings() -> str | tuple[str, int]:
    await require_csrf()
    account = await _signed_in()
    form = await request.form
    try:
        change = ProfileChange(
            display_name=form.get("display_name", ""),
            bio=form.get("bio", ""),
            default_visibility=Visibility.parse(form.get("default_visibility", "")),
            locked=form.get("locked") == "on",
            discoverable=form.get("discoverable") == "on",
            rss_enabled=form.get("rss_enabled") == "on",
        )
        await update_profile(_uris(), account, change)
    except (ValueError, AccountError) as e:
        return await _settings_page(account, error=str(e)), 400
    return await _settings_page(account, saved=True)
