"""Every model, imported once so SQLAlchemy and Alembic see all tables."""

from .accounts.models import ApiToken, User, UserSession
from .directory.models import Network, Organisation
from .laws.models import InputMoment, Law, LawMilestone, Obligation, Theme

__all__ = [
    "ApiToken",
    "InputMoment",
    "Law",
    "LawMilestone",
    "Network",
    "Obligation",
    "Organisation",
    "Theme",
    "User",
    "UserSession",
]
