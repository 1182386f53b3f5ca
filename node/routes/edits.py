"""Editing one's posts and reading any post's edit history: /@NAME/ID/edit and
/@NAME/ID/history (for a remote post, /@user@host/ID/history with our id of it).

The history has exactly the post's audience: anyone else gets the 404 of a missing post.
The audience of a post never changes by an edit (as in Mastodon), so the form offers none.
"""

from __future__ import annotations

from urllib.parse import urlencode

from quart import Blueprint, Response, abort, current_app, redirect, request

from node.models import Account, Mention, Post
from node.postviews import view_of
from node.queries import Viewer, may_view, visible_post
from node.routes.rendering import render
from node.security import current_account, require_csrf
from node.services.editing import Edit, edit_post, versions_of
from node.services.mention_warning import unfollowing_mentioned
from node.services.posting import PostError, mentions_in
from node.uris import Uris

blueprint = Blueprint("edits", __name__)


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


@blueprint.get("/@<username>/<int:post_id>/edit")
async def edit_page(username: str, post_id: int) -> str:
    account, post = await _own_post(username, post_id)
    return _edit_form(account, post, Edit(post.source, post.content_warning))


@blueprint.post("/@<username>/<int:post_id>/edit")
async def save_edit(username: str, post_id: int) -> Response | str | tuple[str, int]:
    await require_csrf()
    account, post = await _own_post(username, post_id)
    form = await request.form
    edit = Edit(form.get("text", ""), form.get("content_warning", ""))
    try:
        mentions = await mentions_in(_uris(), edit.text, current_app.config["KITH_RUNTIME"].resolver)
        before = await Mention.filter(post_id=post.id).values_list("actor_id", flat=True)
        unfollowing = await unfollowing_mentioned(account.actor, post.visibility, mentions, already=before,
                                                  in_reply_to=post.in_reply_to_ap_id)
        if unfollowing and form.get("confirm_mentions") != "yes":
            return _edit_form(account, post, edit, warning=unfollowing)
        settings = current_app.config["KITH_SETTINGS"]
        await edit_post(_uris(), account, post, edit, settings.max_post_chars, mentions)
    except PostError as e:
        return _edit_form(account, post, edit, error=str(e)), 400  # what was typed is kept
    current_app.config["KITH_RUNTIME"].wake_delivery()
    current_app.config["KITH_RUNTIME"].wake_cards()
    page = post.url.removeprefix(_uris().base)
    if mentions.unresolved:
        page += "?" + urlencode({"unresolved": " ".join(mentions.unresolved)})
    return redirect(page)


@blueprint.get("/@<username>/<int:post_id>/history")
async def history(username: str, post_id: int) -> str:
    account = await current_account()
    viewer = Viewer.of(account)
    post = await _visible_post(viewer, username, post_id)
    if post is None:
        abort(404)  # the same answer as for a post that does not exist
    return render("history.html", account=account, view=await view_of(post, viewer),
                  versions=await versions_of(post))


async def _own_post(username: str, post_id: int) -> tuple[Account, Post]:
    """Return the signed-in account and its post `post_id`; 404 for anyone else's."""
    account = await current_account()
    if account is None:
        abort(redirect("/login"))
    post = await visible_post(Viewer.of(account), username, post_id)
    if post is None or post.author_id != account.actor_id:
        abort(404)
    return account, post


async def _visible_post(viewer: Viewer, username: str, post_id: int) -> Post | None:
    """Return our post `post_id` by `username` (local, or user@host) if `viewer` may see it."""
    if "@" not in username:
        return await visible_post(viewer, username, post_id)
    name, _, host = username.partition("@")
    post = await Post.get_or_none(id=post_id, local=False, author__username__iexact=name,
                                  author__domain=host.lower())
    return post if post is not None and await may_view(viewer, post) else None


def _edit_form(account: Account, post: Post, edit: Edit, *, error: str | None = None,
               warning: list | None = None) -> str:
    return render("edit.html", account=account, post=post, text=edit.text, content_warning=edit.content_warning,
                  max_chars=current_app.config["KITH_SETTINGS"].max_post_chars, error=error, warning=warning)
