"""All models, imported here so that Alembic and the app see one metadata."""
from portal.models.audit import AuditEvent
from portal.models.data_version import DataVersion
from portal.models.export_job import ExportJob
from portal.models.gremien import (
    GremiumGuest,
    GremiumLead,
    GremiumMeeting,
    GremiumMember,
    GremiumNote,
    GremiumTopic,
    ReportText,
)
from portal.models.notification import Notification
from portal.models.measure import (
    ActionField,
    GroupAssessment,
    Measure,
    MeasureReport,
    MeasureReportVersion,
    MeasureRow,
    MeasureRowLead,
    ReportingPeriod,
    TrafficLight,
    WorkingGroup,
)
from portal.models.org import OrgUnit
from portal.models.people import LoginAttempt, User, UserRole, UserSession
from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck, SelbstcheckVersion
from portal.models.training import Person, RosterEntry, Training
from portal.models.workflow import State, WorkflowEvent

__all__ = [
    "DataVersion",
    "ActionField",
    "GroupAssessment",
    "Measure",
    "MeasureReport",
    "MeasureReportVersion",
    "MeasureRow",
    "MeasureRowLead",
    "ReportingPeriod",
    "TrafficLight",
    "WorkingGroup",
    "AuditEvent",
    "ExportJob",
    "GremiumGuest",
    "GremiumLead",
    "GremiumMeeting",
    "GremiumMember",
    "GremiumNote",
    "GremiumTopic",
    "ReportText",
    "LoginAttempt",
    "Notification",
    "OrgUnit",
    "QuestionnaireVersion",
    "Selbstcheck",
    "SelbstcheckVersion",
    "Person",
    "RosterEntry",
    "State",
    "Training",
    "User",
    "UserRole",
    "UserSession",
    "WorkflowEvent",
]
