"""Admin routes of books: list, create, read, change, archive, cover and stock log."""

from __future__ import annotations

import dataclasses
import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile

from sky_readers.adapters.storage import StorageError
from sky_readers.api.deps import AdminCaller, RowIdPath
from sky_readers.api.schemas.admin import (
    BookAdmin,
    BookAdminPage,
    BookAdminRow,
    BookPatch,
    BookWrite,
    StockChangePublic,
)
from sky_readers.catalog import admin_books, cover_service
from sky_readers.catalog.book_form import BookForm
from sky_readers.catalog.cover_images import MAX_UPLOAD_BYTES
from sky_readers.core.db import session_scope
from sky_readers.core.ids import MAX_ROW_ID
from sky_readers.core.settings import get_settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/admin/books", tags=["admin"])

# Room for the multipart framing around an upload of the largest accepted size.
MULTIPART_OVERHEAD = 64 * 1024
NOT_FOUND = {404: {"description": "No book has this id."}}
INVALID = {422: {"description": "A field is invalid; `errors` names it."}}


def _text(value) -> str:
    return "" if value is None else str(value)


def _form(body: BookWrite | BookPatch, base: BookForm | None = None) -> BookForm:
    """Turn a request body into the book form, keeping `base` for absent fields."""
    form = dataclasses.replace(base) if base else BookForm()
    sent = body.model_dump(exclude_unset=True, exclude={"expected_stock"})
    for name, value in sent.items():
        if name == "authors":
            form.authors = ", ".join(value or [])
        elif name == "category_ids":
            form.category_ids = list(value or [])
        else:
            setattr(form, name, _text(value))
    if base is not None and "stock_reason" not in sent:
        form.stock_reason = ""
    return form


def _absolute(path: str) -> str:
    return get_settings().public_base_url.rstrip("/") + path


def _book(book_id: int) -> BookAdmin:
    with session_scope() as session:
        detail = admin_books.get_book_for_admin(session, book_id)
    form = detail.form
    return BookAdmin(
        id=detail.id,
        title=form.title,
        subtitle=form.subtitle or None,
        authors=[name.strip() for name in form.authors.split(",") if name.strip()],
        isbn=form.isbn or None,
        price=form.price,
        currency=detail.currency,
        stock_on_hand=detail.stock_on_hand,
        is_archived=detail.is_archived,
        description=form.description,
        publisher=form.publisher or None,
        published_year=int(form.published_year) if form.published_year else None,
        language=form.language or None,
        page_count=int(form.page_count) if form.page_count else None,
        category_ids=form.category_ids,
        cover_url=_absolute(detail.cover_path),
        has_cover=detail.cover_image is not None,
        created_at=detail.created_at,
        updated_at=detail.updated_at,
        stock_changes=[
            StockChangePublic(**dataclasses.asdict(change)) for change in detail.history
        ],
    )


@router.get("", response_model=BookAdminPage, responses=INVALID)
def list_books(
    caller: AdminCaller,
    q: Annotated[str, Query(description="Title, author or ISBN.")] = "",
    status: Annotated[str, Query(description="active, archived or all")] = "active",
    stock: Annotated[str, Query(description="all, low or out")] = "all",
    category_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    sort: Annotated[
        str, Query(description="updated, title, stock or price")
    ] = "updated",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=admin_books.MAX_PAGE_SIZE)] = 25,
) -> BookAdminPage:
    """List books, archived ones too when asked, with filters and paging."""
    with session_scope() as session:
        result = admin_books.list_books(
            session,
            query=q,
            status=status,
            stock=stock,
            category_id=category_id,
            sort=sort,
            page=page,
            page_size=page_size,
        )
    return BookAdminPage(
        data=[
            BookAdminRow(
                id=row.id,
                title=row.title,
                authors=row.author_line,
                isbn13=row.isbn13,
                price=f"{row.price:.2f}",
                currency=row.currency,
                stock_on_hand=row.stock_on_hand,
                is_archived=row.is_archived,
                cover_url=_absolute(row.cover_path),
                updated_at=row.updated_at,
            )
            for row in result.items
        ],
        count=result.total,
        page=result.page,
        pages=result.pages,
    )


