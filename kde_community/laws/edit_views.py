"""Editors maintain laws, obligations, milestones, input moments and sources."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("law_editing", __name__, url_prefix="/wetgeving")
