"""The standard test world for audience tests.

alice writes one post of each visibility, each mentioning dave.
bob follows alice (accepted); carol follows no one; dave follows no one but is mentioned;
eve followed alice, and alice blocks eve; frank asked to follow alice but is still pending.
bob also writes a followers-only post, to prove other authors' rules hold too, and boosts
alice's public and unlisted posts (boosts are posts); eve follows bob, so bob's boosts reach
her home, where alice's block must still hide alice's posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from federation.audience import Visibility
from node.models import Account, Block, Follow, FollowState, Post
from node.services.posting import Draft, publish_post
from node.services.reactions import boost

VIEWERS = ("anonymous", "alice", "bob", "carol", "dave", "eve", "frank")

# Who may see alice's post of each visibility, written out by hand from the rules
# (not computed by the code under test).
EXPECTED = {
    Visibility.PUBLIC: {"anonymous", "alice", "bob", "carol", "dave", "frank"},
    Visibility.UNLISTED: {"anonymous", "alice", "bob", "carol", "dave", "frank"},
    Visibility.FOLLOWERS: {"alice", "bob", "dave"},
    Visibility.DIRECT: {"alice", "dave"},
    Visibility.LOCAL: {"alice", "bob", "carol", "dave", "frank"},
}


@dataclass
class World:
    accounts: dict[str, Account]
    posts: dict[Visibility, Post]  # alice's
    texts: dict[Visibility, str]
    others: list[Post] = field(default_factory=list)
    boosts: dict[Visibility, Post] = field(default_factory=dict)  # bob's, of alice's posts

    def account(self, viewer: str) -> Account | None:
        return self.accounts.get(viewer)


async def build_world(make_account, uris) -> World:
    accounts = {name: await make_account(name) for name in VIEWERS if name != "anonymous"}
    alice = accounts["alice"]
    await Follow.create(follower_id=accounts["bob"].actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    await Follow.create(follower_id=accounts["eve"].actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    await Follow.create(follower_id=accounts["frank"].actor_id, target_id=alice.actor_id, state=FollowState.REQUESTED)
    await Block.create(blocker_id=alice.actor_id, target_id=accounts["eve"].actor_id)

    posts, texts = {}, {}
    for visibility in Visibility:
        texts[visibility] = f"secret-{visibility.value}-words"
        draft = Draft(text=f"{texts[visibility]} for @dave", visibility=visibility)
        posts[visibility] = await publish_post(uris, alice, draft, 5000)
    bob_post = await publish_post(uris, accounts["bob"], Draft("bob-followers-only", Visibility.FOLLOWERS), 5000)
    await Follow.create(follower_id=accounts["eve"].actor_id, target_id=accounts["bob"].actor_id,
                        state=FollowState.ACCEPTED)
    boosts = {v: await boost(uris, accounts["bob"], posts[v]) for v in (Visibility.PUBLIC, Visibility.UNLISTED)}
    return World(accounts=accounts, posts=posts, texts=texts, others=[bob_post], boosts=boosts)
