"""About page: what the store is and where its book data comes from."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.layout import DATA_LICENCE_URL, page_layout

SERIF = "Georgia, 'Times New Roman', serif"


def about_page() -> rx.Component:
    """Build the About page, with the credit the data set's licence asks for."""
    return page_layout(
        rx.vstack(
            rx.heading(
                "About Sky Readers Haven", as_="h1", size="8", font_family=SERIF
            ),
            rx.text(
                "Sky Readers Haven is an online bookshop. We keep a catalogue of "
                "thousands of titles across fiction and non-fiction, show what is in "
                "stock and what readers think of each book, and ship to your door.",
                size="4",
                line_height="1.7",
            ),
            rx.heading("Where our book data comes from", as_="h2", size="5"),
            rx.text(
                "Titles, authors, publication years, ISBNs and reader ratings come "
                "from the goodbooks-10k data set by Zygmunt Zając, built from "
                "Goodreads data. It is licensed under the ",
                rx.link(
                    "Creative Commons Attribution-ShareAlike 4.0 International "
                    "licence (CC BY-SA 4.0)",
                    href=DATA_LICENCE_URL,
                    is_external=True,
                ),
                ". Our catalogue adapts that data (cleaned ISBNs, categories and "
                "prices), and the adapted catalogue data is shared under the same "
                "licence.",
                line_height="1.7",
            ),
            rx.text(
                "Cover images in the data set link to a host outside our shop, so "
                "books without an uploaded cover show a cover drawn from their title "
                "and author.",
                line_height="1.7",
                color="var(--gray-11)",
            ),
            rx.button(rx.link("Start browsing", href="/"), as_child=True, size="3"),
            spacing="4",
            align="start",
            max_width="720px",
        ),
    )
