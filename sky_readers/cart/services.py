"""Cart operations for shoppers and visitors: add, change, remove, list and merge.

The REST API, the Reflex pages and the wishlist call these functions, so the same
rules hold everywhere:

- Quantities are whole numbers from 1 to CART_MAX_QUANTITY (10 by default) per
  book, and never above the copies on hand when they are written; a capped
  quantity comes back with a message that says what was capped.
- Prices always come from the catalog. A line remembers the price when it was
  added only to tell the shopper about a change.
- Every change first locks the cart's row with a conditional UPDATE, so two changes
  of one cart, or a change during checkout, run one after the other, and a change to
  a cart that was ordered or merged meanwhile fails with ConflictError.

Each function takes the caller's session and leaves the commit to the caller.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from sky_readers.cart.models import OPEN_CART_CONDITION, Cart, CartItem, CartStatus
from sky_readers.catalog.covers import cover_path
from sky_readers.catalog.models import Book
from sky_readers.catalog.queries import AuthorRef, author_line
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import is_row_id
from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow
from sky_readers.orders.errors import ConflictError, OutOfStockError, Shortage
from sky_readers.orders.pricing import LineInput, Totals, price_lines

logger = logging.getLogger(__name__)

# Random bytes in an anonymous cart token (256 bits, 43 URL-safe characters).
TOKEN_BYTES = 32
CART_CLOSED_MESSAGE = (
    "This cart was just ordered or merged into another one: reload the page to see "
    "your current cart."
)


@dataclasses.dataclass(frozen=True)
class CartChange:
    """Outcome of adding a book or setting its quantity."""

    book_id: int
    title: str
    # Copies of the book in the cart after the change.
    quantity: int
    # True when the quantity was lowered to the stock or to the per-order limit.
    capped: bool
    # Message for the shopper: "Added ..." or what was capped and why.
    message: str


@dataclasses.dataclass(frozen=True)
class CartLine:
    """One line of a listed cart, priced at the catalog's current price."""

    book_id: int
    title: str
    author_line: str
    cover_path: str
    quantity: int
    unit_price: Decimal
    price_when_added: Decimal
    line_total: Decimal
    stock_on_hand: int
    # Largest quantity the shopper may choose now: min(limit, stock), at least 1.
    max_quantity: int
    # Why the line cannot be ordered as it stands (sold out, too few copies, no
    # longer sold); empty when it can.
    problem: str
    # A price change since the line was added; empty when there was none.
    price_notice: str


@dataclasses.dataclass(frozen=True)
class CartView:
    """A cart as the cart page, checkout and the API show it."""

    cart_id: int
    currency: str
    lines: tuple[CartLine, ...]
    totals: Totals
    # Messages left by the merge at login, shown once (see `take_notices`).
    merge_notices: tuple[str, ...]

    @property
    def item_count(self) -> int:
        """Number of copies over all lines."""
        return sum(line.quantity for line in self.lines)

    @property
    def problems(self) -> list[str]:
        """Messages of the lines that keep the cart from being ordered."""
        return [line.problem for line in self.lines if line.problem]

    @property
    def price_notices(self) -> list[str]:
        """Messages of the lines whose price changed since they were added."""
        return [line.price_notice for line in self.lines if line.price_notice]

    @property
    def can_check_out(self) -> bool:
        """Whether the cart has lines and every line can be ordered as it stands."""
        return bool(self.lines) and not self.problems


# Validation.


def max_quantity() -> int:
    """Return the most copies of one book a cart or an order may hold."""
    return get_settings().cart_max_quantity


def check_quantity(value: Any, field: str = "quantity") -> int:
    """Check a requested quantity: a whole number from 1 to the per-order limit.

    Args:
        value: The quantity as received; bools, floats and text are rejected.
        field: Name of the input, used as the key of the error.

    Returns:
        The quantity.

    Raises:
        ValidationError: The value is not a whole number, or is out of range.
    """
    limit = max_quantity()
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {
                field: f"{value!r} is not a whole number: send an integer from 1 to {limit}."
            }
        )
    if value < 1:
        raise ValidationError(
            {field: f"{value} is too small: the quantity must be at least 1."}
        )
    if value > limit:
        raise ValidationError(
            {
                field: f"{value} is too large: at most {limit} copies of a book per order."
            }
        )
    return value


