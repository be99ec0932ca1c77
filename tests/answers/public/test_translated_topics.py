"""A topic's name in each content language: the model and its constraints, the topic admin's
inline, the translated disclaimer naming the topic (snapshotted at approval), the /es/topics/
pages with hreflang both ways, the breadcrumb, the purges, the sitemap and the query budget.
Topic names here are marked test text, never medical wording."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from answers.models import PublishedTranslation, TopicName
from tests.factories import (
    TEST_TEXT,
    approve_translation,
    login,
    make_editor,
    make_topic,
    make_writer,
    messages_of,
    publish_answer,
    published_translation,
)

pytestmark = pytest.mark.django_db

GENERIC = "Esta respuesta se tradujo de la versión en inglés y la revisó un médico que lee este"
NAMED = "Parte de preguntas frecuentes de pacientes sobre {name} y se responde"


def spanish_url(name, *args):
    with translation.override("es"):
        return reverse(name, args=args)


def html_of(url, status=200):
    page = Client().get(url)
    assert page.status_code == status, url
    return page.content.decode()


def disclaimer_of(html):
    return re.search(r'<p class="disclaimer">(.*?)</p>', html, re.S).group(1)


def spanish_topic(*, name="Tema de prueba", english="Test topic"):
    """A topic named in Spanish (marked test words) with a live Spanish translation:
    (topic, answer, translation)."""
    topic = make_topic(name=english)
    TopicName.objects.create(topic=topic, language="es", name=name)
    answer, translation_ = published_translation(publish_answer(topic=topic))
    return topic, answer, translation_


def approve_again(translation_, lead):
    """The translator revises the words and a Spanish-reading clinician approves them."""
    translator = translation_.writers.first()
    with translation_.editing(by=translator, comment="Test: revised") as locked:
        locked.lead = lead
        locked.save()
    translation_.submit(by=translator)
    approve_translation(translation_)


# ---------------------------------------------------------------- the model


def test_a_topic_has_one_name_per_language_never_english():
    topic = make_topic(name="Test topic")
    TopicName.objects.create(topic=topic, language="es", name="Tema de prueba")
    for fields in [
        {"topic": topic, "language": "es", "name": "Otro tema de prueba"},
        {"topic": topic, "language": "en", "name": "Test topic again"},
        {"topic": make_topic(name="Other test topic"), "language": "es", "name": "Tema de prueba"},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            TopicName.objects.create(**fields)


# ---------------------------------------------------------------- the disclaimer


def test_the_disclaimer_names_the_topic_as_approved_until_the_next_approval():
    topic, answer, translation_ = spanish_topic()
    snapshot = translation_.publication
    assert snapshot.data["topic"] == {"id": topic.pk, "slug": topic.slug, "name": "Tema de prueba"}
    url = spanish_url("translated_question", translation_.slug)
    disclaimer = disclaimer_of(html_of(url))
    assert NAMED.format(name="Tema de prueba") in disclaimer
    assert "Test topic" not in disclaimer

    # Renamed in Spanish: the topic page says so at once; the answer keeps what was signed.
    name = TopicName.objects.get(topic=topic, language="es")
    name.name = "Tema de prueba renombrado"
    name.save()
    assert "Tema de prueba renombrado" in html_of(spanish_url("translated_topic", topic.slug))
    assert NAMED.format(name="Tema de prueba") in disclaimer_of(html_of(url))

    approve_again(translation_, f"{TEST_TEXT} revisado [1].")
    assert NAMED.format(name="Tema de prueba renombrado") in disclaimer_of(html_of(url))


def test_without_a_spanish_name_the_disclaimer_stays_generic():
    topic = make_topic(name="Unnamed test topic")
    answer, translation_ = published_translation(publish_answer(topic=topic))
    assert "disclaimer" not in translation_.publication.data
    assert "topic" not in translation_.publication.data
    html = html_of(spanish_url("translated_question", translation_.slug))
    assert GENERIC in disclaimer_of(html)
    assert "Unnamed test topic" not in html  # never the English name inside Spanish text
    assert 'class="breadcrumbs"' not in html
    # Named later: the page keeps what was approved (the generic text) until approved again.
    TopicName.objects.create(topic=topic, language="es", name="Tema de prueba")
    assert GENERIC in disclaimer_of(html_of(spanish_url("translated_question", translation_.slug)))


def test_a_language_whose_catalogue_lacks_the_wording_keeps_the_general_disclaimer():
    topic = make_topic(name="Test topic")
    name = TopicName.objects.create(topic=topic, language="es", name="Tema de prueba")
    with translation.override("es"):
        assert "sobre Tema de prueba" in name.disclaimer()
    with translation.override("fr"):  # no French catalogue: no English words around it
        assert name.disclaimer() is None


def test_an_older_snapshot_without_the_key_keeps_the_generic_text(settings):
    settings.PAGE_CACHE = False  # the row as stored (update() skips the purge receivers)
    topic, answer, translation_ = spanish_topic()
    snapshot = translation_.publication
    data = {k: v for k, v in snapshot.data.items() if k not in ("disclaimer", "topic")}
    PublishedTranslation.objects.filter(pk=snapshot.pk).update(data=data)
    html = html_of(spanish_url("translated_question", translation_.slug))
    assert GENERIC in disclaimer_of(html)
    assert 'class="breadcrumbs"' not in html


# ---------------------------------------------------------------- the pages


def test_the_spanish_topic_pages_with_links_both_ways(site_url):
    topic, answer, translation_ = spanish_topic()
    TopicName.objects.filter(topic=topic).update(description="Descripción de prueba.")
    spanish = spanish_url("translated_topic", topic.slug)
    assert spanish == f"/es/topics/{topic.slug}/"

    index = html_of(spanish_url("translated_topics"))
    assert '<html lang="es">' in index
    assert f'<a href="{spanish}">Tema de prueba</a>' in index
    assert "1 respuesta" in index
    assert "Test topic" not in index

    html = html_of(spanish)
    assert '<html lang="es">' in html
    assert "<h1>Tema de prueba</h1>" in html
    assert "Descripción de prueba." in html
    assert f'<link rel="canonical" href="{site_url}{spanish}">' in html
    english = f"{site_url}{topic.get_absolute_url()}"
    assert f'<link rel="alternate" hreflang="en" href="{english}">' in html
    assert f'<link rel="alternate" hreflang="es" href="{site_url}{spanish}">' in html
    assert f'<a href="{topic.get_absolute_url()}" hreflang="en" lang="en">English</a>' in html
    assert translation_.publication.question in html
    assert spanish_url("translated_question", translation_.slug) in html

    english_page = html_of(topic.get_absolute_url())
    assert f'<link rel="alternate" hreflang="es" href="{site_url}{spanish}">' in english_page
    assert f'<a href="{spanish}" hreflang="es" lang="es">español</a>' in english_page

    home = html_of(spanish_url("translated_home"))
    assert f'href="{spanish_url("translated_topics")}"' in home


def test_the_spanish_answer_page_leads_to_its_topic_page():
    topic, answer, translation_ = spanish_topic()
    html = html_of(spanish_url("translated_question", translation_.slug))
    crumbs = re.search(r'<nav class="breadcrumbs" aria-label="(.*?)">(.*?)</nav>', html, re.S)
    assert crumbs.group(1) == "Ruta de navegación"
    assert '<a href="/es/">Inicio</a>' in crumbs.group(2)
    assert f'<a href="/es/topics/{topic.slug}/">Tema de prueba</a>' in crumbs.group(2)
    # The name removed: no page to lead to, on the very next request (the purge).
    TopicName.objects.filter(topic=topic).delete()
    html = html_of(spanish_url("translated_question", translation_.slug))
    assert 'class="breadcrumbs"' not in html


def test_no_breadcrumb_when_the_approved_topic_is_not_the_answers_topic_now(settings):
    """The English answer moved to another topic after the translation's approval: the
    approved name is the other topic's, so it leads nowhere until approved again."""
    settings.PAGE_CACHE = False  # the row as stored (update() skips the purge receivers)
    topic, answer, translation_ = spanish_topic()
    snapshot = translation_.publication
    other = make_topic(name="Earlier test topic")
    data = {**snapshot.data, "topic": {**snapshot.data["topic"], "id": other.pk}}
    PublishedTranslation.objects.filter(pk=snapshot.pk).update(data=data)
    html = html_of(spanish_url("translated_question", translation_.slug))
    assert 'class="breadcrumbs"' not in html


