"""Pillow's process-wide settings, set explicitly.

WeasyPrint switches on ``ImageFile.LOAD_TRUNCATED_IMAGES`` when it is imported, which would let
a truncated upload pass the certificate check after any PDF render. The portal's PDFs only embed
its own static images, so truncated images are refused everywhere: :func:`strict_pillow` runs at
start, after WeasyPrint is imported, and before every upload check.

The pixel limit is sized to real certificates: an A4 page scanned at 400 dpi (15.5 million
pixels) and a 12-megapixel phone photo pass; anything larger is refused from the image header
alone, before a single pixel is decoded (decoding costs about 4 bytes per pixel, twice).
"""
from __future__ import annotations

MAX_PIXELS = 16_000_000


def strict_pillow() -> None:
    from PIL import Image, ImageFile  # noqa: PLC0415 - Pillow loads only when an image is checked

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