# Finding and creating carts.


def new_anonymous_token() -> str:
    """Return a new random token for a visitor's cart cookie."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def find_open_cart(
    session: Session, *, user_id: int | None = None, anonymous_token: str | None = None
) -> Cart | None:
    """Find the open cart of a user, or else of an anonymous token, without creating one."""
    if user_id is not None:
        statement = select(Cart).where(Cart.user_id == user_id)
    elif anonymous_token:
        statement = select(Cart).where(Cart.anonymous_token == anonymous_token)
    else:
        return None
    return session.exec(statement.where(Cart.status == CartStatus.OPEN.value)).first()


def get_or_create_cart(
    session: Session, *, user_id: int | None = None, anonymous_token: str | None = None
) -> Cart:
    """Return the open cart of a user, or of a visitor's anonymous token.

    A user always has at most one open cart (a partial unique index), and two
    simultaneous first calls get the same cart. A visitor's token whose cart was
    merged or ordered is spent: the visitor then gets a cart with a new token, so
    the caller must compare `cart.anonymous_token` with the cookie and set the
    cookie to the new token when they differ.

    Args:
        session: The caller's session.
        user_id: Owner when logged in; wins over the token.
        anonymous_token: The visitor's cookie value; a new one is made when None.

    Returns:
        The open cart.
    """
    now = utcnow()
    values = {
        "status": CartStatus.OPEN.value,
        "notice": "",
        "created_at": now,
        "updated_at": now,
    }
    if user_id is not None:
        existing = find_open_cart(session, user_id=user_id)
        if existing is not None:
            return existing
        _insert_ignoring_conflict(
            session, {**values, "user_id": user_id}, ["user_id"], OPEN_CART_CONDITION
        )
        return find_open_cart(session, user_id=user_id)

    if anonymous_token:
        cart = session.exec(
            select(Cart).where(Cart.anonymous_token == anonymous_token)
        ).first()
        if cart is not None and cart.status == CartStatus.OPEN.value:
            return cart
        if cart is None:
            _insert_ignoring_conflict(
                session,
                {**values, "anonymous_token": anonymous_token},
                ["anonymous_token"],
            )
            cart = find_open_cart(session, anonymous_token=anonymous_token)
            if cart is not None:
                return cart
    token = new_anonymous_token()
    _insert_ignoring_conflict(
        session, {**values, "anonymous_token": token}, ["anonymous_token"]
    )
    return find_open_cart(session, anonymous_token=token)


def _insert_ignoring_conflict(
    session: Session,
    values: dict[str, Any],
    conflict_columns: list[str],
    where: str | None = None,
) -> None:
    # INSERT ... ON CONFLICT DO NOTHING lets a losing racer read the winner's row,
    # with no savepoint (pysqlite commits when a savepoint opened before any write
    # is released).
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Cart.__table__).values(**values)
    statement = statement.on_conflict_do_nothing(
        index_elements=conflict_columns,
        index_where=text(where) if where else None,
    )
    session.execute(statement)


def lock_open_cart(session: Session, cart_id: int) -> None:
    """Lock a cart's row until the caller's transaction ends, if it is still open.

    The conditional UPDATE takes the row lock on PostgreSQL and the write lock on
    SQLite, so changes of one cart and its checkout run one after the other.

    Raises:
        ConflictError: The cart is no longer open (ordered or merged), or missing.
    """
    result = session.execute(
        update(Cart)
        .where(Cart.id == cart_id)
        .where(Cart.status == CartStatus.OPEN.value)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise ConflictError(CART_CLOSED_MESSAGE)


# Changing lines.


def _sellable_book(session: Session, book_id: Any) -> Book:
    if isinstance(book_id, bool) or not isinstance(book_id, int):
        raise ValidationError(
            {"book_id": f"{book_id!r} is not a book id: send an integer."}
        )
    book = session.get(Book, book_id) if is_row_id(book_id) else None
    if book is None or book.is_archived:
        msg = f"Book {book_id} not found: it is not in the catalog or no longer sold."
        raise NotFoundError(msg)
    store_currency = get_settings().default_currency.upper()
    if book.currency.upper() != store_currency:
        raise ValidationError(
            {
                "book_id": f"'{book.title}' is priced in {book.currency}, but carts "
                f"are in {store_currency}; it cannot be ordered."
            }
        )
    return book


def _line(session: Session, cart_id: int, book_id: int) -> CartItem | None:
    return session.exec(
        select(CartItem)
        .where(CartItem.cart_id == cart_id)
        .where(CartItem.book_id == book_id)
    ).first()


def contains_book(session: Session, cart: Cart, book_id: int) -> bool:
    """Tell whether a cart has a line for a book."""
    return _line(session, cart.id, book_id) is not None


def _capped_quantity(book: Book, wanted: int) -> tuple[int, str]:
    """Cap a quantity at the limit and the stock; return it and why it was capped."""
    limit = max_quantity()
    quantity = min(wanted, limit, book.stock_on_hand)
    if quantity == wanted:
        return quantity, ""
    if book.stock_on_hand < min(wanted, limit):
        copies = "copy" if book.stock_on_hand == 1 else "copies"
        return quantity, (
            f"Only {book.stock_on_hand} {copies} of '{book.title}' in stock, so your "
            f"cart has {quantity} instead of {wanted}."
        )
    return quantity, (
        f"At most {limit} copies of a book per order, so your cart has {quantity} of "
        f"'{book.title}' instead of {wanted}."
    )


def _sold_out(book: Book, requested: int) -> OutOfStockError:
    return OutOfStockError(
        [Shortage(book_id=book.id, title=book.title, requested=requested, available=0)]
    )


def add_book(
    session: Session, cart: Cart, book_id: int, quantity: int = 1
) -> CartChange:
    """Add copies of a book to a cart, or more copies to its line.

    The line's new quantity is capped at the per-order limit and at the copies on
    hand, and the returned message says so when that happened.

    Args:
        session: The caller's session.
        cart: An open cart (see `get_or_create_cart`).
        book_id: The book to add.
        quantity: Copies to add, from 1 to the per-order limit.

    Returns:
        The line's quantity now and a message for the shopper.

    Raises:
        ValidationError: The quantity or the id is not a whole number in range.
        NotFoundError: No book with that id is sold.
        OutOfStockError: The book is sold out; the cart is unchanged.
        ConflictError: The cart was ordered or merged meanwhile.
    """
    quantity = check_quantity(quantity)
    book = _sellable_book(session, book_id)
    lock_open_cart(session, cart.id)
    if book.stock_on_hand <= 0:
        raise _sold_out(book, quantity)

    line = _line(session, cart.id, book.id)
    current = line.quantity if line else 0
    new_quantity, capped_message = _capped_quantity(book, current + quantity)
    if line is None:
        line = CartItem(
            cart_id=cart.id,
            book_id=book.id,
            quantity=new_quantity,
            price_when_added=book.price,
        )
    else:
        line.quantity = new_quantity
    session.add(line)
    session.flush()

    added = new_quantity - current
    message = capped_message or (
        f"Added {added} {'copy' if added == 1 else 'copies'} of '{book.title}' to "
        "your cart."
    )
    logger.info(
        "cart %s: book %s quantity %s -> %s", cart.id, book.id, current, new_quantity
    )
    return CartChange(
        book_id=book.id,
        title=book.title,
        quantity=new_quantity,
        capped=bool(capped_message),
        message=message,
    )


def set_quantity(
    session: Session, cart: Cart, book_id: int, quantity: int
) -> CartChange:
    """Set the copies of a book already in a cart, capped at the copies on hand.

    Raises:
        ValidationError: The quantity is not a whole number from 1 to the limit.
        NotFoundError: The book is not in the cart, or no longer sold.
        OutOfStockError: The book is sold out; the line is unchanged.
        ConflictError: The cart was ordered or merged meanwhile.
    """
    quantity = check_quantity(quantity)
    book = _sellable_book(session, book_id)
    lock_open_cart(session, cart.id)
    line = _line(session, cart.id, book.id)
    if line is None:
        msg = f"'{book.title}' is not in your cart: add it first."
        raise NotFoundError(msg)
    if book.stock_on_hand <= 0:
        raise _sold_out(book, quantity)

    new_quantity, capped_message = _capped_quantity(book, quantity)
    line.quantity = new_quantity
    session.add(line)
    session.flush()
    return CartChange(
        book_id=book.id,
        title=book.title,
        quantity=new_quantity,
        capped=bool(capped_message),
        message=capped_message
        or f"Your cart now has {new_quantity} of '{book.title}'.",
    )


def remove_line(session: Session, cart: Cart, book_id: int) -> None:
    """Remove a book's line from a cart, whether or not the book is still sold.

    Raises:
        ValidationError: The id is not a whole number.
        NotFoundError: The book is not in the cart.
        ConflictError: The cart was ordered or merged meanwhile.
    """
    if isinstance(book_id, bool) or not isinstance(book_id, int):
        raise ValidationError(
            {"book_id": f"{book_id!r} is not a book id: send an integer."}
        )
    lock_open_cart(session, cart.id)
    if not is_row_id(book_id):
        raise NotFoundError(f"Book {book_id} is not in your cart.")
    result = session.execute(
        delete(CartItem)
        .where(CartItem.cart_id == cart.id)
        .where(CartItem.book_id == book_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        msg = f"Book {book_id} is not in your cart."
        raise NotFoundError(msg)


# Reading carts.


def count_items(session: Session, cart: Cart | None) -> int:
    """Count the copies in a cart, for the header's badge; 0 without a cart."""
    if cart is None:
        return 0
    total = session.exec(
        select(func.coalesce(func.sum(CartItem.quantity), 0)).where(
            CartItem.cart_id == cart.id
        )
    ).one()
    return int(total)


