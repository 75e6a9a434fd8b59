"""Login, refresh, logout, the current user and second factor."""

from flask import current_app, g, request
from flask_jwt_extended import current_user, get_jwt
from flask_smorest import Blueprint

from api.auth import current_actor, issue_tokens, token_expiry, tokens_to_revoke
from api.extensions import limiter, address_key
from api.schemas.auth import (
    LoginSchema, MeSchema, MfaCodeSchema, MfaEnrolSchema, MfaSchema, PasswordChangeSchema, RefreshSchema, TokenSchema,
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
    """Sign in with username and password (and TOTP code where required)"""
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
    """Start binding an authenticator with the password and a one-time enrolment code"""
    return accounts.begin_mfa_enrolment(**body, ip=request.remote_addr, request_id=g.get("request_id"))


@blp.route("/auth/refresh", methods=["POST"])
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ProblemDetailSchema)
@blp.doc(description="以刷新令牌作为 Bearer 调用；旧刷新令牌随即作废，重复使用返回 401。")
def refresh():
    """Exchange a refresh token for a new token pair (rotation)"""
    claims = get_jwt()
    accounts.rotate_refresh(actor=current_actor(), jti=claims["jti"], expires_at=token_expiry(claims))
    return {**issue_tokens(current_user, session_id=claims.get("sid")), "user": current_user}


@blp.route("/auth/logout", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(204)
@blp.doc(description="结束整个会话：该会话的访问令牌和刷新令牌（无论是否在请求体中给出）都随即失效。")
def logout(body):
    """Sign out: end the session with all its tokens"""
    accounts.logout(actor=current_actor(), tokens=tokens_to_revoke(get_jwt(), body.get("refresh_token")))


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """Describe the signed-in user"""
    return current_user


@blp.route("/me/password", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(422, schema=ProblemDetailSchema)
def change_password(body):
    """Change the caller's password; every other session of the caller is signed out"""
    accounts.change_password(actor=current_actor(), history_size=current_app.config["PASSWORD_HISTORY"], **body)


@blp.route("/me/mfa", methods=["POST"])
@blp.response(201, MfaSchema)
def enrol_mfa():
    """Enrol a TOTP second factor; returns the otpauth URI for the authenticator app"""
    return mfa.enrol(actor=current_actor())


@blp.route("/me/mfa", methods=["DELETE"])
@blp.arguments(MfaCodeSchema)
@blp.response(204)
def remove_mfa(body):
    """Remove the second factor (needs a current code)"""
    mfa.remove(actor=current_actor(), otp=body["otp"], required_roles=current_app.config["MFA_REQUIRED_ROLES"])
