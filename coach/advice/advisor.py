"""Grounded Q&A: retrieve, let the code decide the answer, let the model word it, guard it.

The chain is LCEL: a retrieval step (hybrid search plus the deterministic draft) feeds a
wording step (prompt template → chat model → text). The wording streams through the guard;
if the model states a figure the sources do not, the coach retries once with the allowed
figures spelled out, and then falls back to the draft itself. ``Conversation`` reuses the
same steps with history, keeping the stable system prompt first so llama.cpp can reuse it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coach.advice.answers import Composer
from coach.advice.concept_words import concept_words
from coach.advice.drafting import (
    NOT_COVERED,
    Citation,
    Draft,
    extractive_draft,
)
from coach.advice.reader import Reader, Reading
from coach.advice.routing import is_money_question, missing_terms_note
from coach.advice.state import DialogueState
from coach.config import Settings
from coach.guard.claims import ClaimCheck
from coach.guard.figures import (
    AnswerChecker,
    GuardedStream,
    GuardRejected,
    allowed_values,
    check_figures,
)
from coach.guard.meaning import MeaningCheck
from coach.knowledge.library import require_guide
from coach.knowledge.retrieval import HybridRetriever, Passage, content_terms, stem, stems
from coach.knowledge.store import KnowledgeStore
from coach.models import providers
from coach.models.messages import to_langchain
from coach.models.prompts import load_prompt
from coach.negotiation.playbook import Playbook
from coach.negotiation.profile import load_profile

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


COVERED_SIMILARITY = 0.22  # with at least one meaningful shared term
CLOSE_SIMILARITY = 0.5  # close enough in meaning with no shared term at all
RETRIEVE_K = 4
PROMPTS = ("answer", "counter")


@dataclass
class Answer:
    """A finished answer as ``--json`` prints it, plus what the guard did along the way."""

    answer: str
    citations: list[Citation]
    figures: list[str]
    grounded: bool
    provider: str
    model: str
    covered: bool = True
    guard_events: list[str] = field(default_factory=list)
    verdict: str = ""  # the engine's verdict when the question judged an offer

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [
                {"guide": c.guide, "section": c.section, "text": c.text} for c in self.citations
            ],
            "figures": self.figures,
            "grounded": self.grounded,
            "provider": self.provider,
            "model": self.model,
            **({"verdict": self.verdict} if self.verdict else {}),
        }


@dataclass
class Prepared:
    """Everything the wording step and the guard need for one question."""

    question: str
    passages: list[Passage]
    draft: Draft
    reading: Reading | None = None

    @property
    def trusted_texts(self) -> list[str]:
        """The texts whose figures the wording may state."""
        own = [*self.draft.facts, self.draft.text]
        return own if self.draft.closed else [c.text for c in self.draft.citations] + own


class Advisor:
    """Answers questions from the stored guides (see the module docstring for the flow)."""

    def __init__(
        self,
        settings: Settings,
        store: KnowledgeStore | None = None,
        model: BaseChatModel | None = None,
    ) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.runnables import RunnableLambda

        self.settings = settings
        self.store = store or KnowledgeStore(settings, providers.embeddings(settings))
        self.model = model if model is not None else providers.chat_model(settings)
        self.retriever = HybridRetriever(self.store)
        self._reader: Reader | None = None
        self.reader_mode = "both"  # the eval's --reader knn|cues measures each part alone
        self._texts: dict[str, str] | None = None
        self._texts_key: tuple[tuple[str, str], ...] = ()
        self._reader_key: tuple[str, ...] = ()
        # Load (and so check) every template up front: a broken one fails before any model call.
        for name in PROMPTS:
            load_prompt(name)
        self.retrieval_chain = RunnableLambda(self._prepare_input)
        self.wording_chain = RunnableLambda(to_langchain) | self.model | StrOutputParser()

    # -- deciding ----------------------------------------------------------------------

    def playbooks(self, guide: str | None = None) -> list[Playbook]:
        records = [r for r in self.store.guides() if guide is None or r.guide_id == guide]
        books = []
        for record in records:
            try:
                books.append(Playbook.from_dict(json.loads(record.playbook_json)))
            except (ValueError, KeyError, TypeError):
                continue  # a playbook stored by an older version: Q&A still works without it
        return books

    def _prepare_input(self, request: dict[str, Any]) -> Prepared:
        return self.prepare(request["question"], request.get("guide"), request.get("state"))

    def guide_texts(self) -> dict[str, str]:
        """Each stored guide's text (its chunks joined), read again only when the guides change."""
        key = tuple(sorted((g.guide_id, g.content_hash) for g in self.store.guides()))
        if self._texts is None or self._texts_key != key:
            self._texts_key = key
            texts: dict[str, list[str]] = {}
            for _, text, meta in self.store.active_chunks():
                texts.setdefault(str(meta.get("guide_id", "")), []).append(text)
            self._texts = {g: "\n".join(parts) for g, parts in texts.items()}
        return self._texts

    def reader(self, playbooks: list[Playbook]) -> Reader:
        """The message reader for these guides (its example vectors are computed once)."""
        key = tuple(sorted(p.guide for p in playbooks))
        if self._reader is None or self._reader_key != key:
            self._reader = Reader(self.store.embedding, playbooks, self.reader_mode)
            self._reader_key = key
        return self._reader

    def read(
        self, question: str, playbooks: list[Playbook], state: DialogueState | None = None
    ) -> Reading:
        """The intent and slots of ``question``, with gaps filled from the dialogue state."""
        reading = self.reader(playbooks).read(question)
        if state is not None:
            regions = {p.guide: p.regions() for p in playbooks}
            reading = state.resolve(reading, regions)
        return reading

    def prepare(
        self, question: str, guide: str | None = None, state: DialogueState | None = None
    ) -> Prepared:
        """Read the question, then decide the draft answer (from the playbooks or retrieval)."""
        if guide is not None:
            require_guide(self.store, guide)
        playbooks = self.playbooks(guide)
        reading = self.read(question, playbooks, state)
        composer = Composer(playbooks, load_profile(self.settings.home), self.guide_texts())
        # Facts of a guide (bands, offers, thresholds, scripts, dates) come from its playbook,
        # each figure tied to its cell or line; retrieval is for everything else.
        if (draft := composer.compose(reading)) is not None:
            return Prepared(question, [], draft, reading)
        guide_ids = [guide] if guide else None
        general = [p.guide for p in playbooks if not p.has_terms]
        if reading.intent == "concept" and guide is None and general:
            # How to negotiate is the general guides' subject; a role guide's lines would
            # bring its own figures into advice that has none.
            guide_ids = general
        extra = concept_words(question) if reading.intent == "concept" else ""
        query = f"{question} {extra}".strip()
        passages = self.retriever.retrieve(query, k=RETRIEVE_K, guide_ids=guide_ids)
        # The company or role name alone ("dental plan at Cerebras") says nothing about
        # whether the guide answers the question, so title words do not count as shared.
        title_terms = content_terms(" ".join(p.title for p in playbooks))
        meaningful = content_terms(query) - title_terms
        wanted = {stem(t) for t in meaningful}
        covered = any(
            p.similarity >= CLOSE_SIMILARITY
            # A section headed by the asked term ("## Anchoring") is about it, however short
            # the question and so however weak its vector.
            or wanted & set(stems(p.section_label))
            or (p.similarity >= COVERED_SIMILARITY and wanted & set(stems(p.text)))
            for p in passages
        )
        if not covered:
            return Prepared(question, passages, Draft(text=NOT_COVERED, covered=False), reading)
        draft = extractive_draft(
            query,
            passages,
            ignore=title_terms,
            lead_with_heading=reading.intent == "concept",
            boost={stem(t) for t in content_terms(extra)},
        )
        if is_money_question(question) and (note := missing_terms_note(playbooks)):
            draft.text = note + draft.text
        return Prepared(question, passages, draft, reading)

    # -- wording -----------------------------------------------------------------------

    def messages(self, prepared: Prepared, history: list[dict[str, str]] | None = None) -> list:
        draft = prepared.draft
        template = load_prompt(draft.prompt)
        system, user = template.messages(
            question=prepared.question, draft=draft.text, **draft.variables
        )
        return [system, *(history or []), user]

    def stream(
        self,
        question: str,
        guide: str | None = None,
        history: list[dict[str, str]] | None = None,
        state: DialogueState | None = None,
    ) -> AnswerStream:
        """Stream a guarded answer; the finished ``Answer`` is on ``.answer`` afterwards."""
        prepared = self.retrieval_chain.invoke(
            {"question": question, "guide": guide, "state": state}
        )
        return AnswerStream(self, prepared, self.messages(prepared, history))

    def ask(self, question: str, guide: str | None = None) -> Answer:
        stream = self.stream(question, guide)
        for _ in stream:
            pass
        return stream.answer


