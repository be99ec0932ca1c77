"""The admin index's "My work": per role, counts, oldest first, one click to each answer,
flagged when a cited study has an unhandled retraction notice; a bounded query count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from answers.models import Answer, PublishedAnswer, ReaderFeedback
from citations.models import ReferenceNotice
from tests.factories import (
    answer_url,
    approve,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_reference,
    make_writer,
    published,
)

pytestmark = pytest.mark.django_db


def work(user):
    page = login(user).get("/admin/")
    assert page.status_code == 200
    return page, {lst.key: lst for lst in page.context["lists"]}


def titles(work_list):
    return [item.title for item in work_list.items]


def set_due(answer, days):
    due = timezone.localdate() + timedelta(days=days)
    Answer.objects.filter(pk=answer.pk).update(next_review_due=due)
    PublishedAnswer.objects.filter(answer=answer).update(next_review_due=due)


def test_a_writers_day():
    writer, clinician = make_writer(), make_clinician()
    sent_back, _ = in_review(writer=writer, question="Sent back?")
    sent_back.request_changes(by=clinician, comment="Add the dose.")
    older, _ = draft(writer=writer, question="Older draft?")
    newer, _ = draft(writer=writer, question="Newer draft?")
    Answer.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=3))
    due, _, _ = published(writer=writer, question="Due soon?")
    set_due(due, 20)
    draft(question="Someone else's?")

    page, lists = work(writer)
    assert titles(lists["changes_requested"]) == ["Sent back?"]
    assert titles(lists["my_drafts"]) == ["Older draft?", "Newer draft?"]  # oldest first
    assert titles(lists["my_due"]) == ["Due soon?"]
    assert lists["my_drafts"].count == 2
    assert "waiting_for_me" not in lists and "feedback" not in lists
    assert f'href="{answer_url("change", sent_back)}"' in page.content.decode()


def test_a_clinicians_day():
    clinician, other = make_clinician(), make_clinician()
    mine, writer = draft(question="Mine?")
    mine.submit(by=writer, reviewer=clinician)
    theirs, _ = draft(question="Theirs?", writer=writer)
    theirs.submit(by=writer, reviewer=other)
    anyones, _ = in_review(writer=writer, question="Anyone's?")
    soon, _, _ = published(writer=writer, clinician=other, question="Soon?")
    set_due(soon, 10)
    late, _, _ = published(writer=writer, clinician=other, question="Late?")
    set_due(late, -3)

    _, lists = work(clinician)
    assert titles(lists["waiting_for_me"]) == ["Mine?", "Anyone's?"]
    assert titles(lists["due_30"]) == ["Soon?"]
    assert titles(lists["overdue"]) == ["Late?"]
    assert "changes_requested" not in lists and "unassigned" not in lists


def test_an_editors_day_and_the_retraction_flag():
    editor = make_editor()
    reference = make_reference()
    waiting, writer = in_review(question="Unassigned?", references={"1": reference})
    assigned, _ = draft(question="Assigned?", writer=writer)
    assigned.submit(by=writer, reviewer=make_clinician())
    live, _, _ = published(writer=writer, question="Reported?")
    ReaderFeedback.objects.create(
        answer=live, content_hash="x", kind="problem", message="A broken link."
    )
    ReferenceNotice.objects.create(
        reference=reference, kind="retraction", source="test", notice_doi="10.5555/notice.1"
    )

    page, lists = work(editor)
    assert titles(lists["unassigned"]) == ["Unassigned?"]
    assert titles(lists["feedback"]) == ["Reported?"]
    assert "A broken link." in lists["feedback"].items[0].detail
    assert titles(lists["notices"]) == ["Unassigned?"]
    assert lists["unassigned"].items[0].flagged
    assert "Cited study retracted or under concern" in page.content.decode()
    assert "changes_requested" in lists  # editors write too


def take_down(answer, *, by, days):
    answer.reschedule(
        by=by,
        take_down_at=timezone.now() + timedelta(days=days),
        take_down_reason="Test: guidance for one season only.",
    )


def approve_embargoed(answer, *, days):
    approve(answer, make_clinician(), go_live_at=timezone.now() + timedelta(days=days))


def test_editors_see_scheduled_changes_soonest_first():
    editor, writer = make_editor(), make_writer()
    embargoed, _ = in_review(writer=writer, question="Embargoed?")
    approve_embargoed(embargoed, days=3)
    expiring, _, _ = published(writer=writer, question="Expiring?")
    take_down(expiring, by=editor, days=1)
    later, _, _ = published(writer=writer, question="Later?")
    take_down(later, by=editor, days=30)
    published(writer=writer, question="Nothing scheduled?")
    gone, _, _ = published(writer=writer, question="Already taken down?")
    past = timezone.now() - timedelta(hours=1)
    PublishedAnswer.objects.filter(answer=gone).update(
        live_from=past - timedelta(days=1), take_down_at=past
    )

    page, lists = work(editor)
    scheduled = lists["scheduled"]
    assert titles(scheduled) == ["Expiring?", "Embargoed?", "Later?"]
    assert scheduled.count == 3
    # Future events in the future tense, their time zone named.
    assert scheduled.items[0].detail.startswith("will be taken down on ")
    assert scheduled.items[1].detail.startswith("will go live on ")
    assert scheduled.items[0].detail.endswith(" UTC")
    assert scheduled.items[0].url == answer_url("change", expiring) + "#review-cycle"
    assert f'href="{answer_url("change", expiring)}#review-cycle"' in page.content.decode()
    assert "Scheduled changes (go-live or take-down) <span" in page.content.decode()

    listing = login(editor).get("/admin/answers/answer/?schedule=scheduled")
    assert {a.question.text for a in listing.context["cl"].result_list} == {
        "Expiring?",
        "Embargoed?",
        "Later?",
    }
    for other in (make_writer(), make_clinician()):
        assert "scheduled" not in work(other)[1]


def test_my_work_has_a_bounded_number_of_queries(django_assert_max_num_queries):
    editor = make_editor()
    writer = make_writer()
    for n in range(14):
        in_review(writer=writer, question=f"Waiting {n}?")
        answer, _, _ = published(writer=writer, question=f"Live {n}?")
        set_due(answer, -n - 1 if n % 2 else n + 1)
        take_down(answer, by=editor, days=n + 1)
    client = login(editor)
    with django_assert_max_num_queries(40):
        page = client.get("/admin/")
    lists = {lst.key: lst for lst in page.context["lists"]}
    assert lists["unassigned"].count == 14 and len(lists["unassigned"].items) == 10
    assert 'review=unassigned">All 14<' in page.content.decode()
    assert lists["scheduled"].count == 14 and len(lists["scheduled"].items) == 10
    assert 'schedule=scheduled">All 14<' in page.content.decode()


def test_the_query_count_does_not_grow_with_the_answers():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor, writer = make_editor(), make_writer()
    client = login(editor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/admin/")
        return len(captured)

    in_review(writer=writer, question="Waiting 0?")
    few = queries()
    for n in range(1, 12):
        in_review(writer=writer, question=f"Waiting {n}?")
        answer, _, _ = published(writer=writer, question=f"Live {n}?")
        take_down(answer, by=editor, days=n)
    assert queries() <= few + 2  # the counts of lists now longer than shown


# --- the retraction watch ------------------------------------------------------


def watch_run(*, days_ago, failed=False):
    """A finished run of the watch `days_ago` days ago, complete or with a failure."""
    from citations.models import RetractionCheck

    moment = timezone.now() - timedelta(days=days_ago)
    check = RetractionCheck.objects.create(
        checked=0 if failed else 1,
        failures=["#1 x: Crossref answered HTTP 503 after 4 attempts"] if failed else [],
        causes={"Crossref could not be reached": 1} if failed else {},
    )
    RetractionCheck.objects.filter(pk=check.pk).update(started_at=moment, finished_at=moment)
    return check


def alert_text(user):
    page = login(user).get("/admin/")
    assert page.status_code == 200
    return [alert.text for alert in page.context["alerts"]], page.text


def test_a_watch_that_has_not_completed_for_two_days_is_on_editors_and_clinicians_my_work():
    watch_run(days_ago=3)
    for days_ago in (2.5, 1.5, 0.5):  # every run since could not check everything
        watch_run(days_ago=days_ago, failed=True)
    for user in (make_editor(), make_clinician()):
        [text], page = alert_text(user)
        assert text.startswith("The retraction watch has not completed for 3 days (last complete")
        assert "The retraction watch has not completed for 3 days" in page
        assert 'href="/admin/citations/retractioncheck/">Retraction checks</a>' in page
    assert alert_text(make_writer())[0] == []


def test_a_recent_complete_check_says_nothing(settings):
    watch_run(days_ago=5)
    watch_run(days_ago=1)
    assert alert_text(make_editor())[0] == []
    settings.RETRACTION_WATCH_STALE_DAYS = 0  # the setting decides
    [text], _ = alert_text(make_editor())
    assert "has not completed for 1 day (" in text


def test_a_watch_that_never_completed_says_since_when():
    assert alert_text(make_editor())[0] == []  # never ran: Scheduled runs says it is late
    watch_run(days_ago=4, failed=True)
    watch_run(days_ago=1, failed=True)
    [text], _ = alert_text(make_editor())
    assert text.startswith("The retraction watch has not completed since it first ran 4 days ago")


def test_empty_lists_collapse_into_one_line():
    writer = make_writer()
    page, lists = work(writer)
    html = page.content.decode()
    assert all(not work_list.items for work_list in lists.values())
    assert 'id="my-work-my_drafts"' not in html
    assert "Nothing waiting in: Changes requested of me; My drafts;" in html
