"""Reading the candidate: one role-play message turned into signals the recruiter can act on.

``read_candidate`` finds the figures asked for (with ``$`` or as people type them: ``270k``,
``270,000``, "two hundred seventy thousand"), which pay component each one is about,
competing offers and whether the guide makes them credible, the share-premium argument,
acceptance, walking away, and attempts to pry the recruiter's secrets loose. It is plain
pattern matching, so the engine (``coach.roleplay.recruiter``) and the debrief (``coach.roleplay.scoring``)
read every message the same way, today and when a stored session is scored again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.errors import InputError
from coach.negotiation.components import (
    BASE,
    BONUS_PCT,
    CUES,
    EQUITY,
    PREMIUM_PCT,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    TOTAL_COMP,
)
from coach.negotiation.money import Figure, find_figures
from coach.negotiation.offers import resolve_band, share_cap
from coach.negotiation.playbook import Playbook, RegionBand
from coach.negotiation.typed_figures import candidate_figures
from coach.roleplay.rehearsal import covered_points, find_script, key_terms

MAX_MESSAGE_CHARS = 2000  # longer messages are read (and shown to the model) truncated


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
    floor: tuple[str, float] | None = None  # the component and figure said as the floor
    truncated: bool = False

    @property
    def total_ask(self) -> float | None:
        return self.asks.get(TOTAL_COMP)


_I = re.IGNORECASE


def _any(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``patterns`` (kept one idea a line)."""
    return re.compile("|".join(patterns), _I)


