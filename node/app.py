"""create_app(settings) -> the Quart app: blueprints, database hooks, error pages, headers."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from quart import Quart, Response, request
from werkzeug.exceptions import HTTPException

from federation.transport import TransportConfig
from node import __version__
from node.cache import RenderedCache
from node.media.emoji import emojify_html, emojify_text
from node.db import close_database, open_database
from node.proxy_urls import ProxyUrls
from node.routes.rendering import PAGES, page_environment, render
from node.security import csrf_token, current_account, set_anon_cookie, unread_notifications
from node.runtime import start_runtime
from node.settings import Settings
from node.worker import start_workers
from node.uris import Uris

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

# A page or feed never loads anything from elsewhere (remote media come through the media
# proxy, same origin); forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


VISIBILITY_LABELS = {
    "public": "Public",
    "unlisted": "Unlisted",
    "followers": "Followers only",
    "direct": "Mentioned only",
    "local": "This server only",
}


def create_app(
    settings: Settings,
    secret: bytes,
    *,
    manage_database: bool = True,
    transport_config: TransportConfig | None = None,
    run_workers: bool = False,
) -> Quart:
    """Return the web node for `settings`, signing CSRF tokens with `secret`.

    With `manage_database` off the caller opens and closes the database (tests do).
    `transport_config` overrides the outgoing HTTP settings (tests map fake hosts);
    `run_workers` runs the inbox and delivery workers in this process.
    """
    from node.routes import (activitypub, auth, edits, feeds, health, media, notifications, polls, reactions, social,
                             timing, web, wellknown)

    app = Quart(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.update(
        KITH_SETTINGS=settings,
        KITH_SECRET=secret,
        KITH_URIS=Uris(settings.base_url),
        KITH_RENDERED=RenderedCache(),
        KITH_RUN_WORKERS=run_workers,
        MAX_CONTENT_LENGTH=1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.request_class = media.UploadLimitRequest  # a larger body cap on the upload route only
    app.config["KITH_PROXY_URLS"] = ProxyUrls(app.config["KITH_URIS"], secret)
    proxied = app.config["KITH_PROXY_URLS"].url_for
    app.config[PAGES] = page_environment(
        ROOT / "templates",
        globals_={"csrf_token": csrf_token, "kith_version": __version__, "visibility_labels": VISIBILITY_LABELS,
                  "unread_notifications": unread_notifications},
        filters={"web_url": app.config["KITH_URIS"].web_url, "proxied": proxied,
                 "emojify": lambda html, emojis: emojify_html(html, emojis, proxied),
                 "emojify_text": lambda text, emojis: emojify_text(text, emojis, proxied)},
    )
    blueprints = (web, auth, feeds, health, wellknown, activitypub, social, polls, media, edits, reactions,
                  notifications)
    for module in blueprints:
        app.register_blueprint(module.blueprint)
    _lifecycle(app, settings, transport_config, manage_database)
    app.after_request(_headers)
    if settings.server_timing:
        timing.install(app)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _lifecycle(app: Quart, settings: Settings, transport_config: TransportConfig | None,
               manage_database: bool) -> None:
    """Open the database, then start federation (it needs the running loop); stop in reverse."""

    @app.before_serving
    async def _start() -> None:
        if manage_database:
            await open_database(settings)
        app.config["KITH_STARTED"] = datetime.now(timezone.utc)
        runtime = await start_runtime(settings, transport_config)
        app.config["KITH_RUNTIME"] = runtime
        if app.config["KITH_RUN_WORKERS"]:
            await start_workers(runtime)

    @app.after_serving
    async def _stop() -> None:
        await app.config["KITH_RUNTIME"].close()
        if manage_database:
            await close_database()


async def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return set_anon_cookie(response)


async def _http_error(error: HTTPException) -> Response:
    """Render 4xx/5xx as a page with the reason (or plain text for feeds and machines)."""
    status = error.code or 500
    if request.path.endswith((".rss", ".atom")) or request.path == "/healthz":
        return Response(f"{error.name}: {error.description}\n", status, content_type="text/plain")
    account = await current_account()
    page = render("error.html", error=error, account=account)
    response = Response(page, status)
    for header, value in error.get_headers():
        if header.lower() != "content-type":
            response.headers[header] = value
    return response


async def _unexpected_error(error: Exception) -> Response:
    """Log the traceback for the operator; show the visitor a plain 500 page without it."""
    if isinstance(error, HTTPException):
        return await _http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return Response(
        "<!doctype html><title>Something went wrong</title><h1>Something went wrong</h1>"
        "<p>The error has been logged. Try again in a moment.</p>",
        500,
        content_type="text/html; charset=utf-8",
    )
