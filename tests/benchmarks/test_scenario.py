"""The scale benchmark's build runs the real workflow for its template answer, so every new
rule of approval (the signature, the certainty) must hold there too: build a few."""

import pytest

from answers.models import PublishedAnswer, SignOff
from benchmarks.scenario import build

pytestmark = pytest.mark.django_db


def test_the_scale_benchmark_builds_signed_published_answers():
    build(answers=3, articles=2)
    assert PublishedAnswer.objects.count() == 3
    assert not SignOff.objects.filter(signer_name="").exists()
