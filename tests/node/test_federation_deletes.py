"""Deletes coming in: the author's Delete (GoToSocial's recorded ones included, id-less as
GoToSocial sends them) removes a remote post from every place it was shown; a Delete of
someone else's post is refused; an actor's own Delete takes all their posts."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from federation.models import InboxItem, InboxState
from federation.vocab import host_of
from node.models import Actor, Favourite, Follow, FollowState, Notification, NotificationKind, Post, Tag
from node.services.reactions import store_boost
from node.services.notifications import notify
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.rig.shared_fixtures import fixture_json
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
AS = "https://www.w3.org/ns/activitystreams"

DELETE_FIXTURES = [
    "gotosocial/documents/gts-delete-public.json",
    "gotosocial/documents/gts-delete-public-reply.json",
    "gotosocial/documents/gts-delete-direct-message.json",
    "gotosocial/docs-examples/posts-outgoing-Delete-L446.json",
    "gotosocial/docs-examples/posts-outgoing-Delete-L462.json",
]


async def all_settled() -> bool:
    return not await InboxItem.filter(state=InboxState.RECEIVED).exists()


async def known(live_node, fake) -> Actor:
    return await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, fake.id)


def create_of(fake, note_id: str, text: str, mention: str) -> dict:
    """A public Create of a Note with the given id, tagged #doomed, mentioning `mention`."""
    note = {"id": note_id, "type": "Note", "attributedTo": fake.id, "content": f"<p>{text} #doomed</p>",
            "published": "2024-01-01T00:00:00Z", "to": [f"{AS}#Public"], "cc": [fake.followers, mention],
            "tag": [{"type": "Hashtag", "name": "#doomed", "href": f"{fake.server.base_url}/tags/doomed"},
                    {"type": "Mention", "href": mention}]}
    fake.server.serve(note_id, {"@context": AS, **note})
    return {"@context": AS, "id": f"{note_id}/activity", "type": "Create", "actor": fake.id,
            "to": note["to"], "cc": note["cc"], "object": note}


async def surfaces(browser, alice, bob, fake, reply) -> dict[str, str]:
    """Every page and feed a remote post may be shown on, as its readers see them."""
    alices, anonymous = await browser(alice), await browser(None)
    pages = {
        "home": (alices, "/"),
        "profile": (anonymous, f"/@{fake.username}@{fake.server.host}"),
        "thread": (await browser(bob), f"/@bob/{reply.id}"),
        "tag page": (anonymous, "/tags/doomed"),
        "tag feed": (anonymous, "/tags/doomed.rss"),
    }
    return {name: await (await client.get(path)).get_data(as_text=True) for name, (client, path) in pages.items()}


@pytest.mark.parametrize("fixture", DELETE_FIXTURES, ids=lambda path: path.rsplit("/", 1)[1])
async def test_recorded_delete__removes_the_post_everywhere_it_was_shown(live_node, make_account, fediverse, uris,
                                                                         browser, fixture):
    # Given the post the recorded Delete names, by its author (on GoToSocial's host), which
    # alice follows; bob answered it, someone boosted and liked it, and alice was notified
    delete = fixture_json(fixture)
    alice, bob = await make_account("alice"), await make_account("bob")
    author = delete["actor"]
    fake = await fediverse.actor(f"{author.rsplit('/', 1)[1]}@{host_of(author)}")
    assert fake.id == author
    await Follow.create(follower_id=alice.actor_id, target_id=(await known(live_node, fake)).id,
                        state=FollowState.ACCEPTED)
    text = f"doomed-words-{fixture.rsplit('-', 1)[1].split('.')[0]}"
    await fake.deliver(create_of(fake, delete["object"], text, alice.actor.ap_id), live_node.url("/inbox"))
    post = await eventually(lambda: Post.get_or_none(ap_id=delete["object"]), what="the post stored")
    reply = await publish_post(uris, bob, Draft("bob-answers", Visibility.PUBLIC, in_reply_to=post.ap_id), 5000)
    booster = await known(live_node, await fediverse.actor("booster@other.test"))
    await store_boost(post, booster, f"{booster.ap_id}#announces/1", Visibility.PUBLIC, None)
    await Favourite.create(actor_id=booster.id, post_id=post.id)
    await notify(NotificationKind.MENTION, alice.actor_id, post.author_id, post.id)
    before = await surfaces(browser, alice, bob, fake, reply)
    assert all(text in body for body in before.values()), [name for name, body in before.items() if text not in body]
    # When the author's server sends the recorded Delete, signed by the author
    assert (await fake.deliver(delete, live_node.url("/inbox"))).status == 202
    await eventually(all_settled, what="the Delete processed")
    # Then the post is a tombstone, and nothing shows it any more
    tomb = await Post.get(id=post.id)
    assert tomb.deleted_at is not None and tomb.content_html == ""
    after = await surfaces(browser, alice, bob, fake, reply)
    assert not any(text in body for body in after.values()), [name for name, body in after.items() if text in body]
    assert "bob-answers" in after["thread"]
    for model in (Notification, Favourite, Tag):
        assert not await model.filter(post_id=post.id).exists(), model.__name__
    assert not await Post.filter(boost_of_id=post.id).exists()  # the boost went with it
    assert await InboxItem.filter(state=InboxState.ERRORED).count() == 0


