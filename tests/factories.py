"""factory_boy factories bound to the test session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from grants.extensions import db
from grants.models import Dossier, Membership, Organisation, User
from grants.services.passwords import hash_password

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.fr")
    full_name = factory.Faker("name", locale="fr_FR")
    password_hash = _PASSWORD_HASH
    role = "promoter"


class OrganisationFactory(_Base):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"SISA Santé Pour Tous {n}")
    category = "ps_group"
    legal_form = "sisa"
    siret = "73282932000074"
    representative_name = "Dr Claire Martin"
    representative_function = "Gérante"
    contact_name = "Claire Martin"
    contact_email = "contact@exemple.fr"
    contact_phone = "01 23 45 67 89"
    address = "1 place de la Mairie, 77570 Souppes-sur-Loing"


class MembershipFactory(_Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "owner"


class DossierFactory(_Base):
    class Meta:
        model = Dossier

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Maison de santé pluriprofessionnelle n° {n}")
    state = "draft"


def make_staff(
    role: str, financer_codes: tuple[str, ...] = (), departement: str | None = None, **kw
):
    """A staff user (instructor, secretary…) acting for the financers given by code."""
    from sqlalchemy import select

    from grants.models import Financer

    user = UserFactory(role=role, departement_code=departement, **kw)
    if financer_codes:
        user.financers = list(
            db.session.scalars(select(Financer).where(Financer.code.in_(financer_codes)))
        )
    db.session.flush()
    return user


ARS_FINANCERS = ("ARS_FIR", "ARS_IMMO")
