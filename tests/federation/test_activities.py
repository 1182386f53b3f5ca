"""Like, Announce and their Undo are built as Mastodon builds them (its LikeSerializer,
ActivityPresenter for reblogs, UndoLikeSerializer and UndoAnnounceSerializer)."""

from __future__ import annotations

from datetime import datetime, timezone

from federation import activities
from federation.vocab import PUBLIC

ALICE = "https://kith.test/users/alice"
NOTE = "https://remote.test/users/carol/statuses/1"


def test_like__names_the_post_and_has_no_addressing():
    like = activities.like(f"{ALICE}#likes/7", ALICE, NOTE)
    assert like == {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{ALICE}#likes/7",
                    "type": "Like", "actor": ALICE, "object": NOTE}


def test_announce__names_the_post_by_id_with_its_addressing():
    at = datetime(2026, 12, 1, 10, 0, 0, 500000, tzinfo=timezone.utc)
    announce = activities.announce(f"{ALICE}/statuses/9/activity", ALICE, NOTE, at, (PUBLIC,),
                                   ("https://remote.test/users/carol", f"{ALICE}/followers"))
    assert announce["type"] == "Announce" and announce["object"] == NOTE
    assert announce["published"] == "2026-12-01T10:00:00Z"
    assert announce["to"] == [PUBLIC] and announce["cc"] == ["https://remote.test/users/carol", f"{ALICE}/followers"]


def test_undo__embeds_the_undone_activity_without_its_context():
    like = activities.like(f"{ALICE}#likes/7", ALICE, NOTE)
    undo = activities.undo(f"{ALICE}#likes/7/undo", ALICE, like)
    assert undo["object"] == {k: v for k, v in like.items() if k != "@context"} and "to" not in undo
    undo_boost = activities.undo(f"{ALICE}#announces/9/undo", ALICE, like, to=(PUBLIC,))
    assert undo_boost["to"] == [PUBLIC]
