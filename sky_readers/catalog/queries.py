"""Read-side catalog queries for the store pages and the public API.

Every function takes a session first and returns plain dataclasses, never table rows,
so callers can hold the results after the session closes. Archived books
(`Book.is_archived`) never appear in the store: lists skip them and `get_book` reports
them as not found.

Best-rated order uses a Bayesian average, so a book with few ratings cannot outrank a
well-known one on a lucky handful of votes::

    score = (PRIOR_MEAN * PRIOR_WEIGHT + average_rating * rating_count)
            / (PRIOR_WEIGHT + rating_count)

Each book starts as if it had PRIOR_WEIGHT ratings of PRIOR_MEAN, the middle of the one
to five scale, and its own ratings pull the score towards its real average as they add
up. A 5.0 from 3 ratings scores about 3.01, a 4.5 from 10,000 ratings about 4.36.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Generic, Literal, TypeVar, get_args

from sqlalchemy import Float, cast, func
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col, select

from sky_readers.catalog.covers import cover_path
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.core.errors import NotFoundError, ValidationError

T = TypeVar("T")

SortKey = Literal["rating", "title", "price", "year"]
SORT_KEYS: tuple[str, ...] = get_args(SortKey)
DEFAULT_SORT: SortKey = "rating"
# Books per page on category and author pages.
PAGE_SIZE = 24
# Largest page size a caller may ask for, so one request cannot read the catalog.
MAX_PAGE_SIZE = 100
# Bayesian average parameters: the prior mean on the 1-5 scale and its weight, counted
# in ratings.
PRIOR_MEAN = Decimal("3.0")
PRIOR_WEIGHT = 1000
# At or below this many copies a book is shown as "only N left".
LOW_STOCK_THRESHOLD = 5


@dataclasses.dataclass(frozen=True)
class AuthorRef:
    """An author as a link: the name shown and the slug of /authors/<slug>."""

    name: str
    slug: str


@dataclasses.dataclass(frozen=True)
class CategoryRef:
    """A category as a link: the name shown and the slug of /categories/<slug>."""

    name: str
    slug: str


@dataclasses.dataclass(frozen=True)
class CategorySummary:
    """A category with the number of store books on its shelf."""

    id: int
    name: str
    slug: str
    description: str
    book_count: int


@dataclasses.dataclass(frozen=True)
class AuthorSummary:
    """An author with the number of store books credited to them."""

    id: int
    name: str
    slug: str
    book_count: int


@dataclasses.dataclass(frozen=True)
class BookSummary:
    """Fields of a book card in a list."""

    id: int
    title: str
    authors: list[AuthorRef]
    price: Decimal
    currency: str
    average_rating: Decimal
    rating_count: int
    stock_on_hand: int
    published_year: int | None
    # Path of the cover image on the store's backend, starting with "/".
    cover_path: str

    @property
    def in_stock(self) -> bool:
        """Whether at least one copy can be sold."""
        return self.stock_on_hand > 0


@dataclasses.dataclass(frozen=True)
class BookDetail(BookSummary):
    """Everything the book page and the public API show about one book."""

    subtitle: str | None
    series: str | None
    series_number: str | None
    categories: list[CategoryRef]
    description: str
    # ISO 639-1 code where one exists, else ISO 639-2.
    language: str | None
    publisher: str | None
    published_date: str | None
    page_count: int | None
    isbn10: str | None
    isbn13: str | None
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list; `page` counts from 1."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """Number of pages, at least 1 so an empty list still has a first page."""
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages


def availability(stock_on_hand: int) -> str:
    """Describe stock the way the shop shows it.

    Args:
        stock_on_hand: Copies on hand.

    Returns:
        "In stock", "Only N left" at or below LOW_STOCK_THRESHOLD, or "Out of stock".
    """
    if stock_on_hand <= 0:
        return "Out of stock"
    if stock_on_hand <= LOW_STOCK_THRESHOLD:
        return f"Only {stock_on_hand} left"
    return "In stock"


def _in_store() -> ColumnElement[bool]:
    return col(Book.is_archived).is_(False)


def _rating_score(session: Session) -> ColumnElement[float]:
    """Build the Bayesian average of each book as an SQL expression, for ordering."""
    # FixedDecimal stores hundredths as an integer on SQLite, so the prior mean is
    # scaled the same way there. The common factor leaves the order unchanged.
    scale = 100 if session.get_bind().dialect.name == "sqlite" else 1
    prior = float(PRIOR_MEAN) * scale * PRIOR_WEIGHT
    rating = cast(Book.average_rating, Float)
    return (prior + rating * col(Book.rating_count)) / (
        col(Book.rating_count) + PRIOR_WEIGHT
    )


def _order_by(session: Session, sort: str) -> list[ColumnElement]:
    if sort == "rating":
        return [_rating_score(session).desc(), func.lower(Book.title), col(Book.id)]
    if sort == "title":
        return [func.lower(Book.title), col(Book.id)]
    if sort == "price":
        return [col(Book.price), func.lower(Book.title), col(Book.id)]
    # Newest first; books without a year go last on both databases.
    return [
        col(Book.published_year).is_(None),
        col(Book.published_year).desc(),
        func.lower(Book.title),
        col(Book.id),
    ]


def _check_page_args(sort: str, page: int, page_size: int) -> None:
    errors = {}
    if sort not in SORT_KEYS:
        errors["sort"] = f"unknown sort {sort!r}: use one of {', '.join(SORT_KEYS)}"
    if page < 1:
        errors["page"] = f"page must be 1 or more, not {page}"
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = (
            f"page size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}"
        )
    if errors:
        raise ValidationError(errors)


def _summary(book: Book) -> BookSummary:
    return BookSummary(**_summary_fields(book))


def _summary_fields(book: Book) -> dict:
    return {
        "id": book.id,
        "title": book.title,
        "authors": [AuthorRef(name=a.name, slug=a.slug) for a in book.authors],
        "price": book.price,
        "currency": book.currency,
        "average_rating": book.average_rating,
        "rating_count": book.rating_count,
        "stock_on_hand": book.stock_on_hand,
        "published_year": book.published_year,
        "cover_path": cover_path(
            book.id, book.cover_image, book.title, [a.name for a in book.authors]
        ),
    }


def _books(session: Session, statement: Select) -> list[BookSummary]:
    """Run a statement over books, loading every book's authors in one more query."""
    statement = statement.options(selectinload(Book.authors))
    return [_summary(book) for book in session.exec(statement).all()]