@router.post("", response_model=BookAdmin, status_code=201, responses=INVALID)
def create_book(body: BookWrite, caller: AdminCaller) -> BookAdmin:
    """Add a book to the store; its starting stock goes into the stock log."""
    with session_scope() as session:
        book_id = admin_books.create_book(session, _form(body), actor=caller.user)
    return _book(book_id)


@router.get("/{book_id}", response_model=BookAdmin, responses=NOT_FOUND)
def get_book(book_id: RowIdPath, caller: AdminCaller) -> BookAdmin:
    """Show a book, archived or not, with its latest stock changes."""
    return _book(book_id)


@router.patch(
    "/{book_id}", response_model=BookAdmin, responses={**NOT_FOUND, **INVALID}
)
def update_book(book_id: RowIdPath, body: BookPatch, caller: AdminCaller) -> BookAdmin:
    """Change some fields of a book; a stock change goes into the stock log."""
    with session_scope() as session:
        current = admin_books.get_book_for_admin(session, book_id)
        admin_books.update_book(
            session,
            book_id,
            _form(body, current.form),
            actor=caller.user,
            expected_stock=body.expected_stock,
        )
    return _book(book_id)


@router.post("/{book_id}/archive", response_model=BookAdmin, responses=NOT_FOUND)
def archive_book(book_id: RowIdPath, caller: AdminCaller) -> BookAdmin:
    """Take a book out of the store; past orders keep showing it."""
    with session_scope() as session:
        admin_books.set_archived(session, book_id, True, actor=caller.user)
    return _book(book_id)


@router.post("/{book_id}/restore", response_model=BookAdmin, responses=NOT_FOUND)
def restore_book(book_id: RowIdPath, caller: AdminCaller) -> BookAdmin:
    """Put an archived book back in the store."""
    with session_scope() as session:
        admin_books.set_archived(session, book_id, False, actor=caller.user)
    return _book(book_id)


@router.put(
    "/{book_id}/cover",
    response_model=BookAdmin,
    responses={
        **NOT_FOUND,
        413: {"description": "The upload is larger than 5 MB."},
        422: {"description": "The file is not an acceptable cover image."},
        503: {"description": "Cover storage is unavailable."},
    },
)
async def upload_cover(
    book_id: RowIdPath, file: UploadFile, request: Request, caller: AdminCaller
) -> BookAdmin:
    """Upload a JPEG, PNG or WebP cover (multipart field `file`), replacing any other."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        raise HTTPException(
            status_code=413,
            detail=f"The upload is {declared / 1048576:.1f} MB; covers may be at "
            "most 5.0 MB.",
        )
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        cover_service.replace_cover(book_id, data)
    except StorageError as exc:
        logger.exception("Cover upload for book %d failed in storage", book_id)
        raise HTTPException(
            status_code=503,
            detail="Cover storage is unavailable; the cover was not changed. Try "
            "again later.",
        ) from exc
    return _book(book_id)


@router.delete("/{book_id}/cover", response_model=BookAdmin, responses=NOT_FOUND)
def delete_cover(book_id: RowIdPath, caller: AdminCaller) -> BookAdmin:
    """Go back to the drawn placeholder cover and delete the uploaded images."""
    cover_service.remove_cover(book_id)
    return _book(book_id)


@router.get(
    "/{book_id}/stock-changes",
    response_model=list[StockChangePublic],
    responses=NOT_FOUND,
)
def stock_changes(
    book_id: RowIdPath,
    caller: AdminCaller,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[StockChangePublic]:
    """List a book's stock changes, newest first: who, when, from, to and why."""
    with session_scope() as session:
        admin_books.get_book_for_admin(session, book_id)
        history = admin_books.stock_history(session, book_id, limit)
    return [StockChangePublic(**dataclasses.asdict(change)) for change in history]
