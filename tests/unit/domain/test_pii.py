"""Masking of personal data for readers without the PII permission."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordo.domain.pii import mask_detail, mask_name, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        (" 13812341234 ", "138****1234"),
        ("+8613812341234", "+86****1234"),
        ("021-12345678", "021****5678"),
        ("87654321", "8******1"),
        ("1234567", "1*****7"),
        ("12345", "1***5"),
        ("123", "1*3"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_a_phone_keeps_only_its_ends(phone, masked):
    assert mask_phone(phone) == masked


@given(st.text(alphabet="0123456789+-", min_size=3, max_size=20))
def test_a_masked_phone_hides_four_characters_or_all_but_its_two_ends(phone):
    masked = mask_phone(phone)
    shown = sum(1 for c in masked if c != "*")
    assert "*" in masked
    assert shown <= max(2, len(phone) - 4)


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("", "")])
def test_a_name_keeps_only_its_first_character(name, masked):
    assert mask_name(name) == masked


def test_an_address_detail_hides_house_numbers_and_rooms():
    assert mask_detail("文三路 100 号 3 幢 502 室") == "文三路 10****"
    assert mask_detail("文三路") == "文三路"
    assert "502" not in mask_detail("文三路 100 号 3 幢 502 室")
