"""A guide's pay bands, in whichever shape the guide writes them.

Guides give bands as a table with a row per region (the common shape), a table with a row
per component and a column per region, a bulleted list under a heading per region
("### Seattle" / "- Base: $180k–$210k"), or sentences ("In Seattle, base runs $180K to
$210K"). Each shape becomes the same ``RegionBand``s, with column and row names mapped to
the one component vocabulary of ``coach.negotiation.components`` (an unknown name keeps a
slug, e.g. "relocation"). A single figure is a range with ``low == high``.
"""

from __future__ import annotations

import re

from coach.knowledge.chunking import heading_of
from coach.knowledge.markdown import (
    GuideLine,
    cite,
    markdown_tables,
    row_cells,
    sentence_spans,
    slug,
    strip_markup,
)
from coach.negotiation.components import (
    BASE,
    BONUS,
    BONUS_PCT,
    CUES,
    EQUITY,
    PREMIUM_PCT,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    TOTAL_COMP,
)
from coach.negotiation.money import Figure, find_figures, find_guide_figures
from coach.negotiation.playbook import Range, RegionBand

_REGION_HEADER = re.compile(r"region|location|office|metro|city|geo|market|site|country", re.I)
_NOT_REGION_HEADER = re.compile(r"level|title|role|component|band|grade", re.I)
# A table of other employers' offers names companies, not places.
_OFFER_HEADER = re.compile(r"compan|employer|competitor|firm|offer", re.I)
# Column and row names in priority order ("Total Comp" must not fall to "comp"). Headers
# name components in words sentences rarely use: "Total", "Fixed salary", "Variable".
_HEADER_EXTRA = {
    TOTAL_COMP: r"|\btotal\b|\bote\b",
    BONUS_PCT: r"|\bvariable\b|\bincentive\b|\bcommission\b",
    BASE: r"|\bfixed\b",
}
_COLUMN_RULES = [
    (CUES[c] + _HEADER_EXTRA.get(c, ""), c) for c in (TOTAL_COMP, SIGN_ON, BONUS_PCT, EQUITY, BASE)
]
# Words near a figure in the table's order; named premiums are read apart.
_COMPONENT_RULES = [(pattern, c) for c, pattern in CUES.items() if c != PREMIUM_PCT]
_BAND_COMPONENTS = {BASE, EQUITY, BONUS, BONUS_PCT, SIGN_ON, TOTAL_COMP}
# Headings and lead words that name a topic rather than a place.
_NOT_PLACE = re.compile(
    r"\b(?:bands?|pay|compensation|comp|salar(?:y|ies)|numbers?|offers?|plan|package|ranges?"
    r"|overview|summary|levels?|scripts?|levers?|sources?|evidence|tc|total|bonus|equity|base"
    r"|premium|target|anchor|walk|accept|negotiat\w*|strategy|notes?|dna|mapping|glance"
    r"|sign[- ]?on|stock|rsus?|options?|variable|faq|why|how|what|when|where)\b",
    re.I,
)
_PLACE = re.compile(r"[^\W\d_][\w .,()/&'-]{0,40}")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_LABELLED = re.compile(r"^(?P<label>[^:—–]{1,60}?)\s*(?::|\s[—–]\s)\s*(?P<value>.+)$")
_SENTENCE_PLACE = re.compile(
    r"^(?i:in|for|at)\s+(?:the\s+)?(?P<place>[A-Z][\w.'-]*(?:\s+(?:[A-Z(][\w.'()-]*))*)"
    r"(?:\s+[a-z]+){0,2}\s*,\s*(?P<rest>.+)$"
)
_BOLD_PLACE = re.compile(
    r"^\s*(?:[-*+]\s+)?\*\*(?P<place>[^*\d$€£%]{2,40}?)\*\*\s*(?:[:—–-]\s*)?(?P<rest>.+)$"
)


def header_component(name: str) -> str | None:
    """The component a column or row name names (``bonus_pct`` for any bonus), or None."""
    for pattern, key in _COLUMN_RULES:
        if re.search(pattern, name, re.I):
            return key
    return None


def column_key(name: str, cells: list[str]) -> str:
    """The component a column (or row) holds; unknown names keep a slug (``_pct`` if percent)."""
    kinds = [f[0].kind for f in (find_figures(c) for c in cells) if f]
    percent = bool(kinds) and kinds.count("percent") * 2 > len(kinds)
    if key := header_component(name):
        return key if key != BONUS_PCT or percent else BONUS
    return slug(name) + ("_pct" if percent else "") or "column"


