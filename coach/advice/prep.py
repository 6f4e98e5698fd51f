"""The one-page prep sheet a person holds during the call (``coach prep``).

A printed page beats a chat window in the moment (people find AI guidance "verbose and
fragmented"), so this gathers what matters on one sheet: the person's numbers, the band, the
counter, two or three levers, scripts, likely pushbacks with answers and what to get in
writing. Everything is decided by code from the playbook and the counter engine, with no
model, so every figure is one the engine decided or the guide states, and each cites the line
it came from. ``PrepSheet.grounding`` runs the guard's figure check over the rendered page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.advice.prep_sheet import BandRow, Item, PrepSheet, Section
from coach.negotiation.components import (
    BASE,
    BONUS,
    BONUS_PCT,
    EQUITY,
    PREMIUM_PCT,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    format_span,
    format_value,
    label,
    terms_text,
)
from coach.negotiation.counter import (
    ACCEPTABLE,
    BELOW,
    MEETS,
    counter_for,
    evaluate_offer,
    pick_script,
    require_band,
    thresholds,
    verdict_for,
)
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Playbook, RegionBand, Script, Source
from coach.negotiation.profile import Profile

# Lengths that keep the sheet on one page for every guide shape we know of.
SCRIPT_CHARS = 300
LEVER_CHARS = 170
MAX_LEVERS = 3
MAX_SCRIPTS = 2

VERDICTS = {
    BELOW: "The offer is below your walk-away: do not accept it; counter at your target.",
    ACCEPTABLE: "The offer clears your walk-away but is short of your target: counter first.",
    MEETS: "The offer meets your target.",
}


# -- building -----------------------------------------------------------------------------

# A sentence ends at ., ! or ? (and any closing quote or bracket) before a capital letter.
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z])")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters for the page. The sentences that carry
    figures (the ask) come first in importance, then the opening one; kept sentences stay in
    order and a gap is marked with an ellipsis. A cut never splits a word, so never a figure."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = _SENTENCE.split(text)
    with_figures = [i for i, s in enumerate(sentences) if find_figures(s)]
    chosen: list[int] = []
    for index in [*with_figures, 0, *range(1, len(sentences))]:
        if index in chosen:
            continue
        if sum(len(sentences[i]) + 1 for i in chosen) + len(sentences[index]) <= limit:
            chosen.append(index)
    if not chosen:  # one long sentence: cut it at a word
        first = with_figures[0] if with_figures else 0
        return sentences[first][:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    out, last = [], -1
    for index in sorted(chosen):
        out.append(("… " if index > last + 1 else "") + sentences[index])
        last = index
    return " ".join(out) + (" …" if last < len(sentences) - 1 else "")


def _values(text: str) -> set[tuple[str, float]]:
    return {(f.kind, v) for f in find_figures(text) for v in (f.low, f.high)}


class _Builder:
    """Gathers one sheet: numbers its sources as they are cited, once each."""

    def __init__(self, playbook: Playbook, band: RegionBand | None, profile: Profile) -> None:
        self.pb = playbook
        self.band = band
        self.profile = profile
        self.cur = playbook.currency
        self.sources: list[Source] = []
        self.counter_cites: dict[str, list[int]] = {}  # per component, for later mentions

    def cite(self, source: Source | None) -> list[int]:
        """The number of ``source``'s line, numbering it on first use. Two quotes of one line
        (a guide's long sentence is quoted piecewise) share a number and keep both texts."""
        if source is None:
            return []
        for index, known in enumerate(self.sources):
            if (known.guide, known.section, known.line) == (
                source.guide,
                source.section,
                source.line,
            ):
                if source.quote not in known.quote:
                    quote = (
                        source.quote
                        if known.quote in source.quote
                        else (f"{known.quote}; {source.quote}")
                    )
                    self.sources[index] = Source(known.guide, known.section, known.line, quote)
                return [index + 1]
        self.sources.append(source)
        return [len(self.sources)]

    def cites(self, sources: list[Source | None]) -> list[int]:
        return sorted({n for s in sources for n in self.cite(s)})

    def money(self, component: str, value: float) -> str:
        return format_value(component, value, self.cur)

    def span(self, component: str) -> str:
        assert self.band is not None
        r = self.band.components[component]
        return format_span(component, r.low, r.high, self.cur)

    def own_source(self, kind: str) -> Source:
        """The profile as a source: its quote states the figures, so it grounds them."""
        own = getattr(self.profile, kind)
        words = "walk-away" if kind == "walk_away" else kind
        return Source("profile", "profile.yaml", 0, f"{words}: {terms_text(own, self.cur)}")

    def threshold_source(self, kind: str, component: str, value: float) -> Source | None:
        """The line that states the ``kind`` ("target" or "walk_away") figure in force."""
        if getattr(self.profile, kind).get(component) == value:
            return self.own_source(kind)
        stated = getattr(self.pb, kind)
        if stated is not None and stated.components.get(component) == value:
            return stated.source_for(component)
        if kind == "target":  # the engine lifts a target below the walk-away up to it
            return self.threshold_source("walk_away", component, value)
        if self.band and component in self.band.components:
            return self.band.source  # the engine's stand-in: the band's own edge
        return None

    def terms(self, kind: str, values: dict[str, float]) -> Item:
        lead = {"target": "Target", "walk_away": "Walk-away (never say it)"}[kind]
        if not values:
            return Item("not in the guide", lead)
        sources = [self.threshold_source(kind, c, v) for c, v in values.items()]
        text = terms_text(values, self.cur)
        return Item(text, lead, self.cites(sources))


def build_prep_sheet(
    playbook: Playbook,
    region: str | None = None,
    offer: dict[str, float] | None = None,
    profile: Profile | None = None,
) -> PrepSheet:
    """The prep sheet for ``playbook`` in ``region`` (every region when none is known).

    ``offer`` is the offer on the table, if any (else the profile's); the profile's target and
    walk-away win over the guide's, as they do in the engine. Raises ``InputError`` for a
    region the guide does not have.
    """
    profile = profile or Profile()
    notes: list[str] = []
    region = region or _profile_region(playbook, profile, notes)
    if not region and len(playbook.bands) == 1:
        region = playbook.bands[0].region
    band = require_band(playbook, region) if region else None
    b = _Builder(playbook, band, profile)
    offer_source = None
    if offer:
        offer_source = Source("offer", "entered", 0, f"offer: {terms_text(offer, b.cur)}")
    elif profile.offer:
        offer = dict(profile.offer)
        offer_source = Source("profile", "profile.yaml", 0, f"offer: {terms_text(offer, b.cur)}")
    offer = offer or {}
    d = _decide(playbook, band, offer, profile)
    walk, target, counter, verdict = d.walk, d.target, d.counter, d.verdict
    notes += d.notes

    numbers = [
        Item(terms_text(offer, b.cur), "Offer", b.cite(offer_source))
        if offer
        else Item("none yet", "Offer"),
        b.terms("target", target),
        b.terms("walk_away", walk),
        _counter_item(b, counter, target, offer, offer_source),
    ]
    if verdict:
        still = {c: v for c, v in target.items() if c not in offer}
        notes.insert(
            0,
            VERDICTS[verdict]
            + (
                f" Before you accept, also ask for {terms_text(still, b.cur)}."
                if verdict == MEETS and still
                else ""
            ),
        )
    elif counter:
        notes.insert(0, "No offer yet: open with your target as the anchor.")
    if not target or not walk:
        notes.append(
            "Set your own numbers with `coach profile set --target-base AMOUNT "
            "--walk-away-base AMOUNT`; this sheet does not guess them."
        )

    rows = [band] if band else playbook.bands
    bands = [
        BandRow(
            r.region,
            {c: format_span(c, x.low, x.high, b.cur) for c, x in r.components.items()},
            b.cite(r.source)[0],
        )
        for r in rows
    ]
    sections = [
        Section("levers", "Levers", _levers(b)),
        Section("scripts", "Say it", _scripts(b, target)),
        Section("pushbacks", "If they say…", _pushbacks(b, target, walk, counter)),
        Section("writing", "Get in writing", _in_writing(b, counter)),
    ]
    missing = [
        what
        for what, has in (
            ("pay bands", playbook.bands),
            ("a target", target),
            ("a walk-away", walk),
            ("levers", sections[0].items),
            ("scripts", playbook.scripts),
        )
        if not has
    ]
    return PrepSheet(
        guide=playbook.guide,
        title=playbook.title,
        region=band.region if band else "",
        currency=b.cur,
        offer=offer,
        target=target,
        walk_away=walk,
        counter=counter,
        verdict=verdict,
        numbers=numbers,
        bands=bands,
        sections=sections,
        sources=b.sources,
        notes=notes,
        missing=missing,
        engine_message=d.message,
    )


# No band: no band edges for the engine to stand in for a missing target or walk-away.
_NO_BAND = RegionBand("", {}, Source("", "", 0, ""))


@dataclass
class _Decision:
    """What the engine decided: the numbers in force, the counter and the verdict."""

    walk: dict[str, float]
    target: dict[str, float]
    counter: dict[str, float]
    verdict: str | None
    message: str
    notes: list[str]


def _decide(
    playbook: Playbook, band: RegionBand | None, offer: dict[str, float], profile: Profile
) -> _Decision:
    """The engine's counter for the offer (judged against the band when there is one), or,
    with no offer yet, the target as the opening anchor."""
    walk, target, notes = thresholds(playbook, band or _NO_BAND, profile)
    if offer and band is not None:
        advice = evaluate_offer(playbook, band.region, offer, profile)
        return _Decision(walk, target, advice.counter, advice.verdict, advice.message, notes)
    if offer:
        notes.append("Name your region (--region) to judge the offer against its band.")
        verdict = verdict_for(offer, walk, target)
        return _Decision(walk, target, counter_for(offer, target, _NO_BAND), verdict, "", notes)
    return _Decision(walk, target, dict(target), None, "", notes)


def _profile_region(playbook: Playbook, profile: Profile, notes: list[str]) -> str:
    """The profile's region when this guide has it; another guide's region is left out."""
    if profile.region and playbook.band_for(profile.region):
        return profile.region
    if profile.region and playbook.bands:
        notes.append(f"Your profile's region {profile.region!r} is not in this guide.")
    return ""


def _counter_item(
    b: _Builder,
    counter: dict[str, float],
    target: dict[str, float],
    offer: dict[str, float],
    offer_source: Source | None,
) -> Item:
    if not counter:
        return Item("none: nothing to anchor on", "Counter")
    for component, value in counter.items():
        source = None
        if target.get(component) == value:
            source = b.threshold_source("target", component, value)
        elif offer.get(component) == value:
            source = offer_source
        elif b.band and component in b.band.components:
            source = b.band.source  # the engine asks up to the top of the band
        b.counter_cites[component] = b.cite(source)
    cites = sorted({n for c in b.counter_cites.values() for n in c})
    return Item(terms_text(counter, b.cur), "Counter", cites)


def _levers(b: _Builder) -> list[Item]:
    """Competing offers and the named premium first (they carry figures), each with the
    guide's lever that argues it, then the guide's other levers; at most three."""
    pb, items, used = b.pb, [], set()

    def arguing(values: set[tuple[str, float]]) -> Script | None:
        for lever in pb.levers:
            if lever.name not in used and values & _values(lever.text):
                used.add(lever.name)
                return lever
        return None

    if pb.competing_offers:
        offers = pb.competing_offers[:3]
        text = ", ".join(
            f"{o.company} {b.money(o.measure, o.amount)} {label(o.measure)}" for o in offers
        )
        lever = arguing({("money", float(o.amount)) for o in offers})
        sources: list[Source | None] = [o.source for o in offers]
        if lever:
            text += f": “{shorten(lever.text, LEVER_CHARS)}”"
            sources.append(lever.source)
        items.append(Item(text, "Competing offers", b.cites(sources)))
    for premium in pb.premiums[:1]:
        low, high = premium.percent.low, premium.percent.high
        text = format_span(PREMIUM_PCT, low, high)
        lever = arguing({("percent", low), ("percent", high)})
        sources = [premium.source]
        if lever:
            text += f": “{shorten(lever.text, LEVER_CHARS)}”"
            sources.append(lever.source)
        items.append(Item(text, premium.name[:1].upper() + premium.name[1:], b.cites(sources)))
    # The guide's own levers fill the rest, in its order (guides put the strongest first).
    rest = [x for x in pb.levers if x.name not in used]
    for lever in rest[: MAX_LEVERS - len(items)]:
        items.append(
            Item(f"“{shorten(lever.text, LEVER_CHARS)}”", lever.title, b.cite(lever.source))
        )
    return items[:MAX_LEVERS]


def _scripts(b: _Builder, target: dict[str, float]) -> list[Item]:
    """The script the engine picks for this target first, then the guide's next one."""
    first = pick_script(b.pb, target)
    ordered = ([first] if first else []) + [s for s in b.pb.scripts if s is not first]
    return [
        Item(f"“{shorten(s.text, SCRIPT_CHARS)}”", s.title, b.cite(s.source))
        for s in ordered[:MAX_SCRIPTS]
    ]


def _other_asks(b: _Builder, target: dict[str, float]) -> list[tuple[str, list[int]]]:
    """What to ask for instead of base: the target's other components, then the band's tops."""
    asks = [
        (f"{b.money(c, v)} {label(c)}", b.cites([b.threshold_source("target", c, v)]))
        for c, v in target.items()
        if c != BASE
    ]
    named = set(target)
    for component in (SIGN_ON, EQUITY, BONUS_PCT, BONUS):
        if b.band and component in b.band.components and component not in named:
            top = b.band.components[component].high
            asks.append(
                (f"{label(component)} up to {b.money(component, top)}", b.cite(b.band.source))
            )
    return asks[:3]


def _pushbacks(
    b: _Builder, target: dict[str, float], walk: dict[str, float], counter: dict[str, float]
) -> list[Item]:
    """Likely recruiter lines and the answer the guide's figures support (decided here)."""
    items = []
    asks = _other_asks(b, target)
    if b.band and BASE in b.band.components:
        top = b.band.components[BASE].high
        text = f"Base tops out at {b.money(BASE, top)} here."
        cites = b.cite(b.band.source)
        if target.get(BASE, 0) > top and b.pb.premiums:
            premium = b.pb.premiums[0]
            span = format_span(PREMIUM_PCT, premium.percent.low, premium.percent.high)
            text += f" Your target is above it: lean on the {premium.name} ({span})."
            cites = sorted(set(cites + b.cite(premium.source)))
    else:
        text, cites = "Ask where the offer sits in the band and what the top is.", []
    if asks:
        text += f" Then move to another component: {asks[0][0]}."
        cites = sorted(set(cites + asks[0][1]))
    items.append(Item(text, "“That's the top of our band.”", cites))
    if asks:
        script = next((s for s in b.pb.scripts if s.name in ("sign-on", "share-premium")), None)
        items.append(
            Item(
                "Move the money elsewhere: "
                + "; ".join(a for a, _ in asks)
                + "."
                + (f" Use the {script.name} script." if script else ""),
                "“We can't move on base.”",
                sorted({n for _, c in asks for n in c}),
            )
        )
    if target:
        items.append(
            Item(
                f"Don't share it. Redirect to the role: “For this role I'm looking for "
                f"{terms_text(target, b.cur)}.”",
                "“What's your current salary?”",
                b.cites([b.threshold_source("target", c, v) for c, v in target.items()]),
            )
        )
    items.append(
        Item(
            "Thank them, ask for the full offer in writing and agree on a reply date. "
            "Don't accept or decline on the call.",
            "“We need an answer by Friday.”",
        )
    )
    if counter and walk:
        offers = b.pb.competing_offers[:1]
        lever = (
            f" with your alternative ({offers[0].company} "
            f"{b.money(offers[0].measure, offers[0].amount)} {label(offers[0].measure)})"
            if offers
            else ""
        )
        items.append(
            Item(
                f"Hold your counter{lever}. Below {terms_text(walk, b.cur)}, do not accept.",
                "“This is our best offer.”",
                b.cites(
                    [o.source for o in offers]
                    + [b.threshold_source("walk_away", c, v) for c, v in walk.items()]
                ),
            )
        )
    return items


def _in_writing(b: _Builder, counter: dict[str, float]) -> list[Item]:
    """The terms to have in the written offer before saying yes."""
    band = b.band.components if b.band else {}
    cites = b.cite(b.band.source) if b.band else []
    items = []
    base = "the agreed figure"
    if BASE in counter:
        base += f" (your counter: {b.money(BASE, counter[BASE])})"
    items.append(Item(base, "Base salary:", b.counter_cites.get(BASE, [])))
    equity = "number of units or options (not only a value), type, vesting schedule and cliff"
    if SHARE_PREMIUM_PCT in counter:
        equity += f"; the {b.money(SHARE_PREMIUM_PCT, counter[SHARE_PREMIUM_PCT])} share premium"
    items.append(Item(equity, "Equity:", b.counter_cites.get(SHARE_PREMIUM_PCT, [])))
    bonus = "the target and when it pays"
    for component in (BONUS_PCT, BONUS):
        if component in band:
            items.append(Item(f"{bonus} (band: {b.span(component)})", "Bonus:", cites))
            break
    else:
        items.append(Item(bonus, "Bonus:"))
    sign_on = "amount, when it is paid, and the clawback if you leave early"
    sign_on_cites: list[int] = []
    if SIGN_ON in counter:
        sign_on += f" (your ask: {b.money(SIGN_ON, counter[SIGN_ON])})"
        sign_on_cites = b.counter_cites.get(SIGN_ON, [])
    elif SIGN_ON in band:
        sign_on += f" (band: {b.span(SIGN_ON)})"
        sign_on_cites = cites
    items.append(Item(sign_on, "Sign-on:", sign_on_cites))
    items.append(Item("the start date, and that the terms hold if it moves", "Start date:"))
    level = re.split(r"\s[=≈]\s", b.pb.level_mapping)[0].strip()
    items.append(Item(f"the title and level{f': {level}' if level else ''}", "Title and level:"))
    return items
