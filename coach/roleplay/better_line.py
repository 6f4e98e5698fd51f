"""The model words a note's better line; the guard keeps it to the engine's figures.

``coach.roleplay.feedback`` decides the better line from the engine (target, next step,
the guide's competing offer or premium) and writes it as a template. Read aloud, a template
sounds like one, so with feedback on the chat model says it again in the person's voice.
The wording is used only when it states exactly the template's figures (none added, none
dropped), names no company, date or number the template does not, keeps the competitor it
names, and still speaks as the candidate; otherwise the template stands. No retry: a note
is shown before the recruiter's reply, and a second model call would delay that reply.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from coach.guard.claims import ClaimCheck
from coach.guard.figures import allowed_values, check_figures
from coach.guard.replies import clean_reply
from coach.models.messages import to_langchain
from coach.models.prompts import load_prompt
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Playbook
from coach.roleplay.feedback import Note

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MAX_TOKENS = 70  # one or two spoken sentences
# The recruiter's voice, or the coach's: a better line is said *by* the candidate.
_NOT_CANDIDATE = re.compile(
    r"\b(?:we can offer|our (?:final )?offer|welcome aboard|you should|try saying|"
    r"the candidate|this line)\b",
    re.IGNORECASE,
)


def wording_problems(text: str, template: str, playbook: Playbook) -> list[str]:
    """Why ``text`` may not replace ``template`` (empty when it may)."""
    if not text:
        return ["empty"]
    problems: list[str] = []
    report = check_figures(text, allowed_values([template]))
    problems += [f"figure {raw} is not the engine's" for raw in report.ungrounded]
    said = allowed_values([text])
    for figure in find_figures(template):
        if not check_figures(figure.raw, said).ok:
            problems.append(f"dropped {figure.raw}")
    names = [o.company for o in playbook.competing_offers if o.company in template]
    claims = ClaimCheck(template, closed=True, keep=names)
    if problem := claims.problem(text):
        problems.append(problem)
    problems += claims.missing(text)
    if match := _NOT_CANDIDATE.search(text):
        problems.append(f"not in the candidate's voice ({match.group(0)!r})")
    if len(text) > 2 * len(template) + 80:
        problems.append("too long to say in one breath")
    return problems


def word_note(model: BaseChatModel, note: Note, playbook: Playbook) -> tuple[Note, list[str]]:
    """``note`` with its better line worded by ``model`` if the wording passes, and events."""
    messages = load_prompt("better_line").messages(said=note.line[:300], draft=note.better)
    try:
        reply = model.bind(max_tokens=MAX_TOKENS).invoke(to_langchain(messages))
        text = clean_reply(str(reply.content)).strip(" \"“”")
    except Exception as exc:  # the template is always a good line; a model failure costs nothing
        return note, [f"better line: model call failed ({type(exc).__name__}); using the template"]
    problems = wording_problems(text, note.better, playbook)
    if problems:
        return note, [f"better line: guard rejected wording ({'; '.join(problems)}): {text[:160]!r}"]
    return dataclasses.replace(note, better=text, worded=text != note.better), []
