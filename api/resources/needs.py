"""对接: needs, the catalogue and candidates, offers, matches, placements, 对接会, figures and the ranking."""

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import anonymous_read_limit, current_actor
from api.concurrency import optional_if_match, required_if_match, set_etag
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.needs import (
    CandidateQuerySchema,
    CandidatesSchema,
    CatalogueItemSchema,
    CatalogueQuerySchema,
    FiguresQuerySchema,
    FiguresSchema,
    InstitutionListSchema,
    InterestSchema,
    MatchDecisionSchema,
    MatchingSessionCreateSchema,
    MatchingSessionSchema,
    MatchQuerySchema,
    MatchReportSchema,
    MatchSchema,
    NeedCreateSchema,
    NeedKindsSchema,
    NeedQuerySchema,
    NeedSchema,
    NeedSummarySchema,
    NeedUpdateSchema,
    OfferAcceptSchema,
    OfferCreateSchema,
    OfferOutcomeSchema,
    OfferSchema,
    PlacementCreateSchema,
    RankingSchema,
    SessionOutcomeSchema,
    SessionQuerySchema,
    WithdrawNeedSchema,
)
from services import exports
from services.needs import core, figures, financing, kinds, labor, sessions, trade

blp = Blueprint("needs", __name__, url_prefix="/api/v1", description="对接：融资、用工、产供销需求与对接会")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = "<int(max=2147483647):{}>"
NEED = ID.format("need_id")
ERRORS = ((403, "无权执行此操作"), (404, "对象不存在或不在本人范围内"), (409, "当前状态不允许此操作"),
          (412, "版本已过期（If-Match）"))


def documented_errors(view):
    for status, description in ERRORS:
        view = blp.alt_response(status, schema=ProblemDetailSchema, description=description)(view)
    return view


def _need(need):
    set_etag(need.version)
    return need


def _versioned(item):
    set_etag(item.version)
    return item


@blp.route("/meta/need-kinds")
@anonymous_read_limit
@blp.response(200, NeedKindsSchema)
@blp.alt_response(429, schema=ProblemDetailSchema)
@blp.doc(security=[{}, {"bearerAuth": []}])
def need_kinds():
    """各需求类型的字段、类型、中文名称和取值范围（无需令牌）"""
    return kinds.describe()


@blp.route("/needs")
class Needs(MethodView):
    @blp.arguments(NeedQuerySchema, location="query")
    @blp.response(200, page_schema(NeedSummarySchema))
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def get(self, args):
        """列出本人范围内的需求（金融机构：服务区域内对接中的融资需求）"""
        return core.need_page(actor=current_actor(), **args)

    @blp.arguments(NeedCreateSchema)
    @blp.response(201, NeedSchema)
    @documented_errors
    def post(self, body):
        """发布企业需求（企业本身、其联络员或辖区专班）"""
        return _need(core.create_need(actor=current_actor(), **body))


@blp.route("/needs/catalogue")
@blp.arguments(CatalogueQuerySchema, location="query")
@blp.response(200, page_schema(CatalogueItemSchema))
@blp.alt_response(403, schema=ProblemDetailSchema)
def catalogue(args):
    """本州（市）供需目录：对接中的采购和销售需求，不含金额和联系方式"""
    return trade.catalogue_page(actor=current_actor(), **args)


@blp.route(f"/needs/{NEED}")
class NeedItem(MethodView):
    @blp.response(200, NeedSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, need_id):
        """查看需求及其授信意向、对接、招聘登记和时间线"""
        return _need(core.get_need_or_raise(actor=current_actor(), need_id=need_id))

    @blp.arguments(NeedUpdateSchema)
    @blp.response(200, NeedSchema)
    @documented_errors
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, need_id):
        """修改对接中需求的内容"""
        return _need(core.update_need(actor=current_actor(), need_id=need_id, expected_version=required_if_match(),
                                      **body))


@blp.route(f"/needs/{NEED}/withdraw", methods=["POST"])
@blp.arguments(WithdrawNeedSchema)
@blp.response(200, NeedSchema)
@documented_errors
def withdraw(body, need_id):
    """撤回需求：未决的授信意向和对接意向随之关闭并通知对方"""
    return _need(core.withdraw_need(actor=current_actor(), need_id=need_id, expected_version=optional_if_match(),
                                    **body))


@blp.route(f"/needs/{NEED}/candidates")
@blp.arguments(CandidateQuerySchema, location="query")
@blp.response(200, CandidatesSchema)
@documented_errors
def candidates(args, need_id):
    """需求的匹配对象（相对的需求和在册企业），就近优先，附匹配理由"""
    return trade.candidates(actor=current_actor(), need_id=need_id, **args)


@blp.route(f"/needs/{NEED}/interest", methods=["POST"])
@blp.arguments(InterestSchema)
@blp.response(201, MatchSchema)
@documented_errors
def interest(body, need_id):
    """对目录中的需求提出意向对接，并通知对方"""
    return _versioned(trade.express_interest(actor=current_actor(), need_id=need_id, **body))


@blp.route("/matches")
@blp.arguments(MatchQuerySchema, location="query")
@blp.response(200, page_schema(MatchSchema))
@blp.alt_response(403, schema=ProblemDetailSchema)
def list_matches(args):
    """列出本人企业的供需对接"""
    return trade.match_page(actor=current_actor(), **args)


