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
from collections import Counter

from coach.knowledge.bands import figures_with_components, find_bands
from coach.knowledge.chunking import heading_of
from coach.knowledge.guide_facts import guide_facts
from coach.knowledge.guide_lists import ROLE_NOUNS, competing_offers, scripts_and_levers
from coach.knowledge.markdown import (
    SECTION_SEP,
    GuideLine,
    cite,
    scan_lines,
    sentence_spans,
)
from coach.negotiation.components import PREMIUM_PCT, format_span
from coach.negotiation.money import find_figures, format_money
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
# "Target bonus" names a bonus, not the candidate's target.
# So does "bonus target" ("$15,000 bonus target" in a rival's offer).
_TARGET_CUE = re.compile(
    r"(?<!bonus )(?<!variable )\btarget(?:ing|ed)?\b(?!\s+(?:bonus|bonuses|variable)\b)"
    r"|\banchor(?:ing)? (?:at|with)\b|\banchor\s*:|\baim(?:ing)? (?:for|at)\b"
    r"|\bopen(?:ing)? (?:at|with)\b|\bopening (?:number|ask|figure|position)\b",
    re.I,
)
# A further component of the target may be stated as an ask ("Sign-on ask: $40,000").
_ASK_CUE = re.compile(r"\bask(?:ing)?\b", re.I)
_WALK_CUE = re.compile(
    r"\baccept(?:ing)? (?:at|if|anything|less|nothing)\b|\bwalk[- ]?away\b|\bminimum acceptable\b"
    r"|\bfloor\b|\bbottom[- ]line\b|\bwon'?t go below\b|\breservation (?:point|price)\b"
    r"|\b(?:don'?t|do not|never) (?:accept|go (?:below|under)|settle)\b|\bno less than\b"
    r"|\bleast (?:you|i) (?:should|can|will|would) (?:accept|take)\b",
    re.I,
)
# The least of something: a premium's floor is said with these as often as with walk-away cues.
_LEAST = re.compile(r"\b(?:the )?least (?:you|i) (?:should|can|will|would) (?:accept|take)\b"
                    r"|\bsettle for less\b|\bless than\b|\bat least\b", re.I)
_PREMIUM_AFTER = re.compile(r"^\s*((?:[A-Za-z][\w/-]*\s+){0,2}?)premium\b", re.I)
_PREMIUM_BEFORE = re.compile(r"((?:[A-Za-z][\w/-]*\s+){0,2})premium\s*(?::|of|is|=)?\s*$", re.I)
_PREMIUM_LABEL = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?P<words>(?:[A-Za-z][\w/-]*\s+){0,3})premium\s*:", re.I
)
_LEVEL_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:level(?:s|ling|ing)?(?:\s+(?:mapping|map|equivalents?))?)\s*:\s*(.+)$",
    re.I,
)
_LEVEL_HEADING = re.compile(r"^level(?:s|ling|ing)?(?:\s+(?:mapping|map|equivalents?))?$", re.I)
_STOPWORDS = {"the", "a", "an", "with", "and", "of", "our", "your", "my", "this", "plus"}


def _role_and_company(title: str) -> tuple[str, str]:
    """Role and company from titles like ``Role | Company Guide`` or ``Role at Company``."""

    def strip_guide_words(part: str) -> str:
        words = part.split()
        while words and words[-1].lower().strip(".,") in _GUIDE_WORDS:
            words.pop()
        return " ".join(words)

    parts = [strip_guide_words(p) for p in re.split(r"\s+[|—–·•-]\s+|\s*\|\s*|:\s+", title)]
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


def _opens_with(line: GuideLine | None, company: str) -> bool:
    """Whether ``line`` is about ``company`` alone: an item that opens with its name.

    A line that only mentions a rival among other things (the Negotiate Up script naming
    three offers, then "Accept at $248K+") still states the person's own terms.
    """
    if line is None or not company:
        return False
    opening = " ".join(re.sub(r"^\W*(?:\d+[.)]\s*)?", "", line.plain).split()[:6]).lower()
    first = company.split()[0].lower()
    return first in opening.split() or opening.startswith(company.lower())


def _components(text: str, use_high: bool) -> dict[str, float]:
    """Component figures stated in one sentence (first mention of each component wins)."""
    found: dict[str, float] = {}
    for fig, key in figures_with_components(text):
        found.setdefault(key, fig.high if use_high else fig.low)
    return found


