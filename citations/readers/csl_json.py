"""CSL-JSON: what Zotero, Mendeley and citation.js export; already our item shape."""

import json
import re

from .common import ReferenceFileError, ReferenceRecord, RejectedRecord, compact

CSL_TYPE_DEFAULT = "article-journal"


def read(text: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferenceFileError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).",
            error.lineno,
        ) from None
    except RecursionError:
        raise ReferenceFileError(
            "The JSON is nested too deeply to be CSL-JSON: items are objects holding "
            "a few levels of lists and objects, not hundreds."
        ) from None
    if isinstance(data, dict):
        items = [(data, text[: len(text) - len(text.lstrip())].count("\n") + 1)]
    elif isinstance(data, list):
        items = list(zip(data, _json_item_lines(text), strict=True))
    else:
        raise ReferenceFileError(
            "CSL-JSON must be a list of items [ {…}, {…} ] or a single item { … }."
        )
    candidates, rejected = [], []
    for item, line in items:
        if not isinstance(item, dict):
            rejected.append(
                RejectedRecord(line, None, "This entry is not a CSL-JSON item (an object { … }).")
            )
            continue
        label = item.get("id")
        if isinstance(label, bool) or not isinstance(label, (str, int, type(None))):
            rejected.append(RejectedRecord(line, None, "“id” must be text or a number."))
            continue
        label = str(label).strip() or None if label is not None else None
        csl = compact({key: value for key, value in item.items() if key != "id"})
        csl.setdefault("type", CSL_TYPE_DEFAULT)
        candidates.append(ReferenceRecord(label, csl, line))
    return candidates, rejected


def _json_item_lines(text: str) -> list[int]:
    """Line on which each element of the (already validated) top-level JSON list starts."""
    decoder = json.JSONDecoder()
    whitespace = re.compile(r"[ \t\n\r,]*")
    pos = text.index("[") + 1
    line, counted = 1, 0
    lines = []
    while True:
        pos = whitespace.match(text, pos).end()
        if text[pos] == "]":
            return lines
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)
