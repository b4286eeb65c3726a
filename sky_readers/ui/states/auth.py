"""Who is logged in, for the header and the guards of private pages."""

import reflex as rx


class AuthState(rx.State):
    """The visitor's account as the pages see it."""

    logged_in: bool = False
    user_name: str = ""
    is_admin: bool = False
    email_confirmed: bool = False
