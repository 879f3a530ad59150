"""Editors maintain laws and obligations through forms: every change a revision with who and
why; bad input is refused with a Dutch reason next to its field and changes nothing; a stale
form gets the conflict page; non-editors are refused; the history is public."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest
from sqlalchemy import select

from kde_community.content.models import Revision
from kde_community.events import Event
from kde_community.extensions import db
from kde_community.laws.models import Law, Obligation, Theme
from tests.helpers import commit, csrf_from, login

AI_SOURCE = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"


def law_values(**changes) -> dict:
    from kde_community.laws.services import InputValue, MilestoneValue

    values = {
        "slug": "ai-act", "short_name_nl": "AI-verordening", "short_name_en": "AI Act",
        "aliases": ["Verordening artificiële intelligentie"], "abbreviations": ["AIA"],
        "full_title": "Verordening (EU) 2024/1689 tot vaststelling van geharmoniseerde regels "
                      "betreffende artificiële intelligentie",
        "celex": "32024R1689", "instrument": "regulation", "stage": "partly_applicable",
        "stage_note": "De verordening geldt in stappen.",
        "summary": "Regels voor het maken en gebruiken van AI.",
        "summary_en": "Rules for building and using AI.",
        "dutch_implementation": "", "dutch_implementation_en": "",
        "themes": ["ai"], "amends": [], "repeals": [], "related": [],
        "sources": [AI_SOURCE], "checked_on": date(2026, 5, 1),
        "milestones": [
            MilestoneValue("entry_into_force", date(2024, 8, 1), "In werking", "In force"),
            MilestoneValue("application", date(2026, 8, 2), "Regels voor hoog-risico-AI",
                           "Rules for high-risk AI"),
        ],
        "input_moments": [
            InputValue("Consultatie Uitvoeringswet AI-verordening",
                       "Consultation on the Dutch AI Act implementation act",
                       date(2026, 4, 20), date(2026, 6, 1),
                       "https://www.internetconsultatie.nl/uaiv"),
        ],
    }
    values.update(changes)
    return values


OBLIGATION = {
    "key": "ai-act-art-26", "article": "art. 26",
    "title": "Gebruik hoog-risico-AI volgens de gebruiksaanwijzing",
    "title_en": "Use high-risk AI according to the instructions",
    "description": "Zorg voor menselijk toezicht.", "description_en": "Ensure human oversight.",
    "role": "direct", "addressee": "deployers of high-risk AI systems",
    "applies_to": ["gemeente", "provincie"], "applies_from": date(2026, 8, 2),
    "applies_condition": "", "responsible_roles": ["CIO"],
    "sources": ["https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:32024R1689"],
    "checked_on": date(2026, 5, 1),
}


@pytest.fixture
def laws(app):
    """Two themes, the AI Act with one obligation and a proposal, as the reference loader
    writes them (revision 1, no author)."""
    from kde_community.laws.services import save_law, save_obligation

    db.session.add_all([Theme(slug="ai", name_nl="AI", name_en="AI"),
                        Theme(slug="privacy", name_nl="Privacy", name_en="Privacy")])
    db.session.flush()
    law, _changed, _conflicts = save_law(None, None, law_values(), from_reference=True)
    save_obligation(None, law, None, dict(OBLIGATION), from_reference=True)
    save_law(None, None, law_values(
        slug="omnibus", short_name_nl="Digitale omnibus", short_name_en="Digital Omnibus",
        aliases=[], abbreviations=[], full_title="Voorstel COM(2025) 837", celex="52025PC0837",
        stage="proposal", amends=["ai-act"], milestones=[], input_moments=[],
        sources=["https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52025PC0837"]),
        from_reference=True)
    commit()
    return law


@pytest.fixture
def editor(make_user):
    return make_user(role="editor", name="Eva Redacteur")


def fresh(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


def form_fields(html: str, form_id: str) -> dict:
    """What a browser would send for the form (checked boxes, selected options, texts)."""
    root = lxml.html.fromstring(html)
    form = root.get_element_by_id(form_id)
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def post_form(client, page: str, form_id: str, **changes):
    """Open the form, change some fields (a list for a multi-value field; None removes the
    field) and send it as the browser would."""
    html = client.get(page).get_data(as_text=True)
    data = form_fields(html, form_id)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return client.post(page, data=data)


def token(client) -> str:
    """A valid CSRF token of this client's session."""
    return csrf_from(client.get("/profiel/bewerken").get_data(as_text=True))


