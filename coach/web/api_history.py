"""``/api/history`` and ``/api/progress``: past role-plays and the score curve (no model)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from coach.errors import InputError
from coach.roleplay import history
from coach.web.context import Ctx
from coach.web.errors import NotFoundError
from coach.web.glue import public_record

router = APIRouter(prefix="/api", tags=["history"])


@router.get("/history", summary="Past sessions, newest first (as `coach history --json`)")
async def sessions(ctx: Ctx) -> list[dict[str, Any]]:
    records = await run_in_threadpool(history.list_sessions, ctx.settings.history_db)
    return [public_record(r) for r in records]


@router.get("/history/{session_id}", summary="One session with its turns and scorecard")
async def session(session_id: int, ctx: Ctx) -> dict[str, Any]:
    try:
        record = await run_in_threadpool(history.get_session, ctx.settings.history_db, session_id)
    except InputError as exc:
        raise NotFoundError(exc.message, exc.hint) from None
    return public_record(record)


@router.get("/progress", summary="Role-play scores over time (as `coach progress --json`)")
async def progress(ctx: Ctx) -> list[dict[str, Any]]:
    points = await run_in_threadpool(history.scores_over_time, ctx.settings.history_db)
    return [{"at": at, "score": score} for at, score in points]
