"""`benchmark_public_pages` prints its table and leaves the database as it found it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from answers.models import Answer
from citations.models import Reference

pytestmark = pytest.mark.django_db


def test_benchmark_command_reports_and_leaves_nothing_behind(settings):
    out = StringIO()
    call_command("benchmark_public_pages", requests=2, sections=4, citations=5, stdout=out)
    report = out.getvalue()
    for page in ("answer page", "home", "search", "API detail", "API list"):
        assert re.search(rf"^{page} +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.]+$", report, re.M), page
    # the public generation and the next scheduled change, the page, its related questions
    # (and the generation they are kept under), the signed-off glossary terms, and its live
    # translations where the site is translated (the tests translate into Spanish): the first
    # look
    first_look = 5 + (1 if settings.CONTENT_LANGUAGES else 0)
    assert re.search(rf"^answer page .* {first_look} +[0-9.]+$", report, re.M)
    assert not Answer.objects.exists() and not Reference.objects.exists()
