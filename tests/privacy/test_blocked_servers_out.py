"""Requirement PRIV-DELIVER-DOMAIN: a server this node blocks receives nothing from it: no
post, edit or delete, no like, boost or vote, no answer to a follow. Every activity of ours
is queued through node.services.outbox.queue, which leaves such servers out."""

from __future__ import annotations

from datetime import datetime, timezone

from federation.audience import Visibility
from federation.models import Delivery
from node.ids import new_id
from node.models import Actor, DomainBlock, Follow, FollowState, Post
from node.services.editing import Edit, edit_post
from node.services.posting import Draft, delete_post, publish_post
from node.services.reactions import boost, like


async def remote(name: str, host: str) -> Actor:
    return await Actor.create(ap_id=f"https://{host}/users/{name}", username=name, domain=host, local=False,
                              inbox=f"https://{host}/users/{name}/inbox", shared_inbox=f"https://{host}/inbox")


async def hosts_queued() -> set[str]:
    return set(await Delivery.all().values_list("host", flat=True))


async def test_blocked_server__gets_no_post_edit_delete_like_or_boost(make_account, uris):
    # Given alice has a follower on a good server and one on a server this node blocks
    alice = await make_account("alice")
    for name, host in (("carol", "good.test"), ("mallory", "blocked.test")):
        follower = await remote(name, host)
        await Follow.create(follower_id=follower.id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    await DomainBlock.create(domain="blocked.test")
    # When she posts, edits, deletes, and likes and boosts a post from the blocked server
    post = await publish_post(uris, alice, Draft("hello @mallory@blocked.test", Visibility.PUBLIC), 5000)
    await edit_post(uris, alice, post, Edit("hello again"), 5000)
    await delete_post(alice, post)
    mallory = await Actor.get(username="mallory")
    theirs = await Post.create(id=new_id(), ap_id=f"{mallory.ap_id}/statuses/1", author_id=mallory.id, local=False,
                               visibility=Visibility.PUBLIC, content_html="<p>theirs</p>",
                               created_at=datetime.now(timezone.utc))
    await like(alice, theirs)
    await boost(uris, alice, theirs)
    # Then the good server got every one of them, the blocked server none
    assert await hosts_queued() == {"good.test"}
