"""States of the admin book pages: the filtered table, and the create and edit form.

Every handler looks the admin up again on the server before it reads or writes, so
a demoted or logged-out admin is sent to the login page by their next click.
"""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx

from sky_readers.adapters.storage import StorageError
from sky_readers.catalog import admin_books, cover_service
from sky_readers.catalog.book_form import BookForm
from sky_readers.catalog.cover_images import MAX_UPLOAD_BYTES, CoverRejectedError
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import parse_row_id
from sky_readers.core.money import format_money
from sky_readers.ui.states.auth import admin_user, login_redirect
from sky_readers.ui.states.catalog import clear_shared_lists, route_argument

logger = logging.getLogger(__name__)

# Text fields of the form, in the order the page shows them.
TEXT_FIELDS = (
    "title",
    "subtitle",
    "authors",
    "isbn",
    "price",
    "stock",
    "stock_reason",
    "publisher",
    "published_year",
    "language",
    "page_count",
    "description",
)
STATUS_LABELS = {"active": "In the store", "archived": "Archived", "all": "All"}
STOCK_LABELS = {"all": "Any stock", "low": "Low stock", "out": "Out of stock"}
SORT_LABELS = {
    "updated": "Recently changed",
    "title": "Title",
    "stock": "Stock, fewest first",
    "price": "Price, lowest first",
}
# Upload id of the cover drop zone on the book form.
COVER_UPLOAD_ID = "cover-upload"


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


@dataclasses.dataclass
class BookRow:
    """One row of the admin book table."""

    id: int = 0
    title: str = ""
    author_line: str = ""
    isbn: str = ""
    price: str = ""
    stock: int = 0
    low_stock: bool = False
    archived: bool = False
    cover_path: str = ""
    updated_at: str = ""


@dataclasses.dataclass
class CategoryOption:
    """A category checkbox of the book form."""

    id: int = 0
    name: str = ""


@dataclasses.dataclass
class StockEntry:
    """One line of a book's stock log."""

    changed_at: str = ""
    changed_by: str = ""
    change: str = ""
    reason: str = ""