def view_cart(session: Session, cart: Cart) -> CartView:
    """List a cart's lines at current catalog prices, with totals and notices.

    Lines come in the order they were added. A line has a `problem` when its book
    sold out, has fewer copies than the line, is over the per-order limit or is no
    longer sold; checkout is possible only without problems. A line whose price
    changed since it was added has a `price_notice`. The totals use `price_lines`,
    the store's money rule, over every line at the current price.
    """
    rows = session.exec(
        select(CartItem, Book)
        .join(Book, Book.id == CartItem.book_id)
        .where(CartItem.cart_id == cart.id)
        .order_by(CartItem.added_at, CartItem.id)
        .options(selectinload(Book.authors))
    ).all()
    totals = price_lines([LineInput(book.price, item.quantity) for item, book in rows])
    lines = tuple(
        _cart_line(item, book, priced.line_total, totals.currency)
        for (item, book), priced in zip(rows, totals.lines, strict=True)
    )
    notices = tuple(line for line in (cart.notice or "").splitlines() if line.strip())
    return CartView(
        cart_id=cart.id,
        currency=totals.currency,
        lines=lines,
        totals=totals,
        merge_notices=notices,
    )


def _cart_line(
    item: CartItem, book: Book, line_total: Decimal, currency: str
) -> CartLine:
    limit = max_quantity()
    return CartLine(
        book_id=book.id,
        title=book.title,
        author_line=author_line(
            [AuthorRef(name=a.name, slug=a.slug) for a in book.authors]
        ),
        cover_path=cover_path(
            book.id, book.cover_image, book.title, [a.name for a in book.authors]
        ),
        quantity=item.quantity,
        unit_price=book.price,
        price_when_added=item.price_when_added,
        line_total=line_total,
        stock_on_hand=book.stock_on_hand,
        max_quantity=max(1, min(limit, book.stock_on_hand)),
        problem=_line_problem(item, book, limit),
        price_notice=_price_notice(item, book, currency),
    )


