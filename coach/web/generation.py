"""One model generation at a time, in arrival order, on a worker thread.

The embedded model is one llama.cpp context: two generations at once would corrupt it, and
on a laptop they would only share the same cores. So every request that needs the model
takes a ``Ticket`` from the ``GenerationQueue`` and waits for its turn (first come, first
served; the page shows its place in line). Requests that need no model (guides, playbook,
history, retrieval) never wait here.

A browser that goes away stops costing anything: a waiting ticket leaves the line, and a
running stream is closed between two pieces, which closes the library's ``AnswerStream``
generator and with it the model's token stream. The turn passes on only once the worker
has really stopped, so the model never runs twice at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# How often a waiting request checks that its browser is still there (seconds).
POLL_SECONDS = 0.25

Disconnected = Callable[[], Awaitable[bool]]


class ClientGone(Exception):
    """The browser closed the request while it waited for the model."""


class Ticket:
    """One request's place in the queue; ``leave`` must be called exactly once it is done."""

    def __init__(self, queue: GenerationQueue, turn: asyncio.Future[None] | None) -> None:
        self._queue = queue
        self._turn = turn  # None: the model was free and this ticket holds it already
        self._left = False
        self.handed_over = False  # a worker thread now owns the turn and will leave for us

    @property
    def position(self) -> int:
        """How many requests are ahead, counting the running one (0 once it is our turn)."""
        if self._turn is None or self._turn.done():
            return 0
        return self._queue._line.index(self._turn) + 1

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for this ticket's turn; True once it has come."""
        if self._turn is None or self._turn.done():
            return True
        done, _ = await asyncio.wait({self._turn}, timeout=timeout)
        return bool(done)

    def leave(self) -> None:
        """Leave the line, or pass the model on to the next in line (idempotent)."""
        if self._left:
            return
        self._left = True
        if self._turn is not None and not self._turn.done():
            self._queue._line.remove(self._turn)
            self._turn.cancel()
            return
        self._queue._pass_on()


class GenerationQueue:
    """A fair (FIFO) lock around the model with one worker thread (see the module docstring).

    Every method except the worker's own code runs on the event loop, so the line itself
    needs no lock.
    """

    def __init__(self) -> None:
        self._busy = False
        self._line: deque[asyncio.Future[None]] = deque()
        # One thread is enough (one generation at a time) and keeps the model on one thread.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach-model")

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def waiting(self) -> int:
        return len(self._line)

    def join(self) -> Ticket:
        """A ticket at the end of the line (or the model itself, when nobody holds it)."""
        if not self._busy:
            self._busy = True
            return Ticket(self, None)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._line.append(turn)
        return Ticket(self, turn)

    def _pass_on(self) -> None:
        while self._line:
            turn = self._line.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    # -- running on the worker -------------------------------------------------------------

    def _submit(self, ticket: Ticket, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` on the worker; the ticket is left when it ends (or never starts)."""
        loop = asyncio.get_running_loop()

        def leave_soon() -> None:
            # The event loop may have closed while the server stopped.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ticket.leave)

        def run() -> T:
            try:
                return work()
            finally:
                leave_soon()

        future = self._worker.submit(run)
        ticket.handed_over = True
        future.add_done_callback(lambda f: leave_soon() if f.cancelled() else None)
        return future

    async def call(self, ticket: Ticket, work: Callable[[], T]) -> T:
        """Run one blocking model call (a recruiter line, a hint, a whole answer)."""
        return await asyncio.wrap_future(self._submit(ticket, work))

    async def stream(
        self, ticket: Ticket, pieces: Callable[[], Iterator[str]], gone: Disconnected
    ) -> AsyncIterator[str]:
        """Iterate ``pieces()`` on the worker and yield each piece here, as it comes.

        Closing this iterator, or ``gone()`` turning true, stops the worker at the next
        piece and closes the library's generator.
        """
        loop = asyncio.get_running_loop()
        out: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def put(item: tuple[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(out.put_nowait, item)
            except RuntimeError:
                stop.set()

        def work() -> None:
            iterator: Iterator[str] | None = None
            try:
                iterator = pieces()
                for piece in iterator:
                    if stop.is_set():
                        break
                    put(("piece", piece))
                put(("end", None))
            except BaseException as exc:  # handed to the event loop, which raises it there
                put(("error", exc))
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()  # GeneratorExit inside AnswerStream closes the model's stream

        self._submit(ticket, work)
        try:
            while True:
                try:
                    kind, value = await asyncio.wait_for(out.get(), POLL_SECONDS)
                except TimeoutError:
                    if await gone():
                        return
                    continue
                if kind == "piece":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            stop.set()


async def wait_for_turn(ticket: Ticket, gone: Disconnected) -> None:
    """Wait in line; a browser that leaves meanwhile gives up its place (``ClientGone``)."""
    try:
        while not await ticket.wait(POLL_SECONDS):
            if await gone():
                raise ClientGone
    except BaseException:
        ticket.leave()
        raise


async def run_model(queue: GenerationQueue, gone: Disconnected, work: Callable[[], T]) -> T:
    """Queue, then run one blocking call that uses the model; for non-streaming endpoints."""
    ticket = queue.join()
    await wait_for_turn(ticket, gone)
    try:
        return await queue.call(ticket, work)
    finally:
        if not ticket.handed_over:
            ticket.leave()
