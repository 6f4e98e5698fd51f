"""``/api/guides`` (list, upload), ``/api/playbook`` and ``/api/profile``: no model needed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from coach.knowledge.library import load_playbook
from coach.negotiation.profile import Profile, load_profile, save_profile
from coach.web.context import Ctx
from coach.web.glue import apply_profile_update, profile_json
from coach.web.schemas import GuideId, ProfileUpdate
from coach.web.uploads import receive_guide, store_guide

router = APIRouter(prefix="/api", tags=["guides and profile"])


@router.get("/guides", summary="The stored guides (as `coach guides --json`)")
async def guides(ctx: Ctx) -> list[dict[str, Any]]:
    store = await ctx.get_store()
    records = await run_in_threadpool(store.guides)
    return [
        {"id": r.guide_id, "title": r.title, "chunks": r.chunks, "ingested_at": r.ingested_at}
        for r in records
    ]


@router.post(
    "/guides",
    summary="Upload one guide (.md or .txt, at most 2 MB) as the raw request body",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/markdown": {"schema": {"type": "string"}}},
        }
    },
)
async def upload_guide(
    request: Request,
    ctx: Ctx,
    x_filename: Annotated[str, Header(description="the file's name, e.g. my-offer.md")],
    content_length: Annotated[int | None, Header()] = None,
) -> dict[str, Any]:
    # The raw body (no multipart form): one file, streamed and counted as it arrives.
    store = await ctx.get_store()
    staged = await receive_guide(ctx.settings.home, x_filename, request.stream(), content_length)
    result = await run_in_threadpool(store_guide, store, ctx.settings.home, staged)
    return result.__dict__


@router.get("/playbook", summary="A guide's bands, target, walk-away and scripts")
async def playbook(ctx: Ctx, guide: GuideId | None = None) -> Any:
    await ctx.check_guide(guide)
    store = await ctx.get_store()
    book = await run_in_threadpool(load_playbook, store, guide)
    return book.to_dict()


@router.get("/profile", summary="Your own region, offer, walk-away and target")
async def get_profile(ctx: Ctx) -> dict[str, Any]:
    return profile_json(load_profile(ctx.settings.home))


@router.put("/profile", summary="Set your own figures (as `coach profile set`)")
async def put_profile(body: ProfileUpdate, ctx: Ctx) -> dict[str, Any]:
    profile = apply_profile_update(load_profile(ctx.settings.home), body)
    save_profile(ctx.settings.home, profile)
    return profile_json(profile)


@router.delete("/profile", summary="Forget your own figures (as `coach profile clear`)")
async def clear_profile(ctx: Ctx) -> dict[str, Any]:
    save_profile(ctx.settings.home, Profile())
    return profile_json(Profile())