def _page_of_books(
    session: Session,
    condition: ColumnElement[bool],
    sort: str,
    page: int,
    page_size: int,
) -> Page[BookSummary]:
    """Read one page of store books that meet a condition.

    A page past the last one is clamped to the last page, so an old shared link still
    shows books.
    """
    _check_page_args(sort, page, page_size)
    where = [_in_store(), condition]
    total = session.exec(select(func.count()).select_from(Book).where(*where)).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(page, pages)
    statement = (
        select(Book)
        .where(*where)
        .order_by(*_order_by(session, sort))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    items = _books(session, statement)
    return Page(items=items, total=total, page=page, page_size=page_size)


def list_categories(session: Session) -> list[CategorySummary]:
    """List every category by name, with the number of store books in each."""
    counts = (
        select(BookCategory.category_id, func.count().label("book_count"))
        .join(Book, col(Book.id) == col(BookCategory.book_id))
        .where(_in_store())
        .group_by(col(BookCategory.category_id))
        .subquery()
    )
    statement = (
        select(Category, func.coalesce(counts.c.book_count, 0))
        .outerjoin(counts, counts.c.category_id == col(Category.id))
        .order_by(col(Category.name))
    )
    return [
        CategorySummary(
            id=category.id,
            name=category.name,
            slug=category.slug,
            description=category.description,
            book_count=int(count),
        )
        for category, count in session.exec(statement).all()
    ]


def _find_category(session: Session, slug: str) -> Category:
    category = session.exec(select(Category).where(Category.slug == slug)).first()
    if category is None:
        msg = f"category {slug!r} not found"
        raise NotFoundError(msg)
    return category


def _find_author(session: Session, slug: str) -> Author:
    author = session.exec(select(Author).where(Author.slug == slug)).first()
    if author is None:
        msg = f"author {slug!r} not found"
        raise NotFoundError(msg)
    return author


def _category_summary(category: Category, book_count: int) -> CategorySummary:
    return CategorySummary(
        id=category.id,
        name=category.name,
        slug=category.slug,
        description=category.description,
        book_count=book_count,
    )


def get_category(session: Session, slug: str) -> CategorySummary:
    """Find a category by slug, with its number of store books.

    Raises:
        NotFoundError: No category has that slug.
    """
    category = _find_category(session, slug)
    count = session.exec(
        select(func.count())
        .select_from(BookCategory)
        .join(Book, col(Book.id) == col(BookCategory.book_id))
        .where(BookCategory.category_id == category.id, _in_store())
    ).one()
    return _category_summary(category, count)


def category_page(
    session: Session,
    slug: str,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[CategorySummary, Page[BookSummary]]:
    """Read a category and one page of its store books.

    Args:
        session: Open session.
        slug: Category slug.
        sort: One of SORT_KEYS: "rating" (best first, Bayesian average), "title" (A to
            Z), "price" (lowest first) or "year" (newest first, undated last).
        page: Page number from 1; a page past the last one gives the last page.
        page_size: Books per page, 1 to MAX_PAGE_SIZE.

    Returns:
        The category, whose book count is the page's total, and the page.

    Raises:
        NotFoundError: No category has that slug.
        ValidationError: Sort, page or page size is invalid.
    """
    category = _find_category(session, slug)
    in_category = col(Book.id).in_(
        select(BookCategory.book_id).where(BookCategory.category_id == category.id)
    )
    result = _page_of_books(session, in_category, sort, page, page_size)
    return _category_summary(category, result.total), result


def books_in_category(
    session: Session,
    slug: str,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[BookSummary]:
    """Read one page of a category's store books; arguments as for category_page.

    Raises:
        NotFoundError: No category has that slug.
        ValidationError: Sort, page or page size is invalid.
    """
    return category_page(session, slug, sort=sort, page=page, page_size=page_size)[1]


def get_author(session: Session, slug: str) -> AuthorSummary:
    """Find an author by slug, with the number of their store books.

    Raises:
        NotFoundError: No author has that slug.
    """
    author = _find_author(session, slug)
    count = session.exec(
        select(func.count())
        .select_from(BookAuthor)
        .join(Book, col(Book.id) == col(BookAuthor.book_id))
        .where(BookAuthor.author_id == author.id, _in_store())
    ).one()
    return AuthorSummary(
        id=author.id, name=author.name, slug=author.slug, book_count=count
    )


def author_page(
    session: Session,
    slug: str,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[AuthorSummary, Page[BookSummary]]:
    """Read an author and one page of their store books; arguments as category_page.

    Raises:
        NotFoundError: No author has that slug.
        ValidationError: Sort, page or page size is invalid.
    """
    author = _find_author(session, slug)
    by_author = col(Book.id).in_(
        select(BookAuthor.book_id).where(BookAuthor.author_id == author.id)
    )
    result = _page_of_books(session, by_author, sort, page, page_size)
    summary = AuthorSummary(
        id=author.id, name=author.name, slug=author.slug, book_count=result.total
    )
    return summary, result


def books_by_author(
    session: Session,
    slug: str,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[BookSummary]:
    """Read one page of an author's store books; arguments as for category_page.

    Raises:
        NotFoundError: No author has that slug.
        ValidationError: Sort, page or page size is invalid.
    """
    return author_page(session, slug, sort=sort, page=page, page_size=page_size)[1]


def get_book(session: Session, book_id: int) -> BookDetail:
    """Read everything the store shows about one book.

    Raises:
        NotFoundError: No store book has that id (archived books count as missing).
    """
    statement = (
        select(Book)
        .where(Book.id == book_id, _in_store())
        .options(selectinload(Book.authors), selectinload(Book.categories))
    )
    book = session.exec(statement).first()
    if book is None:
        msg = f"book {book_id} not found"
        raise NotFoundError(msg)
    fields = _summary_fields(book)
    # The book page shows the cover large; lists keep the thumbnail.
    fields["cover_path"] = cover_path(
        book.id,
        book.cover_image,
        book.title,
        [a.name for a in book.authors],
        size="large",
    )
    return BookDetail(
        **fields,
        subtitle=book.subtitle,
        series=book.series,
        series_number=book.series_number,
        categories=[CategoryRef(name=c.name, slug=c.slug) for c in book.categories],
        description=book.description,
        language=book.language,
        publisher=book.publisher,
        published_date=book.published_date,
        page_count=book.page_count,
        isbn10=book.isbn10,
        isbn13=book.isbn13,
        created_at=book.created_at,
    )


def book_summaries(session: Session, book_ids: Sequence[int]) -> list[BookSummary]:
    """Read the cards of store books in the order of `book_ids`.

    Ids of archived or missing books are skipped.
    """
    if not book_ids:
        return []
    statement = select(Book).where(col(Book.id).in_(list(book_ids)), _in_store())
    found = {book.id: book for book in _books(session, statement)}
    return [found[book_id] for book_id in book_ids if book_id in found]


def best_rated_books(session: Session, limit: int = 12) -> list[BookSummary]:
    """List the store books with the highest Bayesian average rating.

    Args:
        session: Open session.
        limit: Number of books, 1 to MAX_PAGE_SIZE.
    """
    _check_page_args(DEFAULT_SORT, 1, limit)
    statement = (
        select(Book)
        .where(_in_store())
        .order_by(*_order_by(session, "rating"))
        .limit(limit)
    )
    return _books(session, statement)


def featured_books(session: Session, limit: int = 12) -> list[BookSummary]:
    """List the in-stock store books that the most readers have rated.

    Args:
        session: Open session.
        limit: Number of books, 1 to MAX_PAGE_SIZE.
    """
    _check_page_args(DEFAULT_SORT, 1, limit)
    statement = (
        select(Book)
        .where(_in_store(), col(Book.stock_on_hand) > 0)
        .order_by(col(Book.rating_count).desc(), col(Book.id))
        .limit(limit)
    )
    return _books(session, statement)


def new_arrivals(session: Session, limit: int = 12) -> list[BookSummary]:
    """List the store books added last, newest first.

    Args:
        session: Open session.
        limit: Number of books, 1 to MAX_PAGE_SIZE.
    """
    _check_page_args(DEFAULT_SORT, 1, limit)
    statement = (
        select(Book)
        .where(_in_store())
        .order_by(col(Book.created_at).desc(), col(Book.id).desc())
        .limit(limit)
    )
    return _books(session, statement)


def get_cover_label(session: Session, book_id: int) -> tuple[str, list[str]]:
    """Read the title and author names printed on a book's placeholder cover.

    Archived books keep their cover, since past orders still show them.

    Raises:
        NotFoundError: No book has that id.
    """
    statement = (
        select(Book).where(Book.id == book_id).options(selectinload(Book.authors))
    )
    book = session.exec(statement).first()
    if book is None:
        msg = f"book {book_id} not found"
        raise NotFoundError(msg)
    return book.title, [author.name for author in book.authors]


def author_line(authors: Sequence[AuthorRef]) -> str:
    """Join author names for a card: "A", "A and B", or "A, B and 3 more"."""
    names = [author.name for author in authors]
    if not names:
        return "Unknown author"
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"
