"""对接: needs, the catalogue and candidates, offers, matches, placements, 对接会, figures and the ranking."""

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api import sorts
from api.auth import anonymous_read_limit, current_actor
from api.concurrency import optional_if_match, required_if_match, set_etag
from api.pagination import page_schema, paginate, split_paging
from api.schemas.common import ProblemDetailSchema
from api.schemas.needs import (
    CandidateQuerySchema, CandidatesSchema, CatalogueItemSchema, CatalogueQuerySchema, FiguresQuerySchema,
    FiguresSchema, InstitutionListSchema, InterestSchema, MatchDecisionSchema, MatchingSessionCreateSchema,
    MatchingSessionSchema, MatchQuerySchema, MatchReportSchema, MatchSchema, NeedCreateSchema, NeedKindsSchema,
    NeedQuerySchema, NeedSchema, NeedSummarySchema, NeedUpdateSchema, OfferAcceptSchema, OfferCreateSchema,
    OfferOutcomeSchema, OfferSchema, PlacementCreateSchema, RankingSchema, SessionOutcomeSchema, SessionQuerySchema,
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
    """The fields of each need kind with types, Chinese labels and bounds; needs no token"""
    return kinds.describe()


@blp.route("/needs")
class Needs(MethodView):
    @blp.arguments(NeedQuerySchema, location="query")
    @blp.response(200, page_schema(NeedSummarySchema))
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def get(self, args):
        """List needs in the caller's scope (institutions: open financing needs of their service regions)"""
        filters, paging = split_paging(args)
        actor = current_actor()
        page = paginate(core.list_needs(actor=actor, **filters), sorts=sorts.NEEDS, **paging)
        core.present(actor, page["items"])
        return page

    @blp.arguments(NeedCreateSchema)
    @blp.response(201, NeedSchema)
    @documented_errors
    def post(self, body):
        """Publish a need of an enterprise (the enterprise, its liaison or a coordinator in scope)"""
        return _need(core.create_need(actor=current_actor(), **body))


@blp.route("/needs/catalogue")
@blp.arguments(CatalogueQuerySchema, location="query")
@blp.response(200, page_schema(CatalogueItemSchema))
@blp.alt_response(403, schema=ProblemDetailSchema)
def catalogue(args):
    """The prefecture's catalogue of open supply and sales needs, without money or contacts"""
    filters, paging = split_paging(args)
    return paginate(trade.catalogue(actor=current_actor(), **filters), sorts=sorts.NEEDS, **paging)


@blp.route(f"/needs/{NEED}")
class NeedItem(MethodView):
    @blp.response(200, NeedSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, need_id):
        """Read a need with its offers, matches, placements and timeline"""
        return _need(core.get_need_or_raise(actor=current_actor(), need_id=need_id))

    @blp.arguments(NeedUpdateSchema)
    @blp.response(200, NeedSchema)
    @documented_errors
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, need_id):
        """Correct the details of an open need"""
        return _need(core.update_need(actor=current_actor(), need_id=need_id, expected_version=required_if_match(),
                                      **body))


@blp.route(f"/needs/{NEED}/withdraw", methods=["POST"])
@blp.arguments(WithdrawNeedSchema)
@blp.response(200, NeedSchema)
@documented_errors
def withdraw(body, need_id):
    """Withdraw a need; open offers and pending interest close with a notice"""
    return _need(core.withdraw_need(actor=current_actor(), need_id=need_id, expected_version=optional_if_match(),
                                    **body))


@blp.route(f"/needs/{NEED}/candidates")
@blp.arguments(CandidateQuerySchema, location="query")
@blp.response(200, CandidatesSchema)
@documented_errors
def candidates(args, need_id):
    """Matching sales (or supply) needs and registry enterprises for a need, nearest first, with reasons"""
    return trade.candidates(actor=current_actor(), need_id=need_id, **args)


@blp.route(f"/needs/{NEED}/interest", methods=["POST"])
@blp.arguments(InterestSchema)
@blp.response(201, MatchSchema)
@documented_errors
def interest(body, need_id):
    """Express interest in a catalogue need (意向对接); the other side is notified"""
    return _versioned(trade.express_interest(actor=current_actor(), need_id=need_id, **body))


@blp.route("/matches")
@blp.arguments(MatchQuerySchema, location="query")
@blp.response(200, page_schema(MatchSchema))
@blp.alt_response(403, schema=ProblemDetailSchema)
def list_matches(args):
    """List the supply–sales matches of the caller's enterprises"""
    filters, paging = split_paging(args)
    actor = current_actor()
    page = paginate(trade.list_matches(actor=actor, **filters), sorts=sorts.MATCHES, **paging)
    trade.present_matches(actor, page["items"])
    return page


