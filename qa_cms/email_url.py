"""EMAIL_URL, one variable for the outgoing mail server, in the style of DATABASE_URL:

    smtp://user:password@host:587?tls=1   SMTP with STARTTLS
    smtps://user:password@host:465        SMTP over TLS from the first byte
    smtp://host:25                        plain SMTP (a relay on the same network)
    console://                            print each email (local work)

Written by hand: it is a dozen lines, and dj-email-url is no longer kept up."""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _flag(query, name):
    value = query.get(name, [""])[-1].lower()
    if value not in TRUE | FALSE:
        raise ImproperlyConfigured(f"EMAIL_URL: {name}={value!r} is not 1/0, true/false.")
    return value in TRUE


def parse_email_url(url: str) -> dict:
    """The Django EMAIL_* settings an EMAIL_URL stands for."""
    parts = urlsplit(url.strip())
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtps:// or console://, not {parts.scheme!r}."
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    ssl = parts.scheme == "smtps" or _flag(query, "ssl")
    tls = _flag(query, "tls")
    if ssl and tls:
        raise ImproperlyConfigured(
            "EMAIL_URL: choose STARTTLS (tls=1) or implicit TLS (smtps), not both."
        )
    try:
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL: {error}.") from error
    config = {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port or (465 if ssl else 587 if tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
    }
    if "timeout" in query:
        try:
            config["EMAIL_TIMEOUT"] = float(query["timeout"][-1])
        except ValueError as error:
            raise ImproperlyConfigured("EMAIL_URL: timeout must be a number of seconds.") from error
    return config
