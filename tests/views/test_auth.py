"""Authentication over HTTP: register, log in, log out, login required by default."""

from __future__ import annotations

from grants.extensions import db
from grants.models import AuditEvent, User
from tests import factories
from tests.conftest import login


def test_register_creates_a_promoter_with_an_argon2_hash(client):
    response = client.post(
        "/inscription",
        data={
            "full_name": "Claire Martin",
            "email": "Claire.Martin@Exemple.fr",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "claire.martin@exemple.fr"))
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert (
        db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.stream == f"user:{user.id}")
        ).action
        == "user.registered"
    )


def test_register_keeps_typed_values_and_explains_errors(client):
    response = client.post(
        "/inscription",
        data={
            "full_name": "Jean Dupont",
            "email": "pas-un-courriel",
            "password": "court",
            "password_confirm": "autre",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Jean Dupont"' in html and 'value="pas-un-courriel"' in html
    assert "Au moins 12 caractères." in html
    assert "error-summary" in html


def test_duplicate_email_is_refused(client):
    factories.UserFactory(email="deja@exemple.fr")
    response = client.post(
        "/inscription",
        data={
            "full_name": "X",
            "email": "deja@exemple.fr",
            "password": "a" * 12,
            "password_confirm": "a" * 12,
        },
    )
    assert response.status_code == 422
    assert "Un compte existe déjà" in response.get_data(as_text=True)


def test_login_and_logout(client):
    user = factories.UserFactory()
    login(client, user.email)
    assert client.get("/espace/").status_code == 200
    assert client.post("/deconnexion", data={}).status_code == 302
    assert client.get("/espace/").status_code == 302


def test_wrong_password_is_a_clear_error(client):
    user = factories.UserFactory()
    response = client.post("/connexion", data={"email": user.email, "password": "faux"})
    assert response.status_code == 422
    assert "Adresse électronique ou mot de passe incorrect." in response.get_data(as_text=True)


def test_pages_require_login_by_default(client):
    response = client.get("/espace/dossiers/1")
    assert response.status_code == 302
    assert "/connexion?next=" in response.headers["Location"]