def text_of(response) -> str:
    return lxml.html.fromstring(response.get_data(as_text=True)).text_content()


def state() -> tuple:
    """Everything an editor's refused post must leave unchanged."""
    db.session.expire_all()
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    ob = db.session.scalar(select(Obligation).where(Obligation.key == "ai-act-art-26"))
    from kde_community.laws.services import law_values as current
    from kde_community.laws.services import obligation_values

    return (current(law), law.revision, law.changed_at, law.edited_fields,
            obligation_values(ob), ob.revision,
            db.session.scalar(select(db.func.count()).select_from(Revision)),
            db.session.scalar(select(db.func.count()).select_from(Event)),
            db.session.scalar(select(db.func.count()).select_from(Law)),
            db.session.scalar(select(db.func.count()).select_from(Obligation)))


EDIT = "/wetgeving/ai-act/bewerken"
EDIT_OB = "/wetgeving/ai-act/verplichtingen/ai-act-art-26/bewerken"


# --- the happy path ---------------------------------------------------------------------------

def test_editor_moves_an_application_date(client, laws, editor):
    login(client, editor.email)
    page = client.get(EDIT).get_data(as_text=True)
    # The rows: existing milestones in date order, then two empty ones to add.
    assert 'value="2024-08-01"' in page and 'value="2026-08-02"' in page
    assert 'name="milestones-3-date"' in page and 'name="milestones-4-date"' not in page
    assert lxml.html.fromstring(page).get_element_by_id("base_revision").get("value") == "1"
    response = post_form(client, EDIT, "law-form", **{
        "milestones-1-date": "2027-12-02", "reason": "Uitgesteld door Verordening (EU) 2026/1744."})
    assert response.status_code == 302, text_of(response)[:3000]
    assert response.headers["Location"].endswith("/wetgeving/ai-act")
    law = fresh(Law, slug="ai-act")
    assert sorted(m.date for m in law.milestones) == [date(2024, 8, 1), date(2027, 12, 2)]
    assert law.revision == 2 and law.changed_at is not None
    assert "milestones" in law.edited_fields
    revision = db.session.scalar(select(Revision).where(
        Revision.content_type == "law", Revision.content_id == law.id, Revision.number == 2))
    assert revision.author_id == editor.id
    assert revision.reason == "Uitgesteld door Verordening (EU) 2026/1744."
    event = db.session.scalar(select(Event).where(Event.name == "law.changed")
                              .order_by(Event.id.desc()))
    assert event.subject_id == law.id and event.actor_id == editor.id
    assert event.payload["timeline"] is True and event.payload["fields"] == ["milestones"]
    assert "De wet is bijgewerkt." in client.get("/wetgeving/ai-act").get_data(as_text=True)


def test_editor_adds_and_removes_rows(client, laws, editor):
    login(client, editor.email)
    response = post_form(client, EDIT, "law-form", **{
        "milestones-0-delete": "y",
        "milestones-2-kind": "review", "milestones-2-date": "2029-08-02",
        "milestones-2-label": "Evaluatie", "milestones-2-label_en": "Review",
        "input_moments-1-title": "Reactie via VNG", "input_moments-1-title_en": "Response via VNG",
        "input_moments-1-opens": "2026-09-01", "input_moments-1-closes": "",
        "input_moments-1-where": "https://www.internetconsultatie.nl/ai",
        "stage_note": "De verordening geldt in stappen.\r\nNieuwe regel.",
        "reason": "Evaluatie toegevoegd"})
    assert response.status_code == 302, text_of(response)[:3000]
    law = fresh(Law, slug="ai-act")
    assert [(m.kind, m.date) for m in law.milestones] == [
        ("application", date(2026, 8, 2)), ("review", date(2029, 8, 2))]
    assert [(i.title, i.closes) for i in law.input_moments] == [
        ("Consultatie Uitvoeringswet AI-verordening", date(2026, 6, 1)),
        ("Reactie via VNG", None)]
    assert law.stage_note == "De verordening geldt in stappen.\nNieuwe regel."


def test_unchanged_form_changes_nothing(client, laws, editor):
    login(client, editor.email)
    before = state()
    response = post_form(client, EDIT, "law-form")
    assert response.status_code == 302
    assert state() == before
    assert "Niets gewijzigd" in client.get("/wetgeving/ai-act").get_data(as_text=True)
    # With a reason, too: no revision, no event.
    response = post_form(client, EDIT, "law-form", reason="Alleen gecontroleerd")
    assert response.status_code == 302
    assert state() == before


