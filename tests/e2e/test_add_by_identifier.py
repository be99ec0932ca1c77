"""A writer pastes the four SGLT2 DOIs in a real browser and gets the four references,
formatted in AMA exactly as the RIS file's; Crossref and PubMed are the local stand-in."""

import pytest
from playwright.sync_api import expect

from citations.models import Reference
from tests.citations.fake_services import SGLT2_DOIS, crossref_from_ris, ris_formatted, sglt2_ris
from tests.e2e.helpers import log_in, screenshot
from tests.factories import make_writer

pytestmark = pytest.mark.e2e


def test_writer_adds_the_sglt2_references_by_doi(browse, groups, services, artifacts):
    for entry in sglt2_ris():
        services.add_work(crossref_from_ris(entry), pmid=entry.get("accession_number"))
    make_writer(username="writer")
    page = log_in(browse("writer"), "writer")
    page.goto("/admin/citations/reference/")
    page.get_by_role("link", name="Add by identifier").click()
    page.get_by_label("Identifiers").fill("\n".join(SGLT2_DOIS))
    page.get_by_role("button", name="Look up").click()
    rows = page.locator("#lookup-results tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="New: confirm")).to_have_count(4)
    shown = [
        html.strip()
        for html in page.locator("#lookup-results .qa-formatted").evaluate_all(
            "nodes => nodes.map(node => node.innerHTML)"
        )
    ]
    assert sorted(shown) == sorted(ris_formatted().values())
    assert not Reference.objects.exists()
    screenshot(page, "20-writer-previews-references-by-doi")
    page.get_by_role("button", name="Add the new references").click()
    expect(page.locator(".messagelist")).to_contain_text("Added 4 references to the library")
    assert Reference.objects.count() == 4
