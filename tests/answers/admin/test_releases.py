"""The releases' admin pages, posted to as each role; the topic rename's confirmation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from answers.admin.my_work import my_work
from answers.models import Answer, PublishedAnswer, Release, Topic
from citations.models import ReferenceNotice
from tests.factories import (
    approve,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_topic,
    make_writer,
    messages_of,
    published,
    status_of,
)

pytestmark = pytest.mark.django_db


def url(name, release, *args):
    return reverse(f"admin:answers_release_{name}", args=[release.pk, *args])


def make_release(editor, *answers, name="Guideline update"):
    release = Release.objects.create(name=name, created_by=editor)
    for answer in answers:
        release.add(answer, by=editor)
    return release


def test_an_editor_makes_a_release_with_answers_and_a_time():
    editor = make_editor()
    first, _ = in_review(question="First?")
    second, _ = in_review(question="Second?")
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = login(editor).post(
        reverse("admin:answers_release_add"),
        {
            "name": "Spring guideline",
            "description": "",
            "publish_at_0": when.strftime("%Y-%m-%d"),
            "publish_at_1": when.strftime("%H:%M:%S"),
            "add_answers": [first.pk, second.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    release = Release.objects.get(name="Spring guideline")
    assert release.publish_at == when
    assert set(release.members.values_list("answer", flat=True)) == {first.pk, second.pk}
    assert release.events.filter(kind="scheduled").exists()


def test_answers_are_found_by_typing_and_one_waiting_elsewhere_adds_none():
    """The picker asks the admin's autocomplete (no page of every answer); a choice already
    waiting for another release is named, and none of the choices is added."""
    editor = make_editor()
    free, _ = in_review(question="Is the free test answer found?")
    taken, _ = in_review(question="Is the taken test answer found?")
    make_release(editor, taken, name="Other release")
    client = login(editor)
    form = client.get(reverse("admin:answers_release_add")).content.decode()
    assert 'data-field-name="answer"' in form and "admin-autocomplete" in form
    assert "Is the free test answer found?" not in form  # not listed on the page
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "free test",
            "app_label": "answers",
            "model_name": "releasemember",
            "field_name": "answer",
        },
    ).json()
    assert [r["id"] for r in found["results"]] == [str(free.pk)]

    page = client.post(
        reverse("admin:answers_release_add"),
        {"name": "Spring", "description": "", "add_answers": [free.pk, taken.pk]},
    ).content.decode()
    assert "“Is the taken test answer found?” is already in release “Other release”" in page
    assert not Release.objects.filter(name="Spring").exists()
    assert not free.release_memberships.exists()


def test_the_release_page_names_each_members_state_and_what_stops_it():
    editor = make_editor()
    signed, _ = in_review(question="Signed?")
    waiting, _ = in_review(question="Waiting?")
    release = make_release(editor, signed, waiting)
    approve(signed)
    page = login(editor).get(url("change", release)).content.decode()
    assert "Approved, waiting for release “Guideline update”" in page
    assert "not yet signed off: it is in medical review" in page


@pytest.mark.parametrize("maker", [make_writer, make_clinician])
def test_only_editors_see_or_use_releases(maker):
    editor = make_editor()
    answer, _ = in_review(question="Mine?")
    release = make_release(editor, answer)
    approve(answer)
    client = login(maker())
    assert client.get(url("change", release)).status_code in (302, 403)
    assert client.post(url("publish", release)).status_code == 403
    assert client.post(url("take_back", release), {"reason": "x"}).status_code == 403
    assert client.post(url("remove", release, answer.pk)).status_code == 403
    assert status_of(answer) == Answer.Status.APPROVED


def test_publish_button_confirms_then_publishes_all_or_names_what_stopped_it():
    editor = make_editor()
    fine, _ = in_review(question="Fine?")
    blocked, _ = in_review(question="Blocked?")
    release = make_release(editor, fine, blocked)
    approve(fine)
    approve(blocked)
    ReferenceNotice.objects.create(
        reference=blocked.citations.get().reference,
        kind="retraction",
        source="test",
        notice_doi="10.5555/notice.2",
    )
    client = login(editor)
    confirm = client.get(url("publish", release)).content.decode()
    assert "Publish 2 answers together now" in confirm
    assert "nothing would be published" in confirm

    response = client.post(url("publish", release), follow=True)
    [message] = messages_of(response)
    assert "Nothing in release “Guideline update” was published" in message
    assert "“Blocked?”: blocked by its checklist" in message
    assert not PublishedAnswer.objects.exists()
    assert "Not published" in response.content.decode()

    ReferenceNotice.objects.all().delete()
    response = client.post(url("publish", release), follow=True)
    assert messages_of(response) == [
        "Release “Guideline update” is live: 2 answers published together."
    ]
    assert status_of(fine) == status_of(blocked) == Answer.Status.PUBLISHED

    # Taken back: the form asks why, then each new page is withdrawn.
    assert client.post(url("take_back", release), {"reason": ""}).status_code == 200
    response = client.post(url("take_back", release), {"reason": "Wrong date"}, follow=True)
    assert "withdrawn: it had no earlier public version" in messages_of(response)[0]
    assert PublishedAnswer.objects.filter(withdrawn_at__isnull=False).count() == 2


def test_taking_out_a_held_answer_from_the_page():
    editor = make_editor()
    answer, _ = in_review(question="Out?")
    release = make_release(editor, answer)
    approve(answer)
    response = login(editor).post(url("remove", release, answer.pk), follow=True)
    assert messages_of(response) == ["“Out?” was taken out of the release."]
    assert status_of(answer) == Answer.Status.DRAFT


def test_the_answer_page_says_which_release_it_waits_for():
    editor = make_editor()
    answer, writer = in_review(question="Held?")
    make_release(editor, answer, name="Winter")
    approve(answer)
    page = login(writer).get(reverse("admin:answers_answer_change", args=[answer.pk]))
    assert "Approved, waiting for release “Winter”" in page.content.decode()
    assert "waits for its release" in page.content.decode()


def test_my_work_lists_open_releases_and_warns_of_overdue_ones():
    editor = make_editor()
    answer, _ = in_review(question="Listed?")
    release = make_release(editor, answer, name="Listed release")
    lists = {work.key: work for work in my_work(editor)}
    [item] = lists["releases"].items
    assert item.title == "Listed release"
    assert "goes live on command; 0 of 1 answers signed off" in item.detail
    Release.objects.filter(pk=release.pk).update(publish_at=timezone.now() - timedelta(hours=1))
    page = login(editor).get(reverse("admin:index")).content.decode()
    assert "Not live although their time has come: “Listed release”" in page
    assert "releases" not in {work.key for work in my_work(make_writer())}


# ---------------------------------------------------------------- item 5: a topic renamed


def topic_post(topic, name):
    return {
        "name": name,
        "slug": topic.slug,
        "description": topic.description,
        "structure-TOTAL_FORMS": 0,
        "structure-INITIAL_FORMS": 0,
        "structure-MIN_NUM_FORMS": 0,
        "structure-MAX_NUM_FORMS": 1000,
        "review_steps-TOTAL_FORMS": 0,
        "review_steps-INITIAL_FORMS": 0,
        "names-TOTAL_FORMS": 0,
        "names-INITIAL_FORMS": 0,
    }


def test_renaming_a_topic_first_names_the_answers_that_keep_the_old_name():
    editor = make_editor()
    topic = make_topic(name="Heart")
    answer = published(question="Old name?", topic=topic)[0]
    client = login(editor)
    change = reverse("admin:answers_topic_change", args=[topic.pk])

    page = client.post(change, topic_post(topic, "Heart and circulation"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Nothing is saved yet" in text and "Old name?" in text
    assert Topic.objects.get(pk=topic.pk).name == "Heart"

    response = client.post(
        change, {**topic_post(topic, "Heart and circulation"), "rename_choice": "release"}
    )
    assert response.status_code == 302
    assert Topic.objects.get(pk=topic.pk).name == "Heart and circulation"
    release = Release.objects.get()
    assert release.name == "Topic renamed: Heart → Heart and circulation"
    assert list(release.members.values_list("answer", flat=True)) == [answer.pk]
    assert status_of(answer) == Answer.Status.IN_REVIEW
    # Approved, it waits for the release; published with it, it shows the new name.
    approve(answer, change_summary="Test: the topic's new name.")
    assert status_of(answer) == Answer.Status.APPROVED
    release.publish(by=editor)
    assert PublishedAnswer.objects.get(answer=answer).data["topic"]["name"] == (
        "Heart and circulation"
    )


def test_rename_only_makes_no_release():
    editor = make_editor()
    topic = make_topic(name="Lungs")
    published(question="Breath?", topic=topic)
    change = reverse("admin:answers_topic_change", args=[topic.pk])
    login(editor).post(
        change, {**topic_post(topic, "Lungs and breathing"), "rename_choice": "rename"}
    )
    assert Topic.objects.get(pk=topic.pk).name == "Lungs and breathing"
    assert not Release.objects.exists()


def test_the_writer_cannot_save_a_held_answer_from_its_page():
    from tests.factories import save_answer

    editor = make_editor()
    answer, writer = in_review(question="Held on the page?")
    make_release(editor, answer)
    approve(answer)
    response = save_answer(login(writer), answer, lead="Test: a late change [1].")
    assert Answer.objects.get(pk=answer.pk).lead != "Test: a late change [1]."
    assert status_of(answer) == Answer.Status.APPROVED
    assert "waits for its release" in response.content.decode()
