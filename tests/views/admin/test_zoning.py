"""Zoning administration over HTTP: admin-only access, completing a unit, importing a version."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent
from grants.models.zoning import ZoningScheme, ZoningUnit
from tests import factories
from tests.conftest import login

PAGES = ["/admin/", "/admin/zonages", "/admin/zonages/import"]


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    admin = factories.UserFactory(role="admin")
    db.session.flush()
    login(client, admin.email)
    return client


def _scheme(code: str) -> ZoningScheme:
    return db.session.scalar(select(ZoningScheme).where(ZoningScheme.code == code))


def _unit(code: str, name: str) -> ZoningUnit:
    return next(u for u in _scheme(code).units if u.name == name)


@pytest.mark.parametrize("role", ["promoter", "ars_instructor", "financer_instructor"])
def test_only_administrators_see_admin_pages(client, role):
    user = factories.make_staff(role) if role != "promoter" else factories.UserFactory()
    login(client, user.email)
    unit = _unit("idf_2015", "Nangis")
    urls = [*PAGES, f"/admin/zonages/{unit.scheme_id}", f"/admin/zonages/unites/{unit.id}"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/admin/zonages/unites/{unit.id}/communes", data={"commune": "77001"})
    assert response.status_code == 404
    assert len(_unit("idf_2015", "Nangis").communes) == 1


def test_admin_lists_schemes_and_units_with_their_communes(admin_client):
    home = admin_client.get("/admin/").get_data(as_text=True)
    assert "/admin/zonages" in home
    listing = admin_client.get("/admin/zonages").get_data(as_text=True)
    assert "idf_2012" in listing and "idf_2015" in listing and "idf_zip_zac" in listing
    assert "12-209" in listing
    page = admin_client.get(f"/admin/zonages/{_scheme('idf_2015').id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Clichy-sous-Bois (93014)" in html and "Montfermeil (93047)" in html
    assert "Incomplète" in html and "Grand quartier (Paris)" in html
    assert admin_client.get("/admin/zonages/999999").status_code == 404


def test_admin_completes_a_partial_unit(admin_client):
    unit = _unit("idf_2015", "Nangis")
    url = f"/admin/zonages/unites/{unit.id}"
    assert "Nangis (77327)" in admin_client.get(url).get_data(as_text=True)
    added = admin_client.post(f"{url}/communes", data={"commune": "Fontains"})
    assert added.status_code == 302
    by_code = admin_client.post(f"{url}/communes", data={"commune": "77012"})
    assert by_code.status_code == 302
    assert {m.insee_code for m in unit.communes} >= {"77327", "77012"}
    # A commune of another unit of the same scheme, an unknown name: 422 with the typed value.
    taken = admin_client.post(f"{url}/communes", data={"commune": "91286"})
    assert taken.status_code == 422 and "appartient déjà" in taken.get_data(as_text=True)
    unknown = admin_client.post(f"{url}/communes", data={"commune": "Nullepart-sur-Rien"})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and 'value="Nullepart-sur-Rien"' in html
    removed = admin_client.post(f"{url}/communes/77012/retirer", data={})
    assert removed.status_code == 302
    assert admin_client.post(f"{url}/communes/77999/retirer", data={}).status_code == 404
    assert admin_client.post(f"{url}/partiel", data={}).status_code == 302
    db.session.refresh(unit)
    assert not unit.partial and "77012" not in {m.insee_code for m in unit.communes}
    actions = list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.stream == f"zoning:{unit.scheme_id}")
        )
    )
    assert actions.count("zoning.unit_commune_added") == 2
    assert "zoning.unit_commune_removed" in actions and "zoning.unit_partial_set" in actions


def _import_form(content: bytes, **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "idf_2022",
        "name": "Zonage médecins 2022",
        "profession": "physician",
        "legal_reference": "Arrêté DG ARS n° 2022-000",
        "valid_from": "2022-04-01",
        "valid_to": "",
        "file": (io.BytesIO(content), "zonage.csv"),
    }
    data.update(overrides)
    return data


def test_admin_imports_a_zoning_version(admin_client):
    assert admin_client.get("/admin/zonages/import").status_code == 200
    response = admin_client.post(
        "/admin/zonages/import",
        data=_import_form(b"code_insee;categorie\n91286;zip\n94054;zac\n"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    scheme = _scheme("idf_2022")
    assert scheme is not None and len(scheme.units) == 2
    assert response.location.endswith(f"/admin/zonages/{scheme.id}")


def test_a_bad_import_lists_every_bad_line_keeps_values_and_writes_nothing(admin_client):
    response = admin_client.post(
        "/admin/zonages/import",
        data=_import_form(b"code_insee;categorie\n99999;zip\n91286;rouge\n94054;zip\n94054;zac\n"),
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ligne 2 : code INSEE inconnu" in html
    assert "Ligne 3 : catégorie inconnue" in html
    assert "Ligne 5 : commune 94054 en double" in html
    assert 'value="Zonage médecins 2022"' in html and "Arrêté DG ARS n° 2022-000" in html
    assert _scheme("idf_2022") is None


def test_import_form_errors_are_linked_to_their_fields(admin_client):
    response = admin_client.post(
        "/admin/zonages/import",
        data=_import_form(b"", code="Pas Un Code", valid_from="demain"),
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#code"' in html and 'href="#valid_from"' in html
    assert 'value="Pas Un Code"' in html
