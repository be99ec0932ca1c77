"""Articles and reference files in, articles out: the commands and what they report."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from answers.importing import import_article, import_reference_file
from answers.models import Answer, Question, Topic
from citations.models import Reference
from citations.readers import read_references
from tests.factories import make_editor, make_topic, make_writer

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "answers" / "demo_content"
CAR_T = DEMO / "car-t-multiple-sclerosis.txt"
CAR_T_REFS = DEMO / "car-t-multiple-sclerosis.references.json"
SGLT2 = DEMO / "sglt2-heart-failure.txt"
SGLT2_REFS = DEMO / "sglt2-heart-failure.references.ris"


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + str(error), False
    return out.getvalue(), err.getvalue(), True


def test_car_t_imports_with_its_gaps_shown_not_filled():
    writer = make_writer(username="writer")
    make_topic(name="Oncology")
    out, err, ok = run(
        "import_articles", str(CAR_T), "--references", str(CAR_T_REFS), "--author", "writer"
    )
    assert ok, err
    answer = Answer.objects.get()
    assert answer.status == Answer.Status.DRAFT
    assert list(answer.writers.all()) == [writer]
    assert answer.question.topic.name == "Oncology"
    labels = {c.label: c.reference for c in answer.citations.select_related("reference")}
    assert set(labels) == {"9", "10", "11", "1"}
    assert labels["9"].doi == "10.1016/S0140-6736(23)01126-1"
    assert labels["9"].pmid == "37748491"
    assert labels["10"].missing_fields() == ["authors", "volume", "pages"]
    assert labels["1"].is_placeholder
    assert labels["1"].title == "" and labels["1"].authors == []
    assert "work not identified" in labels["1"].missing_fields()
    assert "warning: reference 10 is incomplete: authors, volume, pages" in out
    assert "warning: citation 1 has no record in the references file" in out
    sections = answer.ordered_sections()
    assert [s.heading for s in sections] == ["What the research says", "What to ask your doctor"]
    assert "being explored for MS [9]." in sections[0].body
    assert "five patients" in sections[0].body


def test_sglt2_imports_and_the_references_read_in_citation_order():
    out, err, ok = run("import_articles", str(SGLT2), "--references", str(SGLT2_REFS))
    assert ok, err
    answer = Answer.objects.get()
    assert answer.question.topic.name == "Cardiology"
    assert (
        "fractions [2, 5]." not in answer.sections.first().body
    )  # "2, 5" does not appear in SGLT2
    assert "rare [4, 7]." in answer.sections.first().body
    assert "4,744 people" in answer.sections.first().body
    assert all(c.reference.is_complete for c in answer.citations.all())


def test_import_then_export_gives_back_both_files_byte_for_byte(tmp_path):
    for article, refs in ((CAR_T, CAR_T_REFS), (SGLT2, SGLT2_REFS)):
        assert run("import_articles", str(article), "--references", str(refs))[2]
    out, err, ok = run("export_articles", "--output", str(tmp_path))
    assert ok, err
    exported = {path.read_bytes() for path in tmp_path.iterdir()}
    assert exported == {CAR_T.read_bytes(), SGLT2.read_bytes()}


def test_a_file_with_errors_creates_nothing_and_the_others_still_import(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out, err, ok = run("import_articles", str(bad), str(SGLT2), str(empty))
    assert not ok
    assert "bad.txt: error:" in err
    assert "empty.txt: error:" in err
    assert "2 of 3 files had errors" in err
    assert Answer.objects.count() == 1
    assert Question.objects.count() == 1


def test_non_utf8_and_missing_files_are_named(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(
        SGLT2.read_bytes().replace(b"SGLT2 inhibitors are", "Les inhibiteurs é".encode("latin-1"))
    )
    out, err, ok = run("import_articles", str(latin), str(tmp_path / "missing.txt"))
    assert not ok
    assert "latin.txt: error: line 2" in err
    assert "missing.txt: error: cannot read it" in err
    assert not Answer.objects.exists()


def test_importing_the_same_question_twice_is_refused():
    assert run("import_articles", str(SGLT2))[2]
    out, err, ok = run("import_articles", str(SGLT2))
    assert not ok
    assert "already exists" in err
    assert Answer.objects.count() == 1


def test_wrong_references_file_is_a_clear_error():
    out, err, ok = run("import_articles", str(SGLT2), "--references", str(CAR_T))
    assert not ok
    assert str(CAR_T) in err
    assert not Answer.objects.exists()


def test_hostile_html_is_kept_as_text_with_a_warning(tmp_path):
    text = SGLT2.read_text().replace(
        "SGLT2 inhibitors are tablets", "SGLT2 inhibitors <script>alert(1)</script> are tablets"
    )
    path = tmp_path / "hostile.txt"
    path.write_text(text)
    out, err, ok = run("import_articles", str(path))
    assert ok, err
    assert "<script>alert(1)</script>" in Answer.objects.get().lead
    assert "HTML" in out


def test_references_are_shared_and_deduplicated_by_doi_and_pmid():
    assert run("import_references", str(SGLT2_REFS))[2]
    assert Reference.objects.count() == 4
    out, err, ok = run("import_references", str(SGLT2_REFS))
    assert ok, err
    assert Reference.objects.count() == 4
    assert out.count("matched an existing reference") == 4
    # The article then cites the same four references rather than copies.
    assert run("import_articles", str(SGLT2), "--references", str(SGLT2_REFS))[2]
    assert Reference.objects.count() == 4


def test_doi_matching_ignores_case_and_prefix():
    data = (
        b'[{"id": "1", "type": "article-journal", "title": "Dapagliflozin in patients with heart '
        b'failure and reduced ejection fraction", "DOI": "https://doi.org/10.1056/nejmoa1911303"}]'
    )
    assert run("import_references", str(SGLT2_REFS))[2]
    report = import_reference_file(data, filename="one.json")
    assert report.ok
    assert Reference.objects.count() == 4
    assert "matched an existing reference" in report.warnings[0]


def test_reference_file_fills_a_placeholder_of_an_answer():
    writer = make_writer()
    make_topic(name="Oncology")
    records = read_references(CAR_T_REFS.read_bytes(), filename="refs.json")
    report = import_article(
        CAR_T.read_bytes(), filename="car-t.txt", references=records, author=writer
    )
    answer = report.answer
    placeholder = answer.citations.get(label="1").reference
    # A file holding a record for citation 1 replaces the placeholder (the SGLT2 record
    # stands in here only as a well-formed record labelled 1: test data, not a claim).
    data = SGLT2_REFS.read_bytes().replace(b"ID  - 4\n", b"ID  - 1\n")
    result = import_reference_file(data, filename="found.ris", answer=answer, by=writer)
    assert any("now cites it instead of the placeholder" in line for line in result.warnings)
    assert not Reference.objects.filter(pk=placeholder.pk).exists()
    assert answer.citations.get(label="1").reference.doi == "10.1056/NEJMoa1911303"


def test_topic_option_overrides_the_disclaimer():
    out, err, ok = run("import_articles", str(SGLT2), "--topic", "Heart health")
    assert ok, err
    assert Answer.objects.get().question.topic.name == "Heart health"
    assert Topic.objects.filter(name="Heart health").exists()


def test_unknown_author_is_refused():
    out, err, ok = run("import_articles", str(SGLT2), "--author", "nobody")
    assert not ok
    assert "There is no user “nobody”." in err


def test_load_demo_is_idempotent_and_publishes_sglt2(settings, client):
    settings.DEBUG = True
    for _ in range(2):
        out, err, ok = run("load_demo")
        assert ok, err
    assert Answer.objects.count() == 2
    sglt2 = Answer.objects.get(question__text__startswith="Do SGLT2")
    car_t = Answer.objects.get(question__text__startswith="Are CAR-T")
    assert sglt2.status == Answer.Status.PUBLISHED
    assert [h.history_change_reason for h in sglt2.history.order_by("history_date")][-2:] == [
        "Submitted for medical review",
        "Approved and published",
    ]
    assert car_t.status == Answer.Status.DRAFT
    assert client.get(sglt2.get_absolute_url()).status_code == 200
    assert client.get(car_t.get_absolute_url()).status_code == 404


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    out, err, ok = run("load_demo")
    assert not ok
    assert "only runs with DEBUG on" in err


def test_a_ten_megabyte_file_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_bytes(SGLT2.read_bytes() + b"x" * 10_000_000)
    out, err, ok = run("import_articles", str(huge))
    assert not ok
    assert "huge.txt: error:" in err
    assert "limit" in err
    assert not Answer.objects.exists()


def test_duplicate_citation_numbers_are_an_error_naming_the_line(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_bytes(SGLT2.read_bytes().replace(b"were rare 4, 7.", b"were rare 4, 4."))
    out, err, ok = run("import_articles", str(path))
    assert not ok
    assert 'dup.txt: error: line 4: the citation "4, 4" lists the same number more than once' in err
    assert not Answer.objects.exists()


def test_sglt2_public_reference_list_is_exactly_citeprocs_ama_in_citation_order(client):
    """The public list is citeproc-py's AMA rendering of the RIS records, numbered in order of
    first citation (4, 7, 2, 5 in the text become 1 to 4)."""
    make_topic(name="Cardiology")
    import re

    from citations.formatting import format_bibliography
    from tests.factories import make_clinician

    writer = make_writer()
    records = read_references(SGLT2_REFS.read_bytes(), filename=SGLT2_REFS.name)
    answer = import_article(
        SGLT2.read_bytes(), filename=SGLT2.name, references=records, author=writer
    ).answer
    answer.submit(by=writer)
    answer.approve(by=make_clinician(), sources_checked=True, wording_safe=True)
    by_label = {record.label: record.csl for record in records.records}
    expected = format_bibliography(
        [{**by_label[label], "id": str(n)} for n, label in enumerate(["4", "7", "2", "5"], 1)],
        style="american-medical-association",
    )
    page = client.get(answer.get_absolute_url()).content.decode()
    listed = re.findall(r'<li id="ref-(\d+)"[^>]*>(.*?) <a class="backlink"', page, re.S)
    assert [number for number, _ in listed] == ["1", "2", "3", "4"]
    assert [html for _, html in listed] == expected
    assert listed[0][1].startswith("McMurray JJV, Solomon SD, Inzucchi SE, et al.")


def test_a_writer_cannot_create_a_topic_through_the_command():
    make_writer(username="writer")
    out, err, ok = run("import_articles", str(SGLT2), "--author", "writer")
    assert not ok
    assert "there is no topic “Cardiology”, and only editors create topics" in err
    assert not Topic.objects.exists()
    assert not Answer.objects.exists()


def test_an_editor_creates_the_topic_through_the_command():
    make_editor(username="editor")
    out, err, ok = run("import_articles", str(SGLT2), "--author", "editor")
    assert ok, err
    assert "created topic “Cardiology”" in out


def test_a_terminal_gets_a_progress_bar_and_logs_get_plain_lines(tmp_path):
    from io import StringIO

    class Terminal(StringIO):
        def isatty(self):
            return True

    make_topic(name="Cardiology")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe not an article")
    out, err = Terminal(), StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_articles",
            str(SGLT2),
            str(broken),
            "--references",
            str(SGLT2_REFS),
            stdout=out,
            stderr=err,
        )
    screen = out.getvalue()
    assert "\r[" in screen and "] 2/2" in screen
    assert "Imported 1 of 2 files." in screen
    assert ": created" not in screen
    assert "broken.txt: error" in err.getvalue()

    plain, _, _ = run("import_articles", str(CAR_T), "--references", str(CAR_T_REFS))
    assert "\r" not in plain and "car-t-multiple-sclerosis.txt: created" in plain
