"""NodeInfo 2.1 (the discovery document and the node description). Pure."""

from __future__ import annotations

NODEINFO_21 = "http://nodeinfo.diaspora.software/ns/schema/2.1"
NODEINFO_21_CONTENT_TYPE = f'application/json; profile="{NODEINFO_21}#"'


def discovery(base_url: str) -> dict:
    """Return /.well-known/nodeinfo: where the 2.1 document lives."""
    return {"links": [{"rel": NODEINFO_21, "href": f"{base_url}/nodeinfo/2.1"}]}


def nodeinfo(
    *, version: str, open_registrations: bool, users: int, active_month: int,
    active_halfyear: int, local_posts: int, node_name: str = "Kith",
) -> dict:
    """Return the NodeInfo 2.1 document."""
    return {
        "version": "2.1",
        "software": {"name": "kith", "version": version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {"total": users, "activeMonth": active_month, "activeHalfyear": active_halfyear},
            "localPosts": local_posts,
        },
        "metadata": {"nodeName": node_name},
    }
