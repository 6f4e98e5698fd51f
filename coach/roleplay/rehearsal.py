"""Rehearsal: say a script in your own words and see which of its key points you covered.

People do not repeat a script word for word, so coverage is measured on meaning-bearing
terms: lowercase words without stopwords, lightly stemmed ("benchmarks", "benchmarking" ->
"benchmark") and folded through a small synonym table ("shares", "stock", "RSUs" ->
"equity"). A key point counts as covered when enough of its terms appear in the attempt.
The same matching tells the recruiter engine whether a candidate made the share-premium
argument, so rehearsal and role-play agree on what "used the script" means.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.negotiation.playbook import Playbook, Script
from coach.roleplay import history, point_meaning

SHARE_PREMIUM_SCRIPT = "share-premium"

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been being both
    but by can could d did do does doing for from further had has have having he her here
    him his how i i'd i'm if in into is it its itself just ll m me more most my myself no
    nor not of off on once only or other our ours out over own re s same she should so
    some such t than that the their them then there these they this those through to too
    under until up us ve very was we were what when where which while who whom why will
    with would you your yours per cent percent like really want get got make made give""".split()
)
# "more" is a stopword in general text, but in "more shares" it is the whole point; it is
# put back through the synonym table below before stopwords are dropped.
_SYNONYMS = {
    **dict.fromkeys(["share", "shares", "stock", "stocks", "equity", "rsu", "rsus"], "equity"),
    **dict.fromkeys(["options", "option", "grant", "grants", "allocation"], "equity"),
    **dict.fromkeys(["more", "additional", "extra", "bigger", "larger", "increased"], "plus"),
    **dict.fromkeys(["benchmark", "benchmarks", "benchmarking", "benchmarked"], "benchmark"),
    **dict.fromkeys(["proof", "proofs", "prove", "proves", "proving", "evidence"], "evidence"),
    **dict.fromkeys(["analyst", "analysts", "investor", "investors", "market"], "investor"),
    **dict.fromkeys(["ipo", "s1", "listing", "public", "offering"], "ipo"),
    **dict.fromkeys(["fast", "faster", "fastest", "speed", "speeds", "quick"], "speed"),
    **dict.fromkeys(["efficiency", "efficient", "efficiently"], "efficien"),
    **dict.fromkeys(["salary", "base"], "base"),
    **dict.fromkeys(["twice", "double", "doubly", "twofold"], "double"),
    **dict.fromkeys(["premium", "premiums"], "premium"),
    **dict.fromkeys(["valuation", "valuations", "valued", "value", "worth"], "value"),
}
_NUMBER_WORDS = {
    "five": "5",
    "ten": "10",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
}
# Longest first; each needs a stem of at least 4 letters left so "speed" or "need" survive.
_SUFFIXES = ("ization", "isation", "ations", "ation", "ings", "ing", "ers", "ies", "es", "ed")
_SUFFIXES += ("er", "ly", "s", "e")


