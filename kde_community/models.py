"""Every model, imported once so SQLAlchemy and Alembic see all tables."""

from .accounts.models import ApiToken, User, UserSession
from .clauses.models import Adoption, ChangeLogEntry, Clause, ClauseSet, Release, Suggestion
from .content.models import Comment, Flag, ModerationAction, Reaction, Revision
from .directory.models import (
    ContactMessage,
    FrontrunnerTopic,
    Network,
    Organisation,
    OrganisationAdmin,
    OrganisationDomain,
    SharedDomain,
)
from .events import Event, EventDelivery
from .idempotency import IdempotencyKey
from .laws.models import InputMoment, Law, LawMilestone, Obligation, Theme
from .notifications.models import AlertClaim, Follow, Notification, NotificationSetting
from .outbox import OutgoingMail
from .practices.models import Practice, PracticeAttachment, PracticeFollowUp
from .questions.models import Answer, PraktijkvraagPick, Question

__all__ = [
    "AlertClaim",
    "Adoption",
    "Answer",
    "ApiToken",
    "ChangeLogEntry",
    "Clause",
    "ClauseSet",
    "Comment",
    "ContactMessage",
    "FrontrunnerTopic",
    "OrganisationAdmin",
    "OrganisationDomain",
    "Release",
    "SharedDomain",
    "Suggestion",
    "Event",
    "EventDelivery",
    "Flag",
    "Follow",
    "IdempotencyKey",
    "ModerationAction",
    "Practice",
    "PracticeAttachment",
    "PracticeFollowUp",
    "PraktijkvraagPick",
    "Question",
    "Reaction",
    "Revision",
    "InputMoment",
    "Law",
    "LawMilestone",
    "Network",
    "Notification",
    "NotificationSetting",
    "Obligation",
    "Organisation",
    "OutgoingMail",
    "Theme",
    "User",
    "UserSession",
]
