"""The media proxy: serves only addresses this node signed, fetches with the node's own
transport (so the SSRF guard holds), takes only pictures, videos and sounds under a size
cap, and keeps them in a bounded disk cache."""

from __future__ import annotations

import os
import time

import pytest

from federation.transport import TransportConfig
from node.app import create_app
from node.instance import prepare_data_dir
from node.media.proxy import MAX_BYTES, ProxiedMedia, ProxyCache, media_type_of
from tests.rig import images
from tests.rig.fakeserver import FakeServer


@pytest.fixture
async def pics():
    async with FakeServer("pics.test") as server:
        yield server


@pytest.fixture
async def proxy_app(settings, db, pics):
    # The real guard (no private addresses), with only the fake picture host mapped.
    config = TransportConfig(host_map={"pics.test": ("127.0.0.1", pics.port)})
    app = create_app(settings, prepare_data_dir(settings), manage_database=False, transport_config=config)
    async with app.test_app():
        yield app


def proxied(app, url: str) -> str:
    return app.config["KITH_PROXY_URLS"].url_for(url)


def hits(server: FakeServer, path: str) -> list:
    return [h for h in server.hits if h.path == path]


async def test_proxy__serves_remote_media_from_this_origin_fetched_once(proxy_app, pics, settings):
    # Given a picture on another server, and the address this node gives it
    picture = images.png()
    url = pics.serve("/files/cat.png", picture, content_type="image/png")
    path = proxied(proxy_app, url)
    assert path.startswith("/media/proxy/") and "pics.test" not in path
    client = proxy_app.test_client()
    # When a reader asks twice
    first, second = await client.get(path), await client.get(path)
    # Then both get the picture, typed, with nosniff and a CSP that allows nothing
    for response in (first, second):
        assert response.status_code == 200 and await response.get_data() == picture
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # And the remote server saw one request, the node's (its transport's user agent)
    assert [h.user_agent.split("/")[0] for h in hits(pics, "/files/cat.png")] == ["Kith"]


async def test_proxy__unsigned_or_tampered_addresses_are_404(proxy_app, pics):
    url = pics.serve("/files/cat.png", images.png(), content_type="image/png")
    good = proxied(proxy_app, url)
    _, _, _, signature, encoded = good.split("/")
    other = proxied(proxy_app, pics.url("/files/other.png")).split("/")[-1]
    client = proxy_app.test_client()
    for path in (f"/media/proxy/{signature}/{other}", f"/media/proxy/AAAA{signature[4:]}/{encoded}",
                 f"/media/proxy/x/{encoded}", "/media/proxy/x/y", f"/media/proxy/{signature}/{encoded}!"):
        assert (await client.get(path)).status_code == 404, path
    assert pics.hits == []


@pytest.mark.parametrize("url", ["https://127.0.0.1/a.png", "https://localhost/a.png", "https://10.0.0.1/a.png",
                                 "https://169.254.169.254/latest/meta-data", "https://[::1]/a.png",
                                 "http://example.org/a.png"])
async def test_proxy__private_addresses_are_refused(proxy_app, settings, url):
    response = await proxy_app.test_client().get(proxied(proxy_app, url))
    assert response.status_code == 403
    assert not (settings.media_dir / "proxy").exists() or not os.listdir(settings.media_dir / "proxy")


@pytest.mark.parametrize("body, content_type", [
    (b"<html><script>alert(1)</script></html>", "text/html"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    (b'{"a": 1}', "application/json"),
    (b"<x/>", "application/xhtml+xml"),
    (b"\x00", "application/octet-stream"),
])
async def test_proxy__only_pictures_videos_and_sounds(proxy_app, pics, settings, body, content_type):
    url = pics.serve("/files/thing", body, content_type=content_type)
    response = await proxy_app.test_client().get(proxied(proxy_app, url))
    assert response.status_code == 415
    assert body not in await response.get_data()
    assert not (settings.media_dir / "proxy").exists() or not os.listdir(settings.media_dir / "proxy")


async def test_proxy__oversized_media_are_refused(proxy_app, pics, settings):
    url = pics.serve("/files/huge.png", b"\x89PNG" + b"\x00" * MAX_BYTES, content_type="image/png")
    response = await proxy_app.test_client().get(proxied(proxy_app, url))
    assert response.status_code == 502
    assert not (settings.media_dir / "proxy").exists() or not os.listdir(settings.media_dir / "proxy")


async def test_proxy__missing_remote_media_is_404(proxy_app, pics):
    response = await proxy_app.test_client().get(proxied(proxy_app, pics.url("/files/gone.png")))
    assert response.status_code == 404


def test_media_types__svg_html_and_xml_are_never_media():
    assert media_type_of("image/png; charset=binary") == "image/png"
    assert media_type_of("VIDEO/MP4") == "video/mp4" and media_type_of("audio/ogg") == "audio/ogg"
    for refused in ("image/svg+xml", "image/svg", "text/html", "application/xml", "image/x-foo+xml",
                    "text/plain", "", "image/", "image/png\r\nX-Evil: 1"):
        assert media_type_of(refused) is None, refused


def test_cache__bounded_in_size_oldest_first_and_in_age(tmp_path):
    cache = ProxyCache(tmp_path / "proxy", max_bytes=2500, max_age=3600)
    for n in range(3):
        cache.put(f"https://x.test/{n}.png", ProxiedMedia("image/png", bytes([n]) * 1000))
        stamp = time.time() - 100 + n  # each entry newer than the one before
        os.utime(cache._path(f"https://x.test/{n}.png"), (stamp, stamp))
        cache.prune()
    # The oldest went to keep the cache under its size; the others are there, typed
    assert cache.size() <= 2500
    assert cache.get("https://x.test/0.png") is None
    assert cache.get("https://x.test/2.png") == ProxiedMedia("image/png", b"\x02" * 1000)
    # An entry past its age is not served, and pruning deletes it
    old = time.time() - 7200
    os.utime(cache._path("https://x.test/2.png"), (old, old))
    assert cache.get("https://x.test/2.png") is None
    cache.prune()
    assert not cache._path("https://x.test/2.png").exists()
