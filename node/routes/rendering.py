"""Page rendering with a synchronous Jinja2 environment.

Quart's own environment runs templates in async mode, where every macro call and output
expression goes through an await helper: a 20-post profile page spent more time there than
in its database queries. Our templates await nothing (handlers load everything first), so
a plain environment renders the same HTML several times faster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from quart import current_app

PAGES = "KITH_PAGES"


def page_environment(templates: Path, globals_: dict[str, Any], filters: dict[str, Callable]) -> Environment:
    """Return the environment the app renders pages with (autoescaped, compiled once)."""
    environment = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        auto_reload=False,
        undefined=StrictUndefined,  # a misspelt variable fails the test, not the reader
    )
    environment.globals.update(globals_, action_count=action_count)
    environment.filters.update(filters)
    return environment


def action_count(n: int, one: str, many: str) -> Markup:
    """Return the count beside a post's action: the number shows, the noun ("3 likes") is for
    screen readers; nothing at 0. A function, not a macro: a long thread page writes hundreds,
    and a Jinja macro call costs several times this."""
    if not n:
        return Markup("")
    return Markup('<span class="count">{}<span class="visually-hidden"> {}</span></span>').format(
        n, one if n == 1 else many)


def render(name: str, **context: Any) -> str:
    """Return the page `name` rendered with `context`."""
    return current_app.config[PAGES].get_template(name).render(**context)
