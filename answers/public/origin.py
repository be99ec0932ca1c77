"""Cross-site request protection without a CSRF cookie, for the reader feedback form.

The answer pages are cached whole and shared by every reader, so they cannot carry a
per-reader CSRF token or set its cookie. The form has no sign-in behind it (a forged post
could say nothing an attacker could not post directly; the rate limit bounds both), so
what matters is refusing posts a browser makes on another site's behalf. Browsers say
where a request comes from: `Sec-Fetch-Site` (every current browser) or, before it,
`Origin` (sent on every cross-origin POST). The rule is Go's `http.CrossOriginProtection`
(Go 1.25): a request naming neither comes from no browser and so from no victim's page.
"""

from urllib.parse import urlsplit

from django.conf import settings


def same_origin(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    return parts.scheme == request.scheme and parts.netloc == request.get_host()
