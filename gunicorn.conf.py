"""Settings that every gunicorn started in this folder reads (make run, the README's production line)."""

import os

from api import serving

serving.install()
logger_class = "api.serving.MaskingLogger"
# Gunicorn 27's control socket lives in the home folder and is shared by every instance: not used here.
control_socket_disable = True


def when_ready(server):
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "sqlite-file://")  # the default shares
    if server.cfg.workers > 1 and storage.startswith("memory"):
        server.log.warning("限流与登录锁定按进程计数：%s 个 worker 共用内存存储时，限额实际放大 %s 倍。"
                           "请使用默认的共享存储（sqlite-file）或 RATELIMIT_STORAGE_URI=redis://…。",
                           server.cfg.workers, server.cfg.workers)
