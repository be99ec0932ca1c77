"""Search in readers' words, on both databases: synonym sets, British and American
spellings, hyphen and space forms, "Did you mean", the question ranked first, promoted
answers, and the daily counts behind the editors' search report."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from answers.models import PublishedAnswer, SearchCount, SearchPromotion, SearchWord, SynonymSet
from answers.public.search import parse_query
from tests.factories import make_editor, publish_answer

pytestmark = pytest.mark.django_db


def search(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response


def result_questions(response):
    page = response.context["page"]
    return [result.question for result in page.object_list] if page else []


def publish(question, text):
    return publish_answer(
        question=question,
        lead=f"{text} [1].",
        sections=(
            ("What the tests say", "prose", "Test text of the section [1]."),
            ("What to ask your doctor", "questions", "- Is it a test?"),
        ),
    )


def test_a_synonym_set_finds_an_answer_using_only_the_other_term(client):
    publish("Is the first test answer found?", "Test text about myocardial infarction")
    assert result_questions(search(client, "heart attack")) == []

    SynonymSet.objects.create(terms="heart attack, myocardial infarction, MI")
    response = search(client, "heart attack")
    assert result_questions(response) == ["Is the first test answer found?"]
    assert "Also searched for: myocardial infarction, MI." in response.content.decode()
    # Any term of the set finds it, in any case, and within a longer query.
    assert result_questions(search(client, "Heart Attack test")) == [
        "Is the first test answer found?"
    ]
    assert result_questions(search(client, "MI")) == ["Is the first test answer found?"]


def test_a_set_changed_or_deleted_stops_matching(client):
    publish("Is the second test answer found?", "Test text about myocardial infarction")
    synonyms = SynonymSet.objects.create(terms="heart attack, myocardial infarction")
    assert result_questions(search(client, "heart attack"))
    synonyms.terms = "heart attack, cardiac arrest test"
    synonyms.save()
    assert result_questions(search(client, "heart attack")) == []
    synonyms.terms = "heart attack, myocardial infarction"
    synonyms.save()
    synonyms.delete()
    assert result_questions(search(client, "heart attack")) == []


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("anaemia", "Test text about anemia"),
        ("anemia", "Test text about anaemia"),
        ("oestrogen", "Test text about estrogen"),
        ("estrogen", "Test text about oestrogen"),
        ("paediatric", "Test text about pediatric care"),
        ("pediatric", "Test text about paediatric care"),
        ("haemoglobin", "Test text about hemoglobin"),
        ("hypoglycemia", "Test text about hypoglycaemia"),
        ("tumour", "Test text about a tumor"),
    ],
)
def test_british_and_american_spellings_find_each_other(client, query, text):
    publish("Is the spelling test answer found?", text)
    assert result_questions(search(client, query)) == ["Is the spelling test answer found?"]


@pytest.mark.parametrize("query", ["SGLT-2", "SGLT 2", "SGLT2", "sglt2"])
@pytest.mark.parametrize("written", ["SGLT2", "SGLT-2", "SGLT 2"])
def test_hyphen_and_space_forms_find_each_other(client, query, written):
    publish("Is the compound test answer found?", f"Test text about {written} inhibitors")
    assert result_questions(search(client, query)) == ["Is the compound test answer found?"]


def test_a_misspelt_query_gets_a_did_you_mean_link_from_published_words(client):
    publish("Is the diabetes test answer found?", "Test text about diabetes and heart failure")
    response = search(client, "diabetis")
    assert result_questions(response) == []
    assert response.context["suggestion"] == "diabetes"
    html = response.content.decode()
    assert 'Did you mean <a href="/search/?q=diabetes">diabetes</a>?' in html

    response = search(client, "hart failure")
    assert response.context["suggestion"] == "heart failure"
    assert result_questions(search(client, response.context["suggestion"])) == [
        "Is the diabetes test answer found?"
    ]


def test_no_suggestion_that_would_find_nothing_live(client):
    answer = publish("Is the withdrawn spelling answer found?", "Test text about gastroenteritis")
    assert search(client, "gastroenteritus").context["suggestion"] == "gastroenteritis"
    answer.withdraw(by=make_editor(), reason="Test withdrawal")
    # The word stays known, but a search for it finds no live answer: no suggestion.
    assert SearchWord.objects.filter(word="gastroenteritis").exists()
    assert search(client, "gastroenteritus").context["suggestion"] == ""
    assert search(client, "xqzvvkj").context["suggestion"] == ""


def test_publishing_adds_the_answers_words(client):
    publish("Is the vocabulary test answer found?", "Test text about nephrolithiasis")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"vocabulary", "nephrolithiasis", "section"} <= words
    assert "is" not in words  # shorter than three letters


def test_the_question_ranks_above_the_body(client):
    publish("Is the other test answer found?", "Test text about okapi and okapi and okapi")
    publish("Does the okapi test answer come first?", "Test text")
    assert result_questions(search(client, "okapi")) == [
        "Does the okapi test answer come first?",
        "Is the other test answer found?",
    ]


def test_a_promoted_answer_comes_first_even_when_it_does_not_match(client):
    publish("Does the tapir test answer match?", "Test text about tapirs")
    promoted = publish("Is the promoted test answer first?", "Test text without the word")
    publication = PublishedAnswer.objects.get(answer=promoted)
    SearchPromotion.objects.create(query="Tapir", publication=publication)
    response = search(client, "tapir")
    assert result_questions(response) == [
        "Is the promoted test answer first?",
        "Does the tapir test answer match?",
    ]
    # Readers are told which result an editor put first, and only that one.
    assert response.content.decode().count("Suggested by our editors for this search") == 1
    assert [r.promoted for r in response.context["page"].object_list] == [True, False]
    # Only while it is live.
    promoted.withdraw(by=make_editor(), reason="Test withdrawal")
    assert result_questions(search(client, "tapir")) == ["Does the tapir test answer match?"]


def test_synonym_sets_refuse_what_no_search_could_use():
    for terms, message in [
        ("heart attack", "at least two terms"),
        ("heart attack, , MI", "A term is empty"),
        ("heart attack, Heart-Attack", "is in the set twice"),
        ("anaemia, anemia", "is in the set twice"),
        ("heart attack, ?!", "no letter or digit"),
    ]:
        with pytest.raises(ValidationError, match=message):
            SynonymSet.objects.create(terms=terms)
    assert not SynonymSet.objects.exists()
    tidy = SynonymSet.objects.create(terms="  heart   attack ,myocardial infarction ")
    assert tidy.terms == "heart attack, myocardial infarction"
    assert sorted(tidy.keys.values_list("key", flat=True)) == [
        "heart attack",
        "myocardial infarction",
    ]


def test_parse_query_keeps_quotes_and_exclusions():
    parsed = parse_query('"tests pass" pangolin -fail')
    assert parsed.groups[0][0].words == ("tests", "pass")
    assert parsed.excluded and parsed.excluded[0][0].words == ("fail",)


def test_searches_are_counted_per_day_without_who_asked(client):
    publish("Is the counted test answer found?", "Test text about counting")
    search(client, "Counting")
    search(client, "counting")
    search(client, "counting", page=2)  # a further page is the same search
    search(client, "xqzvvkj")
    today = timezone.localdate()
    counts = {c.query: c for c in SearchCount.objects.filter(day=today)}
    assert counts["counting"].searches == 2 and counts["counting"].found_nothing == 0
    assert counts["xqzvvkj"].searches == 1 and counts["xqzvvkj"].found_nothing == 1
    assert {f.name for f in SearchCount._meta.fields} == {
        "id",
        "day",
        "query",
        "searches",
        "found_nothing",
    }


def test_the_daily_prune_drops_only_days_older_than_the_kept_period(settings):
    from answers.tasks import prune_search_counts

    settings.SEARCH_REPORT_KEEP_DAYS = 400
    today = timezone.localdate()
    for age in (0, 400, 401, 900):
        SearchCount.objects.create(day=today - datetime.timedelta(days=age), query=f"q{age}")
    assert prune_search_counts.call().startswith("2 search counts older than")
    assert sorted(SearchCount.objects.values_list("query", flat=True)) == ["q0", "q400"]


def test_a_search_served_from_the_page_cache_is_counted_too(client, settings):
    settings.PAGE_CACHE = True
    search(client, "xqzvvkj")
    response = search(client, "xqzvvkj")
    assert response["X-Page-Cache"] == "hit"
    # Shared caches would answer without the app: they may not keep it.
    assert response["Cache-Control"] == "private, max-age=0"
    assert SearchCount.objects.get(query="xqzvvkj").searches == 2


def test_staff_searches_are_not_counted(client):
    client.force_login(make_editor())
    search(client, "xqzvvkj")
    assert not SearchCount.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_searches_each_count():
    """Threads with their own connections record the same new query at once."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite is one connection")
    day = datetime.date(2026, 1, 2)
    errors = []

    def record():
        try:
            for _ in range(10):
                SearchCount.record("racing test", found=0, day=day)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    count = SearchCount.objects.get(day=day, query="racing test")
    assert (count.searches, count.found_nothing) == (40, 40)