def _line_problem(item: CartItem, book: Book, limit: int) -> str:
    if book.is_archived:
        return f"'{book.title}' is no longer sold: remove it to check out."
    if book.stock_on_hand <= 0:
        return f"'{book.title}' is sold out: remove it to check out."
    if item.quantity > book.stock_on_hand:
        copies = "copy" if book.stock_on_hand == 1 else "copies"
        return (
            f"Only {book.stock_on_hand} {copies} of '{book.title}' left: lower the "
            f"quantity to {book.stock_on_hand} to check out."
        )
    if item.quantity > limit:
        return (
            f"At most {limit} copies of a book per order: lower the quantity of "
            f"'{book.title}' to check out."
        )
    return ""


def _price_notice(item: CartItem, book: Book, currency: str) -> str:
    if item.price_when_added == book.price:
        return ""
    direction = "went up" if book.price > item.price_when_added else "went down"
    return (
        f"The price of '{book.title}' {direction} from "
        f"{format_money(item.price_when_added, currency)} to "
        f"{format_money(book.price, currency)} since you added it."
    )


def take_notices(session: Session, cart: Cart) -> list[str]:
    """Return the messages of a login merge and clear them, so they show once."""
    notices = [line for line in (cart.notice or "").splitlines() if line.strip()]
    if notices:
        cart.notice = ""
        session.add(cart)
        session.flush()
    return notices


