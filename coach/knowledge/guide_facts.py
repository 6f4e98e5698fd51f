"""A guide's dated and company facts: when things happen, and figures that are not pay.

Guides mention dates ("Q2 2026 IPO", "a Series C closed in March 2025", "paid each March")
and company figures ("the $10B OpenAI deal", "about 640 people", "$85M of revenue"). Both
are facts the coach may state, but a company figure must never be worded as pay: "the
annual bonus is $10B" once passed a grounding check because $10B is in the guide. Each fact
is recorded with its topic and source line; company figures also keep their value and
currency so the coach can tell them apart from a salary.
"""

from __future__ import annotations

import re

from coach.knowledge.markdown import GuideLine, cite, sentence_spans
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Fact

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_YEAR = r"(?:19|20)\d{2}"
_DATES = [
    re.compile(rf"\b(?:Q[1-4]|H[12])\s?(?:FY\s?)?{_YEAR}\b"),
    re.compile(r"\b(?:Q[1-4]|H[12])\s?FY\s?\d{2}\b"),
    re.compile(rf"\b(?:{_MONTHS}|{_MONTH_ABBR})\s+(?:\d{{1,2}},?\s+)?{_YEAR}\b"),
    re.compile(rf"\b(?:early|mid|late|spring|summer|autumn|fall|winter)[- ]{_YEAR}\b", re.I),
    # A month on its own is a date only after a word that makes it one ("paid each March").
    re.compile(rf"\b(?:in|each|every|by|until|since|from|(?i:every|each)) (?P<d>{_MONTHS})\b"
               rf"(?!\s+\d)"),
    # A timeline item labelled by its month ("April, every year: the only salary review").
    re.compile(rf"^\W*(?P<d>{_MONTHS})(?=(?:,\s*(?i:every|each)\s+year)?\s*:)"),
    # "after 1 October", "by 15 March".
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})\b(?!\s+\d)"),
    # A year naming a plan ("the 2026 roadmap") is a date too.
    re.compile(rf"\b(?P<d>{_YEAR})(?=\s+(?:roadmap|timeline|plan|launch|IPO)\b)"),
]
# A bare year is a date only in a timeline: after a preposition, in a sentence about an event.
_BARE_YEAR = re.compile(rf"\b(?:in|by|since|until|before|after|during) (?P<d>{_YEAR})\b(?!\s*[-–])")
_EVENT = re.compile(
    r"\b(?:ipo|filing|launch\w*|open\w*|clos\w*|rais\w*|sale|tender|readout|listing|acqui\w*"
    r"|series [a-h]|round|vest\w*|refresh|payout|paid|timeline|milestone)\b",
    re.I,
)
_FILLER = {
    "in", "by", "for", "on", "at", "of", "to", "the", "a", "an", "is", "are", "was", "be",
    "expected", "expects", "planned", "plans", "due", "scheduled", "it", "its", "we", "they",
    "until", "since", "from", "each", "every", "around", "about", "before", "after",
}  # fmt: skip
_METRICS = {"revenue", "headcount", "valuation", "funding"}
_TIMELINE_HEADING = re.compile(r"timeline|dates|milestones|roadmap|calendar", re.I)
_SKIP_HEADING = re.compile(r"^(?:sources?|evidence(?: & sources)?|references|citations)$", re.I)
_SOURCE_BRACKET = re.compile(r"\[source:[^\]]*\]", re.I)

