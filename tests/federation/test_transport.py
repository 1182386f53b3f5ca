"""The outgoing HTTP client against a real server on loopback: host mapping, the SSRF guard,
the size cap, redirects and timeouts."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from federation.errors import FetchError, UnsafeURL
from federation.transport import Transport, TransportConfig, is_public_address


@pytest.fixture
async def server():
    seen = []

    async def echo(request: web.Request) -> web.Response:
        seen.append((request.method, request.host, request.path, await request.read(), dict(request.headers)))
        return web.json_response({"ok": True})

    async def big(request):
        return web.Response(body=b"x" * 5000)

    async def loop(request):
        raise web.HTTPFound("/loop")

    async def slow(request):
        await asyncio.sleep(3)
        return web.Response(text="late")

    app = web.Application()
    app.add_routes([web.get("/echo", echo), web.post("/echo", echo), web.get("/big", big),
                    web.get("/loop", loop), web.get("/slow", slow)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield port, seen
    await runner.cleanup()


async def test_mapped_test_host__keeps_its_name_in_the_host_header(server):
    port, seen = server
    transport = Transport(TransportConfig(host_map={"remote.test": ("127.0.0.1", port)}))
    try:
        response = await transport.post("http://remote.test/echo", b"{}", content_type="application/activity+json",
                                        sign=lambda m, u, h, b: {"Signature": "signed"})
    finally:
        await transport.close()
    assert response.status == 200
    method, host, path, body, headers = seen[0]
    assert (method, host, path, body) == ("POST", "remote.test", "/echo", b"{}")
    assert headers["Signature"] == "signed" and headers["User-Agent"].startswith("Kith/")


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/echo", "http://localhost:{port}/echo",
                                 "https://127.0.0.1:{port}/echo", "https://[::1]:{port}/echo",
                                 "https://10.0.0.1/echo", "https://169.254.169.254/latest/meta-data",
                                 "ftp://example.org/x", "file:///etc/passwd", "http://example.org/x"])
async def test_guard__refuses_private_addresses_and_other_schemes(server, url):
    port, seen = server
    transport = Transport(TransportConfig())
    try:
        with pytest.raises(UnsafeURL):
            await transport.get(url.format(port=port), accept="application/json")
    finally:
        await transport.close()
    assert seen == []


async def test_guard__refuses_a_name_that_resolves_to_loopback(server):
    port, seen = server
    transport = Transport(TransportConfig())
    try:
        with pytest.raises(UnsafeURL):
            await transport.get(f"https://localhost:{port}/echo", accept="application/json")
    finally:
        await transport.close()


async def test_allow_private__permits_http_to_loopback_only(server):
    port, _ = server
    transport = Transport(TransportConfig(allow_private=True))
    try:
        assert (await transport.get(f"http://127.0.0.1:{port}/echo", accept="application/json")).status == 200
        with pytest.raises(UnsafeURL):
            await transport.get("http://example.org/", accept="application/json")
    finally:
        await transport.close()


async def test_size_cap_redirect_loop_and_timeout__are_fetch_errors(server):
    port, _ = server
    config = TransportConfig(allow_private=True, max_body=1000, read_timeout=0.5, total_timeout=1)
    transport = Transport(config)
    try:
        for path in ("/big", "/loop", "/slow"):
            with pytest.raises(FetchError) as error:
                await transport.get(f"http://127.0.0.1:{port}{path}", accept="*/*")
            assert not isinstance(error.value, UnsafeURL)
    finally:
        await transport.close()


def test_public_address__table():
    assert is_public_address("93.184.216.34") and is_public_address("2606:4700::1111")
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.1.1", "::1",
                    "fe80::1", "fc00::1", "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1", "224.0.0.1"):
        assert not is_public_address(address), address
