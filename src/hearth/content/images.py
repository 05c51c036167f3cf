"""Checking and cleaning uploaded images with Pillow. Pure (no Django).

The type comes from the bytes, never from the file name. Pixels are re-encoded into a new
file, so EXIF (camera, GPS position) and any other metadata are dropped; the EXIF
orientation is applied first so the picture still stands the right way up.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20_000_000
MAX_PIXELS = 40_000_000  # far above any network's limit, far below a decompression bomb
THUMBNAIL_SIZE = (320, 320)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


class ImageRejected(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    thumbnail: bytes
    mime: str
    extension: str
    width: int
    height: int
    sha256: str

    @property
    def kind(self) -> str:
        return "gif" if self.mime == "image/gif" else "image"


def clean_image(raw: bytes) -> CleanImage:
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImageRejected(f"the file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(f"the image has more than {MAX_PIXELS:,} pixels")
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected("the file is not an image Hearth can read") from None
    if fmt not in FORMATS:
        raise ImageRejected(f"{fmt} images are not accepted; use JPEG, PNG, GIF or WebP")
    if fmt == "GIF" and getattr(image, "is_animated", False):
        data = _gif_without_metadata(raw)
    else:
        image = ImageOps.exif_transpose(image)
        data = _encode(image, fmt)
    clean = Image.open(io.BytesIO(data))
    thumb = clean.convert("RGB") if clean.mode not in {"RGB", "L"} else clean.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return CleanImage(
        data=data,
        thumbnail=out.getvalue(),
        mime=FORMATS[fmt],
        extension=fmt.lower().replace("jpeg", "jpg"),
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _encode(image: Image.Image, fmt: str) -> bytes:
    # A fresh image holds pixels only: no EXIF, XMP, ICC text chunks or comments.
    pixels = Image.new(image.mode, image.size)
    pixels.paste(image)
    if image.mode == "P" and image.getpalette():
        pixels.putpalette(image.getpalette())
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.convert("RGB").save(out, "JPEG", quality=92)
    else:
        pixels.save(out, fmt)
    return out.getvalue()


def _gif_without_metadata(raw: bytes) -> bytes:
    image = Image.open(io.BytesIO(raw))
    frames = []
    for index in range(image.n_frames):
        image.seek(index)
        frames.append(image.copy())
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        loop=image.info.get("loop", 0),
        duration=image.info.get("duration", 100),
    )
    return out.getvalue()
