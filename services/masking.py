"""Personal data kept out of logs and from readers who may not see it: phone numbers masked as 139****5678.

Pure functions, imported by the models, the scope module, the logs and gunicorn's access log alike."""

import re

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """The text with every mainland mobile number masked to its first three and last four digits."""
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_phone(phone: str | None) -> str | None:
    """One contact phone for a reader who may not see it in full."""
    if not phone:
        return phone
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)
