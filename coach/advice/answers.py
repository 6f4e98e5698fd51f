"""Draft answers decided from a reading: the intent and slots pick the playbook facts to state.

Each intent has one composer that states exactly the facts asked about (the band of the
named component and region, the verdict on the stated offer, the IPO date), each with its
citation, and says plainly when the guide lacks the fact rather than reaching for a
neighbouring figure. With several guides and no way to tell which one is meant, money
answers are given for each guide, naming it.

One composer per intent lives here (about 680 lines) so that every intent follows the same
rules for citing, currency and "not covered"; split, they would drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from coach.advice.amount_roles import LEFT_BEHIND
from coach.advice.basis import (
    GuideSentence,
    basis_asked,
    basis_sentence,
    mentions_part,
    parts_asked,
)
from coach.advice.component_words import ALL_COMPONENTS
from coach.advice.drafting import NOT_COVERED, Draft, counter_draft, guide_name
from coach.advice.reader import Reading
from coach.advice.routing import threshold_draft
from coach.negotiation import components as comp
from coach.negotiation.citations import Citation
from coach.negotiation.counter import evaluate_offer
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Playbook, Range, RegionBand, Source
from coach.negotiation.profile import Profile

SMALL_TALK = (
    "Happy to help. Ask me about your guide: a pay band, your target or walk-away, an offer "
    "you got, a script to rehearse, or type /roleplay to practise with a recruiter."
)
# Intents answered from one guide's playbook (the others come from retrieval or no guide).
GUIDE_INTENTS = {
    "band", "offer_verdict", "counter", "target", "walk_away", "competing_offers", "premium",
    "script", "level_mapping", "guide_fact",
}
_STOP = {"the", "a", "an", "is", "are", "what", "whats", "when", "how", "do", "does", "i",
         "my", "for", "of", "in", "at", "to", "and", "me", "give", "please", "pls", "about",
         "there", "it", "this", "that", "they", "you", "be", "will", "did", "going", "get"}


# Everyday words for the topics guides label their dates with.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "public": ("ipo",), "listing": ("ipo",), "list": ("ipo",), "ipo": ("public",),
    "paid": ("payout",), "arr": ("revenue",), "revenue": ("arr",), "review": ("pay",), "refreshed": ("refresh",), "refresh": ("band",),
    "payout": ("paid",), "raise": ("series", "funding", "round"), "round": ("series", "funding"),
    "funding": ("series", "round"), "variable": ("bonus",), "bonus": ("variable",),
}


# Words every premium's name shares, which say nothing about which premium is meant.
_PREMIUM_WORDS = {"premium", "premiums", "pay", "base", "salary"}
_SHARE_WORDS = {"share", "shares", "equity", "stock", "grant"}
# "the <kind> premium": asked about a kind no premium of the guide carries, the answer is
# "not covered" rather than another premium's figure.
_NAMED_PREMIUM = re.compile(r"\b([a-z0-9]+)[\s-]+premium", re.I)
_NOT_A_KIND = {"the", "a", "an", "my", "your", "this", "that", "any", "big", "of", "what",
               "whats", "is", "their", "its", "much", "which", "there", "here", "s", "least",
               "minimum", "lowest", "smallest", "biggest", "max", "maximum", "highest", "top"}
_FLOOR = re.compile(r"\bfloor\b|\bminimum\b|\bleast\b|\blowest\b|walk[\s-]?away|\bno less\b", re.I)
_ASK = re.compile(r"\bask(?:ing)? for\b|\btarget\b|\banchor\b|\bopen (?:at|with)\b|"
                  r"\b(?:should|to|can|do|would) i ask\b|\bi should ask\b", re.I)


# Below this reading confidence, a figure question that names nothing is not taken as one.
_UNSURE = 0.35
# The intents whose answer is a list of the guide's figures for whatever is named.
_NAMED_FIGURES = {"band", "competing_offers", "premium"}
_HIGHEST = re.compile(r"\b(?:highest|max(?:imum)?|most|top|ceiling)\b", re.I)
_LOWEST = re.compile(r"\b(?:lowest|min(?:imum)?|least|bottom)\b", re.I)


# Terms of an offer that guides often leave out. Asked about one the guide never mentions,
# the answer is "not covered", never the nearest figure the guide does have.
_TOPICS = {
    "401k": r"\b401\s?\(?k\)?", "retirement match": r"\bmatch(?:ing)?\b|\bretirement\b",
    "pension": r"\bpension", "PTO": r"\bpto\b|\bvacation\b|\bholidays?\b|\bpaid time off\b",
    "health insurance": r"\bhealth\b|\bdental\b|\binsurance\b|\bmedical\b",
    "vesting": r"\bvest(?:ing|s)?\b|\bcliff\b", "strike price": r"\bstrike\b",
    "refreshers": r"\brefresh(?:er)?s?\b", "relocation": r"\breloc\w*|\brelo\b",
    "parental leave": r"\bparental\b|\bmaternity\b|\bpaternity\b",
    "stipend": r"\bstipend\b|\ballowance\b", "visa": r"\bvisa\b|\bimmigration\b",
    "valuation": r"\bvalued\b|\bvaluation\b", "stock price": r"\bshare price\b|\bstock price\b",
    "tax": r"\btax(?:es|ed|ation)?\b", "the CEO": r"\bceo\b|\bfounders?\b|\bchief executive\b",
    "on-call pay": r"\bon[- ]?call\b[^.?!]*\b(?:pay|paid|extra|stipend|compensat\w*)\b"
                   r"|\b(?:pay|paid|extra|stipend)\b[^.?!]*\bon[- ]?call\b",
    "overtime": r"\bovertime\b", "severance": r"\bseverance\b",
    "notice period": r"\bnotice period\b", "non-compete": r"\bnon[- ]?competes?\b",
    "exercise window": r"\bexercise window\b|\bpost[- ]termination\b|"
                       r"\bexercise\b[^.?!]{0,40}\b(?:quit|leave|leaving|left)\b",
    "pay philosophy": r"\b(?:comp|compensation|pay) philosophy\b|\bpercentile\b|"
                      r"\b(?:lead|lag)s? (?:or (?:lead|lag) )?the market\b",
}


# Topics that are amounts: a guide that only says "ask for the strike price" has not given
# one, so for these the topic counts as covered only on a line that states a figure.
_AMOUNT_TOPICS = {"401k", "retirement match", "strike price", "valuation", "stock price",
                  "stipend"}


def missing_topic(text: str, guide_text: str) -> str:
    """A term the question asks about that the guide never mentions (or never gives), or ""."""
    lowered = text.lower()
    for topic, pattern in _TOPICS.items():
        if not re.search(pattern, lowered):
            continue
        lines = [line for line in guide_text.splitlines() if re.search(pattern, line.lower())]
        # "When was the valuation refreshed?" asks for a date, which a line without an
        # amount can give.
        if topic in _AMOUNT_TOPICS and not re.search(r"\bwhen\b", lowered):
            lines = [line for line in lines if find_figures(line)]
        if not lines:
            return topic
    return ""


class Composer:
    """Builds the draft for a reading from the playbooks it points to."""

    def __init__(
        self, playbooks: list[Playbook], profile: Profile, texts: dict[str, str] | None = None
    ) -> None:
        self.playbooks = [p for p in playbooks if _has_terms(p)]
        self.profile = profile
        self.texts = texts or {}  # guide id -> the guide's text, to find topics it lacks

    def books_for(self, reading: Reading) -> list[Playbook]:
        """The guides a reading is about: named ones, else the profile's, else all of them."""
        named = [p for p in self.playbooks if p.guide in reading.guides]
        if named:
            return named
        if reading.regions:
            having = [p for p in self.playbooks if any(p.band_for(r) for r in reading.regions)]
            if having:
                return having
        if reading.competitor and reading.intent != "level_mapping":
            having = [p for p in self.playbooks
                      if any(o.company == reading.competitor for o in p.competing_offers)]
            if having:
                return having
        chosen = [p for p in self.playbooks if p.guide == self.profile.guide]
        return chosen or self.playbooks

    def compose(self, reading: Reading) -> Draft | None:
        """The draft for ``reading``; None sends the question to retrieval instead."""
        if reading.intent == "small_talk":
            return Draft(text=SMALL_TALK)
        if reading.intent == "out_of_scope":
            return Draft(text=NOT_COVERED, covered=False)
        if reading.intent in {"guide_fact", "concept"} and reading.components and basis_asked(
            reading.text
        ):
            # "When does the sign-on get paid out?", "how long do I stay to keep the golden
            # hello?": how that part is paid, answered from the part's own sentence (never
            # another part's date).
            reading.intent = "band"
        if reading.intent not in GUIDE_INTENTS:
            return None
        books = self.books_for(reading)
        if not books:
            return None
        if self.texts and not reading.offer:
            lacking = [missing_topic(reading.text, self.texts.get(b.guide, "")) for b in books]
            if all(lacking):
                return Draft(text=NOT_COVERED, covered=False)
        if _unsure(reading):
            # Nothing in the message names a pay part, a place, an amount or a rival, and it
            # reads only faintly like a figure question ("does Nordlicht match pension?",
            # "what's the exercise window?"): a table of figures would answer something else.
            if len(books) > 1:
                return Draft(text=NOT_COVERED, covered=False)
            return _not_covered(f"The {guide_name(books[0])} guide doesn't say.")
        compose = _COMPOSERS[reading.intent]
        if len(books) == 1:
            draft = compose(self, books[0], reading)
        else:
            drafts = [(book, compose(self, book, reading)) for book in books]
            # Across guides, "this one has no AI premium" is noise beside the one that has it.
            answered = [(b, d) for b, d in drafts if d.covered]
            draft = _joined(answered or drafts)
        if draft is not None:
            draft.closed = True
            # The wording must keep every figure the code decided, not only the decisive ones:
            # a band reworded as "about $312K to $438K" lost the figures that were asked for.
            draft.required = list(dict.fromkeys(
                [*draft.required, *(f.raw for f in find_figures(draft.text))]
            ))
        return draft

    # -- one composer per intent --------------------------------------------------------

    def band(self, book: Playbook, reading: Reading) -> Draft:
        if reading.unknown_region and not reading.regions:
            where = ", ".join(book.regions()) or "no regions"
            return _not_covered(
                f"The {guide_name(book)} guide has no band for {reading.unknown_region.title()}; "
                f"it covers {where}."
            )
        regions = [r for r in reading.regions if book.band_for(r)] or book.regions()
        if not reading.regions and self.profile.region and book.band_for(self.profile.region):
            regions = [book.band_for(self.profile.region).region]  # type: ignore[union-attr]
        if reading.every_region:
            regions = book.regions()
        bands = [b for b in (book.band_for(r) for r in regions) if b is not None]
        if not bands:
            return _not_covered(f"The {guide_name(book)} guide gives no pay bands.")
        have = list(dict.fromkeys(c for b in bands for c in b.components))
        wanted = _wanted_components(reading.components, have)
        missing = [c for c in reading.components if c not in wanted and c != ALL_COMPONENTS]
        if not wanted:
            named = " or ".join(comp.label(c) for c in missing) or "that"
            return _not_covered(f"The {guide_name(book)} guide gives no {named} figures.")
        if reading.compare and (compared := self._against_band(book, reading, bands[0])):
            return compared
        basis = basis_asked(reading.text)
        said = None
        if basis is not None:
            # "Is that per year?": how the part is counted, which its figures do not say.
            parts = [c for c in parts_asked(reading.text, wanted) if c in have] or wanted
            if basis.kind == "timing" and not reading.components:
                parts = [comp.BASE]  # "are paychecks biweekly?": the salary's pay schedule
            said = self._basis_line(book, basis.kind, parts)
            if said is None and not basis.with_amount:
                # Asked only how it is counted, which the guide never says: the band's
                # figures would answer something else.
                return self._basis_unsaid(book, reading, basis.kind, parts)
            if said is not None and not basis.with_amount and basis.kind in _APART:
                # "When is the variable paid?": the guide's sentence is the whole answer.
                citations = []
                return Draft(text=_basis_words(book, said, citations, alone=True),
                             citations=citations, keep=[said.text])
        citations: list[Citation] = []
        parts = []
        # "The highest TC possible" with no place named is one figure: the top of all bands.
        top_only = bool(_HIGHEST.search(reading.text)) and not reading.regions and len(bands) > 1
        # "Lowest base at Lumora?": where the bands start, the low end of the lowest one.
        bottom_only = (bool(_LOWEST.search(reading.text)) and not reading.regions
                       and len(bands) > 1 and not top_only)
        for component in wanted:
            values = {b.region: b.components[component] for b in bands if component in b.components}
            shown = {r: _span(book, component, v) for r, v in values.items()}
            marker = _cite(book, bands[0].source, citations)
            name = comp.label(component) + (" (of base)" if component == comp.BONUS_PCT else "")
            if top_only:
                region, best = max(values.items(), key=lambda item: item[1].high)
                top = comp.format_value(component, best.high, book.currency)
                parts.append(f"{name} tops out at {top}, in {region}{marker}")
            elif bottom_only:
                region, least = min(values.items(), key=lambda item: item[1].low)
                low = comp.format_value(component, least.low, book.currency)
                parts.append(f"{name} starts at {low}, in {region}{marker}")
            elif len(set(shown.values())) == 1 and len(shown) > 1:
                parts.append(f"{name} {next(iter(shown.values()))} in every region{marker}")
            else:
                parts.append(f"{name} " + ", ".join(f"{v} in {r}" for r, v in shown.items())
                             + marker)
        text = f"The {guide_name(book)} guide gives: " + "; ".join(parts) + "."
        if reading.rival_amounts and len(wanted) == 1:
            text += _rival_beside(book, reading, wanted[0], bands)
        rival = next((o for o in book.competing_offers if o.company == reading.against), None)
        if rival is not None:
            # "How does the Stromwerk offer compare?": the rival's figure beside the band.
            amount = comp.format_value(comp.BASE, rival.amount, book.currency)
            text += (f" For comparison, it puts {rival.company} at {amount} "
                     f"{comp.label(rival.measure)}{_cite(book, rival.source, citations)}.")
        keep: list[str] = []
        if said is not None:
            # "How much stock in Berlin? Is that per year?": the band, then how it is counted.
            text += " " + _basis_words(book, said, citations)
            keep.append(said.text)
        elif basis is not None:
            what = " or ".join(comp.label(p) for p in wanted[:2])
            text += f" It doesn't say {_NOT_SAID[basis.kind].format(what=what)}."
        return Draft(text=text, citations=citations, keep=keep)

    def _basis_line(self, book: Playbook, kind: str, parts: list[str]) -> GuideSentence | None:
        """The guide's sentence on how one of ``parts`` is counted or paid."""
        return basis_sentence(self.texts.get(book.guide, ""), kind, parts)

    def _basis_unsaid(self, book: Playbook, reading: Reading, kind: str,
                      parts: list[str]) -> Draft:
        """A basis question the guide's sentences do not answer: a dated fact about the part
        ("the bonus payout in April"), else a plain "doesn't say"."""
        if kind == "timing":
            fact = self.guide_fact(book, reading)
            if fact.covered and any(mentions_part(q.text, parts) for q in fact.citations):
                return fact
        what = " or ".join(comp.label(p) for p in parts[:2])
        return _not_covered(f"The {guide_name(book)} guide doesn't say "
                            + _NOT_SAID[kind].format(what=what) + ".")

    def _against_band(self, book: Playbook, reading: Reading, band: RegionBand) -> Draft | None:
        """ "Is that above the band?": the base just discussed, placed against one band's."""
        if reading.compare == "offer":
            value, what, source = reading.offer.get(comp.BASE), "offer", None
        else:
            threshold = book.target if reading.compare == "target" else book.walk_away
            if threshold is None:
                return None
            value = threshold.components.get(comp.BASE)
            what = "target" if reading.compare == "target" else "walk-away"
            source = threshold.source_for(comp.BASE)
        rng = band.components.get(comp.BASE)
        if value is None or rng is None:
            return None
        where = ("above" if value > rng.high else "below" if value < rng.low else "within")
        citations: list[Citation] = []
        mine = comp.format_value(comp.BASE, value, book.currency)
        said = f"Your {what} of {mine} base salary" + (_cite(book, source, citations) if source
                                                       else "")
        span = _span(book, comp.BASE, rng)
        text = (f"{said} is {where} the {band.region} base band, {span}"
                f"{_cite(book, band.source, citations)}.")
        return Draft(text=text, citations=citations)

    def offer_verdict(self, book: Playbook, reading: Reading) -> Draft:
        if not reading.offer and self.profile.offer:
            reading.offer = dict(self.profile.offer)  # the person's offer, from their profile
        if not reading.offer:
            draft = self.target(book, reading)
            draft.text += " Tell me the offer, with its amount and region, for a verdict."
            return draft
        region = self._region(book, reading)
        if region is None:
            draft = self.target(book, reading)
            draft.text += f" Which region is the offer for ({', '.join(book.regions())})?"
            return draft
        offer = {c: v for c, v in reading.offer.items() if c in comp.MONEY or comp.is_percent(c)}
        offer = offer or {comp.BASE: next(iter(reading.offer.values()))}
        advice = evaluate_offer(book, region, offer, self._profile_for(book, reading),
                                with_band=False)
        return counter_draft(advice, book.currency)

    def counter(self, book: Playbook, reading: Reading) -> Draft:
        if not reading.offer and self.profile.offer:
            reading.offer = dict(self.profile.offer)
        # "What should I ask for on sign-on?" names the part to counter on; an offer said
        # earlier is about base and does not answer it.
        part_asked = bool({comp.SIGN_ON, comp.EQUITY} & set(reading.components)) and not (
            reading.amounts
        )
        if reading.offer and not part_asked and self._region(book, reading) is not None:
            return self.offer_verdict(book, reading)
        if {comp.SIGN_ON, comp.EQUITY} & set(reading.components):
            target = book.target.components if book.target else {}
            asked = [c for c in reading.components if c in target]
            if asked:
                return self._threshold_parts(book, "target", asked)
            if draft := self._band_top(book, reading):
                return draft
        draft = self.target(book, reading)
        draft.text = draft.text.replace("Your target, where you should anchor, is",
                                        "Counter at your target:", 1)
        return draft

    def target(self, book: Playbook, reading: Reading) -> Draft:
        return threshold_draft(book, "target", self._profile_for(book, reading)) or _not_covered(
            f"The {guide_name(book)} guide sets no target."
        )

    def walk_away(self, book: Playbook, reading: Reading) -> Draft:
        return threshold_draft(book, "walk_away", self._profile_for(book, reading)) or (
            _not_covered(f"The {guide_name(book)} guide sets no walk-away.")
        )

    def competing_offers(self, book: Playbook, reading: Reading) -> Draft:
        offers = [o for o in book.competing_offers
                  if not reading.competitor or o.company == reading.competitor]
        if not offers:
            return _not_covered(f"The {guide_name(book)} guide names no competing offers.")
        if len(offers) > 1 and _HIGHEST.search(reading.text):
            # "Which one has the highest salary?": the top offer of the measure asked about.
            asked = [o for o in offers if o.measure in reading.components] or offers
            offers = [max(asked, key=lambda o: o.amount)]
        citations: list[Citation] = []
        if reading.competitor and len(offers) == 1:
            # One rival asked about: the guide's whole line, since its other parts ("+ 20%
            # bonus, no equity", "$50k a year in stock") are what the person wants to know.
            offer = offers[0]
            line = re.sub(r"^\W*[-*\d.]*\s*", "", offer.source.quote).strip()
            if len(find_figures(line)) > 1 or "(" in line:
                marker = _cite(book, offer.source, citations)
                return Draft(
                    text=f'The {guide_name(book)} guide says of {offer.company}: "{line}"{marker}',
                    citations=citations, keep=[offer.company], verbatim=True,
                )
        listed = "; ".join(
            f"{o.company} at {comp.format_value(comp.BASE, o.amount, book.currency)} "
            f"{comp.label(o.measure)}{_offer_note(o.source.quote)}"
            f"{_cite(book, o.source, citations)}"
            for o in offers
        )
        return Draft(text=f"The {guide_name(book)} guide names these competing offers: {listed}.",
                     citations=citations, keep=[o.company for o in offers])

    def premium(self, book: Playbook, reading: Reading) -> Draft:
        # (words that name it, what the answer says of it, its source)
        known: list[tuple[set[str], str, Source]] = []
        for p in book.premiums:
            words = _words(p.name) - _PREMIUM_WORDS
            # "ask for a 12% premium on the stock grant": what the premium is paid on.
            on = _PAID_ON.search(p.source.quote)
            shown = _span(book, comp.PREMIUM_PCT, p.percent) + (
                f" on the {(on.group(1) or on.group(2)).lower()}" if on else ""
            )
            if p.floor is None:
                known.append((words, f"the {p.name}: {shown}", p.source))
                continue
            floor = _span(book, comp.PREMIUM_PCT, p.floor)
            known.append((words | {"ask for"}, f"the {p.name}: ask for {shown}", p.source))
            known.append((words | {"accept no less than"},
                          f"the {p.name}: accept no less than {floor}", p.source))
        # More shares than the standard grant is a premium too; its figures are the target's
        # ask and the walk-away's floor.
        share = comp.SHARE_PREMIUM_PCT
        for which, threshold in (("ask for", book.target), ("accept no less than", book.walk_away)):
            if threshold and share in threshold.components:
                amount = threshold.components[share]
                # The ask is the range the guide writes ("25-30% more shares"); the floor is one.
                value = (_as_written(threshold.source_for(share).quote, amount)
                         if threshold is book.target else comp.format_value(share, amount))
                known.append((_SHARE_WORDS | {which}, f"the share premium: {which} {value} more "
                              "shares", threshold.source_for(share)))
        if not known:
            return _not_covered(f"The {guide_name(book)} guide names no premium.")
        # "How big is the AI premium?" is about that premium alone; "the floor on the share
        # premium" about its floor alone.
        asked = _words(reading.text)
        named = [k for k in known if asked & (k[0] - {"ask for", "accept no less than"})]
        kinds = {m.lower() for m in _NAMED_PREMIUM.findall(reading.text)} - _NOT_A_KIND
        # "The stock premium" is the one paid on the stock grant.
        paid_on = " ".join(m.group(0).lower() for p in book.premiums
                           if (m := _PAID_ON.search(p.source.quote)))
        kinds = {k for k in kinds if k not in paid_on and not (k in _SHARE_WORDS | {"options",
                 "option"} and any(k in p.name.lower() or "option" in p.name.lower()
                                   for p in book.premiums))}
        # "The HIPAA premium": a word of the premium's own line names it too.
        in_line = [k for k in known if any(re.search(rf"\b{re.escape(kind)}", k[2].quote.lower())
                                           for kind in kinds)]
        named = named or in_line
        if not named and kinds:
            kind = sorted(kinds)[0]
            return _not_covered(f"The {guide_name(book)} guide names no {kind} premium.")
        chosen = named or known
        floor_asked, ask_asked = _FLOOR.search(reading.text), _ASK.search(reading.text)
        if floor_asked and ask_asked:
            pass  # "how much more should I ask, and what is the minimum?": both
        elif floor_asked:
            floors = [k for k in chosen if "accept no less than" in k[0]]
            chosen = floors or [k for k in chosen if "ask for" not in k[0]] or chosen
        elif ask_asked:
            chosen = [k for k in chosen if "accept no less than" not in k[0]] or chosen
        citations: list[Citation] = []
        parts = [f"{text}{_cite(book, source, citations)}" for _, text, source in chosen]
        return Draft(text=f"The {guide_name(book)} guide gives " + "; ".join(parts) + ".",
                     citations=citations)

    def script(self, book: Playbook, reading: Reading) -> Draft:
        scripts = [*book.scripts, *book.levers]
        if not scripts:
            return _not_covered(f"The {guide_name(book)} guide has no scripts.")
        words = _words(reading.text) | set(reading.components)
        # "Script for that?": earlier messages name the topic, the newest counting most.
        said = [(words, 1.0)] + [(_words(t), 0.6 / (i + 1)) for i, t in enumerate(reading.topic)]

        def overlap(s: object) -> float:
            name = f"{s.name} {s.title}".lower().replace("-", " ")  # type: ignore[attr-defined]
            # The heading names the topic; the script's own words break ties ("the OpenAI
            # deal" is in a lever's text, "remote" in the remote script's).
            body = s.text + " " + s.text.replace("-", "")  # type: ignore[attr-defined]
            hits = 0.0
            for ws, weight in said:
                found = 3 * len(ws & _words(name)) + len((ws - _MODALS) & _words(body))
                # A figure quoted ("the 12% the on-site people get") names its script.
                found += 2 * len({w for w in ws if w.isdigit()} & _words(body))
                hits += weight * found
            cues = {comp.SIGN_ON: "sign", comp.EQUITY: "share equity option stock",
                    "relocation": "relocation"}
            # Money left behind is what a sign-on covers, whatever was left ("unvested RSUs").
            weight = 4 if LEFT_BEHIND.search(reading.text) else 1
            hits += sum(weight for c in reading.components if any(w in name for w in
                                                                    cues.get(c, "").split()))
            return hits
        best = max(scripts, key=overlap)
        citations: list[Citation] = []
        marker = _cite(book, best.source, citations)
        text = " ".join(best.text.split())
        title = best.title or best.name
        title = title if title.lower().endswith("script") else f"{title} script"
        said = f'The {title}: "{text}"{marker}'
        # "A sign-on at the top of the range": the script leaves the figure to the band, so
        # the answer names it for the person's region.
        known = [r for r in [*reading.regions, self.profile.region] if r and book.band_for(r)]
        # Only when a figure is in play: the person said one, or asks how much.
        in_play = bool(reading.amounts) or bool(re.search(r"\bhow much\b|\bwhat (?:figure|number|"
                                                         r"amount)\b", reading.text, re.I))
        if _TOP_OF_RANGE.search(text) and known and in_play:
            band = book.band_for(known[0])
            part = next((c for c, words in _SCRIPT_PARTS.items()
                         if re.search(words, f"{best.name} {title} {text}", re.I)), None)
            if band is not None and part is not None and part in band.components:
                top = comp.format_value(part, band.components[part].high, book.currency)
                said += (f" The top of the {band.region} {comp.label(part)} range is {top}"
                         f"{_cite(book, band.source, citations)}.")
        return Draft(text=said, citations=citations, verbatim=True)

    def level_mapping(self, book: Playbook, reading: Reading) -> Draft:
        if not book.level_mapping:
            return _not_covered(f"The {guide_name(book)} guide gives no level mapping.")
        # Quoted as the guide writes it: reworded, the 1.5B model dropped the level codes
        # ("E4", "P4", "L5") on 5 of 12 dev questions, and those codes are the answer.
        return Draft(text=f"The {guide_name(book)} guide maps the level as: "
                          f"{book.level_mapping.rstrip('.')}.",
                     citations=[Citation(book.guide, "Level Mapping", book.level_mapping)],
                     verbatim=True)

    def guide_fact(self, book: Playbook, reading: Reading) -> Draft:
        words = _words(reading.text)
        # "IPOing", "raised", "payouts": the stems name the topic too.
        words |= {re.sub(r"(?:ing|ed|es|s)$", "", w) for w in words if len(w) > 4}
        words |= {alias for w in words for alias in _SYNONYMS.get(w, ())}
        scored = []
        for fact in book.facts:
            topic = _words(f"{fact.label} {fact.source.quote}")
            label_hits = len(words & _words(fact.label))
            hits = label_hits * 3 + len(words & topic)
            if label_hits or hits >= 2:
                scored.append((hits, fact))
        if not scored:
            return _not_covered(f"The {guide_name(book)} guide doesn't say.")
        # "How big was their Series B?" wants the amount, "when" the date, of one topic.
        if _HOW_BIG.search(reading.text) and not _WHEN.search(reading.text):
            scored = [(h + (1 if f.kind == "company" else 0), f) for h, f in scored]
        fact = max(scored, key=lambda item: item[0])[1]
        citations: list[Citation] = []
        marker = _cite(book, fact.source, citations)
        if fact.kind == "date":
            text = f"The {guide_name(book)} guide puts the {fact.label} at {fact.text}{marker}."
        else:
            # "€42M in 2024": the year a company figure belongs to is part of it.
            when = re.search(rf"{re.escape(fact.text)}\s+(?:in|as of|for|at the end of)\s+"
                             r"((?:(?:Q[1-4]|H[12]|[A-Z][a-z]+)\s+)?(?:19|20)\d\d)\b",
                             fact.source.quote)
            dated = f" in {when.group(1)}" if when else ""
            text = (f"The {guide_name(book)} guide gives the {fact.label} as {fact.text}{dated}"
                    f"{marker}.")
        # "When did they close the Series D and how big was it?": the date and the amount.
        sibling = next((f for _, f in scored if f.label == fact.label and f.kind != fact.kind),
                       None)
        # ("What's their funding situation?" asks neither when nor how much: both, too.)
        if sibling is not None and (
            (_WHEN.search(reading.text) and _HOW_BIG.search(reading.text))
            or not (_WHEN.search(reading.text) or _HOW_BIG.search(reading.text))
        ):
            more = _cite(book, sibling.source, citations)
            text += (f" It puts the {sibling.label} at {sibling.text}{more}." if sibling.kind == "date"
                     else f" It gives the {sibling.label} as {sibling.text}{more}.")
            return Draft(text=text, citations=citations, keep=[fact.text, sibling.text])
        # "Would I be commuting until then?", "do I get this year's bonus if I start in
        # November?": the rest of the guide's line answers what the date alone does not.
        # (The fact's quote may be one clause; its whole line says more.)
        whole = next((ln for ln in self.texts.get(book.guide, "").splitlines()
                      if fact.source.quote and fact.source.quote in ln), fact.source.quote)
        line = re.sub(r"^\W*[-*\d.]*\s*(?:\*\*[^*]+\*\*:?\s*)?", "", whole).strip()
        extra = _words(reading.text) - _words(f"{fact.label} {fact.text}") - _words(guide_name(book))
        if fact.kind == "date" and len(line) <= 240 and len(extra & _words(line)) >= 2 and not [
            f for f in find_figures(line) if f.kind == "money"
        ]:
            text += f' The guide\'s line: "{line}"'
        # "H1 2027" reworded as "the first half of 2027" is no longer the guide's words.
        return Draft(text=text, citations=citations, keep=[fact.text])

    # -- helpers ------------------------------------------------------------------------

    def _region(self, book: Playbook, reading: Reading) -> str | None:
        for region in reading.regions:
            if book.band_for(region):
                return book.band_for(region).region  # type: ignore[union-attr]
        if self.profile.region and book.band_for(self.profile.region):
            return self.profile.region
        # The thresholds here do not depend on the region, so with one band, or bands whose
        # named components agree, any band gives the same verdict.
        return book.regions()[0] if book.regions() else None

    def _profile_for(self, book: Playbook, reading: Reading) -> Profile:
        profile = self.profile
        own = reading.own
        if not own:
            return profile
        return Profile(
            region=profile.region, guide=profile.guide, offer=dict(profile.offer),
            walk_away={**profile.walk_away, **own.get("walk_away", {})},
            target={**profile.target, **own.get("target", {})},
        )

    def _band_top(self, book: Playbook, reading: Reading) -> Draft | None:
        """Ask for the top of the band of a component the target leaves out (the sign-on)."""
        region = self._region(book, reading) if (reading.regions or self.profile.region) else None
        bands = [book.band_for(region)] if region else book.bands
        asked = [c for c in reading.components if c in (comp.SIGN_ON, comp.EQUITY)]
        citations: list[Citation] = []
        parts = []
        for component in asked:
            tops = {b.region: b.components[component].high for b in bands
                    if b is not None and component in b.components}
            if not tops:
                continue
            marker = _cite(book, next(b for b in bands if b is not None).source, citations)
            where = ", ".join(f"{comp.format_value(component, v, book.currency)} in {r}"
                              for r, v in tops.items())
            parts.append(f"{comp.label(component)}: {where}{marker}")
        if not parts:
            return None
        return Draft(
            text="The guide sets no target for it, so ask for the top of the band: "
            + "; ".join(parts) + ".",
            citations=citations,
        )

    def _threshold_parts(self, book: Playbook, which: str, parts: list[str]) -> Draft:
        threshold = book.target if which == "target" else book.walk_away
        assert threshold is not None
        values = {c: threshold.components[c] for c in parts}
        citations: list[Citation] = []
        marker = _cite(book, threshold.source_for(parts[0]), citations)
        return Draft(
            text=f"Ask for {comp.terms_text(values, book.currency)}{marker}, the guide's target.",
            citations=citations,
            required=[comp.format_value(c, v, book.currency) for c, v in values.items()],
        )


