"""对接: needs, offers, matches, placements, matching sessions, figures and the institution ranking."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, MultiEnum, NameOf, SafeDate, enum, id_field, text
from api.schemas.dashboard import RegionBriefSchema
from services import sorts
from services.models.needs import (
    INSTITUTION_KINDS,
    MATCH_STATUSES,
    NEED_KINDS,
    NEED_STATUSES,
    OFFER_STATUSES,
    OUTCOME_RESULTS,
    SESSION_KINDS,
)

AMOUNT = ma.validate.Range(min=0.01, max=1_000_000)
PERIOD = ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="月份格式无效，应为 YYYY-MM")
DETAILS_DOC = ("按需求类型填写（见 GET /meta/need-kinds）：融资 {amount_10k, term_months, purpose, guarantee}；"
               "用工 {posts: [{title, count, skills?, wage_from?, wage_to?}], start_by}；"
               "采购/销售 {product, keywords?, quantity, unit, by_date?|from_date?}")


def amount(**kw):
    return ma.fields.Float(validate=AMOUNT, allow_nan=False, **kw)


class NeedKindFieldSchema(BaseSchema):
    name = ma.fields.String(required=True)
    type = ma.fields.String(required=True, metadata={"enum": ["number", "integer", "string", "date", "enum", "list"]})
    label = ma.fields.String(required=True)
    required = ma.fields.Boolean(required=True)
    min = ma.fields.Float()
    max = ma.fields.Float()
    max_length = ma.fields.Integer()
    choices = ma.fields.List(ma.fields.String())
    enum = ma.fields.String(metadata={"description": "标注取值的 /meta/enums 条目"})
    min_items = ma.fields.Integer()
    max_items = ma.fields.Integer()
    read_only = ma.fields.Boolean()
    help = ma.fields.String()
    items = ma.fields.List(ma.fields.Dict(), allow_none=True,
                           metadata={"description": "对象列表中每个对象的字段（同本结构）；其他字段为 null"})


class NeedKindSchema(BaseSchema):
    label = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"description": "对应的问题类别"})
    fields = ma.fields.List(ma.fields.Nested(NeedKindFieldSchema), required=True)


NeedKindsSchema = type("NeedKindsSchema", (BaseSchema,), {
    kind: ma.fields.Nested(NeedKindSchema, required=True) for kind in NEED_KINDS})


class ContactSchema(BaseSchema):
    name = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)


class OfferSchema(BaseSchema):
    id = ma.fields.Integer()
    need_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    institution_name = NameOf("institution.name")
    amount_10k = ma.fields.Method("_amount", metadata={"type": "number", "nullable": True})
    rate_pct = ma.fields.Float()
    term_months = ma.fields.Integer()
    note = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(OFFER_STATUSES)})
    closed_reason = ma.fields.String(allow_none=True)
    granted_amount_10k = ma.fields.Method("_granted", metadata={"type": "number", "nullable": True})
    granted_on = ma.fields.Date(allow_none=True)
    decline_reason = ma.fields.String(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    decided_at = LocalDateTime(allow_none=True)
    allowed_actions = ma.fields.List(ma.fields.String(), attribute="view_actions")
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()

    def _amount(self, offer):
        return offer.amount_10k if getattr(offer, "view_money", False) else None

    def _granted(self, offer):
        return offer.granted_amount_10k if getattr(offer, "view_money", False) else None


class NeedBriefSchema(BaseSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    product = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    region_name = NameOf("region.name")


class MatchContactsSchema(BaseSchema):
    need_side = ma.fields.Nested(ContactSchema, allow_none=True)
    interested_side = ma.fields.Nested(ContactSchema, allow_none=True)


class MatchSchema(BaseSchema):
    id = ma.fields.Integer()
    need_id = ma.fields.Integer()
    need = ma.fields.Nested(NeedBriefSchema)
    enterprise_id = ma.fields.Integer(metadata={"description": "表达意向的企业"})
    enterprise_name = NameOf("enterprise.name")
    own_need_id = ma.fields.Integer(allow_none=True)
    own_need = ma.fields.Nested(NeedBriefSchema, allow_none=True)
    status = ma.fields.String(metadata={"enum": list(MATCH_STATUSES)})
    note = ma.fields.String()
    amount_10k = ma.fields.Method("_amount", metadata={"type": "number", "nullable": True})
    accepted_at = LocalDateTime(allow_none=True)
    reported_at = LocalDateTime(allow_none=True)
    contacts = ma.fields.Nested(MatchContactsSchema, attribute="view_contacts",
                                metadata={"description": "对方确认对接后，双方可见彼此联系方式"})
    allowed_actions = ma.fields.List(ma.fields.String(), attribute="view_actions")
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()

    def _amount(self, match):
        return match.amount_10k if getattr(match, "view_money", False) else None


class PlacementSchema(BaseSchema):
    id = ma.fields.Integer()
    post_index = ma.fields.Integer()
    placed = ma.fields.Integer()
    placed_on = ma.fields.Date()
    session_id = ma.fields.Integer(allow_none=True)
    created_at = LocalDateTime()


class NeedEventSchema(BaseSchema):
    action = ma.fields.String()
    actor_name = NameOf("actor.name")
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    at = LocalDateTime()


class NeedSummarySchema(BaseSchema):
    id = ma.fields.Integer()
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    industry = NameOf("enterprise.industry")
    scale = NameOf("enterprise.scale")
    kind = ma.fields.String(metadata={"enum": list(NEED_KINDS)})
    details = ma.fields.Dict(attribute="view_details", metadata={"description": DETAILS_DOC})
    status = ma.fields.String(metadata={"enum": list(NEED_STATUSES)})
    problem_id = ma.fields.Integer(allow_none=True)
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    due_on = ma.fields.Date(allow_none=True)
    contact = ma.fields.Nested(ContactSchema, attribute="view_contact", allow_none=True,
                               metadata={"description": "企业联系人：金融机构在其授信意向被接受后才可见"})
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class NeedSchema(NeedSummarySchema):
    closed_at = LocalDateTime(allow_none=True)
    allowed_actions = ma.fields.List(ma.fields.String(), attribute="view_actions")
    offers = ma.fields.List(ma.fields.Nested(OfferSchema), attribute="view_offers")
    matches = ma.fields.List(ma.fields.Nested(MatchSchema), attribute="view_matches")
    placements = ma.fields.List(ma.fields.Nested(PlacementSchema), attribute="view_placements")
    events = ma.fields.List(ma.fields.Nested(NeedEventSchema), attribute="view_events")


class CatalogueItemSchema(BaseSchema):
    """A catalogue entry: product, quantity, dates, enterprise and county — never money nor contacts."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    product = ma.fields.String(allow_none=True)
    keywords = ma.fields.List(ma.fields.String())
    quantity = ma.fields.Function(lambda n: n.details.get("quantity"), metadata={"type": "number"})
    unit = ma.fields.Function(lambda n: n.details.get("unit"), metadata={"type": "string"})
    by_date = ma.fields.Function(lambda n: n.details.get("by_date"), metadata={"type": "string", "nullable": True})
    from_date = ma.fields.Function(lambda n: n.details.get("from_date"), metadata={"type": "string", "nullable": True})
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    industry = NameOf("enterprise.industry")
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    status = ma.fields.String()
    created_at = LocalDateTime()


