"""The in-text citation marker in stored Markdown: "[9]" or "[2, 5]".

One grammar shared by the article format, rendering and the review checklist, so a marker
means the same wherever it is read.
"""

import re

CITATION_MARKER_RE = re.compile(r"\[([0-9]+(?:, ?[0-9]+)*)\](?!\()")
"""A citation marker, "[9]" or "[2, 5]"; not a Markdown link "[9](...)"."""


def split_labels(group: str) -> list[str]:
    """The labels of one marker's inner text: "2, 5" -> ["2", "5"]."""
    return [part.strip() for part in group.split(",")]


def marker_labels(text: str) -> list[str]:
    """Labels cited in the text, each once, in order of first citation."""
    labels: dict[str, None] = {}
    for match in CITATION_MARKER_RE.finditer(text):
        labels.update(dict.fromkeys(split_labels(match.group(1))))
    return list(labels)
