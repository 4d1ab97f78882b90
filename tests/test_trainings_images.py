"""Image certificates: truncated images are refused even after a PDF render (WeasyPrint switches
on Pillow's LOAD_TRUNCATED_IMAGES when imported), and a huge image is refused from its header,
before any pixel is decoded."""
from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image, ImageFile

from portal.images import MAX_PIXELS
from portal.trainings import files


def _truncated_jpeg() -> bytes:
    """A photo cut in half (an interrupted transfer): Pillow fills the rest with grey when allowed to."""
    buf = io.BytesIO()
    Image.effect_noise((400, 400), 64).convert("RGB").save(buf, format="JPEG", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _black_png(side: int) -> bytes:
    """A real, complete black RGB PNG of side × side, compressed as it is streamed (small file, huge image)."""
    pack = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side * 3)
    idat = b"".join(pack.compress(row) for _ in range(side)) + pack.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def test_a_truncated_image_is_refused_after_a_pdf_render(app):
    from portal.exports.pdf import render_html_pdf

    with app.app_context():
        assert render_html_pdf("<html lang=\"de\"><title>x</title><p>Nachweis</p></html>").startswith(b"%PDF-")
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as `import weasyprint` (or any library) may set it again
    try:
        with pytest.raises(files.CertificateError, match="Das Bild ist beschädigt"):
            files.check(_truncated_jpeg(), "nachweis.jpg", 10 * 1024 * 1024)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_pillow_runs_strict_after_start_and_after_weasyprint(app):
    import portal.exports.pdf  # noqa: F401 - imports WeasyPrint

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


@pytest.mark.parametrize(("side", "message"), [
    (6300, r"Das Bild ist zu groß\. Erlaubt sind höchstens 16 Millionen Bildpunkte"),
    (4500, r"Das Bild ist zu groß \(4500 × 4500 Bildpunkte\)\. Erlaubt sind höchstens 16 Millionen Bildpunkte"),
])
def test_a_huge_image_is_refused_from_its_header_in_milliseconds(side, message):
    data = _black_png(side)
    assert len(data) < 1024 * 1024  # 20 to 40 million pixels in a small file
    started = time.perf_counter()
    with pytest.raises(files.CertificateError, match=message):
        files.check(data, "scan.png", 10 * 1024 * 1024)
    assert time.perf_counter() - started < 0.3


def test_a_real_scan_size_still_passes():
    data = _black_png(3000)  # 9 million pixels: an A4 page at 300 dpi
    checked = files.check(data, "scan.png", 10 * 1024 * 1024)
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (3000, 3000)
