"""Where the recorded Google Books responses are and what INDEX.json lists."""

from __future__ import annotations

import json
from pathlib import Path

from sky_readers.core.settings import get_settings


def recordings_dir() -> Path:
    """Folder of the recorded Google Books responses."""
    return get_settings().shared_data_dir / "google_books"


def index_entries() -> list[dict]:
    """Entries of INDEX.json, or none when the recordings are absent."""
    index = recordings_dir() / "INDEX.json"
    if not index.exists():
        return []
    return json.loads(index.read_text(encoding="utf-8"))["entries"]
