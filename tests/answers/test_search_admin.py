"""Editors' side of search: synonym sets in the admin and from a file, promoted answers, and
the search report with "write an answer to this"."""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from answers.models import PublishedAnswer, SearchCount, SearchPromotion, SynonymSet
from answers.synonyms import SynonymFileError, import_synonyms, read_synonym_lines
from tests.factories import login, make_clinician, make_editor, make_writer, publish_answer

pytestmark = pytest.mark.django_db

DEMO_SYNONYMS = Path(__file__).resolve().parents[2] / "answers" / "demo_content" / "synonyms.txt"


def test_editors_add_a_synonym_set_in_the_admin():
    client = login(make_editor())
    url = reverse("admin:answers_synonymset_add")
    response = client.post(url, {"terms": "heart attack", "source": "editor"})
    assert response.status_code == 200
    assert "at least two terms" in response.content.decode()
    response = client.post(
        url, {"terms": "heart attack,  myocardial infarction", "source": "editor"}
    )
    assert response.status_code == 302
    synonyms = SynonymSet.objects.get()
    assert synonyms.terms == "heart attack, myocardial infarction"
    assert set(synonyms.keys.values_list("key", flat=True)) == {
        "heart attack",
        "myocardial infarction",
    }


@pytest.mark.parametrize("maker", [make_writer, make_clinician])
def test_only_editors_keep_synonyms_promotions_and_the_report(maker):
    client = login(maker())
    for name in ("synonymset", "searchpromotion", "searchcount"):
        assert client.get(reverse(f"admin:answers_{name}_changelist")).status_code == 403


def test_import_is_all_or_nothing_and_names_the_bad_lines(tmp_path):
    SynonymSet.objects.create(terms="heart attack, myocardial infarction")
    good = tmp_path / "good.txt"
    good.write_text(
        "# comment\n\nHeart-attack, Myocardial Infarction\nblood sugar, blood glucose\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("kidney stone, nephrolithiasis\nlonely\nfine, ,\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_synonyms", str(bad))
    assert "nothing imported" in str(error.value)
    assert "Line 2: A set needs at least two terms" in str(error.value)
    assert "Line 3: A term is empty" in str(error.value)
    assert SynonymSet.objects.count() == 1

    call_command("import_synonyms", str(good))
    imported = SynonymSet.objects.get(source=SynonymSet.Source.IMPORT)
    assert imported.terms == "blood sugar, blood glucose"
    assert imported.source_note == "good.txt"
    assert SynonymSet.objects.count() == 2  # the first line was already there
    call_command("import_synonyms", str(good))
    assert SynonymSet.objects.count() == 2

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_synonyms", str(tmp_path / "missing.txt"))


def test_a_failure_midway_rolls_the_whole_import_back(monkeypatch):
    calls = []
    original = SynonymSet.save

    def failing_save(self, *args, **kwargs):
        calls.append(self.terms)
        if len(calls) == 2:
            raise RuntimeError("Test: the database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SynonymSet, "save", failing_save)
    with pytest.raises(RuntimeError):
        import_synonyms("a test, b test\nc test, d test\n")
    assert not SynonymSet.objects.exists()


def test_the_demo_starter_set_is_valid_and_glossary_sets_are_a_source():
    sets = read_synonym_lines(DEMO_SYNONYMS.read_text(encoding="utf-8"))
    assert len(sets) >= 15
    counts = import_synonyms(
        "ejection fraction, EF\n", source=SynonymSet.Source.GLOSSARY, source_note="Test term"
    )
    assert counts == {"created": 1, "unchanged": 0}
    assert SynonymSet.objects.get().source == "glossary"
    with pytest.raises(SynonymFileError):
        read_synonym_lines("one\n")


def test_editors_promote_an_answer_for_a_query(client):
    answer = publish_answer(question="Is the promoted admin test answer first?")
    publication = PublishedAnswer.objects.get(answer=answer)
    editor = make_editor()
    response = login(editor).post(
        reverse("admin:answers_searchpromotion_add"),
        {"query": " Water   pills ", "publication": publication.pk, "position": 1},
    )
    assert response.status_code == 302
    promotion = SearchPromotion.objects.get()
    assert (promotion.query, promotion.query_key, promotion.created_by) == (
        "Water pills",
        "water pills",
        editor,
    )
    found = client.get("/search/", {"q": "water-pills"}).context["page"].object_list
    assert [p.question for p in found] == ["Is the promoted admin test answer first?"]


def test_the_search_report_lists_frequent_queries_and_those_that_found_nothing():
    publish_answer(question="Is the report test answer found?", lead="Test text about okapis [1].")
    reader = Client()
    for query in ("okapi", "okapi", "Zorse", "zorse", "okapi"):
        reader.get("/search/", {"q": query})
    SearchCount.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=40), query="old test", searches=9
    )
    response = login(make_editor()).get(reverse("admin:answers_searchcount_changelist"))
    assert response.status_code == 200
    assert [(r["query"], r["total"], r["nothing"]) for r in response.context["frequent"]] == [
        ("okapi", 3, 0),
        ("zorse", 2, 2),
    ]
    nothing = response.context["found_nothing"]
    assert [r["query"] for r in nothing] == ["zorse"]
    write_url = nothing[0]["write_url"]
    assert write_url == reverse("admin:answers_answer_add") + "?question_text=Zorse"
    html = response.content.decode()
    assert "Write an answer to this" in html
    # The link opens the add form with the question filled in.
    form = login(make_editor()).get(write_url)
    assert 'value="Zorse"' in form.content.decode()

    year = login(make_editor()).get(
        reverse("admin:answers_searchcount_changelist"), {"days": "365"}
    )
    assert "old test" in [r["query"] for r in year.context["frequent"]]
