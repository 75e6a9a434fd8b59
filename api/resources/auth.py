"""Login, refresh, logout, the current user and second factor."""

from flask import current_app, g, request
from flask_jwt_extended import current_user, get_jwt
from flask_smorest import Blueprint

from api.auth import current_actor, issue_tokens, token_expiry, tokens_to_revoke
from api.extensions import address_key, limiter
from api.schemas.auth import (
    LoginSchema,
    MeSchema,
    MfaCodeSchema,
    MfaEnrolSchema,
    MfaSchema,
    PasswordChangeSchema,
    RefreshSchema,
    TokenSchema,
)
from api.schemas.common import ProblemDetailSchema
from services import accounts, mfa

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与账号")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/auth/login", methods=["POST"])
@limiter.limit(_login_limit, key_func=address_key)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ProblemDetailSchema, description="用户名或密码错误 / 需要动态码")
@blp.alt_response(423, schema=ProblemDetailSchema, description="账号已锁定")
@blp.alt_response(429, schema=ProblemDetailSchema, description="尝试过于频繁")
@blp.doc(security=[])
def login(body):
    """用户名密码登录（需要时附动态验证码）"""
    user, session_id = accounts.sign_in(
        username=body["username"], password=body["password"], otp=body.get("otp"), ip=request.remote_addr,
        request_id=g.get("request_id"), mfa_roles=current_app.config["MFA_REQUIRED_ROLES"],
    )
    return {**issue_tokens(user, session_id), "user": user}


@blp.route("/auth/mfa/enrol", methods=["POST"])
@limiter.limit(_login_limit, key_func=address_key)
@blp.arguments(MfaEnrolSchema)
@blp.response(201, MfaSchema)
@blp.alt_response(401, schema=ProblemDetailSchema, description="用户名、密码或绑定码错误")
@blp.alt_response(423, schema=ProblemDetailSchema, description="账号已锁定")
@blp.doc(security=[], description="第一步：用密码和管理员签发的一次性绑定码取得密钥，添加到身份验证器；第二步：用"
                                  "验证器显示的动态码登录（POST /auth/login 带 otp），绑定随即生效。错误的绑定码与错误"
                                  "密码一样计入锁定次数。")
def begin_mfa_enrolment(body):
    """凭密码和一次性绑定码开始绑定验证器"""
    return accounts.begin_mfa_enrolment(**body, ip=request.remote_addr, request_id=g.get("request_id"))


@blp.route("/auth/refresh", methods=["POST"])
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ProblemDetailSchema)
@blp.doc(description="以刷新令牌作为 Bearer 调用；旧刷新令牌随即作废，重复使用返回 401。")
def refresh():
    """用刷新令牌换取新的令牌对（轮换）"""
    claims = get_jwt()
    accounts.rotate_refresh(actor=current_actor(), jti=claims["jti"], expires_at=token_expiry(claims))
    return {**issue_tokens(current_user, session_id=claims.get("sid")), "user": accounts.load_user(current_user.id)}


@blp.route("/auth/logout", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(204)
@blp.doc(description="结束整个会话：该会话的访问令牌和刷新令牌（无论是否在请求体中给出）都随即失效。")
def logout(body):
    """退出登录：结束整个会话及其全部令牌"""
    accounts.logout(actor=current_actor(), tokens=tokens_to_revoke(get_jwt(), body.get("refresh_token")))


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """当前登录用户的信息"""
    return accounts.load_user(current_user.id)


@blp.route("/me/password", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(422, schema=ProblemDetailSchema)
def change_password(body):
    """修改本人密码；本人的其他会话随即退出"""
    accounts.change_password(actor=current_actor(), history_size=current_app.config["PASSWORD_HISTORY"], **body)


@blp.route("/me/mfa", methods=["POST"])
@blp.response(201, MfaSchema)
def enrol_mfa():
    """绑定动态验证码（TOTP），返回供验证器应用使用的 otpauth 地址"""
    return mfa.enrol(actor=current_actor())


@blp.route("/me/mfa", methods=["DELETE"])
@blp.arguments(MfaCodeSchema)
@blp.response(204)
def remove_mfa(body):
    """解除动态验证码（需当前验证码）"""
    mfa.remove(actor=current_actor(), otp=body["otp"], required_roles=current_app.config["MFA_REQUIRED_ROLES"])
