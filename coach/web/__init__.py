"""``coach serve``: the coach in a browser, as a thin HTTP layer over the library.

Like ``coach.cli``, nothing here decides anything: each endpoint parses a request, calls the
same library function a command calls, and maps a ``CoachError`` to JSON with the same
one-line message and hint. The model runs one generation at a time
(``coach.web.generation``); the page at ``/`` is plain HTML, CSS and JavaScript shipped in
``coach/web/static`` (no CDN, no build step).
"""

from coach.web.app import create_app

__all__ = ["create_app"]
