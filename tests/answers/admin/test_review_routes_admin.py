"""Review routes in the admin: the route on the topic's page, each step's form on the review
page posted as each role, and the step shown on the answer list and My work."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from answers.admin.my_work import my_work
from answers.models import Answer, PublishedAnswer, Quorum, ReviewStep, ReviewStepRecord, StepKind
from answers.roles import MEDICAL_REVIEWERS
from tests.factories import (
    APPROVE,
    answer_url,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_topic,
    make_user,
    make_writer,
    messages_of,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


def lay_readers():
    group, _ = Group.objects.get_or_create(name="Lay readers")
    group.permissions.add(*Permission.objects.filter(codename__in=["view_answer", "view_topic"]))
    return group


def clinicians():
    return Group.objects.get(name=MEDICAL_REVIEWERS)


def topic_form(topic, steps, **extra):
    data = {
        "name": topic.name,
        "slug": topic.slug,
        "description": "",
        "structure-TOTAL_FORMS": 0,
        "structure-INITIAL_FORMS": 0,
        "review_steps-TOTAL_FORMS": len(steps),
        "review_steps-INITIAL_FORMS": 0,
        "names-TOTAL_FORMS": 0,
        "names-INITIAL_FORMS": 0,
    }
    for i, (position, group, kind, quorum) in enumerate(steps):
        data |= {
            f"review_steps-{i}-position": position,
            f"review_steps-{i}-group": group.pk,
            f"review_steps-{i}-kind": kind,
            f"review_steps-{i}-quorum": quorum,
        }
    return data | extra


def test_an_editor_sets_a_topics_route_on_its_page():
    topic = make_topic()
    client = login(make_editor())
    url = reverse("admin:answers_topic_change", args=[topic.pk])
    page = client.get(url).content.decode()
    assert "Review route (no steps: one medical reviewer signs it off" in page
    steps = [
        (1, lay_readers(), StepKind.COMMENT, Quorum.ANY_ONE),
        (2, clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE),
    ]
    response = client.post(url, topic_form(topic, steps))
    assert response.status_code == 302
    assert [(s.position, s.group.name, s.kind, s.quorum) for s in topic.review_steps.all()] == [
        (1, "Lay readers", "comment", "any_one"),
        (2, "Medical reviewers", "sign_off", "two_people"),
    ]


def test_a_route_that_cannot_publish_is_refused_with_the_reason():
    topic = make_topic()
    client = login(make_editor())
    url = reverse("admin:answers_topic_change", args=[topic.pk])
    steps = [
        (1, clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        (2, lay_readers(), "comment", "any_one"),
    ]
    response = client.post(url, topic_form(topic, steps))
    assert response.status_code == 200
    assert "The last step must be a sign-off by a group of medical reviewers" in (
        response.content.decode()
    )
    assert not ReviewStep.objects.exists()


def test_writers_and_clinicians_cannot_change_routes():
    topic = make_topic()
    steps = [(1, clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE)]
    url = reverse("admin:answers_topic_change", args=[topic.pk])
    for person in (make_writer(), make_clinician()):
        response = login(person).post(url, topic_form(topic, steps))
        assert response.status_code == 403
    assert not ReviewStep.objects.exists()


def routed_answer():
    topic = make_topic()
    ReviewStep.objects.create(topic=topic, position=1, group=lay_readers(), kind=StepKind.COMMENT)
    ReviewStep.objects.create(
        topic=topic,
        position=2,
        group=clinicians(),
        kind=StepKind.SIGN_OFF,
        quorum=Quorum.TWO_PEOPLE,
    )
    return in_review(topic=topic)


def step_form(answer, **fields):
    answer.refresh_from_db()
    return {
        "shown_hash": answer.content_hash(),
        "shown_revision": answer.submitted_revision_id,
        "step": answer.route_progress().current.number,
        **fields,
    }


def test_each_step_from_the_review_page_as_each_role():
    answer, writer = routed_answer()
    reader = make_user(group="Lay readers")
    first, second = make_clinician(), make_clinician()

    page = login(reader).get(answer_url("review", answer)).content.decode()
    assert "Review route: Step 1 of 2: Lay readers" in page
    assert answer_url("mark_reviewed", answer) in page and "Mark reviewed" in page
    clinician_page = login(first).get(answer_url("review", answer)).content.decode()
    assert "Step 1 of 2: Lay readers is a comment-only step" in clinician_page
    assert answer_url("mark_reviewed", answer) not in clinician_page

    # The writer, even if a lay reader, may not take it.
    writer.groups.add(lay_readers())
    refused = login(writer).post(
        answer_url("mark_reviewed", answer), step_form(answer), follow=True
    )
    assert "cannot sign it off or take a step" in " ".join(messages_of(refused))
    assert not ReviewStepRecord.objects.exists()

    done = login(reader).post(
        answer_url("mark_reviewed", answer),
        step_form(answer, comment="Clear to me."),
        follow=True,
    )
    assert "Your step is recorded" in " ".join(messages_of(done))
    assert "Step 2 of 2: Medical reviewers" in " ".join(messages_of(done))

    page = login(first).get(answer_url("review", answer)).content.decode()
    assert "In medical review (Step 2 of 2: Medical reviewers)" in page
    assert answer_url("sign_step", answer) in page and "Clear to me." in page
    wrong = login(first).post(
        answer_url("sign_step", answer), step_form(answer, password="nope"), follow=True
    )
    assert "password was not right" in " ".join(messages_of(wrong))
    login(first).post(answer_url("sign_step", answer), step_form(answer, password="pw"))
    assert status_of(answer) == Status.IN_REVIEW
    assert not PublishedAnswer.objects.filter(answer=answer).exists()

    # The first clinician has taken a step: the page offers them no form again.
    again = login(first).get(answer_url("review", answer)).content.decode()
    assert "You already took a step" in again
    # The second sees the approve form, which publishes.
    page = login(second).get(answer_url("review", answer)).content.decode()
    assert "Approve and publish" in page and 'name="step" value="2"' in page
    response = login(second).post(
        answer_url("approve", answer),
        step_form(answer, **{k: v for k, v in APPROVE.items() if k != "change_summary"}),
        follow=True,
    )
    assert "Approved and published" in " ".join(messages_of(response))
    assert status_of(answer) == Status.PUBLISHED
    assert PublishedAnswer.objects.get(answer=answer).signoff.reviewer == second


def test_the_sign_step_form_cannot_publish():
    """The step form drawn while the step needed two signatures, posted after another
    clinician's came in: it would publish, so it is refused and sent to the review page."""
    topic = make_topic()
    ReviewStep.objects.create(
        topic=topic,
        position=1,
        group=clinicians(),
        kind=StepKind.SIGN_OFF,
        quorum=Quorum.TWO_PEOPLE,
    )
    answer, _ = in_review(topic=topic)
    form = step_form(answer, password="pw")
    answer.approve(
        by=make_clinician(),
        password="pw",
        shown_hash=form["shown_hash"],
        sources_checked=True,
        wording_safe=True,
        step=1,
    )
    response = login(make_clinician()).post(answer_url("sign_step", answer), form, follow=True)
    assert "yours would now publish the answer" in " ".join(messages_of(response))
    assert response.redirect_chain[-1][0] == answer_url("review", answer)
    assert status_of(answer) == Status.IN_REVIEW
    assert ReviewStepRecord.objects.filter(answer=answer).count() == 1


def test_the_answer_list_and_my_work_show_the_step():
    answer, writer = routed_answer()
    reader = make_user(group="Lay readers")
    clinician = make_clinician()
    listing = login(clinician).get(reverse("admin:answers_answer_changelist")).content.decode()
    assert "In medical review (Step 1 of 2: Lay readers)" in listing
    # Step 1 is the lay readers': not yet waiting for a clinician, whoever it is assigned to.
    [waiting] = [lst for lst in my_work(clinician) if lst.key == "waiting_for_me"]
    assert waiting.count == 0
    [mine] = [lst for lst in my_work(reader) if lst.key == "my_steps"]
    assert mine.count == 1 and mine.items[0].detail.endswith("Step 1 of 2: Lay readers")
    assert mine.items[0].url == answer_url("review", answer)
    answer.mark_reviewed(by=reader, shown_hash=answer.content_hash(), step=1)
    [mine] = [lst for lst in my_work(reader) if lst.key == "my_steps"]
    assert mine.count == 0
    [waiting] = [lst for lst in my_work(clinician) if lst.key == "waiting_for_me"]
    assert waiting.count == 1 and waiting.items[0].detail.endswith(
        "; Step 2 of 2: Medical reviewers"
    )