_COMPOSERS: dict[str, Callable[[Composer, Playbook, Reading], Draft]] = {
    name: getattr(Composer, name) for name in GUIDE_INTENTS
}


def _rival_beside(book: Playbook, reading: Reading, component: str,
                  bands: list[RegionBand]) -> str:
    """ "Larchmont are at £125,000. Is that above the band?": the figure the person gave
    for a rival, placed against the band just stated (their figure, so it needs no source)."""
    spans = {b.region: b.components[component] for b in bands if component in b.components}
    if not spans:
        return ""
    said = reading.rival_amounts[0].value
    figure = comp.format_value(component, said, book.currency)
    who = reading.competitor or "the other offer"
    if said > max(v.high for v in spans.values()):
        where = "above the top of " + ("the band" if len(spans) == 1 else "every band")
    elif said < min(v.low for v in spans.values()):
        where = "below the bottom of " + ("the band" if len(spans) == 1 else "every band")
    else:
        inside = [r for r, v in spans.items() if v.low <= said <= v.high]
        where = (f"within the {', '.join(inside)} band" if inside
                 else "between the bands")
    return f" You put {who} at {figure}: that is {where}."


def _unsure(reading: Reading) -> bool:
    """A faint figure reading with nothing named to anchor it (see ``_UNSURE``)."""
    return (reading.intent in _NAMED_FIGURES and reading.intent not in reading.cued
            and reading.confidence < _UNSURE and not (
                reading.components or reading.regions or reading.amounts or reading.competitor
                or reading.offer or reading.compare))


