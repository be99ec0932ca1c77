"""Ways in: the header's Topics, Search and About, the /topics/ index, and the related
questions on each answer page (live answers only, a handful)."""

import pytest

from answers.models import PublishedAnswer
from tests.factories import make_answer, make_editor, make_topic, make_writer, publish_answer

pytestmark = pytest.mark.django_db


def test_every_public_page_has_the_main_navigation(client):
    answer = publish_answer(question="Is the navigation test answer found?")
    for url in ("/", "/topics/", "/search/", "/about/", answer.get_absolute_url()):
        html = client.get(url).content.decode()
        assert '<nav class="site-nav" aria-label="Main">' in html, url
        for href, label in (("/topics/", "Topics"), ("/search/", "Search"), ("/about/", "About")):
            assert f'<a href="{href}"' in html and f">{label}</a>" in html, url
    html = client.get("/topics/").content.decode()
    assert '<a href="/topics/" aria-current="page">Topics</a>' in html


def test_topics_index_lists_topics_with_live_answers_and_their_counts(client):
    hearts, empty, gone = (make_topic(name=n) for n in ("Test hearts", "Test empty", "Test gone"))
    publish_answer(question="Is test heart answer one live?", topic=hearts)
    publish_answer(question="Is test heart answer two live?", topic=hearts)
    make_answer(question="Is the test draft listed?", topic=empty, writers=[make_writer()])
    withdrawn = publish_answer(question="Is the withdrawn test answer listed?", topic=gone)
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")

    response = client.get("/topics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [t.name for t in response.context["topics"]] == ["Test hearts"]
    assert "2 answers" in html
    assert hearts.get_absolute_url() in html
    assert "Test empty" not in html and "Test gone" not in html
    assert '<link rel="canonical" href="' in html


def test_topics_index_follows_a_withdrawal_at_once(client):
    topic = make_topic(name="Test purge topic")
    answer = publish_answer(question="Is the purge test answer listed?", topic=topic)
    assert "Test purge topic" in client.get("/topics/").content.decode()
    answer.withdraw(by=make_editor(), reason="Test withdrawal")
    assert "Test purge topic" not in client.get("/topics/").content.decode()


def test_related_questions_are_live_others_sharing_the_subject_or_topic(client):
    topic, other_topic = make_topic(name="Test related"), make_topic(name="Test elsewhere")
    answer = publish_answer(question="Does the capybara sample work?", topic=topic)
    same_topic = publish_answer(question="Is the related one shown?", topic=topic)
    shared_words = publish_answer(question="Can a capybara be repeated?", topic=other_topic)
    publish_answer(question="Is the unrelated one hidden?", topic=other_topic)
    withdrawn = publish_answer(question="Is the withdrawn capybara hidden?", topic=topic)
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")

    response = client.get(answer.get_absolute_url())
    related = [p.question for p in response.context["related"]]
    assert related == [shared_words.question.text, same_topic.question.text]
    html = response.content.decode()
    assert '<h2 id="related-heading">Related questions</h2>' in html
    assert PublishedAnswer.objects.get(answer=shared_words).get_absolute_url() in html


def test_related_questions_are_a_handful(client):
    topic = make_topic(name="Test many")
    answers = [
        publish_answer(question=f"Is many test answer {n} shown?", topic=topic) for n in range(7)
    ]
    related = client.get(answers[0].get_absolute_url()).context["related"]
    assert len(related) == 5
    assert answers[0].question.text not in [p.question for p in related]


def test_no_related_section_without_other_answers(client):
    answer = publish_answer(question="Is the lonely test answer alone?")
    html = client.get(answer.get_absolute_url()).content.decode()
    assert "Related questions" not in html
