"""Admin work on books: a filtered list, create, edit, archive, and the stock log.

Archiving keeps the row, so past orders still show the book, while the store's
queries skip it. Stock edits are compare-and-swap: the form sends the stock it showed,
and the save fails when a sale changed the stock in the meantime. Every stock change
is written to `stock_change` with the admin, the time and the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from decimal import Decimal

from sqlalchemy import delete, exists, func, or_
from sqlmodel import Session, col, select

from sky_readers.accounts.models import User
from sky_readers.catalog.admin_models import StockChange
from sky_readers.catalog.book_form import BookForm, BookValues, validate_book_form
from sky_readers.catalog.covers import cover_path
from sky_readers.catalog.isbn import compact
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.catalog.queries import (
    LOW_STOCK_THRESHOLD,
    AuthorRef,
    Page,
    author_line,
)
from sky_readers.catalog.services import get_or_create_author
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

STATUS_FILTERS = ("active", "archived", "all")
STOCK_FILTERS = ("all", "low", "out")
SORTS = ("updated", "title", "stock", "price")
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
QUERY_MAX = 200
# Stock changes the edit page lists, newest first.
HISTORY_LENGTH = 20


@dataclasses.dataclass(frozen=True)
class AdminBookRow:
    """One book in the admin table."""

    id: int
    title: str
    author_line: str
    isbn13: str | None
    price: Decimal
    currency: str
    stock_on_hand: int
    is_archived: bool
    cover_path: str
    has_cover: bool
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class StockChangeRow:
    """One entry of a book's stock log."""

    changed_at: dt.datetime
    changed_by_email: str
    old_stock: int
    new_stock: int
    reason: str


@dataclasses.dataclass(frozen=True)
class AdminBookDetail:
    """A book as the edit form shows it, with its cover and stock log."""

    id: int
    form: BookForm
    stock_on_hand: int
    currency: str
    is_archived: bool
    cover_image: str | None
    cover_path: str
    created_at: dt.datetime
    updated_at: dt.datetime
    history: list[StockChangeRow]


def _check_list_args(
    status: str, stock: str, sort: str, page: int, page_size: int, query: str
) -> None:
    errors = {}
    if status not in STATUS_FILTERS:
        errors["status"] = f"unknown status {status!r}: use {', '.join(STATUS_FILTERS)}"
    if stock not in STOCK_FILTERS:
        errors["stock"] = (
            f"unknown stock filter {stock!r}: use {', '.join(STOCK_FILTERS)}"
        )
    if sort not in SORTS:
        errors["sort"] = f"unknown sort {sort!r}: use {', '.join(SORTS)}"
    if page < 1:
        errors["page"] = f"page must be 1 or more, not {page}"
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = f"page size must be 1 to {MAX_PAGE_SIZE}, not {page_size}"
    if len(query) > QUERY_MAX:
        errors["q"] = f"search text is longer than {QUERY_MAX} characters"
    if errors:
        raise ValidationError(errors)


def _matches_text(query: str):
    """Build the condition of the search box: title, author or ISBN."""
    text = query.strip().lower()
    by_author = exists().where(
        BookAuthor.book_id == Book.id,
        BookAuthor.author_id == Author.id,
        func.lower(Author.name).contains(text, autoescape=True),
    )
    conditions = [func.lower(Book.title).contains(text, autoescape=True), by_author]
    digits = compact(query)
    if len(digits) >= 4 and digits[:-1].isdigit():
        conditions.append(col(Book.isbn13).startswith(digits, autoescape=True))
        conditions.append(col(Book.isbn10).startswith(digits, autoescape=True))
    return or_(*conditions)


def _order(sort: str) -> list:
    if sort == "title":
        return [func.lower(Book.title), col(Book.id)]
    if sort == "stock":
        return [col(Book.stock_on_hand), func.lower(Book.title), col(Book.id)]
    if sort == "price":
        return [col(Book.price), func.lower(Book.title), col(Book.id)]
    return [col(Book.updated_at).desc(), col(Book.id).desc()]


