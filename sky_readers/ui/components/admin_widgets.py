"""Small pieces shared by the admin pages: headings, figures, fields, pagers."""

from __future__ import annotations

import reflex as rx


def page_heading(title: str, *actions: rx.Component) -> rx.Component:
    """Show an admin page's title with its main actions on the right."""
    return rx.hstack(
        rx.heading(title, as_="h1", size="7"),
        rx.spacer(),
        *actions,
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )


def figure_card(
    label: str,
    value,
    *,
    element_id: str,
    href: rx.Var[str] | str | None = None,
    tone: str = "gray",
) -> rx.Component:
    """Show one figure with its label, optionally as a link to its details."""
    card = rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.heading(value, size="6", id=element_id, color_scheme=tone),
            spacing="1",
        ),
        min_width="160px",
        flex="1",
    )
    if href is not None:
        return rx.link(card, href=href, underline="none", flex="1")
    return card


def field_error(errors: rx.Var, name: str) -> rx.Component:
    """Show the message of one field under it, when there is one."""
    return rx.cond(
        errors.contains(name),
        rx.text(
            errors[name],
            color_scheme="red",
            size="1",
            id=f"error-{name}",
            role="alert",
        ),
    )


def labelled(
    label: str,
    name: str,
    control: rx.Component,
    errors: rx.Var,
    *,
    hint: str = "",
) -> rx.Component:
    """Stack a label, a form control, its hint and its error message."""
    return rx.vstack(
        rx.el.label(
            label,
            html_for=f"field-{name}",
            style={"fontSize": "14px", "fontWeight": "500"},
        ),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        field_error(errors, name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def pager(state) -> rx.Component:
    """Show Previous and Next buttons with the page position of a list state.

    The state needs `page`, `pages`, `total` and a `go_to_page(step)` event.
    """
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            on_click=state.go_to_page(-1),
            disabled=state.page <= 1,
        ),
        rx.text(
            "Page ", state.page, " of ", state.pages, " · ", state.total, " in all"
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            on_click=state.go_to_page(1),
            disabled=state.page >= state.pages,
        ),
        align="center",
        spacing="3",
    )


def choice(
    label: str, value, options: dict[str, str], on_change, *, element_id: str
) -> rx.Component:
    """Show a labelled select whose options map values to labels."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(id=element_id, min_width="150px"),
            rx.select.content(
                *[rx.select.item(text, value=key) for key, text in options.items()]
            ),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )
