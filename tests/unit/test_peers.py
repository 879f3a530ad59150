"""The peer finder: organisations like mine, on the real reference data and on small cases."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from kde_community.directory import services
from kde_community.directory.models import FrontrunnerTopic, Organisation
from kde_community.errors import ValidationError
from kde_community.extensions import db
from kde_community.laws.models import Law, Theme
from kde_community.reference import load_reference
from tests.helpers import commit


@pytest.fixture
def reference(seed):
    seed("reference", lambda: load_reference() and None)


def org(slug: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def topic(organisation, *, theme=None, law=None, obligation=None, open_=True, deleted=False):
    from kde_community.dbtypes import utcnow

    row = FrontrunnerTopic(organisation=organisation, theme=theme, law=law, obligation=obligation,
                           summary="Wij deden dit.", open_to_collaboration=open_,
                           deleted_at=utcnow() if deleted else None)
    db.session.add(row)
    commit()
    return row


def test_schiermonnikoog_peers_are_small_municipalities_with_reasons(app, reference):
    with app.test_request_context():
        schier = org("schiermonnikoog")
        assert schier.inhabitants == 972
        peers = services.find_peers(schier, limit=5)
    assert len(peers) == 5
    for peer in peers:
        other = peer.organisation
        assert other.type == "gemeente"
        assert other.size_class in (0, 1), (other.name, other.inhabitants)
        assert peer.reasons[0] == "ook een gemeente"
        size_reason = peer.reasons[1]
        assert other.name in size_reason
        assert f"{other.inhabitants:,}".replace(",", ".") in size_reason
        if other.size_class == 0:
            assert size_reason.startswith("zelfde grootteklasse: minder dan 5.000 inwoners")
        else:
            assert size_reason.startswith("één grootteklasse groter: 5.000–10.000 inwoners")
        if other.province == "Fryslân":
            assert "ook in Fryslân" in peer.reasons
        else:
            assert not any(r.startswith("ook in") for r in peer.reasons)
    # The other municipalities under 5,000 come first, islands in Fryslân before Rozendaal.
    names = [p.organisation.slug for p in peers]
    assert {"vlieland", "ameland"} <= set(names[:4])


def test_a_frontrunner_on_the_theme_ranks_first(app, reference):
    with app.test_request_context():
        ai = db.session.scalar(select(Theme).where(Theme.slug == "ai"))
        utrecht = org("utrecht")
        topic(utrecht, theme=ai)
        schier = org("schiermonnikoog")
        peers = services.find_peers(schier, theme=ai, limit=5)
        assert peers[0].organisation.slug == "utrecht"
        assert "voorloper op Kunstmatige intelligentie, open voor samenwerking" in peers[0].reasons
        assert [t.theme.slug for t in peers[0].frontrunner_topics] == ["ai"]
        assert all(p.organisation.size_class in (0, 1) for p in peers[1:])
        # By slug too, as the pages and the API pass it; without a theme Utrecht is far away.
        assert services.find_peers(schier, theme="ai", limit=1)[0].organisation.slug == "utrecht"
        assert "utrecht" not in [p.organisation.slug for p in services.find_peers(schier)]


def test_law_and_theme_filters_match_topics_on_parts_of_them(app, reference):
    with app.test_request_context():
        ai_act = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
        obligation = ai_act.obligations[0]
        amsterdam, rotterdam, utrecht = org("amsterdam"), org("rotterdam"), org("utrecht")
        topic(amsterdam, obligation=obligation, open_=False)  # on an obligation of the law
        topic(rotterdam, law=ai_act)  # on the law, whose themes include "ai"
        topic(utrecht, law=ai_act, deleted=True)  # removed: no longer counts
        schier = org("schiermonnikoog")
        by_law = [p.organisation.slug for p in services.find_peers(schier, law="ai-act")]
        assert set(by_law[:2]) == {"amsterdam", "rotterdam"} and "utrecht" not in by_law[:2]
        by_theme = [p.organisation.slug for p in services.find_peers(schier, theme="ai")]
        assert set(by_theme[:2]) == {"amsterdam", "rotterdam"}
        by_obligation = services.find_peers(schier, obligation=obligation.id)
        assert by_obligation[0].organisation.slug == "amsterdam"
        assert by_obligation[0].reasons[1].startswith("voorloper op AI-verordening ")
        assert "open voor samenwerking" not in by_obligation[0].reasons[1]
        assert by_obligation[1].organisation.slug != "rotterdam"  # a law is not the obligation
        with pytest.raises(ValidationError) as refused:
            services.find_peers(schier, theme="bestaat-niet")
        assert set(refused.value.fields) == {"theme"}


def test_peers_keep_to_the_type(app, reference):
    with app.test_request_context():
        provinces = services.find_peers(org("provincie-fryslan"), limit=50)
        assert len(provinces) == 11 and {p.organisation.type for p in provinces} == {"provincie"}
        assert provinces[0].reasons[0] == "ook een provincie"
        boards = services.find_peers(org("wetterskip-fryslan"), limit=50)
        assert len(boards) == 20 and {p.organisation.type for p in boards} == {"waterschap"}
        # Water boards have no inhabitants: no size or density reasons, province decides.
        assert all(not any("grootteklasse" in r or "dichtheid" in r for r in p.reasons)
                   for p in boards)
        expected = sorted(boards, key=lambda p: (p.organisation.province != "Fryslân",
                                                 p.organisation.name.casefold()))
        assert boards == expected


def test_density_buckets_then_province_then_activity(app, make_org, make_user, make_question,
                                                     make_practice):
    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI")
    db.session.add(theme)
    commit()
    me = make_org(slug="mij", inhabitants=30_000, area_km2=100, province="Utrecht")
    dense_far = make_org(slug="a-dicht", inhabitants=30_000, area_km2=10, province="Utrecht")
    alike_far = make_org(slug="b-gelijk", inhabitants=30_000, area_km2=110, province="Zeeland")
    alike_near = make_org(slug="c-gelijk", inhabitants=30_000, area_km2=120, province="Utrecht")
    active = make_org(slug="d-actief", inhabitants=30_000, area_km2=90, province="Utrecht")
    unknown = make_org(slug="e-onbekend", inhabitants=None, province="Utrecht")
    make_org(slug="w", type="waterschap", inhabitants=30_000, area_km2=100)
    author = make_user(org=active)
    make_question(author=author, themes=["ai"])
    make_question(author=author, title="Besloten vraag over algoritmes", themes=["ai"],
                  visibility="members")
    make_practice(author=author, themes=["ai"], anonymous=True)
    quiet = make_user(org=alike_near)
    make_practice(author=quiet, themes=["ai"], anonymous=True)  # anonymous: not counted
    with app.test_request_context():
        plain = [p.organisation.slug for p in services.find_peers(me)]
        assert plain == ["c-gelijk", "d-actief", "b-gelijk", "a-dicht", "e-onbekend"]
        on_theme = services.find_peers(me, theme="ai")
        assert [p.organisation.slug for p in on_theme] == [
            "d-actief", "c-gelijk", "b-gelijk", "a-dicht", "e-onbekend"]
        assert "1 bijdrage over Kunstmatige intelligentie" in on_theme[0].reasons
        assert any(r.startswith("vergelijkbare bevolkingsdichtheid: 333 inwoners per km²")
                   for r in on_theme[0].reasons)
        assert not any("dichtheid" in r for r in on_theme[3].reasons)  # ten times as dense
        assert on_theme[-1].reasons == ["ook een gemeente", "ook in Utrecht"]
        assert dense_far and alike_far and unknown


def test_statement_count_does_not_grow_with_the_candidates(app, make_org):
    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI")
    db.session.add(theme)
    commit()
    me = make_org(slug="mij", inhabitants=30_000, area_km2=100)

    def statements() -> int:
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            with app.test_request_context():
                peers = services.find_peers(me, theme=theme)
                assert all(p.reasons for p in peers)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(seen)

    for n in range(5):
        topic(make_org(inhabitants=10_000 * (n + 1), area_km2=50), theme=theme)
    few = statements()
    for n in range(25):
        topic(make_org(inhabitants=5_000 * (n + 1), area_km2=70), theme=theme)
    assert statements() == few
