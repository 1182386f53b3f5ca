"""Discovery: WebFinger (acct, with a port, actor and profile URLs), host-meta, NodeInfo."""

from __future__ import annotations

import json

import pytest

from federation.audience import Visibility
from federation.webfinger import Handle, actor_url_from_jrd
from node.services.posting import Draft, publish_post


@pytest.mark.parametrize("resource", ["acct:alice@localhost:8000", "acct:ALICE@LOCALHOST:8000",
                                      "http://localhost:8000/users/alice", "http://localhost:8000/@alice"])
async def test_webfinger__describes_a_local_account(client, make_account, resource):
    await make_account("alice")
    response = await client.get("/.well-known/webfinger", query_string={"resource": resource})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/jrd+json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    jrd = json.loads(await response.get_data())
    assert jrd["subject"] == "acct:alice@localhost:8000"
    # The JRD is what a remote server's resolver (ours included) accepts for the handle.
    assert actor_url_from_jrd(jrd, Handle("alice", "localhost:8000")) == "http://localhost:8000/users/alice"
    assert {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
            "href": "http://localhost:8000/@alice"} in jrd["links"]


@pytest.mark.parametrize("resource,status", [
    ("acct:nobody@localhost:8000", 404), ("acct:alice@elsewhere.example", 404),
    ("https://elsewhere.example/users/alice", 404), ("", 400), ("not a handle", 400),
])
async def test_webfinger__unknown_or_malformed_resources(client, make_account, resource, status):
    await make_account("alice")
    response = await client.get("/.well-known/webfinger", query_string={"resource": resource})
    assert response.status_code == status


async def test_host_meta__points_at_webfinger(client):
    response = await client.get("/.well-known/host-meta")
    body = await response.get_data(as_text=True)
    assert response.status_code == 200 and "application/xrd+xml" in response.headers["Content-Type"]
    assert 'template="http://localhost:8000/.well-known/webfinger?resource={uri}"' in body


async def test_nodeinfo__names_the_software_and_counts(client, make_account, uris):
    alice = await make_account("alice")
    await make_account("bob")
    for visibility in (Visibility.PUBLIC, Visibility.DIRECT):
        await publish_post(uris, alice, Draft("counted", visibility), 5000)
    links = json.loads(await (await client.get("/.well-known/nodeinfo")).get_data())["links"]
    assert links == [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                      "href": "http://localhost:8000/nodeinfo/2.1"}]
    response = await client.get("/nodeinfo/2.1")
    document = json.loads(await response.get_data())
    assert "nodeinfo.diaspora.software/ns/schema/2.1" in response.headers["Content-Type"]
    assert document["software"]["name"] == "kith" and document["protocols"] == ["activitypub"]
    assert document["openRegistrations"] is False
    assert document["usage"] == {"users": {"total": 2, "activeMonth": 1, "activeHalfyear": 1}, "localPosts": 2}
