"""Regions, departments, the working-day calendar and enum labels."""

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import anonymous_read_limit, current_actor
from api.concurrency import required_if_match, set_etag
from api.pagination import page_schema
from api.schemas.common import EnumsSchema, ProblemDetailSchema
from api.schemas.reference import (
    CalendarDayPutSchema,
    CalendarDaySchema,
    CalendarListSchema,
    CalendarQuerySchema,
    DepartmentCreateSchema,
    DepartmentListArgs,
    DepartmentSchema,
    DepartmentUpdateSchema,
    RegionCreateSchema,
    RegionListArgs,
    RegionSchema,
    RegionUpdateSchema,
)
from services import reference
from services.db import db
from services.errors import ValidationFailed
from services.labels import ENUM_LABELS

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="基础数据：区划、部门、枚举")


@blp.route("/regions")
class Regions(MethodView):
    decorators = [anonymous_read_limit]

    @blp.arguments(RegionListArgs, location="query")
    @blp.response(200, page_schema(RegionSchema))
    @blp.alt_response(429, schema=ProblemDetailSchema)
    @blp.doc(security=[{}, {"bearerAuth": []}])
    def get(self, args):
        """区域列表（扁平，带 parent_id，按 id；无需令牌）"""
        return reference.region_page(**args)

    @blp.arguments(RegionCreateSchema)
    @blp.response(201, RegionSchema)
    def post(self, body):
        """新建区域（管理员）"""
        return reference.create_region(actor=current_actor(), **body)


@blp.route("/regions/<int(max=2147483647):region_id>")
class RegionItem(MethodView):
    @blp.response(200, RegionSchema)
    def get(self, region_id):
        """查看区域"""
        region = reference.get_region_or_raise(region_id)
        set_etag(region.version)
        return region

    @blp.arguments(RegionUpdateSchema)
    @blp.response(200, RegionSchema)
    def patch(self, body, region_id):
        """修改区域名称或代码（管理员）"""
        return reference.update_region(actor=current_actor(), region_id=region_id,
                                       expected_version=required_if_match(), changes=body)


@blp.route("/departments")
class Departments(MethodView):
    @blp.arguments(DepartmentListArgs, location="query")
    @blp.response(200, page_schema(DepartmentSchema))
    def get(self, args):
        """部门列表（按 id）"""
        return reference.department_page(**args)

    @blp.arguments(DepartmentCreateSchema)
    @blp.response(201, DepartmentSchema)
    def post(self, body):
        """新建部门（管理员）"""
        return reference.create_department(actor=current_actor(), **body)


@blp.route("/departments/<int(max=2147483647):department_id>")
class DepartmentItem(MethodView):
    @blp.response(200, DepartmentSchema)
    def get(self, department_id):
        """查看部门"""
        department = reference.get_department_or_raise(department_id)
        set_etag(department.version)
        return department

    @blp.arguments(DepartmentUpdateSchema)
    @blp.response(200, DepartmentSchema)
    def patch(self, body, department_id):
        """修改部门（管理员）"""
        return reference.update_department(actor=current_actor(), department_id=department_id,
                                           expected_version=required_if_match(), changes=body)


@blp.route("/calendar")
@blp.arguments(CalendarQuerySchema, location="query")
@blp.response(200, CalendarListSchema)
def calendar(args):
    """List the calendar's exceptions: statutory holidays and make-up working days (调休)"""
    return {"items": list(db.session.scalars(reference.list_calendar(**args)))}


@blp.route("/calendar/<string(length=10):day>")
class CalendarDayItem(MethodView):
    @blp.arguments(CalendarDayPutSchema)
    @blp.response(200, CalendarDaySchema, description="已修改")
    @blp.alt_response(201, schema=CalendarDaySchema, description="已新增")
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def put(self, body, day):
        """设定节假日或调休工作日（管理员；期限随即重算）"""
        row, created = reference.set_calendar_day(actor=current_actor(), day=_day(day), **body)
        return row, 201 if created else 200

    @blp.response(204)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def delete(self, day):
        """删除某日的节假日/调休设定（管理员）"""
        reference.delete_calendar_day(actor=current_actor(), day=_day(day))


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD", field="day") from None


@blp.route("/meta/enums")
@anonymous_read_limit
@blp.response(200, EnumsSchema)
@blp.alt_response(429, schema=ProblemDetailSchema)
@blp.doc(security=[{}, {"bearerAuth": []}])
def enums():
    """所有枚举值的中文名称（无需令牌）"""
    return ENUM_LABELS
