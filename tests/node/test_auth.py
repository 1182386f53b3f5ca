"""Signing in and out, session cookies, and CSRF on every form."""

from __future__ import annotations

import pytest

from node.app import create_app
from node.models import Post, Session
from node.settings import load_settings
from tests.conftest import PASSWORD, form_token


async def sign_in(client, username: str, password: str):
    token = await form_token(client, "/login")
    return await client.post("/login", form={"username": username, "password": password, "csrf_token": token})


async def test_sign_in__sets_an_httponly_lax_session_cookie(client, make_account):
    await make_account("alice")
    response = await sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    cookie = next(v for k, v in response.headers.items() if k.lower() == "set-cookie" and "kith_session=" in v)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the base URL is http://localhost
    home = await (await client.get("/")).get_data(as_text=True)
    assert "New post" in home


async def test_sign_in__cookie_is_secure_when_the_base_url_is_https(tmp_path, db, make_account, settings):
    https = load_settings({"KITH_DATA_DIR": str(settings.data_dir), "KITH_BASE_URL": "https://kith.example",
                           "DATABASE_URL": settings.database_url})
    app = create_app(https, b"s" * 32, manage_database=False)
    client = app.test_client()
    await make_account("alice")
    response = await sign_in(client, "alice", PASSWORD)
    cookie = next(v for k, v in response.headers.items() if k.lower() == "set-cookie" and "kith_session=" in v)
    assert "Secure" in cookie


@pytest.mark.parametrize("username,password", [("alice", "wrong password"), ("nobody", PASSWORD), ("", "")])
async def test_sign_in__wrong_credentials_get_401_and_no_session(client, make_account, username, password):
    await make_account("alice")
    response = await sign_in(client, username, password)
    assert response.status_code == 401
    assert "Wrong username or password" in await response.get_data(as_text=True)
    assert await Session.all().count() == 0


async def test_sign_in__without_csrf_token_is_refused(client, make_account):
    await make_account("alice")
    await client.get("/login")
    response = await client.post("/login", form={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in await response.get_data(as_text=True)
    assert await Session.all().count() == 0


async def test_sign_out__ends_the_session_in_the_database(client, make_account):
    await make_account("alice")
    await sign_in(client, "alice", PASSWORD)
    token = await form_token(client, "/logout")
    response = await client.post("/logout", form={"csrf_token": token})
    assert response.status_code == 302
    assert await Session.all().count() == 0
    assert (await client.get("/settings")).status_code == 302


async def test_old_session_cookie__no_longer_works_after_sign_out(app, make_account):
    await make_account("alice")
    first, second = app.test_client(), app.test_client()
    await sign_in(first, "alice", PASSWORD)
    stolen = next(c for c in first.cookie_jar if c.name == "kith_session").value
    await first.post("/logout", form={"csrf_token": await form_token(first, "/logout")})
    second.set_cookie("localhost", "kith_session", stolen)
    response = await second.get("/settings")
    assert response.status_code == 302  # sent to the sign-in page


@pytest.mark.parametrize("token", [None, "", "0" * 64])
async def test_post_form__with_missing_or_wrong_csrf_token_changes_nothing(browser, make_account, token):
    alice = await make_account("alice")
    client = await browser(alice)
    form = {"text": "hello", "visibility": "public"}
    if token is not None:
        form["csrf_token"] = token
    response = await client.post("/posts", form=form)
    assert response.status_code == 400
    assert await Post.all().count() == 0


async def test_csrf_token__of_another_visitor_is_refused(browser, make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    alice_client, bob_client = await browser(alice), await browser(bob)
    bobs_token = await form_token(bob_client)
    response = await alice_client.post("/posts", form={"text": "hi", "visibility": "public", "csrf_token": bobs_token})
    assert response.status_code == 400
    assert await Post.all().count() == 0


async def test_pages_that_need_an_account__send_visitors_to_sign_in(client):
    for path in ("/settings", "/logout"):
        response = await client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/login")
