"""Sign in and sign out."""

from __future__ import annotations

import asyncio

from quart import Blueprint, Response, redirect, request

from node.models import Account
from node.routes.rendering import render
from node.security import current_account, require_csrf, sign_in, sign_out
from node.services.accounts import password_matches

blueprint = Blueprint("auth", __name__)


@blueprint.get("/login")
async def login_page() -> Response | str:
    if await current_account():
        return redirect("/")
    return render("login.html", account=None, error=None, username="")


@blueprint.post("/login")
async def login() -> Response | tuple[str, int]:
    await require_csrf()
    form = await request.form
    username = form.get("username", "").strip().lstrip("@")
    password = form.get("password", "")
    account = await Account.get_or_none(username__iexact=username) if username else None
    if not await asyncio.to_thread(password_matches, account, password):
        page = render(
            "login.html", account=None, error="Wrong username or password.", username=username
        )
        return page, 401
    response = redirect("/")
    await sign_in(response, account)
    return response


@blueprint.get("/logout")
async def logout_page() -> Response | str:
    account = await current_account()
    if not account:
        return redirect("/login")
    return render("logout.html", account=account)


@blueprint.post("/logout")
async def logout() -> Response:
    await require_csrf()
    response = redirect("/login")
    await sign_out(response)
    return response
