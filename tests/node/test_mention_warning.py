"""A followers-only post that mentions someone who does not follow the author is shown to
them all the same (the mentioned are in its audience), so the author is asked first: the
form comes back with the draft kept and a "post anyway" button. No JavaScript involved."""

from __future__ import annotations

from federation.audience import Visibility
from node.models import Follow, FollowState, Mention, Post
from node.services.posting import Draft, publish_post
from tests.conftest import form_token


async def compose(client, **fields):
    return await client.post("/posts", form={"csrf_token": await form_token(client), **fields})


async def test_followers_only_post__mentioning_a_non_follower_asks_first(browser, make_account):
    # Given bob does not follow alice, and frank has only asked to
    alice, bob, frank = await make_account("alice"), await make_account("bob"), await make_account("frank")
    await Follow.create(follower_id=frank.actor_id, target_id=alice.actor_id, state=FollowState.REQUESTED)
    client = await browser(alice)
    # When alice writes a followers-only post mentioning both
    response = await compose(client, text="for my followers, and @bob and @frank", visibility="followers",
                             content_warning="a warning")
    page = await response.get_data(as_text=True)
    # Then nothing is posted: the form comes back with the draft and the warning
    assert response.status_code == 200 and await Post.all().count() == 0
    assert "for my followers, and @bob and @frank</textarea>" in page and 'value="a warning"' in page
    assert '<option value="followers" selected>' in page
    assert "@bob@localhost:8000</strong>" in page and "@frank@localhost:8000</strong>" in page
    assert "do not follow you" in page and 'name="confirm_mentions" value="yes"' in page
    # And "Post anyway" sends it as written
    response = await compose(client, text="for my followers, and @bob and @frank", visibility="followers",
                             confirm_mentions="yes")
    post = await Post.get()
    assert response.status_code == 302 and post.visibility is Visibility.FOLLOWERS
    assert {m.actor_id for m in await Mention.filter(post_id=post.id)} == {bob.actor_id, frank.actor_id}


async def test_no_warning__for_followers_other_visibilities_or_the_author_answered(browser, make_account, uris):
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    await Follow.create(follower_id=carol.actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    client = await browser(alice)
    # a follower mentioned, or a non-follower in a post that is not followers-only: no question
    for text, visibility in (("hi @carol", "followers"), ("hi @bob", "direct"), ("hi @bob", "public"),
                             ("hi @bob", "unlisted"), ("hi @alice", "followers")):
        response = await compose(client, text=text, visibility=visibility)
        assert response.status_code == 302, (text, visibility)
    # nor when answering bob's own post: the reply is meant for him
    bobs = await publish_post(uris, bob, Draft("bob asks", Visibility.PUBLIC), 5000)
    response = await compose(client, text="@bob here is my answer", visibility="followers", in_reply_to=bobs.ap_id)
    assert response.status_code == 302


async def test_edit__adding_a_non_follower_to_a_followers_only_post_asks_first(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    await make_account("dave")
    post = await publish_post(uris, alice, Draft("about @dave", Visibility.FOLLOWERS), 5000)
    client = await browser(alice)
    path = f"/@alice/{post.id}/edit"
    # Editing the text while dave stays mentioned asks nothing (he had the post already)
    response = await client.post(path, form={"csrf_token": await form_token(client, path), "text": "still about @dave"})
    assert response.status_code == 302
    # Adding bob, who does not follow alice, asks first and changes nothing yet
    form = {"csrf_token": await form_token(client, path), "text": "about @dave and @bob"}
    response = await client.post(path, form=form)
    page = await response.get_data(as_text=True)
    assert response.status_code == 200 and "@bob@localhost:8000</strong>" in page and "Save anyway" in page
    assert "about @dave and @bob</textarea>" in page and "@dave@localhost:8000</strong>" not in page
    assert (await Post.get(id=post.id)).source == "still about @dave"
    response = await client.post(path, form={**form, "confirm_mentions": "yes"})
    assert response.status_code == 302 and (await Post.get(id=post.id)).source == "about @dave and @bob"
    assert await Mention.filter(post_id=post.id, actor_id=bob.actor_id).exists()