# Topics of a date or company figure, most specific first; each builds its label.
_TOPICS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"\bIPO\b|\b(?:stock exchange |LSE |NYSE |Nasdaq )?listing\b"), "IPO"),
    (re.compile(r"\bSeries [A-H]\b"), None),
    (re.compile(r"\bsecondary (?:sale|offering)\b", re.I), "secondary sale"),
    (re.compile(r"\btender offer\b", re.I), "tender offer"),
    (re.compile(r"\b(?:Phase [\w-]+ )?readout\b", re.I), None),
    (
        re.compile(
            r"\b(?:bonus(?:es)?|variable|payout)\b[^.;]*\bpa(?:id|yout)\b"
            r"|\bpaid\b[^.;]*\b(?:bonus(?:es)?|variable)\b|\bbonus payout\b",
            re.I,
        ),
        "bonus payout",
    ),
    (re.compile(r"\b(?:[A-Z][\w-]+ )?office (?:open\w*|launch\w*)", re.I), "office opening"),
    (re.compile(r"\bplanning cycle\b", re.I), "planning cycle"),
    (re.compile(r"\broadmap\b", re.I), "roadmap"),
    (re.compile(r"\bbreak[- ]?even\b", re.I), "break-even"),
    (re.compile(r"\bprofitab\w*", re.I), "profitability"),
    (re.compile(r"\b(?:performance|comp(?:ensation)?|salary) review\w*", re.I), "pay review"),
    (re.compile(r"\b(?:comp(?:ensation)?|pay|salary) bands?\b[^.;]*\brefresh\w*", re.I),
     "band refresh"),
    (re.compile(r"\brefresh\w*", re.I), "equity refresh"),
    (re.compile(r"\b(?:recurring )?revenue\b|\bARR\b|\bsales\b", re.I), "revenue"),
    (re.compile(r"\bpayment volume\b|\b(?:transaction|gross merchandise) volume\b", re.I), None),
    (re.compile(r"\bvaluation\b", re.I), "valuation"),
    (re.compile(r"\bfunding\b|\braised?\b|\binvestment\b", re.I), "funding"),
    (re.compile(r"\bheadcount\b|\bemployees\b|\bpeople\b|\bstaff\b", re.I), "headcount"),
]
_DEAL = re.compile(
    r"^\s*(?P<who>(?:[A-Z][\w.&-]*\s+){1,3})(?P<what>deal|commitment|contract|partnership)\b",
    re.I,
)
_COMPANY_CUE = re.compile(
    r"\b(?:revenue|arr|funding|raised?|series [a-h]|deal|valuation|volume|contract|round"
    r"|investment|market cap|sales|booked|commitment|partnership|acquisition)\b",
    re.I,
)
# "640 people", "850,000-core", "14,000 public charge points", "500-person data org".
_COUNT = re.compile(
    r"(?<![\w$€£.,/-])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<sep>-|\s)"
    r"(?P<words>(?:[a-z][a-z-]*\s){0,2}[a-z][a-z-]*)"
)
_HEADCOUNT = re.compile(
    r"\bheadcount\s+(?:is|was|of|at|:)?\s*(?:about|roughly|around|approximately|nearly|over|~)?"
    r"\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)\b",
    re.I,
)
# No pay component comes near this; a figure this size is about the company.
_COMPANY_SIZE = 10_000_000
_PEOPLE = {"people", "employees", "staff", "person", "persons", "engineers", "headcount"}
_CORES = {"core", "cores"}
_NOT_COUNTED = {
    "years", "months", "weeks", "days", "hours", "minutes", "quarters", "times", "shares",
    "options", "rsus", "units", "levels", "rounds", "offers", "percent", "percentage", "basis",
}  # fmt: skip


def _label_near(
    text: str, start: int, end: int, others: list[tuple[int, int]] | None = None
) -> str | None:
    """The topic nearest to ``text[start:end]`` in its clause, or None.

    A topic nearer to one of ``others`` (the other dates, or the other amounts, of the
    clause) belongs to that one: "a £30M Series B in October 2024 and break-even in H2 2026".
    """

    def distance(a: tuple[int, int], b: tuple[int, int]) -> int:
        return max(a[0] - b[1], b[0] - a[1], 0)

    best: tuple[int, str] | None = None
    for pattern, label in _TOPICS:
        for match in pattern.finditer(text):
            gap = distance(match.span(), (start, end))
            if any(distance(match.span(), o) < gap for o in others or []):
                continue
            if best is None or gap < best[0]:
                best = (gap, label or " ".join(match.group(0).split()))
    return best[1] if best else None


def _phrase_before(text: str, start: int) -> str:
    """The last few words before a date in its part of the sentence ("break even")."""
    part = re.split(r"[,;:(]|\band\b|\bbut\b", text[:start])[-1]
    words = re.findall(r"[\w-]+", part)
    while words and words[-1].lower() in _FILLER:
        words.pop()
    words = words[-3:]
    while words and words[0].lower() in _FILLER:
        words.pop(0)
    return " ".join(words)


def _is_metric(label: str | None) -> bool:
    """Whether a topic is a company measure (revenue, volume) rather than an event."""
    return label is None or label in _METRICS or label.endswith("volume")


