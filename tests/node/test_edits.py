"""Editing one's posts from the web page and the service: a new version, the old one kept in
the history, mentions and hashtags rendered again, the Update queued, the audience unchanged."""

from __future__ import annotations

import json

import pytest

from federation.audience import Visibility
from federation.models import Delivery
from node.models import Actor, Follow, FollowState, Mention, Notification, NotificationKind, Post, PostEdit, Tag
from node.services.editing import Edit, EditConflict, edit_post, versions_of
from node.services.posting import Draft, PostError, delete_post, publish_post
from tests.conftest import form_token

AP = {"Accept": "application/activity+json"}


async def remote_follower(name: str, host: str, target) -> Actor:
    """A remote actor (as if fetched before) who follows `target`."""
    actor = await Actor.create(
        ap_id=f"https://{host}/users/{name}", username=name, domain=host, local=False,
        inbox=f"https://{host}/users/{name}/inbox", shared_inbox=f"https://{host}/inbox",
        url=f"https://{host}/@{name}", followers_url=f"https://{host}/users/{name}/followers")
    await Follow.create(follower_id=actor.id, target_id=target.actor_id, state=FollowState.ACCEPTED)
    return actor


async def edit(client, post, **fields):
    token = await form_token(client, f"/@alice/{post.id}/edit")
    return await client.post(f"/@alice/{post.id}/edit", form={"csrf_token": token, **fields})


async def test_edit_post__keeps_the_old_version_and_renders_the_new(make_account, uris):
    # Given alice's public post mentioning bob, tagged #first
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    post = await publish_post(uris, alice, Draft("hello @bob #first", Visibility.PUBLIC), 5000)
    created = post.created_at
    # When she edits it to mention carol, tag #second and add a warning
    assert await edit_post(uris, alice, post, Edit("hello @carol #second", "spoilers"), 5000)
    # Then the post is the new version, edited now, with the new mentions and tags
    stored = await Post.get(id=post.id)
    assert "@<span>carol</span>" in stored.content_html and "bob" not in stored.content_html
    assert stored.source == "hello @carol #second" and stored.content_warning == "spoilers" and stored.sensitive
    assert stored.edited_at is not None and stored.edited_at >= created
    assert stored.visibility is Visibility.PUBLIC
    assert [m.actor_id for m in await Mention.filter(post_id=post.id)] == [carol.actor_id]
    assert [t.name for t in await Tag.filter(post_id=post.id)] == ["second"]
    # And the old version is in its history, with when it was current
    [old] = await versions_of(stored)
    assert old.source == "hello @bob #first" and "@<span>bob</span>" in old.content_html
    assert old.content_warning == "" and not old.sensitive
    assert old.current_from == created and old.current_until == stored.edited_at
    assert bob.actor_id not in [m.actor_id for m in await Mention.all()]


async def test_edit_post__every_earlier_version_is_kept_newest_first(make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("one", Visibility.UNLISTED), 5000)
    for text in ("two", "three", "four"):
        assert await edit_post(uris, alice, post, Edit(text), 5000)
    versions = await versions_of(post)
    assert [v.source for v in versions] == ["three", "two", "one"]
    # each version was current from where the one before it ended
    assert versions[0].current_from == versions[1].current_until
    assert versions[1].current_from == versions[2].current_until


async def test_edit_post__nothing_changed_makes_no_version_and_sends_nothing(make_account, uris):
    alice = await make_account("alice")
    await remote_follower("carol", "remote.test", alice)
    post = await publish_post(uris, alice, Draft("same", Visibility.PUBLIC, content_warning="cw"), 5000)
    queued = await Delivery.all().count()
    assert not await edit_post(uris, alice, post, Edit("  same ", "cw"), 5000)
    assert await PostEdit.all().count() == 0 and (await Post.get(id=post.id)).edited_at is None
    assert await Delivery.all().count() == queued


@pytest.mark.parametrize("text,warning,message", [
    ("   ", "", "needs some text"),
    ("x" * 11, "", "at most 10 characters"),
    ("fine", "w" * 501, "content warning may have at most 500"),
])
async def test_edit_post__bad_edits_are_refused_and_change_nothing(make_account, uris, text, warning, message):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("short", Visibility.PUBLIC), 10)
    with pytest.raises(PostError, match=message):
        await edit_post(uris, alice, post, Edit(text, warning), 10)
    assert (await Post.get(id=post.id)).source == "short" and await PostEdit.all().count() == 0


