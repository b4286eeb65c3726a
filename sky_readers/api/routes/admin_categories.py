"""Admin routes of categories: list, create, rename and merge."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from sky_readers.api.deps import AdminCaller, RowIdPath
from sky_readers.api.schemas.admin import (
    CategoryAdmin,
    CategoryMerge,
    CategoryMergeResult,
    CategoryWrite,
)
from sky_readers.catalog import admin_categories
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError

router = APIRouter(prefix="/api/admin/categories", tags=["admin"])

NOT_FOUND = {404: {"description": "No category has this id."}}
INVALID = {422: {"description": "A field is invalid; `errors` names it."}}


def _category(category_id: int) -> CategoryAdmin:
    with session_scope() as session:
        rows = admin_categories.list_categories(session)
    for row in rows:
        if row.id == category_id:
            return CategoryAdmin(**dataclasses.asdict(row))
    raise NotFoundError(f"category {category_id} not found")


@router.get("", response_model=list[CategoryAdmin])
def list_categories(caller: AdminCaller) -> list[CategoryAdmin]:
    """List every category with its book counts and former slugs."""
    with session_scope() as session:
        rows = admin_categories.list_categories(session)
    return [CategoryAdmin(**dataclasses.asdict(row)) for row in rows]


@router.post("", response_model=CategoryAdmin, status_code=201, responses=INVALID)
def create_category(body: CategoryWrite, caller: AdminCaller) -> CategoryAdmin:
    """Create a category; its slug is made from the name."""
    with session_scope() as session:
        category = admin_categories.create_category(
            session, body.name, body.description or "", actor=caller.user
        )
        category_id = category.id
    return _category(category_id)


@router.patch(
    "/{category_id}", response_model=CategoryAdmin, responses={**NOT_FOUND, **INVALID}
)
def rename_category(
    category_id: RowIdPath, body: CategoryWrite, caller: AdminCaller
) -> CategoryAdmin:
    """Rename a category; the slug follows and the old slug redirects to it."""
    with session_scope() as session:
        admin_categories.rename_category(
            session, category_id, body.name, body.description, actor=caller.user
        )
    return _category(category_id)


@router.post(
    "/{category_id}/merge",
    response_model=CategoryMergeResult,
    responses={**NOT_FOUND, **INVALID},
)
def merge_category(
    category_id: RowIdPath, body: CategoryMerge, caller: AdminCaller
) -> CategoryMergeResult:
    """Move this category's books into the target and delete this category."""
    with session_scope() as session:
        result = admin_categories.merge_categories(
            session, category_id, body.target_id, actor=caller.user
        )
    return CategoryMergeResult(**dataclasses.asdict(result))
