"""Admin routes of the email outbox: mail by state with attempts, retry of dead mail."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query

from sky_readers.api.deps import AdminCaller
from sky_readers.core.db import session_scope
from sky_readers.outbox import services

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/admin/outbox", tags=["admin"])

OutboxId = Annotated[
    int, Path(ge=1, le=services.MAX_OUTBOX_ID, description="Id of the outbox mail.")
]


@router.get("", response_model=services.OutboxPage)
def list_outbox(
    caller: AdminCaller,
    status: Annotated[
        str,
        Query(description="all, pending (with mail being sent), sent, retrying, dead"),
    ] = "all",
    limit: Annotated[int, Query(ge=1, le=services.MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=services.MAX_OFFSET)] = 0,
) -> services.OutboxPage:
    """List outbox mail, newest first, with its attempts and the counts per state."""
    with session_scope() as session:
        return services.list_outbox(session, status=status, limit=limit, offset=offset)


@router.get("/counts", response_model=dict[str, int])
def outbox_counts(caller: AdminCaller) -> dict[str, int]:
    """Count outbox mail in each state, for the admin dashboard."""
    with session_scope() as session:
        return services.count_by_status(session)


@router.get("/{outbox_id}", response_model=services.OutboxEmailPublic)
def get_outbox_email(
    outbox_id: OutboxId, caller: AdminCaller
) -> services.OutboxEmailPublic:
    """Show one outbox mail with its attempts."""
    with session_scope() as session:
        return services.get_outbox_email(session, outbox_id)


@router.post("/{outbox_id}/retry", response_model=services.OutboxEmailPublic)
def retry_outbox_email(
    outbox_id: OutboxId, caller: AdminCaller
) -> services.OutboxEmailPublic:
    """Queue a dead mail again with a fresh set of attempts."""
    with session_scope() as session:
        services.retry_dead(session, outbox_id, by=f"admin {caller.user.id}")
    with session_scope() as session:
        return services.get_outbox_email(session, outbox_id)