def figure_component(fig: Figure, before: str, after: str, window: int = 3) -> str | None:
    """The component a figure is about, from the words right after it, else the ``window``
    words right before it."""
    # "plus" joins two components ("a base of 168 to 194 thousand plus a bonus target").
    after_words = " ".join(
        re.split(r"[,;.()/|—–:]|\band\b|\bor\b|\bwith\b|\bplus\b", after)[0].split()[:3]
    )
    before_words = " ".join(
        re.split(r"[,;.()/|—–]|\band\b|\bor\b|\bwith\b|\bplus\b", before)[-1].split()[-window:]
    )
    percent = fig.kind == "percent"
    for words in (after_words.lower(), before_words.lower()):
        for pattern, name in _COMPONENT_RULES:
            if re.search(pattern, words):
                if name in (SHARE_PREMIUM_PCT, EQUITY):
                    return SHARE_PREMIUM_PCT if percent else EQUITY
                if name == BONUS_PCT:
                    return BONUS_PCT if percent else BONUS
                return None if percent else name
    return None


def figures_with_components(text: str, window: int = 3) -> list[tuple[Figure, str]]:
    """Each figure of ``text`` whose component the words around it name.

    Prose ranges without a currency mark count ("a base of 168 to 194 thousand"): the
    component word beside them is what makes them pay.
    """
    figures = find_guide_figures(text)
    found = []
    for i, fig in enumerate(figures):
        before = text[figures[i - 1].end if i else 0 : fig.start]
        after = text[fig.end : figures[i + 1].start if i + 1 < len(figures) else len(text)]
        if key := figure_component(fig, before, after, window):
            found.append((fig, key))
    return found


def _looks_like_place(name: str) -> bool:
    name = name.strip().rstrip(":").strip()
    return (
        bool(_PLACE.fullmatch(name))
        and len(name.split()) <= 5
        and not find_figures(name)
        and not _NOT_PLACE.search(name)
        and name[0].isupper()
    )


# --- tables ---------------------------------------------------------------------------------


def _is_region_table(header: list[str], body: list[GuideLine]) -> bool:
    """True when the first column names places (by header, or by rows that look like names)."""
    if len(header) < 2 or not body or _NOT_REGION_HEADER.search(header[0]):
        return False
    if _OFFER_HEADER.search(header[0]) or not any(header_component(h) for h in header[1:]):
        return False
    if _REGION_HEADER.search(header[0]):
        return True
    rows = [row_cells(r.raw) for r in body]
    names_ok = all(
        re.fullmatch(r"[^\W\d_][\w .,()/&'-]{0,40}", strip_markup(r[0])) and not find_figures(r[0])
        for r in rows
    )
    return names_ok and all(any(find_figures(c) for c in r[1:]) for r in rows)


