"""Pytest fixtures for the fake fediverse. Import the ones a test module uses:

    from tests.rig.fixtures import fediverse  # noqa: F401  (a pytest fixture)
"""

from __future__ import annotations

import pytest

from tests.rig.fediverse import FakeFediverse

DEFAULT_HOSTS = ("remote.test", "other.test")


@pytest.fixture
async def fediverse():
    """A FakeFediverse with remote.test and other.test running, for one test."""
    async with FakeFediverse(DEFAULT_HOSTS) as world:
        yield world