def test_editor_creates_a_proposal(client, laws, editor):
    login(client, editor.email)
    page = client.get("/wetgeving/nieuw").get_data(as_text=True)
    assert 'name="slug"' in page
    response = post_form(client, "/wetgeving/nieuw", "law-form", **{
        "slug": "cyber-act-2", "short_name_nl": "Herziene Cyberbeveiligingsverordening",
        "short_name_en": "Revised Cybersecurity Act", "full_title": "Voorstel COM(2026) 11",
        "celex": "52026PC0011", "instrument": "regulation", "stage": "proposal",
        "themes": ["privacy"], "related": ["ai-act"],
        "sources": "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52026PC0011",
        "checked_on": "2026-05-01",
        "milestones-0-kind": "proposal", "milestones-0-date": "2026-01-20",
        "reason": "Nieuw voorstel uit het cyberpakket"})
    assert response.status_code == 302, text_of(response)[:3000]
    assert response.headers["Location"].endswith("/wetgeving/cyber-act-2")
    law = fresh(Law, slug="cyber-act-2")
    assert law.stage == "proposal" and law.related == ["ai-act"]
    assert [t.slug for t in law.themes] == ["privacy"]
    assert [(m.kind, m.date) for m in law.milestones] == [("proposal", date(2026, 1, 20))]
    revision = db.session.scalar(select(Revision).where(
        Revision.content_type == "law", Revision.content_id == law.id))
    assert revision.author_id == editor.id and revision.reason.startswith("Nieuw voorstel")


def test_editor_edits_and_adds_an_obligation(client, laws, editor):
    login(client, editor.email)
    page = client.get(EDIT_OB).get_data(as_text=True)
    for role in ("direct", "procurement", "customer_right", "context"):
        assert f'id="role-{role}"' in page
    assert 'id="role-direct" name="role" value="direct" aria-describedby="role-direct-hint" checked' in page
    response = post_form(client, EDIT_OB, "obligation-form", **{
        "applies_from": "2027-12-02", "applies_to": ["gemeente", "waterschap"],
        "reason": "Uitstel hoog-risico-AI"})
    assert response.status_code == 302, text_of(response)[:3000]
    assert response.headers["Location"] == "/wetgeving/ai-act/verplichtingen/ai-act-art-26"
    ob = fresh(Obligation, key="ai-act-art-26")
    assert ob.applies_from == date(2027, 12, 2) and ob.applies_to == ["gemeente", "waterschap"]
    assert ob.revision == 2
    assert fresh(Law, slug="ai-act").changed_at is not None  # a start date is on the timeline
    response = post_form(client, "/wetgeving/ai-act/verplichtingen/nieuw", "obligation-form", **{
        "key": "ai-act-art-27", "article": "art. 27", "title": "Doe een grondrechtentoets",
        "title_en": "Carry out a fundamental rights impact assessment", "role": "direct",
        "addressee": "deployers that are bodies governed by public law",
        "applies_to": ["gemeente"], "sources": AI_SOURCE, "reason": "Ontbrak nog"})
    assert response.status_code == 302, text_of(response)[:3000]
    ob = fresh(Obligation, key="ai-act-art-27")
    assert ob.law.slug == "ai-act" and ob.checked_on is not None and ob.applies_from is None


# --- bad input: a clear Dutch reason, nothing changed ------------------------------------------

def refused(response, *messages) -> str:
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Er is niets opgeslagen" in text
    for message in messages:
        assert message in text, (message, text[:4000])
    return html


BAD_LAW_INPUT = [
    ({"input_moments-0-closes": "2026-04-01"}, "De einddatum ligt vóór de begindatum.",
     "input_moments-0-closes"),
    ({"milestones-0-date": "1850-08-01"}, "Kies een datum tussen 1990 en 2100.",
     "milestones-0-date"),
    ({"sources": ""}, "Noem minstens één bron.", "sources"),
    ({"sources": "https://www.example-lawfirm.com/ai-act"}, "Noem minstens één officiële bron",
     "sources"),
    ({"reason": "", "stage_note": "Nieuw."}, "Schrijf kort waarom u dit wijzigt.", "reason"),
    ({"checked_on": "2026-13-45"}, "Vul een datum in als jjjj-mm-dd", "checked_on"),
    ({"milestones-1-date": "morgen"}, "Vul een datum in als jjjj-mm-dd", "milestones-1-date"),
    ({"stage": "bijna-klaar"}, "Kies een stand van zaken uit de lijst.", "stage"),
    ({"milestones-1-kind": "party"}, "Kies een soort mijlpaal uit de lijst.",
     "milestones-1-kind"),
    ({"milestones-1-label_en": ""}, "Vul de omschrijving in het Nederlands en het Engels in.",
     "milestones-1-label_en"),
    ({"input_moments-0-title_en": ""}, "Vul de titel in het Nederlands en het Engels in.",
     "input_moments-0-title_en"),
    ({"summary_en": ""}, "Vul ook de Engelse tekst in.", "summary_en"),
    ({"themes": ["onbekend"]}, "Onbekend thema: onbekend.", "themes-1"),
]


