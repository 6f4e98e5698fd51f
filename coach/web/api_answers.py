"""``/api/ask``, ``/api/ask/stream``, ``/api/counter`` and ``/api/queue``.

The library reads the question and retrieves (on a thread pool, without waiting for the
model), then the wording waits its turn for the model. JSON bodies are exactly those of
``coach ask --json`` and ``coach counter --json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from coach.advice.advisor import AnswerStream
from coach.advice.counsel import counsel_offer
from coach.errors import InputError
from coach.negotiation.profile import load_profile
from coach.web.context import Ctx, WebContext
from coach.web.generation import run_model
from coach.web.glue import offer_from
from coach.web.schemas import AskRequest, CounterRequest
from coach.web.sse import EventStream, Finish, Pieces, stream_events

router = APIRouter(prefix="/api", tags=["answers"])


def answer_json(stream: AnswerStream) -> dict[str, Any]:
    """The finished answer's JSON (the stream sets ``answer`` at its last step)."""
    if stream.answer is None:
        raise RuntimeError("the answer stream ended without an answer")
    return stream.answer.to_json()


def consume(stream: AnswerStream) -> dict[str, Any]:
    """Run the guarded stream to its end and return the finished answer's JSON."""
    for _ in stream:
        pass
    return answer_json(stream)


async def prepare(ctx: WebContext, question: str, guide: str | None) -> AnswerStream:
    """Read and retrieve (no model yet): the part of an answer that never waits in line."""
    await ctx.check_guide(guide)
    advisor = await ctx.get_advisor()
    return await run_in_threadpool(advisor.stream, question, guide)


@router.post("/ask", summary="Answer one question from the guides (as `coach ask --json`)")
async def ask(body: AskRequest, request: Request, ctx: Ctx) -> dict[str, Any]:
    stream = await prepare(ctx, body.question, body.guide)
    return await run_model(ctx.queue, request.is_disconnected, lambda: consume(stream))


@router.post(
    "/ask/stream",
    summary="The same answer as server-sent events: queued, start, chunk..., answer",
    response_class=EventStream,
)
async def ask_stream(body: AskRequest, request: Request, ctx: Ctx) -> EventStream:
    stream = await prepare(ctx, body.question, body.guide)  # errors here are plain JSON

    async def begin() -> tuple[Pieces, Finish]:
        return (lambda: iter(stream)), lambda: answer_json(stream)

    return stream_events(request, ctx.queue, ctx.settings, begin)


@router.post("/counter", summary="Judge an offer and get a counter (as `coach counter --json`)")
async def counter(body: CounterRequest, request: Request, ctx: Ctx) -> dict[str, Any]:
    await ctx.check_guide(body.guide)
    profile = load_profile(ctx.settings.home)
    offer = offer_from(body) or dict(profile.offer)
    if not offer:
        raise InputError("No offer to judge.", "Give the offered base, e.g. 240k.")
    region = body.region or profile.region
    if not region:
        raise InputError("No region given.", "Pick a region from the guide's pay table.")
    advisor = await ctx.get_advisor()
    result = await run_in_threadpool(
        counsel_offer, ctx.settings, region, offer, body.guide or profile.guide or None, advisor
    )
    return await run_model(ctx.queue, request.is_disconnected, result.to_json)


@router.get("/queue", summary="Whether the model is busy and how many requests wait for it")
async def queue_status(ctx: Ctx) -> dict[str, Any]:
    return {"busy": ctx.queue.busy, "waiting": ctx.queue.waiting}
