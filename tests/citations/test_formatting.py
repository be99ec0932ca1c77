"""Bibliography formatting with citeproc-py and the official AMA and NLM CSL styles.

The expected strings are what citeproc-py 0.11 renders for the real sample records,
checked by hand against the AMA rules (more than 6 authors: first 3, then et al.).
"""

import json
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from citeproc import CitationStylesStyle

from citations.formatting import (
    _add_links,
    _prints_number,
    _style,
    format_bibliography,
    format_reference,
    missing_fields,
)
from citations.readers import read_references

DATA = Path(__file__).parent / "data"


def items_from(name: str) -> dict[str, dict]:
    result = read_references((DATA / name).read_bytes(), filename=name)
    return {record.label: {**record.csl, "id": record.label} for record in result.records}


SGLT2 = items_from("sglt2-heart-failure.references.ris")
CAR_T = items_from("car-t-multiple-sclerosis.references.json")

AMA_SGLT2 = {
    "4": (
        "McMurray JJV, Solomon SD, Inzucchi SE, et al. Dapagliflozin in patients with heart "
        "failure and reduced ejection fraction. <i>N Engl J Med</i>. 2019;381(21):1995-2008. "
        'doi:<a href="https://doi.org/10.1056/NEJMoa1911303">10.1056/NEJMoa1911303</a> '
        '<a href="https://pubmed.ncbi.nlm.nih.gov/31535829/">PubMed</a>'
    ),
    "7": (
        "Packer M, Anker SD, Butler J, et al. Cardiovascular and renal outcomes with "
        "empagliflozin in heart failure. <i>N Engl J Med</i>. 2020;383(15):1413-1424. "
        'doi:<a href="https://doi.org/10.1056/NEJMoa2022190">10.1056/NEJMoa2022190</a>'
    ),
    "2": (
        "Anker SD, Butler J, Filippatos G, et al. Empagliflozin in heart failure with a "
        "preserved ejection fraction. <i>N Engl J Med</i>. 2021;385(16):1451-1461. "
        'doi:<a href="https://doi.org/10.1056/NEJMoa2107038">10.1056/NEJMoa2107038</a>'
    ),
    "5": (
        "Vaduganathan M, Docherty KF, Claggett BL, et al. SGLT-2 inhibitors in patients with "
        "heart failure: a comprehensive meta-analysis of five randomised controlled trials. "
        "<i>Lancet</i>. 2022;400(10354):757-767. "
        'doi:<a href="https://doi.org/10.1016/S0140-6736(22)01429-5">'
        "10.1016/S0140-6736(22)01429-5</a> "
        '<a href="https://pubmed.ncbi.nlm.nih.gov/36041474/">PubMed</a>'
    ),
}

AMA_CAR_T_10 = (
    "Anti-BCMA CAR-T cells in progressive multiple sclerosis. <i>Cell</i>. Published online "
    '2025. <a href="https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8">'
    "https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8</a>"
)


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(fragment)
    collector.close()
    return collector


def test_ama_sglt2_records_in_citation_order():
    order = ["4", "7", "2", "5"]  # order of first citation in the article
    assert format_bibliography([SGLT2[label] for label in order]) == [
        AMA_SGLT2[label] for label in order
    ]


def test_ama_more_than_six_authors_lists_three_then_et_al():
    [entry] = format_bibliography([SGLT2["4"]])
    assert entry.startswith("McMurray JJV, Solomon SD, Inzucchi SE, et al. ")
    assert "Køber" not in entry


def test_ama_six_authors_are_all_listed():
    entry = format_reference(CAR_T["11"])
    assert entry.startswith(
        "Konitsioti AM, Prüss H, Laurent S, Fink GR, Heesen C, Warnke C. Chimeric antigen"
    )


def test_order_given_is_kept():
    order = ["5", "2", "7", "4"]
    entries = format_bibliography([SGLT2[label] for label in order])
    assert entries == [AMA_SGLT2[label] for label in order]