def test_no_spanish_topic_page_without_a_name_or_anything_live():
    topic = make_topic(name="English only test topic")
    publish_answer(topic=topic)
    html_of(spanish_url("translated_topic", topic.slug), status=404)
    english = html_of(topic.get_absolute_url())
    assert "hreflang" not in english and "Also in" not in english

    # Named, but nothing in it is translated: still no page, and none offered.
    TopicName.objects.create(topic=topic, language="es", name="Tema de prueba")
    html_of(spanish_url("translated_topic", topic.slug), status=404)
    assert "hreflang" not in html_of(topic.get_absolute_url())
    assert "Tema de prueba" not in html_of(spanish_url("translated_topics"))
    assert 'id="no-topics"' in html_of(spanish_url("translated_topics"))

    # A translation in it but without a name: no page either.
    unnamed = make_topic(name="Unnamed test topic")
    published_translation(publish_answer(topic=unnamed))
    html_of(spanish_url("translated_topic", unnamed.slug), status=404)
    html_of(spanish_url("translated_topic", "no-such-topic"), status=404)


def test_each_change_reaches_the_very_next_request():
    """The page cache is on in tests: naming, publishing and withdrawing each purge."""
    topic = make_topic(name="Test topic")
    answer, translation_ = published_translation(publish_answer(topic=topic))
    topics, page = spanish_url("translated_topics"), spanish_url("translated_topic", topic.slug)
    assert 'id="no-topics"' in html_of(topics)
    html_of(page, status=404)
    html_of(topic.get_absolute_url())

    name = TopicName.objects.create(topic=topic, language="es", name="Tema de prueba")
    assert "Tema de prueba" in html_of(topics)
    assert "Tema de prueba" in html_of(page)
    assert f'href="{page}" hreflang="es"' in html_of(topic.get_absolute_url())

    name.name = "Tema de prueba nuevo"
    name.save()
    assert "Tema de prueba nuevo" in html_of(topics)
    assert "<h1>Tema de prueba nuevo</h1>" in html_of(page)

    translation_.withdraw(by=make_editor(), reason="Test: taken down.")
    assert "Tema de prueba" not in html_of(topics)
    html_of(page, status=404)
    assert "hreflang" not in html_of(topic.get_absolute_url())


