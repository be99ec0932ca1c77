"""Outages degrade, not break: a fault outside the code (the database unreachable) answers
503 "try again in a minute" with Retry-After, never 500."""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

# What Django raises when the database cannot be reached or cannot serve now (connection
# refused or lost, server shutting down, "database is locked"): not a bug in the code.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def service_unavailable():
    """The plain 503 page. It touches neither the database nor the session: no context
    processors, no cookie, nothing any cache may keep."""
    response = HttpResponse(
        loader.render_to_string("503.html"),
        status=503,
    )
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: Django calls it inside the `except` that caught the error, in a view or
    in any middleware. An unreachable database gets the 503; anything else is a bug: 500."""
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        return service_unavailable()
    return defaults.server_error(request, template_name)
