"""Readiness of the store for a load balancer or a deployer: `GET /api/ready`.

`GET /ping` (Reflex's own) stays the cheap liveness probe that App Service calls
every minute. This route opens the database and Redis, so it responds slower.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sky_readers.core.health import readiness

router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/ready",
    responses={503: {"description": "A backend the store needs is not ready."}},
)
async def ready() -> JSONResponse:
    """Report whether the database, Redis and the mail settings are ready."""
    report = await run_in_threadpool(readiness)
    return JSONResponse(status_code=200 if report["ready"] else 503, content=report)
