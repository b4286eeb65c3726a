"""Page shown for any address the store does not have."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.layout import not_found_message, page_layout


def not_found_page() -> rx.Component:
    """Build the page for unknown routes."""
    return page_layout(
        not_found_message(
            "Page not found",
            "The page you asked for does not exist. It may have moved, or the link "
            "may have a typo.",
        )
    )
