"""Catalog search: parameters, ranked results with filters, and type-ahead suggestions.

How a query is answered:

1. A valid ISBN-10 or ISBN-13, with or without hyphens, returns the books carrying it.
2. Otherwise the query is split into folded terms (`search_text.terms`). Every term
   must match the title, the authors or the description and categories of a book; the
   last term also matches as a prefix, so "harry pot" finds "Harry Potter".
3. When that finds nothing, each term of four or more letters is widened to the index
   terms one or two edits away (`search_index.similar_terms`), so "hary poter" finds
   "Harry Potter" and "tolkein" finds "Tolkien"; `SearchPage.did_you_mean` then holds
   the corrected query.
4. A query with punctuation ("100%", "snake_case", 'the "it" girl') ranks first the
   books whose title or authors contain it literally. A query of symbols alone ("%")
   matches those books only. LIKE wildcards are escaped.

Relevance adds, for each query term, 8 when the typed term is in the title, 6 when a
correction or prefix is, 4 and 3 for the authors, 2 and 1 for description and
categories; a literal match adds 8. Ties go to the book with more ratings.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from sky_readers.catalog import isbn as isbn_rules
from sky_readers.catalog import search_index, search_text
from sky_readers.catalog.covers import cover_path
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.catalog.queries import AuthorRef, BookSummary, Page
from sky_readers.catalog.search_index import FIELDS, TermGroup
from sky_readers.core.errors import ValidationError

logger = logging.getLogger(__name__)

SortKey = Literal["relevance", "rating", "price", "price_desc", "newest"]
SORT_KEYS: tuple[str, ...] = get_args(SortKey)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Deep pages cost a scan of every earlier result; nobody reads this far.
MAX_PAGE = 1000
# Characters of query text; longer input is rejected, not cut.
MAX_QUERY_LENGTH = 200
# Terms of a query that take part in matching; later ones are ignored.
MAX_TERMS = 10
# Highest price a filter may name, in the store currency.
MAX_PRICE = Decimal("1000000")
# Shortest last term that also matches as a prefix.
MIN_PREFIX_LENGTH = 2
# Books scanned for author names when suggesting authors.
AUTHOR_SCAN = 200

PARAMETERS = (
    "q",
    "category",
    "language",
    "min_price",
    "max_price",
    "min_rating",
    "in_stock",
    "sort",
    "page",
    "page_size",
)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Points per query term by where it matched: (typed term, correction or prefix).
_FIELD_POINTS = {"title_text": (8, 6), "authors_text": (4, 3), "extra_text": (2, 1)}
_LITERAL_POINTS = 8


@dataclasses.dataclass(frozen=True, kw_only=True)
class SearchQuery:
    """A validated catalog search: text, filters, order and page.

    Raises:
        ValidationError: On construction, naming every invalid field.
    """

    q: str = ""
    # Category slug, as in /categories/<slug>.
    category: str | None = None
    # ISO 639-1 code where one exists, else ISO 639-2, as stored on books.
    language: str | None = None
    # Inclusive price bounds in the store currency.
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    # Lowest average rating, 0 to 5.
    min_rating: Decimal | None = None
    # True keeps only books with copies on hand; False applies no filter.
    in_stock: bool = False
    sort: SortKey = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        """Check every field and raise one ValidationError listing the invalid ones."""
        errors = {}
        if len(self.q) > MAX_QUERY_LENGTH:
            errors["q"] = (
                f"search text is {len(self.q)} characters long: use at most "
                f"{MAX_QUERY_LENGTH}"
            )
        if self.category is not None and not _SLUG.match(self.category):
            errors["category"] = (
                f"invalid category {self.category!r}: use a category slug such as "
                "'science-fiction'"
            )
        if self.language is not None and not _LANGUAGE.match(self.language):
            errors["language"] = (
                f"invalid language {self.language!r}: use a code such as 'en' or 'fr'"
            )
        for name in ("min_price", "max_price"):
            value = getattr(self, name)
            if value is not None and not Decimal(0) <= value <= MAX_PRICE:
                errors[name] = (
                    f"{name} must be between 0 and {MAX_PRICE}, not {value:f}"
                )
        if (
            self.min_price is not None
            and self.max_price is not None
            and "min_price" not in errors
            and "max_price" not in errors
            and self.min_price > self.max_price
        ):
            errors["max_price"] = (
                f"max_price {self.max_price:f} is below min_price {self.min_price:f}: "
                "swap them or widen the range"
            )
        if self.min_rating is not None and not Decimal(0) <= self.min_rating <= 5:
            errors["min_rating"] = (
                f"min_rating must be between 0 and 5, not {self.min_rating:f}"
            )
        if self.sort not in SORT_KEYS:
            errors["sort"] = (
                f"unknown sort {self.sort!r}: use one of {', '.join(SORT_KEYS)}"
            )
        if not 1 <= self.page <= MAX_PAGE:
            errors["page"] = f"page must be between 1 and {MAX_PAGE}, not {self.page}"
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            errors["page_size"] = (
                f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {self.page_size}"
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_params(cls, params: Mapping[str, str | None]) -> SearchQuery:
        """Parse query-string values, as the API and the results page receive them.

        Empty values count as absent; unknown keys are ignored.

        Raises:
            ValidationError: Naming every parameter that cannot be parsed or is out
                of range.
        """
        errors: dict[str, str] = {}
        values: dict[str, object] = {}

        def text(name: str) -> str | None:
            value = params.get(name)
            if value is None:
                return None
            value = value.strip()
            return value or None

        values["q"] = (params.get("q") or "").strip()
        for name in ("category", "language"):
            value = text(name)
            if value is not None:
                values[name] = value.lower()
        for name in ("min_price", "max_price", "min_rating"):
            value = text(name)
            if value is None:
                continue
            try:
                number = Decimal(value)
            except InvalidOperation:
                errors[name] = f"invalid {name} {value!r}: use a number such as 12.50"
                continue
            if not number.is_finite():
                errors[name] = f"invalid {name} {value!r}: use a finite number"
                continue
            values[name] = number
        in_stock = text("in_stock")
        if in_stock is not None:
            if in_stock.lower() in _TRUE:
                values["in_stock"] = True
            elif in_stock.lower() in _FALSE:
                values["in_stock"] = False
            else:
                errors["in_stock"] = f"invalid in_stock {in_stock!r}: use true or false"
        sort = text("sort")
        if sort is not None:
            values["sort"] = sort.lower()
        for name in ("page", "page_size"):
            value = text(name)
            if value is None:
                continue
            try:
                values[name] = int(value)
            except ValueError:
                errors[name] = f"invalid {name} {value!r}: use a whole number"
        try:
            query = cls(**values)  # type: ignore[arg-type]
        except ValidationError as exc:
            errors = {**exc.errors, **errors}
            raise ValidationError(errors) from None
        if errors:
            raise ValidationError(errors)
        return query

    def to_params(self) -> dict[str, str]:
        """Return the query-string values that differ from the defaults, for links."""
        params: dict[str, str] = {}
        defaults = SearchQuery()
        for name in PARAMETERS:
            value = getattr(self, name)
            if value == getattr(defaults, name) or value is None:
                continue
            params[name] = (
                ("true" if value else "false") if name == "in_stock" else (str(value))
            )
        return params


@dataclasses.dataclass(frozen=True)
class SearchPage(Page[BookSummary]):
    """One page of search results; `did_you_mean` is set when typos were corrected."""

    did_you_mean: str | None = None


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """One type-ahead suggestion: a book title, or an author to search for."""

    kind: Literal["title", "author"]
    label: str
    # Authors of a title, or the number of books of an author.
    detail: str
    # Book to open for a title suggestion; None for an author.
    book_id: int | None = None


@dataclasses.dataclass(frozen=True)
class _QueryTerm:
    """A query term with the other index terms that may stand for it."""

    typed: str
    corrections: tuple[str, ...] = ()
    prefix: bool = False

    def any_form(self) -> TermGroup:
        return TermGroup(
            exact=(self.typed, *self.corrections),
            prefixes=(self.typed,) if self.prefix else (),
        )

    def typed_form(self) -> TermGroup:
        return TermGroup(exact=(self.typed,))

    def other_forms(self) -> TermGroup:
        return TermGroup(
            exact=self.corrections, prefixes=(self.typed,) if self.prefix else ()
        )


# ---------------------------------------------------------------------------------
# Filters and order


def _filters(session: Session, query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Book.is_archived).is_(False)]
    if query.category is not None:
        category_id = session.exec(
            select(Category.id).where(Category.slug == query.category)
        ).first()
        if category_id is None:
            raise ValidationError(
                {
                    "category": f"unknown category {query.category!r}: pick one of the "
                    "store's categories"
                }
            )
        conditions.append(
            col(Book.id).in_(
                select(BookCategory.book_id).where(
                    BookCategory.category_id == category_id
                )
            )
        )
    if query.language is not None:
        conditions.append(col(Book.language) == query.language)
    if query.min_price is not None:
        conditions.append(col(Book.price) >= query.min_price)
    if query.max_price is not None:
        conditions.append(col(Book.price) <= query.max_price)
    if query.min_rating is not None:
        conditions.append(col(Book.average_rating) >= query.min_rating)
    if query.in_stock:
        conditions.append(col(Book.stock_on_hand) > 0)
    return conditions


def _order(query: SearchQuery, score: ColumnElement | None) -> list[ColumnElement]:
    popular = [col(Book.rating_count).desc(), col(Book.id)]
    if query.sort == "rating":
        return [col(Book.average_rating).desc(), *popular]
    if query.sort == "price":
        return [col(Book.price), *popular]
    if query.sort == "price_desc":
        return [col(Book.price).desc(), *popular]
    if query.sort == "newest":
        return [
            col(Book.published_year).is_(None),
            col(Book.published_year).desc(),
            *popular,
        ]
    return ([score.desc()] if score is not None else []) + popular


# ---------------------------------------------------------------------------------
# Matching and scoring


def _isbn_values(text: str) -> list[str]:
    """Return the ISBN-10 and ISBN-13 forms of a query that is a valid ISBN."""
    compact = isbn_rules.compact(text)
    if isbn_rules.is_isbn13(compact):
        return [compact] + [
            value for value in [isbn_rules.isbn13_to_isbn10(compact)] if value
        ]
    if isbn_rules.is_isbn10(compact):
        return [compact, isbn_rules.isbn10_to_isbn13(compact)]
    return []


def _term_score(session: Session, term: _QueryTerm) -> ColumnElement:
    cases = []
    for field in FIELDS:
        typed_points, other_points = _FIELD_POINTS[field]
        cases.append(
            (search_index.matches(session, [term.typed_form()], field), typed_points)
        )
        other = term.other_forms()
        if other:
            cases.append((search_index.matches(session, [other], field), other_points))
    # Every result matched each term somewhere, so the least it can score is 1.
    return sa.case(*cases, else_=1)


def _phrase_column(session: Session) -> ColumnElement[str]:
    return search_index.index_table(session).c.phrase_text


def _literal_match(session: Session, literal: str) -> ColumnElement[bool]:
    pattern = "%" + search_text.escape_like(literal) + "%"
    return _phrase_column(session).like(pattern, escape="\\")


# Book columns of a result card, selected with the ranking so that a page of results
# costs one query for the books and one for their authors.
_CARD_COLUMNS = (
    col(Book.id),
    col(Book.title),
    col(Book.price),
    col(Book.currency),
    col(Book.average_rating),
    col(Book.rating_count),
    col(Book.stock_on_hand),
    col(Book.published_year),
    col(Book.cover_image),
)


def _ranked(*where: ColumnElement[bool]) -> sa.Select:
    """Select the card columns and the number of all matches of some conditions."""
    return sa.select(*_CARD_COLUMNS, sa.func.count().over().label("total")).where(
        *where
    )


def _run(
    session: Session,
    query: SearchQuery,
    filters: list[ColumnElement[bool]],
    terms: Sequence[_QueryTerm],
    literal: str | None,
    *,
    with_index_text: bool = False,
) -> tuple[list[sa.Row], int, int]:
    """Run one text search; returns the page's rows, the total and the page.

    With `with_index_text`, each row also carries the book's indexed words, from
    which a corrected query is spelt.
    """
    conditions = []
    score_parts: list[ColumnElement] = []
    if terms:
        conditions.append(
            search_index.matches(session, [term.any_form() for term in terms])
        )
        score_parts += [_term_score(session, term) for term in terms]
    if literal:
        literal_match = _literal_match(session, literal)
        # With words, the literal only ranks: a substring scan of every phrase is
        # slow, and the words already find every book that contains it.
        if not terms:
            conditions.append(literal_match)
        score_parts.append(sa.case((literal_match, _LITERAL_POINTS), else_=0))
    score = sum(score_parts[1:], score_parts[0])
    table = search_index.index_table(session)
    if search_index.is_postgresql(session) and _ranks_on_index_alone(query):
        return _run_on_index(session, query, conditions, score, with_index_text)
    statement = (
        _ranked(*filters, sa.or_(*conditions))
        .select_from(Book)
        .join(table, search_index.index_join_condition(session))
    )
    if with_index_text:
        statement = statement.add_columns(*(table.c[field] for field in FIELDS))
    return _page_of(session, statement, query, score)


def _ranks_on_index_alone(query: SearchQuery) -> bool:
    """Tell whether a search needs no book column to filter and order its matches."""
    return query.sort == "relevance" and not (
        query.category
        or query.language
        or query.min_price is not None
        or query.max_price is not None
        or query.min_rating is not None
        or query.in_stock
    )


def _run_on_index(
    session: Session,
    query: SearchQuery,
    conditions: list[ColumnElement[bool]],
    score: ColumnElement,
    with_index_text: bool,
) -> tuple[list[sa.Row], int, int]:
    """Rank the matches in `book_search` alone, then read `book` for one page.

    `book_search` copies the rating count and the archived flag, so a query that
    matches thousands of books reads only their index rows. Joining `book` for each
    match made a one-word search of a million books several times slower.
    """
    table = search_index.book_search_table
    texts = [table.c[field] for field in FIELDS] if with_index_text else []
    ranked = (
        sa.select(
            table.c.book_id,
            score.label("score"),
            table.c.rating_count,
            sa.func.count().over().label("total"),
            *texts,
        )
        .where(table.c.is_archived.is_(False), sa.or_(*conditions))
        .order_by(score.desc(), table.c.rating_count.desc(), table.c.book_id)
    )

    def page_rows(page: int) -> list[sa.Row]:
        top = ranked.limit(query.page_size).offset((page - 1) * query.page_size)
        top = top.subquery("ranked")
        statement = (
            sa.select(
                *_CARD_COLUMNS,
                top.c.total,
                *(top.c[field] for field in FIELDS if with_index_text),
            )
            .join_from(top, Book, col(Book.id) == top.c.book_id)
            .order_by(top.c.score.desc(), top.c.rating_count.desc(), top.c.book_id)
        )
        return session.execute(statement).all()

    rows = page_rows(query.page)
    if rows or query.page == 1:
        return rows, int(rows[0].total) if rows else 0, query.page if rows else 1
    # A page past the last one shows the last page, so old shared links still work.
    total = session.execute(
        sa.select(sa.func.count()).select_from(ranked.subquery())
    ).scalar_one()
    if total == 0:
        return [], 0, 1
    page = (total - 1) // query.page_size + 1
    return page_rows(page), total, page


def _page_of(
    session: Session, statement: sa.Select, query: SearchQuery, score
) -> tuple[list[sa.Row], int, int]:
    page = query.page
    ordered = statement.order_by(*_order(query, score)).limit(query.page_size)
    rows = session.execute(ordered.offset((page - 1) * query.page_size)).all()
    if rows:
        return rows, int(rows[0].total), page
    if page == 1:
        return [], 0, 1
    # A page past the last one shows the last page, so old shared links still work.
    total = session.execute(
        sa.select(sa.func.count()).select_from(statement.subquery())
    ).scalar_one()
    if total == 0:
        return [], 0, 1
    page = (total - 1) // query.page_size + 1
    rows = session.execute(ordered.offset((page - 1) * query.page_size)).all()
    return rows, total, page


def _authors_of(
    session: Session, book_ids: Sequence[int]
) -> dict[int, list[AuthorRef]]:
    authors: dict[int, list[AuthorRef]] = {book_id: [] for book_id in book_ids}
    for book_id, name, slug in session.execute(
        sa.select(col(BookAuthor.book_id), col(Author.name), col(Author.slug))
        .join(Author, col(Author.id) == col(BookAuthor.author_id))
        .where(col(BookAuthor.book_id).in_(book_ids))
        .order_by(col(BookAuthor.book_id), col(BookAuthor.position))
    ):
        authors[book_id].append(AuthorRef(name=name, slug=slug))
    return authors


def _summaries(session: Session, rows: Sequence[sa.Row]) -> list[BookSummary]:
    """Build the cards of rows that carry the card columns, in one more query."""
    if not rows:
        return []
    authors = _authors_of(session, [row.id for row in rows])
    summaries = []
    for book in rows:
        names = [author.name for author in authors[book.id]]
        summaries.append(
            BookSummary(
                id=book.id,
                title=book.title,
                authors=authors[book.id],
                price=book.price,
                currency=book.currency,
                average_rating=book.average_rating,
                rating_count=book.rating_count,
                stock_on_hand=book.stock_on_hand,
                published_year=book.published_year,
                cover_path=cover_path(book.id, book.cover_image, book.title, names),
            )
        )
    return summaries


def load_summaries(session: Session, book_ids: Sequence[int]) -> list[BookSummary]:
    """Load the cards of some books, in the order of `book_ids`, in two queries."""
    if not book_ids:
        return []
    rows = {
        row.id: row
        for row in session.execute(
            sa.select(*_CARD_COLUMNS).where(col(Book.id).in_(book_ids))
        )
    }
    return _summaries(session, [rows[book_id] for book_id in book_ids])


def _correct(session: Session, terms: Sequence[_QueryTerm]) -> list[_QueryTerm]:
    found = search_index.similar_terms(session, [term.typed for term in terms])
    return [
        dataclasses.replace(term, corrections=tuple(found[term.typed]))
        for term in terms
    ]


def _did_you_mean(terms: Sequence[_QueryTerm], best: sa.Row) -> str:
    """Spell the query with the words of the best result that matched each term."""
    words = set(" ".join(getattr(best, field) for field in FIELDS).split())
    spelled = []
    for term in terms:
        matched = [form for form in (term.typed, *term.corrections) if form in words]
        spelled.append(matched[0] if matched else term.typed)
    return " ".join(spelled)


def search_books(session: Session, query: SearchQuery) -> SearchPage:
    """Find the store books that match a query, best first, one page at a time.

    Args:
        session: Open session.
        query: Validated search.

    Returns:
        The page of book cards with the total number of matches.

    Raises:
        ValidationError: The category filter names no existing category.
    """
    filters = _filters(session, query)

    isbn_values = _isbn_values(query.q) if query.q else []
    if isbn_values:
        isbn_match = sa.or_(
            col(Book.isbn10).in_(isbn_values), col(Book.isbn13).in_(isbn_values)
        )
        rows, total, page = _page_of(
            session, _ranked(*filters, isbn_match), query, None
        )
        if total:
            return _result(session, query, rows, total, page)

    words = search_text.terms(query.q)[:MAX_TERMS]
    literal = search_text.phrase(query.q) if search_text.has_symbols(query.q) else ""
    if not words and not literal:
        rows, total, page = _page_of(session, _ranked(*filters), query, None)
        return _result(session, query, rows, total, page)

    terms = [_QueryTerm(typed=word) for word in words]
    if terms and len(terms[-1].typed) >= MIN_PREFIX_LENGTH:
        terms[-1] = dataclasses.replace(terms[-1], prefix=True)
    rows, total, page = _run(session, query, filters, terms, literal)
    if total or not any(search_index.max_edits(term.typed) for term in terms):
        return _result(session, query, rows, total, page)

    corrected = _correct(session, terms)
    if not any(term.corrections for term in corrected):
        return _result(session, query, rows, total, page)
    # The typed text with its symbols matched nothing, so only the words remain.
    rows, total, page = _run(
        session, query, filters, corrected, "", with_index_text=True
    )
    suggestion = _did_you_mean(corrected, rows[0]) if rows else None
    logger.debug("Corrected search %r to %r: %d books", query.q, suggestion, total)
    return _result(session, query, rows, total, page, did_you_mean=suggestion)


def _result(
    session: Session,
    query: SearchQuery,
    rows: Sequence[sa.Row],
    total: int,
    page: int,
    did_you_mean: str | None = None,
) -> SearchPage:
    return SearchPage(
        items=_summaries(session, rows),
        total=total,
        page=page,
        page_size=query.page_size,
        did_you_mean=did_you_mean,
    )


# ---------------------------------------------------------------------------------
# Suggestions


def _suggest_terms(session: Session, text: str) -> list[_QueryTerm]:
    words = search_text.terms(text)[:MAX_TERMS]
    terms = [_QueryTerm(typed=word) for word in words]
    if terms:
        terms[-1] = dataclasses.replace(terms[-1], prefix=True)
    return terms


def _name_matches(name: str, terms: Sequence[_QueryTerm]) -> bool:
    """Tell whether every query term is a word of the name (the last as a prefix)."""
    words = search_text.terms(name)
    for term in terms:
        forms = {term.typed, *term.corrections}
        if any(word in forms for word in words):
            continue
        if term.prefix and any(word.startswith(term.typed) for word in words):
            continue
        return False
    return True


def _title_suggestions(
    session: Session, terms: Sequence[_QueryTerm], limit: int
) -> list[Suggestion]:
    groups = [term.any_form() for term in terms]
    statement = (
        select(Book)
        .join(
            search_index.index_table(session),
            search_index.index_join_condition(session),
        )
        .where(
            col(Book.is_archived).is_(False),
            # A shopper typing an author's name is shown that author's best-known
            # books as well as titles that contain the words.
            sa.or_(
                search_index.matches(session, groups, "title_text"),
                search_index.matches(session, groups, "authors_text"),
            ),
        )
        .order_by(col(Book.rating_count).desc(), col(Book.id))
        .limit(limit)
        .options(selectinload(Book.authors))
    )
    return [
        Suggestion(
            kind="title",
            label=book.title,
            detail=", ".join(author.name for author in book.authors),
            book_id=book.id,
        )
        for book in session.exec(statement).all()
    ]


def _author_suggestions(
    session: Session, terms: Sequence[_QueryTerm], limit: int
) -> list[Suggestion]:
    groups = [term.any_form() for term in terms]
    books = (
        select(Book.id)
        .join(
            search_index.index_table(session),
            search_index.index_join_condition(session),
        )
        .where(
            col(Book.is_archived).is_(False),
            search_index.matches(session, groups, "authors_text"),
        )
        .order_by(col(Book.rating_count).desc(), col(Book.id))
        .limit(AUTHOR_SCAN)
        .subquery()
    )
    rows = session.exec(
        select(Author.id, Author.name, sa.func.count(), sa.func.sum(Book.rating_count))
        .join(BookAuthor, col(BookAuthor.author_id) == col(Author.id))
        .join(Book, col(Book.id) == col(BookAuthor.book_id))
        .where(col(BookAuthor.book_id).in_(sa.select(books.c.id)))
        .group_by(col(Author.id), col(Author.name))
        .order_by(sa.func.sum(Book.rating_count).desc(), col(Author.id))
    ).all()
    suggestions = []
    for _author_id, name, book_count, _ratings in rows:
        if not _name_matches(name, terms):
            continue
        detail = "1 book" if book_count == 1 else f"{book_count} books"
        suggestions.append(Suggestion(kind="author", label=name, detail=detail))
        if len(suggestions) == limit:
            break
    return suggestions


def suggest(session: Session, prefix: str, limit: int = 8) -> list[Suggestion]:
    """Suggest authors and titles for text that a shopper is still typing.

    The last term counts as a prefix. When nothing matches, terms of four or more
    letters are corrected as in `search_books`.

    Args:
        session: Open session.
        prefix: Text typed so far; fewer than two letters or digits give nothing.
        limit: Maximum number of suggestions, 1 to 20; up to a third are authors.

    Returns:
        Author suggestions first, then titles by number of ratings.
    """
    limit = max(1, min(limit, 20))
    text = prefix.strip()[:MAX_QUERY_LENGTH]
    if len("".join(search_text.terms(text))) < MIN_PREFIX_LENGTH:
        return []
    terms = _suggest_terms(session, text)
    for attempt in range(2):
        if attempt == 1:
            if not any(search_index.max_edits(term.typed) for term in terms):
                break
            terms = _correct(session, terms)
            if not any(term.corrections for term in terms):
                break
        authors = _author_suggestions(session, terms, max(1, limit // 3))
        titles = _title_suggestions(session, terms, limit - len(authors))
        if authors or titles:
            return authors + titles
    return []
