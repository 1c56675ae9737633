"""The streaming .xlsx writer: openpyxl reads back every cell as written, with text escaped,
empty cells in their place, yuan to the fen and times in China Standard Time as dates."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest

from ordo.api.xlsx import Column, Kind, column_letter, excel_serial, write_xlsx, yuan

NS = 1_000_000_000
#: 2026-12-06 10:30:15 in Shanghai (02:30:15 UTC).
AT_NS = 1_796_524_215 * NS

COLUMNS = [
    Column("订单号 Order"),
    Column("挂起 Hold"),
    Column("电话 Phone", transform=lambda s: s[:3] + "****"),
    Column("金额(元) Total (yuan)", Kind.FEN),
    Column("下单时间 Placed", Kind.TIME_NS),
]


def _read(path: Path) -> tuple[list[tuple[object, ...]], openpyxl.Workbook]:
    wb = openpyxl.load_workbook(path)
    return [tuple(r) for r in wb.active.iter_rows(values_only=True)], wb


def test_every_value_reads_back_in_its_column_with_its_type(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    rows = [
        ("O1", None, "13800001234", 12_345, AT_NS),
        ("O2 <&> \"'", "手工 manual", None, -5, None),
        ("  spaced  ", "", "139", 0, AT_NS + 59 * NS),
        ("bad\x00\x1fchars", "line\nbreak", "13", 7, AT_NS),
    ]
    progress: list[int] = []
    n = write_xlsx(str(path), "订单 Orders", COLUMNS, [rows[:3], [], rows[3:]], on_rows=progress.append)
    assert n == 4 and progress == [3, 1]
    got, wb = _read(path)
    assert wb.sheetnames == ["订单 Orders"]
    assert got[0] == tuple(c.header for c in COLUMNS)
    assert got[1] == ("O1", None, "138****", 123.45, datetime(2026, 12, 6, 10, 30, 15))
    assert got[2] == ("O2 <&> \"'", "手工 manual", None, -0.05, None)
    assert got[3][:4] == ("  spaced  ", "", "139****", 0)
    assert got[3][4] == datetime(2026, 12, 6, 10, 31, 14)
    assert got[4][:2] == ("badchars", "line\nbreak")
    ws = wb.active
    assert ws["D2"].number_format == "#,##0.00" and ws["E2"].is_date
    assert ws["A1"].font.b


def test_the_file_is_a_plain_ooxml_package(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(str(path), "a/b:c*?[d]", COLUMNS, [])
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        assert "xl/sharedStrings.xml" not in names
        parts = {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"}
        assert parts <= names
    got, wb = _read(path)
    assert got == [tuple(c.header for c in COLUMNS)]
    assert wb.sheetnames == ["a b c   d"]


def test_a_row_of_the_wrong_width_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="5 values"):
        write_xlsx(str(tmp_path / "x.xlsx"), "s", COLUMNS, [[("O1",)]])


def test_yuan_dates_and_letters() -> None:
    assert [yuan(f) for f in (0, 5, 100, 12_345, -5, -12_345)] == [
        "0.00", "0.05", "1.00", "123.45", "-0.05", "-123.45"
    ]  # fmt: skip
    assert excel_serial(0) == 25_569 + 8 / 24  # 1970-01-01 08:00 in Shanghai
    assert [column_letter(n) for n in (1, 13, 26, 27, 52, 703)] == ["A", "M", "Z", "AA", "AZ", "AAA"]