def test_style_number_is_stripped_because_the_page_numbers_an_ol():
    # Both styles print "1." before each entry; the <ol> numbers them instead.
    assert _prints_number("american-medical-association")
    assert _prints_number("nlm-citation-sequence")
    entries = format_bibliography(list(SGLT2.values()) + list(CAR_T.values()))
    assert not any(entry[0].isdigit() for entry in entries)


def test_incomplete_record_10_reads_sensibly():
    entry = format_reference(CAR_T["10"])
    assert entry == AMA_CAR_T_10
    assert entry.count("Anti-BCMA CAR-T cells") == 1  # the title stands in for the authors once
    assert "None" not in entry
    assert ".." not in entry and ", ." not in entry and "()" not in entry


def test_car_t_bibliography_in_article_order():
    entries = format_bibliography([CAR_T["9"], CAR_T["10"], CAR_T["11"]])
    assert entries[0] == (
        "Schett G, Mackensen A, Mougiakakos D. CAR T-cell therapy in autoimmune diseases. "
        "<i>Lancet</i>. 2023;402(10416):2034-2044. "
        'doi:<a href="https://doi.org/10.1016/S0140-6736(23)01126-1">'
        "10.1016/S0140-6736(23)01126-1</a> "
        '<a href="https://pubmed.ncbi.nlm.nih.gov/37748491/">PubMed</a>'
    )
    assert entries[1] == AMA_CAR_T_10
    assert entries[2].endswith(
        "<i>J Neurol</i>. 2024;271(10):6526-6542. "
        'doi:<a href="https://doi.org/10.1007/s00415-024-12642-4">10.1007/s00415-024-12642-4</a>'
    )


def test_html_in_the_data_is_escaped():
    item = {**SGLT2["7"], "title": 'Outcomes <script>alert("x")</script> & more'}
    item["container-title-short"] = "N Engl <b>J</b> Med"
    entry = format_reference(item)
    assert "<script>" not in entry and "<b>" not in entry
    assert 'Outcomes &lt;script&gt;alert("x")&lt;/script&gt; &amp; more.' in entry
    assert "<i>N Engl &lt;b&gt;J&lt;/b&gt; Med</i>" in entry
    assert parse(entry).tags <= {"i", "a"}


def test_only_citeproc_markup_and_links_in_output():
    entries = format_bibliography(list(SGLT2.values()) + list(CAR_T.values()))
    for entry in entries:
        assert parse(entry).tags <= {"i", "b", "a", "sup", "sub", "span"}


def test_identifiers_the_style_does_not_print_are_appended_as_links():
    # AMA never prints the PMID, so a PubMed link is appended after citeproc's text.
    entry = format_reference(SGLT2["5"])
    assert entry.endswith('<a href="https://pubmed.ncbi.nlm.nih.gov/36041474/">PubMed</a>')
    # A DOI missing from the styled text (some styles omit it) is appended too.
    text = _add_links("Vaduganathan M, et al. <i>Lancet</i>. 2022;400(10354):757-767.", SGLT2["5"])
    assert text.endswith(
        ' <a href="https://doi.org/10.1016/S0140-6736(22)01429-5">'
        "doi:10.1016/S0140-6736(22)01429-5</a> "
        '<a href="https://pubmed.ncbi.nlm.nih.gov/36041474/">PubMed</a>'
    )


def test_links_are_never_nested():
    text = 'doi:<a href="https://doi.org/10.1056/NEJMoa1911303">10.1056/NEJMoa1911303</a>'
    item = {"URL": "https://doi.org/", "PMID": "31535829"}
    assert _add_links(text, item) == (
        text + ' <a href="https://pubmed.ncbi.nlm.nih.gov/31535829/">PubMed</a>'
    )


def test_invalid_identifiers_get_no_links():
    item = {**SGLT2["4"], "DOI": "not a doi", "PMID": "abc"}
    entry = format_reference(item)
    assert "<a " not in entry
    assert "doi:not a doi" in entry  # citeproc's text is left alone


