"""``/api/chat``: conversations that remember what was said (``coach chat``'s loop, by HTTP).

Each chat is a library ``Conversation`` with its ``DialogueState``: "they offered 255"
followed by "is that good?" is read with the offer filled in, exactly as in the terminal.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from coach.advice.conversation import Conversation
from coach.web.api_answers import answer_json, consume
from coach.web.context import Ctx
from coach.web.generation import run_model
from coach.web.schemas import ChatMessage, ChatStart, StateCommand
from coach.web.sse import EventStream, Finish, Pieces, stream_events

router = APIRouter(prefix="/api/chat", tags=["chat"])


def state_json(conversation: Conversation, note: str = "") -> dict[str, Any]:
    state = conversation.state
    return {"state": asdict(state), "described": note or state.describe()}


@router.post("", status_code=201, summary="Start a chat; returns its id")
async def start_chat(body: ChatStart, ctx: Ctx) -> dict[str, Any]:
    await ctx.check_guide(body.guide)
    conversation = Conversation(await ctx.get_advisor(), body.guide)
    return {"id": ctx.sessions.add("chat", conversation), **state_json(conversation)}


@router.post(
    "/{sid}",
    summary="Say something; the answer as JSON, or as server-sent events with stream=true",
    response_model=None,
)
async def say(
    sid: str, body: ChatMessage, request: Request, ctx: Ctx
) -> dict[str, Any] | EventStream:
    live = ctx.sessions.get("chat", sid)
    conversation: Conversation = live.obj
    # A turn holds the chat's lock from reading the message to remembering the answer, so
    # two tabs on one chat cannot interleave (the state and the history would disagree).
    if body.stream:

        async def begin() -> tuple[Pieces, Finish]:
            stream = await run_in_threadpool(conversation.ask, body.message)

            def finish() -> dict[str, Any]:
                conversation.remember(stream)
                return {**answer_json(stream), **state_json(conversation)}

            return (lambda: iter(stream)), finish

        return stream_events(request, ctx.queue, ctx.settings, begin, live.lock)
    async with live.lock:
        stream = await run_in_threadpool(conversation.ask, body.message)
        answer = await run_model(ctx.queue, request.is_disconnected, lambda: consume(stream))
        conversation.remember(stream)
        return {**answer, **state_json(conversation)}


@router.get("/{sid}/state", summary="What the chat has understood: guide, region, offer, yours")
async def get_state(sid: str, ctx: Ctx) -> dict[str, Any]:
    return state_json(ctx.sessions.get("chat", sid).obj)


@router.post("/{sid}/state", summary="Correct the state, as `/state region San Diego` in chat")
async def set_state(sid: str, body: StateCommand, ctx: Ctx) -> dict[str, Any]:
    conversation: Conversation = ctx.sessions.get("chat", sid).obj
    return state_json(conversation, conversation.state.update(body.command))
