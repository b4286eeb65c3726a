"""Personal recommendations of the caller, or popular books without history."""

from __future__ import annotations

from fastapi import APIRouter

from sky_readers.api.deps import OptionalCaller
from sky_readers.api.routes.book_cards import summary_card
from sky_readers.api.schemas.reviews import RecommendationsPublic
from sky_readers.catalog.queries import featured_books
from sky_readers.core.db import session_scope
from sky_readers.recommendations.queries import PERSONAL_PICKS, recommended_for

router = APIRouter(prefix="/api", tags=["recommendations"])


@router.get("/recommendations", response_model=RecommendationsPublic)
def recommendations(caller: OptionalCaller) -> RecommendationsPublic:
    """Pick books for the caller from what they liked, bought or wished for.

    Anonymous callers and shoppers without history get the most rated books in stock.
    """
    with session_scope() as session:
        picks = recommended_for(session, caller.user.id) if caller else []
        source = "personal" if picks else "popular"
        if not picks:
            picks = featured_books(session, PERSONAL_PICKS)
    return RecommendationsPublic(
        source=source, books=[summary_card(book) for book in picks]
    )
