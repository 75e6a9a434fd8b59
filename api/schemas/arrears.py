"""清欠 (arrears): cases, their plan and repayments, the monthly county table. Amounts are strings of 万元 with at
most two decimals on the way in, and exactly two on the way out ("1234.50"): never floating point."""

import re
from decimal import Decimal

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, LocalTimesDict, MultiEnum, NameOf, SafeDate, id_field, text
from api.schemas.dashboard import RegionBriefSchema
from api.schemas.problems import ActorRefSchema
from services import sorts
from services.models.arrears import ARREARS_STATUSES, DEBTOR_KINDS

AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
PERIOD_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


class Amount(ma.fields.String):
    """万元 with up to two decimals, as a JSON string; a Decimal inside."""

    def __init__(self, *, positive: bool = True, **kw):
        self.positive = positive
        metadata = {"pattern": AMOUNT_PATTERN, "example": "1250.50",
                    "description": "金额（万元），字符串，最多两位小数", **kw.pop("metadata", {})}
        super().__init__(metadata=metadata, **kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ma.ValidationError("金额须为字符串（万元，最多两位小数），如 \"1250.50\"")
        if not re.fullmatch(AMOUNT_PATTERN, value):
            raise ma.ValidationError("金额格式无效：万元，最多两位小数，如 \"1250.50\"")
        amount = Decimal(value)
        if self.positive and amount <= 0:
            raise ma.ValidationError("金额须大于 0")
        return amount


class AmountOut(ma.fields.String):
    """An amount on output only: "1234.50"."""

    def __init__(self, **kw):
        kw.setdefault("metadata", {}).update({"pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "1250.50"})
        super().__init__(dump_only=True, **kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"


class ArrearsPlanMonthSchema(BaseSchema):
    period = ma.fields.String(required=True, validate=ma.validate.Regexp(PERIOD_PATTERN,
                                                                         error="月份格式无效，应为 YYYY-MM"),
                              metadata={"pattern": PERIOD_PATTERN, "example": "2026-12"})
    amount_10k = Amount(required=True)


class ArrearsRepaymentSchema(BaseSchema):
    id = ma.fields.Integer()
    paid_on = ma.fields.Date()
    amount_10k = AmountOut()
    note = ma.fields.String()
    recorded_by_id = ma.fields.Integer(allow_none=True)
    recorded_by_name = NameOf("recorded_by.name")
    created_at = LocalDateTime()


class ArrearsEventSchema(BaseSchema):
    action = ma.fields.String()
    actor = ma.fields.Nested(ActorRefSchema, allow_none=True)
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    data = LocalTimesDict()
    at = LocalDateTime()


class ArrearsSummarySchema(BaseSchema):
    """A list item (no plan, repayments or timeline)."""

    id = ma.fields.Integer()
    creditor_enterprise_id = ma.fields.Integer()
    creditor_name = NameOf("creditor.name")
    debtor_name = ma.fields.String()
    debtor_kind = ma.fields.String()
    debtor_region_id = ma.fields.Integer(allow_none=True)
    debtor_region_name = NameOf("debtor_region.name")
    origin = ma.fields.String()
    amount_10k = AmountOut()
    disputed_10k = AmountOut()
    undisputed_10k = AmountOut()
    repaid_10k = AmountOut()
    remaining_10k = AmountOut()
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    status = ma.fields.String()
    supervised = ma.fields.Boolean()
    supervised_at = LocalDateTime(allow_none=True)
    supervising_region_id = ma.fields.Integer(allow_none=True)
    supervising_region_name = NameOf("supervising_region.name")
    complex = ma.fields.Boolean()
    cleared_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    confirm_method = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    version = ma.fields.Integer()


class ArrearsPlanMonthOutSchema(BaseSchema):
    period = ma.fields.String()
    amount_10k = AmountOut()


class ArrearsCaseSchema(ArrearsSummarySchema):
    plan = ma.fields.List(ma.fields.Nested(ArrearsPlanMonthOutSchema))
    repayments = ma.fields.List(ma.fields.Nested(ArrearsRepaymentSchema))
    events = ma.fields.List(ma.fields.Nested(ArrearsEventSchema))
    allowed_actions = ma.fields.List(ma.fields.String(), dump_default=list)


class ArrearsCreateSchema(BaseSchema):
    creditor_enterprise_id = id_field(required=True)
    debtor_name = text(200, required=True)
    debtor_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(DEBTOR_KINDS))
    debtor_region_id = id_field(allow_none=True)
    origin = text(2000, load_default="", metadata={"description": "欠款来源：项目、合同"})
    amount_10k = Amount(required=True)
    disputed_10k = Amount(positive=False, load_default=Decimal("0"))
    complex = ma.fields.Boolean(load_default=False, metadata={"description": "疑难复杂（仅专班协调员可认定）"})


class ArrearsUpdateSchema(BaseSchema):
    debtor_name = text(200, min_len=1)
    debtor_kind = ma.fields.String(validate=ma.validate.OneOf(DEBTOR_KINDS))
    debtor_region_id = id_field(allow_none=True)
    origin = text(2000)
    amount_10k = Amount()
    disputed_10k = Amount(positive=False)
    complex = ma.fields.Boolean()


class ArrearsPlanSchema(BaseSchema):
    months = ma.fields.List(ma.fields.Nested(ArrearsPlanMonthSchema), required=True,
                            validate=ma.validate.Length(min=1, max=120, error="还款计划须有 1 到 120 个月"))


class ArrearsRepaymentCreateSchema(BaseSchema):
    paid_on = SafeDate(required=True)
    amount_10k = Amount(required=True)
    note = text(2000, load_default="", metadata={"description": "凭证说明：转账凭证号、付款单位等"})


class ArrearsConfirmSchema(BaseSchema):
    method = ma.fields.String(validate=ma.validate.OneOf(("self", "phone", "visit")),
                              metadata={"description": "企业用户为 self；联络员代为确认须为 phone 或 visit（回访）"})
    comment = text(2000)


class ArrearsQuerySchema(ListArgsSchema):
    region = id_field(metadata={"description": "案件所在县区（含下级）"})
    status = MultiEnum(ARREARS_STATUSES)
    supervised = ma.fields.Boolean()
    debtor_kind = MultiEnum(DEBTOR_KINDS)
    creditor = id_field(metadata={"description": "债权企业 id"})
    q = ma.fields.String(validate=ma.validate.Length(max=100), metadata={"description": "债务人、债权企业或欠款来源"})
    sort = sort_field(sorts.ARREARS)


class ArrearsExportQuerySchema(ArrearsQuerySchema):
    class Meta:
        exclude = ("limit", "cursor", "count", "sort")


class ArrearsMonthlyQuerySchema(BaseSchema):
    region = id_field(metadata={"description": "区划，默认本人所在区划（管理员：省）"})
    period = ma.fields.String(validate=ma.validate.Regexp(PERIOD_PATTERN, error="月份格式无效，应为 YYYY-MM"),
                              metadata={"description": "月份 YYYY-MM，默认本月", "pattern": PERIOD_PATTERN})


class ArrearsMonthlyFiguresSchema(BaseSchema):
    opening_balance_10k = AmountOut(metadata={"description": "月初剩余无分歧欠款"})
    new_10k = AmountOut(metadata={"description": "本月新登记的无分歧欠款"})
    planned_10k = AmountOut(metadata={"description": "本月计划还款"})
    repaid_10k = AmountOut(metadata={"description": "本月实际还款"})
    closing_balance_10k = AmountOut(metadata={"description": "月末剩余无分歧欠款"})
    completion_rate = ma.fields.Float(allow_none=True, metadata={"description": "本月清偿 ÷ 本月计划；无计划为 null"})
    cases_cleared = ma.fields.Integer()
    cases_outstanding = ma.fields.Integer()


class ArrearsMonthlyRowSchema(ArrearsMonthlyFiguresSchema):
    region = ma.fields.Nested(RegionBriefSchema)
    rank = ma.fields.Integer(allow_none=True, metadata={"description": "按完成率排名，1 为最好；无计划为 null"})


class ArrearsMonthlySchema(BaseSchema):
    period = ma.fields.String()
    region = ma.fields.Nested(RegionBriefSchema)
    rows = ma.fields.List(ma.fields.Nested(ArrearsMonthlyRowSchema))
    total = ma.fields.Nested(ArrearsMonthlyFiguresSchema)
