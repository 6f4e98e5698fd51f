"""Reading a message: what the person wants (intent) and what they named (slots).

The intent comes from nearest neighbours: the message's MiniLM embedding is compared with
example utterances of every intent (``intents.yaml``), which generalises to wordings nobody
wrote down. A few cue words then add evidence where a word settles the matter ("counter",
"walk away", an offer with "accept?"), because a 384-number sentence vector blurs them.

Slots come from the stored playbooks' own vocabulary (their companies, regions, competitor
names and components), so a new guide teaches the reader its words without code changes.
Which components a message names lives in ``component_words``, and whose figure each amount
is (the offer's, a rival's, money left behind) in ``amount_roles``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import Protocol

import yaml

from coach.advice.amount_roles import (
    LEFT_BEHIND,
    component_near,
    elsewhere,
    given_up,
    rivals_figure,
    without,
)
from coach.advice.amounts import Amount, read_amounts
from coach.advice.component_words import components
from coach.negotiation import components as comp
from coach.negotiation.playbook import Playbook

INTENTS = (
    "band", "offer_verdict", "counter", "target", "walk_away", "competing_offers", "premium",
    "script", "level_mapping", "guide_fact", "concept", "small_talk", "out_of_scope",
)
READER_MODES = ("both", "knn", "cues")  # nearest neighbours plus cue words, or one alone

# Words that settle an intent outright, with how much evidence each adds to the vote.
_CUES: list[tuple[str, str, float]] = [
    ("counter", r"\bcounter(?:\s?offer)?\b|\b(?:come|go) back (?:to \w+ )?with\b", 0.35),
    # "Kindly advise which base salary figure I should propose": the number to reply with.
    ("counter", r"\b(?:should i|i should|to) propose\b|\bwhich (?:\w+ ){0,2}(?:figure|number) "
     r"(?:should|do) i\b", 0.4),
    # ("How much more options should I push for?" is the share premium, not a counter.)
    ("counter", r"^(?!.*\b(?:more|extra|additional) (?:shares|stock|equity|options|rsus)\b).*"
     r"\bpush (?:back )?for\b", 0.35),
    ("walk_away", r"walk[\s-]?away|\bwalk from\b|\bfloor\b|\bbottom line\b|\b(?:lowest|least|"
     r"minimum)\b(?! of)(?!.*\bband\b)(?!\s+(?:possible\s+)?(?:base|salary|tc|total|equity|"
     r"bonus|sign[\s-]?on|pay|comp|hiring|golden|joining|signing|relo\w*|stock|rsus?|options?|"
     r"variable|grant))(?!.*\bwhich\b)|\bdecline\b|\bturn (?:it |them )?down\b",
     0.3),
    # "What if they say no?" asks where to stop, which is the walk-away.
    ("walk_away", r"\bwhat if they (?:say no|refuse|won'?t|don'?t|can'?t)\b|\bwon'?t budge\b", 0.5),
    ("target", r"\banchor\b|\bopen (?:at|with)\b|(?<!bonus )(?<!variable )\btarget(?:ing|ed)?\b"
     r"(?!\s+(?:bonus|variable|cash|earnings|comp|pay))|"
     r"\bopening (?:number|ask|offer|figure)\b|\bask for first\b|\bfirst number\b", 0.25),
    ("target", r"\baim(?:ing)? (?:for|at)\b|\bshoot(?:ing)? for\b|\bgo in at\b|\b(?:say|ask for|"
     r"name|put out|lead with) first\b", 0.4),
    ("walk_away", r"\bbefore i (?:walk|say no|decline)\b|\bi'?d walk\b", 0.4),
    # "the lowest base I can say yes to", "my reservation price": the person's own limit.
    ("walk_away", r"\breservation (?:price|point|value)\b|\bline in the sand\b|\bbelow which\b|"
     r"\b(?:lowest|least|minimum)\b[^.?!]{0,40}\b(?:i (?:should|can|could|would|'d|will)|should i"
     r"|to) (?:accept|take|say yes|join|sign|agree|settle)\b", 0.5),
    ("script", r"\bscript\b|what (?:(?:do|should) )?i (?:actually )?say\b|\bhow do i (?:say|phrase|word|"
     r"ask|bring up|pitch)\b|\bwording\b", 0.3),
    # Asking for the words themselves outweighs what the words are about ("more shares").
    ("script", r"\bwhat words\b|\bgive me (?:the |some )?words\b|\bwords (?:do|should|to|for)\b"
     r"|\bhow do i (?:push|bring up|raise|open)\b|\bhow (?:would|should|could|can) i (?:ask|say|"
     r"phrase|word|request|put it|frame|bring (?:it|this|that) up)\b|\bhow (?:do|can|would) i "
     r"get (?:the|that|them to)\b", 0.3),
    ("level_mapping", r"\blevel(?:s|ing)?\b|\bequivalent\b|\bmaps? to\b|\bis what at\b|"
     r"\bwhat (?:level|title) (?:is|would)\b", 0.3),
    # "ardent P3 equals what at aurora", "E6 vs google": a level code asks for the mapping.
    ("level_mapping", r"\b(?:ic|sde|[lpe])\s?[1-9]\b|\bequals? what\b", 0.35),
    ("script", r"\bexact (?:wording|words)\b|\bword for word\b|\bverbatim\b|\bwhat (?:(?:do|should|"
     r"would|can) )?i say (?:to get|to ask|if|when|back|then|to (?:that|this|them))\b|"
     r"\bwhat (?:do|should|would|can) i (?:actually )?say\W*$|\b(?:give me |need )?a line (?:for|to)\b|"
     r"\bgive me a line\b", 0.5),
    # "How do I ask for more options?" wants words; "how many more should I ask for?" a number.
    ("script", r"\bhow (?:(?:do|would|should|could|can) )?i (?:ask|say|phrase|word|request|"
     r"bring up|pitch|raise)\b", 0.3),
    ("script", r"\b(?:best|right|nicest|smartest) way to (?:ask|say|phrase|bring (?:it |this |that )?up|"
     r"word|raise|push)\b", 0.4),
    # "script for asking for more RSUs": asking for the script is the request, whatever it is about.
    ("script", r"\b(?:script|wording|words|line) (?:for|to|on)\b", 0.4),
    ("guide_fact", r"\bwhen\b(?! (?:should|do|can) i\b| (?:they|you|i|people|we|it|he|she|"
     r"the recruiter|someone)\b(?! (?:ipo|list|go public|close|raise|pay)))|\btimeline\b|\bipo\b|\bgoing public\b|"
     r"\bfunding\b|\bseries [a-e]\b|\bvaluation\b|\bheadcount\b|\brevenue\b|\barr\b", 0.25),
    ("band", r"\bcliff\b|\bvest(?:s|ed|ing)?\b|\bvesting schedule\b", 0.3),
    # "If I start in November, do I get this year's bonus?": a date question about the job.
    ("guide_fact", r"\b(?:start|join|sign)(?:ed|ing)?\s+(?:in|on|after|before|around)?\s*"
     r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\bstart(?:ed|ing)? in "
     r"(?:q[1-4]|h[12])\b", 0.35),
    ("premium", r"\bpremium\b|\bextra for\b|\bcan i get more\b", 0.25),
    # "How many more shares should I ask for pre-IPO?" is the share premium, whatever else.
    ("premium", r"\b(?:more|extra|additional) (?:shares|stock|equity|options|rsus)\b", 0.6),
    ("competing_offers", r"\bcompet\w*|\bother offers?\b|\brival\b|\balternatives?\b", 0.3),
    ("band", r"\b(?:inside|within|outside|in|above|below|over|under) (?:the )?(?:[\w-]+ ){0,2}"
     r"(?:band|range)\b|(?:^|[,;:.!?\u2013\u2014-]\s*|\b(?:anyway|so|ok|okay|and|but|also)\s+)(?:what(?:'?s| is| are)|how much (?:is|are)|how big is) (?:the |my |[a-z]+'s )?"
     r"(?:sign[\s-]?on|signing|bonus|equity|stock|rsus?|relocation|base|salary|tc|total comp|"
     r"golden hello|hiring bonus|joining bonus|options|share options|stock grant)\b",
     0.25),
    ("band", r"\bwhat(?:'?s| is| are) (?:the |my )?(?:[\w-]+ ){0,3}(?:band|range)s?\b|"
     r"\bhow (?:big|large|generous) (?:a|an|is|are|of)\b(?=.*\b(?:sign|bonus|hello|grant|equity|"
     r"stock|option|rsu|reloc|relo|base|salary|tc|package|comp))", 0.25),
    ("band", r"\blowest to highest\b|\blow to high\b|\bmin to max\b|\bwhat(?:'?s| is) the "
     r"(?:most|max(?:imum)?|highest|top)\b", 0.3),
    # General-advice phrasings: about how to negotiate, not about this guide's numbers.
    ("concept", r"^what(?:'s| is) (?:a |an )?(?:batna|zopa|anchoring)\b|\bis it (?:rude|ok|"
     r"okay|normal|bad)\b|\bshould i (?:tell|reveal|share|disclose)\b|\bdo i tell\b|"
     r"\bgeneral(?:ly)?\b|\bon the spot\b|\bmake up\b|\bbluff\b", 0.4),
    # "They asked for my salary expectations, what do I say?": the classic question of
    # how to answer, which the fundamentals page covers, whatever words are asked for.
    ("concept", r"\bsalary expectations\b|\bexpected salary\b", 0.3),
    ("concept", r"\bhow (?:do|should) i (?:answer|respond to|handle|deal with)\b|\bsalary "
     r"expectations\b|\bwhat i (?:make|earn)\b|\bcurrent (?:salary|pay)\b|\b(?:private|public) "
     r"(?:company )?(?:equity|stock)\b", 0.4),
    # "How do I work out my walk-away?", "give them a number first or wait?": how to decide.
    ("concept", r"\bhow (?:do|should|can|would) i (?:work out|figure out|decide|set|calculate|"
     r"determine|come up with)\b|\b(?:number|figure|offer) first\b[^.?!]*\bor\b|\bor wait\b|"
     r"\bwait for them\b", 0.45),
    # How-to and what-does-it-mean questions: general advice, whatever pay words they hold.
    ("concept", r"\b(?:batna|zopa)\b|\bwhat (?:is|are) (?:a|an)\b|\bwhat does (?:that|it|this)"
     r"(?: even)? mean\b|\bhow (?:long|do i pick|do i choose|do i mention)\b|\bwill they (?:pull|"
     r"rescind|withdraw|take back)\b|\bcan i still\b|\bwithout (?:it )?sounding\b|\bscared\b|"
     r"\bnervous\b|\bright after\b|\bis it (?:normal|common|risky|rude)\b|\bnow what\b|"
     r"\bbesides the (?:number|money|dollar)|\bwhat (?:else )?(?:should|do) i ask (?:about|them)\b|"
     r"\bwhat else can i\b|\b(?:easiest|hardest) (?:thing|part|bit)\b|\b(?:bad|good) sign\b|"
     r"\bred flag\b|\b(?:easier|harder) to (?:get|negotiate|move|win)\b", 0.45),
]
_VERDICT_WORDS = re.compile(
    r"\baccept\b|\btake (?:it|this|that|the offer)\b|\bsign\b|\bgood\b|\bok(?:ay)?\b|\bfair\b|"
    r"\btoo low\b|\byes or no\b|\bsay yes\b|\bdeal\b|\bworth\b|\bshould i\b|\bdecent\b|"
    r"\breasonable\b|\bcompetitive\b|\balright\b|\bdo i (?:take|"
    r"walk|accept)\b|\bmy number\b|\bthoughts\b|\blowball\b|\benough\b|\?$|"
    r"\b(?:hit|meet|reach|clear|beat|make)s? my (?:target|walk[\s-]?away|floor|number)\b",
    re.I,
)
_OFFER_WORDS = re.compile(
    r"\boffer(?:ed|ing|s)?\b|\boffe?rd\b|\bgot\b|\bwant to give\b|\bgive me\b|\bhow'?s that\b|\bc(?:ame|omes?|oming) (?:back|in)\b|\bproposed?\b|\bthey (?:said|gave|"
    r"put)\b|\brecruiter said\b|\bon the table\b|\bactually\b|\bwould pay\b|"
    r"\b(?:they|recruiter|hr) wrote\b|\b(?:in the|offer) letter\b|\bletter says\b",
    re.I,
)
_EVERY_REGION = re.compile(
    r"\ball (?:\w+ )?(?:locations|regions|offices|cities|sites)\b|\bacross\b|\beach "
    r"(?:location|region|office)\b|\bevery (?:location|region|office)\b|\beverywhere\b|"
    r"\bcompare\b|\bdepending on location\b|\bby (?:location|region)\b",
    re.I,
)
_BAND_EDGE = re.compile(
    r"\b(?:max(?:imum)?|top|highest|ceiling|cap|upper end|most they(?:'d| would| will| can)? "
    r"(?:pay|do|go|give|offer)|bottom|lowest)\b", re.I
)
_BAND_NAMED = re.compile(r"\b(?:band|range)s?\b", re.I)
_COMPARATIVE = re.compile(
    r"\b(?:lower|higher|less|more|smaller|bigger) (?:for|in) (?:the )?[\w ()-]{3,20}\b.*"
    r"\bby how much\b|\bhow much (?:lower|higher|less|more)\b", re.I
)
_FIRST = re.compile(r"\b(?:first|to start|for now)\b(?!\s+(?:year|offer|round|number))")
_OTHER_REGION = re.compile(
    r"\b(?:the )?other (?:two |three |\d )?(?:regions?|locations?|offices?|cit(?:y|ies)|ones?|"
    r"places?|sites?)\b", re.I
)
_OWN = {
    "walk_away": re.compile(
        r"\bmy (?:own |personal |real |absolute |hard )?(?:walk[\s-]?away|floor|minimum|bottom "
        r"line|red line|limit)\b|\bmy (?:own |personal |real |absolute |hard )?line\b(?!\s+manager)|\bi (?:won'?t|will not|"
        r"wouldn'?t|can'?t|cannot|don'?t want to) (?:go |take |accept |do |sign for )?(?:anything )?"
        r"(?:below|less than|under|lower than)\b|\bi need at least\b|\bnothing (?:below|under|"
        r"less than)\b|\bi(?:'d| would| will|'ll)?(?: (?:actually|really|personally|honestly))? "
        r"(?:not|never) (?:go |take |accept |do )?(?:anything )?(?:below|under|lower than|less "
        r"than)\b", re.I),
    "target": re.compile(r"\bmy (?:own |personal )?(?:target|anchor|goal)\b", re.I),
}
# Places people ask about that a guide may not list; naming one is a region the guide lacks.
_PLACES = (
    "new york", "nyc", "san francisco", "sf", "seattle", "austin", "boston", "chicago",
    "denver", "los angeles", "la", "london", "berlin", "munich", "paris", "amsterdam",
    "toronto", "vancouver", "dublin", "zurich", "remote", "bangalore", "singapore", "tokyo",
    "atlanta", "miami", "portland", "pittsburgh", "san diego", "sunnyvale", "cambridge",
    "washington", "dallas", "houston", "phoenix", "raleigh", "madrid", "lisbon", "warsaw",
    "stockholm", "copenhagen", "hamburg", "barcelona", "milan", "remote eu", "remote us",
)


class Embedder(Protocol):
    """What the reader needs from an embedding model."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@dataclass
