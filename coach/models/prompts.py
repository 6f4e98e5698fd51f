"""Prompt templates kept as files in ``prompts/``, checked when they are loaded.

A template file has a small front-matter header that declares its variables, then a
``## system`` and a ``## user`` part. Loading fails with one clear error if the text uses a
variable it does not declare, or declares one it never uses: a forgotten ``{walk_away}`` must
be caught before a model is ever asked anything.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from coach._data import bundled
from coach.errors import CoachError

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate


_VARIABLE = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)\}(?!\})")
_PART = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


def prompts_dir() -> Path:
    """The folder holding prompt templates (``COACH_PROMPTS`` overrides the project's own)."""
    if env := os.environ.get("COACH_PROMPTS"):
        return Path(env)
    return bundled("prompts")


@dataclass(frozen=True)
class PromptTemplate:
    """A checked two-part chat template."""

    name: str
    system: str
    user: str
    variables: tuple[str, ...]

    def messages(self, **values: str) -> list[dict[str, str]]:
        """The chat messages with ``values`` filled in (every declared variable is required)."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise CoachError(f"Prompt {self.name!r} needs values for: {', '.join(missing)}.")
        return [
            {"role": "system", "content": _fill(self.system, values)},
            {"role": "user", "content": _fill(self.user, values)},
        ]

    def chat_prompt(self) -> ChatPromptTemplate:
        """The same template as a LangChain ``ChatPromptTemplate`` for LCEL chains."""
        from langchain_core.prompts import ChatPromptTemplate

        return ChatPromptTemplate.from_messages([("system", self.system), ("human", self.user)])


def _fill(text: str, values: dict[str, str]) -> str:
    """Substitute ``{name}`` and turn ``{{``/``}}`` into literal braces, as LangChain does."""
    filled = _VARIABLE.sub(
        lambda m: "\x00" + str(values.get(m.group(1), m.group(0))) + "\x01", text
    )
    # Values are fenced by sentinels so braces inside them are left alone.
    parts = re.split(r"\x00(.*?)\x01", filled, flags=re.DOTALL)
    return "".join(
        part if index % 2 else part.replace("{{", "{").replace("}}", "}")
        for index, part in enumerate(parts)
    )


def parse_template(name: str, source: str) -> PromptTemplate:
    """Parse and check a template's text; raise ``CoachError`` naming any variable problem."""
    if not source.startswith("---"):
        raise CoachError(f"Prompt {name!r} has no front-matter header declaring its variables.")
    _, header, body = source.split("---", 2)
    meta = yaml.safe_load(header) or {}
    declared = tuple(meta.get("variables") or ())
    parts = _PART.split(body)
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=False))
    if "system" not in sections or "user" not in sections:
        raise CoachError(f"Prompt {name!r} needs a '## system' and a '## user' part.")
    used = set(_VARIABLE.findall(sections["system"] + sections["user"]))
    undeclared = sorted(used - set(declared))
    unused = sorted(set(declared) - used)
    if undeclared or unused:
        problems = []
        if undeclared:
            problems.append(f"uses undeclared {', '.join(undeclared)}")
        if unused:
            problems.append(f"never uses declared {', '.join(unused)}")
        raise CoachError(
            f"Prompt {name!r} {' and '.join(problems)}.", "Fix prompts/" + name + ".md."
        )
    return PromptTemplate(name, sections["system"], sections["user"], declared)


@cache
def load_prompt(name: str) -> PromptTemplate:
    """Load ``prompts/NAME.md`` (cached: templates do not change while the coach runs)."""
    path = prompts_dir() / f"{name}.md"
    if not path.is_file():
        raise CoachError(
            f"Prompt template {path} is missing.", "Reinstall the coach from its repo."
        )
    return parse_template(name, path.read_text(encoding="utf-8"))
