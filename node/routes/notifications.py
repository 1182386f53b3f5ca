"""GET /notifications: the signed-in account's notifications; viewing them marks them seen."""

from __future__ import annotations

from quart import Blueprint, abort, g, redirect, request

from node.notificationviews import mark_seen, notifications_for
from node.routes.rendering import render
from node.security import current_account

blueprint = Blueprint("notifications", __name__)


@blueprint.get("/notifications")
async def notifications() -> str:
    account = await current_account()
    if account is None:
        abort(redirect("/login"))
    before = _cursor()
    shown, next_cursor = await notifications_for(account, before)
    seen_before = account.notifications_seen_id  # the page marks those after it as new
    if before is None:
        await mark_seen(account)
        g.unread_notifications = 0  # the header of this very page
    return render("notifications.html", account=account, notifications=shown, next_cursor=next_cursor,
                  seen_before=seen_before)


def _cursor() -> int | None:
    raw = request.args.get("before")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 20:
        abort(400, description="'before' must be a notification id")
    return int(raw)
