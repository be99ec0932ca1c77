"""The reference library's admin as answers see it (answers/admin/references.py): a change
to a cited reference sends published answers back to review, with a message."""

import pytest
from django.test import Client
from django.urls import reverse

from answers.checklist import review_checklist
from answers.models import Answer
from tests.factories import (
    make_answer,
    make_clinician,
    make_reference,
    make_writer,
    published,
    reference_form_data,
)

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(reference):
    return reverse("admin:citations_reference_change", args=[reference.pk])


def test_change_page_lists_answers_citing_it_and_warns_during_review():
    writer = make_writer()
    reference = make_reference()
    answer = make_answer(question="Cites it?", references={"1": reference}, writers=[writer])
    answer.submit(by=writer)
    response = login(writer).get(change_url(reference))
    html = response.content.decode()
    assert "Cites it?" in html
    assert any("in medical review" in str(m) for m in response.context["messages"])


def test_retracting_a_cited_reference_sends_published_answers_back_to_review():
    reference = make_reference(title="Later retracted test work")
    answer, _, _ = published(question="Cites a later retraction?", references={"1": reference})
    data = reference_form_data(
        title=reference.title,
        doi=reference.doi,
        page=reference.page,
        volume=reference.volume,
        authors="Tester, Ann",
        retracted="on",
        retraction_doi="10.5555/notice.2",
    )
    response = login(make_clinician()).post(change_url(reference), data, follow=True)
    assert any("now need medical review again" in str(m) for m in response.context["messages"])
    answer.refresh_from_db()
    assert answer.status == Answer.Status.DRAFT
    assert (
        answer.has_publication
    )  # the public page keeps the approved version until it is withdrawn
    assert any("has been retracted" in p for p in review_checklist(answer).blocking_approval())


def test_saving_a_reference_unchanged_keeps_published_answers_published():
    reference = make_reference(title="Unchanged test work")
    answer, _, _ = published(references={"1": reference})
    data = reference_form_data(
        title=reference.title,
        doi=reference.doi,
        page=reference.page,
        volume=reference.volume,
        authors="Tester, Ann",
        container_title=reference.container_title,
        container_title_short=reference.container_title_short,
        year=str(reference.year),
    )
    response = login(make_writer()).post(change_url(reference), data, follow=True)
    assert response.status_code == 200
    assert not any("review again" in str(m) for m in response.context["messages"])
    answer.refresh_from_db()
    assert answer.status == Answer.Status.PUBLISHED
