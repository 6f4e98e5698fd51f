"""Routing money questions to the engine ("what should I counter with?", "should I accept $240K?").

Questions about what to ask for, whether to accept, the walk-away or the target are answered
from the engine's decision, not from retrieved prose, so a small model is never the one
choosing a number. Everything else returns ``None`` and goes to retrieval.
"""

from __future__ import annotations

import re

from coach.advice.drafting import Draft, counter_draft, find_region
from coach.config import Settings
from coach.negotiation.citations import Citation, cite
from coach.negotiation.components import (
    BASE,
    CUES,
    EQUITY,
    PREMIUM_PCT,
    SIGN_ON,
    format_span,
    format_value,
    label,
    terms_text,
)
from coach.negotiation.counter import evaluate_offer, thresholds
from coach.negotiation.money import find_figures, format_money
from coach.negotiation.playbook import Playbook
from coach.negotiation.profile import Profile, load_profile

_COUNTER = re.compile(
    r"\bcounter|\bask(ing)? for\b|\bnegotiate up\b|\bhow much (should|can) i\b", re.I
)
_ACCEPT = re.compile(
    r"\b(accept|take (it|the offer|this)|sign|good offer|is .* (fair|enough))\b", re.I
)
_WALK = re.compile(r"walk[- ]?away|\bminimum\b|\blowest\b|\bfloor\b|\bbottom line\b", re.I)
_TARGET = re.compile(r"\btarget\b|\banchor\b", re.I)
_COMPETING = re.compile(r"competing|other offers?|competitor|\bleaving\b", re.I)
_PREMIUM = re.compile(r"\bpremium\b", re.I)
_SCRIPT = re.compile(r"\bscript\b|what (do|should) i say", re.I)


def _offer_in(question: str) -> dict[str, float]:
    """Money in the question is read as an offered base unless it names another component."""
    offer: dict[str, float] = {}
    for figure in find_figures(question):
        if figure.kind != "money":
            continue
        # The words right after the figure, up to the end of its sentence, name it.
        after = re.split(r"[.;!?]", question[figure.end : figure.end + 20], maxsplit=1)[0]
        component = EQUITY if re.search(CUES[EQUITY], after, re.I) else BASE
        component = SIGN_ON if re.search(CUES[SIGN_ON], after, re.I) else component
        offer.setdefault(component, figure.low)
    return offer


def _pick_playbook(question: str, playbooks: list[Playbook], preferred: str) -> Playbook | None:
    with_terms = [p for p in playbooks if p.bands or p.walk_away or p.target]
    if not with_terms:
        return None
    found = find_region(question, with_terms)
    if found:
        return found[0]
    chosen = [p for p in with_terms if p.guide == preferred]
    return chosen[0] if chosen else (with_terms[0] if len(with_terms) == 1 else None)


def threshold_draft(playbook: Playbook, which: str, profile: Profile) -> Draft | None:
    band = playbook.bands[0] if playbook.bands else None
    if band is None:
        threshold = playbook.walk_away if which == "walk_away" else playbook.target
        if threshold is None:
            return None
        values = dict(threshold.components)
    else:
        walk, target, _ = thresholds(playbook, band, profile)
        values = walk if which == "walk_away" else target
    source = playbook.walk_away if which == "walk_away" else playbook.target
    citations = (
        [Citation(playbook.guide, source.source.section, source.source.quote)] if source else []
    )
    marker = " [1]" if citations else ""
    if which == "walk_away":
        text = (
            f"Your walk-away is {terms_text(values, playbook.currency)}{marker}: accept nothing below it, "
            "and keep it to yourself."
        )
    else:
        text = f"Your target, where you should anchor, is {terms_text(values, playbook.currency)}{marker}."
    required = [format_value(c, v, playbook.currency) for c, v in values.items()]
    return Draft(text=text, citations=citations, required=required)


def playbook_draft(question: str, playbooks: list[Playbook]) -> Draft | None:
    """Answers read straight off a playbook: competing offers, premiums and scripts."""
    citations: list[Citation] = []
    if _COMPETING.search(question):
        offers = [o for p in playbooks for o in p.competing_offers]
        if offers:
            listed = "; ".join(
                f"{o.company} at {format_money(o.amount)} {label(o.measure)}{cite(o.source, citations)}"
                for o in offers
            )
            return Draft(f"The guide names these competing offers: {listed}.", citations)
    if _SCRIPT.search(question):
        scripts = [s for p in playbooks for s in p.scripts]
        wanted = [s for s in scripts if any(w in question.lower() for w in s.name.split("-"))]
        for script in (wanted or scripts)[:1]:
            text = " ".join(script.text.split())
            return Draft(
                f'The {script.name} script: "{text}"{cite(script.source, citations)}',
                citations,
                verbatim=True,
            )
    if _PREMIUM.search(question) and not re.search(r"share premium", question, re.I):
        premiums = [pr for p in playbooks for pr in p.premiums]
        for premium in premiums[:1]:
            shown = format_span(PREMIUM_PCT, premium.percent.low, premium.percent.high)
            return Draft(
                f"The {premium.name} is {shown}{cite(premium.source, citations)}.", citations
            )
    return None


def is_money_question(question: str) -> bool:
    """Whether the question asks for a counter, a verdict, the walk-away or the target."""
    return any(p.search(question) for p in (_COUNTER, _ACCEPT, _WALK, _TARGET))


def missing_terms_note(playbooks: list[Playbook]) -> str:
    """What the guides lack for a money answer, said plainly (empty when nothing is missing)."""
    gaps = sorted(
        {m for p in playbooks for m in p.missing if m in ("bands", "target", "walk_away")}
    )
    if not gaps:
        return ""
    names = ", ".join(g.replace("_", "-") for g in gaps)
    return (
        f"Your guides give no {names} to work from, so this general advice comes from the "
        "fundamentals guide: "
    )


def engine_draft(question: str, playbooks: list[Playbook], settings: Settings) -> Draft | None:
    """The engine's answer when the question is about counters, acceptance or thresholds."""
    asks_counter = bool(_COUNTER.search(question))
    asks_accept = bool(_ACCEPT.search(question))
    asks_walk = bool(_WALK.search(question))
    asks_target = bool(_TARGET.search(question))
    if not (asks_counter or asks_accept or asks_walk or asks_target):
        return None
    profile = load_profile(settings.home)
    playbook = _pick_playbook(question, playbooks, profile.guide)
    if playbook is None:
        return None
    offer = _offer_in(question) or dict(profile.offer)
    found = find_region(question, [playbook])
    region = found[1].region if found else profile.region
    if (asks_counter or asks_accept) and offer and region and playbook.bands:
        advice = evaluate_offer(playbook, region, offer, profile)
        return counter_draft(advice)
    if asks_walk and not asks_counter:
        return threshold_draft(playbook, "walk_away", profile)
    draft = threshold_draft(playbook, "target", profile)
    if draft is not None and (asks_counter or asks_accept) and not offer:
        draft.text += (
            " Tell me your offer (`coach counter --region REGION --base AMOUNT`) for a verdict."
        )
    return draft
