"""The framed previews of answers/admin/previews.py: the draft and the published snapshot as
the public will see them, only the version a signing form carries."""

import pytest

from tests.factories import answer_url, draft, login

pytestmark = pytest.mark.django_db


def test_writers_preview_without_a_reviewer_in_the_byline():
    answer, writer = draft()
    body = login(writer).get(answer_url("preview", answer)).content.decode()
    assert "Not yet medically reviewed" in body
