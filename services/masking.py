"""Personal data kept out of logs and from readers who may not see it: mobile numbers masked as 139****5678."""

import re

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
