"""schemathesis against the live app's own OpenAPI document: every operation, every check
(status codes, content types, headers, response schemas, positive and negative data,
undeclared methods). `make test` runs the "ci" Hypothesis profile (fixed seed); `make fuzz`
runs the same test with the "fuzz" profile's 10,000 examples."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from answers.public.api import openapi_document
from tests.factories import make_editor, publish_answer

pytestmark = pytest.mark.django_db

LIVE_SLUG = "is-the-schema-test-answer-live"
UNGRADED_SLUG = "is-the-ungraded-schema-test-answer-live"


# The document the app serves at /api/openapi.json (test_api.py checks that it does),
# with its requests sent to the app itself over WSGI.
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def answers(db, settings):
    """Live and withdrawn answers (test text) in the database the requests read. As
    Django's test client does, keep the end of each request from closing the connection
    that holds the test's transaction."""
    settings.ALLOWED_HOSTS = ["localhost"]
    publish_answer(question="Is the schema test answer live?", slug=LIVE_SLUG)
    publish_answer(
        question="Is the ungraded schema test answer live?",
        slug=UNGRADED_SLUG,
        certainty="not_graded",
        certainty_reason="Test: nobody graded it.",
    )
    withdrawn = publish_answer(question="Was the schema test answer withdrawn?")
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@pytest.mark.fuzz
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate()


@pytest.mark.parametrize("slug", [LIVE_SLUG, UNGRADED_SLUG])
def test_a_live_answer_conforms_to_the_document(slug):
    """Generated slugs rarely name a real answer: check the 200 and 304 of those that do
    (one graded, one whose evidence is not yet graded)."""
    operation = schema["/api/answers/{slug}/"]["GET"]
    response = operation.Case(path_parameters={"slug": slug}).call_and_validate()
    assert response.status_code == 200
    etag = response.headers["etag"][0]
    cached = operation.Case(
        path_parameters={"slug": slug}, headers={"If-None-Match": etag}
    ).call_and_validate()
    assert cached.status_code == 304
