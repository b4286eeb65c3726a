"""Public catalog routes: categories, book details and placeholder covers."""

from __future__ import annotations

from fastapi import APIRouter, Response

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
def get_cover(book_id: RowIdPath) -> Response:
    """Draw the placeholder cover of a book as SVG."""
    with session_scope() as session:
        title, authors = queries.get_cover_label(session, book_id)
    return Response(
        content=render_cover_svg(book_id, title, authors),
        media_type="image/svg+xml",
        headers={
            "Cache-Control": COVER_CACHE_CONTROL,
            "ETag": f'"{cover_version(title, authors)}"',
            "Content-Security-Policy": COVER_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )
