"""The recruiter's templated lines: the Draft every role-play prompt ends with.

``coach.roleplay.recruiter`` decides each move; ``line_for`` writes it as one line in the recruiter's
voice from the ``LINES`` table, and the model only rewords that line (see ``coach.roleplay.session``).
The lines live apart from the engine so their wording can change without touching the
concession arithmetic.
"""

from __future__ import annotations

import re

from coach.negotiation.offers import describe_offer
from coach.roleplay.candidate import CandidateMove
from coach.roleplay.plan import NegotiationState

# Said to anything that arrives after the game is over, so a finished session stays closed.
CLOSED = "Thanks again for your time; this conversation is wrapped up on my side."
# "Are you a bot?" gets an in-character answer rather than the generic "can't share that".
_IDENTITY = re.compile(r"\bare you\b|\bai\b|\bbot\b|\bhuman\b|\bmodel\b|\bchatgpt\b|\bllm\b", re.I)
_TO = "I went back to the team and we can move to {offer}."
# Keyed by (move kind, variant). "{offer}" is the only figure-bearing slot, so a line can
# never state a number the engine did not put on the table.
LINES = {
    ("open", "anchor"): "Thanks for sharing that; it's ambitious for this level. "
    "Here's where we can start: {offer}.",
    ("open", "first"): "Happy to go first. Here's where we can start: {offer}.",
    ("open", ""): "Thanks for sharing that. Here's where we can start: {offer}.",
    ("concede", "competing"): "I appreciate you being open about the {company} offer. " + _TO,
    ("concede", "share"): "The case you made for the impact of this role landed with the team, "
    "so we can move to {offer}.",
    ("concede", "anchor"): "That's a big ask, but " + _TO,
    ("concede", ""): "I hear you. I found some more room: {offer}.",
    ("concede", "met"): " That covers what you asked for. Shall I send the written offer?",
    ("final_offer", "moved"): "I pushed hard on this one, and this is our final offer: {offer}. "
    "Let me know if that works for you.",
    ("final_offer", ""): "I've taken this as far as I can. Our final offer is {offer}. "
    "Let me know if that works for you.",
    ("accept_deal", "early"): "Wonderful, I'm glad to hear it! I'll send the written offer "
    "today: {offer}. Welcome aboard!",
    ("accept_deal", ""): "Great, we have a deal: {offer}. I'll send the written offer today. "
    "Welcome aboard!",
    ("close_no_deal", "walked"): "I understand, and I respect your decision. Thank you for "
    "your time, and best of luck.",
    ("close_no_deal", ""): "I'm sorry we couldn't close the gap this time. Thank you for your "
    "time; the door stays open if anything changes.",
    ("deflect", "identity"): "I'm the recruiter on your offer, and I'd like to keep our focus "
    "there.",
    ("deflect", ""): "That's not something I can share.",
    ("deflect", "offer"): " What I can talk about is the offer itself: {offer}. Where would you "
    "like it to be?",
    ("deflect", "ask"): " What I'd love to hear is what you're looking for in this role.",
    ("hold", "ask"): "Take your time. What are you looking for in this role?",
    ("hold", "ask-unclear"): "Sorry, I didn't quite follow that. Could you tell me in English "
    "what you're looking for?",
    ("hold", "empty"): "Take your time. To recap, we're at {offer}. What do you think?",
    ("hold", "unclear"): "Sorry, I didn't quite follow that. Could you tell me in English where "
    "you'd like the offer to be? Right now we're at {offer}.",
    ("hold", "final"): "Our final offer stands at {offer}. Just let me know if you'd like to "
    "accept.",
    ("hold", "unrealistic"): "That's well outside what we pay for this level, so I can't take "
    "it to the team. We're at {offer}.",
    ("hold", "unverified"): "I'd need to see that offer in writing before I can take it to the "
    "team. For now we're at {offer}.",
    ("hold", "met"): "We're already there: {offer}. Shall I send the written offer over?",
    ("hold", "bare"): "I hear you, but I'd need something concrete to take back to the "
    "team. We're at {offer}.",
    ("hold", ""): "Happy to talk it through. Right now we're at {offer}. Where would you like "
    "it to be?",
}


# What the pressure personas add to their lines (never a figure: the engine owns those).
PERSONA_EXTRAS = {
    # Pleading limits without naming one: "budget", "cap" and the like are leak words.
    ("budget", "open"): " Money is tight for this level this year, so I want to be upfront.",
    ("budget", "concede"): " Honestly, that's a real stretch for us this year.",
    ("budget", "hold"): " Things are tight on our side this year, I'm afraid.",
    ("deadline", "open"): " I do need an answer by Friday; the offer expires then.",
    ("deadline", "concede"): " Can we wrap this up by Friday?",
    ("deadline", "hold"): " Just a reminder that this offer expires on Friday.",
    ("deadline", "final_offer"): " It stands until Friday.",
}


def line_for(
    kind: str,
    state: NegotiationState,
    move: CandidateMove,
    changed: dict[str, tuple[float, float]],
    *,
    why: str = "",
    walked: bool = False,
    early: bool = False,
    met: bool = False,
) -> str:
    """The recruiter's line for a decided move. Only figures of the current offer appear."""
    offer = describe_offer(state.offer, state.playbook.currency) if state.offer else ""
    credible = [c.company for c in move.competing if c.credible]
    variant = ""
    extra = ""
    if kind == "open":
        variant = "anchor" if move.strong_anchor else "" if move.asks else "first"
    elif kind == "concede":
        variant = (
            "competing"
            if credible
            else "share"
            if move.share_argument
            else "anchor"
            if move.strong_anchor
            else ""
        )
        extra = LINES[("concede", "met")] if met else ""
    elif kind == "final_offer":
        variant = "moved" if changed else ""
    elif kind == "accept_deal":
        variant = "early" if early else ""
    elif kind == "close_no_deal":
        variant = "walked" if walked else ""
    elif kind == "deflect":
        variant = "identity" if _IDENTITY.search(move.text) else ""
        extra = LINES[("deflect", "offer" if offer else "ask")]
    else:
        variant = why if offer else ("ask-unclear" if why == "unclear" else "ask")
        if (kind, variant) not in LINES:
            variant = ""
    text = LINES[(kind, variant)] + extra + PERSONA_EXTRAS.get((state.plan.persona, kind), "")
    return text.format(offer=offer, company=credible[0] if credible else "")
