"""The recruiter's mind: a hidden plan and a deterministic engine that decides every move.

A small model cannot keep a secret budget or do concession arithmetic, so it never sees
either. ``plan_for`` draws the recruiter's hidden numbers from the guide's pay band (seeded,
so a session replays exactly); ``read_candidate`` turns a candidate's message into signals
(figures asked for, competing offers, the share-premium argument, acceptance, walking away,
attempts to extract secrets); ``next_move`` decides the reply and writes it as a templated
line in the recruiter's voice. The model only rewords that line (see ``coach.roleplay``).

Offers are dicts of component -> value: whole dollars for money, percent points for
``bonus_pct`` and ``share_premium_pct`` (extra shares over the standard grant).
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from coach.errors import InputError
from coach.money import Figure, find_figures, format_money, format_percent
from coach.rehearsal import covered_points, find_script, key_terms
from coach.terms import (
    BASE,
    BONUS_PCT,
    EQUITY,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    TOTAL_COMP,
    Playbook,
    RegionBand,
)

PERSONAS = ("friendly", "firm", "lowball")
MAX_ROUNDS = 6
MAX_MESSAGE_CHARS = 2000  # longer messages are read (and shown to the model) truncated
MONEY = (BASE, EQUITY, SIGN_ON, TOTAL_COMP)
ORDER = (BASE, EQUITY, BONUS_PCT, SIGN_ON, SHARE_PREMIUM_PCT)
MOVE_KINDS = ("open", "concede", "hold", "final_offer", "accept_deal", "close_no_deal", "deflect")
SHARE_STEP = 5.0  # extra shares move in 5-point steps, as real grants do


# -- the hidden plan ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaStyle:
    """How a persona negotiates: where it opens and tops out in the band, how fast it moves."""

    opening: tuple[float, float]  # fraction of the band where the opening offer sits
    ceiling: tuple[float, float]  # fraction of the band where the hidden maximum sits
    steps: tuple[float, ...]  # share of (max - opening) given up at each concession
    leads_with_offer: bool  # lowballers anchor first; the others ask for expectations
    description: str  # tone for the prompt: never numbers


STYLES = {
    "friendly": PersonaStyle(
        (0.3, 0.45), (0.8, 1.0), (0.35, 0.3, 0.25, 0.2), False, "warm, upbeat and collaborative"
    ),
    "firm": PersonaStyle(
        (0.15, 0.3), (0.65, 0.9), (0.2, 0.15, 0.12, 0.1), False, "polite, brief and firm"
    ),
    "lowball": PersonaStyle(
        (0.0, 0.12), (0.55, 0.8), (0.15, 0.12, 0.1, 0.08), True, "confident, brisk and thrifty"
    ),
}


@dataclass
class RecruiterPlan:
    """The recruiter's hidden numbers: never in a prompt, shown to the candidate only after."""

    persona: str
    seed: int
    region: str
    opening: dict[str, float]
    maximum: dict[str, float]
    schedule: list[float]
    max_rounds: int = MAX_ROUNDS

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(opening=offer_json(self.opening), maximum=offer_json(self.maximum))
        return data


def resolve_band(playbook: Playbook, region: str | None) -> RegionBand:
    """The band for ``region`` (the guide's first band when none is given)."""
    if not playbook.bands:
        raise InputError(
            f"Guide {playbook.guide!r} has no pay table, so the recruiter has nothing to offer.",
            "Pick a guide with a table of regions (`coach guides`).",
        )
    if not region:
        return playbook.bands[0]
    band = playbook.band_for(region)
    if band is None:
        raise InputError(
            f"Region {region!r} is not in this guide.",
            f"Use one of: {', '.join(playbook.regions())}.",
        )
    return band


def _share_cap(playbook: Playbook) -> float | None:
    """The most extra shares the guide talks about, if it negotiates a share premium at all."""
    values = [
        t.components[SHARE_PREMIUM_PCT]
        for t in (playbook.target, playbook.walk_away)
        if t is not None and SHARE_PREMIUM_PCT in t.components
    ]
    return max(values) if values else None