class Reading:
    """One message understood: the intent, its runner-up, and every slot filled."""

    text: str
    intent: str
    confidence: float
    runner_up: str = ""
    guides: list[str] = field(default_factory=list)  # guide ids the message points to
    regions: list[str] = field(default_factory=list)  # canonical region names, in order
    every_region: bool = False
    other_region: bool = False
    later_regions: list[str] = field(default_factory=list)  # "...Pittsburgh first": the rest
    unknown_region: str = ""  # a place named that no stored guide lists
    components: list[str] = field(default_factory=list)  # canonical names, or ["all"]
    amounts: list[Amount] = field(default_factory=list)
    offer: dict[str, float] = field(default_factory=dict)  # component -> amount offered
    own: dict[str, dict[str, float]] = field(default_factory=dict)  # "walk_away" -> figures
    competitor: str = ""  # a competing company the message names
    follow_up: bool = False  # a fragment that leans on what was said before
    correction: bool = False  # "sorry, I meant remote": the last question, somewhere else
    compare: str = ""  # "is that above the band?": what "that" was (target, walk_away, offer)
    level_name: str = ""  # a company only the level mapping names ("what's that at recursion")
    topic: list[str] = field(default_factory=list)  # earlier messages "script for that?" means
    cued: set[str] = field(default_factory=set)  # intents a cue word asked for outright
    against: str = ""  # a rival company to set beside the band ("how does X compare to ...")
    rival_amounts: list[Amount] = field(default_factory=list)  # figures said of a rival
    offered: bool = False  # the message says an offer was made ("they offered", "came in at")

    def describe(self) -> str:
        """A one-line summary for `/state` and `--verbose`."""
        bits = [f"intent={self.intent} ({self.confidence:.2f})"]
        for name in ("guides", "regions", "components", "offer", "own", "competitor"):
            value = getattr(self, name)
            if value:
                bits.append(f"{name}={value}")
        return ", ".join(bits)


