"""Request and response models of the admin API routes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt
from pydantic_core import PydanticCustomError

from sky_readers.core.ids import MAX_ROW_ID


def _whole_number_or_text(value: Any) -> Any:
    # Without this check pydantic would read true as 1 and store a stock of 1, and
    # would reject 1.5 with two messages named after the members of the union.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError(
            "whole_number",
            "{value} is not a whole number: send one such as 10, as a JSON integer "
            "or as text",
            {"value": json.dumps(value, default=str)},
        )
    return value


# Numbers may arrive as JSON integers or as text. Prices arrive only as text, because
# most clients read a JSON number such as 12.99 as a float, which may lose cents.
WholeNumber = Annotated[int | str, BeforeValidator(_whole_number_or_text)]


class BookWrite(BaseModel):
    """Fields of a book sent by an admin client; the book form's rules apply."""

    model_config = ConfigDict(extra="forbid")

    title: str = ""
    subtitle: str = ""
    authors: list[str] = Field(default_factory=list, description="In credited order.")
    isbn: str = Field(default="", description="ISBN-10 or ISBN-13; empty for none.")
    price: str = Field(default="", description="Amount as text, such as '12.99'.")
    stock: WholeNumber = ""
    description: str = ""
    publisher: str = ""
    published_year: WholeNumber = ""
    language: str = Field(default="", description="ISO 639 code, such as en.")
    page_count: WholeNumber = ""
    category_ids: list[StrictInt] = Field(default_factory=list)
    stock_reason: str = Field(default="", description="Kept in the stock change log.")


class BookPatch(BaseModel):
    """Fields to change on a book; fields left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    subtitle: str | None = None
    authors: list[str] | None = None
    isbn: str | None = None
    price: str | None = None
    stock: WholeNumber | None = None
    description: str | None = None
    publisher: str | None = None
    published_year: WholeNumber | None = None
    language: str | None = None
    page_count: WholeNumber | None = None
    category_ids: list[StrictInt] | None = None
    stock_reason: str | None = None
    expected_stock: StrictInt | None = Field(
        default=None,
        description=(
            "The stock the client last read; the change is rejected with 422 when "
            "the stock differs now, so a sale made meanwhile is not overwritten."
        ),
    )


class StockChangePublic(BaseModel):
    """One entry of a book's stock log."""

    changed_at: dt.datetime
    changed_by_email: str
    old_stock: int
    new_stock: int
    reason: str


class BookAdmin(BaseModel):
    """A book as admins see it, archived or not."""

    id: int
    title: str
    subtitle: str | None
    authors: list[str]
    isbn: str | None
    price: str
    currency: str
    stock_on_hand: int
    is_archived: bool
    description: str
    publisher: str | None
    published_year: int | None
    language: str | None
    page_count: int | None
    category_ids: list[int]
    cover_url: str
    has_cover: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    stock_changes: list[StockChangePublic]


class BookAdminRow(BaseModel):
    """A book in the admin list."""

    id: int
    title: str
    authors: str
    isbn13: str | None
    price: str
    currency: str
    stock_on_hand: int
    is_archived: bool
    cover_url: str
    updated_at: dt.datetime


class BookAdminPage(BaseModel):
    """One page of the admin book list."""

    data: list[BookAdminRow]
    count: int
    page: int
    pages: int


class UserAdmin(BaseModel):
    """An account as admins see it."""

    id: int
    email: str
    name: str
    handle: str | None
    role: str
    is_active: bool
    email_confirmed: bool
    created_at: dt.datetime


class UserAdminPage(BaseModel):
    """One page of the admin account list."""

    data: list[UserAdmin]
    count: int
    page: int
    pages: int


class RoleChange(BaseModel):
    """The role to give an account."""

    model_config = ConfigDict(extra="forbid")

    role: str = Field(description="admin or shopper")


class CategoryAdmin(BaseModel):
    """A category with its book counts and former slugs."""

    id: int
    name: str
    slug: str
    description: str
    store_books: int
    all_books: int
    old_slugs: list[str]


class CategoryWrite(BaseModel):
    """Name and description of a category."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str | None = None


class CategoryMerge(BaseModel):
    """The category that absorbs the one being merged."""

    model_config = ConfigDict(extra="forbid")

    target_id: int = Field(ge=1, le=MAX_ROW_ID)


class CategoryMergeResult(BaseModel):
    """Outcome of a merge."""

    moved: int
    already_there: int
    redirected_slugs: list[str]