def plan_for(
    playbook: Playbook, region: str | None, persona: str, seed: int, max_rounds: int = MAX_ROUNDS
) -> RecruiterPlan:
    """Draw the hidden plan from the band: same playbook, region, persona and seed -> same plan."""
    if persona not in STYLES:
        raise InputError(f"Unknown persona {persona!r}.", f"Use one of: {', '.join(PERSONAS)}.")
    band = resolve_band(playbook, region)
    style = STYLES[persona]
    rng = random.Random(f"{playbook.guide}|{band.region}|{persona}|{seed}")
    opening: dict[str, float] = {}
    maximum: dict[str, float] = {}
    for component in (BASE, EQUITY, SIGN_ON):
        if (span := band.components.get(component)) is None:
            continue
        width = span.high - span.low
        opening[component] = float(
            int((span.low + rng.uniform(*style.opening) * width) // 1000) * 1000
        )
        top = int((span.low + rng.uniform(*style.ceiling) * width) // 1000) * 1000
        maximum[component] = float(min(max(top, opening[component]), span.high))
    if (bonus := band.components.get(BONUS_PCT)) is not None:
        opening[BONUS_PCT] = float(bonus.low)
        extra = round(rng.uniform(*style.ceiling) * (bonus.high - bonus.low))
        maximum[BONUS_PCT] = float(min(bonus.low + extra, bonus.high))
    if (cap := _share_cap(playbook)) is not None:
        opening[SHARE_PREMIUM_PCT] = 0.0
        top = round(rng.uniform(*style.ceiling) * cap / SHARE_STEP) * SHARE_STEP
        maximum[SHARE_PREMIUM_PCT] = float(min(max(top, SHARE_STEP), cap))
    schedule = [round(s * rng.uniform(0.85, 1.15), 3) for s in style.steps]
    return RecruiterPlan(persona, seed, band.region, opening, maximum, schedule, max_rounds)


def offer_json(offer: dict[str, float] | None) -> dict[str, Any] | None:
    """An offer for JSON: whole dollars as ints, percent points as floats, in a stable order."""
    if offer is None:
        return None
    return {c: int(offer[c]) if c in MONEY else float(offer[c]) for c in ORDER if c in offer}


def describe_offer(offer: dict[str, float]) -> str:
    """The offer in the recruiter's words: ``$235K base, $300K in equity and a 15% bonus``."""
    parts = []
    if BASE in offer:
        parts.append(f"{format_money(int(offer[BASE]))} base")
    if EQUITY in offer:
        parts.append(f"{format_money(int(offer[EQUITY]))} in equity")
    if BONUS_PCT in offer:
        parts.append(f"a {format_percent(offer[BONUS_PCT])} bonus")
    if offer.get(SIGN_ON):
        parts.append(f"a {format_money(int(offer[SIGN_ON]))} sign-on bonus")
    if offer.get(SHARE_PREMIUM_PCT):
        parts.append(
            f"{format_percent(offer[SHARE_PREMIUM_PCT])} more shares than the standard grant"
        )
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


# -- reading the candidate ---------------------------------------------------------------


@dataclass(frozen=True)
class CompetingMention:
    """A competing offer the candidate raised; credible when the guide names it at that level."""

    company: str
    amount: float | None
    credible: bool


@dataclass
class CandidateMove:
    """What one candidate message says, as signals the engine and the scorecard can use."""

    text: str
    asks: dict[str, float] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    competing: list[CompetingMention] = field(default_factory=list)
    share_points: list[str] = field(default_factory=list)
    share_argument: bool = False
    accepts: bool = False
    walks_away: bool = False
    pushback: bool = False
    empty: bool = False
    unclear: bool = False
    injection: bool = False
    strong_anchor: bool = False
    unrealistic: bool = False
    reveals_walk_away: bool = False
    truncated: bool = False

    @property
    def total_ask(self) -> float | None:
        return self.asks.get(TOTAL_COMP)


_I = re.IGNORECASE


def _any(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``patterns`` (kept one idea a line)."""
    return re.compile("|".join(patterns), _I)


_BARE_MONEY = re.compile(
    r"(?<![\w$.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(?P<k>k\b|thousand\b|grand\b)?", _I
)
_CUES = [
    ("ai", re.compile(r"ai premium", _I)),
    (
        SHARE_PREMIUM_PCT,
        re.compile(r"(?:more|additional|extra) (?:shares|equity|stock)|share premium", _I),
    ),
    (SIGN_ON, re.compile(r"sign[- ]?on|signing", _I)),
    (TOTAL_COMP, re.compile(r"\btc\b|total comp|total compensation|all[- ]in|\bpackage\b", _I)),
    (BASE, re.compile(r"\bbase\b|salary", _I)),
    (BONUS_PCT, re.compile(r"bonus", _I)),
    (EQUITY, re.compile(r"equity|\brsus?\b|shares|stock|options|grant", _I)),
]
_ACCEPT_STRONG = re.compile(
    r"\bi(?: will|'ll)? accept\b|\bhappy to accept\b|\bit'?s a deal\b|\bwe have a deal\b|"
    r"^\s*deal\s*[.!]*\s*$|\bi'?ll take it\b|\bagreed\b|\bi agree\b|\bsign me up\b|"
    r"\blet'?s sign\b|\bi'?m in\b|\blet'?s do it\b",
    _I,
)
_ACCEPT_WEAK = re.compile(
    r"^\s*(?:yes|yep|yeah|sure|ok(?:ay)?|perfect|great|deal)\b|\bsounds (?:good|great|fair)\b|"
    r"\bworks for me\b|\bthat works\b",
    _I,
)
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|can't|won't|don't|doesn't|isn't)\b|n't\b", _I)
_CONDITION = re.compile(r"\b(?:if|unless|but|as long as|provided|only when|once)\b", _I)
_WALK = _any(
    r"\bi'?ll pass\b",
    r"\bi(?: will|'ll| am going to|'m going to| have to| must| need to)(?: have to)? "
    r"(?:pass|decline|walk away|turn (?:it|this) down)",
    r"\bi(?: am|'m)? (?:walking away|declining|out)\b",
    r"\bi decline\b|\bno deal\b|\bnot interested\b|\bwalk away\b|\bi'?m going with\b",
    r"\bi'?ll take the other offer\b|\bwithdraw\b|\bturning (?:it|this) down\b",
)
_PUSHBACK = re.compile(
    r"\b(?:better|too low|more|higher|improve|increase|bump|raise|not enough|below|short of|"
    r"low|under market|below market|counter|stretch|move up|need|looking for|hoping for|ask)\b",
    _I,
)
_INJECTION = _any(
    r"instruc|system prompt|\bprompt\b|role[- ]?play|were you given|you were given|draft:",
    r"ignore (?:all|any|your|the|previous|prior|everything)|disregard|\bpretend\b|\byou are now\b",
    r"\byour (?:max|maximum|ceiling|limit|budget|cap|top number|walk[- ]?away|range)\b",
    r"\bbudget\b|\bcap\b|\bhidden\b|\bconcession\b|\bsecret|\bconfidential\b|\binternal\b",
    r"\bare you (?:an? )?(?:ai|bot|robot|llm|machine|chatbot|language model|real|human)",
    r"\b(?:llm|chatgpt|gpt-?\d|language model|chatbot)\b|\bas an ai\b|\bsimulation\b",
    r"developer mode|jailbreak|\breveal\b|\brepeat (?:the|your|everything)\b",
    r"what (?:were|are) you told|highest (?:you|number|offer you|figure)",
    r"most you (?:can|could|are allowed)|how high can you go|top of (?:your|the) (?:band|range)",
    r"(?:approved|authori[sz]ed) (?:to|for|up|range)",
    r"\bmax(?:imum)? (?:you|offer|number|figure|base|salary)\b",
    r"\bwhat(?:'s| is) the (?:max|maximum|limit|ceiling|cap)\b",
)
_REVEAL = _any(
    r"\bmy walk[- ]?away\b|\bmy (?:minimum|floor|bottom line|reservation)\b",
    r"\blowest i(?:'d| would| can|'ll)\b|\bthe least i(?:'d| would| can)\b",
    r"\bi(?:'d| would|'ll| will)? (?:still )?accept (?:anything )?"
    r"(?:at|above|over|from|as low as)\b",
    r"\bi can go as low as\b|\bat (?:the )?minimum\b|\bwould settle for\b",
    r"\bi(?:'d| would) be fine with anything\b",
)
_OTHER_OFFER = re.compile(
    r"\b(?:another|competing|other|second|outside) offer\b"
    r"|\boffers? from (?P<who>(?-i:[A-Z])[\w&.-]+)",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;\n]*")


def _loose_figures(text: str, taken: list[Figure]) -> list[Figure]:
    """Amounts people type without a dollar sign (``270k``, ``270,000``, ``270 thousand``)."""
    found = []
    for match in _BARE_MONEY.finditer(text):
        if any(f.start <= match.start() < f.end for f in taken):
            continue
        digits = match.group("n")
        value = float(digits.replace(",", "")) * (1000 if match.group("k") else 1)
        # A bare "270" is not money, but "270k", "270,000" and "270000" are.
        looks_like_money = match.group("k") or "," in digits or re.fullmatch(r"\d{5,7}", digits)
        if looks_like_money and 10_000 <= value <= 10_000_000:
            raw = match.group(0).strip()
            found.append(Figure(raw, "money", value, value, False, match.start(), match.end()))
    return found


_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, "hundred", "thousand", "and"])
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))*\b", _I)


def _word_figures(text: str) -> list[Figure]:
    """Amounts spelled out in words ("two hundred seventy thousand")."""
    found = []
    for match in _WORD_RUN.finditer(text):
        total = current = 0
        words = re.split(r"[\s-]+", match.group(0).lower())
        for word in words:
            if word in _UNITS or word in _TENS:
                current += _UNITS.get(word, 0) + _TENS.get(word, 0)
            elif word == "hundred":
                current *= 100
            elif word == "thousand":
                total, current = total + current * 1000, 0
        value = float(total + current)
        if "thousand" in words and 10_000 <= value <= 10_000_000:
            found.append(Figure(match.group(0), "money", value, value, False, *match.span()))
    return found


def candidate_figures(text: str) -> list[Figure]:
    """Every figure in a candidate message, including the dollar-less forms people type."""
    figures = find_figures(text)
    figures += _loose_figures(text, figures)
    figures += [
        w for w in _word_figures(text) if all(w.end <= f.start or w.start >= f.end for f in figures)
    ]
    return sorted(figures, key=lambda f: f.start)


def _component(
    fig: Figure, text: str, before_at: int, after_at: int, band: RegionBand | None
) -> str | None:
    """Which component a figure asks about, from the nearest cue word on either side."""
    before, after = text[before_at : fig.start].lower(), text[fig.end : after_at].lower()
    best: tuple[int, str] | None = None
    for name, cue in _CUES:
        hits = [len(before) - m.end() for m in cue.finditer(before)]
        hits += [m.start() for m in cue.finditer(after)]
        if hits and (best is None or min(hits) < best[0]):
            best = (min(hits), name)
    cue_name = best[1] if best else None
    money = fig.kind == "money"
    mapping = {
        SHARE_PREMIUM_PCT: EQUITY if money else SHARE_PREMIUM_PCT,
        EQUITY: EQUITY if money else SHARE_PREMIUM_PCT,
        BONUS_PCT: (SIGN_ON if "sign" in before + after else None) if money else BONUS_PCT,
        SIGN_ON: SIGN_ON if money else None,
        TOTAL_COMP: TOTAL_COMP if money else None,
        BASE: BASE if money else None,
        "ai": None,
    }
    if cue_name is not None:
        return mapping[cue_name]
    if band is None:
        return BASE if money else BONUS_PCT
    if money:
        base = band.components.get(BASE)
        total = band.components.get(TOTAL_COMP)
        if base and fig.low <= base.high * 1.3:
            return BASE
        return TOTAL_COMP if total and fig.low >= total.low * 0.9 else BASE
    bonus = band.components.get(BONUS_PCT)
    if bonus and bonus.low - 5 <= fig.low <= bonus.high + 5:
        return BONUS_PCT
    return SHARE_PREMIUM_PCT


def _competitor(fig: Figure, sentence: str, offset: int, playbook: Playbook) -> str | None:
    """The guide's competitor a money figure belongs to ("Google at $455K TC"), if any."""
    before = sentence[max(0, fig.start - offset - 45) : fig.start - offset]
    after = sentence[fig.end - offset : fig.end - offset + 25]
    if find_figures(before[-30:]):
        return None  # another figure sits in between: this one is the candidate's own ask
    for offer in playbook.competing_offers:
        name = re.compile(rf"\b{re.escape(offer.company)}\b", re.I)
        if name.search(before) or re.search(rf"(?:from|at|with)\s+{name.pattern}", after, re.I):
            return offer.company
    return None


def _band_or_none(playbook: Playbook, region: str | None) -> RegionBand | None:
    try:
        return resolve_band(playbook, region)
    except InputError:
        return playbook.bands[0] if playbook.bands else None


def read_candidate(text: str, playbook: Playbook, region: str | None = None) -> CandidateMove:
    """Read one candidate message into signals. Never raises, whatever the text holds."""
    raw = text or ""
    cleaned = " ".join(raw.replace("\x00", " ").split())
    move = CandidateMove(
        text=cleaned[:MAX_MESSAGE_CHARS], truncated=len(cleaned) > MAX_MESSAGE_CHARS
    )
    text = move.text
    band = _band_or_none(playbook, region)
    letters = [ch for ch in text if ch.isalpha()]
    figures = candidate_figures(text)
    if not any(ch.isalnum() for ch in text):
        move.empty = True
        return move
    move.unclear = bool(letters) and sum(not ch.isascii() for ch in letters) / len(letters) > 0.3
    move.injection = bool(_INJECTION.search(text))
    move.reveals_walk_away = bool(_REVEAL.search(text))
    for match in _SENTENCE.finditer(text):
        sentence, offset = match.group(0), match.start()
        sentence_figures = [f for f in figures if offset <= f.start < match.end()]
        for index, fig in enumerate(sentence_figures):
            move.figures.append(fig.raw)
            if fig.kind == "money" and (who := _competitor(fig, sentence, offset, playbook)):
                move.competing.append(_mention(who, fig.low, playbook))
                continue
            before_at = sentence_figures[index - 1].end if index else offset
            after_at = (
                sentence_figures[index + 1].start
                if index + 1 < len(sentence_figures)
                else match.end()
            )
            component = _component(fig, text, before_at, after_at, band)
            if component and not move.reveals_walk_away:
                move.asks[component] = fig.low  # a range is heard at its low end
        for offer in playbook.competing_offers:
            named = re.search(rf"\b{re.escape(offer.company)}\b", sentence, re.I)
            if named and all(c.company != offer.company for c in move.competing):
                move.competing.append(_mention(offer.company, None, playbook))
        if (other := _OTHER_OFFER.search(sentence)) and not move.competing:
            move.competing.append(
                CompetingMention(other.group("who") or "another company", None, False)
            )
    script = find_script(playbook)
    if script is not None:
        move.share_points = covered_points(script, text)
        reasoning = [p for p in move.share_points if not re.search(r"\d", p)]
        move.share_argument = bool(reasoning) or len(move.share_points) >= 2
    elif {"benchmark", "ipo"} <= set(key_terms(text)):
        move.share_argument = True
    conditional = bool(_CONDITION.search(text))
    move.pushback = bool(_PUSHBACK.search(text))
    strong, weak = _ACCEPT_STRONG.search(text), _ACCEPT_WEAK.search(text)
    hit = strong or weak
    negated = hit and _NEGATION.search(text[max(0, hit.start() - 20) : hit.end()])
    hesitant = "?" in text or move.pushback  # "Okay, can you do better?" is not a yes
    move.accepts = bool(hit) and not negated and not conditional and bool(strong or not hesitant)
    walking = bool(_WALK.search(text)) and not move.reveals_walk_away
    move.walks_away = walking and not conditional and not move.accepts
    move.pushback |= walking and conditional  # "I'll walk unless..." is a push, not a goodbye
    if move.injection:
        move.asks.clear()  # "Is your max $272K?" probes for a secret; it asks for nothing
    _judge_anchor(move, playbook, band)
    return move


def _mention(company: str, amount: float | None, playbook: Playbook) -> CompetingMention:
    known = next(o for o in playbook.competing_offers if o.company == company)
    # The recruiter knows the market: a figure well above what the guide reports is a bluff.
    credible = amount is None or 0.85 * known.amount <= amount <= 1.08 * known.amount
    return CompetingMention(company, amount, credible)


def _judge_anchor(move: CandidateMove, playbook: Playbook, band: RegionBand | None) -> None:
    """Mark asks that reach the guide's target (strong) or leave the market (unrealistic)."""
    if band is None:
        return
    target = playbook.target.components if playbook.target else {}
    for component, value in move.asks.items():
        if component in target and value >= 0.98 * target[component]:
            move.strong_anchor = True
        span = band.components.get(component)
        if component == BASE and not target and span and value >= 0.95 * span.high:
            move.strong_anchor = True
        limit = {BASE: 1.2, EQUITY: 1.5, TOTAL_COMP: 1.3, BONUS_PCT: 1.5}.get(component)
        if span and limit and value > span.high * limit:
            move.unrealistic = True
    share_cap = _share_cap(playbook)
    if share_cap and move.asks.get(SHARE_PREMIUM_PCT, 0) > share_cap * 1.5:
        move.unrealistic = True
    if move.unrealistic:
        move.strong_anchor = False


# -- the engine --------------------------------------------------------------------------


@dataclass
class NegotiationState:
    """Everything the engine remembers between turns, hidden plan included."""

    playbook: Playbook
    band: RegionBand
    plan: RecruiterPlan
    offer: dict[str, float] | None = None
    asks: dict[str, float] = field(default_factory=dict)
    rounds: int = 0  # candidate turns so far, silence included
    bargaining: int = 0  # turns that negotiated over an offer already on the table
    concessions: int = 0
    final_made: bool = False
    credible_competitor: str = ""  # the first credible competing offer the candidate raised
    strong_anchor: bool = False
    outcome: str | None = None  # "deal" | "no_deal" | "walked_away" once the game is over

    @property
    def done(self) -> bool:
        return self.outcome is not None


@dataclass
class RecruiterMove:
    """One decided move: its kind, the offer on the table after it, and the templated line."""

    kind: str
    offer: dict[str, float] | None
    line: str
    changed: dict[str, tuple[float, float]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    outcome: str | None = None


def new_state(playbook: Playbook, plan: RecruiterPlan) -> NegotiationState:
    """A fresh negotiation for ``plan`` (see ``opening_move`` for the first line)."""
    return NegotiationState(playbook, resolve_band(playbook, plan.region), plan)


def opening_move(state: NegotiationState) -> RecruiterMove:
    """The first line: an offer (lowball persona anchors first) or a question about expectations."""
    role, company = state.playbook.role or "this role", state.playbook.company or "the team"
    if STYLES[state.plan.persona].leads_with_offer:
        state.offer = dict(state.plan.opening)
        line = (
            f"Thanks for making time today. We'd love to have you as {role} at {company}, and "
            f"we're offering {describe_offer(state.offer)}. I think that's a strong package."
        )
        return RecruiterMove("open", dict(state.offer), line, reasons=["persona anchors first"])
    line = (
        f"Thanks for making time today. We're excited about bringing you on as {role} at "
        f"{company}. Before I put numbers together, what are you looking for?"
    )
    return RecruiterMove("open", None, line)


def _leverage(state: NegotiationState, move: CandidateMove) -> tuple[float, list[str]]:
    """How hard this message pushes: anchors, credible offers and the share argument count."""
    factor, reasons = 1.0, []
    if move.strong_anchor:
        factor *= 1.3
        reasons.append("strong anchor")
    credible = [c for c in move.competing if c.credible]
    if credible:
        factor *= 1.5
        reasons.append(f"credible competing offer ({credible[0].company})")
    elif state.credible_competitor:
        factor *= 1.2
        reasons.append(f"competing offer still on the table ({state.credible_competitor})")
    if move.share_argument:
        factor *= 1.25
        reasons.append("share-premium argument")
    if not (move.asks or credible or move.share_argument):
        factor *= 0.6
        reasons.append("pushback without a figure")
    return min(factor, 2.2), reasons


def _wants(state: NegotiationState, move: CandidateMove) -> dict[str, float]:
    """Components to improve this turn, each with the most the candidate asked for."""
    offer = state.offer or {}
    wants = {c: v for c, v in state.asks.items() if c in offer and v > offer[c]}
    credible = any(c.credible for c in move.competing)
    named_a_figure = any(c in offer for c in move.asks)  # an ask already met needs no push
    if not wants and not named_a_figure and (move.pushback or credible or move.total_ask):
        wants[BASE] = float("inf")
    if (move.total_ask or credible) and EQUITY in offer:
        wants.setdefault(EQUITY, float("inf"))
    if move.share_argument and SHARE_PREMIUM_PCT in offer:
        wants.setdefault(SHARE_PREMIUM_PCT, float("inf"))
    return wants


def _concede(state: NegotiationState, wants: dict[str, float], factor: float) -> dict:
    """Raise each wanted component by the schedule, capped by the hidden maximum and the ask."""
    assert state.offer is not None
    plan = state.plan
    frac = plan.schedule[min(state.concessions, len(plan.schedule) - 1)] * factor
    changed: dict[str, tuple[float, float]] = {}
    for component, ask in wants.items():
        now, top = state.offer[component], plan.maximum[component]
        spread = top - plan.opening[component]
        if component == SHARE_PREMIUM_PCT:
            step = max(SHARE_STEP, round(frac * top / SHARE_STEP) * SHARE_STEP)
        elif component == BONUS_PCT:
            step = max(1.0, float(round(frac * spread)))
        else:
            step = max(1000.0, round(frac * spread / 1000) * 1000.0)
        new = min(now + step, top, ask)
        if new > now:  # never backwards, never past the hidden maximum
            state.offer[component] = new
            changed[component] = (now, new)
    state.concessions += bool(changed)
    return changed


def _met(state: NegotiationState) -> bool:
    offer = state.offer or {}
    asked = {c: v for c, v in state.asks.items() if c in offer}
    return bool(asked) and all(offer[c] >= v for c, v in asked.items())


def next_move(state: NegotiationState, move: CandidateMove) -> RecruiterMove:
    """Decide the recruiter's reply to ``move``, advancing ``state`` (it is the only mutator)."""
    if state.done:
        return RecruiterMove("close_no_deal", _copy(state.offer), CLOSED, outcome=state.outcome)
    state.rounds += 1
    state.asks.update({c: v for c, v in move.asks.items() if c != TOTAL_COMP})
    state.strong_anchor |= move.strong_anchor
    if not state.credible_competitor:
        state.credible_competitor = next((c.company for c in move.competing if c.credible), "")
    over_time = state.rounds >= 2 * state.plan.max_rounds  # silence or stalling cannot loop

    def decided(kind: str, changed=None, reasons=None, outcome=None, **how: Any) -> RecruiterMove:
        state.outcome = outcome or state.outcome
        line = line_for(kind, state, move, changed or {}, **how)
        return RecruiterMove(kind, _copy(state.offer), line, changed or {}, reasons or [], outcome)

    offer = state.offer
    if move.injection:
        return decided("close_no_deal", outcome="no_deal") if over_time else decided("deflect")
    if move.walks_away:
        return decided("close_no_deal", outcome="walked_away", walked=True)
    asks_met = offer is not None and all(c in offer and offer[c] >= v for c, v in move.asks.items())
    if move.accepts and asks_met:
        return decided("accept_deal", outcome="deal", early=state.concessions == 0)
    if over_time:
        # Whatever else was said, a session that has run this long ends here.
        return decided("close_no_deal", outcome="no_deal")
    if move.empty or move.unclear:
        return decided("hold", why="empty" if move.empty else "unclear")
    if offer is None:
        state.offer = dict(state.plan.opening)
        return decided("open", reasons=["opening offer after hearing expectations"])
    if state.final_made:
        if move.asks or move.pushback or move.competing:
            return decided("close_no_deal", outcome="no_deal")
        return decided("hold", why="final")
    if move.unrealistic:
        return decided("hold", why="unrealistic")
    if move.competing and not any(c.credible for c in move.competing) and not move.asks:
        return decided("hold", why="unverified")
    state.bargaining += 1
    factor, reasons = _leverage(state, move)
    wants = _wants(state, move)
    changed = _concede(state, wants, factor) if wants else {}
    if state.bargaining >= state.plan.max_rounds - 1 or (wants and not changed):
        state.final_made = True
        return decided("final_offer", changed, reasons)
    if changed:
        return decided("concede", changed, reasons, met=_met(state))
    return decided("hold", why="met" if _met(state) else "neutral")


def _copy(offer: dict[str, float] | None) -> dict[str, float] | None:
    return dict(offer) if offer is not None else None


# -- the recruiter's templated lines (the Draft every prompt ends with) ------------------

CLOSED = "Thanks again for your time; this conversation is wrapped up on my side."
_IDENTITY = re.compile(r"\bare you\b|\bai\b|\bbot\b|\bhuman\b|\bmodel\b|\bchatgpt\b|\bllm\b", _I)
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
    ("hold", ""): "Happy to talk it through. Right now we're at {offer}. Where would you like "
    "it to be?",
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
    offer = describe_offer(state.offer) if state.offer else ""
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
    text = LINES[(kind, variant)] + extra
    return text.format(offer=offer, company=credible[0] if credible else "")
