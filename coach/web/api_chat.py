"""``/api/chat``: conversations that remember what was said (``coach chat``'s loop, by HTTP).

Each chat is a library ``Conversation`` with its ``DialogueState``: "they offered 255"
followed by "is that good?" is read with the offer filled in, exactly as in the terminal.
The conversation lives in the store (``coach.web.sessions``): read at each request, written
back after each turn, so a restarted server carries on and a turn the browser abandons
leaves the chat as it was.
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
    chat = await ctx.sessions.new_chat(Conversation(await ctx.get_advisor(), body.guide))
    return {"id": chat.id, **state_json(chat.conversation)}


@router.post(
    "/{sid}",
    summary="Say something; the answer as JSON, or as server-sent events with stream=true",
    response_model=None,
)
async def say(
    sid: str, body: ChatMessage, request: Request, ctx: Ctx
) -> dict[str, Any] | EventStream:
    advisor = await ctx.get_advisor()
    await ctx.sessions.chat(sid, advisor)  # an unknown chat is a plain 404, even when streaming
    lock = ctx.sessions.lock(sid)
    # A turn holds the chat's lock from reading the chat to storing the answer, so two tabs
    # on one chat cannot interleave (the state and the history would disagree). The chat is
    # read again under the lock: another turn may have been stored meanwhile.
    if body.stream:

        async def begin() -> tuple[Pieces, Finish]:
            chat = await ctx.sessions.chat(sid, advisor)
            stream = await run_in_threadpool(chat.conversation.ask, body.message)

            def finish() -> dict[str, Any]:
                chat.conversation.remember(stream)
                ctx.sessions.save_chat(chat)
                return {**answer_json(stream), **state_json(chat.conversation)}

            return (lambda: iter(stream)), finish

        return stream_events(request, ctx.queue, ctx.settings, begin, lock)
    async with lock:
        chat = await ctx.sessions.chat(sid, advisor)
        stream = await run_in_threadpool(chat.conversation.ask, body.message)
        answer = await run_model(ctx.queue, request.is_disconnected, lambda: consume(stream))
        chat.conversation.remember(stream)
        await run_in_threadpool(ctx.sessions.save_chat, chat)
        return {**answer, **state_json(chat.conversation)}


@router.get("/{sid}/state", summary="What the chat has understood: guide, region, offer, yours")
async def get_state(sid: str, ctx: Ctx) -> dict[str, Any]:
    chat = await ctx.sessions.chat(sid, await ctx.get_advisor())
    return state_json(chat.conversation)


@router.post("/{sid}/state", summary="Correct the state, as `/state region San Diego` in chat")
async def set_state(sid: str, body: StateCommand, ctx: Ctx) -> dict[str, Any]:
    advisor = await ctx.get_advisor()
    async with ctx.sessions.lock(sid):
        chat = await ctx.sessions.chat(sid, advisor)
        note = chat.conversation.state.update(body.command)
        if body.command:  # an empty command only describes
            await run_in_threadpool(ctx.sessions.save_chat, chat)
    return state_json(chat.conversation, note)
