"""Discovery: WebFinger, host-meta and NodeInfo."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from quart import Blueprint, Response, abort, current_app, request

from federation import nodeinfo as nodeinfo_doc
from federation.errors import Rejected
from federation.webfinger import JRD_JSON, Handle, host_meta_xrd, jrd_for, parse_handle
from node import __version__
from node.models import Account, Post
from node.queries import local_account
from node.uris import Uris

blueprint = Blueprint("wellknown", __name__)

# Discovery documents are public and read by browsers' JavaScript clients too.
OPEN = {"Access-Control-Allow-Origin": "*"}


def _uris() -> Uris:
    return current_app.config["KITH_URIS"]


def _json(document: dict, content_type: str = "application/json", status: int = 200) -> Response:
    return Response(json.dumps(document), status, content_type=content_type, headers=OPEN)


@blueprint.get("/.well-known/webfinger")
async def webfinger() -> Response:
    resource = request.args.get("resource", "").strip()
    if not resource:
        abort(400, description="'resource' is required, like acct:alice@example.org")
    username = _local_username(resource)
    account = await local_account(username) if username else None
    if account is None:
        abort(404, description=f"no account here for {resource}")
    uris = _uris()
    handle = Handle(account.username, uris.host)
    jrd = jrd_for(handle, uris.actor(account.username), uris.profile(account.username))
    return _json(jrd, JRD_JSON)


def _local_username(resource: str) -> str | None:
    """Return the username `resource` names on this node (acct:, actor URL or profile URL)."""
    uris = _uris()
    if resource.startswith(("http://", "https://")):
        for prefix in (uris.actor(""), uris.profile("")):
            if resource.startswith(prefix) and "/" not in resource[len(prefix):]:
                return resource[len(prefix):] or None
        return None
    try:
        handle = parse_handle(resource)
    except Rejected:
        abort(400, description=f"{resource!r} is not acct:user@host or one of our URLs")
    return handle.username if handle.host == uris.host.lower() else None


@blueprint.get("/.well-known/host-meta")
async def host_meta() -> Response:
    return Response(host_meta_xrd(_uris().base), content_type="application/xrd+xml; charset=utf-8", headers=OPEN)


@blueprint.get("/.well-known/nodeinfo")
async def nodeinfo_discovery() -> Response:
    return _json(nodeinfo_doc.discovery(_uris().base))


@blueprint.get("/nodeinfo/2.1")
async def nodeinfo() -> Response:
    now = datetime.now(timezone.utc)
    users = await Account.all().count()
    active = Post.filter(local=True, deleted_at=None)  # boosting is being active too
    document = nodeinfo_doc.nodeinfo(
        version=__version__,
        open_registrations=current_app.config["KITH_SETTINGS"].registrations_open,
        users=users,
        active_month=await _active_authors(active, now - timedelta(days=30)),
        active_halfyear=await _active_authors(active, now - timedelta(days=180)),
        local_posts=await active.filter(boost_of_id=None).count(),  # a boost is no post of one's own
    )
    return _json(document, nodeinfo_doc.NODEINFO_21_CONTENT_TYPE)


async def _active_authors(posts, since: datetime) -> int:
    return len(set(await posts.filter(created_at__gte=since).distinct().values_list("author_id", flat=True)))
