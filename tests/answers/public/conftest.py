"""Fixtures for the public side's tests."""

import pytest

from tests.factories import make_answer, make_editor, make_writer, publish_answer


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://answers.example.org"
    return settings.SITE_URL


@pytest.fixture
def published_states():
    """An edited published answer and a withdrawn one, beside a draft and one in review."""
    writer = make_writer()
    make_answer(question="Is the draft in the sitemap?", slug="draft-test", writers=[writer])
    in_review = make_answer(question="Is the in-review answer in the sitemap?", writers=[writer])
    in_review.submit(by=writer)
    withdrawn = publish_answer(question="Is the withdrawn answer in the sitemap?")
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")
    edited = publish_answer(question="Is the edited answer in the sitemap?")
    edited.lead = "LEAKED DRAFT LEAD [1]."
    edited.save()
    edited.note_edit(by=edited.writers.first())
    return edited, withdrawn
