"""Base schema, Chinese validation messages and shared field types."""

from __future__ import annotations

import re
from datetime import date, datetime

import marshmallow as ma
from marshmallow import fields, validate

from services.timeutil import from_input, to_local

_MESSAGES = {
    "required": "必填字段",
    "null": "不能为空",
    "invalid": "格式无效",
    "validator_failed": "取值无效",
    "type": "类型无效",
    "format": "格式无效",
    "too_large": "数值过大",
    "invalid_utf8": "不是合法的 UTF-8 字符串",
    "invalid_uuid": "不是合法的 UUID",
    "invalid_awareness": "时间格式无效",
    "empty": "不能为空",
    "unknown": "未知字段",
}


def _localise() -> None:
    for name in dir(fields):
        cls = getattr(fields, name)
        if isinstance(cls, type) and issubclass(cls, fields.Field):
            translated = {k: _MESSAGES[k] for k in getattr(cls, "default_error_messages", {}) if k in _MESSAGES}
            cls.default_error_messages = {**getattr(cls, "default_error_messages", {}), **translated}
    fields.Integer.default_error_messages["invalid"] = "须为整数"
    fields.Float.default_error_messages["invalid"] = "须为数字"
    fields.Number.default_error_messages["invalid"] = "须为数字"
    fields.Decimal.default_error_messages["invalid"] = "须为数字"
    fields.Boolean.default_error_messages["invalid"] = "须为布尔值 true/false"
    fields.String.default_error_messages["invalid"] = "须为字符串"
    fields.List.default_error_messages["invalid"] = "须为数组"
    fields.Dict.default_error_messages["invalid"] = "须为对象"
    fields.Nested.default_error_messages["type"] = "须为对象"
    fields.DateTime.default_error_messages["invalid"] = "时间格式无效，应为 RFC 3339，如 2026-03-01T09:30:00+08:00"
    fields.Date.default_error_messages["invalid"] = "日期格式无效，应为 YYYY-MM-DD"
    fields.Email.default_error_messages["invalid"] = "邮箱格式无效"
    ma.Schema._default_error_messages = {
        "type": "数据格式无效，应为 JSON 对象",
        "unknown": "未知字段",
    }
    validate.Length.message_min = "长度不能少于 {min}"
    validate.Length.message_max = "长度不能超过 {max}"
    validate.Length.message_all = "长度须在 {min} 到 {max} 之间"
    validate.Length.message_equal = "长度须为 {equal}"
    validate.Range.message_min = "须{min_op} {{min}}"
    validate.Range.message_max = "须{max_op} {{max}}"
    validate.Range.message_all = "须{min_op} {{min}} 且{max_op} {{max}}"
    validate.Range.message_gte = "大于或等于"
    validate.Range.message_gt = "大于"
    validate.Range.message_lte = "小于或等于"
    validate.Range.message_lt = "小于"
    validate.OneOf.default_message = "取值须为以下之一：{choices}"
    validate.Regexp.default_message = "格式无效"
    validate.ContainsOnly.default_message = "包含无效取值：须为 {choices} 之一"


_localise()


class BaseSchema(ma.Schema):
    """Every schema's base (marshmallow 4 keeps the declaration order of fields by itself)."""


class LocalDateTime(fields.DateTime):
    """RFC 3339 out in the configured zone; input without offset is in that zone; UTC inside."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return to_local(value).isoformat()

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not isinstance(parsed, datetime):
            raise self.make_error("invalid")
        if not 1900 <= parsed.year <= 2999:
            raise ma.ValidationError("时间超出允许范围")
        return from_input(parsed)


_UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)$")


def _localise_times(value):
    if isinstance(value, str) and _UTC_TIME.match(value):
        return to_local(datetime.fromisoformat(value.replace("Z", "+00:00"))).isoformat()
    if isinstance(value, dict):
        return {k: _localise_times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_localise_times(v) for v in value]
    return value


class LocalTimesDict(fields.Dict):
    """A free-form object (warning detail, event data) whose UTC times are shown in the configured zone."""

    def _serialize(self, value, attr, obj, **kwargs):
        return _localise_times(super()._serialize(value, attr, obj, **kwargs))


class SafeDate(fields.Date):
    def _deserialize(self, value, attr, data, **kwargs):
        parsed: date = super()._deserialize(value, attr, data, **kwargs)
        if not 1900 <= parsed.year <= 2999:
            raise ma.ValidationError("日期超出允许范围")
        return parsed


def text(max_len: int, *, required: bool = False, min_len: int = 0, **kw):
    """A trimmed string; blank counts as missing for required fields."""
    return Trimmed(required=required, validate=validate.Length(min=min_len, max=max_len), **kw)


class Trimmed(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        out = super()._deserialize(value, attr, data, **kwargs).strip()
        if "\x00" in out:
            raise ma.ValidationError("包含非法字符")
        if self.required and not out:
            raise ma.ValidationError("不能为空")
        return out


class NameOf(fields.String):
    """The name a person reads beside an id, e.g. NameOf("enterprise.name"); null when there is none."""

    def __init__(self, path: str, **kw):
        self.path = path.split(".")
        kw.setdefault("metadata", {}).setdefault("description", "名称（与对应 id 一起返回，只读）")
        super().__init__(allow_none=True, dump_only=True, **kw)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        for part in self.path:
            obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
            if obj is None:
                return None
        return obj


def enum(values, **kw):
    return fields.String(validate=validate.OneOf(values), **kw)


class MultiEnum(fields.List):
    """A filter taking one value or several: `?status=pending,in_progress` (or the key repeated)."""

    def __init__(self, values, **kw):
        self.choices = tuple(values)
        metadata = {**kw.pop("metadata", {})}
        metadata.setdefault("description", "可多选，逗号分隔，如 " + ",".join(self.choices[:2]))
        super().__init__(fields.String(validate=validate.OneOf(self.choices)),
                         validate=validate.Length(min=1, max=len(self.choices)), metadata=metadata, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, (list, tuple)) else [value]
        if not all(isinstance(item, str) for item in items):
            raise self.make_error("invalid")
        given = [p.strip() for item in items for p in item.split(",") if p.strip()]
        if len(given) > len(self.choices):  # the document's maxItems, counted before repeats are merged
            raise ma.ValidationError(f"最多 {len(self.choices)} 个取值")
        return super()._deserialize(list(dict.fromkeys(given)), attr, data, **kwargs)


ID_RANGE = validate.Range(min=1, max=2_147_483_647)


def id_field(**kw):
    return fields.Integer(strict=False, validate=ID_RANGE, **kw)


class IdListField(fields.List):
    def __init__(self, **kw):
        super().__init__(fields.Integer(validate=ID_RANGE), validate=validate.Length(max=500), **kw)


COUNTS = {"keys": ma.fields.String(), "values": ma.fields.Integer()}
