"""JSON API /api/v1: each module adds its routes to the one blueprint."""

from . import (  # noqa: F401  (routes and hooks register on import)
    accounts,
    clauses,
    conformance,
    directory,
    laws,
    openapi,
    practices,
    questions,
    search,
    timeline,
)
from .core import bp

__all__ = ["bp"]
