"""统一社会信用代码 check digits (GB 32100-2015)."""

import pytest

from services.credit_code import complete, is_valid


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_codes_are_valid(code):
    assert is_valid(code)


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",   # wrong check digit
    "91350100M000100Y4",    # 17 characters
    "91350100M000100I43",   # I is not in the character set
    "9135010OM000100Y43",   # nor is O
    "",
])
def test_malformed_codes_are_invalid(code):
    assert not is_valid(code)


def test_complete_appends_the_right_check_character():
    assert complete("91350100M000100Y4") == "91350100M000100Y43"
