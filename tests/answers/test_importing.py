"""Articles and reference files in, articles out: the commands and what they report."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from answers.checklist import review_checklist
from answers.importing import import_article, import_reference_file
from answers.management.commands.load_demo import DEMO_CERTAINTY_REASON, OLD_PLACEHOLDER_REASON
from answers.models import Answer, Question, Section, Topic, WorkflowError
from citations.models import Citation, Reference
from citations.readers import ReferenceFileError, read_references
from tests.factories import approve, make_answer, make_editor, make_topic, make_writer
from tests.fuzzing import any_reference_files, article_files

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
    # Citation 1 could not be identified: no row in the shared library, no citation row;
    # its marker stays in the text and the checklist blocks submission until it is found.
    assert set(labels) == {"9", "10", "11"}
    assert Reference.objects.count() == 3
    assert not Reference.objects.filter(is_placeholder=True).exists()
    assert labels["9"].doi == "10.1016/S0140-6736(23)01126-1"
    assert labels["9"].pmid == "37748491"
    assert labels["10"].missing_fields() == ["authors", "volume", "pages"]
    assert "warning: reference 10 is incomplete: authors, volume, pages" in out
    assert "warning: citation 1 has no record in the references file" in out
    blocking = review_checklist(answer).blocking_submission()
    assert "Citation [1] has no reference: add it under References." in blocking
    # Publishing stays blocked while it is unresolved: no submission, so no approval.
    with pytest.raises(WorkflowError, match=r"Citation \[1\] has no reference"):
        answer.submit(by=writer)
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
    # The article format carries no certainty: nothing is assumed, the writer must choose.
    assert (answer.certainty, answer.certainty_reason) == ("", "")
    [blocking] = [m for m in review_checklist(answer).blocking_submission() if "certainty" in m]
    assert "“Not yet graded” if nobody has graded the evidence" in blocking


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
    slug = Question.objects.get().slug
    assert f"already exists (/questions/{slug}/)" in err
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


def test_unidentified_citations_create_no_library_rows_and_a_reference_file_resolves_them():
    writer = make_writer()
    make_topic(name="Oncology")
    records = read_references(CAR_T_REFS.read_bytes(), filename="refs.json")
    for name, question in (("car-t.txt", b"reviews?"), ("car-t-again.txt", b"reviews, again?")):
        data = CAR_T.read_bytes().replace(b"reviews?", question, 1)
        report = import_article(data, filename=name, references=records, author=writer)
        assert report.ok, report.errors
        assert report.unresolved == ["1"]
    # Two imports citing an unidentified work: not one "(untitled)" row between them.
    assert not Reference.objects.filter(Q(title="") | Q(is_placeholder=True)).exists()
    answer = Answer.objects.get(question__text__endswith="recent reviews?")
    assert not answer.citations.filter(label="1").exists()
    # A file holding a record for citation 1 resolves it (the SGLT2 record stands in here
    # only as a well-formed record labelled 1: test data, not a claim).
    data = SGLT2_REFS.read_bytes().replace(b"ID  - 4\n", b"ID  - 1\n")
    result = import_reference_file(data, filename="found.ris", answer=answer, by=writer)
    assert result.ok, result.errors
    assert answer.citations.get(label="1").reference.doi == "10.1056/NEJMoa1911303"
    blocking = review_checklist(answer).blocking_submission()
    assert not any("Citation [1]" in message for message in blocking)


def test_topic_option_overrides_the_disclaimer():
    out, err, ok = run("import_articles", str(SGLT2), "--topic", "Heart health")
    assert ok, err
    assert Answer.objects.get().question.topic.name == "Heart health"
    assert Topic.objects.filter(name="Heart health").exists()


def test_unknown_author_is_refused():
    out, err, ok = run("import_articles", str(SGLT2), "--author", "nobody")
    assert not ok
    assert "There is no user “nobody”." in err


def test_load_demo_is_idempotent_and_publishes_sglt2(settings, client, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "chosen-demo-pw")
    for _ in range(2):
        out, err, ok = run("load_demo")
        assert ok, err
        # The password the user chose is printed, not the variable's name.
        assert out.rstrip().endswith("with the password: chosen-demo-pw")
    # The accounts sign in with it (through the admin's login: axes needs the request).
    response = Client().post(
        reverse("admin:login"), {"username": "clinician", "password": "chosen-demo-pw"}
    )
    assert response.status_code == 302
    assert Answer.objects.count() == 2
    sglt2 = Answer.objects.get(question__text__startswith="Do SGLT2")
    car_t = Answer.objects.get(question__text__startswith="Are CAR-T")
    assert sglt2.status == Answer.Status.PUBLISHED
    reasons = [h.history_change_reason for h in sglt2.history.order_by("history_date")]
    assert reasons[-2] == "Submitted for medical review"
    assert reasons[-1].startswith("Approved and published (signed from the page showing revision")
    assert car_t.status == Answer.Status.DRAFT
    assert client.get(sglt2.get_absolute_url()).status_code == 200
    assert client.get(car_t.get_absolute_url()).status_code == 404
    # Nobody graded the sample's evidence: readers are told so, no level is made up.
    statement = sglt2.publication.data["certainty"]
    assert (statement["level"], statement["graded"]) == ("not_graded", False)
    assert statement["reason"] == DEMO_CERTAINTY_REASON
    page = client.get(sglt2.get_absolute_url()).content.decode()
    assert "Incomplete: not yet graded." in page
    for level in ("High", "Moderate", "Low", "Very low"):
        assert f"{level} certainty of evidence" not in page


def test_load_demo_corrects_the_placeholder_level_earlier_demos_published(settings, client):
    """Demo databases loaded before "Not yet graded" existed show "Moderate", a level nobody
    assessed: loading the demo again corrects it through the workflow, as a correction."""
    settings.DEBUG = True
    out, err, ok = run("load_demo")
    assert ok, err
    sglt2 = Answer.objects.get(question__text__startswith="Do SGLT2")
    writer, clinician = sglt2.writers.get(), sglt2.signoffs.get().reviewer
    sglt2.certainty, sglt2.certainty_reason = "moderate", OLD_PLACEHOLDER_REASON
    sglt2.save()
    sglt2.note_edit(by=writer)
    sglt2.submit(by=writer)
    clinician.set_password("old demo password")
    clinician.save()
    sglt2.approve(
        by=clinician,
        shown_hash=sglt2.content_hash(),
        password="old demo password",
        sources_checked=True,
        wording_safe=True,
        change_summary="Test: as an earlier demo published it.",
    )
    assert "Moderate certainty of evidence." in client.get(sglt2.get_absolute_url()).text

    out, err, ok = run("load_demo")
    assert ok, err
    assert "Corrected the demo's placeholder certainty of evidence" in out
    sglt2.refresh_from_db()
    assert sglt2.status == Answer.Status.PUBLISHED
    statement = sglt2.publication.data["certainty"]
    assert (statement["level"], statement["reason"]) == ("not_graded", DEMO_CERTAINTY_REASON)
    [latest, *_] = sglt2.publication.data["changes"]
    assert latest["correction"] is True
    assert "demo placeholder" in latest["summary"]
    page = client.get(sglt2.get_absolute_url()).text
    assert "Incomplete: not yet graded." in page and "Moderate certainty" not in page
    out, err, ok = run("load_demo")  # and only once
    assert ok, err
    assert "Corrected" not in out


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    out, err, ok = run("load_demo")
    assert not ok
    assert "only runs with DEBUG on" in err


def test_the_report_gives_the_question_page_address():
    out, err, ok = run("import_articles", str(SGLT2))
    assert ok, err
    assert f"(/questions/{Question.objects.get().slug}/)" in out


def test_the_size_limit_is_the_import_setting(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1001)
    out, err, ok = run("import_articles", str(big))
    assert "the limit is 1,000" in err
    assert not ok


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
    answer.certainty, answer.certainty_reason = "not_graded", "Test: nobody graded it."
    answer.save()
    answer.submit(by=writer)
    approve(answer, make_clinician(), change_summary="Test: re-reviewed.")
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


# ---------------------------------------------------------------- bad input: a clear error,
# nothing half-written, nothing stored that could not be edited afterwards


def csl_file(*items) -> bytes:
    return json.dumps(list(items)).encode()


def two_citations(tmp_path, *, question=None, topic=None) -> Path:
    text = SGLT2.read_text()
    if question:
        text = question + text[text.index("\n") :]
    if topic:
        text = text.replace("common patient questions about Cardiology", f"about {topic}")
        text = text.replace("questions about Cardiology", f"questions about {topic}")
    path = tmp_path / "article.txt"
    path.write_text(text)
    return path


def test_the_same_doi_twice_in_one_file_differing_in_case_is_one_record():
    data = csl_file(
        {"id": "1", "title": "A", "DOI": "10.1056/NEJMoa1911303"},
        {"id": "2", "title": "A", "DOI": "10.1056/nejmoa1911303"},
    )
    report = import_reference_file(data, filename="twice.json")
    assert Reference.objects.count() == 1
    assert "twice.json" in report.lines()[-1]
    assert (
        "Duplicate DOI ‘10.1056/nejmoa1911303’: the record starting on line 1" in report.errors[0]
    )


def test_one_work_under_two_citation_numbers_refuses_the_article_whole():
    held = Reference.objects.create(title="A", doi="10.1000/a", pmid="123")
    refs = csl_file({"id": "2", "title": "A", "DOI": "10.1000/A"}, {"id": "4", "PMID": "123"})
    records = read_references(refs, filename="refs.json")
    report = import_article(SGLT2.read_bytes(), filename="sglt2.txt", references=records)
    assert not report.ok
    assert report.errors == [
        f"citations 4 and 2 are the same work ({held.short_citation}): cite it under one number"
    ]
    assert not Answer.objects.exists() and not Question.objects.exists()
    assert list(Reference.objects.all()) == [held]


@pytest.mark.parametrize(
    ("issued", "parts"),
    [
        ("2020", [2020]),
        (2020, [2020]),
        ({"date-parts": [2020]}, [2020]),
        ({"date-parts": [["2020", "3"]]}, [2020, 3]),
        ({"raw": "2020-03-15"}, [2020, 3, 15]),
        ("2020/03", [2020, 3]),
    ],
)
def test_csl_json_issued_in_its_common_variants(issued, parts):
    data = csl_file({"id": "1", "title": "A", "issued": issued})
    report = import_reference_file(data, filename="dates.json")
    assert report.ok, report.errors
    reference = Reference.objects.get()
    assert [reference.year, reference.month, reference.day][: len(parts)] == parts
    assert reference.csl["issued"] == {"date-parts": [parts]}


@pytest.mark.parametrize(
    ("issued", "reason"),
    [
        ({"date-parts": [[2020, 13]]}, "“issued”: month 13 is not a month (1 to 12)"),
        ({"date-parts": [[2021, 2, 29]]}, "“issued”: day 29 is not a day of February 2021"),
        ("2020-01-45", "“issued”: day 45 is not a day of January 2020"),
        ("spring", "“issued”: “spring” is not a date"),
        (True, "“issued”: is not a date"),
    ],
)
def test_impossible_dates_are_rejected_naming_the_field(issued, reason):
    report = import_reference_file(
        csl_file({"id": "7", "title": "A", "issued": issued}), filename="d.json"
    )
    assert not Reference.objects.exists()
    assert report.errors[0].startswith(f"line 1: rejected: {reason}")


def test_ris_month_13_and_day_45_are_rejected():
    data = b"TY  - JOUR\nTI  - A\nPY  - 2020/13/45\nER  - \n"
    report = import_reference_file(data, filename="d.ris")
    assert report.errors == ["line 1: rejected: “issued”: month 13 is not a month (1 to 12)"]
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    ("author", "reason"),
    [
        ("Smith, Jane", "“author”: must be a list of names"),
        ([["Smith", "Jane"]], "“author”: name 1 must be an object"),
        ([{"family": 7}], "“author”: name 1: “family” must be text, not a number"),
        ([{"sequence": "first"}], "“author”: name 1 has no family name"),
        ([{"family": "Sm\u0000ith"}], "“author”: name 1: “family” contains a NUL character"),
        ([{"literal": "\ud800"}], "“author”: name 1: “literal” contains a broken character"),
    ],
)
def test_authors_that_are_not_names_are_rejected_not_stored(author, reason):
    report = import_reference_file(
        csl_file({"id": "1", "title": "A", "author": author}), filename="a.json"
    )
    assert not Reference.objects.exists()
    assert reason in report.errors[0]


def test_names_written_as_text_in_a_list_are_read_as_names():
    data = csl_file({"id": "1", "title": "A", "author": ["Smith, Jane", "WHO"]})
    assert import_reference_file(data, filename="a.json").ok
    assert Reference.objects.get().authors == [
        {"family": "Smith", "given": "Jane"},
        {"literal": "WHO"},
    ]


def test_every_imported_reference_can_be_saved_in_the_admin(admin_client):
    data = csl_file(
        {"id": "1", "title": "A", "author": [{"family": "Smith", "given": "J", "x": [1]}]},
        {"id": "2", "title": "B", "issued": "2020", "volume": 12, "page": 3},
    )
    assert import_reference_file(data, filename="a.json").ok
    for reference in Reference.objects.all():
        url = reverse("admin:citations_reference_change", args=[reference.pk])
        assert admin_client.get(url).status_code == 200
        form = admin_client.get(url).context["adminform"].form
        post = {name: form[name].value() or "" for name in form.fields}
        post = {key: value for key, value in post.items() if value not in (False, None)}
        response = admin_client.post(url, post)
        assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", "x" * 1001, "“title”: is 1,001 characters long; the limit is 1,000"),
        ("volume", "1" * 51, "“volume”: is 51 characters long; the limit is 50"),
        ("title", ["A"], "“title”: must be text, not a list"),
        ("title", "A\u0000B", "“title”: contains a NUL character"),
        ("URL", "www.example.org", "“URL”: ‘www.example.org’ is not a web address"),
    ],
)
def test_field_shape_and_length_are_checked_before_the_database(field, value, reason):
    item = {"id": "1", "title": "A", field: value}
    report = import_reference_file(csl_file(item), filename="f.json")
    assert not Reference.objects.exists()
    assert reason in report.errors[0]


def test_json_nested_100000_deep_is_a_clear_error():
    with pytest.raises(ReferenceFileError, match="nested too deeply"):
        import_reference_file(b"[" * 100_000 + b"]" * 100_000, filename="deep.json")


def test_bibtex_title_with_3000_nested_braces_is_rejected():
    data = b"@article{a, title={" + b"{" * 3000 + b"x" + b"}" * 3000 + b"}, doi={10.1/x}}"
    report = import_reference_file(data, filename="deep.bib")
    assert report.errors == ["line 1: rejected: “title”: has {braces} nested too deeply to read"]
    assert not Reference.objects.exists()


def test_a_question_over_300_characters_is_refused(tmp_path):
    path = two_citations(tmp_path, question="Why " + "very " * 70 + "long?")
    out, err, ok = run("import_articles", str(path))
    assert not ok
    assert (
        "article.txt: error: line 1: the question is 359 characters long; the limit is 300" in err
    )
    assert not Answer.objects.exists() and not Question.objects.exists()


def test_a_topic_over_100_characters_is_refused(tmp_path):
    out, err, ok = run("import_articles", str(SGLT2), "--topic", "T" * 101)
    assert not ok
    assert "the topic name is 101 characters long; the limit is 100" in err
    assert not Topic.objects.exists() and not Answer.objects.exists()


def test_record_ids_that_are_not_citation_numbers_are_added_but_not_cited():
    answer = make_answer(
        lead="Short [4].", sections=[("Research", "prose", "Trial [4].")], references={}
    )
    data = csl_file(
        {"id": "smith2020", "title": "A", "DOI": "10.1000/a"},
        {"id": "1234567", "title": "B", "DOI": "10.1000/b"},
    )
    report = import_reference_file(data, filename="ids.json", answer=answer, by=make_writer())
    assert report.ok
    assert Reference.objects.count() == 2
    assert not answer.citations.exists()
    for label in ("smith2020", "1234567"):
        assert f"record id ‘{label}’ is not a citation number: not cited in “{answer}”" in (
            report.warnings
        )


def editable(reference):
    reference.full_clean(validate_unique=False, validate_constraints=False)
    return True


@pytest.mark.fuzz
@given(any_reference_files())
def test_fuzz_import_reference_file_stores_whole_records_or_nothing(file):
    data, filename = file
    with transaction.atomic():
        try:
            report = import_reference_file(data, filename=filename)
        except ReferenceFileError as error:
            assert error.message
            assert not Reference.objects.exists()
        else:
            assert Reference.objects.count() == len(report.created)
            assert all(editable(reference) for reference in Reference.objects.all())
        transaction.set_rollback(True)


@pytest.mark.fuzz
@given(article_files(), st.one_of(st.none(), any_reference_files()))
def test_fuzz_import_article_creates_one_answer_or_nothing(data, references):
    with transaction.atomic():
        records = None
        if references is not None:
            try:
                records = read_references(references[0], filename=references[1])
            except ReferenceFileError:
                records = None
        report = import_article(data, filename="fuzz.txt", references=records)
        stored = [Answer, Question, Topic, Section, Citation, Reference]
        if report.ok:
            assert Answer.objects.count() == 1
            assert all(editable(reference) for reference in Reference.objects.all())
        else:
            assert report.errors
            assert not any(model.objects.exists() for model in stored)
        transaction.set_rollback(True)


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