class AnswerStream:
    """Iterating yields checked text; afterwards ``answer`` holds the finished ``Answer``."""

    def __init__(self, advisor: Advisor, prepared: Prepared, messages: list[dict[str, str]]):
        self.advisor = advisor
        self.prepared = prepared
        self.messages = messages
        self.events: list[str] = []
        self.answer: Answer | None = None

    def _finish(self, text: str) -> None:
        settings = self.advisor.settings
        cited = allowed_values(self.prepared.trusted_texts)
        report = check_figures(text, cited)
        self.answer = Answer(
            answer=text.strip(),
            citations=self.prepared.draft.citations,
            figures=report.figures,
            grounded=report.ok,
            provider=settings.provider,
            # An OpenAI-style client knows the model it really asked for (the server's own
            # name when none was given); the engine-backed models fall back to the settings.
            model=getattr(self.advisor.model, "model_name", None) or settings.model_label,
            covered=self.prepared.draft.covered,
            guard_events=self.events,
            verdict=self.prepared.draft.verdict,
        )

    def __iter__(self) -> Iterator[str]:
        draft = self.prepared.draft
        if not draft.covered or draft.verbatim:
            # Nothing to word: "not covered" needs no model, and a script is said as written.
            why = "guides do not cover the question" if not draft.covered else "shown verbatim"
            self.events.append(f"{why}; no model call")
            yield draft.text
            self._finish(draft.text)
            return
        allowed = allowed_values(self.prepared.trusted_texts)
        checker = AnswerChecker(
            allowed,
            MeaningCheck(draft.text, draft.required, draft.forbid_accept),
            ClaimCheck(draft.text, self.prepared.question, closed=draft.closed, keep=draft.keep),
        )
        chain = self.advisor.wording_chain
        guarded = GuardedStream(chain.stream(self.messages), checker)
        try:
            yield from guarded
            self._finish(guarded.text)
            return
        except GuardRejected as rejected:
            self.events.append(f"guard rejected the model's wording: {rejected.reason}")
        if guarded.text:
            yield "\n[the coach stopped that answer: it misstated a figure; here is a checked one]\n"
        retry = [dict(m) for m in self.messages]
        figures = ", ".join(sorted(set(check_figures(draft.text, allowed).figures))) or "none"
        retry[-1]["content"] += (
            f"\n\nUse only these figures, exactly as written and for the same things: {figures}."
            " Add no names, dates or facts that the draft does not state."
        )
        second = chain.invoke(retry)
        problems = checker.problems(second)
        if not problems and second.strip():
            self.events.append("guard accepted the regenerated wording")
            yield second
            self._finish(second)
            return
        self.events.append(f"guard rejected the retry too ({'; '.join(problems)}); using the draft")
        yield draft.text
        self._finish(draft.text)
