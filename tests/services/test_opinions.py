"""Opinion sources by role, and the institutions each role speaks for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Financer
from grants.services.opinions import (
    OpinionRefusedError,
    give_opinion,
    latest_id,
    opinion_financers,
    source_of,
)


def _id(code: str) -> int:
    return db.session.scalar(select(Financer.id).where(Financer.code == code))


def test_sources_and_financers(submitted_dossier, dd_instructor_77, region_instructor, urps_member):
    assert source_of(dd_instructor_77) == "dd_ars"
    assert [f.code for f in opinion_financers(dd_instructor_77, submitted_dossier)] == ["ARS_IMMO"]
    assert [f.code for f in opinion_financers(region_instructor, submitted_dossier)] == [
        "REGION_IDF"
    ]
    opinion = give_opinion(
        submitted_dossier,
        actor=urps_member,
        financer_id=_id("ARS_IMMO"),
        recommendation="favourable",
        text="Bon maillage",
    )
    assert (opinion.source, opinion.financer_id) == ("urps", None)
    assert latest_id(submitted_dossier, urps_member) == opinion.id
    assert latest_id(submitted_dossier, region_instructor) == 0


def test_invalid_recommendation(submitted_dossier, region_instructor):
    with pytest.raises(OpinionRefusedError) as refused:
        give_opinion(
            submitted_dossier,
            actor=region_instructor,
            financer_id=_id("REGION_IDF"),
            recommendation="maybe",
            text="x",
        )
    assert refused.value.status == 422


@pytest.fixture
def urps_member(app):  # type: ignore[no-untyped-def]
    from tests import factories

    return factories.make_staff("committee_member", factories.ARS_FINANCERS)
