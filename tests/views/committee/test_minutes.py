"""The procès-verbal over HTTP: draft generated from what was recorded, PDF text, approval
frozen by its hash, correction as a new version with its reason, downloads by role."""

from __future__ import annotations

import hashlib

from grants.extensions import db
from grants.models import CommitteeMinutes
from tests import factories
from tests.documents.test_receipt import pdf_text
from tests.helpers import committee as data
from tests.services.test_committee_minutes import flat
from tests.views.committee.conftest import text
from tests.views.committee.test_recording import _amount, _frozen, _item_url


def test_minutes_from_draft_to_correction(
    secretary_web, client_for, committee_secretary, urps, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd, title="MSP de Drancy")
    session = _frozen(committee_secretary, urps, dossier)
    base = f"/comite/seances/{session.id}"
    urps_member, secretary_member, guest = session.members
    secretary_web.post(
        f"{base}/presences",
        data={
            f"attendance_{urps_member.id}": "present",
            f"attendance_{secretary_member.id}": "present",
            f"attendance_{guest.id}": "absent",
            "lock_version": session.lock_version,
        },
    )
    secretary_web.post(
        _item_url(session),
        data={
            "opinion": "favourable_with_reservations",
            "reservations": "Loyer modéré pendant dix ans.",
            _amount("ARS_IMMO"): "440000",
            _amount("REGION_IDF"): "1234567,89",
            f"conflict_{urps_member.id}": "y",
            "lock_version": session.items[0].lock_version,
        },
    )
    page = text(secretary_web.get(base))
    assert "Générer le projet de procès-verbal" in page
    assert (
        secretary_web.post(
            f"{base}/proces-verbal", data={"lock_version": session.lock_version}
        ).status_code
        == 302
    )
    draft = db.session.query(CommitteeMinutes).one()
    download = secretary_web.get(f"{base}/proces-verbal/1.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "-projet.pdf" in download.headers["Content-Disposition"]
    pdf = flat(pdf_text(download.data))
    for expected in (
        "Procès-verbal de la séance du 14 janvier 2027",
        "Favorable avec réserves",
        "Loyer modéré pendant dix ans.",
        "1 234 567,89 €",
        "Absent",
        f"{urps.full_name} (",
        "ayant déclaré un conflit d'intérêts, n'a pas pris part à l'examen de ce dossier",
    ):
        assert expected in pdf, expected

    stale = secretary_web.post(f"{base}/proces-verbal/1/approuver", data={"lock_version": "1"})
    assert stale.status_code == 409
    approved = secretary_web.post(
        f"{base}/proces-verbal/1/approuver", data={"lock_version": session.lock_version}
    )
    assert approved.status_code == 302 and session.state == "closed"
    db.session.refresh(draft)
    frozen_pdf = secretary_web.get(f"{base}/proces-verbal/1.pdf")
    assert hashlib.sha256(frozen_pdf.data).hexdigest() == draft.sha256
    assert (
        frozen_pdf.headers["Content-Disposition"].endswith('-v1.pdf"')
        or "v1.pdf" in frozen_pdf.headers["Content-Disposition"]
    )
    page = text(secretary_web.get(base))
    assert draft.sha256 in page and "Procès-verbal approuvé" in page
    # Recording is closed; a correction needs its reason.
    closed = secretary_web.post(
        _item_url(session),
        data={"opinion": "favourable", "lock_version": session.items[0].lock_version},
    )
    assert closed.status_code == 422 and "ouvrez d'abord une correction" in text(closed)
    no_reason = secretary_web.post(
        f"{base}/proces-verbal", data={"lock_version": session.lock_version}
    )
    assert no_reason.status_code == 422
    assert "Indiquez le motif de la correction du procès-verbal approuvé." in text(no_reason)
    corrected = secretary_web.post(
        f"{base}/proces-verbal",
        data={
            "correction_reason": "Nom d'un membre mal orthographié.",
            "lock_version": session.lock_version,
        },
    )
    assert corrected.status_code == 302 and session.state == "held"
    assert secretary_web.get(f"{base}/proces-verbal/1.pdf").data == frozen_pdf.data
    assert "Nom d'un membre mal orthographié." in pdf_text(
        secretary_web.get(f"{base}/proces-verbal/2.pdf").data
    )

    # A member named for the session downloads; other staff and promoters get 404.
    assert client_for(urps).get(f"{base}/proces-verbal/1.pdf").status_code == 200
    other = factories.make_staff("financer_instructor", ("REGION_IDF",))
    db.session.commit()
    assert client_for(other).get(f"{base}/proces-verbal/1.pdf").status_code == 404
    assert client_for(promoter).get(f"{base}/proces-verbal/1.pdf").status_code == 404
    assert secretary_web.get(f"{base}/proces-verbal/9.pdf").status_code == 404
