"""Checks and resizing of uploaded cover images, made with Pillow.

An upload is trusted only after Pillow has decoded it: the file's name and the type
the browser claims are ignored. A cover is accepted when it is a JPEG, PNG or WebP
image of at most MAX_UPLOAD_BYTES, at most MAX_SIDE pixels wide and high, and not a
decompression bomb: an image that declares more than BOMB_PIXELS pixels, which no
real picture of that file size contains, or a PNG whose compressed text chunks
expand past Pillow's limit.

Accepted images lose their metadata (EXIF with any GPS position, XMP, comments) because
only the pixels are encoded again: they are turned upright by their EXIF orientation,
converted to sRGB when they carry another colour profile, and saved as two WebP images,
a large one for the book page and a thumbnail for cards and lists.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import warnings

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from sky_readers.core.errors import ValidationError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
# Pixel count above which an image is a decompression bomb: twice the largest
# accepted cover, far more than a 5 MB photograph contains.
BOMB_PIXELS = 2 * MAX_SIDE * MAX_SIDE
# Formats Pillow may detect, by its own format names.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Bounding boxes (width, height) of the two sizes; the aspect ratio is kept.
LARGE_BOX = (1000, 1500)
THUMBNAIL_BOX = (400, 600)
LARGE_QUALITY = 85
THUMBNAIL_QUALITY = 80
CONTENT_TYPE = "image/webp"
FIELD = "cover"


class CoverRejectedError(ValidationError):
    """Raised when an upload is not an acceptable cover; the message gives the reason."""

    def __init__(self, message: str) -> None:
        """Report the reason under the form field "cover"."""
        super().__init__({FIELD: message})
        self.message = message


@dataclasses.dataclass(frozen=True)
class ProcessedCover:
    """A checked cover in its two stored sizes, named by the large image's hash."""

    # Hex SHA-256 of the large WebP image; the stored objects are named after it.
    key: str
    large: bytes
    thumbnail: bytes
    # Size of the large image in pixels.
    width: int
    height: int
    # Format the upload was in, as Pillow names it ("JPEG", "PNG", "WEBP").
    source_format: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _open(data: bytes) -> Image.Image:
    """Open the image, reading only its header, and check format and pixel count."""
    try:
        with warnings.catch_warnings():
            # Pillow warns, rather than fails, between MAX_IMAGE_PIXELS and twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CoverRejectedError(
            "The image is a decompression bomb: it declares far more pixels than its "
            "file size can hold. Upload an ordinary JPEG, PNG or WebP file."
        ) from exc
    except UnidentifiedImageError as exc:
        raise CoverRejectedError(
            "The file is not a JPEG, PNG or WebP image. Upload the cover in one of "
            "those formats."
        ) from exc
    except (OSError, ValueError) as exc:
        # A PNG whose compressed text chunk expands past Pillow's limit lands here.
        if "decompressed data too large" in str(exc).lower():
            raise CoverRejectedError(
                "The image is a decompression bomb: its compressed metadata expands "
                "past the allowed size. Save it again without metadata and retry."
            ) from exc
        raise CoverRejectedError(
            "The image could not be read; the file may be damaged. Save it again as "
            "JPEG, PNG or WebP and retry."
        ) from exc
    return image


def _check_dimensions(image: Image.Image) -> None:
    width, height = image.size
    if width * height > BOMB_PIXELS:
        raise CoverRejectedError(
            f"The image is a decompression bomb: it declares {width} × {height} "
            "pixels. Upload an ordinary cover image."
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise CoverRejectedError(
            f"The image is {width} × {height} pixels; covers may be at most "
            f"{MAX_SIDE} pixels on each side. Scale it down and retry."
        )
    if width < 1 or height < 1:
        raise CoverRejectedError("The image has no pixels. Upload a real cover.")


def _decode(image: Image.Image) -> Image.Image:
    """Decode the first frame, upright and in RGB or RGBA."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CoverRejectedError(
            "The image is a decompression bomb. Upload an ordinary cover image."
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise CoverRejectedError(
            "The image data is damaged or incomplete. Save it again as JPEG, PNG or "
            "WebP and retry."
        ) from exc
    return _to_srgb(upright, image.info.get("icc_profile"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    target = "RGBA" if has_alpha else "RGB"
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(
                image,
                source,
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
            if converted is not None:
                return converted.convert(target)
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A broken profile is dropped; the pixels are kept as they are.
            logger.info("Ignored an unreadable colour profile in a cover upload")
    return image.convert(target)


def _encode(image: Image.Image, box: tuple[int, int], quality: int) -> bytes:
    resized = image.copy()
    resized.thumbnail(box, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif, icc_profile or xmp argument: the output carries pixels only.
    resized.save(buffer, format="WEBP", quality=quality, method=4)
    return buffer.getvalue()


def process_cover(data: bytes) -> ProcessedCover:
    """Check an uploaded cover and make its two stored sizes.

    Args:
        data: The uploaded file's bytes.

    Returns:
        The large image and the thumbnail as WebP, and the key that names them.

    Raises:
        CoverRejectedError: The upload is empty, larger than MAX_UPLOAD_BYTES, not a
            JPEG, PNG or WebP image, larger than MAX_SIDE pixels on a side, a
            decompression bomb, or damaged. The message names the fix.
    """
    if not data:
        raise CoverRejectedError("The file is empty. Choose the cover image again.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise CoverRejectedError(
            f"The file is {_megabytes(len(data))}; covers may be at most "
            f"{_megabytes(MAX_UPLOAD_BYTES)}. Save it smaller and retry."
        )
    image = _open(data)
    source_format = image.format or ""
    if source_format not in ACCEPTED_FORMATS:
        raise CoverRejectedError(
            "The file is not a JPEG, PNG or WebP image. Upload the cover in one of "
            "those formats."
        )
    _check_dimensions(image)
    pixels = _decode(image)
    large = _encode(pixels, LARGE_BOX, LARGE_QUALITY)
    thumbnail = _encode(pixels, THUMBNAIL_BOX, THUMBNAIL_QUALITY)
    with Image.open(io.BytesIO(large)) as stored:
        width, height = stored.size
    return ProcessedCover(
        key=hashlib.sha256(large).hexdigest(),
        large=large,
        thumbnail=thumbnail,
        width=width,
        height=height,
        source_format=source_format,
    )
