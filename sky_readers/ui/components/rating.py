"""Star ratings for cards and the book page."""

from __future__ import annotations

import reflex as rx

STAR_COLOUR = "#e0a12b"


def rating_compact(rating: rx.Var[str], count: rx.Var[str]) -> rx.Component:
    """Show one star, the average and the number of ratings, for book cards.

    Plain elements styled by assets/store.css, since lists repeat the card.
    """
    return rx.el.div(
        # SVG attributes rather than style props, for the same reason.
        rx.icon(
            "star", size=14, custom_attrs={"color": STAR_COLOUR, "fill": STAR_COLOUR}
        ),
        rx.el.span(rating, class_name="book-card-rating-value"),
        rx.el.span("(", count, ")", class_name="book-card-rating-count"),
        class_name="book-card-rating",
        aria_label=rx.Var.create("Rated ") + rating + " from " + count + " ratings",
    )


def rating_stars(
    stars: rx.Var[int], rating: rx.Var[str], count: rx.Var[str]
) -> rx.Component:
    """Show five stars with `stars` of them filled, the average and the count."""
    return rx.hstack(
        rx.hstack(
            *[
                rx.icon(
                    "star",
                    size=18,
                    color=STAR_COLOUR,
                    fill=rx.cond(stars > i, STAR_COLOUR, "none"),
                )
                for i in range(5)
            ],
            spacing="0",
        ),
        rx.text(rating, weight="bold"),
        rx.text(count, " ratings", color_scheme="gray", size="2"),
        spacing="2",
        align="center",
        aria_label=rx.Var.create("Rated ") + rating + " out of 5 from " + count,
    )