def test_the_sitemap_lists_the_spanish_topic_pages_with_hreflang_both_ways(site_url):
    topic, answer, translation_ = spanish_topic()
    english = f"{site_url}{topic.get_absolute_url()}"
    spanish = f"{site_url}/es/topics/{topic.slug}/"
    links = (
        f'<xhtml:link rel="alternate" hreflang="en" href="{english}"/>'
        f'<xhtml:link rel="alternate" hreflang="es" href="{spanish}"/>'
    )
    assert f"<url><loc>{english}</loc>{links}" in html_of("/sitemap-topics.xml")
    assert f"<url><loc>{spanish}</loc>{links}" in html_of("/sitemap-translated-topics.xml")
    assert f"{site_url}/sitemap-translated-topics.xml" in html_of("/sitemap.xml")
    TopicName.objects.filter(topic=topic).delete()
    assert "hreflang" not in html_of("/sitemap-topics.xml")
    assert spanish not in html_of("/sitemap-translated-topics.xml")


# Queries of an uncached Spanish topic list (live translations counted by topic, their names,
# the public generation) and topic page (its name, the count and the page of translations,
# the generation), whatever the number of translations.
TOPICS_BUDGET = 3
TOPIC_BUDGET = 4


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def test_spanish_topic_pages_queries_do_not_grow(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE = False  # the views' own queries
    topic, answer, translation_ = spanish_topic()
    other = make_topic(name="Other test topic")
    TopicName.objects.create(topic=other, language="es", name="Otro tema de prueba")
    published_translation(publish_answer(topic=other, question="Is the other test answer?"))
    urls = [
        spanish_url("translated_topics"),
        spanish_url("translated_topic", topic.slug),
        topic.get_absolute_url(),
        spanish_url("translated_question", translation_.slug),
    ]
    counts_one = [queries_for(client, url) for url in urls]
    for n in range(2, 5):
        published_translation(publish_answer(topic=topic, question=f"Is test answer {n} here?"))
    assert [queries_for(client, url) for url in urls] == counts_one
    with django_assert_max_num_queries(TOPICS_BUDGET):
        client.get(urls[0])
    with django_assert_max_num_queries(TOPIC_BUDGET):
        client.get(urls[1])


# ---------------------------------------------------------------- the admin


def names_post(topic, *rows, initial=0):
    data = {
        "name": topic.name,
        "slug": topic.slug,
        "description": topic.description,
        "structure-TOTAL_FORMS": 0,
        "structure-INITIAL_FORMS": 0,
        "review_steps-TOTAL_FORMS": 0,
        "review_steps-INITIAL_FORMS": 0,
        "names-TOTAL_FORMS": len(rows),
        "names-INITIAL_FORMS": initial,
    }
    for i, row in enumerate(rows):
        data |= {f"names-{i}-{key}": value for key, value in row.items()}
        data[f"names-{i}-topic"] = topic.pk
    return data


def test_an_editor_names_a_topic_in_spanish_on_its_page():
    topic = make_topic(name="Test topic")
    client = login(make_editor())
    change = reverse("admin:answers_topic_change", args=[topic.pk])
    page = client.get(change).content.decode()
    assert "the name its clinician approved" in page
    assert '<option value="es">Spanish</option>' in page
    assert '<option value="fr"' not in page and '<option value="en"' not in page

    refused = client.post(change, names_post(topic, {"language": "fr", "name": "Sujet"}))
    assert refused.status_code == 200
    assert not TopicName.objects.exists()

    saved = client.post(
        change, names_post(topic, {"language": "es", "name": "Tema de prueba", "description": ""})
    )
    assert saved.status_code == 302
    assert TopicName.objects.get().name == "Tema de prueba"

    twice = client.post(
        change,
        names_post(
            topic, {"language": "es", "name": "Tema A"}, {"language": "es", "name": "Tema B"}
        ),
    )
    assert twice.status_code == 200
    assert TopicName.objects.get().name == "Tema de prueba"


def test_a_spanish_rename_says_which_translations_keep_the_approved_name():
    topic, answer, translation_ = spanish_topic()
    name = TopicName.objects.get(topic=topic)
    client = login(make_editor())
    change = reverse("admin:answers_topic_change", args=[topic.pk])
    row = {"id": name.pk, "language": "es", "name": "Tema de prueba nuevo", "description": ""}
    response = client.post(change, names_post(topic, row, initial=1), follow=True)
    (warning,) = [m for m in messages_of(response) if "keep" in m]
    assert "The Spanish topic page now says “Tema de prueba nuevo”" in warning
    assert "1 published Spanish translations" in warning
    assert translation_.publication.question in warning
    assert TopicName.objects.get().name == "Tema de prueba nuevo"


def test_only_editors_change_topic_names():
    topic = make_topic(name="Test topic")
    writer = make_writer()
    assert writer.has_perm("answers.view_topicname")
    assert not writer.has_perm("answers.add_topicname")
    assert make_editor().has_perm("answers.change_topicname")
    change = reverse("admin:answers_topic_change", args=[topic.pk])
    row = {"language": "es", "name": "Tema de prueba"}
    assert login(writer).post(change, names_post(topic, row)).status_code == 403
    assert not TopicName.objects.exists()
