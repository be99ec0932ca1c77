"""Test helpers shared by several test modules (fixtures live in conftest.py)."""

from html.parser import HTMLParser


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each <script> block."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.scripts = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script" and "src" not in dict(attrs):  # inline blocks: JSON-LD only
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def is_static_script(attrs) -> bool:
    """A <script> that loads one of the site's own static files: what a strict CSP allows."""
    return attrs.get("src", "").startswith("/static/js/") and set(attrs) <= {"src", "defer"}
