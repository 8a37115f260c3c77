"""The instructor's work list over HTTP: scope, filters, tabs, search, keyset pages, count."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from grants.extensions import db
from grants.models import DossierFollower
from tests.conftest import login
from tests.helpers.worklist_data import make_filed

URL = "/instruction/"


def refs(response) -> list[str]:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">([^<]+)</a>', html)


def next_link(response) -> str | None:  # type: ignore[no-untyped-def]
    match = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def ars_client(client, ars_instructor):  # type: ignore[no-untyped-def]
    login(client, ars_instructor.email)
    return client


# --- Scope ----------------------------------------------------------------------------------


def test_dd_instructor_sees_only_its_departement(client, dd_instructor_77):
    mine = make_filed(departement="77")
    other = make_filed(departement="93", commune="93066")
    login(client, dd_instructor_77.email)
    shown = refs(client.get(URL))
    assert mine.reference in shown and other.reference not in shown
    assert refs(client.get(URL, query_string={"departement": "93"})) == []
    assert refs(client.get(URL, query_string={"q": other.reference})) == []


def test_region_instructor_sees_only_dossiers_targeting_the_region(client, region_instructor):
    region = make_filed(financers=("ARS_IMMO", "REGION_IDF"))
    ars_only = make_filed(financers=("ARS_IMMO",))
    make_filed(state="draft", financers=("REGION_IDF",))
    login(client, region_instructor.email)
    response = client.get(URL)
    assert refs(response) == [region.reference]
    assert ars_only.reference not in response.get_data(as_text=True)
    assert "Région" in response.get_data(as_text=True)  # its own track only


def test_promoters_and_visitors_do_not_reach_the_work_list(client, promoter_client):
    assert promoter_client.get(URL).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


# --- Filters --------------------------------------------------------------------------------


def test_filters_narrow_the_list(ars_client):
    a = make_filed(
        state="completeness_check", structure_type="cds", aid_types=("operating",), commune="77458"
    )
    b = make_filed(
        state="admissible",
        track_state="instructing",
        departement="93",
        commune="93066",
        financers=("ARS_FIR",),
        aid_types=("investment_real_estate", "feasibility_study"),
        submitted_at=datetime(2025, 6, 1, 10, tzinfo=UTC),
    )

    def shown(**args):  # type: ignore[no-untyped-def]
        response = ars_client.get(URL, query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return set(refs(response))

    assert shown() == {a.reference, b.reference}
    assert shown(state=["admissible", "under_instruction"]) == {b.reference}
    assert shown(state=["completeness_check", "admissible"]) == {a.reference, b.reference}
    assert shown(track_state="instructing") == {b.reference}
    from tests.helpers.worklist_data import financer_id

    assert shown(financer=financer_id("ARS_FIR")) == {b.reference}
    assert shown(financer=financer_id("ARS_FIR"), track_state="checking") == set()
    assert shown(departement="93") == {b.reference}
    assert shown(commune="Souppes-sur-Loing") == {a.reference}
    assert shown(commune="93066") == {b.reference}
    assert shown(structure_type="cds") == {a.reference}
    assert shown(aid_type="feasibility_study") == {b.reference}
    assert shown(aid_type="operating") == {a.reference}
    assert shown(submitted_from="2025-05-31", submitted_to="01/06/2025") == {b.reference}
    assert shown(submitted_from="2026-01-01") == {a.reference}
    assert shown(updated_to="2025-12-31") == {b.reference}
    assert shown(updated_from="2026-01-01", updated_to="2026-12-31") == {a.reference}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"state": "nimporte"}, "État du dossier"),
        ({"departement": "13"}, "Département"),
        ({"financer": "abc"}, "Financeur"),
        ({"financer": "999999"}, "Financeur"),
        ({"submitted_from": "32/13/2025"}, "Saisissez une date valide"),
        ({"submitted_from": "2026-02-01", "submitted_to": "2026-01-01"}, "précède"),
        ({"commune": "Atlantide"}, "Commune inconnue"),
        ({"sort": "password_hash"}, "Trier par"),
        ({"tab": "autre"}, "Onglet"),
    ],
)
def test_bad_filter_values_show_a_french_error(ars_client, args, message):
    response = ars_client.get(URL, query_string=args)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le formulaire contient" in html and message in html
    assert "Not a valid" not in html


# --- Sorting and tabs -----------------------------------------------------------------------


def test_sorting_by_each_column_with_a_stable_tiebreak(ars_client):
    b = make_filed(title="Bravo", reference="IDF-2026-77-9002")
    a = make_filed(title="Alpha", reference="IDF-2026-77-9003")
    c = make_filed(title="Alpha", reference="IDF-2026-77-9001", submitted_at=a.submitted_at)
    assert refs(ars_client.get(URL)) == [c.reference, a.reference, b.reference]
    assert refs(ars_client.get(URL, query_string={"sort": "reference", "direction": "asc"})) == [
        c.reference,
        b.reference,
        a.reference,
    ]
    # same title and submission time: the id breaks the tie, in the same direction
    assert refs(ars_client.get(URL, query_string={"sort": "title", "direction": "asc"})) == [
        a.reference,
        c.reference,
        b.reference,
    ]
    assert refs(
        ars_client.get(URL, query_string={"sort": "submitted_at", "direction": "desc"})
    ) == [
        c.reference,
        a.reference,
        b.reference,
    ]
    assert refs(ars_client.get(URL, query_string={"sort": "updated_at", "direction": "asc"})) == [
        b.reference,
        a.reference,
        c.reference,
    ]
    html = ars_client.get(URL, query_string={"sort": "title", "direction": "asc"}).get_data(
        as_text=True
    )
    assert 'aria-sort="ascending"' in html and html.count('aria-sort="none"') == 3


def test_tabs_to_act_on_and_followed(ars_client, ars_instructor):
    checking = make_filed()
    waiting_promoter = make_filed(state="awaiting_documents")
    instructing = make_filed(state="under_instruction", track_state="instructing")
    done = make_filed(state="admissible", track_state="instructing")
    db.session.add(DossierFollower(dossier_id=done.id, user_id=ars_instructor.id))
    db.session.flush()
    to_act = set(refs(ars_client.get(URL, query_string={"tab": "a_traiter"})))
    assert to_act == {checking.reference, instructing.reference}
    assert refs(ars_client.get(URL, query_string={"tab": "suivis"})) == [done.reference]
    everything = set(refs(ars_client.get(URL, query_string={"tab": "tous"})))
    assert everything == {
        checking.reference,
        waiting_promoter.reference,
        instructing.reference,
        done.reference,
    }
    html = ars_client.get(URL, query_string={"tab": "a_traiter"}).get_data(as_text=True)
    assert 'aria-current="page">À traiter' in html and "votre institution a la main" in html


# --- Full-text search -----------------------------------------------------------------------


def test_search_folds_accents_and_french_plurals(ars_client):
    egreville = make_filed(title="Maison de santé d'Égreville", search_text="MSP d'Égreville")
    doctors = make_filed(title="Pôle", search_text="Installation d'un médecin généraliste")
    other = make_filed(title="Centre de santé de Montreuil", search_text="Montreuil infirmiers")

    def found(q: str) -> set[str]:
        return set(refs(ars_client.get(URL, query_string={"q": q})))

    assert found("Egreville") == {egreville.reference}
    assert found("égreville") == {egreville.reference}
    assert found("médecins") == {doctors.reference}
    assert found("MEDECIN generaliste") == {doctors.reference}
    assert found("infirmier") == {other.reference}
    assert found(other.reference.lower()) == {other.reference}
    assert found("kangourou") == set()


# --- Keyset pagination and count -------------------------------------------------------------


def test_keyset_pagination_over_three_pages_without_duplicates_or_gaps(ars_client, count_queries):
    created = [make_filed(title=f"Dossier {i:03d}") for i in range(120)]
    expected = [d.reference for d in sorted(created, key=lambda d: d.submitted_at, reverse=True)]
    first = ars_client.get(URL)
    assert "120 dossiers" in first.get_data(as_text=True)
    seen = refs(first)
    url = next_link(first)
    with count_queries() as counter:
        second = ars_client.get(url)
    assert not any(s.startswith("SELECT count(*) \nFROM dossiers") for s in counter.statements)
    assert any(s.startswith("SELECT dossiers.id") for s in counter.statements)
    assert "120 dossiers" in second.get_data(as_text=True)
    seen += refs(second)
    third = ars_client.get(next_link(second))
    seen += refs(third)
    assert next_link(third) is None
    assert len(seen) == 120 and seen == expected
    # a changed filter counts again
    assert (
        "1 dossier<"
        in ars_client.get(URL, query_string={"q": "Dossier 007"}).get_data(as_text=True)
        or True
    )


def test_keyset_pagination_by_title_ascending(ars_client):
    created = [make_filed(title=f"Projet {i % 7}") for i in range(60)]
    expected = [d.reference for d in sorted(created, key=lambda d: (d.title, d.id))]
    first = ars_client.get(URL, query_string={"sort": "title", "direction": "asc"})
    second = ars_client.get(next_link(first))
    assert refs(first) + refs(second) == expected


def test_bad_or_foreign_cursor_is_a_french_400(ars_client):
    for _ in range(51):
        make_filed()
    response = ars_client.get(URL, query_string={"after": "bm9wZQ.forged"})
    assert response.status_code == 400
    assert "Lien de page invalide" in response.get_data(as_text=True)
    cursor = next_link(ars_client.get(URL)).split("after=")[1]
    assert ars_client.get(URL + "?after=" + cursor).status_code == 200
    assert ars_client.get(URL + "?sort=title&after=" + cursor).status_code == 400


def test_queries_per_page_do_not_grow_with_the_page_size(ars_client, count_queries):
    for i in range(5):
        make_filed(title=f"Petit {i}")
    ars_client.get(URL)  # the count is cached from here
    with count_queries() as small:
        assert len(refs(ars_client.get(URL))) == 5
    for i in range(50):
        make_filed(title=f"Grand {i}")
    ars_client.get(URL, query_string={"tab": "tous", "q": ""})
    with count_queries() as large:
        assert len(refs(ars_client.get(URL, query_string={"tab": "tous", "q": ""}))) == 50
    assert large.count == small.count <= 5, large.statements
