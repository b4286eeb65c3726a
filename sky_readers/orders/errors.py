"""Errors of carts, checkout and orders; the API and the pages turn them into messages."""

from __future__ import annotations

import dataclasses

from sky_readers.core.errors import SkyReadersError


class ConflictError(SkyReadersError):
    """Raised when the request clashes with the current state of a cart or order."""


@dataclasses.dataclass(frozen=True)
class Shortage:
    """A book that cannot be sold in the quantity asked for."""

    book_id: int
    title: str
    requested: int
    # Copies still on hand; 0 when sold out or no longer sold.
    available: int


class OutOfStockError(ConflictError):
    """Raised when a book sold out, or has fewer copies than asked for."""

    def __init__(self, shortages: list[Shortage]) -> None:
        """Name every book that is short and what is left of it.

        Args:
            shortages: The books that cannot be sold as asked.
        """
        self.shortages = shortages
        parts = []
        for item in shortages:
            if item.available <= 0:
                parts.append(f"'{item.title}' is sold out")
            else:
                parts.append(
                    f"only {item.available} of '{item.title}' left "
                    f"(you asked for {item.requested})"
                )
        super().__init__(
            "Not enough stock: "
            + "; ".join(parts)
            + ". Remove the book or lower the quantity in your cart; nothing was "
            "charged."
        )


class PriceChangedError(ConflictError):
    """Raised when the total changed after the shopper saw it at checkout."""

    def __init__(self, shown_total: str, new_total: str) -> None:
        """Build the message from both totals, formatted for display.

        Args:
            shown_total: The total the checkout page showed.
            new_total: The total at current prices.
        """
        super().__init__(
            f"Prices changed while you were checking out: the total is now "
            f"{new_total} instead of {shown_total}. Review your order and place it "
            "again; nothing was charged."
        )


class InvalidTransitionError(ConflictError):
    """Raised when an order cannot move from its state to the one asked for."""
