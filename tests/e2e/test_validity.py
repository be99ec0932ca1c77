"""Valid HTML: the Nu HTML Checker (vnu.jar from npm, run with Java) finds no error on any
public page, nor on the admin pages writers and clinicians work in. One Java run checks
them all, since the JVM is slow to start. Warnings are allowed."""

import pytest
import reversion
from reversion.models import Version

from answers.models import ImportJob
from tests.citations.fake_services import SGLT2_DOIS
from tests.e2e.helpers import describe_nu_errors, make_public_pages, nu_check
from tests.factories import make_answer

pytestmark = pytest.mark.e2e

# Checked in the same run, to show the checker reports errors: a <div> cannot be in a <p>.
CANARY = "<!DOCTYPE html><html lang=en><title>Canary</title><p><div></div></p></html>"


def save_version(answer, *, comment):
    with reversion.create_revision():
        reversion.set_comment(comment)
        reversion.add_to_revision(answer)


def test_pages_have_no_nu_html_checker_errors(db, client, vnu_command, services):
    public, published, people = make_public_pages()
    draft = make_answer(question="Test question of a draft answer?", writers=[people["writer"]])
    in_review = make_answer(question="Test question in review?", writers=[people["writer"]])
    in_review.submit(by=people["writer"])

    save_version(draft, comment="Test: first version")
    draft.lead = "Test short answer, changed in the second version [1]."
    draft.save()
    section = draft.sections.first()
    section.heading = "Test heading, changed"
    section.save()
    save_version(draft, comment="Test: second version")
    newest, oldest = Version.objects.get_for_object(draft)[:2]
    compare = f"/admin/answers/answer/{draft.pk}/history/compare/?from={oldest.pk}&to={newest.pk}"

    # The review cycle: a shared draft, a section comment, a take-down.
    _, token = in_review.create_preview_link(by=people["clinician"], reviewer_name="Dr Test")
    in_review.preview_links.get().add_comment(name="Dr Test", text="Test outside comment.")
    sent_back = make_answer(question="Test question sent back?", writers=[people["writer"]])
    sent_back.submit(by=people["writer"])
    sent_back.request_changes(
        by=people["clinician"],
        comment="Test comment.",
        section_comments=[
            (sent_back.ordered_sections()[0], "Test section comment."),
            (None, "Test comment on the short answer."),
        ],
    )
    # An import in progress (the progress bar) and one finished (the report).
    running = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES,
        filename="test.nbib",
        data=b"",
        requested_by=people["writer"],
        status=ImportJob.Status.RUNNING,
        total=20_000,
        done=1_500,
    )
    finished = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES,
        filename="test.nbib",
        data=b"",
        requested_by=people["writer"],
        status=ImportJob.Status.DONE,
        total=2,
        done=2,
        report={
            "name": "test.nbib",
            "created": ["line 1: created Tester 2024, J Tests: Test reference"],
            "warnings": [
                "line 4: matched an existing reference: Tester 2023, J Tests: Test reference"
            ],
            "errors": ["line 7: rejected: the record has no title"],
            "total": 2,
            "done": 2,
            "cite": {},
        },
    )
    previewed = ImportJob.objects.create(
        kind=ImportJob.Kind.ARTICLE,
        filename="test.txt",
        data=b"",
        requested_by=people["writer"],
        status=ImportJob.Status.PREVIEW,
        report={
            "name": "test.txt",
            "created": ["draft answer “Test question?” (/test-question/)"],
            "warnings": ["citation 2 has no record in the references file: [2] stays"],
            "sections": ["What the research says", "What to ask your doctor"],
            "new_works": ["[1] Tester 2024, J Tests"],
            "reused_works": [],
            "unresolved": ["2"],
        },
    )
    pages = {"canary": CANARY}
    response = client.get(f"/preview/{token}/")
    assert response.status_code == 200
    pages["preview link"] = response.content.decode()
    for name, (path, status) in public.items():
        response = client.get(path)
        assert response.status_code == status, f"{name} ({path}) answered {response.status_code}"
        pages[name] = response.content.decode()

    admin_pages = {
        "admin: new answer": ("writer", "/admin/answers/answer/add/"),
        "admin: import an article": ("writer", "/admin/import/articles/"),
        "admin: import in progress": ("writer", f"/admin/import/{running.pk}/"),
        "admin: import finished": ("writer", f"/admin/import/{finished.pk}/"),
        "admin: import preview": ("writer", f"/admin/import/{previewed.pk}/"),
        "admin: the article format": ("writer", "/admin/import/format/"),
        "admin: draft answer": ("writer", f"/admin/answers/answer/{draft.pk}/change/"),
        "admin: published answer": ("writer", f"/admin/answers/answer/{published.pk}/change/"),
        "admin: history": ("writer", f"/admin/answers/answer/{published.pk}/history/"),
        "admin: compare versions": ("writer", compare),
        "admin: answer in review": ("clinician", f"/admin/answers/answer/{in_review.pk}/change/"),
        "admin: review page": ("clinician", f"/admin/answers/answer/{in_review.pk}/review/"),
        "admin: preview": ("clinician", f"/admin/answers/answer/{in_review.pk}/preview/"),
        "admin: two-factor sign-in": ("writer", "/admin/two-factor/"),
        "admin: two-factor set-up": ("writer", "/admin/two-factor/set-up/"),
        "admin: section comments": ("writer", f"/admin/answers/answer/{sent_back.pk}/change/"),
        "admin: confirm still accurate": (
            "clinician",
            f"/admin/answers/answer/{published.pk}/confirm-accurate/",
        ),
        "admin: schedule": ("editor", f"/admin/answers/answer/{published.pk}/schedule/"),
        "admin: my work (editor)": ("editor", "/admin/"),
        "admin: cite by identifier": (
            "writer",
            f"/admin/answers/answer/{draft.pk}/cite-by-identifier/",
        ),
        "admin: scheduled runs": ("editor", "/admin/ops/scheduledrun/"),
        "admin: retraction checks": ("editor", "/admin/citations/retractioncheck/"),
    }
    for name, (user, path) in admin_pages.items():
        client.force_login(people[user])
        response = client.get(path)
        assert response.status_code == 200, f"{name} ({path}) answered {response.status_code}"
        pages[name] = response.content.decode()

    # The answer's lookup results: one work found, one refused.
    services.add_sglt2()
    client.force_login(people["writer"])
    response = client.post(
        f"/admin/answers/answer/{draft.pk}/cite-by-identifier/",
        {"identifiers": f"{SGLT2_DOIS[0]}\nnonsense", "preview": "1"},
    )
    assert "To be cited as [" in response.text and "Refused:" in response.text
    pages["admin: cite by identifier, results"] = response.content.decode()

    assert "<h3>Short answer</h3>" in pages["admin: compare versions"]  # a diff is checked too
    errors = nu_check(pages, vnu_command)
    assert errors.pop("canary"), "The checker found nothing wrong with a page known to be invalid"
    print(f"\nNu HTML Checker errors: { {name: len(found) for name, found in errors.items()} }")
    assert not any(errors.values()), "The Nu HTML Checker found:\n" + describe_nu_errors(
        {name: found for name, found in errors.items() if found}, pages
    )
