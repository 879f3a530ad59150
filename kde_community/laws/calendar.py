"""The iCalendar feed of the timeline: one all-day event per milestone and per input moment.

UIDs follow the rows (`milestone-<id>@kde-community`, `input-<id>@kde-community`): the
services update milestone rows in place when a date moves, so a subscribed calendar moves
the event instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..dbtypes import utcnow
from ..templating import MILESTONE_LABELS, STAGE_LABELS
from .models import Law
from .timeline import input_channel

UID_DOMAIN = "kde-community"
PRODID = "-//Knooppunt Digitaal Europa//KDE Community tijdlijn//NL"


def build_calendar(laws: Iterable[Law], *, locale: str, law_url: Callable[[Law], str],
                   name: str) -> bytes:
    """The calendar of `laws` in the reader's language (`locale`), as iCalendar bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for law in laws:
        url = law_url(law)
        law_name = law.short_name(locale)
        stamp = law.changed_at or law.updated_at or utcnow()
        stage = _("Stand van zaken: %(stage)s.", stage=STAGE_LABELS[law.stage]) \
            if law.stage in STAGE_LABELS else ""
        for m in law.milestones:
            label = m.label_for(locale) or m.label
            kind = str(MILESTONE_LABELS.get(m.kind, m.kind))
            summary = f"{law_name}: {kind}" + (f" — {label}" if label else "")
            description = "\n".join(p for p in (label, stage, url) if p)
            calendar.add_component(_event(f"milestone-{m.id}", m.date, m.date + timedelta(days=1),
                                          summary, description, url, stamp))
        for moment in law.input_moments:
            title = moment.title_for(locale) or moment.title
            summary = _("%(law)s: Inbreng — %(title)s", law=law_name, title=title)
            where = ""
            if moment.where:
                where = _("Geef inbreng via %(channel)s: %(url)s",
                          channel=input_channel(moment.where), url=moment.where)
            description = "\n".join(p for p in (title, where, url) if p)
            end = (moment.closes or moment.opens) + timedelta(days=1)
            calendar.add_component(_event(f"input-{moment.id}", moment.opens, end, summary,
                                          description, moment.where or url, stamp))
    return calendar.to_ical()


def _event(uid: str, start, end, summary: str, description: str, url: str, stamp) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event
