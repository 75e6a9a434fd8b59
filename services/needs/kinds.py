"""The typed details of each need kind: one table that validates what is filed and is published at
GET /meta/need-kinds, so a client builds its form from the same rules the server applies (a pure module)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from services.errors import ValidationFailed
from services.models.needs import GUARANTEES, NEED_KINDS


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # number | integer | string | date | enum | list
    label: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    enum: str | None = None  # the /meta/enums entry that labels the choices
    items: tuple[Field, ...] | None = None  # a list of objects
    min_items: int | None = None
    max_items: int | None = None
    read_only: bool = False  # kept by the server (e.g. placed), never accepted from a client
    help: str | None = None

    def describe(self) -> dict:
        """The field as GET /meta/need-kinds publishes it."""
        out = {"name": self.name, "type": self.type, "label": self.label, "required": self.required}
        for key in ("min", "max", "max_length", "choices", "enum", "min_items", "max_items", "help"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        if self.read_only:
            out["read_only"] = True
        out["items"] = [f.describe() for f in self.items] if self.items is not None else None
        return out


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    category: str  # the problem category this need details
    fields: tuple[Field, ...] = field(default_factory=tuple)


def _trade(name: str, label: str, date_field: Field) -> Kind:
    return Kind(name, label, name, (
        Field("product", "string", "产品名称", required=True, max_length=100),
        Field("keywords", "list", "关键词", max_items=10, help="不填时由产品名称自动分词"),
        Field("quantity", "number", "数量", required=True, min=0.01, max=1e9),
        Field("unit", "string", "单位", required=True, max_length=16),
        date_field,
    ))


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("financing", "融资", "financing", (
        Field("amount_10k", "number", "融资金额（万元）", required=True, min=0.01, max=1_000_000),
        Field("term_months", "integer", "期限（月）", required=True, min=1, max=360),
        Field("purpose", "string", "资金用途", required=True, max_length=500),
        Field("guarantee", "enum", "担保方式", required=True, choices=GUARANTEES, enum="guarantee"),
    )),
    Kind("labor", "用工", "labor", (
        Field("posts", "list", "招聘岗位", required=True, min_items=1, max_items=20, items=(
            Field("title", "string", "岗位名称", required=True, max_length=100),
            Field("count", "integer", "招聘人数", required=True, min=1, max=10_000),
            Field("skills", "string", "技能要求", max_length=500),
            Field("wage_from", "integer", "月薪下限（元）", min=0, max=1_000_000),
            Field("wage_to", "integer", "月薪上限（元）", min=0, max=1_000_000),
            Field("placed", "integer", "已招聘人数", read_only=True),
        )),
        Field("start_by", "date", "最晚到岗日期", required=True),
    )),
    _trade("supply", "采购", Field("by_date", "date", "需要日期")),
    _trade("sales", "销售", Field("from_date", "date", "可供日期")),
)}
assert tuple(KINDS) == NEED_KINDS


def describe() -> dict:
    """GET /meta/need-kinds: each kind with its label, problem category and fields."""
    return {name: {"label": kind.label, "category": kind.category, "fields": [f.describe() for f in kind.fields]}
            for name, kind in KINDS.items()}


def _value(spec: Field, value, path: str, errors: dict):
    def fail(message: str):
        errors.setdefault(path, []).append(message)

    if spec.type in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return fail("须为整数" if spec.type == "integer" else "须为数字")
        if spec.type == "integer" and (isinstance(value, float) and not value.is_integer()):
            return fail("须为整数")
        if isinstance(value, float) and not math.isfinite(value):
            return fail("须为数字")
        if spec.min is not None and value < spec.min:
            return fail(f"须大于或等于 {spec.min:g}")
        if spec.max is not None and value > spec.max:
            return fail(f"须小于或等于 {spec.max:g}")
        return int(value) if spec.type == "integer" else round(float(value), 2)
    if spec.type in ("string", "enum"):
        if not isinstance(value, str):
            return fail("须为字符串")
        value = value.strip()
        if "\x00" in value:
            return fail("包含非法字符")
        if spec.required and not value:
            return fail("不能为空")
        if spec.max_length is not None and len(value) > spec.max_length:
            return fail(f"长度不能超过 {spec.max_length}")
        if spec.choices is not None and value not in spec.choices:
            return fail("取值须为以下之一：" + ", ".join(spec.choices))
        return value
    if spec.type == "date":
        if not isinstance(value, str):
            return fail("日期格式无效，应为 YYYY-MM-DD")
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return fail("日期格式无效，应为 YYYY-MM-DD")
        if len(value) != 10 or not 1900 <= parsed.year <= 2999:
            return fail("日期格式无效，应为 YYYY-MM-DD")
        return parsed.isoformat()
    # list
    if not isinstance(value, list):
        return fail("须为数组")
    if spec.min_items is not None and len(value) < spec.min_items:
        return fail(f"至少填写 {spec.min_items} 项")
    if spec.max_items is not None and len(value) > spec.max_items:
        return fail(f"最多 {spec.max_items} 项")
    if spec.items is None:  # a list of short words
        words = []
        for i, word in enumerate(value):
            if not isinstance(word, str) or not word.strip() or len(word.strip()) > 20 or "\x00" in word:
                fail(f"第 {i + 1} 项须为 1–20 字的词")
            else:
                words.append(word.strip())
        return list(dict.fromkeys(words))
    return [_object(spec.items, item, f"{path}.{i}", errors) for i, item in enumerate(value)]


def _object(specs: tuple[Field, ...], data, path: str, errors: dict) -> dict:
    if not isinstance(data, dict):
        errors.setdefault(path, []).append("须为对象")
        return {}
    known = {spec.name for spec in specs if not spec.read_only}
    for key in data:
        if key not in known:
            errors.setdefault(f"{path}.{key}", []).append("未知字段")
    out = {}
    for spec in specs:
        if spec.read_only:
            continue
        value = data.get(spec.name)
        if value is None:
            if spec.required:
                errors.setdefault(f"{path}.{spec.name}", []).append("必填字段")
            continue
        cleaned = _value(spec, value, f"{path}.{spec.name}", errors)
        if cleaned is not None:
            out[spec.name] = cleaned
    return out


def validate(kind: str, details) -> dict:
    """The cleaned details of one kind; ValidationFailed with per-field messages under `details.…` otherwise."""
    if kind not in KINDS:
        raise ValidationFailed("需求类型无效", field="kind")
    errors: dict = {}
    cleaned = _object(KINDS[kind].fields, details, "details", errors)
    if kind == "labor":
        for i, post in enumerate(cleaned.get("posts", [])):
            if post.get("wage_from") is not None and post.get("wage_to") is not None \
                    and post["wage_to"] < post["wage_from"]:
                errors.setdefault(f"details.posts.{i}.wage_to", []).append("月薪上限不能低于下限")
    if errors:
        raise ValidationFailed("需求内容有误", errors=errors)
    return cleaned


def due_on(kind: str, details: dict) -> date | None:
    """The date a need is for; once it has passed, an open need expires."""
    value = details.get({"labor": "start_by", "supply": "by_date"}.get(kind, ""))
    return date.fromisoformat(value) if value else None


def amount(kind: str, details: dict) -> float | None:
    """万元 asked by a financing need (None for other kinds)."""
    return details.get("amount_10k") if kind == "financing" else None


def posts_asked(kind: str, details: dict) -> int | None:
    """Workers asked by a labor need (None for other kinds)."""
    return sum(p["count"] for p in details.get("posts", [])) if kind == "labor" else None