# Example vectors per embedding model: computed once per process, shared by every reader.
_EXAMPLE_VECTORS: dict[str, list[list[float]]] = {}


@cache
def _examples() -> dict[str, list[str]]:
    text = resources.files("coach.advice").joinpath("intents.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {intent: list(lines) for intent, lines in data.items()}


def _norm(vector: list[float]) -> list[float]:
    length = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / length for v in vector]


class Reader:
    """Reads messages against the stored playbooks (see the module docstring)."""

    def __init__(self, embedder: Embedder, playbooks: list[Playbook], mode: str = "both") -> None:
        if mode not in READER_MODES:
            raise ValueError(f"reader mode {mode!r} is not one of {READER_MODES}")
        self.embedder = embedder
        self.playbooks = playbooks
        # "knn" or "cues" alone exist to measure what each part adds (the eval's --reader).
        self.mode = mode
        examples = _examples()
        self._labels = [intent for intent, lines in examples.items() for _ in lines]
        key = getattr(embedder, "model_name", type(embedder).__name__)
        if key not in _EXAMPLE_VECTORS:
            texts = [line for lines in examples.values() for line in lines]
            _EXAMPLE_VECTORS[key] = [_norm(v) for v in embedder.embed_documents(texts)]
        self._vectors = _EXAMPLE_VECTORS[key]
        self._premium_words = _premium_words(playbooks)
        self._skills_of = {p.guide: _premium_words([p]) for p in playbooks}
        companies = {w for p in playbooks for w in _name_words(p.company)} or {"-"}
        # "$230,000 base from Lumora": an amount from the company itself is its offer.
        self._from_company = re.compile(
            r"\bfrom (?:" + "|".join(sorted(map(re.escape, companies))) + r")\b"
        )

    # -- intent --------------------------------------------------------------------------

    def intent_scores(self, text: str) -> dict[str, float]:
        """Per intent, the mean similarity of the two nearest examples."""
        query = _norm(self.embedder.embed_query(text))
        best: dict[str, list[float]] = {}
        for label, vector in zip(self._labels, self._vectors, strict=True):
            best.setdefault(label, []).append(sum(a * b for a, b in zip(query, vector, strict=True)))
        return {label: sum(sorted(s)[-2:]) / min(2, len(s)) for label, s in best.items()}

    def read(self, text: str) -> Reading:
        """The intent and slots of one message (dialogue context is applied elsewhere)."""
        # A long message tells a story and then asks; what it asks is in its last question.
        focus = _question_part(text)
        asked = focus.lower()
        if self.mode == "cues":
            scores = dict.fromkeys(INTENTS, 0.0)
            scores["concept"] = 0.01  # with no cue at all, general advice from retrieval
        else:
            scores = self.intent_scores(focus)
        lowered = text.lower()
        # "I'm leaving 35k of deferred bonus behind": money given up is not an offer.
        # "ISO 26262" names a standard, not 26,262 dollars.
        skill = [m.span() for m in self._premium_words.finditer(lowered)] if (
            self._premium_words) else []
        rivals = self._rival_ends(lowered)
        said = read_amounts(text)  # every amount, before deciding whose each one is
        amounts = [a for a in said
                   if not given_up(lowered, a) and not elsewhere(lowered, a)
                   and not any(lo <= a.start < hi for lo, hi in skill)
                   and not rivals_figure(lowered, a, rivals)]
        if self.mode == "knn":
            ranked = sorted(scores.items(), key=lambda item: -item[1])
            reading = Reading(text, ranked[0][0], ranked[0][1], ranked[1][0], amounts=amounts)
            self._slots(reading, lowered)
            return reading
        cued: set[str] = set()
        for intent, pattern, weight in _CUES:
            if re.search(pattern, asked):
                scores[intent] = scores.get(intent, 0.0) + weight
                cued.add(intent)
        money = [a for a in amounts if not a.is_percent]
        offered = bool(_OFFER_WORDS.search(text)) or bool(
            money and self._from_company.search(lowered)
        )
        # "is 220 the max?" checks a number against the band; it is not an offer.
        checks_band = bool(money) and ((bool(
            _BAND_EDGE.search(focus) or re.search(r"\b(?:band|range)\b", asked)
        ) and not offered) or bool(_FITS_BAND.search(asked)))
        # "195k base denver!!": an amount said of a component, with nothing else asked.
        stated = bool(money) and _names_component_tersely(lowered)
        if stated:
            scores["offer_verdict"] = scores.get("offer_verdict", 0.0) + 0.15
        if money and not checks_band and (offered or stated or _VERDICT_WORDS.search(focus)):
            scores["offer_verdict"] = scores.get("offer_verdict", 0.0) + 0.3
            if offered:
                scores["band"] = scores.get("band", 0.0) - 0.1
        # "I've done ISO 26262 work": the skill a premium of the guide is for.
        if not money and skill:
            scores["premium"] = scores.get("premium", 0.0) + 0.35
        if checks_band or (_is_terse_lookup(lowered) and not money):
            scores["band"] = scores.get("band", 0.0) + 0.3
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        reading = Reading(text, ranked[0][0], ranked[0][1], ranked[1][0], amounts=amounts,
                          cued=cued, offered=offered)
        self._slots(reading, lowered)
        parts_asked = components(asked)
        if focus != text:
            # The parts asked about are the question's; the story may name others.
            reading.components = parts_asked or reading.components
        # A rival named only in the story does not make the question about the rival.
        rival_asked = bool(reading.competitor) and bool(self._competitor(asked))
        # "How does that compare to Lumora's remote US total comp?": both, side by side.
        if reading.competitor and reading.regions and parts_asked and not money and (
            _COMPARED.search(asked)
        ) and (reading.intent in {"band", "competing_offers", "offer_verdict", "concept"}
               or reading.intent not in cued):
            reading.intent, reading.against = "band", reading.competitor
        if cued and reading.follow_up and not reading.correction and reading.intent in cued - {
            "band", "premium"
        }:
            reading.follow_up = False  # "ok. when's the secondary sale?" asks its own question
        # A message that is only an amount ("103.500") answers "what's the offer?".
        bare = len(money) == 1 and not re.search(
            r"[a-z]", lowered[:money[0].start] + lowered[money[0].end:]
        )
        if money and not reading.offer and (_AMOUNT_FIX.search(lowered) or bare):
            # "sorry typo, it's 107.000 not 101": the amount corrects the offer.
            reading.intent = "offer_verdict"
            reading.offer, reading.own = _money_slots(reading, lowered)
        explicit = cued & {"counter", "walk_away", "target", "premium"}
        # A named rival company makes it a question about that offer, not general advice.
        # Level mapping keeps it only when the message asks about levels.
        reading.rival_amounts = [a for a in said if rivals_figure(lowered, a, rivals)
                                 and not a.is_percent]
        rival_said = bool(reading.rival_amounts)
        if rival_said and reading.components and not money and not reading.regions and (
            _BAND_NAMED.search(asked)
        ):
            # "Halden's at 298 TC. Which office's TC band gets close?": every band beside it.
            reading.intent, reading.every_region = "band", True
        elif rival_said and reading.regions and reading.components and not money:
            # "Pennant Bank is at 320 TC. What does Lumora pay all-in in NY?": the rival's
            # figure is context; the question is this company's band.
            reading.intent = "band"
        elif rival_asked and not money and not reading.against and (
            reading.intent not in explicit
        ) and (
            reading.intent not in {"script", "level_mapping", "guide_fact"}
            or (reading.intent == "level_mapping" and not _LEVEL_ASKED.search(lowered))
            or (reading.intent == "guide_fact" and "guide_fact" not in cued)
        ):
            reading.intent = "competing_offers"  # "what's corvid at?"
        elif reading.level_name and not money and reading.intent not in {"script", "guide_fact"}:
            reading.intent = "level_mapping"  # "and illumina?" names a company of the mapping
        # "My floor is 110k. They offered 108k": the person's own number comes with an offer,
        # and the offer is what they want judged.
        if reading.intent in {"walk_away", "target", "concept"} and reading.own and money and (
            offered
        ):
            reading.intent = "offer_verdict"
            reading.offer, reading.own = _money_slots(reading, lowered)
        # "I'm leaving 60-100k of unvested stock behind, will they match it?": what covers
        # money left behind is the sign-on, and the guide's sign-on script says how to ask.
        # ("How big a golden hello can they do?" names the component: that is its band.)
        left = [a for a in said if given_up(lowered, a)]
        if not money and left and (
            reading.intent in {"competing_offers", "concept", "guide_fact"}
            or (reading.intent == "band" and not components(without(lowered, left)))
        ):
            reading.intent = "script"
            reading.components = [comp.SIGN_ON]
        elif not money and _MADE_WHOLE.search(lowered) and LEFT_BEHIND.search(lowered):
            # "How might I be compensated for the unvested RSUs I'd leave behind?": the same
            # question without the amount.
            reading.intent = "script"
            reading.components = [comp.SIGN_ON]
        # With no rival named and no word about other offers, a pay part asked about is its
        # band ("share optoins for manchester, how much").
        if reading.intent == "competing_offers" and not reading.competitor and (
            "competing_offers" not in cued and reading.components and not money
        ):
            reading.intent = "band"
        # "My own walk-away is 240k. What's the remote base range?": the number is context.
        if reading.intent in {"walk_away", "target"} and reading.intent in reading.own and (
            "band" in cued
        ):
            reading.intent = "band"
        # "$10K base" is not a base salary: an offer made only of other parts (relocation,
        # sign-on, equity), asked about ("is 30k sign-on within range?"), asks for their band.
        if reading.intent == "offer_verdict" and reading.offer and not (
            {comp.BASE, comp.TOTAL_COMP} & reading.offer.keys()
        ) and not re.search(r"\baccept\b|\btake it\b|\bsign\b(?![\s-]?on)", lowered):
            reading.intent = "band"
            reading.components = list(reading.offer)
        if _THANKS.match(lowered) and not (money or reading.regions or reading.components):
            reading.intent, reading.follow_up = "small_talk", False  # "ok thanks"
        elif reading.intent == "small_talk" and (reading.components or money):
            # "how many quid is the golden hello in manc": a pay part named is not small talk.
            reading.intent = "offer_verdict" if reading.offer and offered else "band"
        # "Cerebras offered 268 base, guess that's the bare minimum": the offer is what is
        # to be judged, whatever word about limits comes with it.
        if reading.intent in {"walk_away", "target"} and offered and reading.offer and not (
            reading.own
        ):
            reading.intent = "offer_verdict"
        return reading

    # -- slots ---------------------------------------------------------------------------

    def _slots(self, reading: Reading, lowered: str) -> None:
        reading.guides = self._guides(lowered)
        reading.regions = self._regions(lowered, reading.guides)
        if len(reading.regions) > 1 and (first := _FIRST.search(lowered)):
            # "New York and Seattle, base for New York first": one now, the rest next.
            just_before = lowered[max(0, first.start() - 25):first.start()]
            before = [(p, r) for r in reading.regions
                      if (p := _region_position(r, just_before)) >= 0]
            if before:
                now = max(before)[1]
                reading.later_regions = [r for r in reading.regions if r != now]
                reading.regions = [now]
        every = _EVERY_REGION.search(lowered)
        # "How does Austin compare?" names its region; "compare" alone means all of them.
        # "Is the bonus lower for remote? By how much?" needs the others beside it.
        reading.every_region = (bool(every) and not (
            every.group(0) == "compare" and len(reading.regions) == 1
        )) or (bool(_COMPARATIVE.search(lowered)) and len(reading.regions) == 1)
        reading.other_region = bool(_OTHER_REGION.search(lowered))
        if not reading.regions:
            reading.unknown_region = _unknown_place(lowered)
        reading.components = components(lowered)
        reading.competitor = self._competitor(lowered)
        if not reading.competitor and not reading.guides:
            reading.level_name = self._level_name(lowered)
        reading.offer, reading.own = _money_slots(reading, lowered)
        words = re.findall(r"[a-z']+", lowered)
        reading.correction = bool(_CORRECTION.match(lowered)) and len(words) <= 8
        reading.follow_up = reading.correction or (len(words) <= 6 and (
            bool(re.match(r"^(?:and|what about|how about|ok(?:ay)?|so|then|same)\b", lowered))
            or (bool(reading.regions or reading.components) and reading.confidence < 0.55)
        ))

    def _guides(self, lowered: str) -> list[str]:
        found = []
        for playbook in self.playbooks:
            names = {playbook.company.lower(), *(_name_words(playbook.company))}
            if any(n and re.search(rf"\b{re.escape(n)}\b", lowered) for n in names):
                found.append(playbook.guide)
        if found or len(self.playbooks) < 2:
            return found
        # "the premium for Rust and OCPP experience": a skill only one guide pays a premium for.
        skilled = [guide for guide, words in self._skills_of.items()
                   if words is not None and words.search(lowered)]
        if len(skilled) == 1:
            return skilled
        if not _ROLE_ASKED.search(lowered):
            return found
        # "for the data engineer job", "the SRE role": words of one guide's role alone.
        roles = {p.guide: _role_words(p.role) for p in self.playbooks}
        for guide, words in roles.items():
            others = set().union(*(w for g, w in roles.items() if g != guide))
            if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words - others):
                found.append(guide)
        return found

    def _regions(self, lowered: str, guides: list[str]) -> list[str]:
        books = [p for p in self.playbooks if not guides or p.guide in guides]
        hits: list[tuple[int, str]] = []
        for playbook in books:
            for band in playbook.bands:
                position = _region_position(band.region, lowered)
                if position >= 0 and band.region not in [h[1] for h in hits]:
                    hits.append((position, band.region))
        # "I meant Denver, not remote": the place after "not" is the one taken back.
        kept = [h for h in hits if not re.search(r"\b(?:not|instead of)\s+$", lowered[: h[0]])]
        # "base in boston, sorry i mean austin": only what follows the correction counts.
        fixed = _IN_MESSAGE_FIX.search(lowered)
        if fixed and any(h[0] > fixed.start() for h in kept):
            kept = [h for h in kept if h[0] > fixed.start()]
        return [region for _, region in sorted(kept or hits)]

    def _level_name(self, lowered: str) -> str:
        """A company the level mapping compares with ("Recursion" in "... ≈ Recursion ...")."""
        for playbook in self.playbooks:
            if not playbook.level_mapping:
                continue
            own = set(_name_words(playbook.company)) | _role_words(playbook.role)
            for word in re.findall(r"\b[A-Z][a-zA-Z]{3,}\b", playbook.level_mapping):
                name = word.lower()
                if name not in own and name not in _ROLE_TITLE_WORDS and re.search(
                    rf"\b{name}\b", lowered
                ):
                    return word
        return ""

    def _rival_ends(self, lowered: str) -> list[int]:
        """Where each mention of a competing company's name ends."""
        ends = []
        for playbook in self.playbooks:
            for offer in playbook.competing_offers:
                for word in _name_words(offer.company) or [offer.company.lower()]:
                    # The word after the name ("Halden's offer", "Stromwerk Energy") goes
                    # with it, unless the person starts speaking ("Stromwerk my floor is...").
                    ends += [m.end() for m in re.finditer(
                        rf"\b{re.escape(word)}\b(?:'s)?(?:\s+(?!(?:i|i'm|i'd|my|me|we|they|but)"
                        r"\b)[a-z]+)?", lowered)]
        return ends

    def _competitor(self, lowered: str) -> str:
        for playbook in self.playbooks:
            for offer in playbook.competing_offers:
                words = _name_words(offer.company) or [offer.company.lower()]
                if any(re.search(rf"\b{re.escape(w)}(?:'?s)?\b", lowered) for w in words):
                    return offer.company
        return ""


