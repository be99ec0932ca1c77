"""Static files as production serves them: collectstatic's content-hashed, compressed copies,
served by WhiteNoise with far-future caching (the rest of the suite uses plain names)."""

import re
from urllib.parse import urljoin

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import answer_url, draft, login

PRODUCTION_STORAGE = "qa_cms.static_storage.StaticFilesStorage"  # settings.STORAGES, DEBUG off
DESK_MODULES = {
    "main",
    "cite",
    "drafts",
    "form",
    "layout",
    "markers",
    "preview",
    "saving",
    "server",
    "structure",
}
HASHED_MODULE_RE = re.compile(r"/static/js/desk/(\w+)\.[0-9a-f]{12}\.js")
IMPORT_RE = re.compile(r"""\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']""")


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION_STORAGE},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_pages_link_hashed_static_files_served_compressed_for_ten_years(collected):
    client = Client()  # a new client loads the middleware, so WhiteNoise sees the files
    page = client.get("/admin/login/").content.decode()
    [css] = re.findall(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)

    response = client.get(css, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
    assert (collected / css.removeprefix("/static/")).with_suffix(".css.br").is_file()


@pytest.mark.django_db
def test_the_desk_modules_import_each_other_by_their_hashed_names(collected):
    """main.<hash>.js must import cite.<hash>.js, not "./cite.js": a plain name is cached
    briefly and may come from another release than the module importing it."""
    answer, writer = draft()
    client = login(writer)  # a new client loads the middleware, so WhiteNoise sees the files
    page = client.get(answer_url("change", answer)).content.decode()
    [main] = re.findall(r'<script type="module" src="(/static/js/desk/main\.\w+\.js)"', page)
    seen, waiting = {}, [main]
    while waiting:
        url = waiting.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/javascript")
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        name = HASHED_MODULE_RE.fullmatch(url)
        assert name, f"{url} is not a content-hashed name"
        seen[url] = name.group(1)
        source = b"".join(response.streaming_content).decode()
        for found in IMPORT_RE.finditer(source):
            waiting.append(urljoin(url, found.group(1) or found.group(2)))
    assert set(seen.values()) == DESK_MODULES
