"""Role-play, rehearsal and history commands (wired to the recruiter engine)."""

from __future__ import annotations

from typing import Any


def add_roleplay_commands(add: Any) -> None:
    """Register roleplay / rehearse / history / progress sub-commands."""
    return None


def chat_command(settings: Any, text: str, guide: str | None) -> None:
    print("role-play is not available yet")
