"""Checking the outbound links of what readers see: the links in live answers and the web
addresses of the references they cite (DOI and PubMed links excluded: the retraction watch
checks those works).

Each address gets a HEAD request, then a GET when HEAD is refused or fails; redirects are
followed by hand up to LINK_CHECK_MAX_REDIRECTS, each hop's host checked like the first;
requests to one host are spaced by LINK_CHECK_HOST_INTERVAL seconds; a timeout, a connection
error or a 5xx is tried again LINK_CHECK_RETRIES times. Only public internet addresses are
fetched unless LINK_CHECK_ALLOW_PRIVATE is on (tests), so a link can never make the server
call into its own network: the address is checked when each connection is made, and that
checked address is the one connected to. The nightly job and each approval run it (`answers.tasks`);
`manage.py check_links` runs it by hand. Writers are told when a link of theirs breaks.
"""

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citations.models import Reference

from .models import LinkStatus, OutboundLink, PublishedAnswer

USER_AGENT = "qa-cms link check (+{site})"
_HREF = re.compile(r'<a\s[^>]*?href="([^"]+)"', re.IGNORECASE)
# Checked by the retraction watch, through their own services.
_WATCHED_HOSTS = {
    "doi.org",
    "dx.doi.org",
    "www.doi.org",
    "pubmed.ncbi.nlm.nih.gov",
    "www.ncbi.nlm.nih.gov",
    "ncbi.nlm.nih.gov",
}
_REDIRECTS = {301, 302, 303, 307, 308}


class PrivateAddress(Exception):
    """The host resolves to an address inside our own network."""


@dataclass
class Result:
    status: str
    http_status: int | None = None
    final_url: str = ""
    error: str = ""


@dataclass
class Uses:
    answers: set = field(default_factory=set)
    references: set = field(default_factory=set)


def _html_links(html):
    return [match.group(1).replace("&amp;", "&") for match in _HREF.finditer(html or "")]


def is_checked(url) -> bool:
    """An outside web address this check is for (not ours, not a DOI or PubMed link)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    own = urlsplit(settings.SITE_URL).netloc.lower()
    return parts.hostname.lower() not in _WATCHED_HOSTS and parts.netloc.lower() != own


def collect(*, answer_ids=None) -> dict[str, Uses]:
    """{url: where readers meet it} over the live answers (or only `answer_ids`)."""
    publications = PublishedAnswer.objects.live().only("answer_id", "lead_html", "body_html")
    if answer_ids is not None:
        publications = publications.filter(answer_id__in=answer_ids)
    found: dict[str, Uses] = {}
    answer_pks = []
    for publication in publications:
        answer_pks.append(publication.answer_id)
        for url in _html_links(publication.lead_html) + _html_links(publication.body_html):
            if is_checked(url):
                found.setdefault(url, Uses()).answers.add(publication.answer_id)
    references = (
        Reference.objects.filter(citations__answer__in=answer_pks)
        .exclude(url="")
        .values_list("pk", "url", "citations__answer")
    )
    for pk, url, answer_id in references:
        if is_checked(url):
            uses = found.setdefault(url, Uses())
            uses.references.add(pk)
            uses.answers.add(answer_id)
    return found


def _public_address(host) -> str:
    """The address to connect to for `host`: refused unless every address it resolves to is
    on the public internet."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise httpcore.ConnectError(
            f"the name {host} does not resolve ({error.strerror})"
        ) from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses or not all(address.is_global for address in addresses):
        raise PrivateAddress(f"{host} is not a public internet address")
    return str(addresses[0])


