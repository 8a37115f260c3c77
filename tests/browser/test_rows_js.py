"""rows.js and balance.js in Chromium: add a row in place, live balance per aid type, save."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from grants.devtools import throwaway_database
from tests import factories
from tests.browser.conftest import _free_port
from tests.conftest import make_settings
from tests.conftest import test_database_url as base_database_url

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rows_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, int]]:
    """A live server with one promoter and one draft dossier: (base URL, email, dossier id)."""
    from flask_migrate import upgrade

    from grants import create_app
    from grants.extensions import db
    from grants.models import Financer
    from grants.services.reference import load_all

    with throwaway_database(base_database_url(), "grants_rows_js") as url:
        port = _free_port()
        settings = make_settings(
            url, tmp_path_factory.mktemp("rows-js"), base_url=f"http://127.0.0.1:{port}"
        )
        app = create_app(settings)
        with app.app_context():
            upgrade()
            load_all()
            membership = factories.MembershipFactory(role="owner")
            dossier = factories.DossierFactory(
                organisation=membership.organisation,
                created_by=membership.user,
                aid_types=["investment_real_estate", "operating"],
            )
            dossier.financers = [db.session.scalars(db.select(Financer)).first()]
            db.session.commit()
            email, dossier_id = membership.user.email, dossier.id
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}", email, dossier_id
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


def balance_cell(page, aid_type: str, total: str) -> str:  # type: ignore[no-untyped-def]
    selector = f"#balance-table tr[data-aid-type='{aid_type}'] [data-total='{total}']"
    return page.locator(selector).inner_text().replace("\u202f", " ").replace("\xa0", " ")


def test_balance_updates_as_the_user_types_and_rows_are_added_in_place(page, rows_server):
    base, email, dossier_id = rows_server
    page.goto(f"{base}/connexion")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/espace/dossiers/{dossier_id}/lignes/financing")

    page.select_option("#costs-0-aid_type", "investment_real_estate")
    page.fill("#costs-0-year", "2026")
    page.fill("#costs-0-label", "Travaux")
    page.fill("#costs-0-amount", "1 234,56")
    assert balance_cell(page, "investment_real_estate", "costs") == "1 234,56 €"
    assert balance_cell(page, "investment_real_estate", "balance") == "-1 234,56 €"

    page.select_option("#resources-0-aid_type", "investment_real_estate")
    page.select_option("#resources-0-kind", "own_funds")
    page.fill("#resources-0-amount", "1000,5")
    page.evaluate("window.samePage = true")
    page.click("button[data-add-row='resources-table']")  # no round trip: cloned in place
    assert page.evaluate("window.samePage === true")
    assert page.locator("#resources-table tbody tr").count() == 2
    assert page.locator("#resources-1-amount").input_value() == ""
    page.select_option("#resources-1-aid_type", "investment_real_estate")
    page.select_option("#resources-1-kind", "loan")
    page.fill("#resources-1-amount", "234,06")
    assert balance_cell(page, "investment_real_estate", "resources") == "1 234,56 €"
    assert balance_cell(page, "investment_real_estate", "status") == "Équilibré"

    page.click("button[name=save]")
    page.wait_for_url(f"{base}/espace/dossiers/{dossier_id}")
    assert "Rubrique enregistrée." in page.content()
    assert errors == []
