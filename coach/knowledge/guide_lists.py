"""The list-like parts of a guide: competing offers, scripts to say out loud, and levers.

``coach.knowledge.extraction`` reads a guide's table and sentences; this module reads the
items it lists ("Google ML at $455K TC", a quoted script under a heading, a numbered
**lever**). Like the extractor it never raises and keeps a ``Source`` for every value.
"""

from __future__ import annotations

import re

from coach.knowledge.markdown import GuideLine, cite, key_points, quote_in, slug, strip_markup
from coach.negotiation.components import BASE, TOTAL_COMP, whole_dollars
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

_OFFER_WHO = re.compile(r"^\s*(?P<who>[A-Z][\w&.'’ -]*?)\s*(?:\bat\b|@|:|—|–|-)\s*$")
_OFFER_FROM = re.compile(  # "a competing offer from Stripe at $410K TC"
    r"\b(?:offers?|one|another)\s+from\s+(?P<who>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*)*)"
    r"\s+(?:at|of|for|worth)\s+$"
)
_MEASURE = re.compile(r"^\W*(?:(?P<tc>tc|total comp\w*)\b|(?P<base>base)\b)?", re.I)
_LEVER = re.compile(r"^\s*\d+[.)]\s+\*\*(?P<label>[^*]+?):?\*\*:?\s*(?P<rest>.*)$")
_LABEL = re.compile(r"^\s*\*\*(?P<label>[^*]{2,60}?):?\*\*:?\s*(?P<rest>.+)$")
_SHARE_HEADING = re.compile(r"\b(?:share|shares|equity|stock|rsus?)\b", re.I)
_SCRIPT_HEADING = re.compile(r"negotiate up|script|pitch|counter", re.I)


def _company_name(who: str) -> str:
    words = who.split()
    while len(words) > 1 and (words[-1].lower() in _ROLE_TOKENS or _LEVEL_TOKEN.match(words[-1])):
        words.pop()
    return " ".join(words)


def _offer(
    guide: str, line: GuideLine, who: str, fig: Figure, tail: str, quote: str
) -> CompetingOffer:
    """A competing offer; it measures base only when the guide says so, else total comp."""
    measure = _MEASURE.match(tail)
    kind = BASE if measure and measure.group("base") else TOTAL_COMP
    return CompetingOffer(_company_name(who), whole_dollars(fig.low), kind, cite(guide, line, quote))


def _offer_from_item(guide: str, line: GuideLine, item: str) -> CompetingOffer | None:
    """An offer from a list item like ``Google ML at $455K TC`` or ``Airbnb: $395K TC``."""
    money = [f for f in find_figures(item) if f.kind == "money"]
    if len(money) != 1 or not (who := _OFFER_WHO.match(item[: money[0].start])):
        return None
    tail = item[money[0].end :].strip(" .*")
    if tail and not re.match(r"(?:tc|total comp|base|offer)\b", tail, re.I):
        return None  # trailing words mean this is not an offer ("$10B OpenAI Deal")
    return _offer(guide, line, who.group("who").strip(), money[0], tail, item)


def competing_offers(guide: str, lines: list[GuideLine]) -> list[CompetingOffer]:
    offers: list[CompetingOffer] = []
    for line in lines:
        items = [
            i
            for b in re.findall(r"\[([^\[\]]+)\]", line.plain)
            for i in re.split(r"\s+/\s+|;\s*|,\s+|\s+\|\s+", b)
        ]
        if re.search(r"competing|offers", line.heading, re.I) and re.match(
            r"\s*(?:[-*+]|\d+[.)])\s", line.raw
        ):
            items.append(re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line.plain))
        found = [_offer_from_item(guide, line, item) for item in items]
        for fig in find_figures(line.plain):
            if fig.kind == "money" and (m := _OFFER_FROM.search(line.plain[: fig.start])):
                tail = line.plain[fig.end : fig.end + 30]
                measure = _MEASURE.match(tail)
                quote = line.plain[m.start() : fig.end + (measure.end() if measure else 0)]
                found.append(_offer(guide, line, m.group("who"), fig, tail, quote))
        seen = {o.company.lower() for o in offers}
        for offer in found:
            if offer and offer.company.lower() not in seen:
                offers.append(offer)
                seen.add(offer.company.lower())
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
        if lever := _LEVER.match(body):
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
        elif _SCRIPT_HEADING.search(line.heading):
            name, title = _script_slug(line.heading), line.heading
        else:
            continue
        scripts.setdefault(name, _script(name, title, quote, cite(guide, line, quote)))
    return list(scripts.values()), levers
