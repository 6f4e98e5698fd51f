"""Small steps the CLI does inline that the web layer needs too, kept out of the routes.

Each mirrors a few lines of a ``coach.cli`` module (which the web layer may not import):
reading an offer's amounts, the role-play playbook with the person's own figures, and the
public view of a recruiter turn or a stored session. Each would be better as one library
function shared by both front ends.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from coach.config import Settings
from coach.knowledge.library import load_playbook
from coach.knowledge.store import KnowledgeStore
from coach.negotiation import components as comp
from coach.negotiation.money import parse_amount, parse_percent
from coach.negotiation.playbook import Playbook
from coach.negotiation.profile import Profile, load_profile, with_profile
from coach.roleplay.history import SessionRecord
from coach.roleplay.session import RecruiterTurn, RoleplaySession
from coach.web.schemas import CounterRequest, ProfileUpdate


def _text(value: str | float) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def offer_from(body: CounterRequest) -> dict[str, float]:
    """The offered amounts, read as ``coach counter`` reads its flags."""
    offer: dict[str, float] = {}
    for name, key, parse in (
        ("base", comp.BASE, parse_amount),
        ("equity", comp.EQUITY, parse_amount),
        ("bonus", comp.BONUS_PCT, parse_percent),
        ("sign_on", comp.SIGN_ON, parse_amount),
    ):
        value = getattr(body, name)
        if value not in (None, ""):
            offer[key] = parse(_text(value))
    return offer


def apply_profile_update(profile: Profile, body: ProfileUpdate) -> Profile:
    """``coach profile set``: given values replace the stored ones, the rest stay."""
    profile.region = body.region or profile.region
    profile.guide = body.guide or profile.guide
    for field, target in (
        ("offer_base", profile.offer),
        ("walk_away_base", profile.walk_away),
        ("target_base", profile.target),
    ):
        value = getattr(body, field)
        if value not in (None, ""):
            target[comp.BASE] = parse_amount(_text(value))
    return profile


def profile_json(profile: Profile) -> dict[str, Any]:
    return asdict(profile)


def roleplay_playbook(settings: Settings, store: KnowledgeStore, guide: str | None) -> Playbook:
    """The guide's playbook with the person's own walk-away and target, as the CLI plays it."""
    profile = load_profile(settings.home)
    return with_profile(load_playbook(store, guide or profile.guide or None), profile)


def public_turn(turn: RecruiterTurn) -> dict[str, Any]:
    """What the browser may see of a recruiter turn: the line and the offer on the table.

    The guard's events are left out on purpose: a rejected wording is quoted in them, and
    it may be the very line that gave away the recruiter's limit.
    """
    return {
        "text": turn.text,
        "kind": turn.kind,
        "offer": turn.offer,
        "done": turn.done,
        "outcome": turn.outcome,
        # Feedback on the candidate's line it answers (decided from the guide's figures and
        # what the candidate said, never from the hidden plan); the page shows it when on.
        "notes": [note.to_json() for note in turn.notes],
    }


def public_session(session: RoleplaySession) -> dict[str, Any]:
    """An open role-play as the page shows it. No plan, no seed: the seed replays the plan."""
    return {
        "persona": session.plan.persona,
        "region": session.plan.region,
        "guide": session.playbook.guide,
        "currency": session.playbook.currency,  # the page writes €95K for a euro guide
        "done": session.done,
        "outcome": session.outcome,
        "transcript": [
            {"role": line.role, "text": line.text, "offer": line.offer}
            for line in session.transcript
        ],
    }


def public_record(record: SessionRecord) -> dict[str, Any]:
    """A stored session; an unfinished one hides its seed, which would rebuild the plan."""
    data = record.to_json()
    if record.ended_at is None:
        data["seed"] = None
        data["hidden"] = None
    return data
