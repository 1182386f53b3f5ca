"""Reading only the start of a page (Peek) and keeping no cookies, against a real server on
loopback."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from federation.errors import FetchError, UnsafeURL
from federation.transport import Peek, Transport, TransportConfig

HTML = frozenset({"text/html"})


@pytest.fixture
async def site():
    """A loopback web server; returns (port, what it saw: path, headers, bytes it wrote)."""
    seen: list[dict] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        sent = 0
        record = {"path": request.path, "sent": 0}
        seen.append(record)
        try:
            while sent < 50_000_000:  # bounded, in case the client never stops
                await response.write(b"<meta name=filler content=" + b"x" * 1000 + b">")
                sent += 1027
                record["sent"] = sent
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    async def page(request: web.Request) -> web.Response:
        seen.append({"path": request.path, "headers": dict(request.headers)})
        return web.Response(body=b"<title>t</title>", content_type="text/html",
                            headers={"Set-Cookie": "track=me; Path=/"})

    async def image(request: web.Request) -> web.Response:
        seen.append({"path": request.path})
        return web.Response(body=b"\x89PNG" + b"\x00" * 5000, content_type="image/png")

    async def to_loopback(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"https://127.0.0.1:{request.url.port}/page")

    app = web.Application()
    app.add_routes([web.get("/endless", endless), web.get("/page", page), web.get("/image", image),
                    web.get("/to-loopback", to_loopback)])
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    yield tcp._server.sockets[0].getsockname()[1], seen
    await runner.cleanup()


@pytest.fixture
async def transport(site):
    port, _ = site
    transport = Transport(TransportConfig(host_map={"pages.test": ("127.0.0.1", port)}))
    yield transport
    await transport.close()


async def test_peek__reads_only_the_start_of_an_endless_page(site, transport):
    # Given a page that never ends
    _, seen = site
    # When it is peeked at with a 10 kB limit
    response = await asyncio.wait_for(
        transport.get("http://pages.test/endless", accept="text/html", peek=Peek(10_000, HTML)), 5)
    # Then 10 kB come back, marked as cut, and the connection is dropped rather than drained
    assert len(response.body) == 10_000 and response.truncated
    await asyncio.sleep(0.2)
    assert seen[0]["sent"] < 10_000_000


async def test_peek__a_short_page_is_read_whole(transport):
    response = await transport.get("http://pages.test/page", accept="text/html", peek=Peek(10_000, HTML))
    assert response.body == b"<title>t</title>" and not response.truncated


async def test_peek__refuses_another_media_type(transport):
    with pytest.raises(FetchError) as error:
        await transport.get("http://pages.test/image", accept="text/html", peek=Peek(10_000, HTML))
    assert "image/png" in str(error.value) and not isinstance(error.value, UnsafeURL)


async def test_peek__a_redirect_to_loopback_is_refused(site, transport):
    # The first hop is a mapped test host; the second names a loopback address outright.
    with pytest.raises(UnsafeURL):
        await transport.get("http://pages.test/to-loopback", accept="text/html", peek=Peek(10_000, HTML))
    assert [s["path"] for s in site[1]] == []  # the redirect itself is not recorded; nothing else came


async def test_cookies__a_cookie_set_is_never_sent_back(site, transport):
    # Given a server that sets a cookie on every answer
    _, seen = site
    # When the same transport fetches twice
    await transport.get("http://pages.test/page", accept="text/html")
    await transport.get("http://pages.test/page", accept="text/html")
    # Then neither request carried a cookie
    assert [("Cookie" in s["headers"]) for s in seen] == [False, False]
