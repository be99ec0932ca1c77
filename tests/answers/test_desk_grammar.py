"""The writer's desk script reads citation markers with the grammar the server sends
(citations.markers.for_browser, on the change page as JSON), and numbers a new citation by
the rule of answers.cite_in_answer.first_free_label. These tests run the desk's own module
(static/js/desk/markers.js) under node on the same examples as Python."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from answers.cite_in_answer import first_free_label
from citations import markers
from citations.markers import for_browser, marker_labels
from tests.e2e.helpers import ROOT, require
from tests.factories import answer_url, draft, login

MARKERS_JS = ROOT / "static" / "js" / "desk" / "markers.js"

# Text a writer may type, and what each engine must read in it.
MARKER_EXAMPLES = [
    "No marker here.",
    "One study [9].",
    "Two studies [2, 5].",
    "No space after the comma [2,5].",
    "Several [1, 2, 3] and again [12].",
    "A link, not a marker: [9](https://example.org/9).",
    "Letters are not labels: [a], [9a], [ 9 ], [9 ].",
    "Two spaces are not a marker: [2,  5].",
    "Brackets inside text [[3]] and [4][5].",
    "Across lines [1,\n2] is not a marker; [6]\n[7] are.",
    "Unicode around it: café [8] — ünïcode [10].",
    "Large numbers [123456] and leading zeros [007].",
    "Empty [] and comma only [,] and trailing [1,].",
    "Numbers in prose: 4,744 people, 2 [3].",
]

# Row labels and texts, as the change form holds them unsaved.
NUMBERING_EXAMPLES = [
    ([], []),
    ([], ["No markers."]),
    (["1"], ["Yes [1]."]),
    (["1", "2"], ["Yes [1].", "Two studies [2, 7]."]),  # [7] typed before its row
    (["3", ""], ["[1]"]),
    (["x", "12a"], ["[4](link) and [2]"]),
    (["10"], ["[9, 11]"]),
    ([], ["[007]"]),
]


class _JsonScript(HTMLParser):
    """The text of the `<script type="application/json">` with the given id."""

    def __init__(self, element_id):
        super().__init__()
        self.element_id, self.inside, self.text = element_id, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("id") == self.element_id:
            assert attrs.get("type") == "application/json"
            self.inside = True

    def handle_data(self, data):
        if self.inside:
            self.text = data

    def handle_endtag(self, tag):
        self.inside = False


def desk_config_on_page(html):
    parser = _JsonScript("qa-desk-config")
    parser.feed(html)
    assert parser.text is not None, "the change page carries no desk configuration"
    return json.loads(parser.text)


def run_desk_markers(grammar, calls):
    """Each (function, args) call run by the desk's markers.js module under node."""
    require(shutil.which("node"), "node is missing")
    script = (
        f"const m = await import({json.dumps(MARKERS_JS.as_uri())});\n"
        f"const grammar = {json.dumps(grammar)};\n"
        f"const calls = {json.dumps(calls)};\n"
        "console.log(JSON.stringify(calls.map(([name, args]) => m[name](...args, grammar))));\n"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.django_db
def test_the_change_page_carries_the_grammar_of_citations_markers(monkeypatch):
    answer, writer = draft()
    page = login(writer).get(answer_url("change", answer)).content.decode()
    config = desk_config_on_page(page)
    assert config["citing"] == for_browser()
    assert config["citing"]["marker"]["source"] == markers.CITATION_MARKER_RE.pattern
    assert config["draftKey"] == f"qa-desk:{answer.pk}:{writer.pk}"
    # Changing the Python definition is what the next page carries.
    monkeypatch.setattr(markers, "CITATION_MARKER_RE", re.compile(r"\[([0-9]+)\]"))
    page = login(writer).get(answer_url("change", answer)).content.decode()
    assert desk_config_on_page(page)["citing"]["marker"]["source"] == r"\[([0-9]+)\]"


def test_the_desk_script_reads_markers_as_python_does():
    grammar = for_browser()
    from_js = run_desk_markers(grammar, [["markerLabels", [text]] for text in MARKER_EXAMPLES])
    # markerLabels gives every occurrence; marker_labels each label once, in first order.
    assert [list(dict.fromkeys(labels)) for labels in from_js] == [
        marker_labels(text) for text in MARKER_EXAMPLES
    ]
    assert from_js[2] == ["2", "5"]  # the table is read, not empty on both sides


def test_the_desk_script_numbers_a_new_citation_as_python_does():
    grammar = for_browser()
    calls = [["firstFreeLabel", [rows, texts]] for rows, texts in NUMBERING_EXAMPLES]
    from_js = run_desk_markers(grammar, calls)
    assert from_js == [first_free_label(rows, texts) for rows, texts in NUMBERING_EXAMPLES]
    assert from_js[3] == 8


def test_the_desk_script_follows_a_changed_grammar():
    """The script holds no pattern of its own: a grammar sent with one more form of marker
    (here "[2-5]" read as its first label) is the one it reads."""
    grammar = for_browser()
    grammar["marker"]["source"] = r"\[([0-9]+)(?:-[0-9]+)?\]"
    assert run_desk_markers(grammar, [["markerLabels", ["[2-5] and [7]"]]]) == [["2", "7"]]


def test_a_pattern_the_browser_would_read_differently_is_refused():
    unportable = (
        r"\[(\d+)\]",
        r"(?P<l>[0-9]+)",
        r"[0-9]+\Z",
        r"(?i)x",
        r"\bx",
        "x$",
        "a.b",
        "[\\s]",
    )
    for pattern in unportable:
        with pytest.raises(ValueError, match="JavaScript"):
            markers.browser_regex(re.compile(pattern))
    with pytest.raises(ValueError, match="plain text"):
        markers.browser_regex(re.compile(r"x  # comment", re.VERBOSE))
    assert markers.browser_regex(re.compile("a.b", re.IGNORECASE | re.DOTALL)) == {
        "source": "a.b",
        "flags": "gisu",
    }
    assert markers.browser_regex(re.compile(r"[.$]\.\$"))["source"] == r"[.$]\.\$"
