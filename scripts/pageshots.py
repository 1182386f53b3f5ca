"""Screenshots of Kith's pages, for looking at: a seeded node photographed by headless
chromium at phone and desktop widths, light and dark, with an accessibility audit.

    .venv/bin/python scripts/pageshots.py --out /tmp/kith-ui/after
    .venv/bin/python scripts/pageshots.py --out DIR --axe node_modules/axe-core/axe.min.js

Run it with the test environment (`./test` makes .venv with the test extras): it reuses
the fake fediverse of tests/rig. It needs Debian's chromium (apt-get install -y chromium);
--axe names axe-core's axe.min.js (npm install axe-core; no browser download).

What it does, all on loopback: a fresh SQLite node in a temporary directory, seeded by
scripts/pageshots_seed.py through the web forms and signed activities; then, for every
page and every width x theme, a full-page PNG in --out (NAME-WIDTH-THEME.png). It prints,
per page, what overflows a phone's width, what the console said (a CSP refusal shows
there) and, with --axe, axe-core's violations (also written to --out/axe.json).

A script, not a test: the screenshots are for a person to look at, and 40 chromium
renders would add a minute to a suite that runs on two shared cores. What can be checked
without eyes (labels, alt text, names of buttons, heading order) is checked by
tests/node/test_page_accessibility.py on every run. Exit status: 0 when nothing overflows
and axe found nothing, 1 otherwise, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from cdp import Chromium, chromium_path  # noqa: E402  (scripts/ is not a package)
from pageshots_seed import Seeded, Seeder  # noqa: E402

WIDTHS = (390, 1280)
THEMES = ("light", "dark")


@dataclass(frozen=True)
class Shot:
    name: str
    path: str  # on the node
    form: dict | None = None  # submit the compose form with these fields
    upload: bool = False  # and a file that is no picture


def shots(seeded: Seeded) -> list[Shot]:
    p = seeded.paths
    return [
        Shot("home", "/"),
        Shot("profile", "/@alice"),
        Shot("remote-profile", "/@carol@remote.test"),
        Shot("thread", p["garden"]),
        Shot("notifications", "/notifications"),
        Shot("compose-refused", "/", {"#text": "A picture of the pond", "#alt_1": "The pond at dusk"},
             upload=True),
        Shot("compose-warning", "/", {"#text": "@dave@other.test the seeds are in the post",
                                      "#visibility": "followers"}),
        Shot("edit", p["edited"] + "/edit"),
        Shot("history", p["edited"] + "/history"),
        Shot("thread-anonymous", p["garden"]),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/kith-ui/shots"), help="where the PNGs go")
    parser.add_argument("--axe", type=Path, default=None, help="axe-core's axe.min.js: audit every page")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    return parser.parse_args(argv)


async def photograph(args: argparse.Namespace, base_url: str, seeded: Seeded, reset_unread) -> int:
    """Take every shot; return the number of problems found."""
    problems, report = 0, {}
    wanted = {name for name in args.only.split(",") if name}
    axe = args.axe.read_text() if args.axe else None
    bad_file = args.out / "not-a-picture.jpg"
    bad_file.write_bytes(b"GIF89a this is not really a picture")
    async with Chromium(chromium_path()) as browser:
        for shot in shots(seeded):
            if wanted and shot.name not in wanted:
                continue
            findings = []
            for width in WIDTHS:
                for theme in THEMES:
                    await reset_unread()
                    await browser.clear_cookies()
                    if not shot.name.endswith("anonymous"):
                        await browser.set_cookie(base_url, "kith_session", seeded.sessions["alice"])
                    await browser.screen(width, theme == "dark")
                    browser.console.clear()
                    await browser.goto(base_url + shot.path)
                    if shot.form is not None:
                        await browser.submit('form[action="/posts"]', shot.form,
                                             {"#media_1": bad_file} if shot.upload else None)
                    await browser.screenshot(width, args.out / f"{shot.name}-{width}-{theme}.png")
                    findings += [f"{width} {theme} console: {line}" for line in browser.console
                                 if not _expected(line, shot)]
                    if width < 600:
                        findings += [f"{width} {theme} overflows: {e}" for e in await browser.overflow()]
                    if axe:
                        findings += [f"{width} {theme} axe: {v}" for v in await audit(browser, axe)]
            findings = list(dict.fromkeys(findings))
            report[shot.name] = findings
            problems += len(findings)
            print(f"{shot.name}: {'ok' if not findings else ''}")
            for line in findings:
                print(f"  {line}")
    (args.out / "axe.json").write_text(json.dumps(report, indent=2))
    return problems


def _expected(console_line: str, shot: Shot) -> bool:
    """Console lines that are no finding: no favicon (none is served), and the 400 that
    answers a refused upload."""
    return "favicon.ico" in console_line or (shot.upload and "status of 400" in console_line)


async def audit(browser: Chromium, axe_source: str) -> list[str]:
    """Run axe-core on the page; return one line per violation and element."""
    await browser.evaluate(axe_source)
    raw = await browser.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map("
        "v => [v.id, v.impact, v.help, v.nodes.map(n => n.target.join(' ') + ' | ' + n.failureSummary)])))",
        wait=True)
    return [f"{rule} ({impact}): {help_} -- {node.splitlines()[0]}" for rule, impact, help_, nodes in json.loads(raw)
            for node in nodes]


async def run(args: argparse.Namespace) -> int:
    from node.db import close_database, migrate, open_database
    from node.models import Account
    from node.uris import Uris
    from tests.rig.fediverse import FakeFediverse
    from tests.rig.livenode import bind_loopback, run_node, settings_for

    os.environ.pop("DATABASE_URL", None)  # always a throwaway SQLite node
    work = Path(tempfile.mkdtemp(prefix="kith-pageshots-"))
    sock = bind_loopback()
    settings = settings_for(sock.getsockname()[1], work / "data")
    await open_database(settings)
    try:
        await migrate(settings)
        async with FakeFediverse(["remote.test", "other.test"]) as fediverse:
            async with run_node(settings, sock, host_map=fediverse.host_map, run_workers=True) as node:
                seeded = await Seeder(node, fediverse, Uris(settings.base_url)).run()

                async def reset_unread() -> None:
                    await Account.filter(username="alice").update(notifications_seen_id=0)

                return await photograph(args, node.base_url, seeded, reset_unread)
    finally:
        await close_database()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if chromium_path() is None:
        print("pageshots: chromium is not installed (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    problems = asyncio.run(run(args))
    print(f"{problems} problem(s); screenshots in {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
