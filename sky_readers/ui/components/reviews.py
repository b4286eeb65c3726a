"""The reviews section of the book page: rating summary, review form and list.

Review titles and text go into text components only, so React escapes them and a
review can never add markup to the page.
"""

from __future__ import annotations

import reflex as rx

from sky_readers.reviews.rating_rule import IMPORTED_WEIGHT_CAP
from sky_readers.ui.components.pagination import sort_select
from sky_readers.ui.components.rating import STAR_COLOUR, rating_stars
from sky_readers.ui.states.reviews import (
    FORM_LIMITS,
    REVIEW_SORT_LABELS,
    ReviewRow,
    ReviewsState,
    StarBar,
)
from sky_readers.ui.styles import TYPED_TEXT

SERIF = "Georgia, 'Times New Roman', serif"


def _stars(count: rx.Var[int], size: int = 14) -> rx.Component:
    return rx.hstack(
        *[
            rx.icon(
                "star",
                size=size,
                color=STAR_COLOUR,
                fill=rx.cond(count > i, STAR_COLOUR, "none"),
            )
            for i in range(5)
        ],
        spacing="0",
        aria_label=rx.Var.create("") + count.to_string() + " out of 5 stars",
    )


def _bar(bar: rx.Var[StarBar]) -> rx.Component:
    return rx.hstack(
        rx.text(bar.stars, " ★", size="2", width="36px", white_space="nowrap"),
        rx.progress(value=bar.percent, max=100, width="160px", color_scheme="amber"),
        rx.text(bar.count, size="2", color_scheme="gray", min_width="24px"),
        align="center",
        spacing="2",
    )


def _summary() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(ReviewsState.average, size="8", weight="bold", id="review-average"),
            rating_stars(
                ReviewsState.stars, ReviewsState.average, ReviewsState.count_label
            ),
            rx.cond(
                ReviewsState.imported_label != "",
                rx.text(
                    "Readers elsewhere: ",
                    ReviewsState.imported_label,
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.text(
                "Our shoppers: ",
                ReviewsState.reviews_label,
                size="2",
                color_scheme="gray",
                id="review-store-label",
            ),
            rx.popover.root(
                rx.popover.trigger(
                    rx.button(
                        rx.icon("info", size=14),
                        "How we combine them",
                        variant="ghost",
                        size="1",
                        color_scheme="gray",
                        id="rating-rule",
                    )
                ),
                rx.popover.content(
                    rx.text(
                        "The shown average adds our shoppers' stars to the rating the "
                        f"book came with, which counts as at most {IMPORTED_WEIGHT_CAP} "
                        "reviews, so your reviews always move it. Reviews an admin "
                        "hid are left out.",
                        size="2",
                    ),
                    max_width="320px",
                ),
            ),
            spacing="1",
            align="start",
        ),
        rx.vstack(
            rx.foreach(ReviewsState.bars, _bar),
            spacing="1",
            id="review-distribution",
            aria_label="Store reviews per star",
        ),
        spacing="6",
        wrap="wrap",
        align="start",
    )


def _star_picker() -> rx.Component:
    return rx.hstack(
        *[
            rx.icon_button(
                rx.icon(
                    "star",
                    size=22,
                    color=STAR_COLOUR,
                    fill=rx.cond(
                        ReviewsState.form_rating >= stars, STAR_COLOUR, "none"
                    ),
                ),
                type="button",
                variant="ghost",
                on_click=ReviewsState.pick_rating(stars),
                aria_label=f"{stars} star" + ("" if stars == 1 else "s"),
                id=f"star-pick-{stars}",
            )
            for stars in range(1, 6)
        ],
        spacing="1",
        role="group",
        aria_label="Your rating",
    )


def _field_error(name: str) -> rx.Component:
    message = ReviewsState.errors.get(name, "")
    return rx.cond(
        message != "",
        rx.text(message, size="2", color_scheme="red", id=f"review-{name}-error"),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Your rating", size="2", weight="medium"),
            _star_picker(),
            _field_error("rating"),
            rx.el.label(
                rx.text("Title (optional)", size="2", weight="medium"),
                html_for="review-title",
            ),
            rx.input(
                id="review-title",
                name="title",
                default_value=ReviewsState.form_title,
                max_length=FORM_LIMITS["title"],
                width="100%",
            ),
            _field_error("title"),
            rx.el.label(
                rx.text("Your review (optional)", size="2", weight="medium"),
                html_for="review-body",
            ),
            rx.text_area(
                id="review-body",
                name="body",
                default_value=ReviewsState.form_body,
                max_length=FORM_LIMITS["body"],
                rows="6",
                width="100%",
            ),
            _field_error("body"),
            rx.hstack(
                rx.button(
                    rx.cond(ReviewsState.has_review, "Save changes", "Post review"),
                    type="submit",
                    id="review-submit",
                ),
                rx.cond(
                    ReviewsState.editing,
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=ReviewsState.cancel_edit,
                    ),
                ),
                spacing="3",
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=ReviewsState.submit,
        key=ReviewsState.form_version.to_string(),
        id="review-form",
        width="100%",
        max_width="640px",
    )