# Merging at login.


def merge_anonymous_cart(
    session: Session, *, anonymous_token: str | None, user_id: int
) -> list[str]:
    """Move a visitor's cart into the user's cart, as login does.

    Quantities of a book in both carts add up, capped at the per-order limit and at
    the copies on hand (a sold-out book keeps its quantity, and the cart page asks
    to remove it). Every other line moves as it is, with the price it was added at,
    so no line is lost or duplicated. The visitor's cart is marked merged and
    emptied, so replaying the merge does nothing. The messages are also stored on
    the user's cart for the cart page to show once.

    Args:
        session: The caller's session, usually the login's.
        anonymous_token: The visitor's cart cookie; nothing happens when None.
        user_id: The user who logged in.

    Returns:
        Messages for the shopper; empty when there was nothing to merge.
    """
    if not anonymous_token:
        return []
    visitor_cart = find_open_cart(session, anonymous_token=anonymous_token)
    if visitor_cart is None:
        return []
    user_cart = get_or_create_cart(session, user_id=user_id)
    try:
        for cart_id in sorted((visitor_cart.id, user_cart.id)):
            lock_open_cart(session, cart_id)
    except ConflictError:
        # Another login merged this visitor's cart a moment ago.
        return []

    visitor_lines = session.exec(
        select(CartItem)
        .where(CartItem.cart_id == visitor_cart.id)
        .order_by(CartItem.book_id)
    ).all()
    notices = _merge_lines(session, visitor_lines, user_cart)

    session.execute(
        delete(CartItem)
        .where(CartItem.cart_id == visitor_cart.id)
        .execution_options(synchronize_session=False)
    )
    visitor_cart.status = CartStatus.MERGED.value
    session.add(visitor_cart)
    if notices:
        earlier = [line for line in (user_cart.notice or "").splitlines() if line]
        user_cart.notice = "\n".join([*earlier, *notices])
        session.add(user_cart)
    session.flush()
    logger.info(
        "merged cart %s into cart %s of user %s: %d lines",
        visitor_cart.id,
        user_cart.id,
        user_id,
        len(visitor_lines),
    )
    return notices


def _merge_lines(
    session: Session, visitor_lines: Sequence[CartItem], user_cart: Cart
) -> list[str]:
    if not visitor_lines:
        return []
    limit = max_quantity()
    caps = []
    for visitor_line in visitor_lines:
        book = session.get(Book, visitor_line.book_id)
        existing = _line(session, user_cart.id, visitor_line.book_id)
        wanted = visitor_line.quantity + (existing.quantity if existing else 0)
        cap = min(limit, book.stock_on_hand) if book.stock_on_hand > 0 else limit
        quantity = min(wanted, cap)
        if quantity < wanted:
            reason = (
                f"only {book.stock_on_hand} in stock"
                if cap < limit
                else f"at most {limit} per order"
            )
            caps.append(
                f"'{book.title}': {wanted} copies together, capped at {quantity} "
                f"({reason})."
            )
        if existing is None:
            existing = CartItem(
                cart_id=user_cart.id,
                book_id=visitor_line.book_id,
                quantity=quantity,
                price_when_added=visitor_line.price_when_added,
                added_at=visitor_line.added_at,
            )
        else:
            existing.quantity = quantity
        session.add(existing)
    session.flush()
    books = "book" if len(visitor_lines) == 1 else "books"
    summary = (
        f"We added the {len(visitor_lines)} {books} you chose before logging in to "
        "your cart."
    )
    return [summary, *caps]
