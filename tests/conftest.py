"""Fixtures: settings, a fresh database (SQLite, or PostgreSQL when DATABASE_URL names
one), the app, and signed-in browsers."""

from __future__ import annotations

import re
import uuid

import pytest

from node.app import create_app
from node.db import close_database, migrate, open_database
from node.instance import prepare_data_dir
from node.settings import load_settings
from node.uris import Uris
from tests.rig.database import empty_schema, postgres_url

BASE_URL = "http://localhost:8000"
PASSWORD = "correct horse battery"


# The fake fediverse and the live node (tests/rig/): a test module marked `live` talks to
# the node over real HTTP, and its `settings`, `db` and browsers are the live node's.
pytest_plugins = ["tests.rig.fixtures", "tests.rig.livenode"]


def pytest_configure(config):
    config.addinivalue_line("markers", "live: the node runs under Hypercorn on loopback, with the fake fediverse")


@pytest.fixture
def settings(request, tmp_path):
    if request.node.get_closest_marker("live"):
        return request.getfixturevalue("live_settings")
    env = {"KITH_DATA_DIR": str(tmp_path / "data"), "KITH_BASE_URL": BASE_URL}
    if postgres_url():
        env["DATABASE_URL"] = postgres_url()
    return load_settings(env)


@pytest.fixture
def uris(settings):
    return Uris(settings.base_url)


@pytest.fixture
async def db(settings):
    if not settings.is_sqlite:
        await empty_schema(settings.database_url)
    await open_database(settings)
    await migrate(settings)
    yield
    await close_database()


@pytest.fixture
async def app(request, settings, db):
    """The app with its serving lifecycle run (federation runtime started), database
    managed by the `db` fixture; for `live` tests, the live node's app."""
    if request.node.get_closest_marker("live"):
        yield request.getfixturevalue("live_node").app
        return
    secret = prepare_data_dir(settings)
    app = create_app(settings, secret, manage_database=False)
    async with app.test_app():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_account(uris, db):
    """Create a local account: await make_account("alice", locked=True)."""
    from node.services.accounts import create_account

    async def make(name: str, **kwargs):
        account = await create_account(uris, name, PASSWORD, **kwargs)
        await account.fetch_related("actor")
        return account

    return make


@pytest.fixture
def browser(app):
    """Return a test client signed in as `account` (anonymous for None).

    The session is opened directly, as the sign-in page would: the sign-in form itself is
    tested in test_auth.py, and skipping argon2 here keeps the matrix tests quick.
    """
    from node.security import SESSION_COOKIE
    from node.services.sessions import open_session

    async def make(account=None):
        client = app.test_client()
        if account is not None:
            client.set_cookie("localhost", SESSION_COOKIE, await open_session(account))
        return client

    return make


def csrf_of(page: str) -> str:
    """Return the CSRF token of the first form on `page`."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def form_token(client, path: str = "/") -> str:
    """Return a CSRF token for `client`, read from a page as a browser would."""
    page = await client.get(path)
    return csrf_of(await page.get_data(as_text=True))


def unique(prefix: str = "post") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def _key_pool():
    from federation.keys import generate_key_pair

    return [generate_key_pair() for _ in range(8)]


@pytest.fixture(autouse=True)
def _reuse_keys(_key_pool, monkeypatch):
    """Hand out real RSA keys made once per session: making one costs ~100 ms."""
    from itertools import cycle

    keys = cycle(_key_pool)
    monkeypatch.setattr("node.services.accounts.generate_key_pair", lambda: next(keys))