_NOT_A_SKILL = {"premium", "ipo", "rsu", "rsus", "tc", "usd", "eur", "gbp", "base", "more",
                "ask", "for", "the", "and", "pay", "salary", "stock", "grant", "equity", "options",
                "pre", "listing", "on", "call", "option", "share", "shares"}


def _premium_words(playbooks: list[Playbook]) -> re.Pattern[str] | None:
    """Words that name what a premium is paid for: its name ("rust", "ocpp", "single-cell")
    and the acronyms and standard numbers beside it ("ISO", "26262", "HIPAA")."""
    found: set[str] = set()
    for playbook in playbooks:
        role = _role_words(playbook.role) | set(_name_words(playbook.company))
        for premium in playbook.premiums:
            words = set(re.findall(r"[a-z0-9-]+", premium.name.lower().replace("/", " ")))
            for part in re.split(r"\s\|\s", premium.source.quote):
                if premium.name.split()[0].lower() in part.lower():
                    words |= {w.lower() for w in re.findall(r"\b[A-Z]{3,}\b|\b\d{4,5}\b", part)}
            found |= {w for w in words if len(w) >= 3 and w not in _NOT_A_SKILL and w not in role}
    if not found:
        return None
    # "design system" names the "design-systems premium" as well.
    stems = {w[:-1] if w.endswith("s") and len(w) > 4 else w for w in found}
    names = sorted(re.escape(w).replace(r"\-", "[- ]?") for w in stems)
    return re.compile(r"\b(?:" + "|".join(names) + r")s?\b")