def _has_terms(book: Playbook) -> bool:
    return bool(book.bands or book.target or book.walk_away or book.scripts or book.facts)


def _wanted_components(asked: list[str], have: list[str]) -> list[str]:
    if not asked or asked == [ALL_COMPONENTS]:
        return have
    wanted = []
    for name in asked:
        if name in have:
            wanted.append(name)
        elif name == comp.BONUS_PCT and comp.BONUS in have:
            wanted.append(comp.BONUS)  # a bonus the guide states in money
        elif name == comp.BONUS and comp.BONUS_PCT in have:
            wanted.append(comp.BONUS_PCT)
    return wanted


def _span(book: Playbook, component: str, value: Range) -> str:
    return comp.format_span(component, value.low, value.high, book.currency)


def _cite(book: Playbook, source: Source, citations: list[Citation]) -> str:
    for number, citation in enumerate(citations, 1):
        if citation.text == source.quote:
            return f" [{number}]"
    citations.append(Citation(source.guide or book.guide, source.section, source.quote))
    return f" [{len(citations)}]"


def _basis_words(book: Playbook, said: GuideSentence, citations: list[Citation],
                 alone: bool = False) -> str:
    """The guide's sentence on how a part is counted, quoted and cited (a column heading
    is named as one); ``alone`` when it is the whole answer, so the guide is named."""
    marker = _cite(book, Source(book.guide, said.section, said.line, said.text), citations)
    who = f"The {guide_name(book)} guide" if alone else "The guide"
    if said.heading:
        return f'{who}\'s table heads that column "{said.text}"{marker}.'
    return f'{who} says: "{said.text}"{marker}' if alone else (
        f'On that, the guide says: "{said.text}"{marker}')


