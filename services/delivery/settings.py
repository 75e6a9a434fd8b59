"""The deployment's channels and the outbox's timing: configuration, set once at start-up by configure()."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field


@dataclass
class Settings:
    # Links in messages point at the web client here (https://lqt.example.gov.cn).
    public_base_url: str = "http://127.0.0.1:5000"
    sms_gateway_url: str | None = None
    sms_gateway_key: str | None = None
    sms_sign_name: str = "联企通"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    wecom_webhook_url: str | None = None
    # 企业微信 app messages (应用消息): corp id, app secret and agent id; the API base is configurable for tests
    wecom_corp_id: str | None = None
    wecom_corp_secret: str | None = None
    wecom_agent_id: str | None = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    dingtalk_webhook_url: str | None = None
    dingtalk_secret: str | None = None
    max_attempts: int = 6
    backoff_seconds: float = 120.0
    send_timeout: float = 10.0
    quiet_start: int = 22
    quiet_end: int = 7
    feedback_link_days: int = 15
    link_key: bytes = field(default=b"", repr=False)

    def enabled(self, channel: str) -> bool:
        """Whether the deployment has this channel configured."""
        if channel == "sms":
            return bool(self.sms_gateway_url)
        if channel == "wecom":
            return bool(self.wecom_webhook_url or self.wecom_app)
        if channel == "dingtalk":
            return bool(self.dingtalk_webhook_url)
        if channel == "webhook":
            return bool(self.webhook_url and self.webhook_secret)
        return False

    @property
    def wecom_app(self) -> bool:
        """Whether 企业微信 app messages are configured (corp id, secret and agent)."""
        return bool(self.wecom_corp_id and self.wecom_corp_secret and self.wecom_agent_id)

    def link(self, path: str) -> str:
        """An absolute address of the web client from a path."""
        return self.public_base_url.rstrip("/") + path


settings = Settings()


def configure(*, secret: str, **values) -> None:
    """Replace the settings (create_app); `secret` keys the one-time links (derived, never stored)."""
    global settings
    fresh = Settings(**{k: v for k, v in values.items() if v is not None})
    fresh.link_key = hmac.new(secret.encode(), b"lianqitong feedback link", hashlib.sha256).digest()
    settings.__dict__.update(fresh.__dict__)