class NeedInlineSchema(BaseSchema):
    kind = enum(NEED_KINDS, required=True)
    details = ma.fields.Dict(required=True, metadata={"description": DETAILS_DOC})


class NeedCreateSchema(NeedInlineSchema):
    enterprise_id = id_field(metadata={"description": "企业用户可省略（默认本企业）"})


class NeedUpdateSchema(BaseSchema):
    details = ma.fields.Dict(required=True, metadata={"description": DETAILS_DOC})


class NeedQuerySchema(ListArgsSchema):
    kind = MultiEnum(NEED_KINDS)
    status = MultiEnum(NEED_STATUSES)
    region = id_field()
    enterprise = id_field()
    q = ma.fields.String(validate=ma.validate.Length(max=100))
    sort = sort_field(sorts.NEEDS)


class CatalogueQuerySchema(ListArgsSchema):
    kind = MultiEnum(("supply", "sales"))
    region = id_field()
    q = ma.fields.String(validate=ma.validate.Length(max=100))
    sort = sort_field(sorts.NEEDS)


class WithdrawNeedSchema(BaseSchema):
    reason = text(500, load_default="")


class CandidateSchema(BaseSchema):
    source = ma.fields.String(metadata={"enum": ["need", "registry"]})
    need_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String(allow_none=True)
    product = ma.fields.String(allow_none=True)
    quantity = ma.fields.Float(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    enterprise_id = ma.fields.Integer()
    enterprise_name = ma.fields.String()
    region_id = ma.fields.Integer()
    region_name = ma.fields.String()
    distance = ma.fields.String(metadata={"enum": ["county", "prefecture", "province"]})
    score = ma.fields.Float()
    reasons = ma.fields.List(ma.fields.String())


class CandidatesSchema(BaseSchema):
    need_id = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(CandidateSchema))