def _not_covered(text: str) -> Draft:
    return Draft(text=f"{text} I won't guess a figure it doesn't give.", covered=False)


def _as_written(quote: str, value: float) -> str:
    """A share-premium figure as its line writes it: "25–30%" when the line asks for a range
    ending at ``value`` ("25-30% more shares"), else the one figure."""
    for figure in find_figures(quote):
        if figure.kind == "percent" and value in (figure.low, figure.high) and (
            figure.low != figure.high
        ):
            return comp.format_span(comp.SHARE_PREMIUM_PCT, figure.low, figure.high)
    return comp.format_value(comp.SHARE_PREMIUM_PCT, value)


_WHEN = re.compile(r"\bwhen\b|\bwhat (?:date|month|year|quarter)\b", re.I)
_HOW_BIG = re.compile(r"\bhow (?:big|much|large)\b|\bsize\b|\bamount\b", re.I)
_PAID_ON = re.compile(r"\bpremium on (?:the |your )?(base(?: salary)?|salary|stock grant|stock|"
                      r"equity|options?(?: grant)?|grant|bonus|sign-on)\b|\b\d+% more (base|"
                      r"options|shares|stock|equity)\b", re.I)
_TOP_OF_RANGE = re.compile(r"\btop of (?:the |your |what you offer|what you can)\w*\s*(?:range|band)?",
                           re.I)
