"""GET /healthz reports whether the database answers."""

from __future__ import annotations

from node.db import close_database, open_database


async def test_healthz__200_when_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and await response.get_data(as_text=True) == "ok\n"


async def test_healthz__503_when_the_database_is_gone(client, settings):
    await close_database()
    try:
        response = await client.get("/healthz")
        assert response.status_code == 503
        assert "database" in await response.get_data(as_text=True)
    finally:
        await open_database(settings)


async def test_unknown_path__404_page_not_a_traceback(client):
    response = await client.get("/no/such/page")
    body = await response.get_data(as_text=True)
    assert response.status_code == 404 and "Not Found" in body and "Traceback" not in body


async def test_pages__carry_a_strict_content_security_policy(client):
    response = await client.get("/login")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_oversized_body__413(browser, make_account):
    client = await browser(await make_account("alice"))
    response = await client.post("/posts", data=b"x" * (1024 * 1024 + 1),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
