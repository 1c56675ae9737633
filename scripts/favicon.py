"""Draw Ordo's favicon: ``src/ordo/web/static/favicon.svg`` and ``favicon.ico`` from one shape.

A dark rounded square (the pages' header colour) with a blue ring, Ordo's "O", and a
white dot on it: an order on its way round. The ICO (16, 32 and 48 px, PNG inside) is
rasterised here with 4×4 supersampling, so no image library is needed; the output is
byte-for-byte reproducible. A developer's tool, not part of the installed package:

    python scripts/favicon.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "ordo" / "web" / "static"

# The shape, in a 32×32 box.
BG, RING, DOT = (0x0F, 0x17, 0x2A), (0x1F, 0x6F, 0xEB), (0xFF, 0xFF, 0xFF)
CORNER = 7.0
CENTRE, RADIUS, STROKE = 16.0, 8.5, 4.0
DOT_AT, DOT_R = (16.0 + RADIUS * math.cos(-math.pi / 4), 16.0 + RADIUS * math.sin(-math.pi / 4)), 3.2

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <rect width="32" height="32" rx="{CORNER:g}" fill="#{bytes(BG).hex()}"/>
  <circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{RADIUS:g}" fill="none" stroke="#{bytes(RING).hex()}" \
stroke-width="{STROKE:g}"/>
  <circle cx="{DOT_AT[0]:.2f}" cy="{DOT_AT[1]:.2f}" r="{DOT_R:g}" fill="#{bytes(DOT).hex()}"/>
</svg>
"""


def _inside_box(x: float, y: float) -> bool:
    cx = min(max(x, CORNER), 32 - CORNER)
    cy = min(max(y, CORNER), 32 - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER**2


def _colour(x: float, y: float) -> tuple[int, int, int, int]:
    if not _inside_box(x, y):
        return (0, 0, 0, 0)
    if math.dist((x, y), DOT_AT) <= DOT_R:
        return (*DOT, 255)
    if abs(math.dist((x, y), (CENTRE, CENTRE)) - RADIUS) <= STROKE / 2:
        return (*RING, 255)
    return (*BG, 255)


def _pixels(size: int, samples: int = 4) -> bytes:
    rows = bytearray()
    scale = 32 / size
    for py in range(size):
        rows.append(0)  # PNG filter: none
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(samples):
                for sx in range(samples):
                    r, g, b, a = _colour(
                        (px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale
                    )
                    acc = [acc[0] + r * a, acc[1] + g * a, acc[2] + b * a, acc[3] + a]
            alpha = acc[3]
            rgb = [round(c / alpha) if alpha else 0 for c in acc[:3]]
            rows += bytes([*rgb, round(alpha / samples**2)])
    return bytes(rows)


def _png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(_pixels(size), 9))
        + chunk(b"IEND", b"")
    )


def _ico(sizes: tuple[int, ...]) -> bytes:
    images = [_png(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, png in zip(sizes, images, strict=True):
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
    return out + b"".join(images)


def main() -> None:
    (STATIC / "favicon.svg").write_text(SVG, encoding="utf-8")
    (STATIC / "favicon.ico").write_bytes(_ico((16, 32, 48)))
    print(f"wrote {STATIC / 'favicon.svg'} and {STATIC / 'favicon.ico'}")


if __name__ == "__main__":
    main()