def _is_component_table(header: list[str], body: list[GuideLine]) -> bool:
    """True when rows name components and columns name places (the table turned on its side)."""
    if len(header) < 2 or not body or _REGION_HEADER.search(header[0]):
        return False
    places = [strip_markup(h) for h in header[1:]]
    if not all(places) or any(find_figures(p) or header_component(p) for p in places):
        return False
    named = [header_component(strip_markup(row_cells(r.raw)[0])) for r in body]
    return sum(1 for n in named if n) >= max(2, (len(body) + 1) // 2)


def _row_bands(guide: str, header: list[str], body: list[GuideLine]) -> list[RegionBand]:
    rows = [row_cells(r.raw) for r in body]
    keys: list[str] = []
    for i, name in enumerate(header[1:], start=1):
        key = column_key(name, [r[i] for r in rows if i < len(r)])
        keys.append(key if key not in keys else f"{key}-{i}")
    bands: list[RegionBand] = []
    for line, cells in zip(body, rows, strict=True):
        components = {}
        for key, cell in zip(keys, cells[1:], strict=False):
            if figures := find_figures(cell):
                components[key] = Range(figures[0].low, figures[0].high)
        region = strip_markup(cells[0])
        if region and components:
            bands.append(RegionBand(region, components, cite(guide, line, line.raw)))
    return bands


def _column_bands(
    guide: str, header_line: GuideLine, header: list[str], body: list[GuideLine]
) -> list[RegionBand]:
    rows = [row_cells(r.raw) for r in body]
    bands: list[RegionBand] = []
    for i, place in enumerate(header[1:], start=1):
        region = strip_markup(place)
        components: dict[str, Range] = {}
        read: list[str] = []
        for cells in rows:
            if i >= len(cells) or not (figures := find_figures(cells[i])):
                continue
            name = strip_markup(cells[0])
            key = column_key(name, [c for c in cells[1:] if c])
            if key not in components:
                components[key] = Range(figures[0].low, figures[0].high)
                read.append(f"{name}: {cells[i]}")
        if region and components:
            quote = f"{region} — " + "; ".join(read)
            bands.append(RegionBand(region, components, cite(guide, header_line, quote)))
    return bands


def _header_line(lines: list[GuideLine], body: list[GuideLine]) -> GuideLine:
    """The header row of the table whose first body row is ``body[0]`` (lines are 1-based)."""
    number = body[0].number - 1
    while number > 1 and re.fullmatch(r"[\s|:-]+", lines[number - 1].raw):
        number -= 1
    return lines[number - 1]


def table_bands(guide: str, lines: list[GuideLine]) -> list[RegionBand]:
    """Bands from the first pay table, whichever way round it is written."""
    for header, body in markdown_tables(lines):
        if _is_component_table(header, body):
            return _column_bands(guide, _header_line(lines, body), header, body)
        if _is_region_table(header, body):
            return _row_bands(guide, header, body)
    return []


# --- lists under a heading per region --------------------------------------------------------


def _labelled_component(text: str) -> tuple[str, Range, str] | None:
    """(component, range, text) of a "Base: $180k–$210k" item naming a known component."""
    match = _LABELLED.match(text.strip())
    if not match or not (figures := find_figures(match.group("value"))):
        return None
    name = match.group("label").strip()
    key = column_key(name, [match.group("value")])
    if header_component(name) is None and figures[0].kind != "money":
        return None
    return key, Range(figures[0].low, figures[0].high), text.strip()


def _is_subheading(line: GuideLine) -> bool:
    """A level-2-or-deeper Markdown heading (the title names the guide, not a place)."""
    return bool(re.match(r"^\s*#{2,6}\s", line.raw))


def list_bands(guide: str, lines: list[GuideLine]) -> list[RegionBand]:
    """Bands given as "Component: figure" items (bulleted or not) under a heading naming the place."""
    groups: dict[str, tuple[GuideLine, list[tuple[str, Range, str]]]] = {}
    heading_lines: dict[str, GuideLine] = {}
    for line in lines:
        if heading_of(line.raw):
            heading_lines[line.section] = line
        text = _BULLET.sub("", line.plain)
        if not _looks_like_place(line.heading) or heading_of(line.raw):
            continue
        start = heading_lines.get(line.section, line)
        if item := _labelled_component(text):
            # Unbulleted, it counts only if it opens with a component's name.
            if _BULLET.match(line.raw) or header_component(text.split(":")[0]):
                groups.setdefault(line.section, (start, []))[1].append(item)
        elif not _BULLET.match(line.raw) and _is_subheading(start) and "|" not in line.raw:
            # A sentence under a place's own heading (not the title): "Cash comp in Austin is
            # a base of 168 to 194 thousand plus a bonus target of $20,000 a year."
            found = _ranges(text)
            if BASE in found or TOTAL_COMP in found:
                items = [(key, rng, text.strip()) for key, rng in found.items()]
                groups.setdefault(line.section, (start, []))[1].extend(items)
    bands = []
    for start, items in groups.values():
        components: dict[str, Range] = {}
        for key, rng, _ in items:
            components.setdefault(key, rng)
        if sum(1 for key in components if key in _BAND_COMPONENTS) < 2:
            continue
        region = start.heading
        quote = f"{region} — " + "; ".join(dict.fromkeys(text for _, _, text in items))
        bands.append(RegionBand(region, components, cite(guide, start, quote)))
    return bands


# --- sentences ----------------------------------------------------------------------------------


def _ranges(text: str) -> dict[str, Range]:
    found: dict[str, Range] = {}
    # Prose puts more words between a component and its range ("Total comp there is $230K").
    for fig, key in figures_with_components(text, window=5):
        if key in _BAND_COMPONENTS:
            found.setdefault(key, Range(fig.low, fig.high))
    return found


def sentence_bands(guide: str, lines: list[GuideLine]) -> list[RegionBand]:
    """Bands stated in prose: "In Seattle, base runs $180K to $210K" or "**Seattle** — ..."."""
    bands: dict[str, RegionBand] = {}
    for line in lines:
        if line.raw.strip().startswith(("|", "#")):
            continue
        region: str | None = None
        bold = _BOLD_PLACE.match(line.raw)
        for s, e in sentence_spans(_BULLET.sub("", line.plain)):
            sentence = _BULLET.sub("", line.plain)[s:e]
            rest = sentence
            if s == 0 and bold and _looks_like_place(bold.group("place")):
                region, rest = (
                    bold.group("place").strip().rstrip(":"),
                    strip_markup(bold.group("rest")),
                )
            elif (match := _SENTENCE_PLACE.match(sentence)) and _looks_like_place(
                match.group("place")
            ):
                region, rest = match.group("place"), match.group("rest")
            if region is None or not (found := _ranges(rest)):
                continue
            if region not in bands:
                bands[region] = RegionBand(region, {}, cite(guide, line, line.plain))
            for key, rng in found.items():
                bands[region].components.setdefault(key, rng)
    return [
        b
        for b in bands.values()
        if any(k in b.components for k in (BASE, TOTAL_COMP)) and len(b.components) >= 1
    ]


def find_bands(guide: str, lines: list[GuideLine]) -> list[RegionBand]:
    """The guide's bands from its first shape that has any: table, lists, then sentences."""
    return table_bands(guide, lines) or list_bands(guide, lines) or sentence_bands(guide, lines)
