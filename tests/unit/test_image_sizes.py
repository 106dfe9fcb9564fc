"""Image sizes read from file headers (briefings/media.py), for each format the build supports."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefings.media import image_size
from fixtures.images import gif, jpeg_header, png, webp_header

SVG = '<?xml version="1.0"?>\n<!-- a map -->\n<svg xmlns="http://www.w3.org/2000/svg" {}></svg>'


@pytest.mark.parametrize("data, size", [
    (png(40, 30), (40, 30)),
    (gif(7, 9), (7, 9)),
    (jpeg_header(640, 480), (640, 480)),
    (b"\xff\xd8" + b"\xff\xe1" + (2 + 3000).to_bytes(2, "big") + bytes(3000) + jpeg_header(8, 6)[2:], (8, 6)),
    (webp_header(300, 200, "VP8 "), (300, 200)),
    (webp_header(300, 200, "VP8L"), (300, 200)),
    (webp_header(5000, 3000, "VP8X"), (5000, 3000)),
    (SVG.format('width="120px" height="60"').encode(), (120, 60)),
    (SVG.format('viewBox="0 0 24 12"').encode(), (24, 12)),
    (SVG.format('width="100%" height="50%" viewBox="0,0,8,4"').encode(), (8, 4)),
    (SVG.format("").encode(), None),
    (b"%PDF-1.4", None),
    (png(40, 30)[:20], None),  # cut short
    (b"", None),
], ids=["png", "gif", "jpeg", "jpeg-exif", "webp-lossy", "webp-lossless", "webp-extended",
        "svg-size", "svg-viewbox", "svg-percent", "svg-no-size", "pdf", "png-truncated", "empty"])
def test_image_size(tmp_path: Path, data: bytes, size: tuple[int, int] | None) -> None:
    path = tmp_path / "file"
    path.write_bytes(data)
    assert image_size(str(path)) == size


def test_missing_file_has_no_size(tmp_path: Path) -> None:
    assert image_size(str(tmp_path / "nothing.png")) is None
