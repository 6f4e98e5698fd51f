"""``coach prep``: the one-page prep sheet, as Markdown, HTML or PDF (or JSON).

The sheet is built by ``coach.advice.prep``; this module parses the flags, prints or writes
the result, and hands the HTML to headless Chromium for ``--pdf``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from coach.cli.common import AddCommand, emit_json, ensure_knowledge, settings_from
from coach.errors import CoachError, InputError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT = 120  # seconds; a first start on a busy 2-core machine takes a while


class PdfError(CoachError):
    """The PDF could not be made: no Chromium, or Chromium failed."""


def register(add: AddCommand) -> None:
    p = add("prep", "a one-page prep sheet for the call: numbers, band, counter, scripts")
    p.add_argument(
        "--guide", help="guide id (default: your profile's, or the guide with a pay table)"
    )
    p.add_argument(
        "--region", help="region from the guide's table (default: your profile's; else all)"
    )
    p.add_argument(
        "--offer",
        nargs="+",
        metavar="AMOUNT",
        help="the offer on the table: a base amount (240k) or component=amount pairs "
        "(base=240k equity=300k bonus=15%% sign_on=20k); default: your profile's",
    )
    p.add_argument(
        "--out", help="write to FILE instead of printing (--pdf default: prep-GUIDE.pdf)"
    )
    form = p.add_mutually_exclusive_group()
    form.add_argument("--html", action="store_true", help="a self-contained HTML page to print")
    form.add_argument("--pdf", action="store_true", help="a PDF, printed by headless Chromium")
    form.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_prep)


_COMPONENTS = {
    "base": "base",
    "equity": "equity",
    "bonus": "bonus_pct",
    "sign_on": "sign_on",
    "sign-on": "sign_on",
    "signon": "sign_on",
}


def parse_offer(words: list[str]) -> dict[str, float]:
    """``["240k"]`` or ``["base=240k", "bonus=15%"]`` as an offer (component -> value)."""
    from coach.negotiation.money import parse_amount, parse_percent

    offer: dict[str, float] = {}
    for word in words:
        name, _, value = word.rpartition("=")
        component = _COMPONENTS.get(name.strip().lower() or "base")
        if component is None:
            raise InputError(
                f"Unknown offer component {name!r}.",
                "Use base=, equity=, bonus= or sign_on= (e.g. --offer base=240k bonus=15%).",
            )
        offer[component] = parse_percent(value) if component == "bonus_pct" else parse_amount(value)
    return offer


def cmd_prep(args: argparse.Namespace) -> int:
    from coach.advice.prep import build_prep_sheet
    from coach.knowledge.library import load_playbook, open_store
    from coach.negotiation.profile import load_profile

    offer = parse_offer(args.offer) if args.offer else None
    settings = settings_from(args)
    ensure_knowledge(settings)
    profile = load_profile(settings.home)
    playbook = load_playbook(open_store(settings), args.guide or profile.guide or None)
    sheet = build_prep_sheet(playbook, args.region, offer, profile)
    if args.json:
        emit_json(sheet.to_json())
        return 0
    if args.pdf:
        out = Path(args.out or f"prep-{sheet.guide}.pdf")
        html_to_pdf(sheet.to_html(), out)
        print(f"wrote {out}")
        return 0
    text = sheet.to_html() if args.html else sheet.to_markdown()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, if any."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def html_to_pdf(page: str, out: Path) -> Path:
    """Print ``page`` to ``out`` with headless Chromium, offline and with a throwaway profile."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfError(
            "--pdf needs Chromium, which is not installed.",
            "Install Debian's `chromium` (apt-get install chromium), or use --html and print it.",
        )
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coach-prep-") as tmp:
        source = Path(tmp) / "prep.html"
        source.write_text(page, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",  # no date, title and file path printed round the page
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium took over {PDF_TIMEOUT}s to print.", "Use --html.") from None
    if not out.is_file() or out.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise PdfError(f"Chromium could not print the PDF ({last}).", "Use --html and print it.")
    return out
