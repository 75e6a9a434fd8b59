"""The role vocabulary: who a user is to the system (a pure module: models, scope and services import it)."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"
    LIAISON = "liaison"
    ENTERPRISE = "enterprise"
    AUDITOR = "auditor"
    DEPARTMENT = "department"  # staff of one department (承办单位): works the tasks dispatched to it
    INSTITUTION = "institution"
    SYSTEM = "system"  # the scan and other jobs, never a user's role


# Roles a user account may have (SYSTEM is not one).
ROLES = tuple(role.value for role in Role if role is not Role.SYSTEM)
