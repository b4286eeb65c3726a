"""Admin page of review moderation: every review, hide with a reason, show again."""

from __future__ import annotations

import reflex as rx

from sky_readers.reviews.models import HIDE_REASON_MAX_LENGTH
from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.layout import STORE_NAME, page_on_load
from sky_readers.ui.states.admin_reviews import AdminReviewsState, ModerationRow
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.styles import TYPED_TEXT

ROUTE = "/admin/reviews"
FILTERS = ("all", "visible", "hidden")


def _review_cell(row: rx.Var[ModerationRow]) -> rx.Component:
    return rx.vstack(
        rx.link(row.book_title, href=row.book_href, weight="medium"),
        rx.hstack(
            rx.text(row.rating, " ★", weight="bold"),
            rx.text(row.title, weight="medium", **TYPED_TEXT),
            spacing="2",
        ),
        rx.text(
            row.body,
            size="2",
            white_space="pre-line",
            style={"wordBreak": "break-word"},
        ),
        rx.text(
            "by ",
            row.author,
            " (",
            row.author_email,
            ") on ",
            row.written,
            size="1",
            color_scheme="gray",
            **TYPED_TEXT,
        ),
        rx.hstack(
            rx.cond(row.verified, rx.badge("Verified purchase", color_scheme="green")),
            rx.text(
                row.helpful_count, " found it helpful", size="1", color_scheme="gray"
            ),
            spacing="2",
        ),
        rx.cond(
            row.hidden,
            rx.text("Hidden: ", row.hidden_reason, size="2", color_scheme="amber"),
        ),
        spacing="1",
        align="start",
    )


def _row(row: rx.Var[ModerationRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.id),
        rx.table.cell(_review_cell(row)),
        rx.table.cell(
            rx.cond(
                row.hidden,
                rx.badge("hidden", color_scheme="amber"),
                rx.badge("visible", color_scheme="green"),
            )
        ),
        rx.table.cell(
            rx.cond(
                row.hidden,
                rx.button(
                    "Show",
                    size="1",
                    variant="soft",
                    on_click=AdminReviewsState.show_review(row.id),
                    id="show-" + row.id.to_string(),
                ),
                rx.button(
                    "Hide",
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=AdminReviewsState.open_hide(row.id),
                    id="hide-" + row.id.to_string(),
                ),
            )
        ),
        id="moderation-row-" + row.id.to_string(),
    )


def _hide_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Hide review ", AdminReviewsState.hide_target),
            rx.dialog.description(
                "The review leaves the book page and its averages. Its author sees "
                "the reason below.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.text_area(
                        name="reason",
                        placeholder="Reason, for example: personal details of others",
                        max_length=HIDE_REASON_MAX_LENGTH,
                        width="100%",
                        id="hide-reason",
                    ),
                    rx.cond(
                        AdminReviewsState.hide_error != "",
                        rx.text(
                            "Reason ",
                            AdminReviewsState.hide_error,
                            size="2",
                            color_scheme="red",
                            id="hide-reason-error",
                        ),
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=AdminReviewsState.close_hide,
                        ),
                        rx.button(
                            "Hide review",
                            type="submit",
                            color_scheme="red",
                            id="hide-submit",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=AdminReviewsState.hide,
                reset_on_submit=False,
            ),
        ),
        open=AdminReviewsState.hide_target > 0,
        on_open_change=AdminReviewsState.hide_dialog_changed,
    )


def _table() -> rx.Component:
    return rx.cond(
        AdminReviewsState.total == 0,
        rx.callout("No reviews here.", icon="inbox", color_scheme="gray", width="100%"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Id"),
                    rx.table.column_header_cell("Review"),
                    rx.table.column_header_cell("State"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(AdminReviewsState.rows, _row)),
            width="100%",
            variant="surface",
        ),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous",
            variant="soft",
            on_click=AdminReviewsState.change_page(-1),
            disabled=AdminReviewsState.page <= 1,
        ),
        rx.text(
            "Page ", AdminReviewsState.page, " of ", AdminReviewsState.pages, size="2"
        ),
        rx.button(
            "Next",
            variant="soft",
            on_click=AdminReviewsState.change_page(1),
            disabled=AdminReviewsState.page >= AdminReviewsState.pages,
        ),
        align="center",
        spacing="3",
    )


def admin_reviews_page() -> rx.Component:
    """Build the review moderation page, whose content renders for admins only."""
    return admin_layout(
        ROUTE,
        rx.vstack(
            rx.heading("Reviews", as_="h1", size="7"),
            rx.segmented_control.root(
                *[
                    rx.segmented_control.item(
                        rx.text(
                            name.capitalize(),
                            " (",
                            AdminReviewsState.counts.get(name, 0),
                            ")",
                        ),
                        value=name,
                    )
                    for name in FILTERS
                ],
                value=AdminReviewsState.status_filter,
                on_change=AdminReviewsState.show_filter,
                id="review-filter",
            ),
            _table(),
            _pager(),
            _hide_dialog(),
            spacing="4",
            width="100%",
            align="start",
        ),
    )


def register_admin_reviews_page(app: rx.App) -> None:
    """Add the review moderation page at /admin/reviews, guarded for admins."""
    app.add_page(
        admin_reviews_page,
        route=ROUTE,
        title=f"Reviews · {STORE_NAME}",
        on_load=page_on_load(AuthState.require_admin, AdminReviewsState.load),
    )