def _name_words(name: str) -> list[str]:
    """The distinctive words of a company name ("Ardent Robotics" -> ["ardent"])."""
    generic = {"inc", "corp", "co", "ltd", "gmbh", "labs", "bio", "the", "ai", "ml", "group",
               "technologies", "robotics", "mobility", "systems", "health", "bank"}
    return [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in generic and len(w) > 2]


# "sorry, I meant remote", "no, Denver", "I meant the equity": the last question, changed.
_CORRECTION = re.compile(
    r"^(?:(?:sorry|oops|no|nope|wait|actually)\b[ ,.!-]*)*(?:i meant\b|i mean\b|make that\b)"
    r"|^(?:sorry|no|nope|wait)\b[ ,.!-]+(?:the )?[a-z ()]{2,30}[?.!]*$"
)
# "sorry typo, it's 107.000 not 101", "wait, 240 not 250": an amount put right.
_AMOUNT_FIX = re.compile(r"(?:^\W*(?:ah |oh |um |hmm )?(?:sorry|oops|wait|no|nope|actually)|\btypo|"
                         r"\bmisread|\bcorrection|\bmy bad)\b.*\bnot\s+[$€£]?\d|"
                         # "Sorry, I read it wrong, is 110.000", "They fixed it: 100k"
                         r"\b(?:read|got|typed|wrote|had) it wrong\b|\bi misread\b|\bthey "
                         r"(?:fixed|corrected|revised|updated) (?:it|the offer|the number)\b")
