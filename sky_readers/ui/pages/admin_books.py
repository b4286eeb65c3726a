"""Admin book pages: the searchable table, and the create and edit form with cover."""

from __future__ import annotations

import reflex as rx

from sky_readers.catalog.cover_images import MAX_SIDE
from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.admin_widgets import (
    choice,
    labelled,
    page_heading,
    pager,
)
from sky_readers.ui.components.cover import cover_image
from sky_readers.ui.components.layout import not_found_message
from sky_readers.ui.states.admin_books import (
    COVER_UPLOAD_ID,
    SORT_LABELS,
    STATUS_LABELS,
    STOCK_LABELS,
    AdminBookFormState,
    AdminBooksState,
    BookRow,
    CategoryOption,
    StockEntry,
)

LIST_ROUTE = "/admin/books"
NEW_ROUTE = "/admin/books/new"
EDIT_ROUTE = "/admin/books/[book_id]"


# ------------------------------------------------------------------------- the table


def _filters() -> rx.Component:
    state = AdminBooksState
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    default_value=state.query,
                    placeholder="Title, author or ISBN",
                    id="admin-book-search",
                    width="260px",
                ),
                rx.button(rx.icon("search", size=16), "Search", type="submit"),
                align="end",
            ),
            on_submit=state.search,
        ),
        choice(
            "Status",
            state.status,
            STATUS_LABELS,
            lambda value: state.set_filter("status", value),
            element_id="filter-status",
        ),
        choice(
            "Stock",
            state.stock,
            STOCK_LABELS,
            lambda value: state.set_filter("stock", value),
            element_id="filter-stock",
        ),
        rx.vstack(
            rx.text("Category", size="1", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(id="filter-category", min_width="170px"),
                rx.select.content(
                    rx.select.item("Any category", value="all"),
                    rx.foreach(
                        state.categories,
                        lambda c: rx.select.item(c.name, value=c.id.to_string()),
                    ),
                ),
                value=state.category,
                on_change=lambda value: state.set_filter("category", value),
            ),
            spacing="1",
        ),
        choice(
            "Sort",
            state.sort,
            SORT_LABELS,
            lambda value: state.set_filter("sort", value),
            element_id="filter-sort",
        ),
        spacing="3",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _row(book: rx.Var[BookRow]) -> rx.Component:
    edit = "/admin/books/" + book.id.to_string()
    return rx.table.row(
        rx.table.cell(
            rx.link(cover_image(book.cover_path, book.title, width="44px"), href=edit)
        ),
        rx.table.cell(
            rx.vstack(
                rx.link(book.title, href=edit, weight="medium"),
                rx.text(book.author_line, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(book.isbn, size="1", font_family="monospace")),
        rx.table.cell(book.price),
        rx.table.cell(
            rx.badge(
                book.stock,
                color_scheme=rx.cond(
                    book.stock == 0, "red", rx.cond(book.low_stock, "amber", "green")
                ),
            )
        ),
        rx.table.cell(
            rx.cond(
                book.archived,
                rx.badge("Archived", color_scheme="gray"),
                rx.badge("In store", color_scheme="green"),
            )
        ),
        rx.table.cell(rx.text(book.updated_at, size="1")),
        rx.table.cell(
            rx.cond(
                book.archived,
                rx.button(
                    "Restore",
                    size="1",
                    variant="soft",
                    on_click=AdminBooksState.set_archived(book.id, False),
                ),
                rx.button(
                    "Archive",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AdminBooksState.set_archived(book.id, True),
                ),
            )
        ),
        id="admin-book-" + book.id.to_string(),
        align="center",
    )


def _table() -> rx.Component:
    return rx.cond(
        AdminBooksState.total == 0,
        rx.callout(
            "No book matches these filters.", icon="search-x", color_scheme="gray"
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Cover"),
                    rx.table.column_header_cell("Title"),
                    rx.table.column_header_cell("ISBN"),
                    rx.table.column_header_cell("Price"),
                    rx.table.column_header_cell("Stock"),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Changed"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(AdminBooksState.rows, _row)),
            variant="surface",
            width="100%",
            id="admin-books-table",
        ),
    )


def admin_books_page() -> rx.Component:
    """Build the book table page."""
    return admin_layout(
        LIST_ROUTE,
        rx.vstack(
            page_heading(
                "Books",
                rx.button(
                    rx.link(
                        rx.icon("plus", size=16),
                        "New book",
                        href=NEW_ROUTE,
                        underline="none",
                        id="new-book",
                    ),
                    as_child=True,
                ),
            ),
            _filters(),
            rx.cond(
                AdminBooksState.error != "",
                rx.callout(
                    AdminBooksState.error, color_scheme="red", icon="triangle-alert"
                ),
            ),
            _table(),
            pager(AdminBooksState),
            spacing="4",
            width="100%",
        ),
    )


# -------------------------------------------------------------------------- the form


def _input(name: str, **props) -> rx.Component:
    return rx.input(
        name=name,
        id=f"field-{name}",
        default_value=AdminBookFormState.values[name],
        width="100%",
        **props,
    )


def _field(label: str, name: str, hint: str = "", **props) -> rx.Component:
    return labelled(
        label, name, _input(name, **props), AdminBookFormState.errors, hint=hint
    )


def _category(option: rx.Var[CategoryOption]) -> rx.Component:
    return rx.checkbox(
        option.name,
        checked=AdminBookFormState.selected_categories.contains(option.id),
        on_change=lambda _checked: AdminBookFormState.toggle_category(option.id),
        id="category-" + option.id.to_string(),
    )


def _form_fields() -> rx.Component:
    errors = AdminBookFormState.errors
    return rx.vstack(
        _field("Title", "title"),
        _field("Subtitle", "subtitle"),
        _field("Authors", "authors", hint="Separate several authors with commas."),
        rx.grid(
            _field("ISBN", "isbn", hint="ISBN-10 or ISBN-13; hyphens are fine."),
            _field("Price (USD)", "price", hint="Such as 12.99.", input_mode="decimal"),
            _field("Copies in stock", "stock", input_mode="numeric"),
            _field(
                "Reason for a stock change",
                "stock_reason",
                hint="Kept in the stock log, such as 'Delivery from the publisher'.",
            ),
            _field("Publisher", "publisher"),
            _field("Publication year", "published_year", input_mode="numeric"),
            _field("Language", "language", hint="ISO 639 code, such as en."),
            _field("Pages", "page_count", input_mode="numeric"),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        labelled(
            "Description",
            "description",
            rx.text_area(
                name="description",
                id="field-description",
                default_value=AdminBookFormState.values["description"],
                rows="6",
                width="100%",
            ),
            errors,
        ),
        rx.vstack(
            rx.text("Categories", size="2", weight="medium"),
            rx.flex(
                rx.foreach(AdminBookFormState.categories, _category),
                wrap="wrap",
                spacing="4",
            ),
            rx.cond(
                errors.contains("category_ids"),
                rx.text(errors["category_ids"], color_scheme="red", size="1"),
            ),
            spacing="2",
            width="100%",
        ),
        rx.hstack(
            rx.button(
                rx.cond(AdminBookFormState.is_new, "Create book", "Save changes"),
                type="submit",
                id="save-book",
                size="3",
            ),
            rx.link("Back to the books", href=LIST_ROUTE),
            spacing="4",
            align="center",
        ),
        spacing="4",
        width="100%",
    )


def _cover_panel() -> rx.Component:
    state = AdminBookFormState
    return rx.card(
        rx.vstack(
            rx.heading("Cover", as_="h2", size="4"),
            rx.cond(
                state.is_new,
                rx.text(
                    "Save the book first; then you can upload its cover here.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.vstack(
                    rx.box(
                        cover_image(state.cover_path, state.heading, eager=True),
                        width="200px",
                        id="cover-preview",
                    ),
                    rx.upload(
                        rx.vstack(
                            rx.icon("image-up", size=24),
                            rx.text("Drop an image here, or click to choose one."),
                            rx.text(
                                f"JPEG, PNG or WebP, up to 5 MB and {MAX_SIDE} pixels "
                                "a side.",
                                size="1",
                                color_scheme="gray",
                            ),
                            align="center",
                            spacing="1",
                        ),
                        id=COVER_UPLOAD_ID,
                        max_files=1,
                        multiple=False,
                        accept={
                            "image/jpeg": [".jpg", ".jpeg"],
                            "image/png": [".png"],
                            "image/webp": [".webp"],
                        },
                        border="1px dashed var(--gray-8)",
                        border_radius="8px",
                        padding="16px",
                        width="100%",
                        cursor="pointer",
                    ),
                    rx.foreach(
                        rx.selected_files(COVER_UPLOAD_ID),
                        lambda name: rx.text(name, size="1", id="selected-cover"),
                    ),
                    rx.hstack(
                        rx.button(
                            "Upload cover",
                            on_click=state.upload_cover(
                                rx.upload_files(upload_id=COVER_UPLOAD_ID)
                            ),
                            id="upload-cover",
                        ),
                        rx.cond(
                            state.has_cover,
                            rx.button(
                                "Use placeholder",
                                variant="soft",
                                color_scheme="gray",
                                on_click=state.remove_cover,
                                id="remove-cover",
                            ),
                        ),
                        spacing="2",
                    ),
                    rx.cond(
                        state.cover_error != "",
                        rx.text(
                            state.cover_error,
                            color_scheme="red",
                            size="2",
                            id="error-cover",
                            role="alert",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _history_row(entry: rx.Var[StockEntry]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(entry.changed_at, size="1")),
        rx.table.cell(entry.change),
        rx.table.cell(rx.text(entry.changed_by, size="1")),
        rx.table.cell(rx.text(entry.reason, size="1")),
    )


def _side_panel() -> rx.Component:
    state = AdminBookFormState
    return rx.vstack(
        _cover_panel(),
        rx.cond(
            state.is_new,
            rx.fragment(),
            rx.card(
                rx.vstack(
                    rx.heading("In the store", as_="h2", size="4"),
                    rx.cond(
                        state.is_archived,
                        rx.vstack(
                            rx.badge("Archived", color_scheme="gray"),
                            rx.text(
                                "Shoppers no longer see it; past orders still do.",
                                size="2",
                            ),
                            rx.button(
                                "Put back in the store",
                                on_click=state.set_archived(False),
                                id="restore-book",
                            ),
                        ),
                        rx.vstack(
                            rx.link(
                                "View in the store",
                                href="/books/" + state.book_id.to_string(),
                            ),
                            rx.button(
                                "Archive",
                                color_scheme="red",
                                variant="soft",
                                on_click=state.set_archived(True),
                                id="archive-book",
                            ),
                        ),
                    ),
                    spacing="2",
                ),
                width="100%",
            ),
        ),
        rx.cond(
            state.history.length() > 0,
            rx.card(
                rx.heading("Stock log", as_="h2", size="4", margin_bottom="8px"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("Stock"),
                            rx.table.column_header_cell("Who"),
                            rx.table.column_header_cell("Why"),
                        )
                    ),
                    rx.table.body(rx.foreach(state.history, _history_row)),
                    size="1",
                ),
                width="100%",
                id="stock-log",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _form_page_content() -> rx.Component:
    state = AdminBookFormState
    return rx.cond(
        state.loaded,
        rx.cond(
            state.found,
            rx.vstack(
                page_heading(state.heading),
                rx.flex(
                    rx.form(
                        _form_fields(),
                        on_submit=state.save,
                        key=state.form_key,
                        id="book-form",
                        flex="2",
                        min_width="0",
                        width="100%",
                    ),
                    rx.box(_side_panel(), flex="1", min_width="260px"),
                    direction=rx.breakpoints(initial="column", lg="row"),
                    spacing="5",
                    width="100%",
                    align="start",
                ),
                spacing="4",
                width="100%",
            ),
            not_found_message("Book not found", "No book has this number."),
        ),
        rx.center(rx.spinner(size="3"), padding_y="64px"),
    )


def admin_book_form_page() -> rx.Component:
    """Build the page that creates or edits a book."""
    return admin_layout(LIST_ROUTE, _form_page_content())