@blp.route(f"/matches/{ID.format('match_id')}")
@blp.response(200, MatchSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_match(match_id):
    """查看对接记录；对方确认后双方可见联系方式"""
    return _versioned(trade.get_match_or_raise(actor=current_actor(), match_id=match_id))


@blp.route(f"/matches/{ID.format('match_id')}/accept", methods=["POST"])
@blp.arguments(MatchDecisionSchema)
@blp.response(200, MatchSchema)
@documented_errors
def accept_match(body, match_id):
    """确认对接：双方可见彼此联系方式"""
    return _versioned(trade.decide(actor=current_actor(), match_id=match_id, accept=True,
                                   expected_version=optional_if_match()))


@blp.route(f"/matches/{ID.format('match_id')}/decline", methods=["POST"])
@blp.arguments(MatchDecisionSchema)
@blp.response(200, MatchSchema)
@documented_errors
def decline_match(body, match_id):
    """婉拒对接意向"""
    return _versioned(trade.decide(actor=current_actor(), match_id=match_id, accept=False,
                                   expected_version=optional_if_match()))


@blp.route(f"/matches/{ID.format('match_id')}/report", methods=["POST"])
@blp.arguments(MatchReportSchema)
@blp.response(200, MatchSchema)
@documented_errors
def report_match(body, match_id):
    """报告对接结果：签约（附金额）或未成交"""
    return _versioned(trade.report(actor=current_actor(), match_id=match_id, expected_version=optional_if_match(),
                                   **body))


@blp.route(f"/needs/{NEED}/offers", methods=["POST"])
@blp.arguments(OfferCreateSchema)
@blp.response(201, OfferSchema)
@documented_errors
def make_offer(body, need_id):
    """对融资需求提出授信意向（金融机构用户）"""
    return _versioned(financing.make_offer(actor=current_actor(), need_id=need_id, **body))


@blp.route(f"/offers/{ID.format('offer_id')}/accept", methods=["POST"])
@blp.arguments(OfferAcceptSchema)
@blp.response(200, OfferSchema)
@documented_errors
def accept_offer(body, offer_id):
    """接受一个授信意向，其余意向关闭并通知"""
    return _versioned(financing.accept_offer(actor=current_actor(), offer_id=offer_id,
                                             expected_version=optional_if_match()))


@blp.route(f"/offers/{ID.format('offer_id')}/outcome", methods=["POST"])
@blp.arguments(OfferOutcomeSchema)
@blp.response(200, OfferSchema)
@documented_errors
def offer_outcome(body, offer_id):
    """登记放款（金额、日期）或未获批（原因）"""
    return _versioned(financing.record_outcome(actor=current_actor(), offer_id=offer_id,
                                               expected_version=optional_if_match(), **body))


@blp.route(f"/needs/{NEED}/placements", methods=["POST"])
@blp.arguments(PlacementCreateSchema)
@blp.response(201, NeedSchema)
@documented_errors
def placement(body, need_id):
    """登记用工需求某一岗位的到岗人数（登记招聘）"""
    return _need(labor.record_placement(actor=current_actor(), need_id=need_id,
                                        expected_version=optional_if_match(), **body))


@blp.route("/institutions")
@blp.response(200, InstitutionListSchema)
def institutions():
    """列出金融机构及其服务区域"""
    return {"items": list(financing.institutions())}


@blp.route("/matching-sessions")
class MatchingSessions(MethodView):
    @blp.arguments(SessionQuerySchema, location="query")
    @blp.response(200, page_schema(MatchingSessionSchema))
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def get(self, args):
        """列出本区划及上下级区划的对接会"""
        return sessions.session_page(actor=current_actor(), **args)

    @blp.arguments(MatchingSessionCreateSchema)
    @blp.response(201, MatchingSessionSchema)
    @documented_errors
    def post(self, body):
        """组织对接会（邀请需求和参会方），并发送邀请通知"""
        return _versioned(sessions.create_session(actor=current_actor(), **body))


@blp.route(f"/matching-sessions/{ID.format('session_id')}")
@blp.response(200, MatchingSessionSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_session(session_id):
    """查看对接会及受邀需求的成果"""
    return _versioned(sessions.get_session_or_raise(actor=current_actor(), session_id=session_id))


@blp.route(f"/matching-sessions/{ID.format('session_id')}/outcomes", methods=["POST"])
@blp.arguments(SessionOutcomeSchema)
@blp.response(200, MatchingSessionSchema)
@documented_errors
def session_outcome(body, session_id):
    """会后登记一项受邀需求的对接成果"""
    return _versioned(sessions.record_outcome(actor=current_actor(), session_id=session_id, **body))


@blp.route("/needs/figures")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, FiguresSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def need_figures(args):
    """区划及其下级区划的对接月度统计"""
    return figures.figures(actor=current_actor(), **args)


def _xlsx(result):
    name, ascii_name, content = result
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": exports.content_disposition(name, ascii_name)})


@blp.route("/needs/figures/export.xlsx")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="对接月报 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def export_figures(args):
    """导出对接月度统计（Excel）"""
    return _xlsx(figures.export_figures(actor=current_actor(), **args))


@blp.route("/institutions/ranking")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, RankingSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def ranking(args):
    """服务该区划的金融机构月度排名"""
    return figures.ranking(actor=current_actor(), **args)


@blp.route("/institutions/ranking/export.xlsx")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="金融机构排名 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def export_ranking(args):
    """导出金融机构月度排名（Excel）"""
    return _xlsx(figures.export_ranking(actor=current_actor(), **args))
