"""Addresses of remote media on this node: every remote image a page shows (attachments,
avatars, custom emoji, link preview images) is served through the node's media proxy, so a
reader's browser never contacts another server and the reader's address stays private.

An address carries the remote URL and an HMAC of it under the instance secret: the proxy
fetches only URLs this node put in its own pages, and is no open relay for anyone else's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from node.uris import Uris

_PURPOSE = b"kith media proxy\x00"


class ProxyUrls:
    """Signs remote media URLs into proxy paths and reads them back."""

    def __init__(self, uris: Uris, secret: bytes) -> None:
        self._uris = uris
        self._key = hashlib.sha256(_PURPOSE + secret).digest()  # never the CSRF key itself

    def url_for(self, url: str | None) -> str:
        """Return the address a page uses for `url`: our own media as they are, remote ones
        through the proxy, anything that is not http(s) as an empty string."""
        if not url:
            return ""
        if url.startswith(self._uris.base + "/") or (url.startswith("/") and not url.startswith("//")):
            return url
        if not url.startswith(("https://", "http://")):
            return ""  # javascript:, data: and the like never reach a page
        encoded = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
        return self._uris.media_proxy(self._signature(url), encoded)

    def remote_url(self, signature: str, encoded: str) -> str | None:
        """Return the remote URL a proxy path names, or None when it was not signed here."""
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        # The decoder skips characters outside the alphabet: take only the canonical form.
        if base64.urlsafe_b64encode(url.encode()).decode().rstrip("=") != encoded:
            return None
        if not hmac.compare_digest(signature, self._signature(url)):
            return None
        return url

    def _signature(self, url: str) -> str:
        digest = hmac.new(self._key, url.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()
