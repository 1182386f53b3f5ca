"""Remote media addresses go through the proxy, signed; only signed ones are read back."""

from __future__ import annotations

from node.proxy_urls import ProxyUrls
from node.uris import Uris

URIS = Uris("https://kith.example")


def test_proxy_urls__remote_urls_are_signed_and_read_back():
    proxy = ProxyUrls(URIS, b"secret")
    path = proxy.url_for("https://remote.example/media/cat.png?size=large")
    assert path.startswith("/media/proxy/") and "remote.example" not in path
    _, _, _, signature, encoded = path.split("/")
    assert proxy.remote_url(signature, encoded) == "https://remote.example/media/cat.png?size=large"


def test_proxy_urls__forged_or_foreign_signatures_are_refused():
    proxy, other = ProxyUrls(URIS, b"secret"), ProxyUrls(URIS, b"another secret")
    _, _, _, signature, encoded = other.url_for("https://remote.example/a.png").split("/")
    assert proxy.remote_url(signature, encoded) is None
    _, _, _, signature, _ = proxy.url_for("https://remote.example/a.png").split("/")
    _, _, _, _, encoded = proxy.url_for("https://evil.example/b.png").split("/")
    assert proxy.remote_url(signature, encoded) is None
    assert proxy.remote_url(signature, "%%%") is None


def test_proxy_urls__own_media_kept_and_other_schemes_dropped():
    proxy = ProxyUrls(URIS, b"secret")
    assert proxy.url_for("https://kith.example/media/abc.webp") == "https://kith.example/media/abc.webp"
    assert proxy.url_for("/media/abc.webp") == "/media/abc.webp"
    assert proxy.url_for("//evil.example/x.png") == ""
    assert proxy.url_for("javascript:alert(1)") == ""
    assert proxy.url_for("data:image/png;base64,AAAA") == ""
    assert proxy.url_for(None) == ""