@blp.route(f"/matches/{ID.format('match_id')}")
@blp.response(200, MatchSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_match(match_id):
    """Read a match, with both sides' contacts once it is accepted"""
    return _versioned(trade.get_match_or_raise(actor=current_actor(), match_id=match_id))


@blp.route(f"/matches/{ID.format('match_id')}/accept", methods=["POST"])
@blp.arguments(MatchDecisionSchema)
@blp.response(200, MatchSchema)
@documented_errors
def accept_match(body, match_id):
    """Accept an interest: both sides see each other's contact"""
    return _versioned(trade.decide(actor=current_actor(), match_id=match_id, accept=True,
                                   expected_version=optional_if_match()))


@blp.route(f"/matches/{ID.format('match_id')}/decline", methods=["POST"])
@blp.arguments(MatchDecisionSchema)
@blp.response(200, MatchSchema)
@documented_errors
def decline_match(body, match_id):
    """Decline an interest"""
    return _versioned(trade.decide(actor=current_actor(), match_id=match_id, accept=False,
                                   expected_version=optional_if_match()))


@blp.route(f"/matches/{ID.format('match_id')}/report", methods=["POST"])
@blp.arguments(MatchReportSchema)
@blp.response(200, MatchSchema)
@documented_errors
def report_match(body, match_id):
    """Report how an accepted match ended: signed (with the amount) or no_deal"""
    return _versioned(trade.report(actor=current_actor(), match_id=match_id, expected_version=optional_if_match(),
                                   **body))


@blp.route(f"/needs/{NEED}/offers", methods=["POST"])
@blp.arguments(OfferCreateSchema)
@blp.response(201, OfferSchema)
@documented_errors
def make_offer(body, need_id):
    """Offer credit on a financing need (提出授信意向; institution users)"""
    return _versioned(financing.make_offer(actor=current_actor(), need_id=need_id, **body))


@blp.route(f"/offers/{ID.format('offer_id')}/accept", methods=["POST"])
@blp.arguments(OfferAcceptSchema)
@blp.response(200, OfferSchema)
@documented_errors
def accept_offer(body, offer_id):
    """Accept one offer; the need's other offers close with a notice"""
    return _versioned(financing.accept_offer(actor=current_actor(), offer_id=offer_id,
                                             expected_version=optional_if_match()))


@blp.route(f"/offers/{ID.format('offer_id')}/outcome", methods=["POST"])
@blp.arguments(OfferOutcomeSchema)
@blp.response(200, OfferSchema)
@documented_errors
def offer_outcome(body, offer_id):
    """Record the credit granted (amount, date) or declined (reason) on an accepted offer (登记放款)"""
    return _versioned(financing.record_outcome(actor=current_actor(), offer_id=offer_id,
                                               expected_version=optional_if_match(), **body))


@blp.route(f"/needs/{NEED}/placements", methods=["POST"])
@blp.arguments(PlacementCreateSchema)
@blp.response(201, NeedSchema)
@documented_errors
def placement(body, need_id):
    """Record workers placed on one post of a labor need (登记招聘)"""
    return _need(labor.record_placement(actor=current_actor(), need_id=need_id,
                                        expected_version=optional_if_match(), **body))


@blp.route("/institutions")
@blp.response(200, InstitutionListSchema)
def institutions():
    """List the financial institutions with their service regions"""
    return {"items": list(financing.institutions())}


@blp.route("/matching-sessions")
class MatchingSessions(MethodView):
    @blp.arguments(SessionQuerySchema, location="query")
    @blp.response(200, page_schema(MatchingSessionSchema))
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def get(self, args):
        """List 对接会 of the caller's region, those above it and below it"""
        filters, paging = split_paging(args)
        return paginate(sessions.list_sessions(actor=current_actor(), **filters), sorts=sorts.MATCHING_SESSIONS,
                        **paging)

    @blp.arguments(MatchingSessionCreateSchema)
    @blp.response(201, MatchingSessionSchema)
    @documented_errors
    def post(self, body):
        """Organise a 对接会 with invited needs and participants; invitations are notified"""
        return _versioned(sessions.create_session(actor=current_actor(), **body))


@blp.route(f"/matching-sessions/{ID.format('session_id')}")
@blp.response(200, MatchingSessionSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_session(session_id):
    """Read a 对接会 with its needs and their outcomes"""
    return _versioned(sessions.get_session_or_raise(actor=current_actor(), session_id=session_id))


@blp.route(f"/matching-sessions/{ID.format('session_id')}/outcomes", methods=["POST"])
@blp.arguments(SessionOutcomeSchema)
@blp.response(200, MatchingSessionSchema)
@documented_errors
def session_outcome(body, session_id):
    """Record the outcome of one invited need after the session"""
    return _versioned(sessions.record_outcome(actor=current_actor(), session_id=session_id, **body))


@blp.route("/needs/figures")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, FiguresSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def need_figures(args):
    """Monthly 对接 figures of a region and each of its child regions"""
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
    """Export the monthly 对接 figures as an Excel workbook"""
    return _xlsx(figures.export_figures(actor=current_actor(), **args))


@blp.route("/institutions/ranking")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, RankingSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def ranking(args):
    """The monthly ranking of the institutions serving a region"""
    return figures.ranking(actor=current_actor(), **args)


@blp.route("/institutions/ranking/export.xlsx")
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="金融机构排名 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def export_ranking(args):
    """Export the monthly institution ranking as an Excel workbook"""
    return _xlsx(figures.export_ranking(actor=current_actor(), **args))
