"""Whether an attempt makes a script's key point *by meaning*, not by shared words.

People rehearsing a script paraphrase it: "Wall Street" for analysts, "the IPO filing" for
the S-1, "stock" for shares. Word overlap (``coach.roleplay.rehearsal.point_coverage``)
misses those and is fooled by keyword lists. Here the attempt is cut into units (sentences,
clauses, and pairs of neighbouring clauses) and each key point is compared with its closest
unit by MiniLM sentence similarity, the embeddings the knowledge store already uses.

Similarity cannot tell 25% from 30% or NVIDIA from AMD, so two code checks follow it:

* **figures:** a figure the point carries must be said whole (both ends of a range) or not
  at all, and the closest unit may state no other figure of the same kind ("$240K base"
  against "$268K base");
* **names:** a company the point names must not be swapped for another one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

from coach.knowledge.markdown import sentence_spans
from coach.negotiation.money import find_spoken_figures

# Chosen on the dev split of evals/rehearsal_cases.yaml only (`python -m
# coach.evaluation.rehearsal --sweep`): similarity alone must reach THRESHOLD; shared words
# count only with similarity of at least WORDS_FLOOR, so a keyword list covers nothing.
THRESHOLD = 0.7
WORDS_FLOOR = 0.4


class Embedder(Protocol):
    """Anything that turns texts into unit vectors (``MiniLMEmbeddings``)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class PointMeaning:
    """How close an attempt came to one key point, and whether its figures and names hold."""

    point: str
    similarity: float
    unit: str
    figures_ok: bool
    names_ok: bool
    why: str = ""

    @property
    def covered(self) -> bool:
        return self.similarity >= THRESHOLD and self.figures_ok and self.names_ok


def units(text: str) -> list[str]:
    """Sentences, their clauses, and neighbouring clause pairs: where a point can be made."""
    clauses: list[str] = []
    found: list[str] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        if not sentence:
            continue
        if is_list(sentence):
            continue
        found.append(sentence)
        pieces = [
            p.strip(" .,!?;:\"'“”")
            for p in re.split(r"[,;:—–]\s+|\s+(?:and|but|so|because|since)\s+", sentence)
        ]
        clauses += [p for p in pieces if len(p.split()) >= 2]
    found += clauses
    found += [f"{a}, {b}" for a, b in pairwise(clauses)]
    return list(dict.fromkeys(u for u in found if u))


_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)\s*(k|m|b|bn|grand|thousand|million|billion)?\b",
                     re.IGNORECASE)
_SCALE = {"k": 1e3, "grand": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9,
          "bn": 1e9, "billion": 1e9}


def _numbers(text: str) -> list[float]:
    """Every number said, scaled ("268K", "268 grand", "850,000" and "25" alike)."""
    values: list[float] = []
    for match in _NUMBER.finditer(text):
        raw = match.group(1).replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        values.append(value * _SCALE.get((match.group(2) or "").lower(), 1.0))
    for figure in find_spoken_figures(text):  # "twenty five to thirty percent" and the like
        values += [figure.low, figure.high]
    return values


def _same(a: float, b: float) -> bool:
    # "268" said for "$268K": people drop the K when the context makes it plain.
    return any(math.isclose(a * s, b, rel_tol=0.005) for s in (1.0, 1e3, 1e-3))


def _figure_groups(point: str) -> list[list[float]]:
    """The point's figures, each as the numbers that must be said together (a range's ends)."""
    groups = [sorted({f.low, f.high}) for f in find_spoken_figures(point)]
    taken = {v for g in groups for v in g}
    groups += [[v] for v in _numbers(point) if not any(_same(v, t) for t in taken)]
    return groups