async def test_delete_of_someone_elses_post__refused_even_from_the_same_server(live_node, make_account, fediverse):
    # Given carol's post, and dave on carol's own server, who really signs his Delete
    alice = await make_account("alice")
    carol, dave = await fediverse.actor("carol@remote.test"), await fediverse.actor("dave@remote.test")
    note = carol.create_note("carol keeps this", visibility="direct", mentions=[alice.actor.ap_id])
    await carol.deliver(note, live_node.url("/inbox"))
    post = await eventually(lambda: Post.get_or_none(ap_id=note["object"]["id"]))
    for object_ in (note["object"]["id"], {"id": note["object"]["id"], "type": "Tombstone"}):
        delete = {"@context": AS, "id": f"{dave.id}#delete-{len(str(object_))}", "type": "Delete",
                  "actor": dave.id, "object": object_}
        assert (await dave.deliver(delete, live_node.url("/inbox"))).status == 202
        item = await eventually(lambda: InboxItem.get_or_none(activity_id=delete["id"], state=InboxState.ERRORED),
                                what="the Delete refused")
        # Then it is refused, saying why, and the post stays
        assert "may not delete" in item.error
    assert (await Post.get(id=post.id)).deleted_at is None


async def test_actor_delete__removes_all_their_posts(live_node, make_account, fediverse, uris, browser):
    # Given two posts by carol, whom alice follows, and bob's answer to one of them
    alice, bob = await make_account("alice"), await make_account("bob")
    carol = await fediverse.actor("carol@remote.test")
    await Follow.create(follower_id=alice.actor_id, target_id=(await known(live_node, carol)).id,
                        state=FollowState.ACCEPTED)
    notes = [carol.create_note(f"carol-said-{n}", visibility="public") for n in range(2)]
    for note in notes:
        await carol.deliver(note, live_node.url("/inbox"))
    await eventually(lambda: _count(Post.filter(author__ap_id=carol.id), 2))
    first = await Post.get(ap_id=notes[0]["object"]["id"])
    reply = await publish_post(uris, bob, Draft("bob-to-carol", Visibility.PUBLIC, in_reply_to=first.ap_id), 5000)
    # When carol's account is deleted (her server then answers 410 for her)
    delete = {"@context": AS, "id": f"{carol.id}#delete", "type": "Delete", "actor": carol.id, "object": carol.id}
    assert (await carol.deliver(delete, live_node.url("/inbox"))).status == 202
    await eventually(lambda: not_exists(Actor.filter(ap_id=carol.id)), what="carol gone")
    fediverse["remote.test"].gone("carol")
    # Then her posts are gone from home and from bob's thread (not fetched back), his answer stays
    assert not await Post.filter(ap_id__in=[n["object"]["id"] for n in notes]).exists()
    home = await (await (await browser(alice)).get("/")).get_data(as_text=True)
    thread = await (await (await browser(bob)).get(f"/@bob/{reply.id}")).get_data(as_text=True)
    assert "carol-said" not in home and "carol-said" not in thread and "bob-to-carol" in thread
    assert (await Post.get(id=reply.id)).in_reply_to_id is None


async def _count(query, n: int) -> bool:
    return await query.count() == n


async def not_exists(query) -> bool:
    return not await query.exists()