class CandidateQuerySchema(BaseSchema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


class InterestSchema(BaseSchema):
    enterprise_id = id_field(metadata={"description": "联络员代企业提出时必填；企业用户默认本企业"})
    own_need_id = id_field(metadata={"description": "本企业与之相对的采购或销售需求（可选）"})
    note = text(500, load_default="")


class MatchDecisionSchema(BaseSchema):
    pass


class MatchReportSchema(BaseSchema):
    outcome = enum(("signed", "no_deal"), required=True)
    amount_10k = amount(metadata={"description": "签约金额（万元），签约时必填"})


class MatchQuerySchema(ListArgsSchema):
    status = MultiEnum(MATCH_STATUSES)


class OfferCreateSchema(BaseSchema):
    amount_10k = amount(required=True)
    rate_pct = ma.fields.Float(required=True, validate=ma.validate.Range(min=0, max=36), allow_nan=False)
    term_months = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=360))
    note = text(500, load_default="")


class OfferAcceptSchema(BaseSchema):
    pass


class OfferOutcomeSchema(BaseSchema):
    granted = ma.fields.Boolean(required=True)
    amount_10k = amount()
    granted_on = SafeDate()
    reason = text(500)


class PlacementCreateSchema(BaseSchema):
    post_index = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=99),
                                   metadata={"description": "posts 中的位置，从 0 开始"})
    placed = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=10_000))
    placed_on = SafeDate(required=True)


class InstitutionSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": list(INSTITUTION_KINDS)})
    region_ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "服务区划"})
    region_names = ma.fields.Function(lambda i: [r.name for r in i.service_regions], metadata={
        "type": "array", "items": {"type": "string"}})


class InstitutionListSchema(BaseSchema):
    items = ma.fields.List(ma.fields.Nested(InstitutionSchema))


class SessionNeedSchema(BaseSchema):
    need_id = ma.fields.Integer()
    need = ma.fields.Nested(NeedBriefSchema)
    result = ma.fields.String(allow_none=True, metadata={"enum": list(OUTCOME_RESULTS)})
    amount_10k = ma.fields.Float(allow_none=True)
    placed = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    recorded_at = LocalDateTime(allow_none=True)


