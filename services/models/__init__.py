"""Every model, imported so metadata is complete for Alembic and create_all."""

from services.models.arrears import ArrearsCase, ArrearsEvent, ArrearsPlanMonth, ArrearsRepayment
from services.models.audit import AuditHead, AuditLog, RefusalTally
from services.models.delivery import DeadlineNotice, FeedbackLink, MessageTemplate, OutboxMessage, UserChannels
from services.models.enterprises import Assignment, Enterprise, EnterpriseChange, EnterpriseTag
from services.models.exports import ExportJob
from services.models.field import Photo, StatusReport, Visit
from services.models.figures import EnterpriseFigure, KeyFigure, ProblemFigure, RegionDayFigure, TaskFigure
from services.models.idempotency import IdempotencyRecord
from services.models.monitoring import EarlyWarning
from services.models.needs import (
    Institution, InstitutionRegion, Match, MatchingSession, Need, NeedEvent, Offer, Placement, SessionNeed,
)
from services.models.notifications import Notification
from services.models.plans import EnterprisePlan
from services.models.policies import Policy
from services.models.problems import CommonProblem, LedgerCounter, Problem, ProblemCount, ProblemEvent, ProblemStint
from services.models.reference import CalendarDay, Department, Region
from services.models.tasks import Task
from services.models.users import LoginFailure, RevokedToken, User, UserSession

__all__ = [
    "ArrearsCase", "ArrearsEvent", "ArrearsPlanMonth", "ArrearsRepayment",
    "DeadlineNotice", "FeedbackLink", "MessageTemplate", "OutboxMessage", "UserChannels",
    "Assignment", "AuditHead", "AuditLog", "CalendarDay", "LoginFailure", "RefusalTally", "CommonProblem", "Department",
    "Enterprise", "EnterpriseChange", "EnterprisePlan", "EnterpriseTag", "IdempotencyRecord",
    "LedgerCounter", "Notification", "Photo", "Policy", "Problem", "ProblemCount", "ProblemEvent", "ProblemStint", "Region",
    "RevokedToken", "StatusReport", "Task", "User", "UserSession", "Visit", "EarlyWarning",
    "Institution", "InstitutionRegion", "Match", "MatchingSession", "Need", "NeedEvent", "Offer", "Placement",
    "SessionNeed", "ExportJob", "ProblemFigure", "RegionDayFigure", "EnterpriseFigure", "TaskFigure",
    "KeyFigure",
]