async def test_edit_post__only_the_author_edits_and_never_a_deleted_post(make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await publish_post(uris, alice, Draft("mine", Visibility.PUBLIC), 5000)
    with pytest.raises(PostError, match="only edit your own"):
        await edit_post(uris, bob, post, Edit("yours now"), 5000)
    await delete_post(alice, post)
    with pytest.raises(PostError, match="only edit your own"):
        await edit_post(uris, alice, await Post.get(id=post.id), Edit("back"), 5000)


async def test_edit_post__a_stale_copy_loses_to_the_edit_saved_first(make_account, uris):
    # Given two copies of one post, as two browser tabs would load it
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("first", Visibility.PUBLIC), 5000)
    tab_one, tab_two = await Post.get(id=post.id), await Post.get(id=post.id)
    # When both save an edit
    assert await edit_post(uris, alice, tab_one, Edit("from tab one"), 5000)
    with pytest.raises(EditConflict):
        await edit_post(uris, alice, tab_two, Edit("from tab two"), 5000)
    # Then the first edit stands, and the history holds exactly the original
    assert (await Post.get(id=post.id)).source == "from tab one"
    assert [v.source for v in await PostEdit.all()] == ["first"]


async def test_edit_post__queues_an_update_with_updated_to_the_audience(make_account, uris):
    alice = await make_account("alice")
    await remote_follower("carol", "remote.test", alice)
    post = await publish_post(uris, alice, Draft("typo", Visibility.PUBLIC), 5000)
    await edit_post(uris, alice, post, Edit("fixed"), 5000)
    [update] = await Delivery.filter(activity_id__contains="#updates/")
    activity = json.loads(update.body)
    assert update.inbox == "https://remote.test/inbox" and update.object_id == post.ap_id
    assert activity["type"] == "Update" and activity["actor"] == alice.actor.ap_id
    assert activity["object"]["id"] == post.ap_id and "fixed" in activity["object"]["content"]
    assert activity["object"]["updated"].endswith("Z") and activity["object"]["updated"] == activity["published"]
    assert activity["object"]["updated"] >= activity["object"]["published"]


async def test_local_only_post__edit_sends_nothing(make_account, uris):
    alice = await make_account("alice")
    await remote_follower("carol", "remote.test", alice)
    post = await publish_post(uris, alice, Draft("here only", Visibility.LOCAL), 5000)
    assert await edit_post(uris, alice, post, Edit("still here only"), 5000)
    assert await Delivery.all().count() == 0


async def test_note__carries_updated_once_edited(client, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("v1", Visibility.PUBLIC), 5000)
    before = json.loads(await (await client.get(f"/users/alice/statuses/{post.id}", headers=AP)).get_data())
    assert "updated" not in before
    await edit_post(uris, alice, post, Edit("v2"), 5000)
    after = json.loads(await (await client.get(f"/users/alice/statuses/{post.id}", headers=AP)).get_data())
    assert after["updated"] >= after["published"]
    assert "v2" in after["content"] and after["to"] == before["to"] and after["cc"] == before["cc"]


async def test_edit_page__shows_the_source_and_saves_the_edit(browser, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("see #old & <things>", Visibility.FOLLOWERS, "cw here"), 5000)
    client = await browser(alice)
    page = await (await client.get(f"/@alice/{post.id}/edit")).get_data(as_text=True)
    assert "see #old &amp; &lt;things&gt;</textarea>" in page and 'value="cw here"' in page
    assert "followers only" in page.lower() and 'name="visibility"' not in page  # the audience stays
    response = await edit(client, post, text="see #new", content_warning="")
    assert response.status_code == 302 and response.headers["Location"] == f"/@alice/{post.id}"
    stored = await Post.get(id=post.id)
    assert stored.source == "see #new" and stored.content_warning == "" and stored.visibility is Visibility.FOLLOWERS


async def test_edit_page__a_bad_edit_keeps_what_was_typed(browser, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("before", Visibility.PUBLIC), 5000)
    client = await browser(alice)
    response = await edit(client, post, text="   ", content_warning="kept warning")
    page = await response.get_data(as_text=True)
    assert response.status_code == 400 and "needs some text" in page and 'value="kept warning"' in page
    assert (await Post.get(id=post.id)).source == "before"


