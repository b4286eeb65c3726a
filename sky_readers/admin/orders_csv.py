"""CSV export of orders for spreadsheets, safe against formula injection.

Spreadsheet programs run a cell that starts with =, +, - or @ as a formula, and
some also treat a leading tab or carriage return that way. Names, addresses and
book titles come from shoppers and catalog sources, so every text cell that starts
with one of those characters gets a leading apostrophe, which spreadsheets show as
plain text. Amounts are written as plain decimal text such as 37.36, never with a
currency sign, and are not altered.

The file is UTF-8 with a byte order mark, so Excel reads accented names correctly,
and rows end with CRLF as RFC 4180 asks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from sky_readers.admin.orders import ExportRow
from sky_readers.core.money import currency_exponent

# First characters that make a spreadsheet cell a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"
COLUMNS = (
    "order_number",
    "placed_at_utc",
    "status",
    "customer_name",
    "customer_email",
    "ship_to_name",
    "ship_to_city",
    "ship_to_country",
    "payment_method",
    "card_brand",
    "card_last4",
    "copies",
    "books",
    "subtotal",
    "shipping",
    "tax",
    "total",
    "currency",
)


def neutralise_formula(text: str) -> str:
    """Prefix an apostrophe to text that a spreadsheet would run as a formula."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def plain_amount(amount: Decimal, currency: str) -> str:
    """Write an amount as plain decimal text with the currency's decimals: 37.36."""
    quantum = Decimal(1).scaleb(-currency_exponent(currency))
    return f"{amount.quantize(quantum):f}"


def _books(row: ExportRow) -> str:
    # The title comes first, so a hostile title starts the cell and gets neutralised.
    return "; ".join(f"{item.title} × {item.quantity}" for item in row.items)


def export_record(row: ExportRow) -> list[str]:
    """Build the cells of one order, in the order of COLUMNS."""
    order = row.order
    payment = row.payment
    texts = [
        order.number,
        order.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        order.status,
        row.customer_name,
        row.customer_email,
        order.ship_name,
        order.ship_city,
        order.ship_country,
        order.payment_method,
        payment.card_brand if payment else "",
        payment.card_last4 if payment else "",
    ]
    cells = [neutralise_formula(text) for text in texts]
    cells.append(str(sum(item.quantity for item in row.items)))
    cells.append(neutralise_formula(_books(row)))
    for amount in (order.subtotal, order.shipping, order.tax, order.total):
        cells.append(plain_amount(amount, order.currency))
    cells.append(neutralise_formula(order.currency))
    return cells


def _line(cells: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def csv_chunks(rows: Iterable[ExportRow]) -> Iterator[str]:
    """Yield the CSV text: the byte order mark and header first, then one line per order."""
    yield BYTE_ORDER_MARK + _line(COLUMNS)
    for row in rows:
        yield _line(export_record(row))
