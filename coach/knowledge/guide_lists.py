"""The list-like parts of a guide: competing offers, scripts to say out loud, and levers.

``coach.knowledge.extraction`` reads a guide's table and sentences; this module reads the
items it lists ("Google ML at $455K TC", a quoted script under a heading, a numbered
**lever**). Competing offers are read wherever the guide states them: bracketed lists, items
and sentences of a competing-offers section, a table of offers, and lines such as "I'm in
final rounds with Corvid Drones at $305,000 TC". Like the extractor it never raises and
keeps a ``Source`` for every value.
"""

from __future__ import annotations

import re

from coach.knowledge.markdown import (
    GuideLine,
    cite,
    key_points,
    markdown_tables,
    quote_in,
    row_cells,
    sentence_spans,
    slug,
    strip_markup,
)
from coach.negotiation.components import BASE, EQUITY, SIGN_ON, TOTAL_COMP, whole_dollars
from coach.negotiation.money import Figure, find_figures
from coach.negotiation.playbook import CompetingOffer, Script, Source

# Nouns that make a title's phrase a role ("ML Engineer"), not a company.
ROLE_NOUNS = {"engineer", "scientist", "developer", "manager", "designer", "analyst"}
ROLE_NOUNS |= {"architect", "researcher", "lead", "director", "swe", "sde", "pm", "sre"}
ROLE_NOUNS |= {"consultant", "specialist", "administrator", "programmer", "head", "vp"}
# Words that qualify a company in an offer list ("Google ML", "Datadog Staff DS").
_ROLE_TOKENS = ROLE_NOUNS | {"ml", "ai", "eng", "engineering", "ds", "data", "science"}
_ROLE_TOKENS |= {"backend", "frontend", "infra", "staff", "senior", "sr", "principal", "mle"}
_LEVEL_TOKEN = re.compile(r"^(?:[lei]\d+|ic\d+)$", re.I)

_OFFER_WHO = re.compile(r"^\s*(?P<who>[A-Z][\w&.'’ -]*?)\s*(?:\bat\b|@|:|—|–|-|,)?\s*$")
_OFFER_FROM = re.compile(  # "a competing offer from Stripe at $410K TC", "final rounds with X at"
    r"\b(?:offers?|one|another|rounds?|process|loop|interviewing|talks|onsite)\s+(?:from|with)\s+"
    r"(?P<who>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*)*)"
    r"(?:\s+(?:in|\()[^$€£.;]{0,40}?)?\s+(?:at|of|for|worth)\s+$"
)
# "Orrery Analytics has offered me £110,000 salary", "Pinecrest Labs offered me $176,000 base".
_OFFERED = re.compile(
    r"(?P<who>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*)*)\s+(?:has\s+|have\s+|just\s+)?"
    r"(?:offered|put\s+in\s+an\s+offer\s+of)\s+(?:me\s+)?(?:about\s+|around\s+)?$"
)
_MEASURE = re.compile(
    r"^\W*(?:(?P<tc>tc|total comp\w*|(?:total )?package|all[- ]in)\b"
    r"|(?P<base>(?:fixed |base |annual )?(?:base|salary))\b"
    r"|(?P<equity>equity|rsus?|stock|options?)\b|(?P<sign_on>sign[- ]?on|signing)\b)?",
    re.I,
)
# An item's tail after the figure that still reads as an offer ("TC (written)", "base").
_OFFER_TAIL = re.compile(
    r"(?:tc|total comp|(?:total )?package|all[- ]in|(?:fixed |base )?(?:base|salary)|offer)\b"
    r"|\(",
    re.I,
)
_OFFERS_HEADING = re.compile(r"competing|offers|alternatives|other offers", re.I)
_OFFER_TABLE_HEADER = re.compile(r"compan|employer|competitor|firm", re.I)
_LEVER = re.compile(r"^\s*\d+[.)]\s+\*\*(?P<label>[^*]+?):?\*\*:?\s*(?P<rest>.*)$")
# "- **Design-system leverage:** "..."" under a "Levers" heading: a bulleted lever.
_BULLET_LEVER = re.compile(r"^\s*[-*+]\s+\*\*(?P<label>[^*]+?):?\*\*:?\s*(?P<rest>.*)$")
_LEVERS_HEADING = re.compile(r"\blevers?\b", re.I)
_LABEL = re.compile(r"^\s*\*\*(?P<label>[^*]{2,60}?):?\*\*:?\s*(?P<rest>.+)$")
_SHARE_HEADING = re.compile(r"\b(?:share|shares|equity|stock|rsus?)\b", re.I)
_SCRIPT_HEADING = re.compile(r"negotiate up|script|pitch|counter", re.I)


