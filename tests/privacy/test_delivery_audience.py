"""Requirement PRIV-DELIVER: a post goes to exactly its audience's inboxes, no others."""

from __future__ import annotations

import pytest

from federation.audience import Recipient, Visibility, addressing_for, inboxes_for
from federation.vocab import PUBLIC

FOLLOWERS = "https://kith.example/users/alice/followers"
V = Visibility


def recipient(name: str, host: str, *, shared: bool = True, **facts) -> Recipient:
    return Recipient(
        ap_id=f"https://{host}/users/{name}",
        inbox=f"https://{host}/users/{name}/inbox",
        shared_inbox=f"https://{host}/inbox" if shared else None,
        host=host,
        **facts,
    )


# carol and dave follow alice on one server; erin follows on another without a shared inbox;
# frank is mentioned on a server where nobody follows alice; mallory follows but is blocked.
CAROL = recipient("carol", "remote.test", follows_author=True)
DAVE = recipient("dave", "remote.test", follows_author=True, mentioned=True)
ERIN = recipient("erin", "solo.test", shared=False, follows_author=True)
FRANK = recipient("frank", "other.test", mentioned=True)
MALLORY = recipient("mallory", "blocked.test", follows_author=True, mentioned=True, blocked=True)
EVERYONE = [CAROL, DAVE, ERIN, FRANK, MALLORY]


@pytest.mark.parametrize("visibility,expected", [
    (V.PUBLIC, {"https://remote.test/inbox", "https://solo.test/users/erin/inbox", "https://other.test/inbox"}),
    (V.UNLISTED, {"https://remote.test/inbox", "https://solo.test/users/erin/inbox", "https://other.test/inbox"}),
    # never to a server without an accepted follower: other.test gets nothing
    (V.FOLLOWERS, {"https://remote.test/inbox", "https://solo.test/users/erin/inbox"}),
    # the mentioned only, at their own inboxes, never a shared one
    (V.DIRECT, {"https://remote.test/users/dave/inbox", "https://other.test/users/frank/inbox"}),
    (V.LOCAL, set()),
])
def test_inboxes_for__exact_sets(visibility, expected):
    assert inboxes_for(visibility, EVERYONE) == expected


def test_inboxes_for__blocked_actor_never_receives_even_when_mentioned():
    for visibility in Visibility:
        assert not any("blocked.test" in inbox for inbox in inboxes_for(visibility, EVERYONE))


@pytest.mark.parametrize("visibility,to,cc", [
    (V.PUBLIC, (PUBLIC,), (FOLLOWERS, "m1", "m2")),
    (V.UNLISTED, (FOLLOWERS,), (PUBLIC, "m1", "m2")),
    (V.FOLLOWERS, (FOLLOWERS,), ("m1", "m2")),
    (V.DIRECT, ("m1", "m2"), ()),
])
def test_addressing_for__as_mastodon_does(visibility, to, cc):
    addressing = addressing_for(visibility, FOLLOWERS, ["m1", "m2", "m1"])
    assert (addressing.to, addressing.cc) == (to, cc)


def test_addressing_for__local_posts_are_never_addressed():
    with pytest.raises(ValueError):
        addressing_for(V.LOCAL, FOLLOWERS, [])
