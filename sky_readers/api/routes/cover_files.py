"""Stored cover images: sent from the local folder, or redirected to Blob Storage."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse, Response

from sky_readers.adapters.storage import (
    LocalObject,
    ObjectNotFoundError,
    get_storage,
)
from sky_readers.catalog.covers import STORED_COVER_PREFIX

router = APIRouter(tags=["catalog"])

# Cover object names change with their content, so a year of caching is safe.
IMMUTABLE = "public, max-age=31536000, immutable"


@router.get(
    STORED_COVER_PREFIX + "{name:path}",
    response_class=Response,
    responses={
        200: {"content": {"image/webp": {}}, "description": "The cover image."},
        302: {"description": "Redirect to the image in Blob Storage."},
        404: {"description": "No such cover."},
    },
)
def get_cover_file(name: str) -> Response:
    """Send an uploaded cover image, or redirect to its public or signed URL."""
    try:
        found = get_storage().locate(name)
    except ValueError as exc:
        raise HTTPException(status_code=404, detail="No such cover image.") from exc
    except ObjectNotFoundError as exc:
        raise HTTPException(status_code=404, detail="No such cover image.") from exc
    if isinstance(found, LocalObject):
        return FileResponse(
            found.path,
            media_type=found.content_type,
            headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
        )
    cache = IMMUTABLE if found.permanent else f"private, max-age={found.cache_seconds}"
    return RedirectResponse(
        found.url, status_code=302, headers={"Cache-Control": cache}
    )