def test_bad_law_input_is_refused_and_changes_nothing(client, laws, editor):
    """One app for all cases (a page of this size costs a second to set up per test)."""
    login(client, editor.email)
    before = state()
    for changes, message, field_id in BAD_LAW_INPUT:
        changes = {"reason": "Poging", **changes}
        html = refused(post_form(client, EDIT, "law-form", **changes), message)
        assert state() == before, changes
        # The summary links to the field; the field says why and points to its reason.
        assert f'href="#{field_id}"' in html, changes
        if not field_id.startswith("themes"):
            element = lxml.html.fromstring(html).get_element_by_id(field_id)
            assert element.get("aria-invalid") == "true", changes
            error = lxml.html.fromstring(html).get_element_by_id(f"{field_id}-error")
            assert message in error.text_content(), changes
            assert f"{field_id}-error" in element.get("aria-describedby"), changes
        # What the editor typed is still there.
        root = lxml.html.fromstring(html)
        for name, value in changes.items():
            if isinstance(value, str) and value and not name.endswith(("kind", "stage")):
                element = root.get_element_by_id(name)
                shown = element.text_content() if element.tag == "textarea" else element.get("value")
                assert shown.replace("\r\n", "\n") == value, (name, shown)


def test_a_malformed_date_and_other_mistakes_are_reported_together(client, laws, editor):
    login(client, editor.email)
    before = state()
    refused(post_form(client, EDIT, "law-form", **{
        "checked_on": "gisteren", "sources": "", "reason": ""}),
        "Vul een datum in als jjjj-mm-dd", "Noem minstens één bron.",
        "Schrijf kort waarom u dit wijzigt.")
    # The service stops at a missing reason; the form still names every mistake.
    refused(post_form(client, EDIT, "law-form", **{
        "sources": "", "summary_en": "", "reason": ""}),
        "Noem minstens één bron.", "Vul ook de Engelse tekst in.",
        "Schrijf kort waarom u dit wijzigt.")
    assert state() == before


def test_milestone_errors_follow_the_row_after_sorting(client, laws, editor):
    """A new row typed at the bottom but dated first is shown, with its reason, first."""
    login(client, editor.email)
    html = refused(post_form(client, EDIT, "law-form", **{
        "milestones-2-kind": "proposal", "milestones-2-date": "2021-04-21",
        "milestones-2-label": "Voorstel", "milestones-2-label_en": "",
        "reason": "Voorstel toegevoegd"}),
        "Vul de omschrijving in het Nederlands en het Engels in.")
    root = lxml.html.fromstring(html)
    assert root.get_element_by_id("milestones-0-date").get("value") == "2021-04-21"
    assert root.get_element_by_id("milestones-0-label_en").get("aria-invalid") == "true"
    assert root.get_element_by_id("milestones-1-date").get("value") == "2024-08-01"
    assert root.get_element_by_id("milestones-1-label_en").get("aria-invalid") is None


def test_removed_row_with_an_error_elsewhere_stays_ticked(client, laws, editor):
    login(client, editor.email)
    html = refused(post_form(client, EDIT, "law-form", **{
        "milestones-0-delete": "y", "sources": "", "reason": "Opruimen"}),
        "Noem minstens één bron.")
    assert 'name="milestones-1-delete" value="y" checked' in html
    assert len(fresh(Law, slug="ai-act").milestones) == 2


