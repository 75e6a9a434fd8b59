"""Channel adapters, each speaking its receiver's wire format: a signed JSON webhook, 企业微信 robot and app
messages, 钉钉 robot messages (timestamp-and-secret signature), and an HTTP SMS gateway with template ids."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from services.delivery.settings import Settings
from services.delivery.templates import sms_segments
from services.timeutil import to_local


class DeliveryFailed(Exception):
    """The receiver did not take the message; the worker retries it later (a permanent failure, never)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class Envelope:
    """What a worker sends: a snapshot of one outbox row, read before the claim's transaction ended."""

    id: int
    message_id: str
    kind: str
    channel: str
    recipient: str
    text: str
    link: str | None
    template_id: str | None
    params: dict
    created_at: object


def _post(url: str, payload: dict, settings: Settings, headers: dict | None = None) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return _send(url, body, settings, headers)


def _send(url: str, body: bytes | None, settings: Settings, headers: dict | None = None) -> bytes:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "lianqitong-delivery/1", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=settings.send_timeout) as response:  # noqa: S310 - configured URLs
            return response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryFailed(f"连接失败：{getattr(error, 'reason', error)}") from error


def _errcode(raw: bytes, what: str) -> dict:
    """企业微信 and 钉钉 answer HTTP 200 with {"errcode": 0} on success and another code on failure."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as error:
        raise DeliveryFailed(f"{what}应答不是 JSON") from error
    if answer.get("errcode", 0) != 0:
        raise DeliveryFailed(f"{what}拒收：errcode={answer.get('errcode')} {answer.get('errmsg', '')}"[:300])
    return answer


def webhook_signature(secret: str, body: bytes) -> str:
    """The X-LQT-Signature value of a body: sha256=<HMAC-SHA256 hex>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(envelope: Envelope, settings: Settings) -> None:
    """POST {id, type, recipient, text, link?, at}, signed over the exact body bytes."""
    payload = {"id": envelope.message_id, "type": envelope.kind, "recipient": envelope.recipient,
               "text": envelope.text, **({"link": envelope.link} if envelope.link else {}),
               "at": to_local(envelope.created_at).isoformat()}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    _send(settings.webhook_url, body, settings, {"X-LQT-Message-Id": envelope.message_id,
                                                 "X-LQT-Signature": webhook_signature(settings.webhook_secret, body)})


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 robot 加签: Base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded by the caller."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send_dingtalk(envelope: Envelope, settings: Settings) -> None:
    """Post a 钉钉 robot message, signed with timestamp and secret when a secret is set."""
    url = settings.dingtalk_webhook_url
    if settings.dingtalk_secret:
        timestamp = int(time.time() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign(settings.dingtalk_secret, timestamp))
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    payload = {"msgtype": "text", "text": {"content": envelope.text},
               "at": {"atUserIds": [envelope.recipient], "isAtAll": False}}
    _errcode(_post(url, payload, settings, {"X-LQT-Message-Id": envelope.message_id}), "钉钉")


class _WecomToken:
    """企业微信 access_token (valid 7200 s): fetched with corp id and secret, kept until shortly before expiry."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value: str | None = None
        self.expires = 0.0

    def get(self, settings: Settings, *, fresh: bool = False) -> str:
        with self.lock:
            if fresh or not self.value or time.monotonic() >= self.expires:
                query = urllib.parse.urlencode({"corpid": settings.wecom_corp_id,
                                                "corpsecret": settings.wecom_corp_secret})
                answer = _errcode(_send(f"{settings.wecom_api_base.rstrip('/')}/cgi-bin/gettoken?{query}", None,
                                        settings), "企业微信")
                self.value = answer.get("access_token")
                self.expires = time.monotonic() + max(60, int(answer.get("expires_in", 7200)) - 300)
            return self.value


wecom_token = _WecomToken()
WECOM_TOKEN_EXPIRED = (40014, 42001)


def send_wecom(envelope: Envelope, settings: Settings) -> None:
    """An app message (应用消息) to the user when the app is configured, else the group robot @-mentioning them."""
    if settings.wecom_app:
        payload = {"touser": envelope.recipient, "msgtype": "text", "agentid": int(settings.wecom_agent_id),
                   "text": {"content": envelope.text}, "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
        for fresh in (False, True):
            token = wecom_token.get(settings, fresh=fresh)
            url = f"{settings.wecom_api_base.rstrip('/')}/cgi-bin/message/send?access_token={token}"
            try:
                _errcode(_post(url, payload, settings, {"X-LQT-Message-Id": envelope.message_id}), "企业微信")
                return
            except DeliveryFailed as error:
                if fresh or not any(f"errcode={code}" in str(error) for code in WECOM_TOKEN_EXPIRED):
                    raise
        return
    payload = {"msgtype": "text", "text": {"content": envelope.text, "mentioned_list": [envelope.recipient]}}
    _errcode(_post(settings.wecom_webhook_url, payload, settings, {"X-LQT-Message-Id": envelope.message_id}),
             "企业微信")


def send_sms(envelope: Envelope, settings: Settings) -> None:
    """The gateway gets the template id and its parameters (for carriers' pre-approved templates) and the
    rendered text; its answer {"code": "OK"} (or any 2xx without a code) means accepted."""
    payload = {"id": envelope.message_id, "phone": envelope.recipient, "sign_name": settings.sms_sign_name,
               "template_id": envelope.template_id or envelope.kind, "params": envelope.params,
               "text": envelope.text, "segments": sms_segments(envelope.text)}
    headers = {"X-LQT-Message-Id": envelope.message_id}
    if settings.sms_gateway_key:
        headers["Authorization"] = f"Bearer {settings.sms_gateway_key}"
    raw = _post(settings.sms_gateway_url, payload, settings, headers)
    try:
        answer = json.loads(raw) if raw.strip() else {}
    except ValueError:
        answer = {}
    code = answer.get("code", "OK") if isinstance(answer, dict) else "OK"
    if str(code).upper() not in ("OK", "0", "200"):
        raise DeliveryFailed(f"短信网关拒收：{code} {answer.get('message', '')}"[:300])


ADAPTERS = {"webhook": send_webhook, "dingtalk": send_dingtalk, "wecom": send_wecom, "sms": send_sms}


def send(envelope: Envelope, settings: Settings) -> None:
    """Send one message through its channel's adapter; raises DeliveryFailed (permanent if the channel is off)."""
    if not settings.enabled(envelope.channel):
        raise DeliveryFailed(f"本系统未配置该渠道：{envelope.channel}", permanent=True)
    ADAPTERS[envelope.channel](envelope, settings)
