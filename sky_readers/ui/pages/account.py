"""Account pages: sign-up, check-email, confirm, login, logout, dashboard, passwords."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.account_forms import (
    account_card,
    form_field,
    logout_button,
    notice,
)
from sky_readers.ui.components.layout import STORE_NAME, page_layout, page_on_load
from sky_readers.ui.pages.orders import orders_table
from sky_readers.ui.states.account import (
    AccountState,
    ChangePasswordState,
    CheckEmailState,
    ConfirmState,
    ForgotPasswordState,
    LoginState,
    ResetPasswordState,
    SignupState,
)
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.styles import TYPED_TEXT


def _link_row(*links: rx.Component) -> rx.Component:
    return rx.hstack(*links, spacing="4", wrap="wrap", justify="center", width="100%")


def _submit(label: str, **props) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", **props)


def signup_page() -> rx.Component:
    """Build the sign-up form, which validates on the server and shows field errors."""
    return page_layout(
        account_card(
            "Create your account",
            notice(SignupState.form_error, tone="red", icon="triangle-alert"),
            rx.form(
                rx.vstack(
                    form_field(
                        "Name",
                        "name",
                        error=SignupState.name_error,
                        autocomplete="name",
                        max_length=200,
                        default_value=SignupState.name_value,
                        key=SignupState.name_value,
                    ),
                    form_field(
                        "Email address",
                        "email",
                        error=SignupState.email_error,
                        input_type="email",
                        autocomplete="email",
                        default_value=SignupState.email_value,
                        key=SignupState.email_value,
                    ),
                    form_field(
                        "Password",
                        "password",
                        error=SignupState.password_error,
                        input_type="password",
                        autocomplete="new-password",
                        hint="At least 10 characters; a few unrelated words work well.",
                    ),
                    form_field(
                        "Repeat the password",
                        "confirm_password",
                        error=SignupState.confirm_password_error,
                        input_type="password",
                        autocomplete="new-password",
                    ),
                    _submit("Sign up", id="signup-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=SignupState.submit,
                # The server's messages beside the fields replace the browser's.
                no_validate=True,
                id="signup-form",
                width="100%",
            ),
            rx.text(
                "Already have an account? ",
                rx.link("Log in", href="/login"),
                size="2",
            ),
        )
    )


def check_email_page() -> rx.Component:
    """Build the page shown after sign-up, whether or not the address was new."""
    return page_layout(
        account_card(
            "Check your email",
            rx.text(
                "We sent a confirmation link to ",
                rx.text.strong(
                    rx.cond(CheckEmailState.email != "", CheckEmailState.email, "you")
                ),
                ". Open it within 24 hours to confirm your address. You can log in "
                "and browse already; placing an order needs the confirmed address.",
                id="check-email-text",
            ),
            rx.text(
                "No mail after a few minutes? Look in the spam folder, or send the "
                "link again.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                CheckEmailState.email != "",
                rx.button(
                    "Send the link again",
                    on_click=CheckEmailState.resend,
                    variant="outline",
                    id="check-email-resend",
                ),
                rx.fragment(),
            ),
            notice(CheckEmailState.message),
            _link_row(rx.link("Log in", href="/login"), rx.link("Home", href="/")),
        )
    )


def _confirm_message() -> rx.Component:
    return rx.match(
        ConfirmState.outcome,
        (
            "confirmed",
            rx.callout(
                "Your email address is confirmed. Thank you!",
                icon="circle-check",
                color_scheme="green",
                id="confirm-outcome-confirmed",
            ),
        ),
        (
            "already_confirmed",
            rx.callout(
                "This address was already confirmed: nothing more to do.",
                icon="circle-check",
                color_scheme="green",
                id="confirm-outcome-already",
            ),
        ),
        (
            "expired",
            rx.vstack(
                rx.callout(
                    "This confirmation link has expired: links work for 24 hours.",
                    icon="clock",
                    color_scheme="amber",
                    id="confirm-outcome-expired",
                ),
                rx.button(
                    "Send me a new link",
                    on_click=ConfirmState.resend,
                    id="confirm-resend",
                ),
                notice(ConfirmState.resend_message),
                width="100%",
            ),
        ),
        (
            "invalid",
            rx.callout(
                "This confirmation link is not valid. It may have been replaced by a "
                "newer link, or copied incompletely: use the newest mail, or log in "
                "and ask for a new link.",
                icon="circle-x",
                color_scheme="red",
                id="confirm-outcome-invalid",
            ),
        ),
        rx.text("Checking your link…", color_scheme="gray"),
    )


def confirm_page() -> rx.Component:
    """Build the page a confirmation link opens."""
    return page_layout(
        account_card(
            "Email confirmation",
            _confirm_message(),
            rx.cond(
                AuthState.logged_in,
                _link_row(rx.link("Go to your account", href="/account")),
                _link_row(rx.link("Log in", href="/login"), rx.link("Home", href="/")),
            ),
        )
    )


def login_page() -> rx.Component:
    """Build the login form; it posts to POST /login, which sets the HttpOnly cookie."""
    return page_layout(
        account_card(
            "Log in",
            notice(LoginState.notice, tone="green", icon="circle-check"),
            notice(
                LoginState.error, tone="red", icon="triangle-alert", id="login-error"
            ),
            rx.cond(
                AuthState.logged_in,
                rx.text(
                    "You are logged in as ",
                    rx.text.strong(AuthState.user_name),
                    ". ",
                    rx.link("Go to your account", href="/account"),
                    size="2",
                ),
                rx.fragment(),
            ),
            rx.el.form(
                rx.vstack(
                    form_field(
                        "Email address or user name",
                        "username",
                        autocomplete="username",
                        default_value=LoginState.username,
                        key=LoginState.username,
                    ),
                    form_field(
                        "Password",
                        "password",
                        input_type="password",
                        autocomplete="current-password",
                    ),
                    rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                    _submit("Log in", id="login-submit"),
                    spacing="3",
                    width="100%",
                ),
                action="/login",
                method="post",
                # Without this Reflex adds a handler that prevents the native post.
                on_submit=None,
                id="login-form",
                style={"width": "100%"},
            ),
            _link_row(
                rx.link("Forgot your password?", href="/forgot-password", size="2"),
                rx.link("Create an account", href="/signup", size="2"),
            ),
        )
    )


def logout_page() -> rx.Component:
    """Build the page that offers to log out (logging out is a POST, never a link)."""
    return page_layout(
        account_card(
            "Log out",
            rx.cond(
                AuthState.logged_in,
                rx.vstack(
                    rx.text(
                        "You are logged in as ",
                        rx.text.strong(AuthState.user_name),
                        ". Log out of this browser?",
                    ),
                    logout_button(id="logout-submit"),
                    width="100%",
                ),
                rx.vstack(
                    rx.text("You are not logged in."),
                    _link_row(
                        rx.link("Log in", href="/login"), rx.link("Home", href="/")
                    ),
                    width="100%",
                ),
            ),
        )
    )


def _detail_row(label: str, value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def account_page() -> rx.Component:
    """Build the account dashboard: details, confirmation state and recent orders."""
    return page_layout(
        rx.cond(
            AuthState.is_hydrated & AuthState.logged_in,
            rx.vstack(
                rx.heading("Your account", size="7", as_="h1"),
                rx.card(
                    rx.data_list.root(
                        _detail_row(
                            "Name",
                            rx.text(
                                AuthState.user_name, id="account-name", **TYPED_TEXT
                            ),
                        ),
                        _detail_row(
                            "Email", rx.text(AuthState.user_email, id="account-email")
                        ),
                        _detail_row(
                            "User name",
                            rx.cond(
                                AuthState.user_handle != "",
                                rx.code(AuthState.user_handle),
                                rx.text("none", color_scheme="gray"),
                            ),
                        ),
                        _detail_row(
                            "Email confirmed",
                            rx.cond(
                                AuthState.email_confirmed,
                                rx.badge("Confirmed", color_scheme="green"),
                                rx.badge("Not confirmed", color_scheme="amber"),
                            ),
                        ),
                        _detail_row(
                            "Account type",
                            rx.cond(AuthState.is_admin, "Admin", "Shopper"),
                        ),
                        id="account-details",
                    ),
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.link(
                            "Change password",
                            href="/account/password",
                            underline="none",
                        ),
                        as_child=True,
                        variant="outline",
                    ),
                    logout_button(id="account-logout"),
                    spacing="3",
                ),
                rx.heading("Recent orders", size="5", as_="h2", margin_top="12px"),
                orders_table(AccountState.orders, id="recent-orders"),
                rx.link("See all your orders", href="/orders", size="2"),
                spacing="4",
                width="100%",
                max_width="760px",
                id="account-dashboard",
            ),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        )
    )


def change_password_page() -> rx.Component:
    """Build the change-password form, which needs the current password."""
    return page_layout(
        account_card(
            "Change your password",
            rx.cond(
                ChangePasswordState.done,
                rx.vstack(
                    rx.callout(
                        "Your password is changed. Every other browser where you were "
                        "logged in is now logged out.",
                        icon="circle-check",
                        color_scheme="green",
                        id="password-changed",
                    ),
                    rx.link("Back to your account", href="/account"),
                    width="100%",
                ),
                rx.form(
                    rx.vstack(
                        form_field(
                            "Current password",
                            "current_password",
                            error=ChangePasswordState.current_password_error,
                            input_type="password",
                            autocomplete="current-password",
                        ),
                        form_field(
                            "New password",
                            "new_password",
                            error=ChangePasswordState.new_password_error,
                            input_type="password",
                            autocomplete="new-password",
                            hint="At least 10 characters.",
                        ),
                        form_field(
                            "Repeat the new password",
                            "confirm_password",
                            error=ChangePasswordState.confirm_password_error,
                            input_type="password",
                            autocomplete="new-password",
                        ),
                        _submit("Change password", id="change-password-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=ChangePasswordState.submit,
                    no_validate=True,
                    width="100%",
                ),
            ),
        )
    )


def forgot_password_page() -> rx.Component:
    """Build the form that mails a reset link."""
    return page_layout(
        account_card(
            "Reset your password",
            rx.cond(
                ForgotPasswordState.sent,
                rx.callout(
                    "If an account has that address, a reset link is on its way. It "
                    "works once, for one hour.",
                    icon="mail",
                    id="reset-sent",
                ),
                rx.form(
                    rx.vstack(
                        rx.text(
                            "Enter the address of your account and we will mail you a "
                            "link to choose a new password.",
                            size="2",
                        ),
                        form_field(
                            "Email address",
                            "email",
                            error=ForgotPasswordState.email_error,
                            input_type="email",
                            autocomplete="email",
                        ),
                        _submit("Send the reset link", id="forgot-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=ForgotPasswordState.submit,
                    no_validate=True,
                    width="100%",
                ),
            ),
            _link_row(rx.link("Log in", href="/login", size="2")),
        )
    )


def _reset_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field(
                "New password",
                "password",
                error=ResetPasswordState.password_error,
                input_type="password",
                autocomplete="new-password",
                hint="At least 10 characters.",
            ),
            form_field(
                "Repeat the new password",
                "confirm_password",
                error=ResetPasswordState.confirm_password_error,
                input_type="password",
                autocomplete="new-password",
            ),
            _submit("Set the new password", id="reset-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=ResetPasswordState.submit,
        no_validate=True,
        width="100%",
    )


def _reset_problem(message: str) -> rx.Component:
    return rx.vstack(
        rx.callout(message, icon="circle-x", color_scheme="red", id="reset-problem"),
        rx.link("Ask for a new link", href="/forgot-password"),
        width="100%",
    )


def reset_password_page() -> rx.Component:
    """Build the page a reset link opens: the form, or why the link cannot be used."""
    return page_layout(
        account_card(
            "Choose a new password",
            rx.match(
                ResetPasswordState.token_state,
                ("valid", _reset_form()),
                (
                    "done",
                    rx.vstack(
                        rx.callout(
                            "Your password is changed, and every session of your "
                            "account is logged out.",
                            icon="circle-check",
                            color_scheme="green",
                            id="reset-done",
                        ),
                        rx.link("Log in with the new password", href="/login"),
                        width="100%",
                    ),
                ),
                ("used", _reset_problem("This reset link was already used.")),
                (
                    "expired",
                    _reset_problem(
                        "This reset link has expired: links work for an hour."
                    ),
                ),
                ("invalid", _reset_problem("This reset link is not valid.")),
                rx.text("Checking your link…", color_scheme="gray"),
            ),
        )
    )


def register_account_pages(app: rx.App) -> None:
    """Add every account page to the app, with its on_load handlers and guards."""
    pages = (
        (signup_page, "/signup", "Sign up", [SignupState.load]),
        (check_email_page, "/check-email", "Check your email", [CheckEmailState.load]),
        (confirm_page, "/confirm", "Confirm your email", [ConfirmState.load]),
        (login_page, "/login", "Log in", [LoginState.load]),
        (logout_page, "/logout", "Log out", []),
        (
            forgot_password_page,
            "/forgot-password",
            "Reset your password",
            [ForgotPasswordState.load],
        ),
        (
            reset_password_page,
            "/reset-password",
            "Choose a new password",
            [ResetPasswordState.load],
        ),
    )
    for component, route, title, handlers in pages:
        app.add_page(
            component,
            route=route,
            title=f"{title} · {STORE_NAME}",
            on_load=page_on_load(*handlers),
        )

    private = (
        (account_page, "/account", "Your account", [AccountState.load]),
        (
            change_password_page,
            "/account/password",
            "Change your password",
            [ChangePasswordState.load],
        ),
    )
    for component, route, title, handlers in private:
        app.add_page(
            component,
            route=route,
            title=f"{title} · {STORE_NAME}",
            on_load=page_on_load(AuthState.require_login, *handlers),
        )
