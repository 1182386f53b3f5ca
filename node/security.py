"""The only code that reads Quart's request for sessions and CSRF: turns a request into
"who is this" and "did this form come from our page".

CSRF: every form carries HMAC(instance secret, the session token, or for visitors who are not
signed in an anonymous cookie), checked on every POST.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from quart import Response, current_app, g, request
from werkzeug.exceptions import BadRequest

from federation.intake import Unauthenticated
from federation.signatures import RequestFacts
from node.models import Account
from node.services.notifications import unread_count
from node.services.sessions import SESSION_LIFETIME, account_for, close_session, open_session

SESSION_COOKIE = "kith_session"
ANON_COOKIE = "kith_anon"


class CSRFError(BadRequest):
    description = "This form has expired or did not come from this site. Go back, reload the page and try again."


def _secret() -> bytes:
    return current_app.config["KITH_SECRET"]


async def current_account() -> Account | None:
    """Return the signed-in account of this request, or None (looked up once per request)."""
    if "account" in g:
        return g.account
    g.account = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        g.account = await account_for(token)
        if g.account is not None:
            g.session_token = token
            g.unread_notifications = await unread_count(g.account)  # the header shows it
    return g.account


def unread_notifications() -> int:
    """Return the signed-in account's unread notification count (for the page header)."""
    return g.get("unread_notifications", 0)


async def sign_in(response: Response, account: Account) -> None:
    """Start a session for `account` and set its cookie on `response`."""
    response.set_cookie(
        SESSION_COOKIE,
        await open_session(account),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["KITH_SETTINGS"].secure_cookies,
    )


async def sign_out(response: Response) -> None:
    """End this request's session (in the database too) and clear its cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await close_session(token)
    response.delete_cookie(SESSION_COOKIE)


def csrf_token() -> str:
    """Return the CSRF token for this request's forms (for templates)."""
    # Made once a request (a thread page has hundreds of forms), again if the seed changes.
    seed = _csrf_seed()
    made = g.get("csrf_token")
    if made is None or made[0] != seed:
        made = g.csrf_token = (seed, hmac.new(_secret(), seed.encode(), hashlib.sha256).hexdigest())
    return made[1]


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


async def request_facts() -> RequestFacts:
    """Return this request as an HTTP signature sees it: method, the URL as the sender
    addressed it (our public origin, the raw path and query), headers and body."""
    raw_path = request.scope.get("raw_path") or request.path.encode()
    query = request.scope.get("query_string") or b""
    url = current_app.config["KITH_SETTINGS"].base_url + raw_path.decode("latin-1")
    if query:
        url += "?" + query.decode("latin-1")
    body = await request.get_data(cache=True)
    return RequestFacts.of(request.method, url, list(request.headers.items()), body)


async def signed_by() -> str | None:
    """Return the actor whose valid signature this GET carries, or None (unsigned or bad)."""
    if "Signature" not in request.headers and "Signature-Input" not in request.headers:
        return None
    try:
        return await current_app.config["KITH_RUNTIME"].intake.authenticate(await request_facts())
    except Unauthenticated:
        return None
