"""The Server-Timing response header (opt-in: KITH_SERVER_TIMING): how long the node spent
on a request, from the first before-request hook to the finished response, rendering
included. Benchmarks read it to measure server time, not the load generator's.

Off by default: exact server times help anyone probing for timing differences (a hidden
post and a missing one both answer 404, and should not be told apart by their duration)."""

from __future__ import annotations

import time

from quart import Quart, Response, g


def install(app: Quart) -> None:
    """Time every request of `app` and report it as `Server-Timing: app;dur=MS`."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_report)


async def _start() -> None:
    g.kith_started = time.perf_counter()


async def _report(response: Response) -> Response:
    started = g.get("kith_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response
