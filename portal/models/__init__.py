"""All models, imported here so that Alembic and the app see one metadata."""
from portal.models.audit import AuditEvent
from portal.models.org import OrgUnit
from portal.models.people import LoginAttempt, User, UserRole, UserSession
from portal.models.training import Person, RosterEntry, Training
from portal.models.workflow import State, WorkflowEvent

__all__ = [
    "AuditEvent",
    "LoginAttempt",
    "OrgUnit",
    "Person",
    "RosterEntry",
    "State",
    "Training",
    "User",
    "UserRole",
    "UserSession",
    "WorkflowEvent",
]
