"""The one error type the CLI turns into a single clear line.

Every failure a user can cause or fix (a missing key, a bad file, an unreachable server)
is raised as a ``CoachError`` whose message says what is wrong and whose ``hint`` says how
to fix it. Anything else is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations


class CoachError(Exception):
    """A failure the user can act on: ``message`` says what, ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and the fix, joined into the single line the CLI prints."""
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class InputError(CoachError):
    """Bad user input: an amount, a region, a file or an id the coach cannot use."""


class ProviderError(CoachError):
    """The chat or embedding model cannot be reached, loaded or authenticated."""


class StoreError(CoachError):
    """The vector store or the history database cannot be opened or written."""