# "Does that even fit their total comp range?": a figure placed in the band, offered or not.
_MADE_WHOLE = re.compile(r"\bcompensat\w*|\bcover\w*|\bmake (?:me |it |that )?(?:up|whole)\b|"
                         r"\boffset\w*|\breplac\w*|\bbuy (?:me |it |that )?out\b|\bmatch\w*|"
                         r"\breimburs\w*")
_FITS_BAND = re.compile(r"\b(?:fit|fits|within|inside|in|into)\b[^.?!]{0,40}\b(?:band|range)\b")
_COMPARED = re.compile(r"(?<!before i )(?<!before we )\bcompar\w*|\bstack up\b|\bvs\.?\b|\bversus\b|\bbetter\b|\bagainst\b|"
                       r"\bthan\b|\bmeasure up\b")


def _question_part(text: str) -> str:
    """The question a long message ends on: its last sentence with a question mark (or its
    last sentence), with the one before it when that question is short or points back."""
    if len(text.split()) <= 14:
        return text
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\banyway,?\s+", text) if s.strip()]
    if len(sentences) < 2:
        return text
    asked = [i for i, s in enumerate(sentences) if "?" in s]
    last = asked[-1] if asked else len(sentences) - 1
    # "How should I play that?" leans on the sentence before it.
    leans = len(sentences[last].split()) <= 4 or re.search(
        r"\b(?:that|this|it|those|them|these)\b", sentences[last], re.I
    )
    start = last - 1 if leans and last > 0 else last
    while start > 0 and sentences[start - 1].rstrip().endswith("?"):
        start -= 1  # "When does it open? Would I commute until then?": one question, two parts
    # "...in euros? and the sign on there too": what follows the question adds to it.
    return " ".join(sentences[start:])


