"""Law pages, obligation pages and the laws list on the reference data: what each obligation
asks of whom (role and organisation-type filters that show it), proposals apart, English
content, everything on the platform about a law or obligation (only what the reader may see,
newest first, with counts and a constant number of queries), the pre-filled ask link, and
"this law has changed" on practices and clauses."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kde_community.clauses import services as clause_services
from kde_community.content.models import Revision
from kde_community.dbtypes import utcnow
from kde_community.directory.models import FrontrunnerTopic
from kde_community.extensions import db
from kde_community.laws.models import Law, Obligation
from kde_community.practices import services as practice_services
from kde_community.reference import load_reference
from tests.helpers import commit, count_statements, login

OBLIGATION_LINK = re.compile(r'href="/wetgeving/([a-z0-9-]+)/verplichtingen/([a-z0-9-]+)"')


@pytest.fixture
def reference(seed):
    seed("reference", load_reference)


def law(slug: str) -> Law:
    return db.session.scalar(select(Law).where(Law.slug == slug))


def obligation(key: str) -> Obligation:
    return db.session.scalar(select(Obligation).where(Obligation.key == key))


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def client_for(app, user=None):
    client = app.test_client()
    if user is not None:
        login(client, user.email)
    return client


def listed(page: str) -> set[tuple[str, str]]:
    return set(OBLIGATION_LINK.findall(page))


def adopted_obligations(keep) -> set[tuple[str, str]]:
    return {(o.law.slug, o.key) for o in db.session.scalars(select(Obligation))
            if not o.law.in_pipeline and keep(o)}


def section(page: str, start: str, end: str | None = None) -> str:
    """The part of a page from `start` to the first `end` after it (or the page's end)."""
    begin = page.index(start)
    return page[begin:page.index(end, begin) if end else None]


def card(page: str, slug: str) -> str:
    """A law's card in the list."""
    return next(chunk for chunk in page.split('<li class="card law-card')[1:]
                if f'href="/wetgeving/{slug}"' in chunk.split("</h3>")[0])


def role_group(page: str, role: str) -> str:
    """A law page's obligations of one role."""
    begin = page.index(f'id="role-{role}"')
    ends = [i for i in (page.find('class="obligation-role ', begin),
                        page.find('id="op-het-platform"', begin)) if i != -1]
    return page[begin:min(ends)]


# --- the list: roles, organisation types, stages -------------------------------------------------

@pytest.mark.parametrize("value", ["inkoop", "procurement"])
def test_when_buying_lists_exactly_the_procurement_entries(client, reference, value):
    page = text(client.get(f"/wetgeving?rol={value}"))
    expected = adopted_obligations(lambda o: o.role == "procurement")
    assert expected and listed(page) == expected
    assert f"{len(expected)} verplichtingen van de soort „eis bij inkoop”" in page
    # Each law with such an entry says how many of its obligations these are.
    for slug in {slug for slug, _key in expected}:
        found = law(slug)
        n = sum(o.role == "procurement" for o in found.obligations)
        assert f"{n} van de {len(found.obligations)} verplichting" in card(page, slug)
    # No law without a procurement entry is listed among the adopted laws.
    with pytest.raises(StopIteration):
        card(page, "gdpr")


def test_other_roles_list_theirs(client, reference):
    for value, role in (("direct", "direct"), ("klant", "customer_right"), ("context", "context")):
        page = text(client.get(f"/wetgeving?rol={value}"))
        assert listed(page) == adopted_obligations(lambda o, role=role: o.role == role), value


def test_organisation_type_shows_only_that_types_obligations_and_counts(client, reference):
    page = text(client.get("/wetgeving?voor=waterschap"))
    expected = adopted_obligations(lambda o: "waterschap" in o.applies_to)
    laws_with = {slug for slug, _key in expected}
    assert listed(page) == expected
    assert f"{len(expected)} verplichtingen voor waterschap in {len(laws_with)} wetten." in page
    for slug in laws_with:
        found = law(slug)
        n = sum("waterschap" in o.applies_to for o in found.obligations)
        assert f"{n} van de {len(found.obligations)} verplichting" in card(page, slug)
    # An obligation for other types only is not shown.
    others = adopted_obligations(lambda o: "waterschap" not in o.applies_to)
    assert others and not (listed(page) & others)
    # Without the filter, the list stays compact: no obligations per law.
    assert listed(text(client.get("/wetgeving"))) == set()


def test_type_and_role_together(client, reference):
    page = text(client.get("/wetgeving?voor=provincie&rol=context"))
    assert listed(page) == adopted_obligations(
        lambda o: o.role == "context" and "provincie" in o.applies_to)


def test_proposals_have_their_own_section(client, reference):
    page = text(client.get("/wetgeving"))
    proposals = [x.slug for x in db.session.scalars(select(Law)) if x.in_pipeline]
    assert "digital-omnibus" in proposals
    adopted, pipeline = page.split("In de pijplijn</h2>")
    for slug in proposals:
        assert card(pipeline, slug)
        with pytest.raises(StopIteration):
            card(adopted, slug)
    assert card(adopted, "ai-act")
    with pytest.raises(StopIteration):
        card(pipeline, "ai-act")
    # The omnibus names what it would change.
    omnibus = card(pipeline, "digital-omnibus")
    assert "Wijzigt:" in omnibus and 'href="/wetgeving/gdpr"' in omnibus
    assert "Trekt in:" in omnibus and 'href="/wetgeving/open-data-directive"' in omnibus
    # Only the pipeline, or one stage.
    only = text(client.get("/wetgeving?fase=pijplijn"))
    assert "Aangenomen wetten" not in only and 'href="/wetgeving/digital-omnibus"' in only
    applicable = text(client.get("/wetgeving?fase=van-toepassing"))
    assert 'href="/wetgeving/gdpr"' in applicable
    assert 'href="/wetgeving/ai-act"' not in applicable  # partly applicable
    assert "In de pijplijn</h2>" not in applicable


def test_unknown_filter_values_are_named_and_left_out(client, reference):
    response = client.get("/wetgeving?rol=baas&voor=ministerie&thema=onzin&fase=later")
    page = text(response)
    for message in ("Onbekende rol", "Onbekend soort overheid", "Onbekend thema",
                    "Onbekende fase"):
        assert message in page
    assert 'aria-invalid="true"' in page
    assert 'href="/wetgeving/ai-act"' in page and 'href="/wetgeving/digital-omnibus"' in page
    assert client.get("/wetgeving?rol=%00&fase=" + "x" * 5000).status_code == 200


def test_the_list_links_to_the_timeline(client, reference):
    assert 'href="/wetgeving/tijdlijn"' in text(client.get("/wetgeving"))


# --- a law's page ---------------------------------------------------------------------------------

def test_law_page_groups_obligations_by_role_with_addressee_and_condition(client, reference):
    page = text(client.get("/wetgeving/cyber-resilience-act"))
    crA = law("cyber-resilience-act")
    for o in crA.obligations:
        assert f'href="/wetgeving/cyber-resilience-act/verplichtingen/{o.key}"' in page
    procurement, context = role_group(page, "procurement"), role_group(page, "context")
    for o in crA.obligations:
        where = procurement if o.role == "procurement" else context if o.role == "context" \
            else None
        if where is not None:
            assert o.title in where, o.key
    context_entry = next(o for o in crA.obligations if o.role == "context")
    assert "Plicht van een ander" in context and context_entry.addressee in context
    conditional = next(o for o in db.session.scalars(select(Obligation))
                       if o.applies_condition and o.applies_from is None)
    other = text(client.get(f"/wetgeving/{conditional.law.slug}"))
    assert "Voorwaarde" in other and conditional.applies_condition in other


def test_law_page_shows_checked_on_and_sources(client, reference):
    ai = law("ai-act")
    page = text(client.get("/wetgeving/ai-act"))
    assert "Gecontroleerd op" in page and ai.checked_on.isoformat() in page
    for source in ai.sources:
        assert f'href="{source}"' in page


def test_proposal_page_and_the_laws_it_would_change(client, reference):
    page = text(client.get("/wetgeving/digital-omnibus"))
    assert "In de pijplijn:" in page
    notice = section(page, "In de pijplijn:", "</div></div>")
    assert 'href="/wetgeving/gdpr"' in notice and 'href="/wetgeving/data-governance-act"' in notice
    assert "Een voorstel bevat nog geen verplichtingen" in page
    gdpr = text(client.get("/wetgeving/gdpr"))
    assert "Voorstellen die deze wet zouden wijzigen:" in gdpr
    assert 'href="/wetgeving/digital-omnibus"' in section(gdpr, "Voorstellen die deze wet", "</p>")
    dga = text(client.get("/wetgeving/data-governance-act"))
    assert 'href="/wetgeving/digital-omnibus"' in section(
        dga, "Voorstellen die deze wet zouden intrekken:", "</p>")
    assert "In de pijplijn:" not in gdpr


def test_english_pages_show_english_content(client, reference):
    ai = law("ai-act")
    page = text(client.get("/wetgeving/ai-act?lang=en"))
    assert ai.summary_en[:80] in page and ai.summary[:80] not in page
    assert ai.dutch_implementation_en[:80] in page
    for o in ai.obligations:
        assert o.title_en in page and o.title not in page
    for m in ai.milestones:
        if m.label_en:
            assert m.label_en in page
    moment = next(i for x in db.session.scalars(select(Law)) for i in x.input_moments)
    assert moment.title_en in text(client.get(f"/wetgeving/{moment.law.slug}?lang=en"))
    art4 = obligation("ai-act-art-4")
    ob_page = text(client.get(f"{art4.url}?lang=en"))
    assert art4.title_en in ob_page and art4.description_en[:80] in ob_page
    assert art4.description[:80] not in ob_page
    assert art4.title_en in text(client.get("/wetgeving?rol=direct&lang=en"))


@pytest.mark.parametrize("path", ["/wetgeving/geen-wet", "/wetgeving/ai-act/verplichtingen/nee",
                                  "/wetgeving/geen-wet/verplichtingen/ai-act-art-4",
                                  "/wetgeving/gdpr/verplichtingen/ai-act-art-4"])
def test_unknown_law_or_obligation_is_404(client, reference, path):
    assert client.get(path).status_code == 404


# --- what on the platform is about it, for whom ---------------------------------------------------

@pytest.fixture
def about(reference, make_org, make_user, make_question, make_practice):
    """Content about the AI Act and its art. 4, public and not, and content about other laws."""
    art4, art26 = obligation("ai-act-art-4"), obligation("ai-act-art-26")
    own_org, other_org = make_org(slug="eigen", name="Gemeente Eigendorp"), make_org(slug="ander")
    own, other = make_user(org=own_org), make_user(org=other_org)
    q = {
        "law": make_question(own, "Publieke vraag over de AI-verordening", laws=["ai-act"]),
        "members": make_question(own, "Ledenvraag over de AI-verordening", laws=["ai-act"],
                                 visibility="members"),
        "art4": make_question(own, "Publieke vraag over AI-geletterdheid",
                              obligations=[art4.id]),
        "gdpr": make_question(own, "Publieke vraag over de AVG alleen", laws=["gdpr"]),
    }
    p = {
        "public": make_practice(own, title="Openbare praktijk over AI-registers", laws=["ai-act"]),
        "members": make_practice(own, title="Ledenpraktijk over AI-registers", laws=["ai-act"],
                                 visibility="members"),
        "organisation": make_practice(own, title="Eigen praktijk over AI-registers",
                                      laws=["ai-act"], visibility="organisation"),
        "anonymous": make_practice(own, title="Anonieme praktijk over AI-geletterdheid",
                                   obligations=[art4.id], anonymous=True),
    }
    sets = {}
    for visibility, title, ob in (("public", "Openbare AI-inkoopset", art4),
                                  ("members", "Leden AI-inkoopset", art26),
                                  ("participants", "Deelnemers AI-inkoopset", art4)):
        clause_set = clause_services.create_set(own, {"title": title, "visibility": visibility})
        clause_services.add_clause(own, clause_set, {"heading": "AI-geletterdheid leverancier",
                                                     "text": "De leverancier traint.",
                                                     "obligations": [ob.id]})
        sets[visibility] = clause_set
    topics = [FrontrunnerTopic(organisation_id=own_org.id, law_id=law("ai-act").id,
                               summary="Wij registreren al onze algoritmes.",
                               open_to_collaboration=True),
              FrontrunnerTopic(organisation_id=other_org.id, obligation_id=art4.id,
                               summary="Training voor alle medewerkers."),
              FrontrunnerTopic(organisation_id=make_org(slug="weg").id, law_id=law("ai-act").id,
                               deleted_at=art4.created_at)]
    db.session.add_all(topics)
    commit()
    return {"q": q, "p": p, "sets": sets, "own": own, "other": other, "own_org": own_org,
            "other_org": other_org, "art4": art4}


def block(page: str) -> str:
    return section(page, 'id="op-het-platform"', "</div>\n</section>")


def test_law_page_lists_what_a_visitor_may_see(app, about):
    page = block(text(client_for(app).get("/wetgeving/ai-act")))
    assert "2 vragen" in page and "2 praktijken" in page
    assert "1 set inkoopvoorwaarden" in page and "2 voorlopers" in page
    for title in ("Publieke vraag over de AI-verordening", "Publieke vraag over AI-geletterdheid",
                  "Openbare praktijk over AI-registers", "Anonieme praktijk over AI-geletterdheid",
                  "Openbare AI-inkoopset", "Gemeente Eigendorp"):
        assert title in page
    for title in ("Ledenvraag", "Ledenpraktijk", "Eigen praktijk", "Leden AI-inkoopset",
                  "Deelnemers AI-inkoopset", "over de AVG alleen", "Gemeente Weg"):
        assert title not in page
    # The anonymous practice never names its organisation.
    anonymous = section(page, "Anonieme praktijk over AI-geletterdheid", "</li>")
    assert "Eigendorp" not in anonymous and "een gemeente" in anonymous
    # Newest first.
    assert page.index("Publieke vraag over AI-geletterdheid") < page.index(
        "Publieke vraag over de AI-verordening")
    assert page.index("Anonieme praktijk") < page.index("Openbare praktijk")
    # Each list leads to the full list with the same filter.
    for href in ('href="/vragen?wet=ai-act"', 'href="/praktijken?wet=ai-act"',
                 'href="/inkoopvoorwaarden?wet=ai-act"',
                 'href="/organisaties?voorloper=1&wet=ai-act"'):
        assert href in page.replace("&amp;", "&")
    assert 'href="/netwerken?theme=ai"' in page


def test_members_see_members_content_and_their_own_organisations(app, about):
    other = block(text(client_for(app, about["other"]).get("/wetgeving/ai-act")))
    assert "3 vragen" in other and "Ledenvraag" in other
    assert "3 praktijken" in other and "Ledenpraktijk" in other
    assert "Eigen praktijk" not in other and "Deelnemers AI-inkoopset" not in other
    assert "2 sets inkoopvoorwaarden" in other
    own = block(text(client_for(app, about["own"]).get("/wetgeving/ai-act")))
    assert "Eigen praktijk over AI-registers" in own
    assert "Openbare praktijk over AI-registers" not in own  # only the newest three are listed …
    assert "4 praktijken" in own and "Bekijk alle 4 praktijken" in own  # … all four counted
    assert "3 sets inkoopvoorwaarden" in own and "Deelnemers AI-inkoopset" in own


def test_the_counts_equal_the_lists_they_link_to(app, about):
    client = client_for(app, about["other"])
    page = block(text(client.get("/wetgeving/ai-act")))
    assert "Bekijk alle 3 vragen" in page
    questions = text(client.get("/vragen?wet=ai-act"))
    assert len(re.findall(r'class="question-item"', questions)) == 3
    practices = text(client.get("/praktijken?wet=ai-act"))
    assert "3 praktijken" in practices


def test_obligation_page_lists_what_is_tagged_with_it(app, about):
    art4 = about["art4"]
    page = text(client_for(app).get(art4.url))
    assert art4.title in page and 'href="/wetgeving/ai-act"' in page
    about_it = block(page)
    assert "1 vraag" in about_it and "Publieke vraag over AI-geletterdheid" in about_it
    assert "Publieke vraag over de AI-verordening" not in about_it  # the law, not art. 4
    assert "1 praktijk" in about_it and "Anonieme praktijk" in about_it
    assert "Openbare praktijk" not in about_it
    assert "1 set inkoopvoorwaarden" in about_it and "Openbare AI-inkoopset" in about_it
    assert "Deelnemers AI-inkoopset" not in about_it
    frontrunners = section(about_it, 'id="about-frontrunners"', "</section>")
    assert "1 voorloper" in frontrunners and "Gemeente Ander" in frontrunners
    assert "Eigendorp" not in frontrunners  # a frontrunner on the law, not on art. 4
    assert f'href="/vragen?verplichting={art4.id}"' in about_it
    assert f'href="/organisaties?voorloper=1&verplichting={art4.id}"' in about_it.replace(
        "&amp;", "&")
    # Another organisation's member sees the participants-only set of the own organisation? No.
    assert "Deelnemers AI-inkoopset" not in block(text(client_for(app, about["other"]).get(
        art4.url)))
    assert "Deelnemers AI-inkoopset" in block(text(client_for(app, about["own"]).get(art4.url)))


def test_the_ask_link_prefills_the_law_and_obligation(app, about):
    art4 = about["art4"]
    visitor = text(client_for(app).get(art4.url))
    link = f"/vragen/stellen?wet=ai-act&verplichting={art4.id}"
    assert f'href="{link}"' in visitor.replace("&amp;", "&")
    assert "Stel een vraag over deze verplichting" in visitor
    assert 'href="/vragen/stellen?wet=ai-act"' in text(client_for(app).get("/wetgeving/ai-act"))
    form = client_for(app, about["other"]).get(link).get_data(as_text=True)
    assert re.search(rf'id="obligations-{art4.id}" name="obligations" value="{art4.id}" checked',
                     form)
    assert re.search(r'id="laws-ai-act" name="laws" value="ai-act" checked', form)
    # A visitor is asked to log in first, and comes back to the filled-in form.
    response = client_for(app).get(link)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_procurement_entries_invite_a_clause(client, reference):
    buying = obligation("european-accessibility-act-art-24-inkoop")
    page = text(client.get(buying.url))
    assert "Neem deze eis op in uw inkoopvoorwaarden" in page
    assert f'href="/inkoopvoorwaarden/nieuw?verplichting={buying.id}"' in page
    direct = text(client.get(obligation("ai-act-art-4").url))
    assert "Neem deze eis op in uw inkoopvoorwaarden" not in direct
    assert "Verplichting voor uw organisatie" in direct


def test_pages_ask_a_constant_number_of_queries(app, about, make_question, make_practice):
    own, art4 = about["own"], about["art4"]
    paths = ("/wetgeving/ai-act", art4.url, "/wetgeving?voor=waterschap", "/wetgeving")
    clients = (client_for(app), client_for(app, own))
    for client in clients:
        for path in paths:
            client.get(path)
    before = {(i, path): count_statements(lambda c=client, p=path: c.get(p))
              for i, client in enumerate(clients) for path in paths}
    for n in range(4):
        make_question(own, f"Nog een vraag nummer {n} over AI", laws=["ai-act"],
                      obligations=[art4.id])
        make_practice(own, title=f"Nog een praktijk nummer {n} over AI", obligations=[art4.id],
                      anonymous=bool(n % 2))
        clause_set = clause_services.create_set(own, {"title": f"Nog een set {n}",
                                                      "visibility": "public"})
        clause_services.add_clause(own, clause_set, {"heading": "Bepaling", "text": "Tekst.",
                                                     "obligations": [art4.id]})
        db.session.add(FrontrunnerTopic(organisation_id=about["other_org"].id,
                                        obligation_id=art4.id, summary=f"Onderwerp {n}"))
    commit()
    after = {(i, path): count_statements(lambda c=client, p=path: c.get(p))
             for i, client in enumerate(clients) for path in paths}
    assert after == before
    assert "Nog een vraag nummer 3 over AI" in text(clients[0].get(art4.url))


# --- "this law has changed" -----------------------------------------------------------------------

def written_days_ago(content_type: str, obj, days: int = 3) -> None:
    """Date the current version back, as if it was written `days` ago."""
    revision = db.session.scalar(select(Revision).where(
        Revision.content_type == content_type, Revision.content_id == obj.id,
        Revision.number == obj.revision))
    revision.created_at = utcnow() - timedelta(days=days)
    commit()


def test_practice_says_when_a_law_it_cites_changed(app, reference, make_user, make_practice):
    author = make_user()
    practice = make_practice(author, title="Praktijk over het AI-register", laws=["ai-act"])
    via_obligation = make_practice(author, title="Praktijk over AI-geletterdheid alleen",
                                   obligations=[obligation("ai-act-art-4").id])
    client = client_for(app)
    notice = "de praktijk kan verouderd zijn"
    assert notice not in text(client.get(f"/praktijken/{practice.id}"))
    written_days_ago("practice", practice)
    written_days_ago("practice", via_obligation)
    law("ai-act").changed_at = utcnow() - timedelta(days=1)
    commit()
    page = text(client.get(f"/praktijken/{practice.id}"))
    assert notice in page and 'href="/wetgeving/ai-act"' in section(page, notice, "</p>")
    assert notice in text(client.get(f"/praktijken/{via_obligation.id}"))
    # A new version written after the change is current again.
    practice_services.edit_practice(author, practice, {"summary": "Bijgewerkt na de wijziging."})
    commit()
    assert notice not in text(client.get(f"/praktijken/{practice.id}"))
    assert notice in text(client.get(f"/praktijken/{via_obligation.id}"))


def test_clause_says_when_a_law_of_its_obligations_changed(app, reference, make_user):
    author = make_user()
    clause_set = clause_services.create_set(author, {"title": "Inkoopset AI-geletterdheid",
                                                     "visibility": "public"})
    first = clause_services.add_clause(author, clause_set, {
        "heading": "Training", "text": "De leverancier traint.",
        "obligations": [obligation("ai-act-art-4").id]})
    second = clause_services.add_clause(author, clause_set, {
        "heading": "Register", "text": "De leverancier registreert.",
        "obligations": [law("gdpr").obligations[0].id]})
    commit()
    client = client_for(app)
    notice = "de bepaling kan verouderd zijn"
    set_path = f"/inkoopvoorwaarden/{clause_set.id}"
    first_path = f"{set_path}/bepalingen/{first.id}"
    assert notice not in text(client.get(set_path))
    for clause in (first, second):
        written_days_ago("clause", clause)
    law("ai-act").changed_at = utcnow() - timedelta(days=1)
    commit()
    # The set page says it once, with the articles, and marks the clause.
    page = text(client.get(set_path))
    set_notice = section(page, "dus die kunnen verouderd zijn", "</p>")
    assert set_notice.count('href="/wetgeving/ai-act"') == 1
    assert "Het gaat om artikel 1." in set_notice
    assert page.count("Mogelijk verouderd:") == 1
    assert page.index("Mogelijk verouderd:") < page.index("Artikel 2. Register")
    assert notice in text(client.get(first_path))
    assert notice not in text(client.get(f"{set_path}/bepalingen/{second.id}"))
    # A new version written after the change is current again.
    clause_services.edit_clause(author, first, {"text": "De leverancier traint elk jaar."},
                                base_revision=first.revision)
    commit()
    assert notice not in text(client.get(first_path))
    assert "verouderd" not in text(client.get(set_path))


def test_answers_use_the_same_notice(app, reference, make_user, make_question):
    from kde_community.questions import services as question_services

    question = make_question(laws=["ai-act"])
    answer = question_services.answer_question(make_user(), question, {"body": "Per 2027."})
    commit()
    law("ai-act").changed_at = answer.written_at + timedelta(days=1)
    commit()
    page = text(client_for(app).get(f"/vragen/{question.id}"))
    assert 'class="utrecht-alert utrecht-alert--warning outdated-notice"' in page
    assert "het antwoord kan verouderd zijn" in page
