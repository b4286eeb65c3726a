"""Admin page /admin/import/google: search Google Books, preview, import, bulk import."""

from __future__ import annotations

import reflex as rx

from sky_readers.catalog.google_catalog import (
    DEFAULT_BULK_QUERY_VOLUMES,
    MAX_BULK_ISBNS,
    MAX_BULK_QUERY_VOLUMES,
)
from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.layout import STORE_NAME, page_on_load
from sky_readers.ui.states.admin_google_import import (
    LANGUAGES,
    ROUTE,
    AdminGoogleImportState,
    BulkRow,
    VolumeRow,
)
from sky_readers.ui.states.auth import AuthState

State = AdminGoogleImportState
# The admin menu's entry for every import page.
MENU_ROUTE = "/admin/import"
OUTCOME_COLORS = {
    "created": "green",
    "updated": "blue",
    "skipped": "amber",
    "failed": "red",
}


def _error_text(message, element_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, size="1", color_scheme="red", id=element_id),
    )


def _labelled(
    label: str, html_for: str, control, error, error_id: str, hint="", width="100%"
):
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=html_for),
        control,
        rx.cond(
            error != "",
            rx.text(error, size="1", color_scheme="red", id=error_id),
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        ),
        spacing="1",
        align="start",
        width=width,
    )


# ---------------------------------------------------------------------------------
# Search and preview


def _search_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(
                _labelled(
                    "Google Books query",
                    "google-query",
                    rx.input(
                        name="query",
                        id="google-query",
                        default_value=State.query,
                        placeholder="Title words, an ISBN, or intitle:dune",
                        max_length=300,
                        size="3",
                        width="100%",
                        color_scheme=rx.cond(State.query_error != "", "red", "gray"),
                    ),
                    State.query_error,
                    "google-query-error",
                    hint="Operators: isbn:, intitle:, inauthor:, subject:",
                ),
                flex="1",
                min_width="240px",
            ),
            rx.vstack(
                rx.el.label(
                    rx.text("Language", size="2", weight="medium"),
                    html_for="google-language",
                ),
                rx.select.root(
                    rx.select.trigger(id="google-language", aria_label="Language"),
                    rx.select.content(
                        *[
                            rx.select.item(label, value=code)
                            for code, label in LANGUAGES.items()
                        ]
                    ),
                    value=State.language,
                    on_change=State.set_language,
                    size="3",
                ),
                spacing="1",
            ),
            rx.button(
                rx.cond(State.searching, rx.spinner(size="2"), rx.icon("search")),
                "Search",
                type="submit",
                size="3",
                disabled=State.searching,
                id="google-search",
                margin_top="22px",
            ),
            spacing="3",
            wrap="wrap",
            align="start",
            width="100%",
        ),
        on_submit=State.search,
        width="100%",
        id="google-search-form",
    )


def _cover(row: VolumeRow) -> rx.Component:
    return rx.cond(
        row.thumbnail != "",
        rx.image(
            src=row.thumbnail,
            alt="",
            width="48px",
            height="72px",
            object_fit="cover",
            loading="lazy",
            referrer_policy="no-referrer",
            border_radius="4px",
        ),
        rx.center(
            rx.icon("book", size=20, color="var(--gray-9)"),
            width="48px",
            height="72px",
            background="var(--gray-3)",
            border_radius="4px",
        ),
    )


def _volume_details(row: VolumeRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.title, weight="bold", size="2"),
        rx.text(row.authors, size="2"),
        rx.text(
            rx.cond(row.isbn13 != "", "ISBN " + row.isbn13, "No ISBN"),
            rx.cond(row.published != "", " · " + row.published, ""),
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            row.categories != "",
            rx.text(row.categories, size="1", color_scheme="gray"),
        ),
        rx.cond(
            row.in_catalog,
            rx.link(
                rx.badge("In catalog", color_scheme="blue"),
                href=f"/books/{row.book_id}",
                title=row.catalog_label,
            ),
            rx.badge("New", color_scheme="green"),
        ),
        rx.cond(row.in_catalog, rx.text(row.catalog_label, size="1")),
        spacing="1",
        align="start",
    )


def _row_input(
    row: VolumeRow, field: str, value, placeholder, error, on_change, label: str
) -> rx.Component:
    return rx.vstack(
        rx.input(
            value=value,
            placeholder=placeholder,
            on_change=on_change,
            id=f"{field}-{row.volume_id}",
            aria_label=f"{label} of {row.title}",
            input_mode="decimal" if field == "price" else "numeric",
            size="2",
            width="120px",
            color_scheme=rx.cond(error != "", "red", "gray"),
        ),
        _error_text(error, f"{field}-error-{row.volume_id}"),
        spacing="1",
        max_width="200px",
    )


