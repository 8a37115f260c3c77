"""The email written on the wire parses back, with the standard library, into what was meant."""

from __future__ import annotations

from email import message_from_bytes, policy

from grants.notifications.channels import Recipient, build_email


def test_the_message_parses_back_with_both_parts_and_encoded_headers(app) -> None:  # type: ignore[no-untyped-def]
    subject = "Pièces demandées — Maison de santé pluriprofessionnelle de Crouy-sur-Ourcq " * 2
    row = {
        "id": 41,
        "template": "transition",
        "subject": subject.strip(),
        "context": {
            "audience": "promoter",
            "event_label": "Pièces demandées",
            "dossier_title": "MSP « Les Érables »",
            "reference": "IDF-2026-77-0001",
            "link": "http://exemple.fr/espace/dossiers/1",
            "actor": "Élodie Prévost",
            "message": "Merci de joindre l'étude de faisabilité signée.",
            "due_on": "",
            "items": [],
        },
    }
    data = build_email(row, Recipient("chloe.dubois@exemple.fr", "Chloé Dubois"))

    assert data.isascii(), "8-bit bytes must not leave unencoded"
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    message = message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == subject.strip()
    assert message["To"] == "chloe.dubois@exemple.fr"
    assert message["Message-ID"] == "<outbox-41@grants>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Chloé Dubois" in text and "MSP « Les Érables »" in text
    assert "Chloé Dubois" in html and "http://exemple.fr/espace/dossiers/1" in html
    assert not message.defects and all(not part.defects for part in message.walk())
