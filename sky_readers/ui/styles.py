"""Style props shared by the pages of the store."""

from __future__ import annotations

# For text that shoppers type (names, addresses, reviews), which may hold a word of
# 100 letters or more: the word breaks at the edge of its box instead of widening
# it. Ordinary texts keep the default, because in a table with set column widths
# this would also split words such as "Biography".
TYPED_TEXT = {"overflow_wrap": "anywhere"}
