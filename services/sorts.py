"""Every list's sort allow-list (`?sort=key` ascending, `?sort=-key` descending), in one place.

The first argument is the list's default order; the README's table is this module."""

from services.paging import Sorts
from services.models import (
    ArrearsCase, Assignment, AuditLog, CommonProblem, Department, EarlyWarning, Enterprise, ExportJob, Match,
    MatchingSession,
    Need, Notification, OutboxMessage, Policy, Problem, Region, StatusReport, Task, User, Visit,
)

PROBLEMS = Sorts("-id", id=Problem.id, number=Problem.number, created_at=Problem.created_at,
                 updated_at=Problem.updated_at, due_at=Problem.due_at, accepted_at=Problem.accepted_at,
                 resolved_at=Problem.resolved_at, closed_at=Problem.closed_at)
ENTERPRISES = Sorts("-id", id=Enterprise.id, name=Enterprise.name, employees=Enterprise.employees,
                    created_at=Enterprise.created_at, updated_at=Enterprise.updated_at,
                    registered_on=Enterprise.registered_on)
VISITS = Sorts("-visited_at", visited_at=Visit.visited_at, created_at=Visit.created_at, id=Visit.id)
STATUS_REPORTS = Sorts("-period", period=StatusReport.period, updated_at=StatusReport.updated_at, id=StatusReport.id)
WARNINGS = Sorts("-id", id=EarlyWarning.id, opened_at=EarlyWarning.opened_at, closed_at=EarlyWarning.closed_at)
ASSIGNMENTS = Sorts("-id", id=Assignment.id, started_on=Assignment.started_on, ended_on=Assignment.ended_on)
USERS = Sorts("-id", id=User.id, username=User.username, name=User.name, last_seen_at=User.last_seen_at)
POLICIES = Sorts("-id", id=Policy.id, valid_from=Policy.valid_from, valid_to=Policy.valid_to,
                 published_at=Policy.published_at)
NOTIFICATIONS = Sorts("-id", id=Notification.id, created_at=Notification.created_at)
COMMON_PROBLEMS = Sorts("-id", id=CommonProblem.id, created_at=CommonProblem.created_at,
                        updated_at=CommonProblem.updated_at)
AUDIT = Sorts("-id", id=AuditLog.id, at=AuditLog.at)
REGIONS = Sorts("id", id=Region.id, code=Region.code, name=Region.name)
DEPARTMENTS = Sorts("id", id=Department.id, name=Department.name)
ARREARS = Sorts("-id", id=ArrearsCase.id, created_at=ArrearsCase.created_at, updated_at=ArrearsCase.updated_at,
                cleared_at=ArrearsCase.cleared_at)
TASKS = Sorts("due_at", due_at=Task.due_at, sign_due_at=Task.sign_due_at, dispatched_at=Task.dispatched_at,
              updated_at=Task.updated_at, id=Task.id)
OUTBOX = Sorts("-id", id=OutboxMessage.id, created_at=OutboxMessage.created_at,
               next_attempt_at=OutboxMessage.next_attempt_at, sent_at=OutboxMessage.sent_at)
NEEDS = Sorts("-id", id=Need.id, created_at=Need.created_at, updated_at=Need.updated_at, due_on=Need.due_on)
MATCHES = Sorts("-id", id=Match.id, created_at=Match.created_at, updated_at=Match.updated_at)
MATCHING_SESSIONS = Sorts("-held_on", held_on=MatchingSession.held_on, id=MatchingSession.id,
                          created_at=MatchingSession.created_at)

EXPORTS = Sorts("-id", id=ExportJob.id, created_at=ExportJob.created_at)

ALL = {"problems": PROBLEMS, "enterprises": ENTERPRISES, "visits": VISITS, "status-reports": STATUS_REPORTS,
       "warnings": WARNINGS, "assignments": ASSIGNMENTS, "users": USERS, "policies": POLICIES,
       "notifications": NOTIFICATIONS, "common-problems": COMMON_PROBLEMS, "audit": AUDIT, "regions": REGIONS,
       "departments": DEPARTMENTS, "arrears": ARREARS, "tasks": TASKS, "outbox": OUTBOX, "needs": NEEDS,
       "matches": MATCHES, "matching-sessions": MATCHING_SESSIONS, "exports": EXPORTS}