class MatchingSessionSchema(BaseSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(SESSION_KINDS)})
    title = ma.fields.String()
    held_on = ma.fields.Date()
    place = ma.fields.String()
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    organiser_id = ma.fields.Integer(allow_none=True)
    organiser_name = NameOf("organiser.name")
    need_ids = ma.fields.List(ma.fields.Integer())
    institution_ids = ma.fields.List(ma.fields.Integer())
    enterprise_ids = ma.fields.List(ma.fields.Integer())
    needs = ma.fields.List(ma.fields.Nested(SessionNeedSchema), attribute="entries")
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class MatchingSessionCreateSchema(BaseSchema):
    kind = enum(SESSION_KINDS, required=True)
    title = text(200, required=True)
    held_on = SafeDate(required=True)
    place = text(200, required=True)
    need_ids = ma.fields.List(id_field(), required=True, validate=ma.validate.Length(min=1, max=200))
    institution_ids = ma.fields.List(id_field(), load_default=list, validate=ma.validate.Length(max=100))
    enterprise_ids = ma.fields.List(id_field(), load_default=list, validate=ma.validate.Length(max=200))


class SessionOutcomeSchema(BaseSchema):
    need_id = id_field(required=True)
    result = enum(OUTCOME_RESULTS, required=True)
    amount_10k = amount()
    placed = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10_000))
    note = text(500)


class SessionQuerySchema(ListArgsSchema):
    kind = MultiEnum(SESSION_KINDS)
    sort = sort_field(sorts.MATCHING_SESSIONS)


class FiguresQuerySchema(BaseSchema):
    region = id_field(metadata={"description": "区划，默认本人所在区划（管理员：省）"})
    period = ma.fields.String(validate=PERIOD, metadata={"description": "月份 YYYY-MM，默认本月"})


class StatusCountsSchema(BaseSchema):
    open = ma.fields.Integer()
    matched = ma.fields.Integer()
    fulfilled = ma.fields.Integer()
    withdrawn = ma.fields.Integer()
    expired = ma.fields.Integer()


class KindCountsSchema(BaseSchema):
    financing = ma.fields.Integer()
    labor = ma.fields.Integer()
    supply = ma.fields.Integer()
    sales = ma.fields.Integer()


class NeedCountsSchema(BaseSchema):
    by_kind = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(StatusCountsSchema),
                             metadata={"description": "按需求类型和（月末）状态"})
    new = ma.fields.Nested(KindCountsSchema)
    total = ma.fields.Integer()


class FinancingFiguresSchema(BaseSchema):
    asked_10k = ma.fields.Float()
    granted_10k = ma.fields.Float()
    granted_small_10k = ma.fields.Float()
    offers = ma.fields.Integer()


class LaborFiguresSchema(BaseSchema):
    posts_asked = ma.fields.Integer()
    posts_filled = ma.fields.Integer()


class MatchFiguresSchema(BaseSchema):
    signed = ma.fields.Integer()
    signed_10k = ma.fields.Float()


class SessionFiguresSchema(BaseSchema):
    held = ma.fields.Integer()


class FigureBlockSchema(BaseSchema):
    region = ma.fields.Nested(RegionBriefSchema)
    needs = ma.fields.Nested(NeedCountsSchema)
    financing = ma.fields.Nested(FinancingFiguresSchema)
    labor = ma.fields.Nested(LaborFiguresSchema)
    matches = ma.fields.Nested(MatchFiguresSchema)
    sessions = ma.fields.Nested(SessionFiguresSchema)


class FiguresSchema(FigureBlockSchema):
    period = ma.fields.String()
    children = ma.fields.List(ma.fields.Nested(FigureBlockSchema))


class RankingRowSchema(BaseSchema):
    institution_id = ma.fields.Integer()
    institution_name = ma.fields.String()
    kind = ma.fields.String()
    offers = ma.fields.Integer()
    median_days_to_first_offer = ma.fields.Float(allow_none=True)
    granted_10k = ma.fields.Float()
    granted_small_10k = ma.fields.Float()
    granted_count = ma.fields.Integer()
    declined_count = ma.fields.Integer()
    decline_rate = ma.fields.Float(allow_none=True)
    rank = ma.fields.Integer()


class RankingSchema(BaseSchema):
    period = ma.fields.String()
    region = ma.fields.Nested(RegionBriefSchema)
    rows = ma.fields.List(ma.fields.Nested(RankingRowSchema))