def _company_name(who: str) -> str:
    words = who.split()
    while len(words) > 1 and (words[-1].lower() in _ROLE_TOKENS or _LEVEL_TOKEN.match(words[-1])):
        words.pop()
    return " ".join(words)


def _measure(tail: str) -> str:
    """What an offer's figure measures, from the words after it; total comp unless said."""
    measure = _MEASURE.match(tail)
    if measure and measure.group("base"):
        return BASE
    if measure and measure.group("equity"):
        return EQUITY
    if measure and measure.group("sign_on"):
        return SIGN_ON
    return TOTAL_COMP


def _offer(
    guide: str, line: GuideLine, who: str, fig: Figure, tail: str, quote: str
) -> CompetingOffer:
    """A competing offer; it measures base only when the guide says so, else total comp."""
    return CompetingOffer(
        _company_name(who), whole_dollars(fig.low), _measure(tail), cite(guide, line, quote)
    )


def _who(prefix: str) -> str | None:
    """The company named before an offer's figure: "Halden Autonomy, Senior Engineer:" ->
    "Halden Autonomy"; "Offers you may be weighing: Ledgerly, Principal Designer," -> "Ledgerly".
    """
    # "Ridgeline Cloud: about $285k all-in": the hedge is not part of the name.
    prefix = re.sub(r"\s*\b(?:about|around|roughly|approximately|approx\.?|~)\s*$", "",
                    prefix.strip(), flags=re.I)
    prefix = re.sub(r"(?:\s*(?:\bat\b|@|:|—|–|-|,))+\s*$", "", prefix.strip())
    prefix = prefix.rsplit(": ", 1)[-1]
    who = re.split(r",\s+|\s+\(|\s+[—–-]\s+", prefix, maxsplit=1)[0].strip()
    if not (match := _OFFER_WHO.match(who)) or len(who.split()) > 6:
        return None
    return match.group("who").strip()


def _offer_from_item(guide: str, line: GuideLine, item: str) -> CompetingOffer | None:
    """An offer from a list item like ``Google ML at $455K TC`` or ``Airbnb: $395K TC``.

    An item may spell the offer out ("Quillfeather: £104,000 salary + £80,000 of options");
    its first figure is the offer, measured by the words right after it.
    """
    money = [f for f in find_figures(item) if f.kind == "money"]
    if not money or not (who := _who(item[: money[0].start])):
        return None
    tail = item[money[0].end :].strip(" .*")
    if len(money) > 1:
        tail = re.split(r"\s*(?:[,+;(]|\bplus\b|\band\b)\s*", tail, maxsplit=1)[0]
    if tail and not _OFFER_TAIL.match(tail):
        return None  # trailing words mean this is not an offer ("$10B OpenAI Deal")
    return _offer(guide, line, who, money[0], tail, item.strip())


