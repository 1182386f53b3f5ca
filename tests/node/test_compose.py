"""Composing, reading and deleting posts from the web pages."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node.models import Actor, Mention, Post, Tag
from tests.conftest import form_token


async def compose(client, **fields):
    form = {"csrf_token": await form_token(client), **fields}
    return await client.post("/posts", form=form)


async def test_compose__publishes_and_redirects_to_the_permalink(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    response = await compose(client, text="Hello, world", visibility="public")
    post = await Post.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/@alice/{post.id}"
    assert post.ap_id == f"http://localhost:8000/users/alice/statuses/{post.id}"
    page = await (await client.get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert "Hello, world" in page


async def test_compose__defaults_to_the_users_visibility_which_starts_unlisted(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    home = await (await client.get("/")).get_data(as_text=True)
    assert '<option value="unlisted" selected>' in home
    await compose(client, text="no visibility field")
    assert (await Post.get()).visibility is Visibility.UNLISTED


async def test_compose__renders_links_tags_mentions_and_line_breaks(browser, make_account):
    alice = await make_account("alice")
    bob = await make_account("Bob")
    client = await browser(alice)
    await compose(client, text="Hi @bob and @nobody!\nsee https://example.org/a?b=1. #Kith\n\nbye", visibility="public")
    post = await Post.get()
    assert 'href="http://localhost:8000/@Bob" class="u-url mention"' in post.content_html
    assert "@nobody" in post.content_html and "/@nobody" not in post.content_html
    assert '<a href="https://example.org/a?b=1"' in post.content_html
    assert 'href="http://localhost:8000/tags/kith"' in post.content_html
    assert "<br>" in post.content_html and post.content_html.count("<p>") == 2
    assert [m.actor_id for m in await Mention.all()] == [bob.actor_id]
    assert [t.name for t in await Tag.all()] == ["kith"]


async def test_compose__direct_post_reaches_the_mentioned_only(browser, make_account):
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    await compose(await browser(alice), text="just for @bob", visibility="direct")
    post = await Post.get()
    assert (await (await browser(bob)).get(f"/@alice/{post.id}")).status_code == 200
    assert (await (await browser(carol)).get(f"/@alice/{post.id}")).status_code == 404


async def test_compose__content_warning_hides_the_text_behind_details(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    await compose(client, text="the ending", content_warning="film spoilers", visibility="public")
    post = await Post.get()
    assert post.sensitive and post.content_warning == "film spoilers"
    page = await (await client.get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert "<details class=\"cw\">" in page and "<summary>film spoilers" in page


@pytest.mark.parametrize(
    "fields,reason",
    [
        ({"text": "   "}, "needs some text"),
        ({"text": "x" * 5001}, "at most 5000 characters"),
        ({"text": "hi", "visibility": "friends"}, "unknown visibility"),
        ({"text": "hi", "content_warning": "c" * 501}, "content warning"),
        ({"text": "hi", "in_reply_to": "http://localhost:8000/@alice/999"}, "no such post"),
    ],
)
async def test_compose__bad_input_gets_400_with_a_reason_and_keeps_the_text(browser, make_account, fields, reason):
    alice = await make_account("alice")
    client = await browser(alice)
    response = await compose(client, **fields)
    body = await response.get_data(as_text=True)
    assert response.status_code == 400
    assert reason in body
    assert await Post.all().count() == 0
    if fields["text"].strip() and len(fields["text"]) < 100:
        assert fields["text"] in body  # what was typed is not lost
    if "content_warning" in fields:
        assert fields["content_warning"] in body


async def test_compose__reply_to_a_post_the_author_cannot_see_is_refused(browser, make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    await compose(await browser(alice), text="private", visibility="followers")
    hidden = await Post.get()
    response = await compose(await browser(bob), text="reply", visibility="public", in_reply_to=hidden.url)
    assert response.status_code == 400
    assert await Post.all().count() == 1


async def test_compose__reply_keeps_the_parent(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    await compose(client, text="first", visibility="public")
    parent = await Post.get()
    await compose(client, text="second", visibility="public", in_reply_to=parent.ap_id)
    reply = await Post.get(id__not=parent.id)
    assert reply.in_reply_to_id == parent.id and reply.in_reply_to_ap_id == parent.ap_id
    page = await (await client.get(f"/@alice/{reply.id}")).get_data(as_text=True)
    assert f'<a href="{parent.url}">in reply</a>' in page


async def test_delete__own_post_becomes_a_tombstone(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    await compose(client, text="oops #tag", visibility="public")
    post = await Post.get()
    response = await client.post(f"/@alice/{post.id}/delete", form={"csrf_token": await form_token(client)})
    assert response.status_code == 302
    await post.refresh_from_db()
    assert post.deleted_at is not None and post.content_html == "" and post.source == ""
    assert await Tag.all().count() == 0
    assert (await client.get(f"/@alice/{post.id}")).status_code == 404


async def test_delete__someone_elses_post_is_404_and_changes_nothing(browser, make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    await compose(await browser(alice), text="mine", visibility="public")
    post = await Post.get()
    bob_client = await browser(bob)
    response = await bob_client.post(f"/@alice/{post.id}/delete", form={"csrf_token": await form_token(bob_client)})
    assert response.status_code == 404
    await post.refresh_from_db()
    assert post.deleted_at is None


async def test_posting__bumps_the_authors_version(browser, make_account):
    alice = await make_account("alice")
    before = (await Actor.get(id=alice.actor_id)).changed_at
    await compose(await browser(alice), text="new", visibility="public")
    assert (await Actor.get(id=alice.actor_id)).changed_at > before


async def test_hostile_text__is_escaped_not_run(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    await compose(client, text='<script>alert(1)</script><img src=x onerror=alert(2)> "quoted"', visibility="public")
    post = await Post.get()
    page = await (await client.get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


async def test_unknown_profile_and_post__are_404(client, make_account):
    await make_account("alice")
    assert (await client.get("/@nobody")).status_code == 404
    assert (await client.get("/@alice/12345")).status_code == 404
    assert (await client.get("/@alice/not-a-number")).status_code == 404


async def test_bad_cursor__is_400(client, make_account):
    await make_account("alice")
    response = await client.get("/@alice?before=abc")
    assert response.status_code == 400
    assert "before" in await response.get_data(as_text=True)


async def test_profile__pages_with_before(browser, make_account):
    from node.services.posting import Draft, publish_post
    from node.uris import Uris

    alice = await make_account("alice")
    for i in range(25):
        await publish_post(Uris("http://localhost:8000"), alice, Draft(f"number-{i:02d}-end", Visibility.PUBLIC), 5000)
    client = await browser(None)
    first = await (await client.get("/@alice")).get_data(as_text=True)
    assert "number-24-end" in first and "number-04-end" not in first
    oldest_shown = min(p.id for p in await Post.all().order_by("-id").limit(20))
    second = await (await client.get(f"/@alice?before={oldest_shown}")).get_data(as_text=True)
    assert "number-04-end" in second and "number-05-end" not in second


async def test_delete__asks_first_on_a_page_of_its_own(browser, make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    client = await browser(alice)
    await compose(client, text="maybe delete me", visibility="public")
    post = await Post.get()
    page = await client.get(f"/@alice/{post.id}/delete")
    body = await page.get_data(as_text=True)
    assert page.status_code == 200 and "Delete this post?" in body and "maybe delete me" in body
    assert (await (await browser(bob)).get(f"/@alice/{post.id}/delete")).status_code == 404
    assert (await Post.get()).deleted_at is None


def test_new_id__whole_second_times_spread_over_all_low_bits():
    # Remote servers write `published` in whole seconds: many posts share one millisecond.
    from datetime import datetime, timezone

    from node.ids import new_id

    moment = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
    ids = {new_id(moment) for _ in range(2000)}
    assert len(ids) > 1950  # 16 random bits: a handful of collisions at most, not 64 slots
    assert all(i >> 16 == int(moment.timestamp() * 1000) for i in ids)
