"""Regenerate Ordo's division table, ``src/ordo/adapters/geo/data/divisions.csv.gz``.

The source is the ``adcodes.csv`` shipped in the ``cpca`` package on PyPI (MIT licence,
see ``src/ordo/adapters/geo/data/README.md``). This script keeps only what Ordo reads:
the 6-digit adcode, the name and the coordinates, in the source's order and with the
source's number text (so the registry loads exactly the same floats), and drops the
divisions that have no coordinates (Ordo skips them). The output is byte-for-byte
reproducible: gzip with no file name and a zero timestamp.

    pip install cpca           # only to regenerate; Ordo itself never installs it
    python scripts/build_divisions.py [path/to/adcodes.csv]

It is a developer's tool: it is not part of the installed package and never runs in Ordo.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "ordo" / "adapters" / "geo" / "data" / "divisions.csv.gz"
COLUMNS = ("adcode", "name", "longitude", "latitude")


def cpca_adcodes() -> Path:
    """``adcodes.csv`` inside the installed ``cpca`` distribution."""
    dist = metadata.distribution("cpca")
    return Path(str(dist.locate_file("cpca/resources/adcodes.csv")))


def rows(source: Path) -> list[tuple[str, str, str, str]]:
    out = []
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["latitude"] or not row["longitude"]:
                continue
            out.append((row["adcode"][:6], row["name"], row["longitude"], row["latitude"]))
    return out


def encode(table: list[tuple[str, str, str, str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(table)
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return raw.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, help="adcodes.csv (default: the installed cpca's)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from what it would be")
    args = parser.parse_args(argv)
    source = args.source or cpca_adcodes()
    data = encode(rows(source))
    if args.check:
        same = args.out.is_file() and args.out.read_bytes() == data
        print(f"{args.out}: {'up to date' if same else 'differs from ' + str(source)}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes) from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
