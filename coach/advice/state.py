"""What a conversation has established so far, and how a new message leans on it.

People do not repeat themselves: "they offered 255" is followed by "is that good?", a band
question by "and the other region?" or "what about equity?". The state keeps the guide, the
region, the offer and the person's own numbers until the person changes them, and
``resolve`` fills a new reading's empty slots from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.advice.amounts import read_amounts
from coach.advice.component_words import ALL_COMPONENTS
from coach.advice.reader import Reading
from coach.negotiation import components as comp

# Intents a bare fragment ("and equity?", "San Diego?") continues.
_CONTINUED = {"band", "offer_verdict", "counter", "competing_offers", "script", "premium"}
_MONEY_MOVES = {"offer_verdict", "counter"}
_AGAINST_BAND = re.compile(
    r"^\W*(?:is|was|would|does)\s+(?:that|it|this)\b[^?]*\b(?:above|below|over|under|within|"
    r"inside|outside|in|top of|bottom of)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:band|range)\b",
    re.IGNORECASE,
)
_BACK_TO_IT = re.compile(r"\b(?:to|for) (?:that|it|this|them)\b|\bsay back\b", re.IGNORECASE)
_BOTH_GUIDES = re.compile(
    r"\b(?:which|both|each|either) of (?:the|them|those|these) (?:two|three|jobs|roles|offers|"
    r"companies|guides)\b|\b(?:which|both|each) of them\b|\bboth (?:jobs|roles|offers|companies|"
    r"guides)\b", re.I,
)
_BAND_WORD = re.compile(r"\b(?:band|range)s?\b", re.I)
_THOSE = re.compile(r"\b(?:those|these|both|the) (?:two|three|regions|places|cities|offices)\b|"
                    r"\bboth\b|\bfor them\b", re.IGNORECASE)
_WHICH_OFFER = re.compile(r"\bwhich (?:one|offer|company)\b|\bwho\b", re.IGNORECASE)
# "so which one is mine?" after a band for every region: the band, in the region just named.
_WHICH_IS_MINE = re.compile(r"\bwhich (?:one|band|row|range)\b|\bwhich is\b|\bmine\b|"
                            r"\bfor me\b", re.IGNORECASE)
_LEVEL_WORDS = re.compile(r"\blevel|\bequivalent\b|\bmaps?\b|\btitle\b", re.IGNORECASE)


@dataclass
class DialogueState:
    """The slots carried between turns of one conversation."""

    guide: str = ""
    region: str = ""
    # Each guide's region, so "back to Ardent" finds Austin again after a Saltmarsh detour.
    region_of_guide: dict[str, str] = field(default_factory=dict)
    guides_seen: list[str] = field(default_factory=list)
    regions_seen: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    offer: dict[str, float] = field(default_factory=dict)
    own: dict[str, dict[str, float]] = field(default_factory=dict)
    last_intent: str = ""
    recent: list[str] = field(default_factory=list)  # the last few messages, newest first
    last_regions: list[str] = field(default_factory=list)  # the regions the last answer named
    later_regions: list[str] = field(default_factory=list)  # named to be answered next

    def describe(self) -> str:
        """What the coach has understood, for `/state`."""
        parts = [
            f"guide: {self.guide or '-'}",
            f"region: {self.region or '-'}",
            f"offer: {self.offer or '-'}",
        ]
        for which, values in self.own.items():
            parts.append(f"your {which.replace('_', '-')}: {values}")
        if self.last_intent:
            parts.append(f"last question: {self.last_intent.replace('_', ' ')}")
        return "; ".join(parts)

    def update(self, command: str) -> str:
        """Apply a correction such as ``region San Diego`` or ``offer 250k``; describe the state.

        An empty command only describes; ``clear`` forgets everything.
        """
        name, _, value = command.partition(" ")
        value = value.strip()
        if name == "clear":
            self.__dict__.update(DialogueState().__dict__)
        elif name == "region" and value:
            self.region = value
        elif name == "guide" and value:
            self.guide = value
        elif name == "offer" and value:
            amounts = [a for a in read_amounts(value) if not a.is_percent]
            if not amounts:
                return f"'{value}' is not an amount; write it like 250k or $250,000."
            self.offer = {comp.BASE: amounts[0].value}
        elif name:
            return "use /state, /state clear, /state region NAME, /state offer AMOUNT or /state guide ID"
        return self.describe()

    def resolve(self, reading: Reading, regions_of: dict[str, list[str]]) -> Reading:
        """Fill ``reading``'s gaps from the state, then remember what it established.

        ``regions_of`` maps each guide id to its region names (to resolve "the other region").
        """
        # A fragment continues the last question, unless it asks its own: a rival named
        # ("and calder?"), or a band named with its component after something else.
        own_question = (reading.intent == "competing_offers" and reading.competitor) or (
            reading.intent == "band" and reading.components and reading.regions
        )
        # (The fragment's own intent stands only when a word asked for it: "same for
        # remote?" after a band is the band, whatever its sentence vector says.)
        if reading.follow_up and self.last_intent in _CONTINUED and not own_question and (
            reading.intent not in reading.cued and not reading.amounts
        ):
            reading.intent = self.last_intent
        if (
            reading.intent == "script"
            and (self.last_intent in _MONEY_MOVES or (
                self.offer and not re.search(r"\bscript|\bline\b|\bwording|\bwords\b",
                                             reading.text, re.IGNORECASE)
            ))
            and _BACK_TO_IT.search(reading.text)
            and reading.components in ([], [comp.BASE])
        ):
            reading.intent = "counter"  # "what do I say to that?" after a verdict: the counter
        if reading.intent == "script":
            # "script for that?", "give me the wording": the topic said before, newest first
            # (the message's own words still count most).
            reading.topic = list(self.recent)
        if (
            reading.follow_up
            and self.last_intent == "premium"
            and reading.intent in {"walk_away", "target"}
            and not reading.amounts
        ):
            reading.intent = "premium"  # "and the minimum?" after the share premium: its floor
        if reading.correction and self.last_intent and not reading.amounts:
            # "sorry, I meant remote": the same question, with what was corrected.
            reading.intent = self.last_intent
            if not reading.components and self.last_intent == "band":
                reading.components = list(self.components)
        if (
            self.last_intent == "competing_offers"
            and reading.intent == "band"
            and _WHICH_OFFER.search(reading.text)
            and not reading.regions
        ):
            reading.intent = "competing_offers"  # "which one has the highest salary?"
        if (
            reading.competitor
            and self.last_intent == "competing_offers"
            and reading.intent in {"level_mapping", "guide_fact", "band"}
            and not _LEVEL_WORDS.search(reading.text)
            and len(reading.text.split()) <= 6
        ):
            reading.intent = "competing_offers"  # "whats google's?" after the offers
        if (
            self.last_intent == "level_mapping"
            and (reading.competitor or reading.level_name)
            and not reading.amounts
            and not reading.components
            and not re.search(r"\boffer|\bpay|\btc\b", reading.text, re.IGNORECASE)
        ):
            reading.intent = "level_mapping"  # "and what's that at meta?" after the mapping
        if (
            reading.follow_up
            and reading.components
            and not reading.amounts
            and reading.intent in _MONEY_MOVES
        ):
            reading.intent = "band"  # "and the stock there?" after a verdict asks for a band
        # A vague line that names only a place ("would that differ if it were remote?") asks
        # the last money question again there.
        if (
            reading.regions
            and not reading.amounts
            and not reading.components
            and not _BAND_WORD.search(reading.text)  # "Sunnyvale band then?" asks for the band
            and reading.confidence < 0.45
            and self.last_intent in _MONEY_MOVES
            and self.offer
        ):
            reading.intent = self.last_intent
        if (
            self.last_intent == "band"
            and reading.regions
            and not reading.amounts
            and reading.intent in {"target", "walk_away", "counter", "concept", "level_mapping"}
            and _WHICH_IS_MINE.search(reading.text)
        ):
            reading.intent = "band"
        if (
            _AGAINST_BAND.search(reading.text)
            and self.last_intent in {"target", "walk_away", "offer_verdict", "counter"}
            and not reading.amounts
        ):
            # "is that above the Pittsburgh band?" after the anchor: that figure against the band.
            reading.compare = "offer" if self.last_intent in _MONEY_MOVES else self.last_intent
            reading.intent = "band"
            if reading.compare == "offer":
                reading.offer = dict(self.offer)
        if not reading.guides and len(self.guides_seen) > 1 and _BOTH_GUIDES.search(reading.text):
            # "Which of the two has the higher walk-away?" after talking about two guides (with
            # one guide, "the two" are regions).
            reading.guides = list(self.guides_seen)
        if reading.guides == [] and self.guide:
            reading.guides = [self.guide]
            # "remote" names a region in several stored guides; the chat is about this one.
            own = [r for r in reading.regions if r in regions_of.get(self.guide, [])]
            reading.regions = own or reading.regions
        guide = reading.guides[0] if len(reading.guides) == 1 else ""
        banded = [g for g, names in regions_of.items() if names]
        if not guide and len(banded) == 1:
            guide = banded[0]  # one guide with bands: "the other region" is in it
        if reading.other_region and self.later_regions and not reading.regions:
            reading.regions = list(self.later_regions)  # "... Pittsburgh first." / "same for the other"
        elif reading.other_region and guide and not reading.regions:
            # "same for the other one, remote" names it; otherwise the regions not yet seen.
            others = [r for r in regions_of.get(guide, []) if r not in self.regions_seen]
            reading.regions = others or [r for r in regions_of.get(guide, []) if r != self.region]
        if not reading.regions and _THOSE.search(reading.text) and len(self.last_regions) > 1:
            reading.regions = list(self.last_regions)  # "and TC for those two?"
        region = self.region if guide in {"", self.guide} else self.region_of_guide.get(guide, "")
        if not reading.regions and not reading.every_region and region and (
            not reading.unknown_region
        ):
            reading.regions = [region]
        if not reading.components and reading.intent == "band" and self.last_intent == "band":
            reading.components = list(self.components)
        if reading.own.get("walk_away") and self.offer and not reading.offer and (
            reading.intent not in {"offer_verdict", "counter", "band", "script", "premium"}
        ):
            # "Well MY walk-away is $200,000. Now what?" with an offer on the table: the
            # offer judged again against the person's own line.
            reading.intent = "offer_verdict"
        if not reading.own and self.own:
            reading.own = {k: dict(v) for k, v in self.own.items()}
        if reading.intent in _MONEY_MOVES and not reading.offer and self.offer:
            reading.offer = dict(self.offer)
        main_part = {comp.BASE, comp.TOTAL_COMP} & reading.offer.keys()
        if main_part and not reading.compare and reading.intent not in _MONEY_MOVES and (
            reading.intent in {"band", "concept"} and self.last_intent in _MONEY_MOVES
        ):
            reading.intent = self.last_intent  # "actually it's 245" after a verdict
        self._remember(reading, guide)
        return reading

    def _remember(self, reading: Reading, guide: str) -> None:
        for named in reading.guides:
            if named not in self.guides_seen:
                self.guides_seen.append(named)
        if guide and guide != self.guide:
            if self.guide:
                self.regions_seen, self.offer = [], {}
            self.region = self.region_of_guide.get(guide, "")
            self.guide = guide
        if len(reading.regions) == 1:
            self.region = reading.regions[0]
            if self.guide:
                self.region_of_guide[self.guide] = self.region
        if reading.regions:
            self.last_regions = list(reading.regions)
            self.later_regions = [r for r in reading.later_regions if r not in reading.regions]
        for region in reading.regions:
            if region not in self.regions_seen:
                self.regions_seen.append(region)
        if reading.components and reading.components != [ALL_COMPONENTS]:
            self.components = list(reading.components)
        if reading.offer and (reading.intent in _MONEY_MOVES or reading.offered):
            self.offer = {**self.offer, **reading.offer}
        for which, values in reading.own.items():
            self.own[which] = dict(values)
        if reading.intent not in {"small_talk", "out_of_scope"}:
            self.last_intent = reading.intent
            self.recent = [reading.text, *self.recent][:3]
