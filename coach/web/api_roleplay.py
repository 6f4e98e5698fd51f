"""``/api/roleplay``: rehearse against a recruiter with a hidden plan, then get the debrief.

The flow of ``coach roleplay``: start (persona, region) → the recruiter's opening line;
say → the recruiter's reply; hint → a suggestion; end → the debrief. The library records
every turn in the SQLite history as it happens, and ``coach.web.sessions`` rebuilds a
session from it by replaying the engine, so a restarted server resumes it (the seed stays
in the store). Until the debrief the browser sees only the recruiter's lines and the offers
on the table (``coach.web.glue.public_turn``): never the plan, its budget, the seed that
replays it, or the guard's notes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from coach.negotiation.profile import load_profile
from coach.roleplay.session import RoleplaySession
from coach.web.context import Ctx, WebContext
from coach.web.generation import run_model
from coach.web.glue import public_session, public_turn, roleplay_playbook
from coach.web.schemas import RoleplayLine, RoleplayStart

router = APIRouter(prefix="/api/roleplay", tags=["role-play"])


@router.post("", status_code=201, summary="Start a role-play; returns the recruiter's opening")
async def start(body: RoleplayStart, request: Request, ctx: Ctx) -> dict[str, Any]:
    await ctx.check_guide(body.guide)
    advisor = await ctx.get_advisor()
    playbook = await run_in_threadpool(roleplay_playbook, ctx.settings, advisor.store, body.guide)
    region = body.region or load_profile(ctx.settings.home).region or None
    # The plan is drawn here (no model); an unknown region or persona fails before queueing.
    session = RoleplaySession(
        ctx.settings, playbook, region=region, persona=body.persona, model=advisor.model
    )
    turn = await run_model(ctx.queue, request.is_disconnected, session.start)
    sid = await ctx.sessions.new_roleplay(session)
    return {"id": sid, **public_session(session), "turn": public_turn(turn)}


async def _session(ctx: WebContext, sid: str) -> RoleplaySession:
    return await ctx.sessions.roleplay(sid, (await ctx.get_advisor()).model)


@router.get("/{sid}", summary="The role-play so far (no hidden plan)")
async def show(sid: str, ctx: Ctx) -> dict[str, Any]:
    return {"id": sid, **public_session(await _session(ctx, sid))}


@router.post("/{sid}/say", summary="Say your next line; returns the recruiter's reply")
async def say(sid: str, body: RoleplayLine, request: Request, ctx: Ctx) -> dict[str, Any]:
    async with ctx.sessions.lock(sid):
        session = await _session(ctx, sid)
        session.feedback = body.feedback
        turn = await run_model(
            ctx.queue, request.is_disconnected, lambda: session.respond(body.text)
        )
        ctx.sessions.roleplay_moved(sid, session)
    return {"turn": public_turn(turn), "done": session.done}


@router.post("/{sid}/hint", summary="What the coach suggests saying next")
async def hint(sid: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    async with ctx.sessions.lock(sid):
        session = await _session(ctx, sid)
        text = await run_model(ctx.queue, request.is_disconnected, session.hint)
    return {"hint": text}


@router.post("/{sid}/end", summary="End the role-play: the debrief, with the plan revealed")
async def end(sid: str, ctx: Ctx) -> dict[str, Any]:
    async with ctx.sessions.lock(sid):
        session = await _session(ctx, sid)
        # Scoring is the engine's, with no model call, so it does not wait in line.
        debrief = await run_in_threadpool(session.finish)
        ctx.sessions.roleplay_moved(sid, session, ended=True)
    return debrief.to_json()
