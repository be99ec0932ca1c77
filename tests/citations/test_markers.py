"""The in-text citation marker grammar."""

from citations.markers import CITATION_MARKER_RE, marker_labels, split_labels


def test_citation_marker_regex_and_labels():
    match = CITATION_MARKER_RE.search("ejection fractions [2, 5].")
    assert match.group(0) == "[2, 5]"
    assert match.group(1) == "2, 5"
    assert CITATION_MARKER_RE.search("see [9](https://example.org)") is None
    assert marker_labels("a [9]. b [10]. c [9, 11]. d [1].") == ["9", "10", "11", "1"]
    assert marker_labels("no markers, 4,744 people") == []


def test_marker_without_space_after_comma():
    assert marker_labels("a [2,5].") == ["2", "5"]
    assert split_labels("2, 5") == ["2", "5"]


def test_letters_are_not_markers():
    assert marker_labels("see [a] and [9a] and [ 9 ]") == []
