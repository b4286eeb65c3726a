"""Cover uploads: what the server accepts, what it rejects, and what it stores."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from sky_readers.catalog import cover_images
from sky_readers.catalog.cover_images import (
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    CoverRejectedError,
    process_cover,
)
from tests.admin.fixtures import image_bytes


def _reason(data: bytes) -> str:
    with pytest.raises(CoverRejectedError) as caught:
        process_cover(data)
    assert set(caught.value.errors) == {"cover"}
    return caught.value.message


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_process_cover_accepts_each_format(image_format):
    cover = process_cover(image_bytes((600, 900), image_format))

    assert cover.source_format == image_format
    assert (cover.width, cover.height) == (600, 900)
    with Image.open(io.BytesIO(cover.large)) as large:
        assert large.format == "WEBP"
    with Image.open(io.BytesIO(cover.thumbnail)) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == (400, 600)


def test_process_cover_shrinks_large_images_keeping_ratio():
    cover = process_cover(image_bytes((3000, 4500), "JPEG"))

    assert (cover.width, cover.height) == cover_images.LARGE_BOX


def test_process_cover_key_is_content_hash():
    first = process_cover(image_bytes(colour=(10, 20, 30)))
    again = process_cover(image_bytes(colour=(10, 20, 30)))
    other = process_cover(image_bytes(colour=(200, 20, 30)))

    assert first.key == again.key
    assert first.key != other.key
    assert len(first.key) == 64


def test_process_cover_strips_metadata():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS position
    data = image_bytes((600, 900), "JPEG", exif=exif.tobytes(), comment=b"hidden note")
    assert b"Secret Camera Maker" in data

    cover = process_cover(data)

    for stored in (cover.large, cover.thumbnail):
        assert b"Secret Camera Maker" not in stored
        assert b"hidden note" not in stored
        with Image.open(io.BytesIO(stored)) as image:
            assert not image.getexif()
            assert "icc_profile" not in image.info
            assert "xmp" not in image.info


def test_process_cover_turns_by_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees clockwise when shown
    data = image_bytes((900, 600), "JPEG", exif=exif.tobytes())

    cover = process_cover(data)

    assert (cover.width, cover.height) == (600, 900)


def test_process_cover_keeps_transparency():
    cover = process_cover(
        image_bytes((300, 450), "PNG", mode="RGBA", colour=(1, 2, 3, 0))
    )

    with Image.open(io.BytesIO(cover.large)) as image:
        assert image.mode == "RGBA"


def test_process_cover_rejects_empty_file():
    assert "empty" in _reason(b"")


def test_process_cover_rejects_file_over_5_mb():
    reason = _reason(b"\x89PNG" + b"\0" * MAX_UPLOAD_BYTES)

    assert "5.0 MB" in reason
    assert "at most" in reason


def test_process_cover_checks_content_not_name():
    # A text file, whatever name or type the browser gave it, is no image.
    reason = _reason(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")

    assert "not a JPEG, PNG or WebP" in reason


@pytest.mark.parametrize("image_format", ["GIF", "BMP", "TIFF"])
def test_process_cover_rejects_other_formats(image_format):
    assert "not a JPEG, PNG or WebP" in _reason(image_bytes((60, 90), image_format))


@pytest.mark.parametrize("size", [(MAX_SIDE + 1, 10), (10, MAX_SIDE + 1)])
def test_process_cover_rejects_side_over_limit(size):
    reason = _reason(image_bytes(size, "PNG", mode="L", colour=0))

    assert f"at most {MAX_SIDE} pixels" in reason


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size but carries a tiny compressed stream."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (
        width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    )
    pixels = zlib.compress(b"\0" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [9_000, 15_000, 60_000])
def test_process_cover_rejects_decompression_bomb(side):
    data = _png_header_only(side, side)
    assert len(data) < 1000

    assert "decompression bomb" in _reason(data)


def test_process_cover_rejects_png_text_bomb():
    text = zlib.compress(b"A" * 20_000_000, 9)
    good = image_bytes((60, 90), "PNG")
    # Insert a compressed text chunk (zTXt) that expands to 20 MB after IHDR.
    body = b"Comment\0\0" + text
    kind = b"zTXt"
    chunk = (
        len(body).to_bytes(4, "big")
        + kind
        + body
        + zlib.crc32(kind + body).to_bytes(4, "big")
    )
    data = good[:33] + chunk + good[33:]

    assert "decompression bomb" in _reason(data)


def test_process_cover_rejects_truncated_image():
    data = image_bytes((600, 900), "JPEG", quality=95)

    reason = _reason(data[: len(data) // 3])

    assert "damaged" in reason
