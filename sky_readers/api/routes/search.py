"""Public catalog search: GET /api/books with text, filters, order and paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sky_readers.api.schemas.catalog import AuthorLink
from sky_readers.api.schemas.search import BookCard, BookSearchResults
from sky_readers.catalog.search import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SORT_KEYS,
    SearchQuery,
    search_books,
)
from sky_readers.core.db import session_scope
from sky_readers.core.settings import get_settings

router = APIRouter(prefix="/api", tags=["search"])

# Every parameter arrives as text and SearchQuery.from_params checks it, so a bad
# value gets the same field-named 422 message as on the results page.


@router.get(
    "/books",
    response_model=BookSearchResults,
    responses={422: {"description": "A parameter is invalid; `errors` names it."}},
)
def list_books(
    q: Annotated[
        str | None, Query(description="Title, author, ISBN or topic; typos allowed.")
    ] = None,
    category: Annotated[str | None, Query(description="Category slug.")] = None,
    language: Annotated[
        str | None, Query(description="Language code, e.g. en.")
    ] = None,
    min_price: Annotated[str | None, Query(description="Lowest price.")] = None,
    max_price: Annotated[str | None, Query(description="Highest price.")] = None,
    min_rating: Annotated[
        str | None, Query(description="Lowest average rating, 0 to 5.")
    ] = None,
    in_stock: Annotated[
        str | None, Query(description="true keeps only books with copies on hand.")
    ] = None,
    sort: Annotated[str | None, Query(description=", ".join(SORT_KEYS))] = None,
    page: Annotated[str | None, Query(description="Page number from 1.")] = None,
    page_size: Annotated[
        str | None,
        Query(description=f"Books per page, 1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE}"),
    ] = None,
) -> BookSearchResults:
    """Search the store's books; without `q`, list them by popularity."""
    query = SearchQuery.from_params(
        {
            "q": q,
            "category": category,
            "language": language,
            "min_price": min_price,
            "max_price": max_price,
            "min_rating": min_rating,
            "in_stock": in_stock,
            "sort": sort,
            "page": page,
            "page_size": page_size,
        }
    )
    with session_scope() as session:
        result = search_books(session, query)
    base_url = get_settings().public_base_url.rstrip("/")
    return BookSearchResults(
        items=[
            BookCard(
                id=book.id,
                title=book.title,
                authors=[AuthorLink(name=a.name, slug=a.slug) for a in book.authors],
                price=f"{book.price:.2f}",
                currency=book.currency,
                average_rating=float(book.average_rating),
                rating_count=book.rating_count,
                in_stock=book.in_stock,
                published_year=book.published_year,
                cover_url=base_url + book.cover_path,
            )
            for book in result.items
        ],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        did_you_mean=result.did_you_mean,
    )
