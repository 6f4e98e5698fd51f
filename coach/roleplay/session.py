"""The recruiter role-play: the engine decides, the model words it in character, a guard checks.

Each candidate message goes to ``coach.roleplay.recruiter`` for a decided move and a templated line;
the chat model rewrites that line in the persona's voice (``prompts/recruiter.md``, ending
in ``Draft: <line>``, so the fake model and the fallback are one source of truth). The
reply is shown only if it passes ``coach.guard.replies.check_reply``: every figure was decided this turn or
earlier, no hidden figure in any spelling, no talk of limits, instructions or being a model,
and no sliding into the candidate's voice. One regeneration, then the templated line.
Every turn is written to the history database as soon as it exists.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coach.config import Settings
from coach.guard.figures import allowed_values, check_figures
from coach.guard.replies import check_reply, clean_reply, mask_figures, numbers_outside
from coach.models import providers
from coach.models.messages import to_langchain
from coach.models.prompts import load_prompt
from coach.negotiation.counter import thresholds
from coach.negotiation.money import find_figures
from coach.negotiation.offers import describe_offer, offer_json
from coach.negotiation.playbook import Playbook
from coach.roleplay import history
from coach.roleplay.better_line import word_note
from coach.roleplay.candidate import CandidateMove, read_candidate
from coach.roleplay.feedback import Note, note_for, top_fixes
from coach.roleplay.mistakes import MistakeTracker
from coach.roleplay.plan import MAX_ROUNDS, STYLES, new_state, plan_for
from coach.roleplay.recruiter import RecruiterMove, next_move, opening_move
from coach.roleplay.scorecard import Line, Scorecard
from coach.roleplay.scoring import build_scorecard
from coach.roleplay.tips import next_step_hint

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


RECRUITER_MAX_TOKENS = 90  # one or two sentences; a long reply is where drift starts
PROMPT_CANDIDATE_CHARS = 500
@dataclass
class RecruiterTurn:
    """One recruiter line as shown, with the decided move and what the guard did."""

    text: str
    kind: str
    offer: dict[str, Any] | None
    source: str  # "model" | "regenerated" | "template"
    events: list[str] = field(default_factory=list)
    outcome: str | None = None
    notes: list[Note] = field(default_factory=list)  # feedback on the line it answers

    @property
    def done(self) -> bool:
        return self.outcome is not None


@dataclass
class Debrief:
    """The end of a session: outcome, the deal, the revealed plan and the scorecard."""

    outcome: str
    final_offer: dict[str, Any] | None
    hidden: dict[str, Any]
    scorecard: Scorecard
    transcript: list[Line]
    session_id: int | None = None
    notes: list[Note] = field(default_factory=list)  # every mistake, with its line

    def to_json(self) -> dict[str, Any]:
        return {
            "transcript": [
                {"role": e.role, "text": e.text, "offer": e.offer} for e in self.transcript
            ],
            "outcome": self.outcome,
            "final_offer": self.final_offer,
            "hidden": self.hidden,
            "scorecard": self.scorecard.to_json(),
            "session_id": self.session_id,
            "mistakes": [n.to_json() for n in self.notes],
            "fixes": [n.to_json() for n in top_fixes(self.notes)],
        }


class RoleplaySession:
    """One practice negotiation against a recruiter with a hidden plan (see module docstring)."""

    def __init__(
        self,
        settings: Settings,
        playbook: Playbook,
        *,
        region: str | None = None,
        persona: str = "firm",
        seed: int | None = None,
        model: BaseChatModel | None = None,
        persist: bool = True,
        word_hints: bool = True,
        max_rounds: int = MAX_ROUNDS,
        offer: dict[str, float] | None = None,
        feedback: bool = False,
    ) -> None:
        self.settings = settings
        # With feedback on, each note's better line is worded by the model (one call per
        # note, before the recruiter's reply); off, notes keep the template for the debrief.
        self.feedback = feedback
        self.playbook = playbook
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
        self.plan = plan_for(playbook, region, persona, self.seed, max_rounds, offer)
        self.state = new_state(playbook, self.plan)
        self.model = model if model is not None else providers.chat_model(settings)
        self.template = load_prompt("recruiter")
        self.persist = persist
        self.word_hints = word_hints
        self.transcript: list[Line] = []
        self.decided: list[str] = []  # every offer made so far, as text the guard trusts
        self.events: list[str] = []
        self.session_id: int | None = None
        self._debrief: Debrief | None = None
        walk, target, _ = thresholds(playbook, self.state.band, None)
        self.tracker = MistakeTracker(playbook, walk, target)
        self.notes: list[Note] = []  # every mistake so far, shown per turn with --feedback

    # -- state ---------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return bool(self.transcript)

    @property
    def done(self) -> bool:
        return self.state.done

    @property
    def outcome(self) -> str | None:
        return self.state.outcome

    def _record(self, role: str, text: str, offer: dict[str, Any] | None, kind: str | None) -> None:
        self.transcript.append(Line(role, text, offer, kind))
        if self.persist and self.session_id is not None:
            history.add_turn(self.settings.history_db, self.session_id, role, text, offer, kind)

    # -- turns ---------------------------------------------------------------------------

    def start(self) -> RecruiterTurn:
        """The recruiter's opening line (idempotent: a second call repeats it)."""
        if self.started:
            first = self.transcript[0]
            return RecruiterTurn(first.text, first.kind or "open", first.offer, "template")
        if self.persist:
            self.session_id = history.start_session(
                self.settings.history_db,
                self.playbook.guide,
                self.plan.region,
                self.plan.persona,
                self.seed,
            )
        return self._speak(opening_move(self.state), candidate="(the conversation starts)")

    def respond(self, candidate_text: str) -> RecruiterTurn:
        """The recruiter's reply to one candidate message. Never raises on odd input."""
        if not self.started:
            self.start()
        if self.done:
            last = self.transcript[-1]
            return RecruiterTurn(
                last.text,
                last.kind or "close_no_deal",
                last.offer,
                "template",
                ["the session is over"],
                self.outcome,
            )
        move = read_candidate(candidate_text or "", self.playbook, self.plan.region)
        self._record("candidate", move.text, None, None)
        notes = self._notes(move, self.tracker)
        note_events: list[str] = []
        if self.feedback:
            worded = [word_note(self.model, note, self.playbook) for note in notes]
            notes = [note for note, _ in worded]
            note_events = [event for _, events in worded for event in events]
            self.events += note_events
        self.notes += notes
        decided = next_move(self.state, move)
        # Injection attempts never reach the model verbatim, and neither do the candidate's
        # figures: a small model echoes them, and the recruiter may only say decided ones.
        shown = "(asks about internal matters)" if move.injection else mask_figures(move.text)
        turn = self._speak(decided, candidate=shown[:PROMPT_CANDIDATE_CHARS] or "(silence)")
        turn.notes = notes
        turn.events = note_events + turn.events
        return turn

    def _notes(self, move: CandidateMove, tracker: MistakeTracker) -> list[Note]:
        """Feedback on ``move`` as said now, with the offer on the table."""
        on_table = dict(self.state.offer) if self.state.offer else None
        return [note_for(m, tracker, on_table) for m in tracker.check(move, on_table)]

    def preview(self, candidate_text: str) -> list[Note]:
        """The feedback a line would get if said now, without saying it (nothing changes)."""
        move = read_candidate(candidate_text or "", self.playbook, self.plan.region)
        return self._notes(move, copy.deepcopy(self.tracker))

    def _speak(self, move: RecruiterMove, candidate: str) -> RecruiterTurn:
        if move.offer is not None:
            self.decided.append(describe_offer(move.offer, self.playbook.currency))
        text, source, events = self._word(move, candidate)
        self.events += events
        offer = offer_json(move.offer)
        self._record("recruiter", text, offer, move.kind)
        return RecruiterTurn(text, move.kind, offer, source, events, move.outcome)

    def _messages(self, move: RecruiterMove, candidate: str, note: str) -> list[dict[str, str]]:
        return self.template.messages(
            persona=STYLES[self.plan.persona].description,
            company=self.playbook.company or "the company",
            role=self.playbook.role or "open",
            candidate=candidate,
            note=note,
            draft=move.line,
        )

    def _word(self, move: RecruiterMove, candidate: str) -> tuple[str, str, list[str]]:
        """Model wording that passes ``check_reply``, else the templated line."""
        events: list[str] = []
        figures = ", ".join(f.raw for f in find_figures(move.line)) or "none"
        notes = ["", f"Say it as the recruiter. Use only these figures, exactly: {figures}.\n"]
        for attempt, note in enumerate(notes):
            try:
                reply = self.model.bind(max_tokens=RECRUITER_MAX_TOKENS).invoke(
                    to_langchain(self._messages(move, candidate, note))
                )
                text = clean_reply(str(reply.content))
            except Exception as exc:  # a model failure must not end the practice session
                events.append(f"model call failed ({type(exc).__name__}); using the draft")
                break
            problems = check_reply(text, move.line, self.decided, self.plan.maximum)
            if not problems:
                return text, "regenerated" if attempt else "model", events
            events.append(f"guard rejected wording ({'; '.join(problems)}): {text[:160]!r}")
        events.append("using the templated line")
        return move.line, "template", events

    # -- coaching and the end ------------------------------------------------------------

    def hint(self) -> str:
        """What the coach suggests saying next (from the guide and transcript, not the plan)."""
        draft = next_step_hint(self.playbook, self.plan.region, self.transcript)
        if not self.word_hints:
            return draft
        try:
            messages = load_prompt("hint").messages(draft=draft)
            reply = self.model.bind(max_tokens=RECRUITER_MAX_TOKENS).invoke(to_langchain(messages))
            text = clean_reply(str(reply.content))
        except Exception:  # the draft is always a good answer
            return draft
        # The hint model never sees the hidden plan, so only invented figures can go wrong.
        ok = check_figures(text, allowed_values([draft])).ok and not numbers_outside(text, draft)
        return text if ok and text else draft

    def finish(self) -> Debrief:
        """Score the session (ending it as no deal if it is still open) and save the result."""
        if self._debrief is not None:
            return self._debrief
        if not self.started:
            self.start()
        if not self.done:
            self.state.outcome = "no_deal"  # the candidate stopped before an agreement
        outcome = self.state.outcome or "no_deal"
        final = offer_json(self.state.offer) if outcome == "deal" else None
        card = build_scorecard(self.playbook, self.plan, self.transcript, outcome, final)
        hidden = self.plan.to_json()
        if self.persist and self.session_id is not None:
            # The mistakes go with the scorecard, so `coach history compare` can tell which
            # ones a retry fixed.
            stored = {**card.to_json(), "mistakes": [n.to_json() for n in self.notes]}
            history.finish_session(
                self.settings.history_db, self.session_id, outcome, card.score, stored, hidden
            )
        self._debrief = Debrief(
            outcome, final, hidden, card, list(self.transcript), self.session_id, list(self.notes)
        )
        return self._debrief

    def run_script(self, lines: list[str]) -> dict[str, Any]:
        """Play candidate ``lines`` in order (``/hint`` lines ask for hints) and debrief.

        Lines after the session ends are ignored; a script that runs out first ends as no deal.
        """
        self.start()
        hints = []
        for line in lines:
            if self.done:
                break
            if line.strip().lower().startswith("/hint"):
                hints.append(self.hint())
                continue
            self.respond(line)
        result = self.finish().to_json()
        if hints:
            result["hints"] = hints
        return result