def figures_hold(point: str, unit: str, attempt: str) -> tuple[bool, str]:
    """Whether what was said keeps the point's figures: whole or left out, never changed."""
    groups = _figure_groups(point)
    if not groups:
        return True, ""
    said = _numbers(attempt)
    for group in groups:
        present = [v for v in group if any(_same(v, s) for s in said)]
        if present and len(present) < len(group):
            return False, "only part of a range"
    wanted = [v for g in groups for v in g]
    stray = [v for v in _numbers(unit) if not any(_same(v, w) for w in wanted)]
    if stray:
        return False, f"a different figure ({stray[0]:g})"
    return True, ""


NAME = re.compile(r"\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}\w*|[A-Z][a-z]+)\b")


# Capitalised words that are not companies (sentence openers, pronouns, roles).
COMMON = {"i", "i'm", "i'd", "my", "the", "and", "so", "but", "look", "given", "when", "on",
           "since", "as", "in", "that", "this", "we", "you", "it", "ml", "ai", "ipo", "s-1",
           "tc", "premium", "engineer", "engineers", "wall", "street", "well", "also", "plus"}


def names_hold(point: str, unit: str, known: set[str]) -> tuple[bool, str]:
    """The point's companies are not swapped for others, nor its figures moved between them.

    "I tune the models Anthropic runs" for "... OpenAI runs": a company of the point is
    missing and another stands in its place. "I'm leaving NVIDIA, where I make $455K" for
    "Google at $455K / NVIDIA at $462K": each figure must sit with the company the point
    gives it.
    """
    named = [n for n in NAME.findall(point) if n in known]
    if not named:
        return True, ""
    lowered = unit.lower()
    missing = [n for n in named if n.lower() not in lowered]
    others = [n for n in NAME.findall(unit) if n not in named and n.lower() not in COMMON]
    if missing and others:
        return False, f"names {others[0]} instead of {missing[0]}"
    owners = _owners(point, named)
    for value, name in _owners(unit, named).items():
        for known_value, known_name in owners.items():
            if _same(value, known_value) and name and known_name and name != known_name:
                return False, f"gives {known_name}'s figure to {name}"
    return True, ""


def _owners(text: str, names: Sequence[str]) -> dict[float, str]:
    """Each figure in ``text`` and the nearest of ``names`` said before it."""
    places = sorted(
        (m.start(), n) for n in names for m in re.finditer(re.escape(n), text, re.IGNORECASE)
    )
    owners: dict[float, str] = {}
    for match in _NUMBER.finditer(text):
        before = [n for at, n in places if at < match.start()]
        for value in _numbers(match.group(0)):
            owners[value] = before[-1] if before else ""
    return owners


_LIST_ITEM = re.compile(r"^\W*(?:\w+\W*){1,3}$")


def is_list(sentence: str) -> bool:
    """A bare list of keywords ("Press, customers, analysts, records."): no claim is made."""
    items = [i for i in re.split(r"[,;]\s*", sentence.strip(" .!?")) if i.strip()]
    return len(items) >= 3 and all(_LIST_ITEM.match(i) for i in items)


def match_points(
    points: Sequence[str], attempt: str, embedder: Embedder, companies: Sequence[str] = ()
) -> list[PointMeaning]:
    """Each key point's closest unit in ``attempt``, its similarity and the code checks."""
    pieces = units(attempt)
    if not pieces or not points:
        return [PointMeaning(p, 0.0, "", True, True) for p in points]
    vectors = embedder.embed_documents([*points, *pieces])
    point_vectors, unit_vectors = vectors[: len(points)], vectors[len(points) :]
    known = set(companies)
    results = []
    for point, pv in zip(points, point_vectors, strict=True):
        scores = [sum(a * b for a, b in zip(pv, uv, strict=True)) for uv in unit_vectors]
        best = max(range(len(scores)), key=scores.__getitem__)
        unit = pieces[best]
        figures_ok, why = figures_hold(point, unit, attempt)
        names_ok, why_names = names_hold(point, unit, known)
        results.append(PointMeaning(point, scores[best], unit, figures_ok, names_ok,
                                    why or why_names))
    return results
