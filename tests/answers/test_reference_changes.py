"""A changed or retracted reference sends the published answers citing it back to review,
on every path (answers/reference_changes.py); the admin's path is in tests/answers/admin/test_references.py."""

import json

import pytest

from answers.importing import import_reference_file
from answers.models import Answer
from answers.reference_changes import reopen_answers_citing
from citations.models import Reference
from tests.factories import draft, make_editor, make_reference, published

pytestmark = pytest.mark.django_db


def test_the_shell_retracts_a_reference_and_reopens_the_answers_citing_it():
    reference = make_reference(title="Retracted from the shell")
    answer, _, _ = published(references={"1": reference})
    other, _ = draft(references={"1": reference})
    reference.retracted = True
    reference.retraction_doi = "10.5555/notice.shell"
    reference.save()

    reopened = reopen_answers_citing(reference, by=make_editor())

    assert reopened == [answer]
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.DRAFT
    assert Answer.objects.get(pk=other.pk).status == Answer.Status.DRAFT
    assert Answer.objects.get(pk=answer.pk).has_publication


def test_an_unchanged_reference_reopens_nothing():
    reference = make_reference()
    answer, _, _ = published(references={"1": reference})
    assert reopen_answers_citing(reference, by=make_editor()) == []
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.PUBLISHED


def test_importing_a_record_the_library_holds_changes_neither_it_nor_the_answer():
    reference = make_reference(title="Held test work")
    answer, _, _ = published(references={"1": reference})
    record = {"id": "1", "type": "article-journal", "title": "Another title", "DOI": reference.doi}

    report = import_reference_file(json.dumps([record]).encode(), filename="again.json")

    assert "matched an existing reference" in report.warnings[0]
    assert Reference.objects.get(pk=reference.pk).title == "Held test work"
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.PUBLISHED
