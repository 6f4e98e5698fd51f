"""Request bodies: every field bounded, unknown fields refused (a typo is an error, not a no-op).

Amounts are taken as the person typed them ("240k", "$240,000", 240000) and parsed by the
library's own money reader, so the page and the CLI accept the same spellings.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coach.roleplay.plan import PERSONAS

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
GuideId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Amount = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | float
Persona = Literal[PERSONAS]  # type: ignore[valid-type]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(Body):
    """A question about the guides (``coach ask``)."""

    question: Text
    guide: GuideId | None = None


class CounterRequest(Body):
    """An offer to judge (``coach counter``); missing values come from the profile."""

    region: Short | None = None
    base: Amount | None = None
    equity: Amount | None = None
    bonus: Amount | None = None
    sign_on: Amount | None = None
    guide: GuideId | None = None


class ProfileUpdate(Body):
    """The person's own figures (``coach profile set``); empty or missing keeps the old value."""

    region: Short | None = None
    guide: GuideId | None = None
    offer_base: Amount | None = None
    walk_away_base: Amount | None = None
    target_base: Amount | None = None


class ChatStart(Body):
    """A new chat, optionally limited to one guide (``coach chat --guide``)."""

    guide: GuideId | None = None


class ChatMessage(Body):
    """One thing said in a chat; ``stream`` answers with server-sent events."""

    message: Text
    stream: bool = False


class StateCommand(Body):
    """A correction of the chat's state, as after ``/state`` (``region San Diego``, ``clear``)."""

    command: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class RoleplayStart(Body):
    """A new role-play (``coach roleplay``); the region defaults to the profile's."""

    persona: Persona = "firm"
    region: Short | None = None
    guide: GuideId | None = None


class RoleplayLine(Body):
    """The candidate's next line."""

    text: Text
    feedback: bool = Field(
        False, description="word the coach's better line for each mistake (one model call each)"
    )
