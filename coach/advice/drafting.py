"""Deterministic draft answers: what the coach will say, decided by code before any model.

A draft is a short answer with citation markers, built from a playbook's structured terms
or from the best-matching sentences of the retrieved passages. The language model only
rewords it; if the model's wording fails the guard, the draft itself is the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.knowledge.retrieval import Passage, content_terms, stem, stems
from coach.negotiation.citations import Citation
from coach.negotiation.components import terms_text
from coach.negotiation.counter import MEETS, CounterAdvice
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Playbook

NOT_COVERED = (
    "Your guides don't cover that, so I won't guess. "
    "Add a guide that does with `coach ingest FILE`, or ask about what your guides contain."
)
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_MARKUP = re.compile(r"\*\*|__|^>\s*|^[-*]\s+|^\d+\.\s+", re.MULTILINE)


@dataclass
class Draft:
    """The decided answer, its sources, and any extra text whose figures are trusted."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # engine results the guard also trusts
    covered: bool = True
    required: list[str] = field(default_factory=list)  # figures the wording must keep
    forbid_accept: bool = False  # the engine says not to accept (yet): wording must agree
    prompt: str = "answer"  # the template in prompts/ that words this draft
    verbatim: bool = False  # shown as written (a script to say out loud is not paraphrased)
    verdict: str = ""  # the engine's verdict on an offer, when the draft judges one
    variables: dict[str, str] = field(default_factory=dict)  # its values besides the draft
    # Decided from a playbook: the draft states every figure the answer may. Its cited lines
    # hold neighbouring figures (a table row, a lever line) that the wording must not borrow.
    closed: bool = False
    keep: list[str] = field(default_factory=list)  # names and dates the wording must keep


def guide_name(playbook: Playbook) -> str:
    """A short human name for a guide: "Cerebras ML/AI Engineer" rather than its full title."""
    named = " ".join(part for part in (playbook.company, playbook.role) if part)
    return named or playbook.title


def _clean(sentence: str) -> str:
    return " ".join(_MARKUP.sub("", sentence).split()).strip(" \"'")


def _sentences(passage: Passage) -> list[str]:
    found: list[str] = []
    for line in passage.text.splitlines():
        if line.lstrip().startswith("|"):
            continue  # tables are answered from the playbook, not quoted as prose
        # A sentence that introduces a list ("Ways to strengthen it:") says nothing alone.
        found.extend(
            s
            for s in (_clean(p) for p in _SENTENCE.split(line))
            if len(s) > 20 and not s.endswith(":") and "[your " not in s
        )
    return found


def extractive_draft(
    question: str,
    passages: list[Passage],
    max_sentences: int = 2,
    ignore: set[str] | None = None,
    lead_with_heading: bool = False,
    boost: set[str] | None = None,
) -> Draft:
    """The guide sentences that best answer ``question``, each with its citation marker.

    ``ignore`` holds terms that match everywhere (the company and role names) and so say
    nothing about which sentence answers the question. ``lead_with_heading`` opens with the
    heading of the best sentence's section: in a general guide the heading is the principle
    ("Never reveal your walk-away") and the sentences are how to apply it. ``boost`` holds
    stems that name the idea asked about in the guide's own words; they count twice.
    """
    terms = {stem(t) for t in content_terms(question) - (ignore or set())}
    scored: list[tuple[float, int, int, str]] = []
    for p_index, passage in enumerate(passages):
        # A passage under a heading that names the asked term is on topic as a whole.
        on_topic = len(terms & set(stems(passage.section_label)))
        for s_index, sentence in enumerate(_sentences(passage)):
            said = set(stems(sentence))
            overlap = len(terms & said) + len((boost or set()) & said) + on_topic
            if overlap == 0 and passage.similarity < 0.35:
                continue
            scored.append((overlap + 2.0 * passage.similarity, p_index, s_index, sentence))
    if not scored:
        return Draft(text=NOT_COVERED, covered=False)
    ranked = sorted(scored, key=lambda item: -item[0])
    # A second sentence only when it is nearly as relevant as the first: a weak one drags
    # in a neighbouring topic and confuses a small model.
    best = [item for item in ranked[:max_sentences] if item[0] >= 0.6 * ranked[0][0]]
    best.sort(key=lambda item: (item[1], item[2]))
    citations: list[Citation] = []
    numbers: dict[int, int] = {}
    pieces = []
    for _, p_index, _, sentence in best:
        if p_index not in numbers:
            passage = passages[p_index]
            citations.append(Citation(passage.guide_id, passage.section, passage.text))
            numbers[p_index] = len(citations)
        sentence = sentence if sentence[-1] in ".!?" else sentence + "."
        pieces.append(f"{sentence[:-1]} [{numbers[p_index]}]{sentence[-1]}")
    heading = passages[ranked[0][1]].section_label.split(" › ")[-1].strip()
    if lead_with_heading and heading and not _GENERIC_HEADING.search(heading):
        pieces.insert(0, f"{heading.rstrip('.:')}.")
    return Draft(text=" ".join(pieces), citations=citations)


# Headings that name a kind of content, not a principle worth stating.
_GENERIC_HEADING = re.compile(
    r"^(?:a )?(?:short )?(?:checklist|summary|overview|notes?|examples?|sources?|faq|intro\w*)$",
    re.IGNORECASE,
)


def counter_draft(advice: CounterAdvice, currency: str = "USD") -> Draft:
    """The engine's message as the draft a model may reword, with what it must keep."""
    # Every figure of the decision must survive the wording, so two people asking about
    # the same offer always read the same numbers.
    return Draft(
        text=advice.message,
        citations=advice.citations,
        facts=[advice.message],
        required=[figure.raw for figure in find_figures(advice.message)],
        prompt="counter",
        variables={
            "offer": terms_text(advice.offer, currency),
            "verdict": advice.verdict.replace("_", " "),
            "target": terms_text(advice.target, currency),
            "walk_away": terms_text(advice.walk_away, currency),
            "counter": terms_text(advice.counter, currency),
        },
        forbid_accept=advice.verdict != MEETS,
        verdict=advice.verdict,
    )
