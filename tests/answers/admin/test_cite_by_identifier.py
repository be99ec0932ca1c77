"""The answer's "Add citations by DOI or PubMed ID" page, posted to as each role, against
the local Crossref/NCBI stand-in: looked up and shown with the numbers they will get,
nothing saved until confirmed, then added to the library and cited in the answer."""

import pytest
from django.test import Client

from answers.models import Answer
from citations.lookup import parse_identifier
from citations.models import Citation, Reference
from tests.citations.fake_services import SGLT2_DOIS, ris_formatted
from tests.factories import (
    answer_url,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_reference,
    messages_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sglt2(services):
    return services.add_sglt2()


def cited(answer):
    """The SGLT2 works cited in the answer, by lower-case DOI."""
    dois = {parse_identifier(text)[1].lower() for text in SGLT2_DOIS}
    return {
        c.reference.doi.lower(): c.label
        for c in Citation.objects.filter(answer=answer).select_related("reference")
        if c.reference.doi and c.reference.doi.lower() in dois
    }


def uncited_draft():
    """A draft citing nothing yet, in its rows or in its text."""
    return draft(references={}, lead="Test short answer.", sections=[])


def test_a_writer_looks_up_confirms_and_the_works_are_cited_with_the_next_numbers(sglt2):
    answer, writer = draft(references={"1": make_reference()})
    client = login(writer)
    change_page = client.get(answer_url("change", answer))
    assert answer_url("cite_by_identifier", answer) in change_page.text

    url = answer_url("cite_by_identifier", answer)
    preview = client.post(url, {"identifiers": "\n".join(SGLT2_DOIS), "preview": "1"})
    assert preview.status_code == 200
    assert not Reference.objects.filter(doi__in=SGLT2_DOIS).exists()  # nothing saved yet
    assert [row["cited_as"].label for row in preview.context["rows"]] == ["2", "3", "4", "5"]
    assert preview.text.count("To be cited as [") == 4
    assert sorted(str(row["formatted"]).strip() for row in preview.context["rows"]) == sorted(
        ris_formatted().values()
    )
    assert 'value="Cite them in this answer"' in preview.text

    done = client.post(url, {"identifiers": "\n".join(SGLT2_DOIS), "confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == answer_url("change", answer) + "#citations-group"
    shown = messages_of(done)
    assert any(m.startswith("Added 4 references to the library") for m in shown)
    assert any(
        m.startswith(
            "Cited 4 references in this answer: McMurray 2019, N Engl J Med, cited here as [2]; "
        )
        for m in shown
    )
    assert sorted(cited(answer).values()) == ["2", "3", "4", "5"]
    assert Citation.objects.filter(answer=answer).count() == 5
    assert cited(answer)["10.1056/nejmoa1911303"] == "2"


def test_a_work_already_cited_keeps_its_number_and_one_in_the_library_is_matched(sglt2):
    held = Reference.objects.create(title="Test: held", doi="10.1056/NEJMoa1911303")
    in_library = Reference.objects.create(title="Test: in library", doi="10.1056/NEJMoa2022190")
    answer, writer = draft(references={"4": held})
    client = login(writer)
    url = answer_url("cite_by_identifier", answer)
    text = "\n".join(SGLT2_DOIS[:2])
    preview = client.post(url, {"identifiers": text, "preview": "1"})
    assert "Already cited as [4]" in preview.text and "To be cited as [5]" in preview.text
    client.post(url, {"identifiers": text, "confirm": "1"})
    assert Citation.objects.get(answer=answer, reference=in_library).label == "5"
    assert Reference.objects.count() == 2  # matched, not created twice


def test_refused_identifiers_are_named_and_the_others_cited(sglt2):
    answer, writer = uncited_draft()
    response = login(writer).post(
        answer_url("cite_by_identifier", answer),
        {"identifiers": f"{SGLT2_DOIS[0]}\nnonsense\n10.1056/NEJMoa0000000", "confirm": "1"},
    )
    assert response.status_code == 200  # the page again, with the reasons
    shown = " ".join(messages_of(response))
    assert "nonsense: ‘nonsense’ is not a DOI" in shown
    assert "10.1056/NEJMoa0000000: Crossref has no record" in shown
    assert cited(answer) == {"10.1056/nejmoa1911303": "1"}


def test_an_answer_in_review_cannot_be_changed_from_this_page_either(sglt2):
    answer, writer = in_review()
    before = set(Citation.objects.filter(answer=answer).values_list("pk", flat=True))
    client = login(writer)
    url = answer_url("cite_by_identifier", answer)
    response = client.post(url, {"identifiers": SGLT2_DOIS[0], "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == answer_url("change", answer)
    assert "This answer is in medical review" in " ".join(messages_of(response))
    assert set(Citation.objects.filter(answer=answer).values_list("pk", flat=True)) == before
    assert not Reference.objects.filter(doi=SGLT2_DOIS[0]).exists()
    assert url not in client.get(answer_url("change", answer)).text


def test_editors_may_and_clinicians_may_not(sglt2):
    answer, _ = uncited_draft()
    url = answer_url("cite_by_identifier", answer)
    clinician = login(make_clinician())
    assert clinician.get(url).status_code == 403
    assert clinician.post(url, {"identifiers": SGLT2_DOIS[0], "confirm": "1"}).status_code == 403
    assert not Citation.objects.filter(answer=answer).exists()
    editor = login(make_editor())
    assert editor.get(url).status_code == 200
    editor.post(url, {"identifiers": SGLT2_DOIS[0], "confirm": "1"})
    assert cited(answer) == {"10.1056/nejmoa1911303": "1"}


def test_the_page_checks_csrf(sglt2):
    answer, writer = uncited_draft()
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    response = client.post(
        answer_url("cite_by_identifier", answer), {"identifiers": SGLT2_DOIS[0], "confirm": "1"}
    )
    assert response.status_code == 403
    assert not Citation.objects.filter(answer=answer).exists()
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.DRAFT
