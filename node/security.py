"""The only code that reads Quart's request for sessions and CSRF: turns a request into
"who is this" and "did this form come from our page".

Sessions: the cookie holds a random token; the database keeps its SHA-256, so a leaked
database signs no one in and signing out really ends the session.
CSRF: every form carries HMAC(instance secret, the session token, or for visitors who are not
signed in an anonymous cookie), checked on every POST.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from quart import Response, current_app, g, request
from werkzeug.exceptions import BadRequest

from node.models import Account, Session

SESSION_COOKIE = "kith_session"
ANON_COOKIE = "kith_anon"
SESSION_LIFETIME = timedelta(days=30)
TOUCH_EVERY = timedelta(hours=1)


class CSRFError(BadRequest):
    description = "This form has expired or did not come from this site. Go back, reload the page and try again."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _secret() -> bytes:
    return current_app.config["KITH_SECRET"]


async def current_account() -> Account | None:
    """Return the signed-in account of this request, or None (looked up once per request)."""
    if "account" in g:
        return g.account
    g.account = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        session = await Session.get_or_none(token_hash=_hash(token)).select_related("account__actor")
        now = datetime.now(timezone.utc)
        if session and now - session.last_seen_at < SESSION_LIFETIME:
            g.account = session.account
            g.session_token = token
            if now - session.last_seen_at > TOUCH_EVERY:
                await Session.filter(token_hash=session.token_hash).update(last_seen_at=now)
    return g.account


async def sign_in(response: Response, account: Account) -> None:
    """Start a session for `account` and set its cookie on `response`."""
    token = secrets.token_urlsafe(32)
    await Session.create(token_hash=_hash(token), account=account)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["KITH_SETTINGS"].secure_cookies,
    )


async def sign_out(response: Response) -> None:
    """End this request's session (in the database too) and clear its cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await Session.filter(token_hash=_hash(token)).delete()
    response.delete_cookie(SESSION_COOKIE)


def csrf_token() -> str:
    """Return the CSRF token for this request's forms (for templates)."""
    return hmac.new(_secret(), _csrf_seed().encode(), hashlib.sha256).hexdigest()


def _csrf_seed() -> str:
    token = g.get("session_token")
    if token:
        return "s:" + token
    anon = request.cookies.get(ANON_COOKIE) or g.get("new_anon_cookie")
    if not anon:
        anon = g.new_anon_cookie = secrets.token_urlsafe(24)
    return "a:" + anon


def set_anon_cookie(response: Response) -> Response:
    """After a request that made a visitor's CSRF seed, send it as a cookie."""
    anon = g.get("new_anon_cookie")
    if anon:
        response.set_cookie(
            ANON_COOKIE,
            anon,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["KITH_SETTINGS"].secure_cookies,
        )
    return response


async def require_csrf() -> None:
    """Raise CSRFError unless the submitted form carries this visitor's CSRF token."""
    await current_account()  # the seed depends on the session
    form = await request.form
    sent = form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, csrf_token()):
        raise CSRFError()
