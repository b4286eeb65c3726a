"""Import of every table module, so SQLModel's metadata holds the whole schema."""

from sky_readers.accounts.models import AuthSession, EmailToken, LoginAttempt, User
from sky_readers.cart.models import Cart, CartItem
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    Payment,
    SavedAddress,
)
from sky_readers.outbox.models import OutboxAttempt, OutboxEmail

__all__ = [
    "AuthSession",
    "Author",
    "Book",
    "BookAuthor",
    "BookCategory",
    "Cart",
    "CartItem",
    "Category",
    "EmailToken",
    "LoginAttempt",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OutboxAttempt",
    "OutboxEmail",
    "Payment",
    "SavedAddress",
    "User",
]
