"""Section C over HTTP: communes typed by name or code, the no-JS add button, suggestions."""

from __future__ import annotations

from tests.views.sections_support import post, reload, section_events, url


def test_territory_resolves_communes_by_code_and_name(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "territory",
        {
            "commune_inputs-0": "Viry-Châtillon (91687)",
            "commune_inputs-1": "91286",
            "commune_inputs-2": "vigneux sur seine",
            "commune_inputs-3": "",
            "district": "Grande Borne",
            "flag_qpv": "y",
            "bassin_population": "25 000",
            "diagnosis_date": "2023-06-01",
        },
    )
    assert response.status_code == 302
    saved = reload(dossier)
    assert [dc.insee_code for dc in saved.communes] == ["91687", "91286", "91657"]
    assert saved.departement_code == "91"
    assert saved.bassin_population == 25000 and saved.flag_qpv is True
    html = promoter_client.get(url(dossier, "territory")).get_data(as_text=True)
    assert 'value="Grigny (91286)"' in html and 'value="Vigneux-sur-Seine (91657)"' in html


def test_territory_ambiguous_and_unknown_names_are_explained(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "territory",
        {
            "commune_inputs-0": "Saint-Denis",
            "commune_inputs-1": "Paris-sur-Mer",
            "district": "Flandres",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Plusieurs communes s&#39;appellent « Saint-Denis »" in html
    assert "Saint-Denis (93066)" in html
    assert "Commune inconnue : « Paris-sur-Mer »" in html
    assert 'value="Paris-sur-Mer"' in html and 'value="Flandres"' in html
    assert 'href="#commune_inputs-1"' in html
    assert reload(dossier).district is None and not section_events(dossier)


def test_replacing_communes_updates_the_departement(promoter_client, dossier):
    post(promoter_client, dossier, "territory", {"commune_inputs-0": "91687"})
    reload(dossier)
    post(promoter_client, dossier, "territory", {"commune_inputs-0": "93066"})
    saved = reload(dossier)
    assert [dc.insee_code for dc in saved.communes] == ["93066"]
    assert saved.departement_code == "93"
    post(promoter_client, dossier, "territory", {"commune_inputs-0": ""})
    saved = reload(dossier)
    assert saved.communes == [] and saved.departement_code is None


def test_add_commune_button_works_without_javascript(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "territory",
        {"commune_inputs-0": "Grigny", "district": "Grande Borne", "add_commune": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="commune_inputs-1"' in html and 'value="Grigny"' in html
    assert reload(dossier).district is None  # nothing saved yet


def test_commune_autocompletion_endpoint(promoter_client):
    response = promoter_client.get("/espace/communes?q=viry")
    assert response.status_code == 200
    results = response.get_json()
    assert {"insee_code": "91687", "name": "Viry-Châtillon", "departement": "91"}.items() <= (
        next(r for r in results if r["insee_code"] == "91687").items()
    )
    assert len(promoter_client.get("/espace/communes?q=saint").get_json()) == 20
    assert promoter_client.get("/espace/communes?q=916").get_json()
    assert promoter_client.get("/espace/communes?q=a").get_json() == []


def test_commune_suggestions_require_login_and_script_is_served(client):
    assert client.get("/espace/communes?q=viry").status_code == 302
    script = client.get("/static/js/communes.js")
    assert script.status_code == 200 and b"communes-suggestions" in script.data
    script.close()
