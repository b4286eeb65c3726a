"""Column types shared by the tables: money and UTC times."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


def utcnow() -> dt.datetime:
    """Return the current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so values are converted to UTC before they are written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            msg = f"naive datetime {value!r}: pass a timezone-aware UTC time"
            raise ValueError(msg)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class FixedDecimal(TypeDecorator):
    """A fixed-point number read and written as Decimal, never float.

    PostgreSQL stores NUMERIC(precision, scale). SQLite has no exact decimal type, so
    there the value is stored as an integer count of units of the last decimal place,
    which keeps sums exact.
    """

    impl = Numeric
    cache_ok = True

    def __init__(
        self, precision: int = 12, scale: int = 2, asdecimal: bool = True
    ) -> None:
        """Set the number of digits and of decimals.

        Args:
            precision: Total number of digits.
            scale: Number of digits after the decimal point.
            asdecimal: Kept for the signature of Numeric; values are always Decimal.
        """
        super().__init__(precision, scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(
            Numeric(self.precision, self.scale, asdecimal=True)
        )

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            msg = f"exact amounts must be Decimal or int, not float ({value!r})"
            raise TypeError(msg)
        amount = Decimal(value).quantize(self.quantum, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(amount.scaleb(self.scale))
        return amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)


class Money(FixedDecimal):
    """An amount of money: NUMERIC(12, 2), or integer cents on SQLite."""

    cache_ok = True
