"""The operations screens say in words what happened: six references Crossref could not
check make the night's retraction run a failed run, on Scheduled runs and on Retraction
checks, in words, never as a raw dict; the task's own summary is what both show."""

import pytest
from django.urls import reverse
from django.utils import timezone

from answers.tasks import check_retractions
from citations.models import RetractionCheck
from ops.models import ScheduledRun
from ops.schedule import enqueue_due
from tests.citations.fake_services import crossref_from_ris, sglt2_ris
from tests.factories import login, make_answer, make_editor, make_reference

SIX = "6 of 6 references could not be checked: Crossref could not be reached."


@pytest.mark.django_db(transaction=True)
def test_six_failed_checks_are_a_failed_run_said_in_words(
    groups, services, run_worker, settings, django_capture_on_commit_callbacks
):
    settings.SCHEDULED_JOBS = {
        "check_retractions": {"task": "answers.tasks.check_retractions", "at": "03:00"},
        "send_review_reminders": {"task": "answers.tasks.send_review_reminders", "at": "07:00"},
    }
    make_answer(references={str(n): make_reference() for n in range(1, 7)})
    services.crossref_down = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_due()  # a first start runs each job at once
    run_worker()

    check = RetractionCheck.objects.get()
    assert check.has_failed
    assert check.summary == SIX
    assert check.causes == {"Crossref could not be reached": 6}

    editor = login(make_editor())
    runs = editor.get(reverse("admin:ops_scheduledrun_changelist")).text
    assert "Failed " in runs and SIX in runs
    assert "They are tried again at" in runs
    assert "{" not in runs.split('id="scheduled-jobs"')[1].split("</table>")[0]  # no raw dict
    assert "'failed'" not in runs and "&#x27;failed&#x27;" not in runs
    assert '<strong class="qa-bad">Failed ' in runs
    assert "0 review reminders sent." in runs
    reminders = ScheduledRun.objects.get(job="send_review_reminders")
    detail = editor.get(reverse("admin:ops_scheduledrun_change", args=[reminders.pk])).text
    assert "Done " in detail and "0 review reminders sent." in detail

    checks = editor.get(reverse("admin:citations_retractioncheck_changelist")).text
    assert f'<strong class="qa-bad">Failed: {SIX}</strong>' in checks
    page = editor.get(reverse("admin:citations_retractioncheck_change", args=[check.pk])).text
    assert f"Failed: {SIX}" in page


@pytest.mark.django_db
def test_a_run_that_checked_everything_says_what_it_found(services):
    entry = sglt2_ris()[0]
    services.add_work(crossref_from_ris(entry))
    make_answer(references={"1": make_reference(doi=entry["doi"])})
    result = check_retractions.call()
    assert result["summary"] == "Checked 1 reference: no new notices."
    check = RetractionCheck.objects.get()
    assert not check.has_failed
    page = login(make_editor()).get(reverse("admin:citations_retractioncheck_changelist")).text
    assert "Checked 1 reference: no new notices." in page
    assert "qa-bad" not in page


@pytest.mark.django_db
def test_mixed_causes_are_each_counted():
    check = RetractionCheck(
        checked=2,
        failures=["#1 a: x", "#2 b: y", "#3 c: z"],
        causes={"Crossref could not be reached": 2, "PubMed has no record of it": 1},
    )
    check.finished_at = check.started_at = None
    assert check.summary == "Running."
    check.finished_at = timezone.now()
    assert check.summary == (
        "3 of 5 references could not be checked: Crossref could not be reached (2); "
        "PubMed has no record of it (1)."
    )