# A correction inside one message; the places named after it replace those before it.
_IN_MESSAGE_FIX = re.compile(r"\b(?:sorry|i mean|i meant|make that|scratch that|rather)\b")
_LEVEL_ASKED = re.compile(r"\blevel|\bequivalent\b|\bmaps?\b|\btitle\b|\bladder\b|"
                          r"\b(?:ic|sde|[lpe])\s?[1-9]\b")
_THANKS = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|cool|great|perfect|nice|awesome|got it|sounds good|alright)\W*)*"
    r"(?:thanks?(?: you)?|thx|ty|ta|cheers|appreciate it|bye|cool|great|perfect|got it|"
    r"brilliant|nice one|legend|ace)\b[\W]*(?:(?:so much|a lot|again|man|mate|legend)\W*)*$"
)
# Title words of a level mapping, which are not company names.
_ROLE_TITLE_WORDS = {"engineer", "senior", "staff", "principal", "scientist", "software",
                     "designer", "product", "manager", "lead", "level", "member", "technical"}
# A message that names a role ("the data engineer job", "the SRE role", "for the ML offer").
_ROLE_ASKED = re.compile(r"\b(?:role|job|position|gig|offer|engineer|scientist|designer)\b")
_GENERIC_ROLE = {"senior", "staff", "principal", "lead", "junior", "engineer", "the", "and",
                 "of", "for", "ii", "iii", "sr"}