def _table_offers(guide: str, lines: list[GuideLine]) -> list[CompetingOffer]:
    """Offers from a table whose first column names companies."""
    by_number = {line.number: line for line in lines}
    found: list[CompetingOffer] = []
    for header, body in markdown_tables(lines):
        in_offers = _OFFERS_HEADING.search(body[0].heading) if body else None
        if not (_OFFER_TABLE_HEADER.search(header[0]) or in_offers):
            continue
        for row in body:
            cells = [strip_markup(c) for c in row_cells(row.raw)]
            for i, cell in enumerate(cells[1:], start=1):
                money = [f for f in find_figures(cell) if f.kind == "money"]
                if money and cells[0] and not find_figures(cells[0]):
                    tail = cell[money[0].end :] or (header[i] if i < len(header) else "")
                    line = by_number[row.number]
                    quote = f"{cells[0]} — {cell}"
                    found.append(_offer(guide, line, cells[0], money[0], tail, quote))
                    break
    return found


def competing_offers(guide: str, lines: list[GuideLine]) -> list[CompetingOffer]:
    """Every competing offer the guide names, once per company, in the order first named."""
    offers: list[CompetingOffer] = []
    seen: set[str] = set()

    def add(found: list[CompetingOffer | None]) -> None:
        for offer in found:
            if offer and offer.company and offer.company.lower() not in seen:
                offers.append(offer)
                seen.add(offer.company.lower())

    table_rows = {r.number for _, body in markdown_tables(lines) for r in body}
    in_tables = _table_offers(guide, lines)
    for line in lines:
        if line.number in table_rows:
            add([o for o in in_tables if o.source.line == line.number])
            continue
        items = [
            i
            for b in re.findall(r"\[([^\[\]]+)\]", line.plain)
            for i in re.split(r"\s+/\s+|;\s*|,\s+|\s+\|\s+", b)
        ]
        if _OFFERS_HEADING.search(line.heading) and not line.raw.lstrip().startswith("#"):
            text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line.plain)
            items += [text[s:e] for s, e in sentence_spans(text)]
        found = [_offer_from_item(guide, line, item) for item in items]
        for fig in find_figures(line.plain):
            before = line.plain[: fig.start]
            m = _OFFER_FROM.search(before) or _OFFERED.search(before)
            if fig.kind == "money" and m:
                tail = line.plain[fig.end : fig.end + 30]
                measure = _MEASURE.match(tail)
                quote = line.plain[m.start() : fig.end + (measure.end() if measure else 0)]
                found.append(_offer(guide, line, m.group("who"), fig, tail, quote))
        add(found)
    return offers


def _script(name: str, title: str, text: str, source: Source) -> Script:
    return Script(name, title.strip(), text, key_points(text), source)


def _script_slug(label: str) -> str:
    return re.sub(r"(?:-(?:strategy|script))+$", "", slug(label)) or "script"


def scripts_and_levers(guide: str, lines: list[GuideLine]) -> tuple[list[Script], list[Script]]:
    """(scripts, levers): the share-premium and labelled/heading scripts, and numbered levers."""
    scripts: dict[str, Script] = {}
    levers: list[Script] = []
    for line in lines:
        body = re.sub(r"^\s*>\s*", "", line.raw)  # blockquoted scripts read the same
        lever = _LEVER.match(body) or (
            _BULLET_LEVER.match(body) if _LEVERS_HEADING.search(line.heading) else None
        )
        if lever:
            text = quote_in(lever.group("rest")) or strip_markup(lever.group("rest"))
            if text:
                label = lever.group("label").strip()
                levers.append(_script(slug(label), label, text, cite(guide, line, text)))
            continue
        if not (quote := quote_in(line.plain)):
            continue
        if (labelled := _LABEL.match(body)) and quote_in(labelled.group("rest")):
            name, title = _script_slug(labelled.group("label")), labelled.group("label")
        elif _SHARE_HEADING.search(line.heading):
            name, title = "share-premium", line.heading
        elif _SCRIPT_HEADING.search(line.heading) or _SCRIPT_HEADING.search(
            line.section.rsplit(line.heading, 1)[0]
        ):
            # "## Scripts" / "### When the recruiter asks for your number": a quote under a
            # topic heading inside a scripts section is that topic's script.
            name, title = _script_slug(line.heading), line.heading
        else:
            continue
        scripts.setdefault(name, _script(name, title, quote, cite(guide, line, quote)))
    return list(scripts.values()), levers
