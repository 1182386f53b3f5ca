"""WebFinger (RFC 7033) for our accounts, and parsing of handles and remote JRDs.

The JRD builder and the parsers are pure; fetching a remote JRD is the resolver's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from federation.errors import Rejected
from federation.vocab import ACTIVITY_JSON

JRD_JSON = "application/jrd+json"
PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"

# user@host[:port], with an optional leading @ or acct: (a handle may carry a port: tests,
# local trials and some small servers run on one).
HANDLE_RE = re.compile(r"^(?:acct:)?@?([A-Za-z0-9_.~+-]+)@([A-Za-z0-9.-]+(?::\d{1,5})?)$")


@dataclass(frozen=True)
class Handle:
    username: str
    host: str  # host[:port], lower-cased

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def acct(self) -> str:
        return f"acct:{self}"


def parse_handle(text: str) -> Handle:
    """Return the handle in `@user@host`, `user@host` or `acct:user@host`; raise Rejected."""
    match = HANDLE_RE.match(text.strip())
    if not match:
        raise Rejected(f"{text!r} is not a handle like @user@example.org")
    return Handle(match.group(1), match.group(2).lower())


def jrd_for(handle: Handle, actor_url: str, profile_url: str) -> dict:
    """Return the JRD describing one of our accounts, as Mastodon serves it."""
    return {
        "subject": handle.acct,
        "aliases": [profile_url, actor_url],
        "links": [
            {"rel": PROFILE_PAGE_REL, "type": "text/html", "href": profile_url},
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_url},
        ],
    }


def webfinger_url(handle: Handle, scheme: str = "https") -> str:
    """Return the URL to query for `handle`'s JRD on its own host."""
    return f"{scheme}://{handle.host}/.well-known/webfinger?resource={quote(handle.acct, safe=':@')}"


def subject_of(jrd: object) -> Handle | None:
    """Return the account a JRD says it describes, or None when it names none."""
    subject = jrd.get("subject") if isinstance(jrd, dict) else None
    if not isinstance(subject, str):
        return None
    try:
        return parse_handle(subject)
    except Rejected:
        return None


def self_link(jrd: object) -> str:
    """Return the ActivityPub actor URL in a JRD's `self` links; raise Rejected."""
    links = jrd.get("links") if isinstance(jrd, dict) else None
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        media = (link.get("type") or "").split(";")[0].strip()
        href = link.get("href")
        if media in ("application/activity+json", "application/ld+json") and isinstance(href, str):
            if urlsplit(href).scheme in ("http", "https"):
                return href
    raise Rejected("WebFinger answer has no ActivityPub actor link")


def actor_url_from_jrd(jrd: object, handle: Handle) -> str:
    """Return the actor URL a JRD gives for `handle`; raise Rejected unless its subject is
    `handle` (a server may not answer for another account; a JRD whose subject is another
    account is non-canonical, and the resolver asks that account's own host to confirm)."""
    subject = subject_of(jrd)
    if subject is None or (subject.username.lower(), subject.host) != (handle.username.lower(), handle.host):
        raise Rejected(f"WebFinger answer does not describe {handle}")
    return self_link(jrd)


def host_meta_xrd(base_url: str) -> str:
    """Return the host-meta XRD pointing at our WebFinger endpoint."""
    template = f"{base_url}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
