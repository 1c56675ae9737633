"""Masking of personal data for readers without PII permission (138****1234)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    # 3 + 4 kept characters hide at least four only from 11 characters up (a mobile
    # number); below that (landlines) it would show every digit, so keep the ends only.
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 2:
        return digits[0] + "*" * (len(digits) - 2) + digits[-1]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def mask_detail(detail: str) -> str:
    """Keep the street's first few characters, hide house numbers and rooms."""
    keep = min(len(detail), 6)
    return detail[:keep] + ("****" if len(detail) > keep else "")
