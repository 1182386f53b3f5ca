"""The audience rules as a truth table (requirement PRIV-RULES)."""

from __future__ import annotations

import pytest

from federation.audience import ANONYMOUS, Relation, Visibility, can_view, is_federated, is_listed

V = Visibility
AUTHOR = Relation(is_author=True)
LOCAL = Relation(is_local=True)
FOLLOWER = Relation(follows_author=True)
LOCAL_FOLLOWER = Relation(is_local=True, follows_author=True)
MENTIONED = Relation(is_mentioned=True)
BLOCKED = Relation(is_local=True, follows_author=True, is_mentioned=True, is_blocked=True)

TABLE = [
    # relation,       public unlisted followers direct local
    (ANONYMOUS,       (True, True, False, False, False)),
    (AUTHOR,          (True, True, True, True, True)),
    (LOCAL,           (True, True, False, False, True)),
    (FOLLOWER,        (True, True, True, False, False)),  # a follower on another server
    (LOCAL_FOLLOWER,  (True, True, True, False, True)),
    (MENTIONED,       (True, True, True, True, False)),
    (BLOCKED,         (False, False, False, False, False)),
]


@pytest.mark.parametrize("relation,row", TABLE)
def test_can_view__truth_table(relation, row):
    for visibility, expected in zip(Visibility, row):
        assert can_view(visibility, relation) is expected, (relation, visibility)


def test_only_public_posts_are_listed():
    assert [v for v in Visibility if is_listed(v)] == [V.PUBLIC]


def test_local_posts_never_leave_the_node():
    assert [v for v in Visibility if not is_federated(v)] == [V.LOCAL]


def test_parse__names_the_choices_on_a_bad_value():
    assert Visibility.parse(" Followers ") is V.FOLLOWERS
    with pytest.raises(ValueError, match="public, unlisted, followers, direct, local"):
        Visibility.parse("friends")


@pytest.mark.parametrize("parent,preferred,expected", [
    (V.PUBLIC, V.UNLISTED, V.UNLISTED), (V.PUBLIC, V.PUBLIC, V.PUBLIC),
    (V.UNLISTED, V.PUBLIC, V.UNLISTED), (V.FOLLOWERS, V.PUBLIC, V.FOLLOWERS),
    (V.FOLLOWERS, V.DIRECT, V.DIRECT), (V.DIRECT, V.PUBLIC, V.DIRECT),
    (V.LOCAL, V.PUBLIC, V.LOCAL), (V.LOCAL, V.FOLLOWERS, V.LOCAL), (V.PUBLIC, V.LOCAL, V.LOCAL),
    (V.FOLLOWERS, V.LOCAL, V.FOLLOWERS),
])
def test_reply_visibility__never_wider_than_the_parent(parent, preferred, expected):
    from federation.audience import reply_visibility

    assert reply_visibility(parent, preferred) is expected


def test_only_public_and_unlisted_posts_may_be_boosted():
    from federation.audience import is_boostable

    assert [v for v in Visibility if is_boostable(v)] == [V.PUBLIC, V.UNLISTED]


@pytest.mark.parametrize("boost,booster,original,author,expected", [
    (V.PUBLIC, ANONYMOUS, V.PUBLIC, ANONYMOUS, True),
    (V.PUBLIC, ANONYMOUS, V.UNLISTED, ANONYMOUS, True),
    (V.FOLLOWERS, ANONYMOUS, V.PUBLIC, ANONYMOUS, False),  # the boost itself is hidden
    (V.FOLLOWERS, FOLLOWER, V.PUBLIC, ANONYMOUS, True),
    (V.PUBLIC, ANONYMOUS, V.PUBLIC, BLOCKED, False),  # the boosted post's author blocks the viewer
    (V.PUBLIC, BLOCKED, V.PUBLIC, ANONYMOUS, False),  # the booster blocks the viewer
    # A post that may not be boosted is never shown through a boost, even to its audience.
    (V.FOLLOWERS, FOLLOWER, V.FOLLOWERS, FOLLOWER, False),
    (V.PUBLIC, AUTHOR, V.DIRECT, MENTIONED, False),
    (V.PUBLIC, LOCAL, V.LOCAL, LOCAL, False),
])
def test_can_view_boost__both_the_boost_and_the_boosted_post(boost, booster, original, author, expected):
    from federation.audience import can_view_boost

    assert can_view_boost(boost, booster, original, author) is expected


def test_announce_addressing__as_mastodon_addresses_a_public_reblog():
    from federation.audience import announce_addressing
    from federation.vocab import PUBLIC

    addressing = announce_addressing("https://kith.test/users/alice/followers", "https://remote.test/users/carol")
    assert addressing.to == (PUBLIC,)
    assert addressing.cc == ("https://remote.test/users/carol", "https://kith.test/users/alice/followers")