def _threshold(
    guide: str,
    lines: list[GuideLine],
    cue: re.Pattern[str],
    high: bool,
    skip: set[int],
    more: re.Pattern[str] | None = None,
) -> Threshold | None:
    """The sentence with ``cue`` stating the most component figures (the first on a tie).

    Components it leaves out that another sentence of its section states (with ``cue`` or
    ``more``) are added, each citing its own line.
    """
    stated: list[tuple[GuideLine, str, dict[str, float]]] = []
    for line in lines:
        if line.raw.strip().startswith("|") or line.number in skip:
            continue
        earlier_pct: str | None = None  # the percent component an earlier sentence named
        for s, e in sentence_spans(line.plain):
            sentence = line.plain[s:e]
            comps = _components(sentence, high)
            if earlier_pct and not any(k.endswith("_pct") for k in comps):
                # "...ask for 30% more options. The least you should accept is 15% more."
                bare = [f for f in find_figures(sentence) if f.kind == "percent"]
                if bare:
                    comps[earlier_pct] = bare[0].high if high else bare[0].low
            earlier_pct = earlier_pct or next((k for k in comps if k.endswith("_pct")), None)
            cued = cue.search(sentence) or (more and more.search(sentence))
            if cued and comps:
                stated.append((line, sentence, comps))
    best: tuple[GuideLine, str, dict[str, float]] | None = None
    for line, sentence, comps in stated:
        if cue.search(sentence) and (best is None or len(comps) > len(best[2])):
            best = (line, sentence, comps)
    if best is None:
        return None
    threshold = Threshold(dict(best[2]), cite(guide, best[0], best[1]))
    for line, sentence, comps in stated:
        if line.section != best[0].section:
            continue
        for key, value in comps.items():
            if key not in threshold.components:
                threshold.components[key] = value
                threshold.component_sources[key] = cite(guide, line, sentence)
    return threshold


def _premium_name(words: str) -> str | None:
    kept = [w for w in words.split() if w.lower() not in _STOPWORDS]
    if any(re.search(r"share|equity|stock|rsu", w, re.I) for w in kept):
        return None  # a share premium is a negotiated component, not a named premium
    kept = [w.upper() if w.isupper() and len(w) <= 3 else w.lower() for w in kept]
    return " ".join([*kept, "premium"])


def _premium_floor(rest: str) -> Range | None:
    """The least to accept of a premium, said later on its line ("Don't settle for less than
    8%", "The least you should accept is 15% more")."""
    for s, e in sentence_spans(rest):
        sentence = rest[s:e]
        percents = [f for f in find_figures(sentence) if f.kind == "percent"]
        if percents and (_WALK_CUE.search(sentence) or _LEAST.search(sentence)):
            return Range(percents[0].low, percents[0].high)
    return None


def _premiums(guide: str, lines: list[GuideLine], skip: set[int]) -> list[Premium]:
    """Named premiums ("+15–25% AI premium", "**Safety premium:** ... 8% more base").

    A premium stated again without its name ("the 12% premium") is the same premium, so a
    bare "premium" is kept only when no named premium has its figure.
    """
    premiums: dict[tuple[str, Range | None], Premium] = {}
    for line in lines:
        if line.number in skip:
            continue
        labelled = _PREMIUM_LABEL.match(line.plain)
        for fig in find_figures(line.plain):
            if fig.kind != "percent":
                continue
            after = _PREMIUM_AFTER.match(line.plain[fig.end :])
            before = _PREMIUM_BEFORE.search(line.plain[: fig.start])
            name = _premium_name((after or before).group(1)) if (after or before) else None
            if labelled and name in (None, "premium"):
                name = _premium_name(labelled.group("words")) or name
                labelled = None  # the label names the line's first premium figure only
            if not name:
                continue
            percent = Range(fig.low, fig.high)
            # Named premiums are one each; bare "premium"s are told apart by their figure.
            key = (name.lower(), percent if name == "premium" else None)
            if key not in premiums:
                floor = _premium_floor(line.plain[fig.end :]) if name != "premium" else None
                premiums[key] = Premium(name, percent, cite(guide, line, line.plain), floor)
    named = {p.percent for (name, _), p in premiums.items() if name != "premium"}
    return [p for (name, _), p in premiums.items() if name != "premium" or p.percent not in named]