def _role_words(role: str) -> set[str]:
    """A role's distinctive words and initials: "Staff Site Reliability Engineer" -> site,
    reliability, sre; "ML/AI Engineer" -> ml, ai."""
    words = re.findall(r"[a-z0-9]+", role.lower())
    kept = {w for w in words if w not in _GENERIC_ROLE and len(w) >= 2}
    core = [w for w in words if w not in {"senior", "staff", "principal", "lead", "junior", "sr"}]
    if len(core) >= 3:
        kept.add("".join(w[0] for w in core))
    return kept


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[a-z]+", name.lower()))


# What people call some cities in chat, beside their names and initials.
_NICKNAMES = {
    "austin": r"atx", "amsterdam": r"a'?dam", "san francisco": r"the bay(?: area)?|frisco",
    "new york": r"the city|big apple", "los angeles": r"l\.a\.", "philadelphia": r"philly",
    "washington": r"d\.?c\.?", "chicago": r"chi-?town", "toronto": r"the six|t\.o\.",
    "munich": r"m[uü]nchen", "cologne": r"k[oö]ln", "zurich": r"z[uü]rich",
}


def _region_position(region: str, lowered: str) -> int:
    """Where ``lowered`` names ``region`` (full name, initials, a nickname, a prefix or a
    typo), or -1."""
    name = " ".join(region.lower().replace("-", " ").replace("(", " ").replace(")", " ").split())
    if (match := re.search(rf"\b{re.escape(name)}\b", lowered)) is not None:
        return match.start()
    for city, nickname in _NICKNAMES.items():
        if name.startswith(city) and (match := re.search(rf"(?<!\w)(?:{nickname})(?!\w)", lowered)):
            return match.start()
    words = name.split()
    # "SD" for San Diego, "NYC" for New York (City).
    if len(words) > 1 and (match := re.search(rf"(?<!['’])\b{_initials(name)}c?\b", lowered)):
        return match.start()
    tokens = list(re.finditer(r"[a-z]+", lowered))
    for token in tokens:
        if _is_abbreviation(token.group(), name):
            return token.start()
    if words[0] == "remote":
        hit = next((t for t in tokens if t.group() in {"remote", "remotely"}), None)
        return hit.start() if hit else -1
    for token in tokens:
        word = token.group()
        if len(word) >= 3 and words[0].startswith(word) and len(word) >= min(len(words[0]), 3):
            if word in {"san", "new", "the", "all"}:
                continue
            return token.start()
    # Typos: a two-word region written close enough ("san deigo"), or a long single word.
    for i, token in enumerate(tokens):
        candidate = " ".join(t.group() for t in tokens[i:i + len(words)])
        if len(name) >= 5 and SequenceMatcher(None, candidate, name).ratio() >= 0.85:
            return token.start()
    return -1


def _is_terse_lookup(lowered: str) -> bool:
    """A bare noun phrase naming a pay component ("sign-on in seattle", "PGH base?").

    With no verb to go on, the sentence vector drifts towards whatever example shares a
    word; a short phrase that names a component and asks for nothing else wants its band.
    """
    words = re.findall(r"[a-z][a-z'-]*", lowered)
    if len(words) > 10 or not components(lowered):
        return False
    return not any(re.search(pattern, lowered) for _, pattern, _ in _CUES) and not re.search(
        r"\b(?:should|do|can|could|would|how|why|say|ask|tell|get)\b", lowered
    )




def _names_component_tersely(lowered: str) -> bool:
    """A short message naming a pay component and asking nothing ("195k base denver!!")."""
    words = re.findall(r"[a-z][a-z'-]*", lowered)
    named = bool(components(lowered)) or bool(re.search(r"\bin [a-z]", lowered))
    return len(words) <= 5 and named and not re.search(
        r"\b(?:what|how|which|max(?:imum)?|top|range|band)\b|\?", lowered
    )


def _is_abbreviation(token: str, name: str) -> bool:
    """ "PGH" for Pittsburgh, "LDN" for London: consonants of the name, in order, from its start.

    Only tokens without vowels count, because almost no English word lacks one, while a
    short word with vowels ("pit", "bed") would match many names by accident.
    """
    letters = name.replace(" ", "")
    if not 2 <= len(token) <= 4 or re.search(r"[aeiou]", token) or token[0] != letters[0]:
        return False
    rest = iter(letters[1:])
    return all(ch in rest for ch in token[1:])


def _unknown_place(lowered: str) -> str:
    for place in _PLACES:
        if re.search(rf"\b{re.escape(place)}\b", lowered):
            return place
    return ""






def _money_slots(
    reading: Reading, lowered: str
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    offer: dict[str, float] = {}
    own: dict[str, dict[str, float]] = {}
    for which, pattern in _OWN.items():
        if (match := pattern.search(lowered)) is not None:
            after = [a for a in reading.amounts if a.start >= match.end() and not a.is_percent]
            if after:
                own[which] = {comp.BASE: after[0].value}
    owned = {v for values in own.values() for v in values.values()}
    if reading.intent not in {"offer_verdict", "counter", "walk_away", "target"} and not (
        reading.offered
    ):
        return offer, own
    # In a correction ("actually 245, not 255") the amount after "not" is the old one.
    stale = {a.start for a in reading.amounts
             if re.search(r"\bnot\s*$", lowered[max(0, a.start - 6):a.start])}
    for amount in reading.amounts:
        if amount.value in owned or amount.start in stale:
            continue
        component = component_near(amount, lowered)
        if component:
            offer.setdefault(component, amount.value)
    return offer, own
