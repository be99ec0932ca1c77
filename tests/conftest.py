"""Shared fixtures, and the Hypothesis profiles: `make test` runs a small fixed-seed sample of
every property test (profile "ci"); `make fuzz` runs the tests marked `fuzz` with at least
10,000 examples each (profile "fuzz")."""

import signal
import socket
import threading

import pytest
from django.apps import apps
from django.core.management import call_command
from hypothesis import HealthCheck, settings

from answers.roles import sync_groups

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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the in-app page cache keys pages by the public
    generation, which starts again at 0 in every test's database."""
    from django.core.cache import cache

    cache.clear()


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


@pytest.fixture
def run_worker():
    """Runs the task worker (`run_worker`, as deployed) over the queue; puts back the signal
    handlers it installs."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run():
        call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    yield run
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


@pytest.fixture
def groups(transactional_db):
    """The role groups. The data migration made them, but transactional tests (browser,
    worker) run on a database that is emptied after each test, so make them again."""
    sync_groups(apps)


class _Mailbox:
    """An aiosmtpd handler keeping what arrives; `refuse` temporary failures first."""

    def __init__(self):
        self.messages = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        message = message_from_bytes(envelope.content, policy=default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if address in m.envelope_to]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it;
    yields the mailbox (`.messages`, each an email.message.EmailMessage)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.NOTIFICATION_RETRY_SECONDS = 0
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def never():
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/never"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()