class _PublicOnlyBackend(httpcore.SyncBackend):
    """Connects to the address it checked itself, at the moment of connecting: a name that
    resolved to a public address once and to an inside one a moment later (DNS rebinding)
    still never reaches our own network. Every hop of a redirect connects through here."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return super().connect_tcp(
            _public_address(host),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )


def _transport():
    transport = httpx.HTTPTransport()
    if not settings.LINK_CHECK_ALLOW_PRIVATE:
        # httpx takes no network backend of its own; its pool (httpcore's, as httpx builds
        # it) does. TLS still names and verifies the host: only the TCP address is pinned.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=transport._pool._ssl_context,
            network_backend=_PublicOnlyBackend(),
        )
    return transport


class Checker:
    """One run: one HTTP client, and the last request time of each host."""

    def __init__(self):
        self.client = httpx.Client(
            transport=_transport(),
            timeout=settings.LINK_CHECK_TIMEOUT,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT.format(site=settings.SITE_URL)},
        )
        self.last_request = {}

    def close(self):
        self.client.close()

    def _wait_for_host(self, url):
        host = urlsplit(url).hostname
        interval = settings.LINK_CHECK_HOST_INTERVAL
        last = self.last_request.get(host)
        if last is not None and interval:
            delay = last + interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self.last_request[host] = time.monotonic()

    def _request(self, method, url):
        attempts = settings.LINK_CHECK_RETRIES + 1
        for attempt in range(1, attempts + 1):
            self._wait_for_host(url)
            try:
                if method == "GET":
                    with self.client.stream("GET", url) as response:
                        response.close()
                        return response
                response = self.client.request(method, url)
                if response.status_code < 500 or attempt == attempts:
                    return response
            except (httpx.TimeoutException, httpx.TransportError):
                if attempt == attempts:
                    raise
            time.sleep(min(0.5 * attempt, 2) if settings.LINK_CHECK_HOST_INTERVAL else 0)
        raise AssertionError("unreachable")

    def _fetch(self, url):
        """(response, final url) following redirects by hand, each hop checked."""
        current = url
        for _ in range(settings.LINK_CHECK_MAX_REDIRECTS + 1):
            try:
                response = self._request("HEAD", current)
                if response.status_code in (403, 405, 501) or response.status_code >= 500:
                    response = self._request("GET", current)
            except (httpx.TimeoutException, httpx.TransportError):
                response = self._request("GET", current)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response, current
            current = urljoin(current, location)
        raise httpx.TooManyRedirects(
            f"more than {settings.LINK_CHECK_MAX_REDIRECTS} redirects", request=None
        )

    def check(self, url) -> Result:
        try:
            response, final = self._fetch(url)
        except PrivateAddress as error:
            return Result(LinkStatus.BROKEN, error=str(error))
        except httpx.TimeoutException:
            return Result(LinkStatus.BROKEN, error="no answer in time (timed out)")
        except httpx.TooManyRedirects as error:
            return Result(LinkStatus.BROKEN, error=str(error))
        except (httpx.TransportError, httpx.InvalidURL, ValueError) as error:
            return Result(LinkStatus.BROKEN, error=f"could not connect: {error}"[:300])
        code = response.status_code
        if code >= 400:
            return Result(LinkStatus.BROKEN, http_status=code, final_url=_moved(url, final))
        if final != url:
            return Result(LinkStatus.REDIRECTED, http_status=code, final_url=final)
        return Result(LinkStatus.OK, http_status=code)


def _moved(url, final):
    return final if final != url else ""


@dataclass
class Report:
    checked: int = 0
    broken: list = field(default_factory=list)
    redirected: list = field(default_factory=list)
    newly_broken: list = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.checked} links checked: {len(self.broken)} broken, "
            f"{len(self.redirected)} redirected."
        )


def check_links(*, answer_ids=None) -> Report:
    """Check the links readers meet (all, or those of `answer_ids`), record each result and
    where it is used, and tell the writers of answers whose link just broke."""
    found = collect(answer_ids=answer_ids)
    report = Report()
    checker = Checker()
    try:
        for url, uses in sorted(found.items()):
            result = checker.check(url)
            link = _record(url, uses, result, whole_run=answer_ids is None)
            report.checked += 1
            if result.status == LinkStatus.BROKEN:
                report.broken.append(link)
                if link.broken_since == link.checked_at:
                    report.newly_broken.append(link)
            elif result.status == LinkStatus.REDIRECTED:
                report.redirected.append(link)
    finally:
        checker.close()
    if answer_ids is None:
        # Links no longer used by any live answer are no longer reported.
        OutboundLink.objects.exclude(url__in=list(found)).delete()
    return report


def _record(url, uses, result, *, whole_run):
    now = timezone.now()
    with transaction.atomic():
        link, _ = OutboundLink.objects.select_for_update().get_or_create(url=url)
        was_broken = link.status == LinkStatus.BROKEN
        link.status = result.status
        link.http_status = result.http_status
        link.final_url = result.final_url
        link.error = result.error
        link.checked_at = now
        if result.status == LinkStatus.BROKEN:
            link.broken_since = link.broken_since if was_broken else now
        else:
            link.broken_since = None
        link.save()
        if whole_run:
            link.answers.set(uses.answers)
            link.references.set(uses.references)
        else:
            link.answers.add(*uses.answers)
            link.references.add(*uses.references)
    return link
