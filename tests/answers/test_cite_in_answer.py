"""Citing library works in an answer outside its change form (answers/cite_in_answer.py): the next
free numbers, one version, the workflow's rule that an answer in review is never changed,
and `add_references --answer`, which cites through it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from answers.cite_in_answer import cite_references, labels_for, next_free_label
from answers.models import Answer, PublishedAnswer, WorkflowError
from citations.models import Citation, Reference
from tests.citations.fake_services import SGLT2_DOIS
from tests.factories import (
    draft,
    in_review,
    make_answer,
    make_clinician,
    make_reference,
    published,
    status_of,
)

pytestmark = pytest.mark.django_db


def labels(answer):
    return {c.reference_id: c.label for c in Citation.objects.filter(answer=answer)}


def test_the_next_free_number_follows_the_rows_and_the_markers_in_the_text():
    answer = make_answer(
        lead="Yes [1].",
        sections=[("What the research says", "prose", "Two studies [2, 7].")],
        references={"1": make_reference(), "2": make_reference()},
    )
    assert next_free_label(answer) == 8  # [7] is typed, its row not yet added
    assert next_free_label(make_answer(lead="No.", sections=[], references={})) == 1


def test_new_works_get_the_next_numbers_and_a_cited_work_keeps_its_own():
    cited, first, second = make_reference(), make_reference(), make_reference()
    answer, writer = draft(references={"1": cited})
    before = Answer.objects.get(pk=answer.pk).updated_at

    result = cite_references(answer, [first, cited, second], by=writer)

    assert [(c.reference, c.label, c.new) for c in result] == [
        (first, "2", True),
        (cited, "1", False),
        (second, "3", True),
    ]
    assert labels(answer) == {cited.pk: "1", first.pk: "2", second.pk: "3"}
    version = Version.objects.get_for_object(answer).first()
    assert version.revision.user == writer
    named = f"Cited {first.short_citation}, cited here as [2]; {second.short_citation}, cited here as [3]"
    assert version.revision.comment == named
    kept = {(v.content_type.model, v.object_id) for v in version.revision.version_set.all()}
    assert {("citation", str(pk)) for pk in answer.citations.values_list("pk", flat=True)} <= kept
    record = answer.history.first()
    assert (record.history_user, record.history_change_reason) == (
        writer,
        named,
    )
    # Saved: a writer with the page open in another tab is told it changed meanwhile.
    assert Answer.objects.get(pk=answer.pk).updated_at > before


def test_citing_only_works_already_cited_changes_nothing():
    cited = make_reference()
    answer, writer = draft(references={"1": cited})
    versions = Version.objects.get_for_object(answer).count()
    assert [c.new for c in cite_references(answer, [cited], by=writer)] == [False]
    assert Version.objects.get_for_object(answer).count() == versions


def test_the_preview_numbers_are_the_ones_given():
    answer, writer = draft(references={"1": make_reference()})
    unsaved = Reference(title="Test: not yet in the library")
    work = make_reference()
    assert [(c.label, c.new) for c in labels_for(answer, [unsaved, work])] == [
        ("2", True),
        ("3", True),
    ]


def test_a_published_answer_cited_anew_is_a_draft_and_the_public_keeps_the_approved_page():
    answer, writer, _ = published()
    public = PublishedAnswer.objects.get(answer=answer).content_hash
    cite_references(answer, [make_reference()], by=writer)
    assert status_of(answer) == Answer.Status.DRAFT
    assert PublishedAnswer.objects.get(answer=answer).content_hash == public


def test_an_answer_in_review_is_never_changed_on_any_path():
    answer, writer = in_review()
    work = make_reference()
    for by in (writer, None):  # the admin's writer, and the shell
        with pytest.raises(WorkflowError, match="in medical review"):
            cite_references(answer, [work], by=by)
    assert not Citation.objects.filter(reference=work).exists()


def test_only_those_who_may_edit_the_answer_cite_in_it():
    answer, _ = draft()
    with pytest.raises(WorkflowError, match="You do not have permission to change answers"):
        cite_references(answer, [make_reference()], by=make_clinician())


@pytest.fixture
def sglt2(services):
    return services.add_sglt2()


def test_the_command_cites_each_work_with_the_next_free_number(sglt2):
    held = Reference.objects.create(title="Test: held", doi=SGLT2_DOIS[0])
    answer = make_answer(references={"1": held})
    out = StringIO()
    call_command("add_references", *SGLT2_DOIS[:3], "--answer", answer.question.slug, stdout=out)
    assert sorted(Citation.objects.filter(answer=answer).values_list("label", flat=True)) == [
        "1",
        "2",
        "3",
    ]
    assert f"{held.short_citation} already cited as [1]" in out.getvalue()
    assert "cited as [3]" in out.getvalue()


def test_the_command_refuses_an_answer_in_review(sglt2):
    answer, _ = in_review()
    with pytest.raises(CommandError, match="is in medical review and cannot be changed"):
        call_command("add_references", SGLT2_DOIS[0], "--answer", answer.question.slug)
    with pytest.raises(CommandError, match="--label needs --answer"):
        call_command("add_references", SGLT2_DOIS[0], "--label", "3")
