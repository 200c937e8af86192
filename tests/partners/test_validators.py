import pytest
from django.core.exceptions import ValidationError

from partners.validators import (
    normalise_charity_number,
    normalise_company_number,
    org_id,
    validate_charity_number,
    validate_company_number,
)

CHARITY_MESSAGE = "Enter a charity number of 6 or 7 digits, like 1123456"
COMPANY_MESSAGE = "Enter a company number of 8 characters, like 01234567 or SC123456"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1123456", "1123456"),
        (" 1123 456 ", "1123456"),
        ("1\t12 34\n56", "1123456"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_charity_number_strips_whitespace(raw, expected):
    assert normalise_charity_number(raw) == expected


@pytest.mark.parametrize("value", ["112345", "1123456", ""])
def test_validate_charity_number_accepts_six_or_seven_digits_or_blank(value):
    assert validate_charity_number(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "0123456",  # no charity number starts with 0
        "012345",
        "12AB",
        "112345A",
        "11234567",  # 8 digits
        "12345",  # 5 digits
        "1123 456",  # validation expects the normalised number
    ],
)
def test_validate_charity_number_refuses_malformed_numbers(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_charity_number(value)
    assert excinfo.value.code == "invalid_charity_number"
    assert excinfo.value.messages == [CHARITY_MESSAGE]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234567", "01234567"),
        ("12345", "00012345"),
        ("01234567", "01234567"),
        ("sc123456", "SC123456"),
        (" ni 012 345 ", "NI012345"),
        ("123456789", "123456789"),  # too long: left for the validator to refuse
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_company_number_pads_and_upper_cases(raw, expected):
    assert normalise_company_number(raw) == expected


@pytest.mark.parametrize("value", ["01234567", "12345678", "SC123456", "OC301234", ""])
def test_validate_company_number_accepts_eight_characters_or_blank(value):
    assert validate_company_number(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "00000000",  # all zeros is no company
        "123456789",  # 9 digits
        "SC1234567",  # 9 characters
        "1234567",  # not padded
        "sc123456",  # not upper-cased
        "S1234567",
        "SC12345A",
        "ABC123",
    ],
)
def test_validate_company_number_refuses_malformed_numbers(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_company_number(value)
    assert excinfo.value.code == "invalid_company_number"
    assert excinfo.value.messages == [COMPANY_MESSAGE]


def test_validate_company_number_refuses_zero_after_padding():
    assert normalise_company_number("0") == "00000000"
    with pytest.raises(ValidationError):
        validate_company_number(normalise_company_number("0"))


def test_org_id_prefers_the_charity_number():
    assert org_id(charity_number="1123456", company_number="01234567") == "GB-CHC-1123456"


def test_org_id_uses_the_company_number_for_a_company():
    assert org_id(charity_number="", company_number="SC123456") == "GB-COH-SC123456"


def test_org_id_is_empty_without_numbers():
    assert org_id(charity_number="", company_number="") == ""


# Regression: partners/validators.py CHARITY_NUMBER_RE / COMPANY_NUMBER_RE use \d, which in Python
# matches any Unicode digit (Arabic-Indic, full-width, …), so "1１２３４５６" passes as a
# charity number and slips past the uniqueness check on "1123456". Use [0-9] or re.ASCII.
@pytest.mark.parametrize(
    ("validate", "value"),
    [
        (validate_charity_number, "1١23456"),
        (validate_charity_number, "1１２３４５６"),
        (validate_company_number, "٠١٢٣٤٥٦٧"),
        (validate_company_number, "SC١٢٣٤٥٦"),
    ],
)
def test_validate_numbers_refuse_non_ascii_digits(validate, value):
    with pytest.raises(ValidationError):
        validate(value)


# Regression: partners/validators.py matches with re.match and "$", which also matches before a
# trailing newline, so "112345\n" passes validate_charity_number. Use re.fullmatch or \Z.
def test_validate_charity_number_refuses_trailing_newline():
    with pytest.raises(ValidationError):
        validate_charity_number("112345\n")
