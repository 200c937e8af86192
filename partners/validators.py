"""Normalising and checking UK registration numbers, and the 360Giving org-id built from them."""

import re

from django.core.exceptions import ValidationError

# ASCII digits only, matched whole (fullmatch): "１２３" or a trailing newline is not a number.
# Charity Commission for England and Wales: a registered charity number has 6 or 7 digits.
CHARITY_NUMBER_RE = re.compile(r"[1-9][0-9]{5,6}")
# Companies House: 8 characters, all digits or a two-letter prefix (SC, NI, OC, …) and 6 digits.
COMPANY_NUMBER_RE = re.compile(r"(?:[0-9]{8}|[A-Z]{2}[0-9]{6})")


def normalise_charity_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def normalise_company_number(value: str) -> str:
    """Upper-case, drop spaces, and restore leading zeros people often leave out."""
    cleaned = re.sub(r"\s+", "", value or "").upper()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) < 8:
        cleaned = cleaned.zfill(8)
    return cleaned


def validate_charity_number(value: str) -> None:
    if value and not CHARITY_NUMBER_RE.fullmatch(value):
        raise ValidationError(
            "Enter a charity number of 6 or 7 digits, like 1123456",
            code="invalid_charity_number",
        )


def validate_company_number(value: str) -> None:
    if value and (not COMPANY_NUMBER_RE.fullmatch(value) or value.strip("0") == ""):
        raise ValidationError(
            "Enter a company number of 8 characters, like 01234567 or SC123456",
            code="invalid_company_number",
        )


def org_id(*, charity_number: str, company_number: str) -> str:
    """The 360Giving org-id: the charity number is preferred, then the company number."""
    if charity_number:
        return f"GB-CHC-{charity_number}"
    if company_number:
        return f"GB-COH-{company_number}"
    return ""
