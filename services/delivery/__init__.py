"""Messages that reach people: the outbox and its workers, channel adapters, users' channels, one-time
feedback links, message templates and the deadline reminders of the scan."""

from services.delivery.outbox import (
    counts, enqueue_for_users, enqueue_sms, get_message_or_raise, health, list_outbox, outbox_page, retry,
)
from services.delivery.settings import configure, settings

__all__ = ["configure", "counts", "enqueue_for_users", "enqueue_sms", "get_message_or_raise", "health",
           "list_outbox", "outbox_page", "retry", "settings"]
