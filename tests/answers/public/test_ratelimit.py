"""The client address behind TRUSTED_PROXY_COUNT proxies, and the per-address count, kept
in the database that every web process shares (tests/ops/test_degraded.py counts across
four gunicorn workers)."""

import pytest
from django.test import Client, RequestFactory

from answers.models import ReaderFeedback
from answers.public.ratelimit import client_ip, within_limit
from tests.factories import publish_answer


def request_from(remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, headers=headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the forged entry is left of it
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # did not come through both proxies
        (1, None, "10.0.0.1"),
        (1, "not an address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


@pytest.mark.django_db
def test_limit_counts_each_address_and_scope_apart():
    first, second = request_from("203.0.113.1"), request_from("203.0.113.2")
    assert [within_limit(first, scope="test", limit=2, window=60) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert within_limit(second, scope="test", limit=2, window=60)
    assert within_limit(first, scope="other-test", limit=2, window=60)


@pytest.mark.django_db
def test_readers_behind_a_load_balancer_do_not_share_a_quota(settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    answer = publish_answer()
    url = f"/questions/{answer.question.slug}/feedback/"
    balancer = "10.0.0.1"
    alice = Client(REMOTE_ADDR=balancer, headers={"X-Forwarded-For": "203.0.113.1"})
    bob = Client(REMOTE_ADDR=balancer, headers={"X-Forwarded-For": "203.0.113.2"})
    assert alice.post(url, {"kind": "helpful"}).status_code == 302
    assert bob.post(url, {"kind": "helpful"}).status_code == 302
    assert alice.post(url, {"kind": "helpful"}).status_code == 429
    forger = Client(REMOTE_ADDR=balancer, headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.1"})
    assert forger.post(url, {"kind": "helpful"}).status_code == 429
    assert ReaderFeedback.objects.count() == 2
