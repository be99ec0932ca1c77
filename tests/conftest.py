"""Shared fixtures, and the Hypothesis profiles: `make test` runs a small fixed-seed sample of
every property test (profile "ci"); `make fuzz` runs the tests marked `fuzz` with at least
10,000 examples each (profile "fuzz")."""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def services(httpserver, settings):
    """Crossref and NCBI as a local server (tests/citations/fake_services.py), with fast
    retries and an empty lookup cache."""
    from django.core.cache import cache

    from tests.citations.fake_services import FakeServices

    fake = FakeServices(httpserver)
    fake.configure(settings)
    settings.SOURCE_BACKOFF = 0
    settings.SOURCE_RETRIES = 2
    settings.SOURCE_TIMEOUT = 2
    settings.NCBI_API_KEY = "test-key"
    cache.clear()
    yield fake
    cache.clear()
