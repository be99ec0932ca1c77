"""The "When to get help" section: three levels of urgency, each a short list of signs.

Its body is plain lines, the same in the admin and in the article format:

    See a doctor soon:
    - Sign A
    Get help today:
    - Sign B
    Call the emergency number now:
    - Sign C

Levels come in this order, each at most once, each with at least one "- " sign; signs carry
no citations. No models or settings here, so the article format can share it.
"""

from dataclasses import dataclass

from citations.markers import CITATION_MARKER_RE

GET_HELP = "get_help"

SOON, TODAY, NOW = "soon", "today", "now"
LEVELS = (
    (SOON, "See a doctor soon"),
    (TODAY, "Get help today"),
    (NOW, "Call the emergency number now"),
)
LEVEL_LINES = {f"{label}:": key for key, label in LEVELS}
"""Each level's line as written, with its colon: reserved inside a help section."""


class HelpSectionError(ValueError):
    """Why a help section's body cannot be read, with its line within the body (1-based)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class HelpLevel:
    key: str
    label: str
    signs: tuple[str, ...]


def level_lines_hint() -> str:
    return ", ".join(f"“{line}”" for line in LEVEL_LINES)


def parse_help(body: str) -> list[HelpLevel]:
    """The levels of a help section's body, or HelpSectionError in a writer's words."""
    order = [key for key, _ in LEVELS]
    labels = dict(LEVELS)
    levels: list[tuple[str, list[str]]] = []
    for n, raw in enumerate((body or "").replace("\r\n", "\n").split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line in LEVEL_LINES:
            key = LEVEL_LINES[line]
            if levels and not levels[-1][1]:
                raise HelpSectionError(
                    f"“{labels[levels[-1][0]]}” has no signs under it: add “- ” lines or remove it",
                    n,
                )
            if any(key == seen for seen, _ in levels):
                raise HelpSectionError(f"“{line}” comes twice: list its signs once", n)
            if levels and order.index(key) < order.index(levels[-1][0]):
                raise HelpSectionError(
                    f"“{line}” comes after a more urgent level: keep the order {level_lines_hint()}",
                    n,
                )
            levels.append((key, []))
        elif line.startswith("- ") and line[2:].strip():
            if not levels:
                raise HelpSectionError(
                    f"a sign comes before any level: start with one of {level_lines_hint()}", n
                )
            if CITATION_MARKER_RE.search(line):
                raise HelpSectionError(
                    "a sign cannot cite a reference: cite it in a prose section", n
                )
            levels[-1][1].append(line[2:].strip())
        else:
            raise HelpSectionError(
                f"“{line[:60]}” is neither a level ({level_lines_hint()}) nor a “- ” sign", n
            )
    if not levels:
        raise HelpSectionError(f"it has no levels: write one of {level_lines_hint()}")
    if not levels[-1][1]:
        raise HelpSectionError(
            f"“{labels[levels[-1][0]]}” has no signs under it: add “- ” lines or remove it"
        )
    return [HelpLevel(key, labels[key], tuple(signs)) for key, signs in levels]
