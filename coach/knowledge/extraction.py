"""Turning a negotiation guide's Markdown into its structured terms (a ``Playbook``).

Guides share a loose shape rather than a schema: a title naming role and company, a
compensation table by region, premium call-outs, a target and walk-away line, competing
offers and quoted scripts. The extractor reads that shape by cues (header keywords, phrases
such as "targeting" or "walk away below") so it works on guides it has never seen. Every
value keeps a ``Source`` so advice can cite the guide line it came from. It never raises:
whatever it cannot find is listed in ``Playbook.missing``.
"""

from __future__ import annotations

import re

from coach.knowledge.chunking import heading_of
from coach.knowledge.guide_lists import ROLE_NOUNS, competing_offers, scripts_and_levers
from coach.knowledge.markdown import (
    SECTION_SEP,
    GuideLine,
    cite,
    markdown_tables,
    row_cells,
    scan_lines,
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
    format_span,
)
from coach.negotiation.money import Figure, find_figures, format_money
from coach.negotiation.playbook import (
    Playbook,
    Premium,
    Range,
    RegionBand,
    Source,
    Threshold,
)

CHECKED_FIELDS = ["bands", "target", "walk_away", "competing_offers", "scripts"]

_GUIDE_WORDS = {"global", "negotiation", "negotiating", "guide", "playbook", "handbook"}
_GUIDE_WORDS |= {"compensation", "comp", "salary", "offer", "notes", "cheat", "sheet"}
_REGION_HEADER = re.compile(r"region|location|office|metro|city|geo|market|site|country", re.I)
_NOT_REGION_HEADER = re.compile(r"level|title|role|component|band|grade", re.I)
# Column headers in priority order ("Total Comp" must not fall to "comp"); a header may say
# "Total" alone where a sentence says "total comp".
_COLUMN_RULES = [
    (rf"\btotal\b|{CUES[c]}" if c == TOTAL_COMP else CUES[c], c)
    for c in (TOTAL_COMP, SIGN_ON, BONUS_PCT, EQUITY, BASE)
]
# Words near a figure in the table's order; named premiums are read apart (``_premiums``).
_COMPONENT_RULES = [(pattern, c) for c, pattern in CUES.items() if c != PREMIUM_PCT]
_TARGET_CUE = re.compile(r"\btarget(?:ing|ed)?\b|\banchor(?:ing)? at\b|\baim(?:ing)? for\b", re.I)
_WALK_CUE = re.compile(
    r"\baccept(?:ing)? (?:at|if|anything|less)\b|\bwalk[- ]?away\b|\bminimum acceptable\b|\bfloor\b"
    r"|\bbottom[- ]line\b|\bwon'?t go below\b|\breservation (?:point|price)\b",
    re.I,
)
_PREMIUM_AFTER = re.compile(r"^\s*((?:[A-Za-z][\w/-]*\s+){0,2}?)premium\b", re.I)
_PREMIUM_BEFORE = re.compile(r"((?:[A-Za-z][\w/-]*\s+){0,2})premium\s*(?::|of|is|=)?\s*$", re.I)
_STOPWORDS = {"the", "a", "an", "with", "and", "of", "our", "your", "my", "this", "plus"}


def _role_and_company(title: str) -> tuple[str, str]:
    """Role and company from titles like ``Role | Company Guide`` or ``Role at Company``."""

    def strip_guide_words(part: str) -> str:
        words = part.split()
        while words and words[-1].lower().strip(".,") in _GUIDE_WORDS:
            words.pop()
        return " ".join(words)

    parts = [strip_guide_words(p) for p in re.split(r"\s+[|—–-]\s+|\s*\|\s*|:\s+", title)]
    parts = [p for p in parts if p]
    for part in parts:
        if " at " in part:
            role, company = part.rsplit(" at ", 1)
            return role.strip(), company.strip()
    is_role = [any(w.lower().strip(".,()") in ROLE_NOUNS for w in p.split()) for p in parts]
    if len(parts) < 2:
        # A lone phrase is a role only if it names one ("Salary Negotiation Basics" is not).
        return (parts[0] if parts and is_role[0] else ""), ""
    role_index = is_role.index(True) if True in is_role else 0
    company = next(p for i, p in enumerate(parts) if i != role_index)
    return parts[role_index], company


def _is_region_table(header: list[str], body: list[GuideLine]) -> bool:
    """True when the first column names places (by header, or by rows that look like names)."""
    if len(header) < 2 or not body or _NOT_REGION_HEADER.search(header[0]):
        return False
    if _REGION_HEADER.search(header[0]):
        return True
    rows = [row_cells(r.raw) for r in body]
    names_ok = all(
        re.fullmatch(r"[^\W\d_][\w .,()/&'-]{0,40}", strip_markup(r[0])) and not find_figures(r[0])
        for r in rows
    )
    return names_ok and all(any(find_figures(c) for c in r[1:]) for r in rows)


def _column_key(header: str, cells: list[str]) -> str:
    """The component a column holds; unknown columns keep a slug (``_pct`` if percentages)."""
    kinds = [f[0].kind for f in (find_figures(c) for c in cells) if f]
    percent = bool(kinds) and kinds.count("percent") * 2 > len(kinds)
    for pattern, key in _COLUMN_RULES:
        if re.search(pattern, header, re.I):
            return key if key != BONUS_PCT or percent else BONUS
    return slug(header) + ("_pct" if percent else "") or "column"


def _bands(guide: str, lines: list[GuideLine]) -> list[RegionBand]:
    for header, body in markdown_tables(lines):
        if not _is_region_table(header, body):
            continue
        rows = [row_cells(r.raw) for r in body]
        keys: list[str] = []
        for i, name in enumerate(header[1:], start=1):
            key = _column_key(name, [r[i] for r in rows if i < len(r)])
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
    return []