_SCRIPT_PARTS = {comp.SIGN_ON: r"sign[\s-]?on|signing|golden hello|hiring bonus",
                 comp.EQUITY: r"\bequity\b|\boptions?\b|\bstock\b|\bgrant\b|\brsus?\b"}
_MODALS = {"can", "could", "would", "should", "ask", "might", "may", "must"}
# Basis questions about the payment rather than the figure: its band is not part of the answer.
_APART = {"timing", "clawback", "refresh"}
_NOT_SAID = {"period": "whether the {what} figure is per year or for the whole grant",
             "timing": "when the {what} is paid", "vesting": "how the {what} vests",
             "clawback": "whether the {what} must be paid back",
             "refresh": "whether the {what} is refreshed"}


def _offer_note(quote: str) -> str:
    """What the guide says of a rival offer's standing, "(verbal; written offer expected next
    week)", kept as written; notes holding figures are left out (they would need checking)."""
    note = re.search(r"\(([^()]{3,90})\)", quote)
    if note is None or re.search(r"\d", note.group(1)):
        return ""
    return f" ({note.group(1).strip()})"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 1}


def _joined(drafts: list[tuple[Playbook, Draft]]) -> Draft | None:
    """One draft answering for several guides, each part naming its guide."""
    if not drafts:
        return None
    if len(drafts) == 1:
        return drafts[0][1]
    citations: list[Citation] = []
    parts = []
    for book, draft in drafts:
        text = draft.text
        for old, cited in enumerate(draft.citations, 1):
            citations.append(cited)
            text = text.replace(f"[{old}]", f"[#{len(citations)}]")
        name = guide_name(book)
        parts.append(text if name in text else f"{name}: {text}")
    text = "You have several guides, so here is each: " + " ".join(parts).replace("[#", "[")
    return Draft(
        text=text,
        citations=citations,
        facts=[f for _, d in drafts for f in d.facts],
        required=[r for _, d in drafts for r in d.required],
        forbid_accept=any(d.forbid_accept for _, d in drafts),
        covered=any(d.covered for _, d in drafts),
        # A small model merges guides ("$208K–$262K, per Cerebras and Lumora"); an answer
        # for several guides is shown as decided, each part naming its guide.
        verbatim=True,
    )
