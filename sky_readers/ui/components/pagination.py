"""Pagination bar and sort control of the book lists."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.states.catalog import SORT_LABELS, PageLink


def _page_item(link: rx.Var[PageLink]) -> rx.Component:
    return rx.cond(
        link.gap,
        rx.text("…", color_scheme="gray", padding_x="4px"),
        rx.button(
            rx.link(
                link.label,
                href=link.href,
                underline="none",
                aria_current=rx.cond(link.current, "page", "false"),
                aria_label=rx.Var.create("Page ") + link.label,
            ),
            as_child=True,
            variant=rx.cond(link.current, "solid", "soft"),
            size="2",
            min_width="36px",
        ),
    )


def _step_button(label: str, href: rx.Var[str], icon: str, *, after: bool):
    parts = [rx.icon(icon, size=16), label]
    if after:
        parts.reverse()
    return rx.cond(
        href != "",
        rx.button(
            rx.link(*parts, href=href, underline="none", rel=label.lower()),
            as_child=True,
            variant="soft",
            size="2",
        ),
        rx.button(*parts, variant="soft", size="2", disabled=True),
    )


def pagination(state) -> rx.Component:
    """Show previous, page numbers and next for a list state with more than one page.

    Args:
        state: A state class with `pages`, `pagination`, `previous_href` and
            `next_href` vars.

    Returns:
        The navigation bar, or nothing when everything fits on one page.
    """
    return rx.cond(
        state.pages > 1,
        rx.flex(
            _step_button("Previous", state.previous_href, "chevron-left", after=False),
            rx.flex(
                rx.foreach(state.pagination, _page_item),
                spacing="1",
                align="center",
                display=["none", "flex"],
            ),
            rx.text(
                "Page ",
                state.page,
                " of ",
                state.pages,
                size="2",
                color_scheme="gray",
                display=["block", "none"],
            ),
            _step_button("Next", state.next_href, "chevron-right", after=True),
            as_="nav",
            aria_label="Pages",
            spacing="2",
            justify="center",
            align="center",
            margin_top="32px",
            wrap="wrap",
            id="pagination",
        ),
    )


def sort_select(
    state,
    labels: dict[str, str] = SORT_LABELS,
    *,
    element_id: str = "sort",
    aria_label: str = "Sort by",
) -> rx.Component:
    """Let the shopper choose the order of a list.

    Args:
        state: State with a `sort` var and a `change_sort` handler, which for book
            lists puts the choice into the URL.
        labels: Label of each sort key, in the order shown.
        element_id: Id of the control.
        aria_label: Accessible name of the select.

    Returns:
        The labelled select.
    """
    return rx.hstack(
        rx.text("Sort by", size="2", color_scheme="gray", as_="label"),
        rx.select.root(
            rx.select.trigger(aria_label=aria_label, min_width="170px"),
            rx.select.content(
                *[rx.select.item(label, value=key) for key, label in labels.items()]
            ),
            value=state.sort,
            on_change=state.change_sort,
            size="2",
        ),
        align="center",
        spacing="2",
        id=element_id,
    )
