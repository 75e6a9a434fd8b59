"""Account administration (admin)."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import required_if_match, set_etag
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.users import (
    MfaEnrolmentCodeSchema,
    UserCreateSchema,
    UserListArgs,
    UserSchema,
    UserUpdateSchema,
)
from services import accounts, mfa

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="账号管理（管理员）")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserListArgs, location="query")
    @blp.response(200, page_schema(UserSchema))
    def get(self, args):
        """账号列表"""
        return accounts.user_page(actor=current_actor(), **args)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, schema=ProblemDetailSchema)
    def post(self, body):
        """新建账号"""
        return accounts.create_user(actor=current_actor(), **body)


@blp.route("/<int(max=2147483647):user_id>")
class UserItem(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """查看账号"""
        user = accounts.get_user_or_raise(actor=current_actor(), user_id=user_id)
        set_etag(user.version)
        return user

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, user_id):
        """修改账号（需 If-Match）"""
        user = accounts.update_user(actor=current_actor(), user_id=user_id, expected_version=required_if_match(),
                                    changes=body)
        set_etag(user.version)
        return user


@blp.route("/<int(max=2147483647):user_id>/unlock", methods=["POST"])
@blp.response(200, UserSchema)
def unlock(user_id):
    """解锁因登录失败被锁定的账号"""
    return accounts.unlock_user(actor=current_actor(), user_id=user_id)


@blp.route("/<int(max=2147483647):user_id>/mfa-enrolment", methods=["POST"])
@blp.response(201, MfaEnrolmentCodeSchema)
@blp.doc(description="签发一次性绑定码（默认 24 小时内有效，MFA_ENROLMENT_HOURS）。已绑定的动态验证码随即作废，"
                     "账号本人须用密码和该码在 POST /auth/mfa/enrol 重新绑定。")
def issue_mfa_enrolment(user_id):
    """签发一次性绑定码，供账号本人绑定验证器"""
    return mfa.issue_enrolment_code(actor=current_actor(), user_id=user_id,
                                    valid_hours=current_app.config["MFA_ENROLMENT_HOURS"])
