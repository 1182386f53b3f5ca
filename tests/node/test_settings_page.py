"""The settings page: profile, default visibility, locked account, feeds."""

from __future__ import annotations

from federation.audience import Visibility
from node.models import Account, Actor
from tests.conftest import form_token


async def save(client, **fields):
    form = {"csrf_token": await form_token(client, "/settings"), "display_name": "", "bio": "",
            "default_visibility": "unlisted", **fields}
    return await client.post("/settings", form=form)


async def test_settings__saves_profile_and_preferences(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    response = await save(client, display_name="Alice A.", bio="I like #tea\nand https://example.org",
                          default_visibility="followers", locked="on", rss_enabled="on")
    assert response.status_code == 200 and "Saved." in await response.get_data(as_text=True)
    actor, account = await Actor.get(id=alice.actor_id), await Account.get(id=alice.id)
    assert actor.display_name == "Alice A." and actor.locked and not actor.discoverable
    assert 'href="http://localhost:8000/tags/tea"' in actor.summary_html
    assert account.default_visibility is Visibility.FOLLOWERS and account.rss_enabled
    profile = await (await client.get("/@alice")).get_data(as_text=True)
    assert "Alice A." in profile and "locked" in profile


async def test_settings__bad_values_get_400_and_change_nothing(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    for fields, reason in (({"default_visibility": "everyone"}, "unknown visibility"),
                           ({"display_name": "x" * 101}, "display name"),
                           ({"bio": "b" * 1001}, "bio")):
        response = await save(client, **fields)
        assert response.status_code == 400 and reason in await response.get_data(as_text=True)
    actor = await Actor.get(id=alice.actor_id)
    assert actor.display_name == "" and (await Account.get(id=alice.id)).rss_enabled
