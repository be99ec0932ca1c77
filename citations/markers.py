"""The in-text citation marker in stored Markdown: "[9]" or "[2, 5]".

One grammar shared by the article format, rendering, the review checklist and the writer's
desk in the browser (which receives it from `for_browser()`), so a marker means the same
wherever it is read.
"""

import re

CITATION_MARKER_RE = re.compile(r"\[([0-9]+(?:, ?[0-9]+)*)\](?!\()")
"""A citation marker, "[9]" or "[2, 5]"; not a Markdown link "[9](...)"."""

LABEL_SEPARATOR = ","
"""What separates the labels inside one marker."""

_INLINE_FLAGS_RE = re.compile(r"\(\?[aiLmsux-]+[:)]")
_JS_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}


def split_labels(group: str) -> list[str]:
    """The labels of one marker's inner text: "2, 5" -> ["2", "5"]."""
    return [part.strip() for part in group.split(LABEL_SEPARATOR)]


def marker_labels(text: str) -> list[str]:
    """Labels cited in the text, each once, in order of first citation."""
    labels: dict[str, None] = {}
    for match in CITATION_MARKER_RE.finditer(text):
        labels.update(dict.fromkeys(split_labels(match.group(1))))
    return list(labels)


def browser_regex(pattern: re.Pattern) -> dict:
    """`pattern` as the source and flags of a JavaScript RegExp that matches the same
    strings ("g" to find every match, "u" because Python reads text as Unicode). Refused
    with ValueError where the two engines would read the pattern differently."""
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.VERBOSE | re.ASCII):
        raise ValueError(f"{pattern.pattern!r}: only plain text patterns go to the browser")
    if found := _not_portable(pattern.pattern, pattern.flags):
        raise ValueError(
            f"{pattern.pattern!r}: {found!r} means something else (or nothing) in "
            "JavaScript; write it portably ([0-9] for \\d, \\n for $, [^\\n] for .)"
        )
    flags = "g" + "".join(js for flag, js in _JS_FLAGS.items() if pattern.flags & flag) + "u"
    return {"source": pattern.pattern, "flags": flags}


def for_browser() -> dict:
    """The marker grammar the writer's desk script reads markers with: the regex (its
    first group holds the labels) and the separator between labels."""
    return {"marker": browser_regex(CITATION_MARKER_RE), "separator": LABEL_SEPARATOR}


def _not_portable(source: str, flags: int) -> str | None:
    """The first piece of `source` that Python's `re` and JavaScript's RegExp (with "u")
    read differently or that only one of them reads: Unicode-aware classes (\\d, \\w,
    \\s, \\b), "$" (Python also matches before a final newline), "." without DOTALL
    (JavaScript also stops at \\r and U+2028), and Python-only groups and quantifiers."""
    index, in_class = 0, False
    while index < len(source):
        char, rest = source[index], source[index:]
        if char == "\\":
            if rest[1:2] and rest[1] in "AZdDwWsSbB":
                return rest[:2]
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$" or (char == "." and not flags & re.DOTALL):
            return char
        elif rest.startswith(("(?P", "(?#", "(?>")):
            return rest[:3]
        elif found := _INLINE_FLAGS_RE.match(rest):
            return found.group()
        elif char in "*+?}" and rest[1:2] == "+":
            return rest[:2]
        index += 1
    return None
