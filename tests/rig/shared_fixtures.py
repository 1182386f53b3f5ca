"""The recorded documents of other servers, read from the shared fixture tree beside the
repository (never copied into it). A test that needs one is skipped, with the reason, when
the tree is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def fixture_json(relative: str) -> Any:
    """Return the parsed document at `relative` (e.g. "gotosocial/documents/gts-note.json")."""
    path = FIXTURES / relative
    if not path.is_file():
        pytest.skip(f"shared fixture {relative} not found under {FIXTURES} (it lives beside the repository)")
    return json.loads(path.read_text())
