"""Annotation visibility rules as a service."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Financer
from grants.services.annotations import (
    AnnotationRefusedError,
    create_annotation,
    update_annotation,
    visible_annotations,
)


def _id(code: str) -> int:
    return db.session.scalar(select(Financer.id).where(Financer.code == code))


def test_visibility(
    submitted_dossier, ars_instructor, region_instructor, departement_77_instructor
):
    create_annotation(
        submitted_dossier,
        actor=region_instructor,
        financer_id=_id("REGION_IDF"),
        body="privée",
        shared=False,
    )
    create_annotation(
        submitted_dossier,
        actor=region_instructor,
        financer_id=_id("REGION_IDF"),
        body="partagée",
        shared=True,
    )
    assert [a.body for a in visible_annotations(submitted_dossier, region_instructor)] == [
        "privée",
        "partagée",
    ]
    assert [a.body for a in visible_annotations(submitted_dossier, ars_instructor)] == ["partagée"]
    assert [a.body for a in visible_annotations(submitted_dossier, departement_77_instructor)] == [
        "partagée"
    ]


def test_stale_update(submitted_dossier, region_instructor, ars_instructor):
    note = create_annotation(
        submitted_dossier,
        actor=region_instructor,
        financer_id=_id("REGION_IDF"),
        body="a",
        shared=False,
    )
    with pytest.raises(AnnotationRefusedError) as stale:
        update_annotation(
            note,
            actor=region_instructor,
            body="b",
            shared=False,
            expected_version=note.lock_version + 1,
        )
    assert stale.value.status == 409
    with pytest.raises(AnnotationRefusedError) as foreign:
        update_annotation(
            note, actor=ars_instructor, body="b", shared=False, expected_version=note.lock_version
        )
    assert foreign.value.status == 403
