"""Public catalog routes: categories, book details and placeholder covers."""

from __future__ import annotations

import threading

from cachetools import LRUCache
from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from sky_readers.api.deps import RowIdPath
from sky_readers.api.routes.book_cards import rating_public, summary_card
from sky_readers.api.schemas.catalog import (
    AuthorLink,
    BookPublic,
    CategoryLink,
    CategoryPublic,
)
from sky_readers.api.schemas.reviews import SimilarBookPublic
from sky_readers.catalog import queries
from sky_readers.catalog.covers import cover_version, render_cover_svg
from sky_readers.core.db import session_scope
from sky_readers.core.settings import get_settings
from sky_readers.recommendations.queries import similar_books
from sky_readers.reviews.services import rating_summary

router = APIRouter(prefix="/api", tags=["catalog"])

# Placeholder URLs change with the printed text (see covers.cover_path), so a year of
# caching is safe.
COVER_CACHE_CONTROL = "public, max-age=31536000, immutable"
# An SVG opened on its own is a document: allow no scripts, only its inline styles.
COVER_CSP = "default-src 'none'; style-src 'unsafe-inline'"
# Drawn placeholders kept per process, by book id, with the version of their text.
# A list page requests two dozen covers at once. Each drawing takes about 1.3 kB.
COVER_CACHE_SIZE = 4096

_drawn_covers: LRUCache = LRUCache(maxsize=COVER_CACHE_SIZE)
_drawn_covers_lock = threading.Lock()


@router.get("/categories", response_model=list[CategoryPublic])
def list_categories() -> list[CategoryPublic]:
    """List every store category with its number of books."""
    with session_scope() as session:
        categories = queries.list_categories(session)
    return [
        CategoryPublic(
            slug=c.slug, name=c.name, description=c.description, book_count=c.book_count
        )
        for c in categories
    ]


@router.get(
    "/books/{book_id}",
    response_model=BookPublic,
    responses={404: {"description": "No store book has this id."}},
)
def get_book(book_id: RowIdPath) -> BookPublic:
    """Show the public details of one book, its rating and up to 10 similar books."""
    with session_scope() as session:
        book = queries.get_book(session, book_id)
        rating = rating_summary(session, book_id)
        similar = similar_books(session, book_id)
    base_url = get_settings().public_base_url.rstrip("/")
    return BookPublic(
        id=book.id,
        title=book.title,
        subtitle=book.subtitle,
        series=book.series,
        authors=[AuthorLink(name=a.name, slug=a.slug) for a in book.authors],
        categories=[CategoryLink(name=c.name, slug=c.slug) for c in book.categories],
        description=book.description,
        language=book.language,
        publisher=book.publisher,
        published_date=book.published_date,
        published_year=book.published_year,
        page_count=book.page_count,
        isbn10=book.isbn10,
        isbn13=book.isbn13,
        price=f"{book.price:.2f}",
        currency=book.currency,
        in_stock=book.in_stock,
        stock_on_hand=book.stock_on_hand,
        average_rating=float(book.average_rating),
        rating_count=book.rating_count,
        cover_url=base_url + book.cover_path,
        rating=rating_public(rating),
        similar=[
            SimilarBookPublic(
                **summary_card(item.book).model_dump(), reason=item.source
            )
            for item in similar
        ],
    )


@router.get(
    "/covers/{book_id}.svg",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "Placeholder cover."},
        404: {"description": "No book has this id."},
    },
)
async def get_cover(book_id: RowIdPath, v: str | None = None) -> Response:
    """Draw the placeholder cover of a book as SVG.

    The `v` of the cover's URL is the version of the text printed on it. When this
    process drew that version already, it sends the drawing again without reading
    the book. Any other request reads the book and draws it anew.
    """
    with _drawn_covers_lock:
        drawn = _drawn_covers.get(book_id)
    if drawn is None or v is None or drawn[0] != v:
        drawn = await run_in_threadpool(_draw_cover, book_id)
    version, svg = drawn
    return Response(
        content=svg,
        media_type="image/svg+xml",
        headers={
            "Cache-Control": COVER_CACHE_CONTROL,
            "ETag": f'"{version}"',
            "Content-Security-Policy": COVER_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )


def _draw_cover(book_id: int) -> tuple[str, str]:
    """Read a book's title and authors, draw its cover and keep the drawing.

    Raises:
        NotFoundError: No book has that id.
    """
    with session_scope() as session:
        title, authors = queries.get_cover_label(session, book_id)
    drawn = (cover_version(title, authors), render_cover_svg(book_id, title, authors))
    with _drawn_covers_lock:
        _drawn_covers[book_id] = drawn
    return drawn
