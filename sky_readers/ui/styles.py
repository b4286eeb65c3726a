"""Styles that every page of the store shares, given to rx.App."""

from __future__ import annotations

from reflex.components.radix.themes.typography.text import Text

# Names, addresses and reviews may hold a word of 100 letters or more. Such a word
# breaks at the edge of its box, because otherwise it widens the box and pushes the
# page, or the buttons of an admin table, out of view.
APP_STYLE = {Text: {"overflow_wrap": "anywhere"}}
