"""Checkout page: shipping address, payment method, summary and the order button."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.account_forms import (
    confirmation_banner,
    form_field,
    notice,
)
from sky_readers.ui.components.layout import page_layout
from sky_readers.ui.pages.cart import SERIF, notices_list, totals_box
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.states.checkout import (
    CheckoutState,
    SummaryLine,
    TestCardRow,
)


def _error(name: str) -> rx.Var:
    return CheckoutState.errors.get(name, "")


def _address_field(label: str, name: str, autocomplete: str, **props) -> rx.Component:
    return form_field(
        label,
        name,
        error=_error(name),
        autocomplete=autocomplete,
        default_value=CheckoutState.address.get(name, ""),
        key=CheckoutState.address.get(name, "") + name,
        **props,
    )


def _country_field() -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text("Country", size="2", weight="medium"),
            html_for="field-country",
        ),
        rx.el.select(
            rx.foreach(
                CheckoutState.countries,
                lambda c: rx.el.option(c.name, value=c.code),
            ),
            name="country",
            id="field-country",
            default_value=CheckoutState.address_country,
            key=CheckoutState.address_country,
            auto_complete="country",
            style={
                "width": "100%",
                "height": "40px",
                "borderRadius": "6px",
                "border": "1px solid var(--gray-7)",
                "padding": "0 8px",
                "background": "white",
            },
        ),
        rx.cond(
            _error("country") != "",
            rx.text(
                _error("country"), size="2", color_scheme="red", id="country-error"
            ),
        ),
        spacing="1",
        width="100%",
    )


def _address() -> rx.Component:
    return rx.card(
        rx.heading("Shipping address", size="4", as_="h2", margin_bottom="12px"),
        rx.vstack(
            _address_field("Full name", "name", "name", max_length=200),
            _address_field("Address line 1", "line1", "address-line1", max_length=200),
            _address_field(
                "Address line 2 (optional)", "line2", "address-line2", max_length=200
            ),
            rx.grid(
                _address_field("City", "city", "address-level2", max_length=100),
                _address_field(
                    "State or region", "region", "address-level1", max_length=100
                ),
                _address_field(
                    "Postal code", "postal_code", "postal-code", max_length=20
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            _country_field(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _test_card_row(card: rx.Var[TestCardRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(card.number), white_space="nowrap"),
        rx.table.cell(card.brand),
        rx.table.cell(card.outcome),
    )


def _test_cards() -> rx.Component:
    return rx.box(
        rx.text(
            "This store uses a test card gateway: no real card is charged. Any expiry "
            "date that has not passed works, with a 3-digit CVC (4 digits for American "
            "Express). These numbers show each outcome:",
            size="1",
            color_scheme="gray",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Number"),
                    rx.table.column_header_cell("Brand"),
                    rx.table.column_header_cell("Result"),
                )
            ),
            rx.table.body(rx.foreach(CheckoutState.test_cards, _test_card_row)),
            size="1",
            variant="surface",
        ),
        rx.text(
            "Any other number that passes the Luhn check is approved.",
            size="1",
            color_scheme="gray",
        ),
        id="test-cards",
        width="100%",
    )


def _card_fields() -> rx.Component:
    return rx.vstack(
        form_field(
            "Card number",
            "card_number",
            error=_error("card_number"),
            autocomplete="cc-number",
            input_mode="numeric",
            max_length=23,
            placeholder="4242 4242 4242 4242",
        ),
        rx.grid(
            form_field(
                "Expiry (MM/YY)",
                "card_expiry",
                error=_error("card_expiry"),
                autocomplete="cc-exp",
                max_length=7,
                placeholder="04/29",
            ),
            form_field(
                "Security code (CVC)",
                "card_cvc",
                error=_error("card_cvc"),
                autocomplete="cc-csc",
                input_mode="numeric",
                max_length=4,
            ),
            columns="2",
            spacing="3",
            width="100%",
        ),
        _test_cards(),
        spacing="3",
        width="100%",
    )


def _payment() -> rx.Component:
    return rx.card(
        rx.heading("Payment", size="4", as_="h2", margin_bottom="12px"),
        rx.radio_group.root(
            rx.flex(
                rx.el.label(
                    rx.flex(
                        rx.radio_group.item(value="test_card", id="pay-card"),
                        rx.text("Card", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                rx.el.label(
                    rx.flex(
                        rx.radio_group.item(value="pay_on_delivery", id="pay-delivery"),
                        rx.text("Pay on delivery (cash or card at the door)", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                direction="column",
                spacing="2",
            ),
            value=CheckoutState.payment_method,
            on_change=CheckoutState.choose_payment,
        ),
        rx.cond(
            _error("payment_method") != "",
            rx.text(_error("payment_method"), size="2", color_scheme="red"),
        ),
        rx.cond(
            CheckoutState.payment_method == "test_card",
            rx.box(_card_fields(), margin_top="12px"),
        ),
        width="100%",
    )


def _summary_line(line: rx.Var[SummaryLine]) -> rx.Component:
    return rx.flex(
        rx.text(line.quantity, " × ", line.title, size="2", flex="1", min_width="0"),
        rx.text(line.line_total, size="2"),
        justify="between",
        spacing="3",
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.heading("Your order", size="4", as_="h2", margin_bottom="8px"),
        rx.vstack(
            rx.foreach(CheckoutState.lines, _summary_line),
            rx.divider(),
            totals_box(CheckoutState),
            spacing="2",
            width="100%",
        ),
        notices_list(CheckoutState.price_notices, "amber", "badge-dollar-sign"),
        notices_list(CheckoutState.problems, "red", "triangle-alert"),
        rx.cond(
            CheckoutState.problems.length() > 0,
            rx.link("Fix your cart", href="/cart", size="2"),
        ),
        rx.button(
            rx.cond(CheckoutState.placing, "Placing your order…", "Place order"),
            type="submit",
            size="3",
            width="100%",
            margin_top="12px",
            disabled=CheckoutState.placing
            | ~CheckoutState.can_place
            | ~AuthState.email_confirmed,
            id="place-order",
        ),
        rx.text(
            "By placing the order you agree to pay the total shown.",
            size="1",
            color_scheme="gray",
        ),
        width="100%",
        id="checkout-summary",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.grid(
            rx.vstack(
                notice(
                    CheckoutState.form_error,
                    tone="red",
                    icon="triangle-alert",
                    id="checkout-error",
                ),
                _address(),
                _payment(),
                spacing="4",
                width="100%",
            ),
            _summary(),
            columns=rx.breakpoints(initial="1", md="1fr 360px"),
            spacing="5",
            align="start",
            width="100%",
        ),
        on_submit=CheckoutState.place,
        width="100%",
        id="checkout-form",
    )


def checkout_page() -> rx.Component:
    """Build the checkout page; it needs a login (see the page's on_load)."""
    return page_layout(
        rx.heading("Checkout", size="7", as_="h1", font_family=SERIF),
        rx.cond(
            AuthState.is_hydrated & AuthState.logged_in & CheckoutState.loaded,
            rx.vstack(confirmation_banner(), _form(), width="100%"),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        ),
    )
