"""Pieces of the account pages: the card around a form, labelled fields, banners."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.states.auth import AuthState


def account_card(title: str, *children: rx.Component, **props) -> rx.Component:
    """Center a titled card of at most 460 px, as every account form uses."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, size="6", as_="h1"),
                *children,
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width="460px",
            size="3",
        ),
        padding_y=["16px", "32px"],
        width="100%",
        **props,
    )


def form_field(
    label: str,
    name: str,
    *,
    error: rx.Var | str = "",
    input_type: str = "text",
    autocomplete: str = "off",
    hint: str = "",
    **input_props,
) -> rx.Component:
    """Build a labelled input with its error message below it.

    Args:
        label: Visible label.
        name: Form field name, also the base of the element ids.
        error: Message shown below the field when not empty.
        input_type: HTML input type, such as "email" or "password".
        autocomplete: Value of the autocomplete attribute.
        hint: Help shown below the field when there is no error.
        **input_props: More props for the input.

    Returns:
        The field.

    """
    field_id = f"field-{name}"
    error_var = rx.Var.create(error)
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"), html_for=field_id, width="100%"
        ),
        rx.input(
            id=field_id,
            name=name,
            type=input_type,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            color_scheme=rx.cond(error_var != "", "red", "gray"),
            **input_props,
        ),
        rx.cond(
            error_var != "",
            rx.text(error_var, size="2", color_scheme="red", id=f"{name}-error"),
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="start",
    )


def notice(message: rx.Var | str, *, tone: str = "blue", icon: str = "info", **props):
    """Show a callout when the message is not empty."""
    message_var = rx.Var.create(message)
    return rx.cond(
        message_var != "",
        rx.callout(message_var, icon=icon, color_scheme=tone, width="100%", **props),
        rx.fragment(),
    )


def confirmation_banner() -> rx.Component:
    """Ask a logged-in user to confirm the address, with a button to resend the link."""
    return rx.cond(
        AuthState.logged_in & ~AuthState.email_confirmed,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail-warning")),
            rx.flex(
                rx.callout.text(
                    "Confirm your email address to place orders: open the link we "
                    "sent to ",
                    rx.text.strong(AuthState.user_email),
                    ".",
                ),
                rx.button(
                    "Send a new link",
                    on_click=AuthState.resend_confirmation,
                    size="1",
                    variant="outline",
                    id="resend-confirmation",
                ),
                rx.cond(
                    AuthState.resend_message != "",
                    rx.callout.text(AuthState.resend_message, size="1"),
                    rx.fragment(),
                ),
                direction="column",
                gap="2",
                align="start",
            ),
            color_scheme="amber",
            width="100%",
            id="confirmation-banner",
            margin_bottom="16px",
        ),
        rx.fragment(),
    )


def logout_button(**props) -> rx.Component:
    """Build a form that posts to /logout, which ends the session and the cookie."""
    return rx.el.form(
        rx.button(
            rx.icon("log-out", size=16),
            "Log out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            **props,
        ),
        action="/logout",
        method="post",
        # Without this Reflex adds a handler that prevents the native post.
        on_submit=None,
    )