class AdminBooksState(rx.State):
    """The admin book table: search, filters, sort and page."""

    rows: list[BookRow] = []
    query: str = ""
    status: str = "active"
    stock: str = "all"
    # Category filter as text, since selects carry strings; "all" for none.
    category: str = "all"
    sort: str = "updated"
    page: int = 1
    pages: int = 1
    total: int = 0
    categories: list[CategoryOption] = []
    error: str = ""
    loaded: bool = False

    def _load(self) -> None:
        category_id = int(self.category) if self.category.isdigit() else None
        try:
            with session_scope() as session:
                result = admin_books.list_books(
                    session,
                    query=self.query,
                    status=self.status,
                    stock=self.stock,
                    category_id=category_id,
                    sort=self.sort,
                    page=self.page,
                )
                choices = admin_books.category_choices(session)
        except ValidationError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.categories = [CategoryOption(id=i, name=n) for i, n in choices]
        self.rows = [
            BookRow(
                id=row.id,
                title=row.title,
                author_line=row.author_line,
                isbn=row.isbn13 or "",
                price=format_money(row.price, row.currency),
                stock=row.stock_on_hand,
                low_stock=row.stock_on_hand <= 5,
                archived=row.is_archived,
                cover_path=row.cover_path,
                updated_at=_when(row.updated_at),
            )
            for row in result.items
        ]
        self.page = result.page
        self.pages = result.pages
        self.total = result.total
        self.loaded = True

    @rx.event
    def load(self):
        """Show the first page with the filters of the URL's query string."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        params = self.router.url.query_parameters
        self.query = (params.get("q") or "")[: admin_books.QUERY_MAX]
        status = params.get("status", "active")
        self.status = status if status in admin_books.STATUS_FILTERS else "active"
        stock = params.get("stock", "all")
        self.stock = stock if stock in admin_books.STOCK_FILTERS else "all"
        self.page = 1
        self._load()
        return None

    @rx.event
    def search(self, form_data: dict):
        """Apply the search box and the filters, from the first page."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.query = str(form_data.get("q", ""))[: admin_books.QUERY_MAX]
        self.page = 1
        self._load()
        return None

    @rx.event
    def set_filter(self, name: str, value: str):
        """Change one filter (status, stock, category or sort) and show page 1."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        allowed = {
            "status": admin_books.STATUS_FILTERS,
            "stock": admin_books.STOCK_FILTERS,
            "sort": admin_books.SORTS,
        }
        if name in allowed and value in allowed[name]:
            setattr(self, name, value)
        elif name == "category" and (value == "all" or value.isdigit()):
            self.category = value
        self.page = 1
        self._load()
        return None

    @rx.event
    def go_to_page(self, step: int):
        """Move `step` pages forward, or back when negative."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.page = min(max(1, self.page + step), self.pages)
        self._load()
        return None

    @rx.event
    def set_archived(self, book_id: int, archived: bool):
        """Archive a book from the table, or put it back in the store."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        try:
            with session_scope() as session:
                admin_books.set_archived(session, book_id, archived, actor=user)
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        clear_shared_lists()
        self._load()
        return rx.toast.success(
            "Archived: the book left the store."
            if archived
            else "The book is back in the store."
        )


def _book_form(data: dict, categories: list[int]) -> BookForm:
    return BookForm(
        **{name: str(data.get(name, "") or "") for name in TEXT_FIELDS},
        category_ids=categories,
    )


class AdminBookFormState(rx.State):
    """The form that creates a book or edits one, with its cover and stock log."""

    # 0 while creating a new book.
    book_id: int = 0
    loaded: bool = False
    found: bool = True
    # Changes after each load, so the form's inputs take the loaded values.
    form_key: str = ""
    values: dict[str, str] = {}
    # Message per field name; "form" for the whole form.
    errors: dict[str, str] = {}
    categories: list[CategoryOption] = []
    selected_categories: list[int] = []
    # The stock shown when the form was loaded, for the compare-and-swap on save.
    expected_stock: int = 0
    is_archived: bool = False
    has_cover: bool = False
    cover_path: str = ""
    cover_error: str = ""
    history: list[StockEntry] = []
    price_label: str = ""

    @rx.var
    def is_new(self) -> bool:
        """Tell whether the form creates a book rather than editing one."""
        return self.book_id == 0

    @rx.var
    def heading(self) -> str:
        """Heading of the page."""
        if self.book_id == 0:
            return "New book"
        return self.values.get("title", "") or f"Book {self.book_id}"

    def _show(self, book_id: int) -> None:
        with session_scope() as session:
            choices = admin_books.category_choices(session)
            detail = (
                admin_books.get_book_for_admin(session, book_id) if book_id else None
            )
        self.categories = [CategoryOption(id=i, name=n) for i, n in choices]
        self.errors = {}
        self.cover_error = ""
        self.found = True
        if detail is None:
            self.book_id = 0
            self.values = {name: "" for name in TEXT_FIELDS}
            self.selected_categories = []
            self.expected_stock = 0
            self.is_archived = False
            self.has_cover = False
            self.cover_path = ""
            self.history = []
        else:
            form = detail.form
            self.book_id = detail.id
            self.values = {name: getattr(form, name) for name in TEXT_FIELDS}
            self.values["stock_reason"] = ""
            self.selected_categories = list(form.category_ids)
            self.expected_stock = detail.stock_on_hand
            self.is_archived = detail.is_archived
            self.has_cover = detail.cover_image is not None
            self.cover_path = detail.cover_path
            self.history = [
                StockEntry(
                    changed_at=_when(change.changed_at),
                    changed_by=change.changed_by_email,
                    change=f"{change.old_stock} → {change.new_stock}",
                    reason=change.reason,
                )
                for change in detail.history
            ]
        self.form_key = f"{self.book_id}-{len(self.history)}-{self.cover_path}"
        self.loaded = True

    @rx.event
    def load(self):
        """Load the book of the URL (/admin/books/<id>), or an empty form (/new)."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        argument = route_argument(self.router.url.path)
        self.loaded = False
        if argument == "new":
            self._show(0)
            return None
        book_id = parse_row_id(argument)
        if book_id is None:
            self.found = False
            self.loaded = True
            return None
        try:
            self._show(book_id)
        except NotFoundError:
            self.found = False
            self.loaded = True
        return None

    @rx.event
    def toggle_category(self, category_id: int):
        """Tick or untick a category of the book."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if category_id in self.selected_categories:
            self.selected_categories = [
                i for i in self.selected_categories if i != category_id
            ]
        else:
            self.selected_categories = [*self.selected_categories, category_id]
        return None

    @rx.event
    def save(self, form_data: dict):
        """Check every field and create or update the book; errors go beside fields."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        self.values = {name: str(form_data.get(name, "") or "") for name in TEXT_FIELDS}
        form = _book_form(form_data, self.selected_categories)
        try:
            with session_scope() as session:
                if self.book_id == 0:
                    book_id = admin_books.create_book(session, form, actor=user)
                else:
                    book_id = self.book_id
                    admin_books.update_book(
                        session,
                        book_id,
                        form,
                        actor=user,
                        expected_stock=self.expected_stock,
                    )
        except ValidationError as exc:
            self.errors = dict(exc.errors)
            return rx.toast.error("Nothing was saved: fix the fields marked in red.")
        except NotFoundError:
            self.found = False
            return rx.toast.error("This book no longer exists.")
        clear_shared_lists()
        if self.book_id == 0:
            return [
                rx.redirect(f"/admin/books/{book_id}"),
                rx.toast.success("Book created. You can add its cover now."),
            ]
        self._show(book_id)
        return rx.toast.success("Saved.")

    @rx.event
    async def upload_cover(self, files: list[rx.UploadFile]):
        """Check the chosen image on the server and make it the book's cover."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if self.book_id == 0:
            self.cover_error = "Save the book first, then add its cover."
            return None
        if not files:
            self.cover_error = "Choose a JPEG, PNG or WebP image first."
            return None
        if len(files) > 1:
            self.cover_error = "Choose one image, not several."
            return None
        upload = files[0]

        # Reflex checks no size on the server: read one byte past the limit to know.
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            cover_service.replace_cover(self.book_id, data)
        except CoverRejectedError as exc:
            self.cover_error = exc.message
            return rx.toast.error("The cover was not changed.")
        except StorageError:
            logger.exception("Cover upload of book %d failed", self.book_id)
            self.cover_error = "Cover storage is unavailable; try again later."
            return rx.toast.error("The cover was not changed.")

        clear_shared_lists()
        self._show(self.book_id)
        return [
            rx.clear_selected_files(COVER_UPLOAD_ID),
            rx.toast.success("Cover saved."),
        ]

    @rx.event
    def remove_cover(self):
        """Go back to the drawn placeholder cover."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if self.book_id:
            cover_service.remove_cover(self.book_id)
            clear_shared_lists()
            self._show(self.book_id)
        return rx.toast.success("The placeholder cover is back.")

    @rx.event
    def set_archived(self, archived: bool):
        """Archive the book or put it back in the store."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        if not self.book_id:
            return None
        with session_scope() as session:
            admin_books.set_archived(session, self.book_id, archived, actor=user)
        clear_shared_lists()
        self._show(self.book_id)
        return rx.toast.success(
            "Archived: the book left the store but stays on past orders."
            if archived
            else "The book is back in the store."
        )