def list_books(
    session: Session,
    *,
    query: str = "",
    status: str = "active",
    stock: str = "all",
    category_id: int | None = None,
    sort: str = "updated",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[AdminBookRow]:
    """Read one page of books for the admin table.

    Args:
        session: Open session.
        query: Text found in the title or an author's name, or the start of an ISBN.
        status: "active" (in the store), "archived" or "all".
        stock: "all", "low" (1 to LOW_STOCK_THRESHOLD copies) or "out" (none).
        category_id: Only books of this category, when given.
        sort: "updated" (latest first), "title", "stock" (fewest first) or "price".
        page: Page number from 1; a page past the last gives the last page.
        page_size: Rows per page, 1 to MAX_PAGE_SIZE.

    Raises:
        ValidationError: A filter, the sort or the page is invalid.
    """
    _check_list_args(status, stock, sort, page, page_size, query)
    where = []
    if status == "active":
        where.append(col(Book.is_archived).is_(False))
    elif status == "archived":
        where.append(col(Book.is_archived).is_(True))
    if stock == "low":
        where.append(col(Book.stock_on_hand).between(1, LOW_STOCK_THRESHOLD))
    elif stock == "out":
        where.append(col(Book.stock_on_hand) <= 0)
    if category_id is not None:
        where.append(
            exists().where(
                BookCategory.book_id == Book.id, BookCategory.category_id == category_id
            )
        )
    if query.strip():
        where.append(_matches_text(query))

    total = session.exec(select(func.count()).select_from(Book).where(*where)).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(page, pages)
    books = session.exec(
        select(Book)
        .where(*where)
        .order_by(*_order(sort))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    authors = _author_refs(session, [book.id for book in books])
    rows = [
        AdminBookRow(
            id=book.id,
            title=book.title,
            author_line=author_line(authors[book.id]),
            isbn13=book.isbn13,
            price=book.price,
            currency=book.currency,
            stock_on_hand=book.stock_on_hand,
            is_archived=book.is_archived,
            cover_path=cover_path(
                book.id,
                book.cover_image,
                book.title,
                [a.name for a in authors[book.id]],
            ),
            has_cover=book.cover_image is not None,
            updated_at=book.updated_at,
        )
        for book in books
    ]
    return Page(items=rows, total=total, page=page, page_size=page_size)


def _author_refs(session: Session, book_ids: list[int]) -> dict[int, list[AuthorRef]]:
    refs: dict[int, list[AuthorRef]] = {book_id: [] for book_id in book_ids}
    if not book_ids:
        return refs
    rows = session.exec(
        select(BookAuthor.book_id, Author.name, Author.slug)
        .join(Author, col(Author.id) == col(BookAuthor.author_id))
        .where(col(BookAuthor.book_id).in_(book_ids))
        .order_by(col(BookAuthor.book_id), col(BookAuthor.position))
    ).all()
    for book_id, name, slug in rows:
        refs[book_id].append(AuthorRef(name=name, slug=slug))
    return refs


def _find(session: Session, book_id: int, *, lock: bool = False) -> Book:
    statement = select(Book).where(Book.id == book_id)
    if lock:
        statement = statement.with_for_update()
    book = session.exec(statement).first()
    if book is None:
        raise NotFoundError(f"book {book_id} not found")
    return book


def stock_history(
    session: Session, book_id: int, limit: int = HISTORY_LENGTH
) -> list[StockChangeRow]:
    """List a book's stock changes, newest first."""
    changes = session.exec(
        select(StockChange)
        .where(StockChange.book_id == book_id)
        .order_by(col(StockChange.changed_at).desc(), col(StockChange.id).desc())
        .limit(limit)
    ).all()
    return [
        StockChangeRow(
            changed_at=change.changed_at,
            changed_by_email=change.changed_by_email,
            old_stock=change.old_stock,
            new_stock=change.new_stock,
            reason=change.reason,
        )
        for change in changes
    ]


def get_book_for_admin(session: Session, book_id: int) -> AdminBookDetail:
    """Read a book, archived or not, as the edit form shows it.

    Raises:
        NotFoundError: No book has that id.
    """
    book = _find(session, book_id)
    names = [ref.name for ref in _author_refs(session, [book_id])[book_id]]
    category_ids = list(
        session.exec(
            select(BookCategory.category_id)
            .where(BookCategory.book_id == book_id)
            .order_by(col(BookCategory.position))
        ).all()
    )
    form = BookForm(
        title=book.title,
        subtitle=book.subtitle or "",
        authors=", ".join(names),
        isbn=book.isbn13 or book.isbn10 or "",
        price=f"{book.price:.2f}",
        stock=str(book.stock_on_hand),
        description=book.description,
        publisher=book.publisher or "",
        published_year="" if book.published_year is None else str(book.published_year),
        language=book.language or "",
        page_count="" if book.page_count is None else str(book.page_count),
        category_ids=category_ids,
    )
    return AdminBookDetail(
        id=book.id,
        form=form,
        stock_on_hand=book.stock_on_hand,
        currency=book.currency,
        is_archived=book.is_archived,
        cover_image=book.cover_image,
        cover_path=cover_path(
            book.id, book.cover_image, book.title, names, size="large"
        ),
        created_at=book.created_at,
        updated_at=book.updated_at,
        history=stock_history(session, book_id),
    )


def _record_stock_change(
    session: Session,
    book_id: int,
    old: int,
    new: int,
    actor: User,
    reason: str,
) -> None:
    session.add(
        StockChange(
            book_id=book_id,
            changed_by_id=actor.id,
            changed_by_email=actor.email,
            old_stock=old,
            new_stock=new,
            reason=reason,
            changed_at=utcnow(),
        )
    )
    logger.info(
        "Stock of book %d changed from %d to %d by user %d (%s)",
        book_id,
        old,
        new,
        actor.id,
        reason or "no reason given",
    )


def _link_authors(session: Session, book_id: int, names: list[str]) -> None:
    ids = [get_or_create_author(session, name) for name in names]
    current = list(
        session.exec(
            select(BookAuthor.author_id)
            .where(BookAuthor.book_id == book_id)
            .order_by(col(BookAuthor.position))
        ).all()
    )
    if current == ids:
        return
    session.exec(delete(BookAuthor).where(col(BookAuthor.book_id) == book_id))
    for position, author_id in enumerate(ids):
        session.add(BookAuthor(book_id=book_id, author_id=author_id, position=position))


def _link_categories(session: Session, book_id: int, ids: list[int]) -> None:
    current = list(
        session.exec(
            select(BookCategory.category_id)
            .where(BookCategory.book_id == book_id)
            .order_by(col(BookCategory.position))
        ).all()
    )
    if current == ids:
        return
    session.exec(delete(BookCategory).where(col(BookCategory.book_id) == book_id))
    for position, category_id in enumerate(ids):
        session.add(
            BookCategory(book_id=book_id, category_id=category_id, position=position)
        )


def _apply(book: Book, values: BookValues) -> None:
    book.title = values.title
    book.subtitle = values.subtitle
    book.isbn10 = values.isbn10
    book.isbn13 = values.isbn13
    book.price = values.price
    book.description = values.description
    book.publisher = values.publisher
    book.published_year = values.published_year
    book.published_date = (
        None if values.published_year is None else str(values.published_year)
    )
    book.language = values.language
    book.page_count = values.page_count


def create_book(session: Session, form: BookForm, *, actor: User) -> int:
    """Add a book to the store from the admin form; the caller commits.

    The starting stock is logged as a change from 0.

    Returns:
        The new book's id.

    Raises:
        ValidationError: A field is invalid; `errors` has a message per field.
    """
    currency = get_settings().default_currency
    values = validate_book_form(session, form, currency=currency)
    book = Book(
        title=values.title,
        price=values.price,
        currency=currency,
        stock_on_hand=values.stock,
    )
    _apply(book, values)
    session.add(book)
    session.flush()
    _link_authors(session, book.id, values.authors)
    _link_categories(session, book.id, values.category_ids)
    _record_stock_change(
        session, book.id, 0, values.stock, actor, values.stock_reason or "New book"
    )
    session.flush()
    logger.info("Book %d %r created by user %d", book.id, book.title, actor.id)
    return book.id


def update_book(
    session: Session,
    book_id: int,
    form: BookForm,
    *,
    actor: User,
    expected_stock: int | None,
) -> None:
    """Save the admin form over a book; the caller commits.

    Args:
        session: Open session.
        book_id: The book, archived or not.
        form: Every field of the form.
        actor: The admin saving it.
        expected_stock: The stock the form showed. The save fails when the stock is
            now different and the form changes it, so a sale made meanwhile is not
            overwritten. None skips the check (API clients that send no value).

    Raises:
        NotFoundError: No book has that id.
        ValidationError: A field is invalid, or the stock changed meanwhile.
    """
    book = _find(session, book_id, lock=True)
    values = validate_book_form(session, form, currency=book.currency, book_id=book_id)
    current = book.stock_on_hand
    if values.stock != current:
        if expected_stock is not None and expected_stock != current:
            raise ValidationError(
                {
                    "stock": (
                        f"The stock changed from {expected_stock} to {current} while "
                        f"you were editing, probably by a sale. Check the figure and "
                        "save again."
                    )
                }
            )
        book.stock_on_hand = values.stock
        _record_stock_change(
            session, book_id, current, values.stock, actor, values.stock_reason
        )
    _apply(book, values)
    book.updated_at = utcnow()
    session.add(book)
    _link_authors(session, book_id, values.authors)
    _link_categories(session, book_id, values.category_ids)
    session.flush()
    logger.info("Book %d updated by user %d", book_id, actor.id)


def set_archived(
    session: Session, book_id: int, archived: bool, *, actor: User
) -> bool:
    """Take a book out of the store, or put it back; the caller commits.

    Returns:
        Whether the flag changed.

    Raises:
        NotFoundError: No book has that id.
    """
    book = _find(session, book_id, lock=True)
    if book.is_archived == archived:
        return False
    book.is_archived = archived
    book.updated_at = utcnow()
    session.add(book)
    session.flush()
    logger.info(
        "Book %d %s by user %d",
        book_id,
        "archived" if archived else "restored to the store",
        actor.id,
    )
    return True


def category_choices(session: Session) -> list[tuple[int, str]]:
    """List every category as (id, name), by name, for the form's checkboxes."""
    return [
        (row.id, row.name)
        for row in session.exec(
            select(Category.id, Category.name).order_by(func.lower(Category.name))
        ).all()
    ]