def _own_review() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Your review", weight="bold"),
                _stars(ReviewsState.mine.rating),
                spacing="3",
                align="center",
            ),
            rx.cond(
                ReviewsState.mine_hidden_reason != "",
                rx.callout(
                    rx.text(
                        "An admin hid this review, so others do not see it: ",
                        ReviewsState.mine_hidden_reason,
                    ),
                    icon="eye-off",
                    color_scheme="amber",
                    id="review-hidden-notice",
                ),
            ),
            rx.cond(
                ReviewsState.mine.title != "",
                rx.text(ReviewsState.mine.title, weight="medium", **TYPED_TEXT),
            ),
            rx.text(ReviewsState.mine.body, white_space="pre-line", **TYPED_TEXT),
            rx.hstack(
                rx.button(
                    "Edit",
                    variant="soft",
                    on_click=ReviewsState.start_edit,
                    id="review-edit",
                ),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button(
                            "Delete",
                            variant="soft",
                            color_scheme="red",
                            id="review-delete",
                        )
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Delete your review?"),
                        rx.alert_dialog.description(
                            "Your rating and text are removed from this book for good."
                        ),
                        rx.hstack(
                            rx.alert_dialog.cancel(
                                rx.button(
                                    "Keep it", variant="soft", color_scheme="gray"
                                )
                            ),
                            rx.alert_dialog.action(
                                rx.button(
                                    "Delete",
                                    color_scheme="red",
                                    on_click=ReviewsState.delete_review,
                                    id="review-delete-confirm",
                                )
                            ),
                            spacing="3",
                            justify="end",
                        ),
                    ),
                ),
                spacing="3",
            ),
            spacing="2",
            align="start",
        ),
        id="my-review",
        width="100%",
        max_width="640px",
    )


def _write_area() -> rx.Component:
    return rx.cond(
        ReviewsState.logged_in,
        rx.cond(
            ReviewsState.has_review & ~ReviewsState.editing,
            _own_review(),
            _form(),
        ),
        rx.text(
            rx.link(
                "Log in",
                href="/login?next=/books/" + ReviewsState.review_book_id.to_string(),
                id="review-login",
            ),
            " to rate this book and write a review.",
        ),
    )


def _review_item(review: rx.Var[ReviewRow]) -> rx.Component:
    return rx.box(
        rx.hstack(
            _stars(review.rating),
            rx.cond(
                review.title != "",
                rx.text(
                    review.title, weight="bold", class_name="review-title", **TYPED_TEXT
                ),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            rx.text(review.author, size="2", weight="medium", **TYPED_TEXT),
            rx.text(review.date, size="2", color_scheme="gray"),
            rx.cond(review.edited, rx.text("(edited)", size="1", color_scheme="gray")),
            rx.cond(
                review.verified,
                rx.badge(
                    rx.icon("badge-check", size=14),
                    "Verified purchase",
                    color_scheme="green",
                    class_name="verified-badge",
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            margin_top="4px",
        ),
        rx.cond(
            review.body != "",
            rx.text(
                review.body,
                white_space="pre-line",
                margin_top="8px",
                class_name="review-body",
                **TYPED_TEXT,
            ),
        ),
        rx.hstack(
            rx.cond(
                review.own,
                rx.text(
                    review.helpful_count,
                    " found this helpful",
                    size="1",
                    color_scheme="gray",
                ),
                rx.button(
                    rx.icon("thumbs-up", size=14),
                    rx.cond(review.voted, "You found this helpful", "Helpful"),
                    " (",
                    review.helpful_count,
                    ")",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    disabled=review.voted,
                    on_click=ReviewsState.mark_helpful(review.id),
                    class_name="review-helpful",
                ),
            ),
            margin_top="8px",
        ),
        padding_y="14px",
        border_bottom="1px solid var(--gray-4)",
        class_name="review",
        id="review-" + review.id.to_string(),
    )


def _list_header() -> rx.Component:
    return rx.flex(
        rx.heading(
            ReviewsState.total,
            " review",
            rx.cond(ReviewsState.total == 1, "", "s"),
            as_="h3",
            size="4",
        ),
        sort_select(
            ReviewsState,
            REVIEW_SORT_LABELS,
            element_id="review-sort",
            aria_label="Sort reviews by",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.cond(
        ReviewsState.pages > 1,
        rx.hstack(
            rx.button(
                "Previous",
                variant="soft",
                disabled=ReviewsState.page <= 1,
                on_click=ReviewsState.go_to_page(ReviewsState.page - 1),
            ),
            rx.text("Page ", ReviewsState.page, " of ", ReviewsState.pages, size="2"),
            rx.button(
                "Next",
                variant="soft",
                disabled=ReviewsState.page >= ReviewsState.pages,
                on_click=ReviewsState.go_to_page(ReviewsState.page + 1),
                id="review-next",
            ),
            align="center",
            spacing="3",
            margin_top="12px",
        ),
    )


def reviews_section() -> rx.Component:
    """Build the reviews section: summary, the viewer's review or form, the list."""
    return rx.cond(
        ReviewsState.loaded,
        rx.vstack(
            rx.heading("Ratings and reviews", as_="h2", size="6", font_family=SERIF),
            _summary(),
            _write_area(),
            _list_header(),
            rx.cond(
                ReviewsState.total == 0,
                rx.text(
                    "No reviews yet. Be the first to share what you thought.",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.foreach(ReviewsState.reviews, _review_item),
                    width="100%",
                    id="review-list",
                ),
            ),
            _pager(),
            spacing="4",
            width="100%",
            align="start",
            id="reviews",
            margin_top="48px",
            scroll_margin_top="96px",
        ),
    )
