"""Run in a separate process against a restored database (DATABASE_URL): prints, as JSON, the
public page of each slug given, every sign-off's content hash, and the audit log's check."""

import json
import os
import sys
from io import StringIO

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_cms.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from answers.models import SignOff  # noqa: E402

setup_test_environment()
client = Client()
pages = {slug: client.get(reverse("question", args=[slug])) for slug in sys.argv[1:]}
verified = StringIO()
call_command("verify_audit_log", stdout=verified)
print(
    json.dumps(
        {
            "pages": {slug: [r.status_code, r.content.decode()] for slug, r in pages.items()},
            "signoffs": sorted(SignOff.objects.values_list("pk", "content_hash")),
            "verify": verified.getvalue(),
        }
    )
)
