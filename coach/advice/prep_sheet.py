"""The prep sheet itself: its parts, and how it reads as Markdown, HTML (one printed page) and JSON.

``coach.advice.prep`` decides what goes on the sheet; this module only lays it out, so the
page's wording and styling can change without touching a single decision.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from coach.guard.figures import GuardReport, allowed_values, check_figures
from coach.knowledge.markdown import SECTION_SEP
from coach.negotiation.components import is_percent, label, whole_dollars
from coach.negotiation.playbook import Source

NONE = "none in this guide"


@dataclass
class Item:
    """One line of the sheet: a lead (a label, or the recruiter's words), the text, and the
    numbers of the sources that state its figures."""

    text: str
    lead: str = ""
    cites: list[int] = field(default_factory=list)


@dataclass
class Section:
    """A titled block of items (levers, scripts, pushbacks, what to get in writing)."""

    key: str
    title: str
    items: list[Item]


@dataclass
class BandRow:
    """One region of the band table: each component's span as written, and its source."""

    region: str
    cells: dict[str, str]
    cite: int


@dataclass
class PrepSheet:
    """The decided content of one prep sheet, with Markdown, HTML and JSON renderings."""

    guide: str
    title: str
    region: str  # "" when the sheet shows every region
    currency: str
    offer: dict[str, float]
    target: dict[str, float]
    walk_away: dict[str, float]
    counter: dict[str, float]
    verdict: str | None
    numbers: list[Item]
    bands: list[BandRow]
    sections: list[Section]
    sources: list[Source]
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    engine_message: str = ""  # the engine's own sentence, when an offer was judged

    # -- checks ---------------------------------------------------------------------------

    def grounding(self) -> GuardReport:
        """The guard's verdict on the rendered page: every figure must be in a cited line or
        the engine's message."""
        quotes = [s.quote for s in self.sources] + [self.engine_message]
        return check_figures(self.to_markdown(), allowed_values(quotes))

    # -- renderings -----------------------------------------------------------------------

    def components(self) -> list[str]:
        """The band table's columns, in the order the guide first names them."""
        return list(dict.fromkeys(c for row in self.bands for c in row.cells))

    def source_text(self, number: int) -> str:
        """Where source ``number`` is: ``Global Levers, line 28`` (in this sheet's guide),
        ``your profile`` or ``the offer you entered``."""
        src = self.sources[number - 1]
        if src.guide == "profile":
            return "your profile (profile.yaml)"
        if src.guide == "offer":
            return "the offer you entered"
        section = src.section.removeprefix(self.title).removeprefix(SECTION_SEP)
        where = f"{section}, line {src.line}" if section else f"line {src.line}"
        return where if src.guide == self.guide else f"{src.guide}{SECTION_SEP}{where}"

    def sources_line(self) -> str:
        """The numbered sources on one line, naming the guide once."""
        listed = " · ".join(f"[{n}] {self.source_text(n)}" for n in range(1, len(self.sources) + 1))
        return f"Sources in {self.guide}: {listed}" if listed else ""

    def heading(self) -> str:
        return f"Prep sheet: {self.title}" + (f" · {self.region}" if self.region else "")

    def to_markdown(self) -> str:
        out = [f"# {self.heading()}", ""]
        out += [f"- **{i.lead}:** {i.text}{_marks(i.cites)}" for i in self.numbers]
        out += [f"- {note}" for note in self.notes]
        out.append("")
        columns = self.components()
        if self.bands:
            out += [f"## Band{' (' + self.region + ')' if self.region else ''}", ""]
            out.append("| region | " + " | ".join(label(c) for c in columns) + " |")
            out.append("|---" * (len(columns) + 1) + "|")
            for row in self.bands:
                cells = " | ".join(row.cells.get(c, "–") for c in columns)
                out.append(f"| {row.region}{_marks([row.cite])} | {cells} |")
            out.append("")
        for section in self.sections:
            out += [f"## {section.title}", ""]
            for item in section.items:
                lead = f"**{item.lead}** " if item.lead else ""
                out.append(f"- {lead}{item.text}{_marks(item.cites)}")
            out += [] if section.items else [f"- {NONE}"]
            out.append("")
        if self.missing:
            out += [f"Not in this guide: {', '.join(self.missing)}.", ""]
        if self.sources:
            out += ["## Sources", "", f"In {self.guide}:", ""]
            out += [f"[{n}] {self.source_text(n)}  " for n in range(1, len(self.sources) + 1)]
        return "\n".join(out).rstrip() + "\n"

    def to_html(self, paper: str = "") -> str:
        """A self-contained page (no external assets) sized to print on one A4 or Letter page;
        ``paper`` ("A4", "Letter") fixes the page size, otherwise the printer's is used."""
        esc = html.escape
        size = f"size: {paper}; " if paper else ""
        boxes = "".join(
            f'<div class="box{" counter" if i.lead == "Counter" else ""}"><div class="k">'
            f'{esc(i.lead)}</div><div class="v">{esc(i.text)}{_sup(i.cites)}</div></div>'
            for i in self.numbers
        )
        notes = "".join(f'<p class="note">{esc(n)}</p>' for n in self.notes)
        table = ""
        if self.bands:
            columns = self.components()
            head = "".join(f"<th>{esc(label(c))}</th>" for c in columns)
            rows = "".join(
                f"<tr><th>{esc(r.region)}{_sup([r.cite])}</th>"
                + "".join(f"<td>{esc(r.cells.get(c, '–'))}</td>" for c in columns)
                + "</tr>"
                for r in self.bands
            )
            table = f'<table class="band"><tr><th>band</th>{head}</tr>{rows}</table>'
        blocks = []
        for section in self.sections:
            items = (
                "".join(
                    f"<li>{f'<b>{esc(i.lead)}</b> ' if i.lead else ''}{esc(i.text)}{_sup(i.cites)}</li>"
                    for i in section.items
                )
                or f'<li class="none">{NONE}</li>'
            )
            blocks.append(
                f'<section class="{section.key}"><h2>{esc(section.title)}</h2>'
                f"<ul>{items}</ul></section>"
            )
        missing = (
            f'<p class="missing">Not in this guide: {esc(", ".join(self.missing))}.</p>'
            if self.missing
            else ""
        )
        sources = f'<p class="sources">{esc(self.sources_line())}</p>' if self.sources else ""
        return _PAGE.format(
            title=esc(self.heading()),
            size=size,
            boxes=boxes,
            notes=notes,
            table=table,
            blocks="".join(blocks),
            missing=missing,
            sources=sources,
        )

    def to_json(self) -> dict[str, Any]:
        report = self.grounding()
        return {
            "guide": self.guide,
            "title": self.title,
            "region": self.region or None,
            "currency": self.currency,
            "offer": _whole(self.offer),
            "target": _whole(self.target),
            "walk_away": _whole(self.walk_away),
            "counter": _whole(self.counter),
            "verdict": self.verdict,
            "numbers": [_item_json(i) for i in self.numbers],
            "bands": [
                {"region": r.region, "cells": r.cells, "cites": [r.cite]} for r in self.bands
            ],
            "sections": {
                s.key: {"title": s.title, "items": [_item_json(i) for i in s.items]}
                for s in self.sections
            },
            "notes": self.notes,
            "missing": self.missing,
            "sources": [
                {
                    "number": n,
                    "guide": s.guide,
                    "section": s.section,
                    "line": s.line,
                    "text": s.quote,
                }
                for n, s in enumerate(self.sources, start=1)
            ],
            "grounded": report.ok,
            "ungrounded": report.ungrounded,
        }


def _whole(values: dict[str, float]) -> dict[str, float | int]:
    return {k: (v if is_percent(k) else whole_dollars(v)) for k, v in values.items()}


def _item_json(item: Item) -> dict[str, Any]:
    return {"lead": item.lead, "text": item.text, "cites": item.cites}


def _marks(cites: list[int]) -> str:
    return " " + "".join(f"[{n}]" for n in cites) if cites else ""


def _sup(cites: list[int]) -> str:
    return f"<sup>{_marks(cites).strip()}</sup>" if cites else ""


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ {size}margin: 10mm 11mm; }}
* {{ box-sizing: border-box; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font: 9.4pt/1.32 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111;
  margin: 0; }}
