"""One number for a work: writers see the short citation ("Packer 2020, NEJM") and the
label they typed, never the library's internal id."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from citations.lookup import look_up
from citations.models import Reference
from tests.factories import answer_url, login, make_answer, make_reference, make_writer

pytestmark = pytest.mark.django_db

# A library id no test data or page text would use by chance.
LIBRARY_ID = 4817


class _Text(HTMLParser):
    """What a person reads on a page: text, not markup or attribute values."""

    def __init__(self):
        super().__init__()
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def test_short_citation_names_author_year_and_journal():
    work = Reference(
        title="Cardiovascular and renal outcomes with empagliflozin in heart failure",
        authors=[{"family": "Packer", "given": "Milton"}, {"family": "Anker", "given": "S"}],
        year=2020,
        container_title="New England Journal of Medicine",
        container_title_short="N Engl J Med",
    )
    assert work.short_citation == "Packer 2020, N Engl J Med"
    assert work.named(label="3") == "Packer 2020, N Engl J Med, cited here as [3]"
    assert work.named() == "Packer 2020, N Engl J Med"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "Untitled work (no author or year)"),
        ({"is_placeholder": True}, "Unidentified work (no author or year)"),
        ({"title": "A trial"}, "“A trial” (no author or year)"),
        ({"title": "A trial", "year": 2021}, "“A trial” 2021"),
        ({"authors": [{"family": "Ng"}]}, "Ng (no year)"),
        ({"authors": [{"literal": "WHO"}], "year": 2019}, "WHO 2019"),
        (
            {"authors": [{"family": "Ng"}], "year": 2019, "container_title": "Lancet"},
            "Ng 2019, Lancet",
        ),
    ],
)
def test_what_is_unknown_is_said_not_guessed(fields, expected):
    assert Reference(**fields).short_citation == expected


def test_str_leads_with_the_short_citation_and_never_the_id():
    work = Reference.objects.create(pk=LIBRARY_ID, is_placeholder=True)
    assert str(work) == "Unidentified work (no author or year)"
    assert str(LIBRARY_ID) not in str(work)


def test_the_lookup_names_a_held_work_by_its_citation():
    Reference.objects.create(
        pk=LIBRARY_ID,
        title="Held",
        pmid="31535829",
        authors=[{"family": "Packer"}],
        year=2020,
        container_title_short="N Engl J Med",
    )
    lookup = look_up("31535829")
    assert lookup.message == "Already in the library as Packer 2020, N Engl J Med: nothing to add."


def test_no_writer_page_shows_a_library_id_as_a_number():
    """The identifier pages, the change page with its checklist and the library search the
    desk uses: the work is named, its id appears only inside links and form values."""
    held = make_reference(id=LIBRARY_ID, pmid="31535829")
    never_cited = make_reference(id=LIBRARY_ID + 1)
    writer = make_writer()
    answer = make_answer(lead="Yes [1].", references={"1": held, "2": never_cited})
    answer.writers.add(writer)
    client = login(writer)

    pages = [
        client.post(
            reverse("admin:citations_reference_add_by_identifier"), {"identifiers": "31535829"}
        ),
        client.post(answer_url("cite_by_identifier", answer), {"identifiers": "31535829"}),
        client.get(answer_url("change", answer)),
        client.get(reverse("admin:citations_reference_changelist")),
    ]
    for page in pages:
        assert page.status_code == 200
        text = visible_text(page)
        assert held.short_citation in text
        assert str(LIBRARY_ID) not in text and str(LIBRARY_ID + 1) not in text
    assert f"Already in the library as {held.short_citation}, cited here as [1]" in (
        visible_text(pages[1])
    )
    found = client.get(reverse("admin:answers_answer_desk_references"), {"q": "31535829"})
    [result] = found.json()["results"]
    assert result["text"].startswith(held.short_citation)
    assert str(LIBRARY_ID) not in result["text"]
