"""The public snapshot (answers/publishing.py, PublishedAnswer.build/publish): what the
clinician previews is what is published, and nothing else is."""

import pytest

from answers.models import PublishedAnswer
from tests.factories import draft, published

pytestmark = pytest.mark.django_db


def test_the_preview_is_the_snapshot_that_is_published():
    answer, _, clinician = published()
    publication = PublishedAnswer.objects.get(answer=answer)
    preview = PublishedAnswer.build(answer, reviewer=clinician)
    for field in ("lead_html", "body_html", "references_html", "search_text", "content_hash"):
        assert getattr(preview, field) == getattr(publication, field)
    assert preview.pk is None


def test_publishing_content_other_than_the_signed_off_content_is_refused():
    answer, _, _ = published()
    signoff = answer.signoffs.get()
    answer.lead = "Changed after the sign-off [1]."
    answer.save()
    with pytest.raises(ValueError, match="not the content signed off"):
        PublishedAnswer.publish(answer, signoff=signoff)
    assert PublishedAnswer.objects.get(answer=answer).content_hash == signoff.content_hash


def test_a_draft_has_no_snapshot_until_approved():
    answer, _ = draft()
    assert not PublishedAnswer.objects.filter(answer=answer).exists()
    assert answer.differs_from_publication
