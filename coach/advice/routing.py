"""Money-threshold drafts (the target, the walk-away) and the note for guides without terms.

What a message asks is decided by the reader (``coach.advice.reader``) and answered by the
composer (``coach.advice.answers``); this module keeps the two pieces of the older router the
composer still uses, and the check that adds "your guides give no band" to a general answer.
"""

from __future__ import annotations

import re

from coach.advice.drafting import Draft
from coach.negotiation.citations import Citation
from coach.negotiation.components import (
    format_value,
    terms_text,
)
from coach.negotiation.counter import thresholds
from coach.negotiation.playbook import Playbook
from coach.negotiation.profile import Profile

_COUNTER = re.compile(
    r"\bcounter|\bask(ing)? for\b|\bnegotiate up\b|\bhow much (should|can) i\b", re.I
)
_ACCEPT = re.compile(
    r"\b(accept|take (it|the offer|this)|sign|good offer|is .* (fair|enough))\b", re.I
)
_WALK = re.compile(r"walk[- ]?away|\bminimum\b|\blowest\b|\bfloor\b|\bbottom line\b", re.I)
_TARGET = re.compile(r"\btarget\b|\banchor\b", re.I)


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


def is_money_question(question: str) -> bool:
    """Whether the question asks for a counter, a verdict, the walk-away or the target."""
    return any(p.search(question) for p in (_COUNTER, _ACCEPT, _WALK, _TARGET))


def missing_terms_note(playbooks: list[Playbook]) -> str:
    """What the guides lack for a money answer, said plainly (empty when nothing is missing)."""
    # Only what no guide gives: the fundamentals guide lacks bands, the role guide has them.
    missing = [set(p.missing) for p in playbooks]
    gaps = sorted(set.intersection(*missing) & {"bands", "target", "walk_away"} if missing else ())
    if not gaps:
        return ""
    names = ", ".join(g.replace("_", "-") for g in gaps)
    return (
        f"Your guides give no {names} to work from, so this general advice comes from the "
        "fundamentals guide: "
    )