def test_nlm_style():
    entries = format_bibliography(
        [SGLT2["4"], CAR_T["9"], CAR_T["10"]], style="nlm-citation-sequence"
    )
    assert entries[0] == (
        "McMurray JJV, Solomon SD, Inzucchi SE, Køber L, Kosiborod MN, Martinez FA, et al. "
        "Dapagliflozin in patients with heart failure and reduced ejection fraction "
        "[Randomized Controlled Trial]. N Engl J Med. 2019;381(21):1995–2008. "
        'doi:<a href="https://doi.org/10.1056/NEJMoa1911303">10.1056/NEJMoa1911303</a> '
        'PubMed PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/31535829/">31535829</a>.'
    )
    assert "Lancet. 2023 Nov 25;402(10416):2034–44." in entries[1]
    assert entries[2] == (
        "Anti-BCMA CAR-T cells in progressive multiple sclerosis [Clinical Trial, Phase I]. "
        "Cell [Internet]. 2025. Available from: "
        '<a href="https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8">'
        "https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8</a>"
    )


def test_items_with_the_same_or_no_id_are_all_formatted():
    first, second, third = format_bibliography(
        [SGLT2["4"], {**SGLT2["7"], "id": "4"}, {k: v for k, v in SGLT2["2"].items() if k != "id"}]
    )
    assert first == AMA_SGLT2["4"] and second == AMA_SGLT2["7"] and third == AMA_SGLT2["2"]


def test_unusual_values_do_not_break_formatting():
    item = {
        **CAR_T["10"],
        "issued": {"date-parts": [["2025", "x"]]},
        "volume": 12,
        "author": [{"family": "Cell", "sequence": "first"}, "not a name"],
        "custom": {"anything": 1},
    }
    entry = format_reference(item)
    assert entry.startswith("Cell. Anti-BCMA CAR-T cells in progressive multiple sclerosis.")


def test_citeproc_failure_shows_the_escaped_title(monkeypatch):
    def fail(self, citation_items):
        raise RuntimeError("citeproc failed")

    monkeypatch.setattr(CitationStylesStyle, "render_bibliography", fail)
    entry = format_reference({**SGLT2["7"], "title": "5 <b>years</b>"})
    # The title is shown escaped, and its leading 5 is not taken for a citation number.
    assert entry == (
        "5 &lt;b&gt;years&lt;/b&gt; "
        '<a href="https://doi.org/10.1056/NEJMoa2022190">doi:10.1056/NEJMoa2022190</a>'
    )


def test_empty_list_and_unknown_style():
    assert format_bibliography([]) == []
    with pytest.raises(ValueError, match="Unknown citation style"):
        format_reference(SGLT2["4"], style="no-such-style")


def test_concurrent_rendering_gives_the_same_entries():
    items = [SGLT2[label] for label in ["4", "7", "2", "5"]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: format_bibliography(items), range(8)))
    assert all(result == [AMA_SGLT2[label] for label in ["4", "7", "2", "5"]] for result in results)


def test_style_is_parsed_once():
    assert _style("american-medical-association") is _style("american-medical-association")


def test_input_items_are_not_modified():
    item = json.loads(json.dumps(CAR_T["9"]))
    format_reference(item)
    assert item == CAR_T["9"]


# ---------------------------------------------------------------- missing fields


def test_missing_fields_of_record_10():
    assert missing_fields(CAR_T["10"]) == ["authors", "volume", "pages"]


def test_complete_records_miss_nothing():
    for item in [*SGLT2.values(), CAR_T["9"], CAR_T["11"]]:
        assert missing_fields(item) == [], item["id"]


def test_missing_everything():
    assert missing_fields({"type": "article-journal"}) == [
        "authors",
        "title",
        "journal",
        "year",
        "volume",
        "pages",
        "DOI, PMID or URL",
    ]


def test_missing_fields_ignores_blank_values():
    item = {**SGLT2["7"], "author": [{"family": " "}], "volume": "", "DOI": "  "}
    assert missing_fields(item) == ["authors", "volume", "DOI, PMID or URL"]


def test_article_number_counts_as_pages():
    item = {k: v for k, v in SGLT2["7"].items() if k != "page"}
    assert missing_fields(item) == ["pages"]
    assert missing_fields({**item, "number": "e123"}) == []
