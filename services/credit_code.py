"""统一社会信用代码 (GB 32100-2015) check digit."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    """The check character (GB 32100) of a unified social credit code's first 17 characters."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """Whether the text is an 18-character unified social credit code with the right check character."""
    if not isinstance(code, str) or len(code) != 18 or any(c not in CHARSET for c in code):
        return False
    return check_char(code[:17]) == code[17]


def complete(first17: str) -> str:
    """The full code for 17 leading characters (used by the demo data and tests)."""
    return first17 + check_char(first17)
