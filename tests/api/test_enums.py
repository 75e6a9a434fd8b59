"""GET /meta/enums names every enum value the API uses, with its Chinese label, and cannot fall behind."""

import importlib

import marshmallow as ma

from api.schemas.base import BaseSchema
from services.labels import ENUM_LABELS


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _choices(field):
    for validator in getattr(field, "validators", []):
        if isinstance(validator, ma.validate.OneOf):
            yield tuple(validator.choices)
        if isinstance(validator, ma.validate.ContainsOnly):
            yield tuple(validator.choices)
    if isinstance(field, ma.fields.List):
        yield from _choices(field.inner)
    if isinstance(field, ma.fields.Nested) and isinstance(field.nested, type):
        for inner in field.nested._declared_fields.values():
            yield from _choices(inner)
    if getattr(field, "choices", None):
        yield tuple(field.choices)


def _labelled(values) -> bool:
    return any(set(values) <= set(labels) for labels in ENUM_LABELS.values())


def test_the_endpoint_returns_every_enum_with_every_label(client):
    assert client.get("meta/enums").get_json() == ENUM_LABELS


def test_every_enum_value_a_schema_accepts_has_a_label():
    import api.resources  # noqa: F401 - every schema module loaded

    list(api.resources.blueprints())
    missing, checked = {}, 0
    for schema in _subclasses(BaseSchema):
        for name, field in schema._declared_fields.items():
            if name == "sort":
                continue  # sort keys are field names, not enum values
            for values in _choices(field):
                checked += 1
                if not _labelled(values):
                    missing[f"{schema.__name__}.{name}"] = values
    assert checked > 30
    assert missing == {}


def test_every_enum_tuple_of_the_models_has_a_label():
    missing = {}
    for module_name in ("arrears", "enterprises", "field", "monitoring", "needs", "plans", "policies", "problems",
                        "reference", "tasks", "users"):
        module = importlib.import_module(f"services.models.{module_name}").__dict__
        for name, value in module.items():
            if name.isupper() and isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
                if not _labelled(value):
                    missing[f"{module_name}.{name}"] = value
    assert missing == {}


def test_every_label_is_chinese_text():
    for kind, labels in ENUM_LABELS.items():
        for value, label in labels.items():
            assert label and not label.isascii(), (kind, value, label)


def test_the_openapi_document_lists_every_enum(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Enums"]
    assert set(schema["properties"]) == set(ENUM_LABELS)


def test_the_action_buttons_carry_the_names_the_client_contract_fixes(client):
    """The web client labels one button per allowed action from /meta/enums; browser tests find them by these."""
    labels = client.get("meta/enums").get_json()["problem_action"]
    assert {action: labels[action] for action in CONTRACT_ACTION_NAMES} == CONTRACT_ACTION_NAMES


CONTRACT_ACTION_NAMES = {
    "accept": "受理", "reject": "不予受理", "escalate": "上报", "return": "退回", "reclassify": "重新定性",
    "assign": "交办", "resolve": "办结", "feedback": "评价", "close": "销号", "withdraw": "撤回",
    "request_info": "要求补充", "supply_info": "补充材料", "request_extension": "申请延期",
    "decide_extension": "审批延期", "supervise": "督办", "unsupervise": "取消督办", "comment": "评论",
}
