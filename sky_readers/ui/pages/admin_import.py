"""Admin import page: the goodbooks CSV upload, and the way to the Google Books import."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.admin_widgets import page_heading
from sky_readers.ui.states.admin_import import UPLOAD_ID, AdminImportState

ROUTE = "/admin/import"
GOOGLE_ROUTE = "/admin/import/google"


def _pair(row: rx.Var[list[str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row[0]), rx.table.cell(rx.text(row[1], weight="bold"))
    )


def _summary() -> rx.Component:
    state = AdminImportState
    return rx.cond(
        state.has_summary,
        rx.card(
            rx.heading("Last import", as_="h2", size="4", margin_bottom="8px"),
            rx.flex(
                rx.table.root(
                    rx.table.body(rx.foreach(state.summary_lines, _pair)),
                    size="1",
                    id="import-summary",
                ),
                rx.cond(
                    state.skipped_lines.length() > 0,
                    rx.vstack(
                        rx.text("Skipped rows by reason", weight="medium", size="2"),
                        rx.table.root(
                            rx.table.body(rx.foreach(state.skipped_lines, _pair)),
                            size="1",
                            id="import-skipped",
                        ),
                    ),
                ),
                spacing="6",
                wrap="wrap",
            ),
            width="100%",
        ),
    )


def _goodbooks() -> rx.Component:
    state = AdminImportState
    return rx.card(
        rx.vstack(
            rx.heading("Goodbooks CSV files", as_="h2", size="4"),
            rx.text(
                "Upload books.csv of the goodbooks-10k format. Add tags.csv and "
                "book_tags.csv to file the books into categories. Existing books are "
                "matched by goodbooks id, Goodreads id and ISBN, and updated without "
                "touching their price, stock, description or cover.",
                size="2",
            ),
            rx.upload(
                rx.vstack(
                    rx.icon("file-up", size=24),
                    rx.text("Drop the CSV files here, or click to choose them."),
                    rx.text("Up to 64 MB per file.", size="1", color_scheme="gray"),
                    align="center",
                    spacing="1",
                ),
                id=UPLOAD_ID,
                multiple=True,
                max_files=3,
                accept={"text/csv": [".csv"]},
                border="1px dashed var(--gray-8)",
                border_radius="8px",
                padding="16px",
                width="100%",
                cursor="pointer",
                disabled=state.running,
            ),
            rx.foreach(
                rx.selected_files(UPLOAD_ID),
                lambda name: rx.badge(name, variant="soft", class_name="selected-csv"),
            ),
            rx.button(
                rx.icon("play", size=16),
                "Start import",
                on_click=state.start(rx.upload_files(upload_id=UPLOAD_ID)),
                loading=state.running,
                id="start-import",
            ),
            rx.cond(
                state.running | state.has_summary,
                rx.vstack(
                    rx.progress(
                        value=state.progress,
                        max=100,
                        width="100%",
                        id="import-progress",
                    ),
                    rx.text(
                        state.step,
                        " · ",
                        state.progress,
                        "%",
                        size="1",
                        id="import-step",
                    ),
                    width="100%",
                    spacing="1",
                ),
            ),
            rx.cond(
                state.error != "",
                rx.callout(
                    state.error,
                    color_scheme="red",
                    icon="triangle-alert",
                    id="import-error",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def admin_import_page() -> rx.Component:
    """Build the import page."""
    return admin_layout(
        ROUTE,
        rx.vstack(
            page_heading(
                "Import",
                rx.button(
                    rx.link(
                        rx.icon("search", size=16),
                        "Import from Google Books",
                        href=GOOGLE_ROUTE,
                        underline="none",
                        id="google-import-link",
                    ),
                    as_child=True,
                    variant="soft",
                ),
            ),
            _goodbooks(),
            _summary(),
            spacing="4",
            width="100%",
        ),
    )
