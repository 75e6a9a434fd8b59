"""监测预警: the warning rules (rules), the scan that opens and closes warnings and the writers' hooks (scan),
and reading and acknowledging them (warnings)."""

from services.monitoring.rules import (
    DROP_RED,
    DROP_YELLOW,
    ENTERPRISE_TYPES,
    NO_VISIT_DAYS,
    PROBLEM_TYPES,
    REOPEN_LIMIT,
    SEVERITY_RANK,
    TASK_TYPES,
    TYPE_TITLES,
    Finding,
)
from services.monitoring.scan import (
    SyncResult,
    _open,
    on_arrears_changed,
    on_enterprise_observed,
    on_problem_changed,
    on_task_changed,
    reconcile_all,
    scan,
)
from services.monitoring.warnings import acknowledge, get_warning_or_raise, list_warnings, warning_page

__all__ = [
    "DROP_RED", "DROP_YELLOW", "ENTERPRISE_TYPES", "NO_VISIT_DAYS", "PROBLEM_TYPES", "REOPEN_LIMIT",
    "SEVERITY_RANK", "TASK_TYPES", "TYPE_TITLES", "Finding", "SyncResult", "_open", "acknowledge",
    "get_warning_or_raise", "list_warnings", "on_arrears_changed", "on_enterprise_observed", "on_problem_changed",
    "on_task_changed", "reconcile_all", "scan", "warning_page",
]
