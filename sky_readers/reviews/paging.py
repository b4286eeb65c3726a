"""Checks of the list arguments that review lists take: an order or filter, and paging."""

from __future__ import annotations

from collections.abc import Sequence

from sky_readers.core.errors import ValidationError


def check_list_arguments(
    *,
    field: str,
    value: str,
    allowed: Sequence[str],
    page: int,
    page_size: int,
    max_page_size: int,
) -> None:
    """Check a list's sort or filter value, page number and page size together.

    Args:
        field: Name of the sort or filter argument, as the error names it.
        value: Its value, which must be one of `allowed`.
        allowed: The accepted values.
        page: Page number, 1 or more.
        page_size: Rows per page, 1 to `max_page_size`.
        max_page_size: Largest page a caller may request.

    Raises:
        ValidationError: One message per invalid argument.
    """
    errors = {}
    if value not in allowed:
        errors[field] = f"unknown {field} {value!r}: use one of {', '.join(allowed)}"
    if page < 1:
        errors["page"] = f"page must be 1 or more, not {page}"
    if not 1 <= page_size <= max_page_size:
        errors["page_size"] = (
            f"page size must be between 1 and {max_page_size}, not {page_size}"
        )
    if errors:
        raise ValidationError(errors)