@media screen {{ body {{ max-width: 188mm; margin: 8mm auto; }} }}
h1 {{ font-size: 13pt; margin: 0 0 4pt; }}
h2 {{ font-size: 9.2pt; text-transform: uppercase; letter-spacing: .04em; margin: 0 0 2pt;
  border-bottom: 1px solid #444; }}
.numbers {{ display: grid; grid-template-columns: 1fr 1fr 1fr 1.2fr; gap: 4pt; }}
.box {{ border: 1px solid #999; border-radius: 3pt; padding: 2pt 5pt; }}
.box.counter {{ border: 2px solid #111; background: #f1f1f1; }}
.k {{ font-size: 7pt; text-transform: uppercase; color: #555; }}
.v {{ font-weight: bold; }}
.note {{ margin: 3pt 0 0; }}
table.band {{ border-collapse: collapse; margin: 5pt 0 2pt; }}
table.band th, table.band td {{ border: 1px solid #bbb; padding: 1pt 4pt; text-align: left;
  white-space: nowrap; font-size: 8pt; }}
table.band tr:first-child th {{ background: #eee; }}
.cols {{ column-count: 2; column-gap: 9pt; margin-top: 5pt; }}
section {{ break-inside: avoid; margin-bottom: 5pt; }}
ul {{ margin: 0; padding-left: 11pt; }}
li {{ margin: 0 0 2pt; }}
sup {{ font-size: 6pt; color: #555; }}
.none {{ list-style: none; color: #555; }}
.missing {{ font-weight: bold; margin: 3pt 0; }}
.sources {{ font-size: 6.5pt; color: #444; border-top: 1px solid #bbb; padding-top: 2pt;
  margin: 4pt 0 0; }}
</style></head><body>
<h1>{title}</h1>
<div class="numbers">{boxes}</div>
{notes}{table}
<div class="cols">{blocks}</div>
{missing}
{sources}
</body></html>
"""
