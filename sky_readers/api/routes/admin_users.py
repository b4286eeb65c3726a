"""Admin routes of accounts: search, change of role, disable and enable."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Query

from sky_readers.accounts import admin as accounts_admin
from sky_readers.api.deps import AdminCaller, RowIdPath
from sky_readers.api.schemas.admin import RoleChange, UserAdmin, UserAdminPage
from sky_readers.core.db import session_scope

router = APIRouter(prefix="/api/admin/users", tags=["admin"])

NOT_FOUND = {404: {"description": "No account has this id."}}
RULES = {422: {"description": "The change breaks a rule; `errors` names it."}}


def _user(user_id: int) -> UserAdmin:
    with session_scope() as session:
        row = accounts_admin.get_user(session, user_id)
    return UserAdmin(**dataclasses.asdict(row))


@router.get("", response_model=UserAdminPage, responses=RULES)
def list_users(
    caller: AdminCaller,
    q: Annotated[str, Query(description="Text in the email, name or handle.")] = "",
    role: Annotated[str, Query(description="all, admin or shopper")] = "all",
    status: Annotated[str, Query(description="all, active or disabled")] = "all",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=accounts_admin.MAX_PAGE_SIZE)] = 25,
) -> UserAdminPage:
    """List accounts, newest first, with search and filters."""
    with session_scope() as session:
        result = accounts_admin.list_users(
            session,
            query=q,
            role=role,
            status=status,
            page=page,
            page_size=page_size,
        )
    return UserAdminPage(
        data=[UserAdmin(**dataclasses.asdict(row)) for row in result.items],
        count=result.total,
        page=result.page,
        pages=result.pages,
    )


@router.get("/{user_id}", response_model=UserAdmin, responses=NOT_FOUND)
def get_user(user_id: RowIdPath, caller: AdminCaller) -> UserAdmin:
    """Show one account."""
    return _user(user_id)


@router.put(
    "/{user_id}/role", response_model=UserAdmin, responses={**NOT_FOUND, **RULES}
)
def set_role(user_id: RowIdPath, body: RoleChange, caller: AdminCaller) -> UserAdmin:
    """Make an account an admin or a shopper; the last admin cannot be demoted."""
    with session_scope() as session:
        accounts_admin.set_role(session, user_id, body.role, actor=caller.user)
    return _user(user_id)


@router.post(
    "/{user_id}/disable", response_model=UserAdmin, responses={**NOT_FOUND, **RULES}
)
def disable_user(user_id: RowIdPath, caller: AdminCaller) -> UserAdmin:
    """Disable an account and end its sessions; not your own, not the last admin."""
    with session_scope() as session:
        accounts_admin.set_active(session, user_id, False, actor=caller.user)
    return _user(user_id)


@router.post("/{user_id}/enable", response_model=UserAdmin, responses=NOT_FOUND)
def enable_user(user_id: RowIdPath, caller: AdminCaller) -> UserAdmin:
    """Let a disabled account log in again."""
    with session_scope() as session:
        accounts_admin.set_active(session, user_id, True, actor=caller.user)
    return _user(user_id)
