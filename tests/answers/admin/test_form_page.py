"""The workflow form page (answers/admin/form_page.py): a signature on a version no longer
current is refused, naming what changed and sending the clinician to read the current one."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.answers.test_signatures import (
    NEW_LEAD,
    assert_nothing_signed,
    sent_back_and_resubmitted,
    sign,
)
from tests.factories import (
    answer_url,
    approval,
    in_review,
    login,
    make_clinician,
    messages_of,
    published,
)

pytestmark = pytest.mark.django_db


def test_a_stale_post_is_refused_naming_what_changed_and_linking_the_new_version():
    answer, writer = in_review(lead="Test short answer as first read.")
    clinician_b = make_clinician()
    on_screen = approval(answer)  # what B's page carries
    sent_back_and_resubmitted(answer, writer)
    response = login(clinician_b).post(answer_url("approve", answer), on_screen, follow=True)
    message = " ".join(messages_of(response))
    assert "Nothing was signed and nothing was published" in message
    assert "Changed since you opened it: the short answer." in message
    assert f'href="{answer_url("review", answer)}"' in message
    assert response.redirect_chain[-1][0] == answer_url("review", answer)
    assert_nothing_signed(answer)


@pytest.mark.parametrize("tampered", [{"shown_hash": ""}, {"shown_hash": "f" * 64}])
def test_a_hand_built_post_with_a_missing_or_wrong_hash_is_refused(tampered):
    answer, _ = in_review()
    data = {**approval(answer), **tampered}
    response = login(make_clinician()).post(answer_url("approve", answer), data, follow=True)
    assert "Nothing was signed" in response.content.decode()
    assert_nothing_signed(answer)


def test_a_post_without_the_field_at_all_is_refused():
    answer, _ = in_review()
    data = {k: v for k, v in approval(answer).items() if k not in ("shown_hash", "shown_revision")}
    response = login(make_clinician()).post(answer_url("approve", answer), data)
    assert response.status_code == 200
    assert "did not say which version of the answer you read" in response.content.decode()
    assert_nothing_signed(answer)


def test_confirm_page_frames_the_publication_it_signs_and_refuses_a_stale_post():
    answer, writer, _ = published()
    shown = answer.publication.content_hash
    client = login(make_clinician())
    page = client.get(answer_url("confirm_accurate", answer)).content.decode()
    assert f'name="shown_hash" value="{shown}"' in page
    assert f"published-preview/?version={shown}" in page
    framed = client.get(answer_url("published_preview", answer), {"version": shown})
    assert framed.status_code == 200 and answer.question.text in framed.content.decode()
    # Another clinician approves a new version meanwhile.
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        answer.refresh_from_db()
        answer.lead = NEW_LEAD
        answer.save()
        answer.note_edit(by=writer)
        answer.submit(by=writer)
        sign(answer, make_clinician(), answer.content_hash(), change_summary="Test: reworded.")
    with time_machine.travel(later + timedelta(minutes=5), tick=False):
        data = {"sources_checked": "on", "wording_safe": "on", "password": "pw"}
        response = client.post(
            answer_url("confirm_accurate", answer), {**data, "shown_hash": shown}, follow=True
        )
    assert "Nothing was signed" in " ".join(messages_of(response))
    assert answer.signoffs.count() == 2
    gone = client.get(answer_url("published_preview", answer), {"version": shown})
    assert gone.status_code == 409
    assert "changed after the page was opened" in gone.content.decode()
