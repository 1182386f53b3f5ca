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
there) and, with --axe, axe-core's violations (also written to --out/axe.json). Last, with
the keyboard alone, it reaches a content warning, opens it with Enter and reaches a Like
button, photographing the focus ring (keyboard-*.png).

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

from cdp import CDPError, Chromium, chromium_path  # noqa: E402  (scripts/ is not a package)
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
        Shot("reply", p["reply"]),
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
    wanted = {name for name in args.only.split(",") if name}
    camera = Camera(args, base_url, seeded, reset_unread)
    report = {}
    async with Chromium(chromium_path()) as browser:
        for shot in shots(seeded):
            if not wanted or shot.name in wanted:
                report[shot.name] = await camera.all_variants(browser, shot)
                _print(shot.name, report[shot.name])
        if not wanted or "keyboard" in wanted:
            report["keyboard"] = await keyboard(browser, args.out, base_url, seeded)
            _print("keyboard", report["keyboard"])
    (args.out / "axe.json").write_text(json.dumps(report, indent=2))
    return sum(len(findings) for findings in report.values())


def _print(name: str, findings: list[str]) -> None:
    print(f"{name}: {'ok' if not findings else ''}")
    for line in findings:
        print(f"  {line}")


class Camera:
    """Photographs one page at every width and theme, and says what is wrong with it."""

    def __init__(self, args: argparse.Namespace, base_url: str, seeded: Seeded, reset_unread) -> None:
        self.out, self.base_url, self.seeded, self.reset_unread = args.out, base_url, seeded, reset_unread
        self.axe = args.axe.read_text() if args.axe else None
        self.bad_file = args.out / "not-a-picture.jpg"
        self.bad_file.write_bytes(b"GIF89a this is not really a picture")

    async def all_variants(self, browser: Chromium, shot: Shot) -> list[str]:
        findings = []
        for width in WIDTHS:
            for theme in THEMES:
                found = await self.one(browser, shot, width, theme)
                findings += [f"{width} {theme} {line}" for line in found]
        return list(dict.fromkeys(findings))

    async def one(self, browser: Chromium, shot: Shot, width: int, theme: str) -> list[str]:
        await self.open(browser, shot, width, theme)
        await browser.screenshot(width, self.out / f"{shot.name}-{width}-{theme}.png")
        found = [f"console: {line}" for line in browser.console if not _expected(line, shot)]
        if width < 600:
            found += [f"overflows: {element}" for element in await browser.overflow()]
        if self.axe:
            found += [f"axe: {violation}" for violation in await audit(browser, self.axe)]
        return found

    async def open(self, browser: Chromium, shot: Shot, width: int, theme: str) -> None:
        """Load the shot's page as alice (anonymous for *-anonymous), her notifications unread."""
        await self.reset_unread()
        await browser.clear_cookies()
        if not shot.name.endswith("anonymous"):
            await browser.set_cookie(self.base_url, "kith_session", self.seeded.sessions["alice"])
        await browser.screen(width, theme == "dark")
        browser.console.clear()
        await browser.goto(self.base_url + shot.path)
        if shot.form is not None:
            files = {"#media_1": self.bad_file} if shot.upload else None
            await browser.submit('form[action="/posts"]', shot.form, files)


async def keyboard(browser: Chromium, out: Path, base_url: str, seeded: Seeded) -> list[str]:
    """With the keyboard alone on a phone-sized page: reach a content warning, open it with
    Enter, reach a Like button; screenshot the focus ring each time. Return what failed."""
    findings = []
    for theme in THEMES:
        await browser.clear_cookies()
        await browser.set_cookie(base_url, "kith_session", seeded.sessions["alice"])
        await browser.screen(390, theme == "dark")
        await browser.goto(base_url + "/@alice")
        try:
            await browser.tab_to(".cw > summary")
            await browser.viewport_shot(out / f"keyboard-cw-focus-390-{theme}.png")
            await browser.press("Enter")
            if not await browser.evaluate("document.activeElement.parentElement.open"):
                findings.append(f"{theme}: Enter on a content warning did not open it")
            await browser.viewport_shot(out / f"keyboard-cw-open-390-{theme}.png")
            await browser.tab_to(".actions button")
            await browser.viewport_shot(out / f"keyboard-like-focus-390-{theme}.png")
        except CDPError as e:
            findings.append(f"{theme}: {e}")
    return findings


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
