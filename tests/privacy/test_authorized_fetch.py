"""Requirement PRIV-FETCH: a post that is not public is served over ActivityPub only to a
signed fetch whose actor is in its audience; anyone else, another server included, gets
the 404 of a post that does not exist. Local-only posts are never served to anyone."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node.models import Block, Follow, FollowState
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor


pytestmark = pytest.mark.live


async def known(live_node, fake) -> int:
    """Make the node know a fake remote actor (as after any contact); return its row id."""
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    return (await remote_actor(resolver, fake.id)).id


EXPECTED = {
    # who gets 200 of: anonymous, a follower, a non-follower, a blocked follower (never)
    Visibility.PUBLIC: {"anonymous", "follower", "stranger"},
    Visibility.UNLISTED: {"anonymous", "follower", "stranger"},
    Visibility.FOLLOWERS: {"follower"},
    Visibility.DIRECT: set(),
    Visibility.LOCAL: set(),
}


async def test_signed_fetch__only_the_audience_gets_the_object(live_node, make_account, fediverse, uris):
    # Given carol follows alice, dave does not, and erin followed but is blocked
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    erin = await fediverse.actor("erin@other.test")
    for fake in (carol, erin):
        await Follow.create(follower_id=await known(live_node, fake), target_id=alice.actor_id,
                            state=FollowState.ACCEPTED)
    await known(live_node, dave)
    await Block.create(blocker_id=alice.actor_id, target_id=await known(live_node, erin))
    fetchers = {"follower": carol, "stranger": dave, "blocked": erin}
    for visibility in Visibility:
        post = await publish_post(uris, alice, Draft(f"fetch-{visibility.value}", visibility), 5000)
        for path in (post.ap_id, post.ap_id + "/activity"):
            # When each of them fetches it, signed (and someone unsigned)
            replies = {name: await fake.get(path) for name, fake in fetchers.items()}
            replies["anonymous"] = await carol.get(path, signed=False)
            # Then exactly the audience gets it
            for name, reply in replies.items():
                allowed = name in EXPECTED[visibility]
                assert (reply.status == 200) == allowed, (visibility, name, reply.status)
                assert (f"fetch-{visibility.value}" in str(reply.body)) == allowed, (visibility, name)
                if not allowed:
                    assert reply.status == 404, (visibility, name, reply.status)


async def test_signed_fetch__from_a_blocked_server_gets_nothing(live_node, make_account, fediverse, uris):
    from node.models import DomainBlock

    alice = await make_account("alice")
    mallory = await fediverse.actor("mallory@other.test")
    await DomainBlock.create(domain="other.test")
    live_node.app.config["KITH_RUNTIME"].blocked_hosts.forget()
    post = await publish_post(uris, alice, Draft("public words", Visibility.PUBLIC), 5000)
    reply = await mallory.get(post.ap_id)
    assert reply.status == 404 and "public words" not in str(reply.body)
