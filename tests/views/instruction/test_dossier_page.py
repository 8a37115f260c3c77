"""The dossier seen by an instructor: sections, versions and diff, tracks, bounded queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.extensions import db
from grants.models import Professional
from grants.services.submission import freeze_version


def test_instructor_sees_every_section_read_only(client_for, submitted_dossier, dd_instructor_77):
    html = (
        client_for(dd_instructor_77)
        .get(f"/instruction/dossiers/{submitted_dossier.id}")
        .get_data(as_text=True)
    )
    for title in (
        "Identité et périmètre du projet",
        "Porteur et maître d&#39;ouvrage",
        "Territoire",
        "Professionnels de santé impliqués",
        "Projet de santé",
        "Étude de faisabilité",
        "Investissement immobilier",
        "Budget de fonctionnement sur trois ans",
        "Plan de financement",
        "Engagements du porteur",
    ):
        assert title in html, title
    # Labels as on the promoter's forms, values formatted in French.
    assert "Type de structure" in html and "Maison de santé pluriprofessionnelle (MSP)" in html
    assert "Population du bassin de vie (habitants)" in html
    assert "Nguyen" in html and "Médecin généraliste" in html.replace("médecin", "Médecin")
    assert "Équilibre par type d'aide" in html and "équilibré" in html
    assert "Souppes-sur-Loing" in html
    # Each co-financer's track side by side.
    for name in ("Région Île-de-France", "Vérification de complétude"):
        assert name in html
    # No edit link of the promoter's side.
    assert "/promoteur/" not in html and 'action="/dossiers/' not in html


def test_outsiders_get_404(client_for, submitted_dossier, promoter_web, app):
    from tests import factories

    url = f"/instruction/dossiers/{submitted_dossier.id}"
    assert promoter_web.get(url).status_code == 404
    paris = factories.make_staff("financer_instructor", ("DEP_75",))
    assert client_for(paris).get(url).status_code == 404
    dd_93 = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="93")
    assert client_for(dd_93).get(url).status_code == 404


def test_version_diff_shows_changed_field(client_for, submitted_dossier, ars_instructor, promoter):
    submitted_dossier.bassin_population = 21000
    submitted_dossier.professionals.append(
        Professional(
            last_name="Lemoine",
            first_name="Anne",
            profession="sage_femme",
            exercise_mode="liberal",
            status_in_project="new_installation",
            etp=Decimal("0.50"),
            position=9,
        )
    )
    submitted_dossier.professionals[0].etp = Decimal("0.70")
    db.session.flush()
    freeze_version(submitted_dossier, actor=promoter, reason="respond")
    db.session.flush()
    client = client_for(ars_instructor)
    page = client.get(f"/instruction/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    diff_url = f"/instruction/dossiers/{submitted_dossier.id}/versions/1/diff/2"
    assert diff_url in page
    response = client.get(diff_url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Population du bassin de vie (habitants)" in html
    assert "18\u202f500" in html and "21\u202f000" in html
    assert "Ligne ajoutée" in html and "Lemoine" in html
    assert "Ligne modifiée" in html and "ETP" in html
    # Unchanged fields are not listed.
    assert "Intitulé du projet" not in html
    assert (
        client.get(f"/instruction/dossiers/{submitted_dossier.id}/versions/1/diff/9").status_code
        == 404
    )
    picker = client.get(f"/instruction/dossiers/{submitted_dossier.id}/versions/comparer?a=1&b=2")
    assert picker.status_code == 302 and picker.location.endswith(diff_url)


def test_diff_is_404_for_promoters(promoter_web, submitted_dossier):
    url = f"/instruction/dossiers/{submitted_dossier.id}/versions/1/diff/1"
    assert promoter_web.get(url).status_code == 404


def _big_dossier(promoter):  # type: ignore[no-untyped-def]
    """A second filed dossier, then grown: many professionals, cost lines and pieces."""
    from grants.models import CostLine
    from grants.services.dossiers import load_full
    from grants.services.submission import submit_dossier
    from tests.helpers.complete_dossier import attach_required_pieces, make_complete_dossier

    dossier = make_complete_dossier(promoter, title="Grand dossier")
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    for n in range(40):
        db.session.add(
            Professional(
                dossier_id=dossier.id,
                last_name=f"Nom{n}",
                first_name="Prénom",
                profession="infirmier",
                exercise_mode="liberal",
                status_in_project="already_on_site",
                etp=Decimal("1.00"),
                position=100 + n,
            )
        )
        db.session.add(
            CostLine(
                dossier_id=dossier.id,
                aid_type="operating",
                year=2027,
                label=f"Ligne {n}",
                amount=Decimal("10.00"),
                position=100 + n,
            )
        )
    for _ in range(3):
        attach_required_pieces(dossier, promoter)
    db.session.flush()
    db.session.expire_all()
    return load_full(dossier.id)


def test_dossier_page_queries_are_bounded(
    client_for, submitted_dossier, promoter, ars_instructor, count_queries
):
    from grants.services.reviews import review_piece

    big = _big_dossier(promoter)
    # Reviews on every piece of the big one: they must not cost a query each.
    for attachment in big.attachments:
        review_piece(
            big,
            attachment,
            actor=ars_instructor,
            financer_id=big.tracks[0].financer_id,
            status="accepted",
            reason=None,
        )
    db.session.flush()
    client = client_for(ars_instructor)
    counts = []
    for dossier in (submitted_dossier, big):
        client.get(f"/instruction/dossiers/{dossier.id}")  # warm caches
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"/instruction/dossiers/{dossier.id}")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] < 50, counts  # fixed cost: sections, tracks, reviews, notes, zoning, score


@pytest.fixture
def promoter_web(client_for, promoter):  # type: ignore[no-untyped-def]
    return client_for(promoter)