def stem(word: str) -> str:
    """A light, deterministic stem: enough to match plurals and verb forms, nothing more."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def key_terms(text: str) -> list[str]:
    """The meaning-bearing terms of ``text`` in order (canonical, stemmed, no stopwords)."""
    text = text.lower().replace("s-1", "s1").replace("twenty-five", "25")
    terms: list[str] = []
    for word in _WORD.findall(text):
        word = _NUMBER_WORDS.get(word, word)
        if word in _SYNONYMS:
            terms.append(_SYNONYMS[word])
        elif word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            terms.append(stem(word))
    return terms


@dataclass
class KeyPointResult:
    """How one key point fared: its terms found in the attempt and the ones missing."""

    point: str
    covered: bool
    overlap: float
    matched: list[str] = field(default_factory=list)
    missing_terms: list[str] = field(default_factory=list)


@dataclass
class RehearsalResult:
    """A scored rehearsal: which key points were covered, which were missed, a 0–100 score."""

    script: str
    score: int
    covered: list[str]
    missing: list[str]
    points: list[KeyPointResult]
    suggestion: str = ""  # the script's own sentence for the first missed point

    @property
    def feedback(self) -> str:
        """Plain sentences naming what to add next time, and one sentence to say it with."""
        if not self.points:
            return "This script has no key points to check."
        if not self.missing:
            return "You covered every key point."
        names = "; ".join(f'"{p}"' for p in self.missing)
        said = f"You covered {len(self.covered)} of {len(self.points)} key points. Missing: {names}."
        return f'{said} Try adding: "{self.suggestion}"' if self.suggestion else said

    def to_json(self) -> dict[str, Any]:
        return {
            "script": self.script,
            "score": self.score,
            "covered": self.covered,
            "missing": self.missing,
            "points": [
                {
                    "point": p.point,
                    "covered": p.covered,
                    "overlap": round(p.overlap, 2),
                    "missing_terms": p.missing_terms,
                }
                for p in self.points
            ],
            "suggestion": self.suggestion,
            "feedback": self.feedback,
        }


def _needed(count: int) -> float:
    # Short points ("AI premium") need half their terms; long sentences said in one's own
    # words rarely keep half of them, so 40% is enough there.
    return 0.5 if count <= 4 else 0.4


def point_coverage(point: str, attempt_terms: set[str]) -> KeyPointResult:
    """Whether ``point`` is covered by an attempt whose terms are ``attempt_terms``."""
    terms = list(dict.fromkeys(key_terms(point)))
    if not terms:
        return KeyPointResult(point, covered=False, overlap=0.0)
    matched = [t for t in terms if t in attempt_terms]
    overlap = len(matched) / len(terms)
    missing = [t for t in terms if t not in attempt_terms]
    return KeyPointResult(point, overlap >= _needed(len(terms)), overlap, matched, missing)


def covered_points(script: Script, text: str) -> list[str]:
    """The key points of ``script`` that ``text`` covers."""
    terms = set(key_terms(text))
    return [p for p in script.key_points if point_coverage(p, terms).covered]


def _proper_nouns(text: str) -> set[str]:
    return {n for n in point_meaning.NAME.findall(text) if n.lower() not in point_meaning.COMMON}


def judge_points(
    script: Script,
    attempt: str,
    matcher: str = "both",
    embedder: point_meaning.Embedder | None = None,
    threshold: float | None = None,
) -> list[bool]:
    """Which of ``script``'s key points ``attempt`` makes, by the chosen matcher.

    ``words``: enough shared terms. ``meaning``: the closest unit is similar enough and keeps
    the point's figures and names. ``both`` (the coach's): close enough in meaning, or shared
    words with some closeness (a keyword list has none), and the figure and name checks
    hold, since neither signal can tell 25% from 30% or OpenAI from Anthropic.
    """
    terms = set(key_terms(attempt or ""))
    lexical = [point_coverage(p, terms).covered for p in script.key_points]
    if matcher == "words" or embedder is None:
        return lexical
    cut = point_meaning.THRESHOLD if threshold is None else threshold
    found = point_meaning.match_points(
        script.key_points, attempt or "", embedder, sorted(_proper_nouns(script.text))
    )
    checks = [m.figures_ok and m.names_ok for m in found]
    close = [m.similarity >= cut for m in found]
    if matcher == "meaning":
        return [c and ok for c, ok in zip(close, checks, strict=True)]
    near = [m.similarity >= point_meaning.WORDS_FLOOR for m in found]
    return [
        (c or (w and n)) and ok
        for c, w, n, ok in zip(close, lexical, near, checks, strict=True)
    ]


def score_rehearsal(
    script: Script, attempt: str, embedder: point_meaning.Embedder | None = None
) -> RehearsalResult:
    """Score a spoken/typed attempt at ``script``: coverage of its key points, 0–100.

    With ``embedder`` the points are matched by meaning too (``judge_points``); without it,
    by shared terms alone (what the role-play engine uses, which loads no embeddings).
    """
    terms = set(key_terms(attempt or ""))
    points = [point_coverage(p, terms) for p in script.key_points if key_terms(p)]
    if embedder is not None:
        judged = dict(zip(script.key_points, judge_points(script, attempt, "both", embedder),
                          strict=True))
        points = [dataclasses.replace(p, covered=judged[p.point]) for p in points]
    covered = [p.point for p in points if p.covered]
    missing = [p.point for p in points if not p.covered]
    score = round(100 * len(covered) / len(points)) if points else 0
    suggestion = _sentence_for(script.text, missing[0]) if missing else ""
    return RehearsalResult(script.name, score, covered, missing, points, suggestion)


def _sentence_for(text: str, point: str) -> str:
    """The script sentence that carries ``point``: a whole line to say, not a fragment."""
    wanted = set(key_terms(point))
    sentences = [s.strip(" \"“”") for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    if not sentences:
        return ""
    best = max(sentences, key=lambda s: len(wanted & set(key_terms(s))))
    return best if wanted & set(key_terms(best)) else ""


def find_script(playbook: Playbook, name: str | None = None) -> Script | None:
    """The script called ``name`` (by slug or title words); the share-premium one by default."""
    wanted = (name or SHARE_PREMIUM_SCRIPT).lower().strip()
    scripts = [*playbook.scripts, *playbook.levers]
    for script in scripts:
        if script.name.lower() == wanted:
            return script
    for script in scripts:
        if wanted in script.name.lower() or wanted in script.title.lower():
            return script
    if name is None:
        # A guide may call it something else; any script about shares will do.
        return next((s for s in playbook.scripts if "share" in s.name or "share" in s.title), None)
    return None


def save_rehearsal(db: Path | str, guide: str, attempt: str, result: RehearsalResult) -> int:
    """Store a rehearsal in the practice history (kind ``rehearsal``); returns its id."""

    session = history.start_session(db, guide, "", "rehearsal", 0, kind="rehearsal")
    history.add_turn(db, session, "candidate", attempt, None, result.script)
    history.finish_session(db, session, "rehearsed", result.score, result.to_json())
    return session