def _level_mapping(lines: list[GuideLine]) -> str:
    """The "Level mapping:" line, or the first line under a "Levels" heading."""
    for i, line in enumerate(lines):
        if match := _LEVEL_LINE.match(line.plain):
            return match.group(1).strip().rstrip(".")
        if heading_of(line.raw) and _LEVEL_HEADING.match(line.heading.strip()):
            for below in lines[i + 1 :]:
                if heading_of(below.raw):
                    break
                if text := re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", below.plain).strip():
                    return text.rstrip(".")
    return ""


def _currency(bands: list[RegionBand], lines: list[GuideLine]) -> str:
    """The guide's currency: that of its band figures, else of most of its money figures."""
    band_text = [b.source.quote for b in bands]
    texts = band_text or [line.plain for line in lines]
    counts = Counter(f.currency for t in texts for f in find_figures(t) if f.kind == "money")
    return counts.most_common(1)[0][0] if counts else "USD"


def _in_band(line: GuideLine, band: RegionBand) -> bool:
    """Whether ``line`` is one the band was read from (its row, or an item it quotes)."""
    if line.number == band.source.line:
        return True
    item = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line.plain).strip()
    return bool(item) and bool(find_figures(item)) and item in band.source.quote


def extract_playbook(guide_id: str, text: str, title: str | None = None) -> Playbook:
    """The structured terms of one guide, each value citing its line; never raises."""
    text = text or ""
    first_heading = next((h[1] for raw in text.splitlines() if (h := heading_of(raw))), "")
    title = (title or first_heading or guide_id).strip()
    # A title that is only the guide id names no role or company.
    role, company = _role_and_company(title) if title != guide_id else ("", "")
    lines = scan_lines(text, title)
    scripts, levers = scripts_and_levers(guide_id, lines)
    bands = find_bands(guide_id, lines)
    # Band lines state pay ranges: no target, premium or company fact is read from them.
    band_lines = {
        line.number
        for line in lines
        for band in bands
        if line.section == band.source.section and _in_band(line, band)
    }
    offers = competing_offers(guide_id, lines)
    # A rival's offer line ("$182,000 base, ... $15,000 bonus target") is not the person's
    # target or walk-away, and its figures are not company facts.
    by_number = {line.number: line for line in lines}
    not_terms = band_lines | {
        offer.source.line
        for offer in offers
        if _opens_with(by_number.get(offer.source.line), offer.company)
    }
    pb = Playbook(
        guide=guide_id,
        title=title,
        role=role,
        company=company,
        level_mapping=_level_mapping(lines),
        bands=bands,
        premiums=_premiums(guide_id, lines, band_lines),
        target=_threshold(guide_id, lines, _TARGET_CUE, True, not_terms, more=_ASK_CUE),
        walk_away=_threshold(guide_id, lines, _WALK_CUE, False, not_terms),
        competing_offers=offers,
        scripts=scripts,
        levers=levers,
        currency=_currency(bands, lines),
        facts=guide_facts(guide_id, lines, not_terms),
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
    cur = pb.currency
    if cur != "USD":
        add("currency", cur)
    for band in pb.bands:
        for key, rng in band.components.items():
            add(f"{band.region} · {key}", format_span(key, rng.low, rng.high, cur), band.source)
    for p in pb.premiums:
        shown = format_span(PREMIUM_PCT, p.percent.low, p.percent.high)
        if p.floor is not None:
            shown += f" (no less than {format_span(PREMIUM_PCT, p.floor.low, p.floor.high)})"
        add(p.name, shown, p.source)
    for label, threshold in (("target", pb.target), ("walk-away", pb.walk_away)):
        if threshold is not None:
            for key, amount in threshold.components.items():
                shown = format_span(key, amount, amount, cur)
                add(f"{label} · {key}", shown, threshold.source_for(key))
    for o in pb.competing_offers:
        add(f"competing · {o.company}", f"{format_money(o.amount, cur)} {o.measure}", o.source)
    for fact in pb.facts:
        add(f"{fact.kind} · {fact.label}", fact.text, fact.source)
    for kind, scripts in (("script", pb.scripts), ("lever", pb.levers)):
        for script in scripts:
            preview = script.text if len(script.text) <= 70 else script.text[:67].rstrip() + "..."
            add(f"{kind} · {script.name}", preview, script.source)
    return rows
