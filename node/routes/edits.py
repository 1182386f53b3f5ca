"""Editing one's posts and reading any post's edit history: /@NAME/ID/edit and
/@NAME/ID/history (for a remote post, /@user@host/ID/history with our id of it).

The history has exactly the post's audience: anyone else gets the 404 of a missing post.
The audience of a post never changes by an edit (as in Mastodon), so the form offers none;
nor does it add or remove images (their descriptions can change, as in Mastodon).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from quart import Blueprint, Response, abort, current_app, redirect, request

from node.historyviews import version_views
from node.models import Account, Mention, Post
from node.postviews import view_of
from node.queries import Viewer, may_view, visible_post
from node.routes.rendering import render
from node.security import current_account, require_csrf
from node.services.editing import Edit, edit_post, media_of, versions_of
from node.services.mention_warning import unfollowing_mentioned
from node.services.posting import PostError, mentions_in
from node.uris import Uris

blueprint = Blueprint("edits", __name__)
_DESCRIPTION_FIELD = re.compile(r"^alt_([0-9]{1,19})$")  # alt_<Media id>


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


@blueprint.get("/@<username>/<int:post_id>/edit")
async def edit_page(username: str, post_id: int) -> str:
    account, post = await _own_post(username, post_id)
    return await _edit_form(account, post, Edit(post.source, post.content_warning))


@blueprint.post("/@<username>/<int:post_id>/edit")
async def save_edit(username: str, post_id: int) -> Response | str | tuple[str, int]:
    await require_csrf()
    account, post = await _own_post(username, post_id)
    form = await request.form
    edit = Edit(form.get("text", ""), form.get("content_warning", ""), descriptions=_descriptions_in(form),
                link_preview=_link_preview_in(form))
    try:
        mentions = await mentions_in(_uris(), edit.text, current_app.config["KITH_RUNTIME"].resolver)
        before = await Mention.filter(post_id=post.id).values_list("actor_id", flat=True)
        unfollowing = await unfollowing_mentioned(account.actor, post.visibility, mentions, already=before,
                                                  in_reply_to=post.in_reply_to_ap_id)
        if unfollowing and form.get("confirm_mentions") != "yes":
            return await _edit_form(account, post, edit, warning=unfollowing)
        settings = current_app.config["KITH_SETTINGS"]
        await edit_post(_uris(), account, post, edit, settings.max_post_chars, mentions)
    except PostError as e:
        return await _edit_form(account, post, edit, error=str(e)), 400  # what was typed is kept
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
                  versions=version_views(post, await versions_of(post)))


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


def _descriptions_in(form) -> dict[int, str]:
    """Return the image descriptions the form sends, by Media id (the service keeps only
    those of the post's own images)."""
    found = {}
    for name, value in form.items():
        if match := _DESCRIPTION_FIELD.match(name):
            found[int(match.group(1))] = value
    return found


def _link_preview_in(form) -> bool | None:
    """The checkbox, as on the compose form: "off" always sent, "on" when ticked; a form
    without the field (a script, an older page) keeps the post's choice."""
    return "on" in form.getlist("link_preview") if "link_preview" in form else None


async def _edit_form(account: Account, post: Post, edit: Edit, *, error: str | None = None,
                     warning: list | None = None) -> str:
    media = await media_of(post)
    typed = edit.descriptions or {}
    descriptions = {m.id: typed.get(m.id, m.description) for m in media}
    link_preview = post.link_preview if edit.link_preview is None else edit.link_preview
    return render("edit.html", account=account, post=post, text=edit.text, content_warning=edit.content_warning,
                  media=media, descriptions=descriptions, link_preview=link_preview,
                  max_chars=current_app.config["KITH_SETTINGS"].max_post_chars, error=error, warning=warning)