_CUES = [(name, re.compile(pattern, _I)) for name, pattern in CUES.items()]
_ACCEPT_STRONG = re.compile(
    r"\bi(?: will|'ll| can)? accept\b|\bhappy to accept\b|\bit'?s a deal\b|\bwe have a deal\b|"
    r"^\s*deal\s*[.!]*\s*$|\bi'?ll take it\b|\bagreed\b|\bi agree\b|\bsign me up\b|"
    r"\blet'?s sign\b|\bi'?m in\b|\blet'?s do it\b|\bi'?ll sign\b|\bi can live with (?:that|it)\b|"
    r"\bput it in writing and we'?re done\b|\bsend (?:me )?(?:the|it|that)(?: written)? "
    r"(?:offer|paperwork|contract)?\s*(?:over )?and i'?ll sign\b|"
    r"\blet'?s make it (?:official|happen)\b|\bwhere do i sign\b|\bconsider it a yes\b|"
    r"\byou(?:'ve| have)? got (?:yourself )?(?:a|an|your) (?:candidate|deal|hire|new)\b|"
    r"\byou have a deal\b|\bwe(?:'ve| have)? got a deal\b|\bcount me in\b|\bthat'?s a yes\b|"
    r"\b(?:happy|ready) to sign\b|\b(?:delighted|pleased|glad|thrilled|excited|ready|going) "
    r"to accept\b|\bwe have (?:an |our )?agreement\b|\bwe(?:'re| are) agreed\b",
    _I,
)
_ACCEPT_WEAK = re.compile(
    r"^\s*(?:yes|yep|yeah|sure|ok(?:ay)?|perfect|great|deal)\b|\bsounds (?:good|great|fair)\b|"
    r"\bworks for me\b|\bthat works\b|\b(?:fine|alright|all right|ok(?:ay)?|sure|cool)\W+deal\b|"
    # "k works", "eh fine. deal": a line of a few words that ends on the yes.
    r"^\W*(?:\w+\W+){0,2}(?:deal|works|done)\W*$|^\s*(?:k|kk|cool)\b|"
    r"\bthat'?s (?:ok|okay|fine)(?: then)?\b|\byes\W*$",
    _I,
)
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|can't|won't|don't|doesn't|isn't)\b|n't\b", _I)
_CONDITION = re.compile(r"\b(?:if|unless|but|as long as|provided|only when|once)\b", _I)
# "...once I see it in writing", "if you email it over": a yes that asks for the paper is
# still a yes, not a condition on the terms.
_PAPER_CONDITION = re.compile(
    r"\b(?:if|once|as long as|provided)\b[^.!?]{0,30}\b(?:writ(?:ing|ten)|email\w*|send\w*|"
    r"paperwork|contract)\b",
    _I,
)
_PAPER_REQUEST = re.compile(
    r"\b(?:could|can|would|will)? ?(?:you|we|i)? ?(?:put|get|have|send|email)\b[^.!?]{0,30}"
    r"\b(?:in writing|written|writing|paperwork|contract|offer letter)\b[^.!?]*\?",
    _I,
)
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
    r"low|under market|below market|counter|stretch|move up|need|looking for|hoping for|ask|"
    r"wiggle|room|flex\w*|nudge|closer|best (?:\w+ ){0,2}can do|do any better|any more)\b|"
    r"\bdo anything (?:on|for|about|more)\b|\bmove (?:at all|a bit|any|on (?:the|base|equity)|"
    r"the (?:base|shares|equity))\b|\bsharpen\b|\bdo something (?:on|for|about|more)\b|"
    r"\b(?:the|your) ceiling\b|\b(?:feels?|seems?|looks?|bit|little) (?:light|thin|lean)\b",
    _I,
)
# "I'll need the offer in writing": wanting the paper is not pushing for more.
_WANTS_PAPER = re.compile(
    r"\b(?:need|want|like|ask for|get|see)\b[^.!?]{0,25}\b(?:in writing|written|paperwork|"
    r"contract|offer letter)\b", _I)
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
    r"\blowest i(?:'d| would| can|'ll| could)\b|\bthe least i(?:'d| would| can| could)\b",
    r"\banything (?:from|above|over|at or above) \$?\d",
    r"\bi(?:'d| would|'ll| will)? (?:still )?accept (?:anything )?"
    r"(?:at|above|over|from|as low as)\b",
    r"\bi can go as low as\b|\bat (?:the )?minimum\b|\bwould settle for\b",
    r"\bi(?:'d)? (?:just |really |only )?need at least\b|\bno less than\b|\bbare minimum\b",
    r"\bi(?:'d| would) be fine with anything\b",
    r"\b(?:can'?t|cannot|couldn'?t|won'?t|wouldn'?t)(?: really| \w+ly)? (?:go|come|drop) "
    r"(?:any )?(?:lower|below|under)\b",
    # "Anything south of a quarter million won't work for me."
    r"\banything (?:south of|under|below|less than|lower than)\b[^.!?]{0,40}"
    r"\b(?:won'?t|doesn'?t|wouldn'?t|will not|does not|is not|isn'?t) (?:work|fly|do)\b",
    r"\bwhere i(?:'d| would)?(?: have to)? draw the line\b|\bdraw the line at\b",
    r"\b(?:won'?t|wouldn'?t|can'?t|will not) (?:sign|accept|take|consider) anything "
    r"(?:below|under|less than)\b",
    r"\banything (?:under|below|less than) \S+ (?:is|would be) (?:a )?(?:non-?starter|"
    r"deal-?breaker|no-?go|off the table)\b",
    r"\bif it starts with an? \S+,? i'?m (?:out|walking)\b",
)
_OTHER_OFFER = re.compile(
    r"\b(?:another|competing|other|second|outside) offer\b"
    r"|\boffers? from (?P<who>(?-i:[A-Z])[\w&.-]+)",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;\n]*")


_CLAUSE_BREAK = re.compile(r"[,;.!?]|\b(?:and|plus|if|with|but|so)\b", _I)