async def test_edit_page__is_the_authors_alone(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await publish_post(uris, alice, Draft("alice's words", Visibility.PUBLIC), 5000)
    anonymous = await browser(None)
    response = await anonymous.get(f"/@alice/{post.id}/edit")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    bobs = await browser(bob)
    assert (await bobs.get(f"/@alice/{post.id}/edit")).status_code == 404
    token = await form_token(bobs)
    response = await bobs.post(f"/@alice/{post.id}/edit", form={"csrf_token": token, "text": "bob's words"})
    assert response.status_code == 404 and (await Post.get(id=post.id)).source == "alice's words"
    # and without a CSRF token not even alice saves
    response = await (await browser(alice)).post(f"/@alice/{post.id}/edit", form={"text": "no token"})
    assert response.status_code in (400, 403) and (await Post.get(id=post.id)).source == "alice's words"


async def test_post_card__edit_link_for_the_author_and_edited_for_everyone(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await publish_post(uris, alice, Draft("card", Visibility.PUBLIC), 5000)
    own = await (await (await browser(alice)).get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert f'href="{post.url}/edit"' in own and "/history" not in own
    await edit_post(uris, alice, post, Edit("card, edited"), 5000)
    for account in (None, bob, alice):
        page = await (await (await browser(account)).get("/@alice")).get_data(as_text=True)
        assert f'href="{post.url}/history"' in page and ">edited<" in page
        assert (f'href="{post.url}/edit"' in page) == (account is alice)


async def test_history_page__lists_every_version(browser, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("first words", Visibility.PUBLIC, "first warning"), 5000)
    await edit_post(uris, alice, post, Edit("second words"), 5000)
    await edit_post(uris, alice, post, Edit("third words", "third warning"), 5000)
    page = await (await (await browser(None)).get(f"/@alice/{post.id}/history")).get_data(as_text=True)
    assert page.index("third words") < page.index("second words") < page.index("first words")
    assert "first warning" in page and "third warning" in page


async def test_edit__notifies_local_accounts_who_replied(make_account, uris):
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    post = await publish_post(uris, alice, Draft("question?", Visibility.PUBLIC), 5000)
    await publish_post(uris, bob, Draft("answer", Visibility.PUBLIC, in_reply_to=post.ap_id), 5000)
    await publish_post(uris, alice, Draft("my own answer", Visibility.PUBLIC, in_reply_to=post.ap_id), 5000)
    await edit_post(uris, alice, post, Edit("better question?"), 5000)
    notes = await Notification.filter(kind=NotificationKind.UPDATE).select_related("account")
    assert [(n.account.username, n.kind, n.post_id) for n in notes] == [("bob", NotificationKind.UPDATE, post.id)]
    assert carol.id not in [n.account_id for n in notes]


async def test_delete__forgets_the_history_and_notifications(make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await publish_post(uris, alice, Draft("v1", Visibility.PUBLIC), 5000)
    await publish_post(uris, bob, Draft("reply", Visibility.PUBLIC, in_reply_to=post.ap_id), 5000)
    await edit_post(uris, alice, post, Edit("v2"), 5000)
    about_it = Notification.filter(post_id=post.id)  # bob hears of the edit
    assert await PostEdit.all().count() == 1 and await about_it.count() == 1
    await delete_post(alice, await Post.get(id=post.id))
    assert await PostEdit.all().count() == 0 and await about_it.count() == 0


async def test_edit__notifies_local_boosters_each_time(make_account, uris):
    # Given carol boosted alice's post
    from node.services.reactions import boost

    alice, carol = await make_account("alice"), await make_account("carol")
    post = await publish_post(uris, alice, Draft("first words", Visibility.PUBLIC), 5000)
    await boost(uris, carol, post)
    # When alice edits it twice
    await edit_post(uris, alice, post, Edit("second words"), 5000)
    await edit_post(uris, alice, await Post.get(id=post.id), Edit("third words"), 5000)
    # Then carol hears of each edit
    updates = await Notification.filter(kind=NotificationKind.UPDATE).select_related("account")
    assert [n.account.username for n in updates] == ["carol", "carol"]


async def test_edit__the_link_card_follows_the_new_first_link(make_account, uris):
    from node.models import PostLinkCard

    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("see https://one.example/a", Visibility.PUBLIC), 5000)
    card_of = lambda: PostLinkCard.get(post_id=post.id).select_related("card")  # noqa: E731
    assert (await card_of()).card.url == "https://one.example/a"
    await edit_post(uris, alice, post, Edit("rather https://two.example/b"), 5000)
    assert (await card_of()).card.url == "https://two.example/b"