def _volume_row(row: VolumeRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=row.selected,
                on_change=lambda checked: State.toggle(row.volume_id, checked),
                id=f"select-{row.volume_id}",
                aria_label=f"Import {row.title}",
            )
        ),
        rx.table.cell(_cover(row)),
        rx.table.cell(_volume_details(row)),
        rx.table.cell(rx.text(row.google_price, size="2")),
        rx.table.cell(
            _row_input(
                row,
                "price",
                row.price,
                row.price_placeholder,
                row.price_error,
                lambda value: State.set_price(row.volume_id, value),
                "Price",
            )
        ),
        rx.table.cell(
            _row_input(
                row,
                "stock",
                row.stock,
                row.stock_placeholder,
                row.stock_error,
                lambda value: State.set_stock(row.volume_id, value),
                "Stock",
            )
        ),
        rx.table.cell(
            rx.text(row.outcome, size="1", id=f"outcome-{row.volume_id}"),
            max_width="180px",
        ),
        id=f"volume-{row.volume_id}",
        class_name="google-volume",
        data_in_catalog=rx.cond(row.in_catalog, "true", "false"),
    )


def _preview() -> rx.Component:
    toolbar = rx.flex(
        rx.text(
            State.results.length(),
            " volumes for “",
            State.searched_for,
            "”",
            size="2",
            id="google-results-count",
        ),
        rx.spacer(),
        rx.checkbox(
            "Select all",
            on_change=State.toggle_all,
            checked=(State.selected_count == State.results.length())
            & (State.selected_count > 0),
            id="select-all",
        ),
        rx.button(
            rx.cond(State.importing, rx.spinner(size="2"), rx.icon("download")),
            "Import selected (",
            State.selected_count,
            ")",
            on_click=State.import_selected,
            disabled=State.importing | (State.selected_count == 0),
            id="import-selected",
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
    )
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(""),
                rx.table.column_header_cell(""),
                rx.table.column_header_cell("Volume"),
                rx.table.column_header_cell("Google price"),
                rx.table.column_header_cell("Store price"),
                rx.table.column_header_cell("Stock"),
                rx.table.column_header_cell("Result"),
            )
        ),
        rx.table.body(rx.foreach(State.results, _volume_row)),
        variant="surface",
        width="100%",
        id="google-results",
    )
    return rx.cond(
        State.searched_for != "",
        rx.vstack(
            rx.cond(
                State.search_error != "",
                rx.callout(
                    State.search_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    id="google-search-error",
                ),
            ),
            rx.cond(
                State.import_summary != "",
                rx.callout(
                    "Import finished: " + State.import_summary,
                    icon="circle-check",
                    color_scheme="green",
                    width="100%",
                    id="import-summary",
                ),
            ),
            rx.cond(
                State.results.length() > 0,
                rx.vstack(
                    toolbar,
                    rx.text(
                        "Leave a price empty to use Google's price for a new book "
                        "or keep the price of a book already in the catalog; leave "
                        "the stock empty for the default or to keep it.",
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.box(table, width="100%", overflow_x="auto"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    State.search_error == "",
                    rx.callout(
                        "Google Books found no volumes for this query.",
                        icon="search-x",
                        color_scheme="gray",
                        width="100%",
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
    )


# ---------------------------------------------------------------------------------
# Bulk import


def _bulk_source() -> rx.Component:
    isbns = _labelled(
        "ISBNs",
        "bulk-isbns",
        rx.text_area(
            name="isbns",
            id="bulk-isbns",
            placeholder="One ISBN-10 or ISBN-13 per line",
            rows="6",
            width="100%",
            color_scheme=rx.cond(State.bulk_errors.contains("isbns"), "red", "gray"),
        ),
        State.bulk_errors.get("isbns", ""),
        "bulk-isbns-error",
        hint=f"Up to {MAX_BULK_ISBNS}, separated by lines, commas or spaces.",
    )
    query = rx.flex(
        rx.box(
            _labelled(
                "Google Books query",
                "bulk-query",
                rx.input(
                    name="bulk_query",
                    id="bulk-query",
                    placeholder="inauthor:tchaikovsky",
                    max_length=300,
                    width="100%",
                ),
                State.bulk_errors.get("query", ""),
                "bulk-query-error",
            ),
            flex="1",
            min_width="240px",
        ),
        rx.box(
            _labelled(
                "Volumes at most",
                "bulk-max-volumes",
                rx.input(
                    name="max_volumes",
                    id="bulk-max-volumes",
                    placeholder=str(DEFAULT_BULK_QUERY_VOLUMES),
                    input_mode="numeric",
                    width="120px",
                ),
                State.bulk_errors.get("max_volumes", ""),
                "bulk-max-volumes-error",
                hint=f"1 to {MAX_BULK_QUERY_VOLUMES}",
            ),
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )
    return rx.cond(State.bulk_mode == "isbns", isbns, query)


def _bulk_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.segmented_control.root(
                rx.segmented_control.item("ISBN list", value="isbns"),
                rx.segmented_control.item("Query", value="query"),
                value=State.bulk_mode,
                on_change=State.set_bulk_mode,
                id="bulk-mode",
            ),
            _bulk_source(),
            rx.flex(
                _labelled(
                    "Price for volumes Google does not sell",
                    "bulk-price",
                    rx.input(
                        name="bulk_price",
                        id="bulk-price",
                        placeholder="e.g. 12.99",
                        input_mode="decimal",
                        width="160px",
                    ),
                    State.bulk_errors.get("price", ""),
                    "bulk-price-error",
                    hint="Without it, such volumes are skipped.",
                    width="auto",
                ),
                _labelled(
                    "Stock of each new book",
                    "bulk-stock",
                    rx.input(
                        name="bulk_stock",
                        id="bulk-stock",
                        placeholder="Default",
                        input_mode="numeric",
                        width="160px",
                    ),
                    State.bulk_errors.get("stock", ""),
                    "bulk-stock-error",
                    hint="Books already in the catalog keep theirs.",
                    width="auto",
                ),
                spacing="4",
                wrap="wrap",
            ),
            rx.button(
                rx.icon("list-plus"),
                "Start bulk import",
                type="submit",
                disabled=State.bulk_running,
                id="bulk-start",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=State.start_bulk,
        width="100%",
        id="bulk-form",
    )


def _bulk_row(row: BulkRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.key)),
        rx.table.cell(
            rx.match(
                row.outcome,
                *[
                    (name, rx.badge(name, color_scheme=color))
                    for name, color in OUTCOME_COLORS.items()
                ],
                rx.badge(row.outcome),
            )
        ),
        rx.table.cell(
            rx.cond(
                row.book_id > 0,
                rx.link(row.title, href=f"/books/{row.book_id}"),
                rx.text(row.title),
            )
        ),
        rx.table.cell(rx.text(row.message, size="1")),
        class_name="bulk-row",
    )


def _bulk_report() -> rx.Component:
    return rx.vstack(
        rx.cond(
            State.bulk_running | (State.bulk_summary != ""),
            rx.vstack(
                rx.progress(
                    value=State.bulk_percent, max=100, width="100%", id="bulk-progress"
                ),
                rx.text(State.bulk_progress_label, size="2", id="bulk-progress-label"),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            State.bulk_summary != "",
            rx.callout(
                "Bulk import finished: " + State.bulk_summary,
                icon="circle-check",
                width="100%",
                id="bulk-summary",
            ),
        ),
        rx.cond(
            State.bulk_rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("ISBN or volume"),
                            rx.table.column_header_cell("Result"),
                            rx.table.column_header_cell("Book"),
                            rx.table.column_header_cell("Details"),
                        )
                    ),
                    rx.table.body(rx.foreach(State.bulk_rows, _bulk_row)),
                    variant="surface",
                    width="100%",
                    id="bulk-report",
                ),
                width="100%",
                overflow_x="auto",
            ),
        ),
        spacing="3",
        width="100%",
    )


def admin_google_import_page() -> rx.Component:
    """Build the Google Books import page, whose content renders for admins only."""
    return admin_layout(
        MENU_ROUTE,
        rx.vstack(
            rx.link("← All imports", href=MENU_ROUTE, size="2"),
            rx.heading("Import from Google Books", as_="h1", size="7"),
            rx.text(
                "Find volumes, check which the store already has, and import them. "
                "A volume with the ISBN-13, or else the Google volume id, of a "
                "catalog book updates that book instead of adding another.",
                size="2",
                color_scheme="gray",
            ),
            rx.card(
                rx.vstack(
                    rx.heading("Search and preview", as_="h2", size="4"),
                    _search_form(),
                    _preview(),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.heading("Bulk import", as_="h2", size="4"),
                    _bulk_form(),
                    _bulk_report(),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                id="bulk-import",
            ),
            spacing="4",
            width="100%",
            align="start",
        ),
    )


def register_admin_google_import_page(app: rx.App) -> None:
    """Add the page at /admin/import/google, guarded for admins."""
    app.add_page(
        admin_google_import_page,
        route=ROUTE,
        title=f"Import from Google Books · {STORE_NAME}",
        on_load=page_on_load(AuthState.require_admin, AdminGoogleImportState.load),
    )