def _component(
    fig: Figure, text: str, before_at: int, after_at: int, band: RegionBand | None,
    after_figure: bool = False,
) -> str | None:
    """Which component a figure asks about, from the nearest cue word on either side."""
    before, after = text[before_at : fig.start].lower(), text[fig.end : after_at].lower()
    # Only the figure's own clause names it: in "255k if the shares go to 20%" the shares
    # belong to the 20%, and in "Meta is at 448K TC, so I could do 258" the TC is Meta's.
    after = _CLAUSE_BREAK.split(after)[0]
    if after_figure and (cut := _CLAUSE_BREAK.search(before)) is not None:
        before = before[cut.end():]
    best: tuple[int, str] | None = None
    for name, cue in _CUES:
        hits = [len(before) - m.end() for m in cue.finditer(before)]
        hits += [m.start() for m in cue.finditer(after)]
        if hits and (best is None or min(hits) < best[0]):
            best = (min(hits), name)
    cue_name = best[1] if best else None
    if cue_name == PREMIUM_PCT:
        cue_name = None  # "268, given the AI premium": the premium is the reason, not the ask
    money = fig.kind == "money"
    mapping = {
        SHARE_PREMIUM_PCT: EQUITY if money else SHARE_PREMIUM_PCT,
        EQUITY: EQUITY if money else SHARE_PREMIUM_PCT,
        BONUS_PCT: (SIGN_ON if "sign" in before + after else None) if money else BONUS_PCT,
        SIGN_ON: SIGN_ON if money else None,
        TOTAL_COMP: TOTAL_COMP if money else None,
        BASE: BASE if money else None,
        PREMIUM_PCT: None,  # "the AI premium" is the guide's argument, not an ask
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
        if (named := name.search(before)) and re.search(
            r"\b(?:i|i'm|i'd|i'll|we)\b", before[named.end():], re.I
        ):
            continue  # "with the Google offer in mind, I can meet you at 248k": the person's
        if named or re.search(rf"(?:from|at|with)\s+{name.pattern}", after, re.I):
            return offer.company
    return None


def _band_or_none(playbook: Playbook, region: str | None) -> RegionBand | None:
    """The band to judge asks against, or None; unlike ``resolve_band`` it never raises."""
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
    reveal = _REVEAL.search(text)
    move.reveals_walk_away = reveal is not None
    # The floor said is the first figure after the words that reveal it; a line may still
    # ask for more elsewhere ("my walk-away is 248, but I'm asking for 268").
    floor_fig = next((f for f in figures if reveal and f.start >= reveal.start()), None)
    floor_at = floor_fig.start if floor_fig else -1
    if floor_fig is not None:
        move.floor = (_component(floor_fig, text, reveal.start() if reveal else 0, len(text),
                                 band) or BASE, floor_fig.low)
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
            component = _component(fig, text, before_at, after_at, band, after_figure=index > 0)
            # "255 to 270": a range is heard at its low end, the figure before the "to".
            joint = text[sentence_figures[index - 1].end:fig.start] if index else ""
            ranged = index > 0 and (re.fullmatch(r"\s*(?:to|-|–)\s*", joint) is not None or (
                # "between 260 and 275"
                re.fullmatch(r"\s*and\s*", joint) is not None
                and re.search(r"\bbetween\s*$", text[:sentence_figures[index - 1].start], _I)
                is not None))
            if component and fig.start != floor_at and not ranged:
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
    conditional = bool(_CONDITION.search(_PAPER_CONDITION.sub(" ", text)))
    move.pushback = bool(_PUSHBACK.search(_WANTS_PAPER.sub(" ", text)))
    strong, weak = _ACCEPT_STRONG.search(text), _ACCEPT_WEAK.search(text)
    hit = strong or weak
    negated = hit and _NEGATION.search(text[max(0, hit.start() - 20) : hit.end()])
    # "Okay, can you do better?" is not a yes; "Sounds fair. Could you put that in writing?"
    # is one (the question asks for the paper, not for more).
    hesitant = "?" in _PAPER_REQUEST.sub(" ", text) or move.pushback
    move.accepts = bool(hit) and not negated and not conditional and bool(strong or not hesitant)
    walking = bool(_WALK.search(text)) and not move.reveals_walk_away
    move.walks_away = walking and not conditional and not move.accepts
    move.pushback |= walking and conditional  # "I'll walk unless..." is a push, not a goodbye
    if move.injection:
        move.asks.clear()  # "Is your max $272K?" probes for a secret; it asks for nothing
    _judge_anchor(move, playbook, band)
    return move


def _mention(company: str, amount: float | None, playbook: Playbook) -> CompetingMention:
    """A mention of one of the guide's competitors, judged against the amount it reports."""
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
    cap = share_cap(playbook)
    if cap and move.asks.get(SHARE_PREMIUM_PCT, 0) > cap * 1.5:
        move.unrealistic = True
    if move.unrealistic:
        move.strong_anchor = False
