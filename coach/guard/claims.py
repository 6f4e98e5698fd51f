"""The guard's third check: a reworded answer makes no claim the draft did not make.

Figures are checked one by one elsewhere; a claim can carry none. A 1.5B model wrote "the
IPO occurs when Cerebras surpasses NVIDIA in performance benchmarks" where the guide says
Q2 2026: no figure to catch, yet a new company, a new condition and no date. When the code
decided the whole answer (a playbook draft), the wording may say it differently but may not
bring in a name, a date or a number that neither the draft nor the person's question holds.
"""

from __future__ import annotations

import re

# Names and dates: a capitalised word inside a sentence, an all-capitals word anywhere, a
# quarter or half ("Q2 2026", "H1"), a month, a year, or a bare number.
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]*(?:[-/][A-Za-z]+)*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"'(*\n\]-])\s*$")
_DATE = re.compile(
    r"\b[QH][1-4]\b|\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w$€£.,])\d+(?:[.,]\d+)?(?![\w%])")
# Capitalised words a rewording may add without claiming anything.
_ALWAYS_FINE = {
    "i", "i'm", "i'd", "you", "your", "ok", "okay", "yes", "no", "note", "tip", "so", "also",
    "remember", "if", "the", "a", "an", "this", "that", "here", "there", "it", "we", "they",
}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'/-]*", text)}


# The template's own words coming back ("Here's a clear, friendly answer of one to three
# sentences:"): the model is talking about its instructions, not to the person.
_PROMPT_ECHO = re.compile(
    r"\bhere'?s (?:a|the|your) (?:clear|friendly|rewritten|revised|short|reworded)\b"
    r"|\bone to three sentences\b|\bthe draft\b|\brewrite the draft\b",
    re.IGNORECASE,
)
# An answer that opens with a verdict: a claim only the guide's own words can make.
_VERDICT_OPENER = re.compile(
    r"^\W*(?:yes|no|absolutely|definitely|of course|certainly|sure you can)\b", re.IGNORECASE
)


class ClaimCheck:
    """What a reworded answer may claim, given the draft it rewords.

    ``closed`` drafts were decided whole from a playbook: the wording may name nothing
    beyond them, and must keep ``keep`` (competitor names, a guide's dates). Every draft
    forbids echoing the prompt, and a draft of quoted guide sentences forbids opening with a
    yes or no it does not say (a model turned "committing on the spot is not [fine]" into
    "Yes, you should accept on the spot").
    """

    def __init__(
        self, draft: str, question: str = "", *, closed: bool = True, keep: list[str] | None = None
    ) -> None:
        self.draft = draft
        self.closed = closed
        self.keep = list(keep or [])
        self.known = _words(draft) | _words(question) | _ALWAYS_FINE
        # Parts of hyphenated or slashed names ("ML/AI", "Pre-IPO") count on their own too.
        self.known |= {part for word in list(self.known) for part in re.split(r"[/-]", word)}

    def _new(self, token: str) -> bool:
        parts = [p for p in re.split(r"[/-]", token.lower()) if p]
        return token.lower() not in self.known and not all(p in self.known for p in parts)

    def missing(self, text: str) -> list[str]:
        """What a finished answer left out of ``keep``."""
        lowered = text.lower()
        return [f"left out {name!r}" for name in self.keep if name.lower() not in lowered]

    def problem(self, text: str) -> str | None:
        """The first claim in ``text`` that the draft does not make, if any."""
        if match := _PROMPT_ECHO.search(text):
            return f"talks about its instructions ({match.group(0)!r})"
        if not self.closed:
            opener = _VERDICT_OPENER.search(text)
            if opener and not _VERDICT_OPENER.search(self.draft):
                return f"opens with a verdict the guide does not give ({opener.group(0).strip()!r})"
            return None
        for match in _DATE.finditer(text):
            if self._new(match.group(0)):
                return f"new date {match.group(0)!r} that the checked answer does not give"
        for match in _CAPITALISED.finditer(text):
            token = match.group(0)
            # A capital opening a sentence says nothing; all capitals (NVIDIA, IPO) always do.
            opens = bool(_SENTENCE_START.search(text[: match.start()]))
            if ((token.isupper() and len(token) > 1) or not opens) and self._new(token):
                return f"new name {token!r} that the checked answer does not give"
        for match in _NUMBER.finditer(text):
            if self._new(match.group(0)):
                return f"new number {match.group(0)!r} that the checked answer does not give"
        return None
