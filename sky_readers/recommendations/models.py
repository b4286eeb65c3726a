"""Recommendation tables: imported goodbooks ratings, book neighbours, build log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Float, ForeignKey, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel

from sky_readers.core.types import UTCDateTime, utcnow


class GoodbooksRating(SQLModel, table=True):
    """One rating of the goodbooks-10k data set, keyed as that data set keys it.

    `book_id` is the goodbooks book id (`Book.goodbooks_id`), not a store id, so the
    ratings can be imported before or after the books.
    """

    __tablename__ = "goodbooks_rating"

    user_id: int = Field(sa_column=Column(Integer, primary_key=True))
    book_id: int = Field(sa_column=Column(Integer, primary_key=True, index=True))
    # Stars from 1 to 5.
    rating: int = Field(sa_column=Column(SmallInteger, nullable=False))


class BookNeighbour(SQLModel, table=True):
    """A book shown as similar to another, at a rank of that book's list.

    Rows are replaced as a whole by each build of the recommendations.
    """

    __tablename__ = "book_neighbour"

    book_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("book.id", ondelete="CASCADE"), primary_key=True
        )
    )
    # 1 for the most similar book.
    rank: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    neighbour_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("book.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    # Similarity from 0 to 1 for "ratings"; 0 for "category" fallbacks.
    score: float = Field(sa_column=Column(Float, nullable=False))
    # "ratings" (readers liked both) or "category" (popular in the same category).
    source: str = Field(sa_column=Column(String(20), nullable=False))


class RecommendationBuild(SQLModel, table=True):
    """One finished build of the book neighbours, with its size and duration."""

    __tablename__ = "recommendation_build"

    id: int | None = Field(default=None, primary_key=True)
    started_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    finished_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    seconds: float = Field(sa_column=Column(Float, nullable=False))
    # Readers and liked (reader, book) pairs the similarity was computed from.
    readers: int = Field(default=0)
    likes: int = Field(default=0)
    # Books with at least one neighbour, and neighbour rows by source.
    books: int = Field(default=0)
    rating_neighbours: int = Field(default=0)
    category_neighbours: int = Field(default=0)