def _clauses(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, cut further at " | " and "; " (call-out lines list topics)."""
    spans = []
    for s, e in sentence_spans(text):
        start = s
        for brk in re.finditer(r"\s[|·•]\s|;\s", text[s:e]):
            spans.append((start, s + brk.start()))
            start = s + brk.end()
        spans.append((start, e))
    return spans


def _date_span(match: re.Match[str]) -> tuple[int, int]:
    """The span of the date itself (a pattern may match a lead word such as "each")."""
    return match.span("d") if "d" in match.groupdict() else match.span()


def _date_facts(guide: str, line: GuideLine, text: str) -> list[Fact]:
    found: list[Fact] = []
    timeline = bool(_TIMELINE_HEADING.search(line.heading))
    led = False  # "- **January 2026:** EMI valuation refreshed; options granted during 2026..."
    for s, e in _clauses(text):
        clause = text[s:e]
        spans = [_date_span(m) for pattern in _DATES for m in pattern.finditer(clause)]
        if timeline or _EVENT.search(clause):
            # "revenue was €42M in 2024": the year dates a company figure, not an event.
            spans += [
                _date_span(m)
                for m in _BARE_YEAR.finditer(clause)
                if timeline or not _is_metric(_label_near(clause, *_date_span(m)))
            ]
        taken: list[tuple[int, int]] = []
        for start, end in sorted(spans, key=lambda sp: (sp[0], -sp[1])):
            if not any(start < t_end and t_start < end for t_start, t_end in taken):
                taken.append((start, end))
        for start, end in taken:
            if led and not re.fullmatch(r"[\W*]*", clause[:start]):
                # The rest of a dated timeline entry explains that one date; a year inside
                # it ("options granted during 2026") is not an event of its own.
                continue
            others = [span for span in taken if span != (start, end)]
            label = _label_near(clause, start, end, others)
            # A month alone ("in April") is a date only with a topic that makes it one.
            if label is None and re.search(r"\d", clause[start:end]):
                label = _phrase_before(clause, start) or ("date" if timeline else None)
            if label:
                entry = timeline and not found and re.fullmatch(r"[\W*]*", clause[:start]) is not None
                # A timeline entry led by its date is cited whole, so its topic words count.
                quote = cite(guide, line, text if entry else clause)
                found.append(Fact("date", label, clause[start:end], quote))
                led = led or entry
    return found


def _money_label(clause: str, start: int, end: int, others: list[tuple[int, int]]) -> str:
    if deal := _DEAL.match(clause[end:]):
        return f"{deal.group('who').strip()} {deal.group('what').lower()}"
    return _label_near(clause, start, end, others) or "company figure"


def _company_facts(guide: str, line: GuideLine, text: str) -> list[Fact]:
    found: list[Fact] = []
    for s, e in _clauses(text):
        clause = text[s:e]
        money = [f for f in find_figures(clause) if f.kind == "money"]
        for fig in money:
            near = clause[max(0, fig.start - 40) : fig.end + 40]
            if fig.high < _COMPANY_SIZE and not _COMPANY_CUE.search(near):
                continue
            found.append(
                Fact(
                    "company",
                    _money_label(
                        clause, fig.start, fig.end, [(f.start, f.end) for f in money if f != fig]
                    ),
                    fig.raw.strip(),
                    cite(guide, line, clause),
                    fig.high,
                    fig.currency,
                )
            )
        for match in _HEADCOUNT.finditer(clause):
            value = float(match.group("n").replace(",", ""))
            src = cite(guide, line, clause)
            found.append(Fact("company", "headcount", match.group("n"), src, value))
        for match in _COUNT.finditer(clause):
            words = match.group("words").split()
            noun = next((i for i, w in enumerate(words) if w in _PEOPLE | _CORES), None)
            if noun is None:
                noun = next((i for i, w in enumerate(words) if w.endswith("s")), None)
            before = clause[: match.start()].split()
            # "ISO 26262", "UL 3100": a number after a name in capitals is part of the name.
            named = bool(before) and len(before[-1]) > 1 and before[-1].isupper()
            if noun is None or named or _NOT_COUNTED & set(words[: noun + 1]):
                continue
            value = float(match.group("n").replace(",", ""))
            if value < 10 or (match.group("sep") == " " and re.fullmatch(_YEAR, match.group("n"))):
                continue
            words = words[: noun + 1]
            if words[-1] in _PEOPLE:
                label = "headcount"
            elif words[-1] in _CORES:
                label = "core count"
            else:
                label = " ".join(words)
            text_ = clause[match.start() : match.start("words")] + " ".join(words)
            found.append(Fact("company", label, text_, cite(guide, line, clause), value))
    return found


def guide_facts(guide: str, lines: list[GuideLine], skip: set[int] | None = None) -> list[Fact]:
    """Every dated and company fact of the guide, once each, in the order they appear.

    Lines in ``skip`` (band rows, say) hold pay and are not read. Sources and evidence
    sections are read for company figures only: their dates are publication dates.
    """
    facts: list[Fact] = []
    seen: set[tuple[str, str, str]] = set()
    for line in lines:
        if line.number in (skip or set()) or not line.plain.strip():
            continue
        text = _SOURCE_BRACKET.sub("", line.plain)
        in_sources = bool(_SKIP_HEADING.match(line.heading.strip()))
        found = [] if in_sources else _date_facts(guide, line, text)
        found += _company_facts(guide, line, text)
        for fact in found:
            # A company figure is one fact however often it is mentioned; a date is one per topic.
            key = (
                (fact.kind, f"{fact.currency}{fact.value}", "")
                if fact.kind == "company"
                else (fact.kind, fact.label.lower(), fact.text.lower())
            )
            if key not in seen:
                seen.add(key)
                facts.append(fact)
    return facts
