"""Edits both ways over real HTTP: our Updates reach who should have the new text and no one
else; the owner's Updates replace our copy and keep its history; anyone else's are refused,
real signatures and all (an actor of the same server included)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from federation.audience import Visibility
from federation.models import Delivery, DeliveryState, InboxItem, InboxState
from node.models import Follow, FollowState, Mention, Post, PostEdit, Tag
from node.services.editing import Edit, edit_post
from node.services.posting import Draft, delete_post, mentions_in, publish_post
from node.services.remote import remote_actor
from tests.conftest import form_token
from tests.rig.shared_fixtures import fixture_json
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
AS = "https://www.w3.org/ns/activitystreams"


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def update_of(create: dict, n: int = 1, **changes) -> dict:
    """An Update of the Note in `create`, changed as given, as Mastodon sends edits."""
    note = {**copy.deepcopy(create["object"]), **changes}
    note.setdefault("updated", stamp(datetime.now(timezone.utc) + timedelta(seconds=n)))
    return {"@context": AS, "id": f"{note['id']}#updates/{n}", "type": "Update", "actor": note["attributedTo"],
            "published": note["updated"], "to": note["to"], "cc": note["cc"], "object": note}


async def settled(activity_id: str) -> InboxItem | None:
    item = await InboxItem.get_or_none(activity_id=activity_id)
    return item if item and item.state != InboxState.RECEIVED else None


async def deliver_and_settle(live_node, fake, activity: dict) -> InboxItem:
    assert (await fake.deliver(activity, live_node.url("/inbox"))).status == 202
    return await eventually(lambda: settled(activity["id"]), what=f"{activity['type']} processed")


async def deliveries_done() -> bool:
    return not await Delivery.filter(state=DeliveryState.PENDING).exists()


def of_type(server, kind: str) -> list[dict]:
    return [r.activity for r in server.accepted if r.activity.get("type") == kind]


async def follow_alice(live_node, fake, alice) -> dict:
    follow = fake.follow(alice.actor.ap_id)
    await fake.deliver(follow, live_node.url("/users/alice/inbox"))
    await eventually(lambda: fake.activities("Accept"), what="the Accept")
    return follow


async def leave(live_node, fake, follow, alice) -> None:
    await fake.deliver(fake.undo(follow), live_node.url("/users/alice/inbox"))
    await eventually(lambda: not_following(fake, alice), what="the Undo")


async def not_following(fake, alice) -> bool:
    return not await Follow.exists(follower__ap_id=fake.id, target_id=alice.actor_id)


# --- edits out ------------------------------------------------------------------------------

async def test_edit_of_a_public_post__reaches_followers_the_ledger_and_the_newly_mentioned(
        live_node, make_account, fediverse, uris):
    # Given carol (remote.test) follows alice; erin (third.test) did, and left after the post
    alice = await make_account("alice")
    carol, erin = await fediverse.actor("carol@remote.test"), await fediverse.actor("erin@third.test")
    dave = await fediverse.actor("dave@other.test")
    await follow_alice(live_node, carol, alice)
    erins = await follow_alice(live_node, erin, alice)
    post = await publish_post(uris, alice, Draft("public typo", Visibility.PUBLIC), 5000)
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    await eventually(lambda: of_type(fediverse["third.test"], "Create"), what="erin's copy")
    await eventually(lambda: of_type(fediverse["remote.test"], "Create"), what="carol's copy")
    await leave(live_node, erin, erins, alice)
    # When alice edits it through the web page, mentioning dave of other.test
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    mentions = await mentions_in(uris, "public fix @dave@other.test", resolver)
    assert await edit_post(uris, alice, post, Edit("public fix @dave@other.test"), 5000, mentions)
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    await eventually(deliveries_done, what="the Updates sent")
    # Then every server gets one verified Update carrying `updated` and the new text
    for host in ("remote.test", "third.test", "other.test"):
        [update] = of_type(fediverse[host], "Update")
        note = update["object"]
        assert note["id"] == post.ap_id and "public fix" in note["content"] and note["updated"], host
        assert update["actor"] == alice.actor.ap_id and note["to"] == [f"{AS}#Public"]
    assert {"type": "Mention", "href": dave.id, "name": "@dave@other.test"} in \
        of_type(fediverse["other.test"], "Update")[0]["object"]["tag"]
    assert all(r.verified for host in ("remote.test", "third.test", "other.test") for r in fediverse[host].received)


async def test_followers_only_post__new_text_only_to_followers_now_but_delete_to_all(
        live_node, make_account, fediverse, uris):
    # Given carol and erin follow alice and get her followers-only post; then erin leaves
    alice = await make_account("alice")
    carol, erin = await fediverse.actor("carol@remote.test"), await fediverse.actor("erin@third.test")
    await follow_alice(live_node, carol, alice)
    erins = await follow_alice(live_node, erin, alice)
    post = await publish_post(uris, alice, Draft("for followers, v1", Visibility.FOLLOWERS), 5000)
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    await eventually(lambda: of_type(fediverse["third.test"], "Create"), what="erin's copy")
    await leave(live_node, erin, erins, alice)
    # When alice edits it
    await edit_post(uris, alice, post, Edit("for followers, v2: not for erin"), 5000)
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    await eventually(lambda: of_type(fediverse["remote.test"], "Update"), what="carol's Update")
    await eventually(deliveries_done)
    # Then carol has the new text, and erin's server, no longer in the audience, does not
    assert "v2" in of_type(fediverse["remote.test"], "Update")[0]["object"]["content"]
    assert of_type(fediverse["third.test"], "Update") == []
    assert "not for erin" not in str([r.body for r in fediverse["third.test"].received])
    # And when alice deletes it, the Delete still reaches erin's server (it has a copy)
    await delete_post(alice, await Post.get(id=post.id))
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    [delete] = await eventually(lambda: of_type(fediverse["third.test"], "Delete"), what="erin's Delete")
    assert delete["object"] == {"id": post.ap_id, "type": "Tombstone"}
    await eventually(lambda: of_type(fediverse["remote.test"], "Delete"), what="carol's Delete")


async def test_edit_from_the_web_page__delivered_and_the_permalink_says_edited(
        live_node, make_account, fediverse, uris, browser):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follow_alice(live_node, carol, alice)
    post = await publish_post(uris, alice, Draft("from the page, v1", Visibility.UNLISTED), 5000)
    client = await browser(alice)
    path = f"/@alice/{post.id}/edit"
    response = await client.post(path, form={"csrf_token": await form_token(client, path),
                                             "text": "from the page, v2", "content_warning": "now with a warning"})
    assert response.status_code == 302
    [update] = await eventually(lambda: of_type(fediverse["remote.test"], "Update"), what="the Update")
    assert update["object"]["summary"] == "now with a warning" and update["object"]["sensitive"] is True
    page = await (await client.get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert f'href="{post.url}/history"' in page


# --- edits in -------------------------------------------------------------------------------

async def carol_followed_by_alice(live_node, fediverse, make_account):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    actor = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, carol.id)
    await Follow.create(follower_id=alice.actor_id, target_id=actor.id, state=FollowState.ACCEPTED)
    return alice, carol


async def test_update_from_the_owner__replaces_our_copy_and_keeps_the_history(live_node, make_account, fediverse,
                                                                             browser):
    # Given carol's public post mentioning alice, tagged #before
    alice, carol = await carol_followed_by_alice(live_node, fediverse, make_account)
    create = carol.create_note("version one #before", visibility="public", mentions=[alice.actor.ap_id])
    create["object"]["tag"].append({"type": "Hashtag", "name": "#before", "href": "http://remote.test/tags/before"})
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    # When carol edits it: new text, a warning, another tag, no mention of alice
    update = update_of(create, content="<p>version two #after</p>", summary="new warning", sensitive=True,
                       tag=[{"type": "Hashtag", "name": "#after", "href": "http://remote.test/tags/after"}],
                       cc=[carol.followers])
    item = await deliver_and_settle(live_node, carol, update)
    # Then our copy is the new version, and the old one is its history
    assert item.state == InboxState.PROCESSED, item.error
    now = await Post.get(id=post.id)
    assert "version two" in now.content_html and now.content_warning == "new warning" and now.sensitive
    assert now.edited_at is not None and now.visibility is Visibility.PUBLIC
    assert [t.name for t in await Tag.filter(post_id=post.id)] == ["after"]
    assert not await Mention.filter(post_id=post.id).exists()
    [old] = await PostEdit.filter(post_id=post.id)
    assert "version one" in old.content_html and old.content_warning == "" and old.current_until == now.edited_at
    # And the history page of the remote post shows both, linked from alice's home
    client = await browser(alice)
    history = f"/@carol@remote.test/{post.id}/history"
    assert f'href="{history}"' in await (await client.get("/")).get_data(as_text=True)
    body = await (await client.get(history)).get_data(as_text=True)
    assert body.index("version two") < body.index("version one")


async def test_update_without_a_change__repeated_or_older__makes_no_version(live_node, make_account, fediverse):
    alice, carol = await carol_followed_by_alice(live_node, fediverse, make_account)
    create = carol.create_note("steady text", visibility="public")
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    # an Update with the same text and warning (as a poll's new tallies would come)
    await deliver_and_settle(live_node, carol, update_of(create, 1))
    assert await PostEdit.all().count() == 0 and (await Post.get(id=post.id)).edited_at is None
    # a real edit, then the same Update again under another id, then an older one
    newer = update_of(create, 20, content="<p>edited text</p>")
    await deliver_and_settle(live_node, carol, newer)
    await deliver_and_settle(live_node, carol, {**newer, "id": newer["id"] + "-again"})
    older = update_of(create, 10, content="<p>stale text</p>")
    await deliver_and_settle(live_node, carol, older)
    # Then one version, and the newest text stands
    assert await PostEdit.filter(post_id=post.id).count() == 1
    assert "edited text" in (await Post.get(id=post.id)).content_html


async def test_update_from_anyone_but_the_owner__is_refused(live_node, make_account, fediverse):
    # Given carol's post, and dave on the same server and mallory on another, both really signing
    alice, carol = await carol_followed_by_alice(live_node, fediverse, make_account)
    dave = await fediverse.actor("dave@remote.test")
    mallory = await fediverse.actor("mallory@other.test")
    create = carol.create_note("carol's own words", visibility="public")
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    hijack = update_of(create, content="<p>hijacked</p>")
    attempts = [
        # dave sends carol's Note as it is (attributed to carol)
        {**hijack, "id": f"{dave.id}#u1", "actor": dave.id},
        # dave claims carol's Note is his (same server, so only the stored author tells)
        {**hijack, "id": f"{dave.id}#u2", "actor": dave.id, "object": {**hijack["object"], "attributedTo": dave.id}},
        # mallory, on another server
        {**hijack, "id": f"{mallory.id}#u4", "actor": mallory.id,
         "object": {**hijack["object"], "attributedTo": mallory.id}},
    ]
    for attempt in attempts:
        fake = dave if attempt["actor"] == dave.id else mallory
        item = await deliver_and_settle(live_node, fake, attempt)
        # Then each is refused with a reason, and nothing changes
        assert item.state == InboxState.ERRORED and item.error, attempt["id"]
    # dave naming carol's Note by its id only is not applied either (no handler takes an
    # Update without its object; what the object's origin serves is carol's anyway)
    by_reference = {**hijack, "id": f"{dave.id}#u3", "actor": dave.id, "object": create["object"]["id"]}
    await deliver_and_settle(live_node, dave, by_reference)
    stored = await Post.get(id=post.id)
    assert "carol's own words" in stored.content_html and stored.edited_at is None
    assert await PostEdit.all().count() == 0


GTS_NOTE = "gotosocial/documents/gts-note-with-tags-and-emoji.json"
PASTURE_WARNINGS = "pasture/inputs/content_warnings.json"


async def test_gotosocial_note__created_then_updated_with_updated(live_node, make_account, fediverse):
    # Given GoToSocial's admin (localhost:8080, as in its test documents), followed by alice
    note = fixture_json(GTS_NOTE)
    alice = await make_account("alice")
    admin = await fediverse.actor("admin@localhost:8080")
    actor = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, admin.id)
    await Follow.create(follower_id=alice.actor_id, target_id=actor.id, state=FollowState.ACCEPTED)
    create = {"@context": AS, "id": note["id"] + "/activity", "type": "Create", "actor": admin.id,
              "to": note["to"], "cc": note["cc"], "object": note}
    await deliver_and_settle(live_node, admin, create)
    post = await Post.get(ap_id=note["id"])
    assert "hello world!" in post.content_html and [t.name for t in await Tag.filter(post_id=post.id)] == ["welcome"]
    # When GoToSocial sends its edit (an Update carrying `updated`, content and contentMap)
    edited = "<p>hello again, world! edited</p>"
    update = update_of(create, content=edited, contentMap={"en": edited}, tag=[], updated="2021-10-20T12:00:00Z")
    item = await deliver_and_settle(live_node, admin, update)
    # Then the copy is edited at GoToSocial's time and the first version kept
    assert item.state == InboxState.PROCESSED, item.error
    now = await Post.get(id=post.id)
    assert "edited" in now.content_html and stamp(now.edited_at) == "2021-10-20T12:00:00Z"
    [old] = await PostEdit.filter(post_id=post.id)
    assert "hello world!" in old.content_html and stamp(old.current_from) == "2021-10-20T11:36:45Z"
    assert not await Tag.filter(post_id=post.id).exists()


async def test_pasture_content_warnings__an_edit_to_each_warning_shape(live_node, make_account, fediverse):
    # fediverse-pasture's content-warning shapes, each sent as an edit of a plain post
    alice, carol = await carol_followed_by_alice(live_node, fediverse, make_account)
    examples = fixture_json(PASTURE_WARNINGS)["examples"]
    for n, example in enumerate(examples):
        create = carol.create_note(f"plain post {n}", visibility="public")
        await deliver_and_settle(live_node, carol, create)
        changes = {k: v for k, v in example["fragment"].items() if v is not None}
        item = await deliver_and_settle(live_node, carol, update_of(create, n + 1, **changes))
        assert item.state == InboxState.PROCESSED, (n, item.error)
        post = await Post.get(ap_id=create["object"]["id"])
        summary = changes.get("summary") or ""
        assert post.content_warning == summary and post.sensitive == bool(changes.get("sensitive") or summary), n
        assert changes["content"] in post.content_html and await PostEdit.filter(post_id=post.id).count() == 1, n


async def test_history_and_edit_pages__a_signed_fetch_from_another_server_gets_404(live_node, make_account,
                                                                                   fediverse, uris):
    # Given carol@remote.test follows alice, whose followers-only post was edited
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follow_alice(live_node, carol, alice)
    post = await publish_post(uris, alice, Draft("followers-v1", Visibility.FOLLOWERS), 5000)
    await edit_post(uris, alice, post, Edit("followers-v2"), 5000)
    # When carol's server asks for the pages, signed (pages are for people signed in here)
    for path in (f"/@alice/{post.id}/history", f"/@alice/{post.id}/edit"):
        reply = await carol.get(live_node.url(path), accept="text/html")
        # Then it gets the 404 of a missing post (or the sign-in page), never the text
        assert reply.status in (302, 404) and b"followers-v" not in reply.body, path
    assert (await carol.get(live_node.url(f"/@alice/{post.id}/history"), accept="text/html")).status == 404
