"""Flask's JSON provider on orjson: the same output as the standard library gives (UTF-8, keys in the order
they were built, compact, Flask's rules for dates, decimals and the like), in a fraction of the time — the
encoder was a twentieth of a list's CPU and a tenth of the province's 日调度."""

from __future__ import annotations

import orjson
from flask.json.provider import DefaultJSONProvider

# Non-string keys become strings as the standard library makes them; dates, times and datetimes go to Flask's
# own conversion (an HTTP date), not orjson's RFC 3339, so nothing a client reads changes.
OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class OrjsonProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def _fast(self, kwargs: dict) -> bool:
        """orjson can do what was asked: no indentation, no sorted keys, no other encoder options."""
        return not (kwargs.keys() - {"separators"}) and not self.sort_keys and not self.ensure_ascii

    def dumps(self, obj, **kwargs) -> str:
        if not self._fast(kwargs):
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=OPTIONS).decode()

    def response(self, *args, **kwargs):
        if (self.compact is None and self._app.debug) or self.compact is False or not self._fast({}):
            return super().response(*args, **kwargs)
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), default=self.default,
                            option=OPTIONS | orjson.OPT_APPEND_NEWLINE)
        return self._app.response_class(body, mimetype=self.mimetype)
