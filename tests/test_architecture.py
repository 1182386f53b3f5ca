"""The direction of dependencies (DESIGN.md): federation/ never imports node/, Quart or
Jinja2; its pure core imports only the standard library and cryptography."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE_CORE = {"vocab", "errors", "keys", "signatures", "structured_fields", "audience",
             "activities", "actors", "collections", "inbound", "notes", "dispatch", "retry", "polls"}
REQUEST_STATE = {"request", "g", "current_app", "session", "websocket"}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def test_federation__never_imports_node_quart_or_jinja():
    for path in (ROOT / "federation").rglob("*.py"):
        bad = {n for n in imports_of(path) if top(n) in {"node", "quart", "jinja2"}}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_federation_core__imports_only_stdlib_and_cryptography():
    import sys

    allowed = set(sys.stdlib_module_names) | {"cryptography", "federation", "__future__"}
    for path in (ROOT / "federation").glob("*.py"):
        if path.stem in PURE_CORE:
            bad = {n for n in imports_of(path) if top(n) not in allowed}
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_only_routes_and_security_read_request_state():
    for path in (ROOT / "node").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("node/routes/") or rel in {"node/security.py", "node/app.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "quart":
                bad = {a.name for a in node.names} & REQUEST_STATE
                assert not bad, f"{rel} imports {bad} from quart"