BAD_OBLIGATION_INPUT = [
    ({"applies_from": "1850-01-01"}, "Kies een datum tussen 1990 en 2100."),
    ({"applies_from": "2027-02-30"}, "Vul een datum in als jjjj-mm-dd"),
    ({"sources": ""}, "Noem minstens één bron."),
    ({"sources": "https://github.com/iemand/notities"}, "Noem minstens één officiële bron"),
    ({"role": "bystander"}, "Kies wat deze bepaling van de overheid vraagt."),
    ({"applies_to": None}, "Kies voor welke overheden dit geldt."),
    ({"title_en": ""}, "Vul dit veld in."),
    ({"description_en": ""}, "Vul de omschrijving in het Nederlands en het Engels in."),
    ({"reason": "", "title": "Nieuw"}, "Schrijf kort waarom u dit wijzigt."),
]


def test_bad_obligation_input_is_refused_and_changes_nothing(client, laws, editor):
    login(client, editor.email)
    before = state()
    for changes, message in BAD_OBLIGATION_INPUT:
        refused(post_form(client, EDIT_OB, "obligation-form", **{"reason": "Poging", **changes}),
                message)
        assert state() == before, changes


def test_new_law_with_a_taken_or_reserved_slug_is_refused(client, laws, editor):
    login(client, editor.email)
    before = state()
    for slug, message in (("ai-act", "Deze korte naam is al in gebruik."),
                          ("nieuw", "Deze korte naam is al in gebruik."),
                          ("AI Act!", "Gebruik kleine letters, cijfers en streepjes.")):
        refused(post_form(client, "/wetgeving/nieuw", "law-form", **{
            "slug": slug, "short_name_nl": "X", "short_name_en": "X", "full_title": "X",
            "celex": "32099R0001", "instrument": "regulation", "stage": "applicable",
            "sources": AI_SOURCE, "reason": "Test"}), message)
    assert state() == before


def test_unknown_law_or_obligation_is_404(client, laws, editor):
    login(client, editor.email)
    csrf = token(client)
    for path in ("/wetgeving/bestaat-niet/bewerken", "/wetgeving/bestaat-niet/geschiedenis",
                 "/wetgeving/bestaat-niet/verplichtingen/nieuw",
                 "/wetgeving/ai-act/verplichtingen/bestaat-niet/bewerken",
                 # another law's obligation
                 "/wetgeving/omnibus/verplichtingen/ai-act-art-26/bewerken"):
        assert client.get(path).status_code == 404, path
        if not path.endswith("geschiedenis"):
            response = client.post(path, data={"csrf_token": csrf, "reason": "x"})
            assert response.status_code == 404, path


# --- who may edit ----------------------------------------------------------------------------

def test_non_editors_are_refused_and_nothing_changes(app, client, laws, editor, make_user):
    login(client, editor.email)
    visitor, member = app.test_client(), app.test_client()
    login(member, make_user().email)
    member_token = token(member)
    before = state()
    for path in (EDIT, "/wetgeving/nieuw", EDIT_OB, "/wetgeving/ai-act/verplichtingen/nieuw"):
        # The fields an editor's page would send, posted by others.
        form_id = "obligation-form" if "verplichtingen" in path else "law-form"
        data = form_fields(client.get(path).get_data(as_text=True), form_id)
        data.update({"reason": ["Ik mag dit niet"], "milestones-1-date": ["2030-01-01"],
                     "applies_from": ["2030-01-01"], "slug": ["nieuwe-wet"],
                     "key": ["ai-act-art-99"]})
        # A visitor is sent to log in (a post without their own session's token is refused
        # before that).
        response = visitor.get(path)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
        assert visitor.post(path, data=data).status_code == 400
        # A member who is not an editor is refused, with a valid token too.
        assert member.get(path).status_code == 403
        assert member.post(path, data={**data, "csrf_token": [member_token]}).status_code == 403
        assert state() == before, path


# --- a stale form ----------------------------------------------------------------------------

