"""Server-sent events for streamed answers: queue position, guarded text, the final answer.

Events, in order: ``queued`` (``{"position": n}``, while others use the model), ``start``,
``chunk`` (``{"text": ...}``: text the library's guard already passed), then ``answer``
(the same JSON as the non-streaming endpoint) or ``error`` (``{"error", "hint"}``). Data is
always one line of JSON, so newlines in the text survive the event format.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Send

from coach.config import Settings
from coach.web.errors import as_coach_error, error_body
from coach.web.generation import POLL_SECONDS, GenerationQueue, Ticket

# Send a comment now and then while waiting, so proxies and browsers keep the stream open.
KEEPALIVE_POLLS = 40


def event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class EventStream(StreamingResponse):
    """A text/event-stream response that always closes its generator when it ends.

    Starlette stops iterating when the browser goes away but leaves the generator to the
    garbage collector; closing it here at once is what stops the model.
    """

    def __init__(self, events: AsyncIterator[str], status_code: int = 200) -> None:
        super().__init__(
            events,
            status_code=status_code,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._events = events

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            await self._events.aclose()  # type: ignore[attr-defined]


Pieces = Callable[[], Iterator[str]]
Finish = Callable[[], dict[str, Any]]


def stream_events(
    request: Request,
    queue: GenerationQueue,
    settings: Settings,
    begin: Callable[[], Awaitable[tuple[Pieces, Finish]]],
    lock: asyncio.Lock | None = None,
) -> EventStream:
    """Queue for the model, stream the pieces as ``chunk`` events, then the answer.

    ``begin`` prepares the answer (reading, retrieval) and returns its pieces and the
    function that gives the final JSON; it runs inside the stream, after ``lock`` (a
    session's) is taken, so a stream that never starts holds nothing.
    """

    async def events() -> AsyncIterator[str]:
        async with lock or contextlib.nullcontext():
            ticket: Ticket | None = None
            try:
                pieces, finish = await begin()
                ticket = queue.join()
                polls, shown = 0, -1
                while not await ticket.wait(POLL_SECONDS):
                    if await request.is_disconnected():
                        return
                    if ticket.position != shown:
                        shown = ticket.position
                        yield event("queued", {"position": shown})
                    elif (polls := polls + 1) % KEEPALIVE_POLLS == 0:
                        yield ": waiting\n\n"
                yield event("start", {})
                async for piece in queue.stream(ticket, pieces, request.is_disconnected):
                    yield event("chunk", {"text": piece})
                # Finishing may write the session to the store: not on the event loop.
                yield event("answer", await run_in_threadpool(finish))
            except Exception as exc:
                yield event("error", error_body(as_coach_error(exc, settings)))
            finally:
                if ticket is not None and not ticket.handed_over:
                    ticket.leave()

    return EventStream(events())
