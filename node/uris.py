"""The only module that knows Kith's URL layout: pages, feeds and ActivityPub IRIs."""

from __future__ import annotations

import secrets
from urllib.parse import quote


class Uris:
    """URLs of this node, built from its public origin."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.host = self.base.split("://", 1)[1]  # host[:port]: the domain of our handles

    # ActivityPub IRIs
    def actor(self, username: str) -> str:
        return f"{self.base}/users/{username}"

    def status(self, username: str, post_id: int) -> str:
        return f"{self.actor(username)}/statuses/{post_id}"

    def inbox(self, username: str) -> str:
        return f"{self.actor(username)}/inbox"

    def outbox(self, username: str) -> str:
        return f"{self.actor(username)}/outbox"

    def followers(self, username: str) -> str:
        return f"{self.actor(username)}/followers"

    def following(self, username: str) -> str:
        return f"{self.actor(username)}/following"

    def key_id(self, username: str) -> str:
        return f"{self.actor(username)}#main-key"

    def featured(self, username: str) -> str:
        return f"{self.actor(username)}/collections/featured"

    def activity(self, username: str, post_id: int) -> str:
        return f"{self.status(username, post_id)}/activity"

    def instance_actor(self) -> str:
        return f"{self.base}/actor"

    def instance_key_id(self) -> str:
        return f"{self.instance_actor()}#main-key"

    def new_activity_id(self, username: str) -> str:
        """Return a fresh IRI for an activity of ours that has no object page (Follow, Undo…)."""
        return f"{self.actor(username)}#activities/{secrets.token_hex(12)}"

    def vote(self, username: str) -> str:
        """Return a fresh IRI for a poll vote of ours (a Note only its poll's author gets)."""
        return f"{self.actor(username)}#votes/{secrets.token_hex(12)}"

    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    # Pages and feeds
    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    def permalink(self, username: str, post_id: int) -> str:
        return f"{self.profile(username)}/{post_id}"

    def rss(self, username: str) -> str:
        return f"{self.profile(username)}.rss"

    def atom(self, username: str) -> str:
        return f"{self.profile(username)}.atom"

    def tag(self, name: str) -> str:
        return f"{self.base}/tags/{quote(name)}"

    def media_file(self, name: str) -> str:
        """Return the URL of one of our media files (uploads and their thumbnails)."""
        return f"{self.base}/media/{name}"

    def media_proxy(self, signature: str, encoded_url: str) -> str:
        """Return the path (same origin, no host) at which the media proxy serves a remote URL."""
        return f"/media/proxy/{signature}/{encoded_url}"

    def web_url(self, iri: str) -> str:
        """Return the page for an ActivityPub IRI: our permalink for our statuses, else the IRI."""
        local = self.local_post_id(iri)
        return self.permalink(*local) if local else iri

    def local_post_id(self, url: str) -> tuple[str, int] | None:
        """Return (username, post id) when `url` is one of our permalinks or status IRIs."""
        for prefix, middle in ((f"{self.base}/@", "/"), (f"{self.base}/users/", "/statuses/")):
            if not url.startswith(prefix):
                continue
            username, sep, rest = url[len(prefix) :].partition(middle)
            if sep and rest.isdigit() and username:
                return username, int(rest)
        return None
