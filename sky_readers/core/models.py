"""Import of every table module, so SQLModel's metadata holds the whole schema."""

from sky_readers.accounts.models import AuthSession, EmailToken, LoginAttempt, User
from sky_readers.cart.models import Cart, CartItem
from sky_readers.catalog.admin_models import CategoryRedirect, StockChange
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    Payment,
    SavedAddress,
)
from sky_readers.outbox.models import OutboxAttempt, OutboxEmail
from sky_readers.recommendations.models import (
    BookNeighbour,
    GoodbooksRating,
    RecommendationBuild,
)
from sky_readers.reviews.models import Review, ReviewVote
from sky_readers.wishlist.models import RestockWatch, WishlistItem

__all__ = [
    "AuthSession",
    "Author",
    "Book",
    "BookAuthor",
    "BookCategory",
    "BookNeighbour",
    "Cart",
    "CartItem",
    "Category",
    "CategoryRedirect",
    "EmailToken",
    "GoodbooksRating",
    "LoginAttempt",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OutboxAttempt",
    "OutboxEmail",
    "Payment",
    "RecommendationBuild",
    "RestockWatch",
    "Review",
    "ReviewVote",
    "SavedAddress",
    "StockChange",
    "User",
    "WishlistItem",
]
