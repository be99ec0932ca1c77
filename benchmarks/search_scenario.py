"""Search at scale, measured in process on a database `scenario.build` filled: synonym-
expanded and misspelt queries (p95 of the whole search page, the count of the search
included), beside a plain one, and the answer page with its related questions. Every word
it adds is benchmark data, not medical content."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from answers.models import Answer, PublishedAnswer, SearchWord, SynonymSet
from answers.public.search import search as search_answers
from answers.public.search import suggestion

from .scenario import _time

# Test words, not medical ones: "quick" finds the answers whose questions say "fast".
SYNONYMS = "quick, fast"


def vocabulary():
    """The published words, as publishing each answer would have added them (the build's
    bulk copies bypass publishing)."""
    start = time.perf_counter()
    texts = PublishedAnswer.objects.values_list("question", "search_text").iterator()
    SearchWord.add_from(*(text for row in texts for text in row))
    return {"seconds": time.perf_counter() - start, "words": SearchWord.objects.count()}


def measure(*, requests, answer_id):
    built = vocabulary()
    SynonymSet.objects.create(terms=SYNONYMS, source_note="benchmark (test data)")
    template = Answer.objects.get(pk=answer_id)
    search = reverse("search")
    queries = [
        ("plain, every answer matching", "benchmark fast"),
        ("synonym-expanded, every answer matching", "quick"),
        ("synonym-expanded, one answer matching", "quick benchmark number 9999"),
        ("misspelt, 'Did you mean' (every answer)", "benchmrk"),
        ("misspelt, 'Did you mean' (one answer)", "benchmrk numbr 9999"),
        ("spelling variants and a hyphen form", "anaemia oestrogen SGLT-2"),
    ]
    result = {"vocabulary": built, "pages": []}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], PAGE_CACHE=False):
        client = Client()
        for name, query in queries:
            found = search_answers(query).count()
            timed = _time(client, f"{search}?{urlencode({'q': query})}", requests)
            result["pages"].append(
                {
                    "name": name,
                    "query": query,
                    "found": found,
                    "suggestion": "" if found else suggestion(query),
                    **timed,
                }
            )
        answer_page = _time(client, template.get_absolute_url(), requests)
        result["pages"].append(
            {
                "name": "answer page, with related questions",
                "query": "",
                "found": 0,
                "suggestion": "",
                **answer_page,
            }
        )
    return result
