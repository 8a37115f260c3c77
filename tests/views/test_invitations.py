"""Colleague invitations over HTTP: invite (owners only), accept in its three forms, single use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Invitation, Membership, User
from grants.models.base import utcnow
from grants.services.invitations import hash_token
from tests import factories
from tests.conftest import login


@pytest.fixture
def organisation(promoter):  # type: ignore[no-untyped-def]
    return promoter.memberships[0].organisation


def _invite(client, organisation, email="collegue@exemple.fr"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/espace/organisations/{organisation.id}/invitations", data={"email": email}
    )


def _token_from(message) -> str:  # type: ignore[no-untyped-def]
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://[^/\s]+/invitation/(\S+)", text)
    assert match, text
    return match.group(1)


def _actions(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.stream == f"organisation:{organisation_id}")
            .order_by(AuditEvent.id)
        )
    )


def test_owner_invites_a_colleague_by_email(promoter_client, organisation, mailbox):
    response = _invite(promoter_client, organisation, "Collegue@Exemple.fr")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/organisations/{organisation.id}")

    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "collegue@exemple.fr"
    assert invitation.accepted_at is None
    assert timedelta(days=13, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=14)

    assert len(mailbox) == 1 and mailbox[0]["To"] == "collegue@exemple.fr"
    token = _token_from(mailbox[0])
    assert invitation.token_hash == hash_token(token) and token not in invitation.token_hash
    assert "organisation.member_invited" in _actions(organisation.id)

    page = promoter_client.get(f"/espace/organisations/{organisation.id}").get_data(as_text=True)
    assert "Invitations en attente" in page and "collegue@exemple.fr" in page


def test_invalid_email_is_a_form_error_on_the_organisation_page(promoter_client, organisation):
    response = _invite(promoter_client, organisation, "pas-un-courriel")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "error-summary" in html and 'value="pas-un-courriel"' in html
    assert db.session.scalar(select(Invitation)) is None


def test_inviting_an_existing_member_is_a_friendly_error(
    promoter_client, promoter, organisation, mailbox
):
    response = _invite(promoter_client, organisation, promoter.email.upper())
    assert response.status_code == 422
    assert "déjà membre de l&#39;organisation" in response.get_data(as_text=True)
    assert mailbox == [] and db.session.scalar(select(Invitation)) is None


def test_members_may_not_invite_and_strangers_see_nothing(client, organisation, mailbox):
    member = factories.UserFactory()
    factories.MembershipFactory(user=member, organisation=organisation, role="member")
    stranger = factories.UserFactory()
    db.session.flush()

    login(client, member.email)
    assert _invite(client, organisation).status_code == 403
    page = client.get(f"/espace/organisations/{organisation.id}").get_data(as_text=True)
    assert "Inviter un collègue" not in page

    client.post("/deconnexion", data={})
    login(client, stranger.email)
    assert _invite(client, organisation).status_code == 404
    assert mailbox == [] and db.session.scalar(select(Invitation)) is None


def test_new_colleague_creates_an_account_and_joins(promoter_client, organisation, mailbox):
    _invite(promoter_client, organisation)
    token = _token_from(mailbox[0])
    promoter_client.post("/deconnexion", data={})

    page = promoter_client.get(f"/invitation/{token}")
    assert page.status_code == 200
    assert 'value="collegue@exemple.fr" readonly' in page.get_data(as_text=True)

    bad = promoter_client.post(
        f"/invitation/{token}",
        data={"full_name": "Paul Durand", "password": "court", "password_confirm": "court"},
    )
    assert bad.status_code == 422 and 'value="Paul Durand"' in bad.get_data(as_text=True)

    response = promoter_client.post(
        f"/invitation/{token}",
        data={
            "full_name": "Paul Durand",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
            "email": "pirate@exemple.fr",  # ignored: the address is the invited one
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/organisations/{organisation.id}")
    user = db.session.scalar(select(User).where(User.email == "collegue@exemple.fr"))
    assert user is not None and user.full_name == "Paul Durand"
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.organisation_id == organisation.id and membership.role == "member"
    assert db.session.scalar(select(Invitation)).accepted_at is not None
    assert _actions(organisation.id)[-1] == "organisation.member_joined"
    # Logged in as the new member.
    assert promoter_client.get(f"/espace/organisations/{organisation.id}").status_code == 200


def test_existing_account_logs_in_first_then_joins(promoter_client, organisation, mailbox):
    colleague = factories.UserFactory(email="collegue@exemple.fr")
    db.session.flush()
    _invite(promoter_client, organisation)
    token = _token_from(mailbox[0])
    promoter_client.post("/deconnexion", data={})

    page = promoter_client.get(f"/invitation/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/connexion?next=/invitation/{token}" in html
    assert db.session.scalar(select(Invitation)).accepted_at is None

    response = promoter_client.post(
        f"/connexion?next=/invitation/{token}",
        data={"email": colleague.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == f"/invitation/{token}"
    joined = promoter_client.get(f"/invitation/{token}")
    assert joined.status_code == 302
    assert joined.headers["Location"].endswith(f"/espace/organisations/{organisation.id}")
    assert db.session.scalar(
        select(Membership).where(
            Membership.user_id == colleague.id, Membership.organisation_id == organisation.id
        )
    )


def test_logged_in_with_another_address_does_not_join(promoter_client, organisation, mailbox):
    _invite(promoter_client, organisation)
    token = _token_from(mailbox[0])
    response = promoter_client.get(f"/invitation/{token}")
    assert response.status_code == 403
    assert "adressée à" in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation)).accepted_at is None


def test_an_invitation_works_once(promoter_client, organisation, mailbox):
    colleague = factories.UserFactory(email="collegue@exemple.fr")
    db.session.flush()
    _invite(promoter_client, organisation)
    token = _token_from(mailbox[0])
    promoter_client.post("/deconnexion", data={})
    login(promoter_client, colleague.email)
    assert promoter_client.get(f"/invitation/{token}").status_code == 302
    again = promoter_client.get(f"/invitation/{token}")
    assert again.status_code == 400
    assert "n'est plus valable" in again.get_data(as_text=True)


@pytest.mark.parametrize("case", ["unknown", "expired"])
def test_unknown_or_expired_links_are_refused_in_french(client, promoter, organisation, case):
    token = "inconnu"
    if case == "expired":
        token = "expire-depuis-hier"
        db.session.add(
            Invitation(
                organisation_id=organisation.id,
                email="collegue@exemple.fr",
                token_hash=hash_token(token),
                invited_by_id=promoter.id,
                expires_at=utcnow() - timedelta(days=1),
            )
        )
        db.session.flush()
    for method in (client.get, client.post):
        response = method(f"/invitation/{token}", data={})
        assert response.status_code == 400
        assert "Ce lien d'invitation n'est plus valable" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "collegue@exemple.fr")) is None