def _component(fig: Figure, before: str, after: str) -> str | None:
    """The component a figure is about, from the words right after it, else right before."""
    after_words = " ".join(re.split(r"[,;.()/|—–:]|\band\b|\bor\b|\bwith\b", after)[0].split()[:3])
    before_words = " ".join(
        re.split(r"[,;.()/|—–]|\band\b|\bor\b|\bwith\b", before)[-1].split()[-3:]
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


def _components(text: str, use_high: bool) -> dict[str, float]:
    """Component figures stated in one sentence (first mention of each component wins)."""
    figures = find_figures(text)
    found: dict[str, float] = {}
    for i, fig in enumerate(figures):
        before = text[figures[i - 1].end if i else 0 : fig.start]
        after = text[fig.end : figures[i + 1].start if i + 1 < len(figures) else len(text)]
        key = _component(fig, before, after)
        if key and key not in found:
            found[key] = fig.high if use_high else fig.low
    return found


def _threshold(
    guide: str, lines: list[GuideLine], cue: re.Pattern[str], high: bool
) -> Threshold | None:
    """The sentence with ``cue`` stating the most component figures (the first on a tie)."""
    best: Threshold | None = None
    for line in lines:
        if line.raw.strip().startswith("|"):
            continue
        for s, e in sentence_spans(line.plain):
            sentence = line.plain[s:e]
            comps = _components(sentence, high) if cue.search(sentence) else {}
            if comps and (best is None or len(comps) > len(best.components)):
                best = Threshold(comps, cite(guide, line, sentence))
    return best


def _premium_name(words: str) -> str | None:
    kept = [w for w in words.split() if w.lower() not in _STOPWORDS]
    if any(re.search(r"share|equity|stock|rsu", w, re.I) for w in kept):
        return None  # a share premium is a negotiated component, not a named premium
    kept = [w.upper() if w.isupper() and len(w) <= 3 else w.lower() for w in kept]
    return " ".join([*kept, "premium"])


def _premiums(guide: str, lines: list[GuideLine]) -> list[Premium]:
    premiums: dict[str, Premium] = {}
    for line in lines:
        for fig in find_figures(line.plain):
            if fig.kind != "percent":
                continue
            after = _PREMIUM_AFTER.match(line.plain[fig.end :])
            before = _PREMIUM_BEFORE.search(line.plain[: fig.start])
            name = _premium_name((after or before).group(1)) if (after or before) else None
            if name and name.lower() not in premiums:
                src = cite(guide, line, line.plain)
                premiums[name.lower()] = Premium(name, Range(fig.low, fig.high), src)
    return list(premiums.values())


def _level_mapping(lines: list[GuideLine]) -> str:
    for line in lines:
        if match := re.match(r"^\s*level mapping\s*:\s*(.+)$", line.plain, re.I):
            return match.group(1).strip()
    return ""


def extract_playbook(guide_id: str, text: str, title: str | None = None) -> Playbook:
    """The structured terms of one guide, each value citing its line; never raises."""
    text = text or ""
    first_heading = next((h[1] for raw in text.splitlines() if (h := heading_of(raw))), "")
    title = (title or first_heading or guide_id).strip()
    # A title that is only the guide id names no role or company.
    role, company = _role_and_company(title) if title != guide_id else ("", "")
    lines = scan_lines(text, title)
    scripts, levers = scripts_and_levers(guide_id, lines)
    pb = Playbook(
        guide=guide_id,
        title=title,
        role=role,
        company=company,
        level_mapping=_level_mapping(lines),
        bands=_bands(guide_id, lines),
        premiums=_premiums(guide_id, lines),
        target=_threshold(guide_id, lines, _TARGET_CUE, high=True),
        walk_away=_threshold(guide_id, lines, _WALK_CUE, high=False),
        competing_offers=competing_offers(guide_id, lines),
        scripts=scripts,
        levers=levers,
    )
    pb.missing = [name for name in CHECKED_FIELDS if not getattr(pb, name)]
    return pb


def render_playbook_rows(pb: Playbook) -> list[tuple[str, str, str]]:
    """(field, value, source) rows describing a playbook, for the CLI's table.

    The title and ``missing`` are left out: the CLI shows them around the table.
    """
    rows: list[tuple[str, str, str]] = []

    def add(field: str, value: str, src: Source | None = None) -> None:
        if not src:
            rows.append((field, value, ""))
            return
        # The title is the table's heading already, so cite the section below it.
        section = src.section.removeprefix(pb.title).removeprefix(SECTION_SEP)
        rows.append(
            (field, value, f"{section}, line {src.line}" if section else f"line {src.line}")
        )

    for name, text in (("role", pb.role), ("company", pb.company), ("levels", pb.level_mapping)):
        if text:
            add(name, text)
    for band in pb.bands:
        for key, rng in band.components.items():
            add(f"{band.region} · {key}", format_span(key, rng.low, rng.high), band.source)
    for p in pb.premiums:
        add(p.name, format_span(PREMIUM_PCT, p.percent.low, p.percent.high), p.source)
    for label, threshold in (("target", pb.target), ("walk-away", pb.walk_away)):
        if threshold is not None:
            for key, amount in threshold.components.items():
                add(f"{label} · {key}", format_span(key, amount, amount), threshold.source)
    for o in pb.competing_offers:
        add(f"competing · {o.company}", f"{format_money(o.amount)} {o.measure}", o.source)
    for kind, scripts in (("script", pb.scripts), ("lever", pb.levers)):
        for script in scripts:
            preview = script.text if len(script.text) <= 70 else script.text[:67].rstrip() + "..."
            add(f"{kind} · {script.name}", preview, script.source)
    return rows