def test_stale_form_gets_the_conflict_page_with_both_versions(client, laws, editor, make_user):
    from kde_community.laws import services

    login(client, editor.email)
    html = client.get(EDIT).get_data(as_text=True)
    data = form_fields(html, "law-form")
    # Meanwhile another editor moves the application date and rewrites the stage note.
    other = make_user(role="editor", name="Otto Ander")
    law = fresh(Law, slug="ai-act")
    values = services.law_values(law)
    values["milestones"] = [values["milestones"][0], services.MilestoneValue(
        "application", date(2027, 12, 2), "Regels voor hoog-risico-AI", "Rules for high-risk AI")]
    values["stage_note"] = "Uitgesteld door de omnibus."
    services.save_law(other, law, values, reason="Omnibus vastgesteld", base_revision=1)
    commit()
    before = state()
    # This editor changes the same date and the English summary, on the old base.
    data.update({"milestones-1-date": ["2028-01-01"], "summary_en": ["Rules for AI systems."],
                 "reason": ["Mijn correctie"]})
    response = client.post(EDIT, data=data)
    assert response.status_code == 409
    assert state() == before
    page = response.get_data(as_text=True)
    text = text_of(response)
    assert "Iemand anders heeft dit gewijzigd terwijl u bewerkte" in text
    assert "Otto Ander" in text and "Omnibus vastgesteld" in text
    # What changed since the base: the other editor's note and date.
    assert "Uitgesteld door de omnibus." in text and "2027-12-02" in text
    # Where both changed (the milestones): now against mine.
    assert "Wat er nu staat, naast uw tekst" in text
    root = lxml.html.fromstring(page)
    # The form: the current version with this editor's changes over it, on the new base.
    assert root.get_element_by_id("base_revision").get("value") == "2"
    assert root.get_element_by_id("stage_note").text_content() == "Uitgesteld door de omnibus."
    assert root.get_element_by_id("summary_en").text_content() == "Rules for AI systems."
    assert root.get_element_by_id("milestones-1-date").get("value") == "2028-01-01"
    assert root.get_element_by_id("reason").text_content() == "Mijn correctie"
    # Saving the merged form keeps both editors' work.
    response = client.post(EDIT, data=form_fields(page, "law-form"))
    assert response.status_code == 302, text_of(response)[:2000]
    law = fresh(Law, slug="ai-act")
    assert law.stage_note == "Uitgesteld door de omnibus."
    assert law.summary_en == "Rules for AI systems."
    assert sorted(m.date for m in law.milestones)[-1] == date(2028, 1, 1)


def test_stale_obligation_form_gets_the_conflict_page(client, laws, editor):
    from kde_community.laws import services

    login(client, editor.email)
    data = form_fields(client.get(EDIT_OB).get_data(as_text=True), "obligation-form")
    ob = fresh(Obligation, key="ai-act-art-26")
    values = services.obligation_values(ob)
    values["addressee"] = "deployers (art. 26)"
    services.save_obligation(editor, ob.law, ob, values, reason="Preciezer", base_revision=1)
    commit()
    before = state()
    data.update({"title": ["Nieuwe titel"], "reason": ["Andere titel"]})
    response = client.post(EDIT_OB, data=data)
    assert response.status_code == 409
    assert state() == before
    root = lxml.html.fromstring(response.get_data(as_text=True))
    assert root.get_element_by_id("addressee").get("value") == "deployers (art. 26)"
    assert root.get_element_by_id("title").get("value") == "Nieuwe titel"


# --- history ----------------------------------------------------------------------------------

def test_history_lists_revisions_newest_first_with_who_why_and_diff(client, laws, editor,
                                                                    make_user):
    login(client, editor.email)
    post_form(client, EDIT, "law-form", **{"stage": "applicable", "milestones-1-date": "2027-12-02",
                                           "reason": "Volledig van toepassing"})
    post_form(client, EDIT_OB, "obligation-form", **{"title": "Gebruik hoog-risico-AI zorgvuldig",
                                                     "reason": "Duidelijker titel"})
    # Visitors see the history without author names.
    anonymous = client.application.test_client()
    response = anonymous.get("/wetgeving/ai-act/geschiedenis")
    assert response.status_code == 200
    text = text_of(response)
    assert text.index("Duidelijker titel") < text.index("Volledig van toepassing") \
        < text.index("Eerste versie.")
    assert "Eva Redacteur" not in text and "redacteur" in text and "Referentiebestand" in text
    # The diff names the stage in words, and says what was removed and added without CSS.
    assert "[verwijderd: Deels van][ingevoegd: Van] toepassing" in text
    assert "[verwijderd: volgens de gebruiksaanwijzing][ingevoegd: zorgvuldig]" in text
    # Of a list only the changed items, kinds in words; unchanged ones are counted.
    assert "… 1 regel ongewijzigd\n[verwijderd: 2026-08-02][ingevoegd: 2027-12-02] · Van toepassing · " \
        "Regels voor hoog-risico-AI" in text
    assert "Eerste versie." in text and "reference file" not in text
    # Members see who.
    member = make_user()
    login(anonymous, member.email)
    assert "Eva Redacteur" in text_of(anonymous.get("/wetgeving/ai-act/geschiedenis"))
