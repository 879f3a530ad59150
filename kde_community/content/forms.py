"""Forms shared by every kind of contribution: comment, report, hide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Reactie"))


class FlagForm(FlaskForm):
    # No reason is chosen beforehand: the member says why (services.flag refuses none).
    reason = RadioField(_l("Waarom meldt u dit?"), validate_choice=False)
    note = StringField(_l("Toelichting voor de moderator"))


class HideForm(FlaskForm):
    reason = StringField(_l("Reden (zichtbaar voor de schrijver)"))
