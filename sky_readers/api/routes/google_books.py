"""GET /search: Google Books results for signed-in API clients, marked when in stock.

The path and the response shape are a contract that API clients rely on: a JSON
array of normalised volumes. Failures at Google become 502 (a bad or rejected
response) or 503 (unavailable, timed out, over quota) with a message, never a
traceback.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from sky_readers.adapters.google_books import (
    MAX_PAGE_SIZE,
    GoogleBooksError,
    GoogleVolume,
    get_google_books_client,
)
from sky_readers.api.deps import CurrentCaller
from sky_readers.api.schemas.google_books import GoogleBookResult, GooglePrice
from sky_readers.catalog.google_catalog import CatalogMatch, match_volumes
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError

logger = logging.getLogger(__name__)

router = APIRouter(tags=["google-books"])

# Maximum length of `query`, in characters.
MAX_QUERY_LENGTH = 300
# Names of the client's parameters, as this route calls them.
_PARAMETER_NAMES = {
    "q": "query",
    "startIndex": "start_index",
    "maxResults": "max_results",
    "langRestrict": "language",
}


def _result(volume: GoogleVolume, match: CatalogMatch | None) -> GoogleBookResult:
    offer = None
    if volume.saleability in ("FOR_SALE", "FOR_SALE_AND_RENTAL", "FOR_PREORDER"):
        offer = volume.retail_price or volume.list_price
    thumbnail = volume.image_links.get("thumbnail") or volume.image_links.get(
        "smallThumbnail"
    )
    return GoogleBookResult(
        volume_id=volume.volume_id,
        title=volume.title,
        subtitle=volume.subtitle,
        authors=list(volume.authors),
        isbn10=volume.isbn10,
        isbn13=volume.isbn13,
        published_date=volume.published_date,
        categories=list(volume.categories),
        price=(
            GooglePrice(amount=str(offer.amount), currency=offer.currency)
            if offer is not None
            else None
        ),
        thumbnail=thumbnail or volume.cover_url,
        in_catalog=match is not None,
        book_id=match.book_id if match is not None else None,
    )


@router.get(
    "/search",
    response_model=list[GoogleBookResult],
    responses={
        401: {"description": "No valid access token or session cookie."},
        422: {"description": "A parameter is invalid; `errors` names it."},
        502: {"description": "Google Books sent an error or an unreadable response."},
        503: {"description": "Google Books is unavailable or over quota; retry."},
    },
)
def search_google_books(
    caller: CurrentCaller,
    query: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="Google Books query: words, isbn:, intitle:, inauthor:.",
        ),
    ],
    start_index: Annotated[int, Query(ge=0, le=10_000)] = 0,
    max_results: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    language: Annotated[
        str | None,
        Query(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 code, e.g. en."),
    ] = None,
):
    """Search Google Books and mark the volumes the store already has."""
    if not query.strip():
        raise ValidationError({"query": "is required: enter words or an ISBN"})
    try:
        page = get_google_books_client().search(
            query,
            start_index=start_index,
            max_results=max_results,
            language=language,
        )
    except ValidationError as exc:
        errors = {_PARAMETER_NAMES.get(k, k): v for k, v in exc.errors.items()}
        raise ValidationError(errors) from exc
    except GoogleBooksError as exc:
        logger.warning(
            "Google Books search %r for user %s failed: %s", query, caller.user.id, exc
        )
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(max(1, round(retry_after)))
        return JSONResponse(
            status_code=exc.http_status if exc.http_status >= 500 else 502,
            content={"detail": str(exc)},
            headers=headers,
        )
    with session_scope() as session:
        matches = match_volumes(session, page.items)
    return [_result(v, matches.get(v.volume_id)) for v in page.items]
