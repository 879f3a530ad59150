"""JSON API /api/v1: each module adds its routes to the one blueprint."""

from . import accounts, directory, laws, openapi, practices, questions, search  # noqa: F401  (routes register on import)
from .core import bp

__all__ = ["bp"]
