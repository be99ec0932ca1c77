"""A writer pastes the four SGLT2 DOIs in a real browser, in the reference library and on
an answer's page, and gets the four references, formatted in AMA exactly as the RIS
file's (and, on the answer, cited with the next free numbers); Crossref and PubMed are the
local stand-in."""

import re

import pytest
from playwright.sync_api import expect

from citations.models import Citation, Reference
from tests.citations.fake_services import SGLT2_DOIS, ris_formatted
from tests.e2e.helpers import axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import make_answer, make_writer

pytestmark = pytest.mark.e2e


def formatted_results(page):
    """Each work as the results table shows it cited (AMA), as HTML."""
    return [
        html.strip()
        for html in page.locator("#lookup-results .qa-formatted").evaluate_all(
            "nodes => nodes.map(node => node.innerHTML)"
        )
    ]


def test_writer_adds_the_sglt2_references_by_doi(browse, groups, services, artifacts):
    services.add_sglt2()
    make_writer(username="writer")
    page = log_in(browse("writer"), "writer")
    page.goto("/admin/citations/reference/")
    page.get_by_role("link", name="Add by identifier").click()
    page.get_by_label("Identifiers").fill("\n".join(SGLT2_DOIS))
    page.get_by_role("button", name="Look up").click()
    rows = page.locator("#lookup-results tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="New: confirm")).to_have_count(4)
    assert sorted(formatted_results(page)) == sorted(ris_formatted().values())
    assert not Reference.objects.exists()
    screenshot(page, "20-writer-previews-references-by-doi")
    page.get_by_role("button", name="Add the new references").click()
    expect(page.locator(".messagelist")).to_contain_text("Added 4 references to the library")
    assert Reference.objects.count() == 4


def test_writer_cites_the_sglt2_references_by_doi_in_the_answer(
    browse, groups, services, artifacts, axe_source
):
    """On the answer's page: the same lookup, the numbers each work will get, then the
    four works in the library and in the answer's citation rows."""
    services.add_sglt2()
    writer = make_writer(username="writer")
    answer = make_answer(
        question="Test question citing the SGLT2 trials?",
        lead="Test short answer.",
        sections=[("What the research says", "prose", "Test text.")],
        references={},
        writers=[writer],
    )
    watch = browse("writer")
    page = log_in(watch, "writer")
    page.goto(f"/admin/answers/answer/{answer.pk}/change/")
    page.get_by_role("link", name="Add citations by DOI or PubMed ID").click()
    page.get_by_label("Identifiers").fill("\n".join(SGLT2_DOIS))
    page.get_by_role("button", name="Look up").click()

    rows = page.locator("#lookup-results tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="New: confirm")).to_have_count(4)
    numbers = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(4)]
    assert numbers == [f"To be cited as [{n}]" for n in range(1, 5)]
    assert sorted(formatted_results(page)) == sorted(ris_formatted().values())
    assert not Reference.objects.exists() and not Citation.objects.exists()
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the results:\n" + describe_violations(violations)
    screenshot(page, "21-writer-previews-citations-by-doi-on-the-answer")

    page.get_by_role("button", name="Cite them in this answer").click()
    expect(page.locator(".messagelist")).to_contain_text("Cited 4 references in this answer")
    expect(page).to_have_url(re.compile(rf"/admin/answers/answer/{answer.pk}/change/#citations"))
    labels = page.locator("#citations-group input[name$='-label']:not([name*='__prefix__'])")
    expect(labels).to_have_count(4)
    assert [labels.nth(i).input_value() for i in range(4)] == ["1", "2", "3", "4"]
    expect(page.locator("#citations-group").get_by_role("link", name="Complete")).to_have_count(4)
    cited = {c.reference.doi.lower(): c.label for c in Citation.objects.select_related("reference")}
    assert cited["10.1056/nejmoa1911303"] == "1" and len(cited) == 4
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the change page:\n" + describe_violations(violations)
    screenshot(page, "22-answer-cites-the-sglt2-references")
