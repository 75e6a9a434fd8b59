"""Logging: one handler for the app's records, with the request id and phone numbers masked."""

from __future__ import annotations

import logging

from flask import Flask, g

from services.masking import mask_phones


def configure_logging(app: Flask) -> None:
    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            try:
                record.request_id = g.get("request_id", "-")
            except RuntimeError:
                record.request_id = "-"
            return True

    class MaskPhones(logging.Filter):
        """Personal data stays out of logs: mobile numbers are masked in every record."""

        def filter(self, record):
            message = record.getMessage()
            masked = mask_phones(message)
            if masked != message:
                record.msg, record.args = masked, ()
            return True

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskPhones())
    root = logging.getLogger("lianqitong")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])
