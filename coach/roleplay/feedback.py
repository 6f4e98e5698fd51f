"""Turn feedback: for each mistake, what went wrong, why it matters, and a better line.

The better line's figures are the engine's (the target, the next small step down, the
guide's competing offer or premium), so the advice can never talk anyone below their
walk-away. The words here are a fixed template; with feedback on, ``better_line`` has the
model say the line again in the person's voice under the guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.negotiation.components import BASE, format_value, label, terms_text
from coach.negotiation.playbook import Playbook
from coach.roleplay.mistakes import Mistake, MistakeTracker

# Why each mistake costs money, in one sentence.
WHY = {
    "no_number": "The first figure said anchors the talk, and theirs will sit low in the band.",
    "low_anchor": "You can come down from an anchor but never go back up above it.",
    "reveals_walk_away": "Once they know your floor, the offer tends to land right on it.",
    "big_concession": "A big step tells them there is more room; small, reasoned steps hold value.",
    "no_rationale": "A figure with a reason from your guide sticks; a bare number invites a haggle.",
    "bare_ask": "A vague 'can you do better?' invites a token move; a number with a reason moves more.",
    "accepts_below_walk_away": "Below your walk-away, declining is better than agreeing.",
    "accepts_early": "First offers leave room, and a polite counter rarely costs the offer.",
    "weak_close": "Terms said out loud can shift; only the written offer is the deal.",
}
# The three that cost the most come first when a debrief picks its fixes.
SEVERITY = (
    "accepts_below_walk_away", "reveals_walk_away", "accepts_early", "low_anchor",
    "no_number", "big_concession", "no_rationale", "bare_ask", "weak_close",
)


@dataclass(frozen=True)
class Note:
    """Feedback on one mistake, ready to show under the candidate's line."""

    kind: str
    turn: int
    line: str
    what: str
    why: str
    better: str
    worded: bool = False  # True once the model said the better line again and the guard passed it

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "turn": self.turn, "line": self.line, "what": self.what,
                "why": self.why, "better": self.better, "worded": self.worded}

    def text(self) -> str:
        """The note as one short paragraph for the terminal."""
        return f"{self.what} {self.why} Try: \"{self.better}\""


def reason(playbook: Playbook) -> str:
    """The strongest reason the guide gives: a competing offer, else a premium."""
    if playbook.competing_offers:
        offer = max(playbook.competing_offers, key=lambda o: o.amount)
        amount = format_value(BASE, offer.amount, playbook.currency)
        return f"I have {offer.company} at {amount} {label(offer.measure)}"
    if playbook.premiums:
        return f"the {playbook.premiums[0].name} applies to this role"
    return "that is where the market for this role sits"


def note_for(mistake: Mistake, tracker: MistakeTracker, offer: dict[str, float] | None) -> Note:
    """The note for one mistake, with a better line decided from the tracker's figures."""
    book = tracker.playbook
    money = book.currency
    target = terms_text(tracker.target, money)
    why = reason(book)
    floor = tracker.walk_away.get(BASE, 0.0)
    # The next step: a quarter of the way from the last ask to the floor, never below it.
    last = tracker.previous_ask or tracker.target.get(BASE, floor)
    step = max(floor, last - 0.25 * max(0.0, last - floor))
    step = round(step / 1000) * 1000
    next_ask = format_value(BASE, step, money) + " base"
    shown = {c: v for c, v in (offer or {}).items() if v}  # "0% more shares" says nothing
    said = terms_text(shown, money) if shown else "their offer"
    walk = terms_text(tracker.walk_away, money)
    what, better = {
        "no_number": ("You let them name the first number.",
                      f"I'm targeting {target}, because {why}."),
        "low_anchor": (f"You opened below your target of {target}.",
                       f"I'm targeting {target}, because {why}."),
        "reveals_walk_away": ("You told them your floor.",
                              f"I'm still looking at {next_ask}, because {why}."),
        "big_concession": ("You gave up a lot of ground in one step.",
                           f"I can move to {next_ask}, because {why}."),
        "no_rationale": ("You named a figure without a reason.",
                         f"I'm asking for {next_ask if tracker.previous_ask else target}, "
                         f"because {why}."),
        "bare_ask": ("You asked for more without a number.",
                     f"Could you get to {next_ask}? {why[0].upper() + why[1:]}."),
        "accepts_below_walk_away": (f"You accepted {said}, below your walk-away of {walk}.",
                                    f"That is below what I can accept; I'd need {target}, "
                                    f"because {why}."),
        "accepts_early": ("You accepted their first offer without a counter.",
                          f"Thank you. I'm targeting {target}, because {why}."),
        "weak_close": ("You agreed without asking for it in writing.",
                       "Great. Could you send that in writing, with the equity units, "
                       "vesting schedule and start date?"),
    }[mistake.kind]
    return Note(mistake.kind, mistake.turn, mistake.line, what, WHY[mistake.kind], better)


def top_fixes(notes: list[Note], count: int = 3) -> list[Note]:
    """The notes that matter most: one per kind, most costly first."""
    first: dict[str, Note] = {}
    for note in notes:
        first.setdefault(note.kind, note)
    return sorted(first.values(), key=lambda n: SEVERITY.index(n.kind))[:count]
