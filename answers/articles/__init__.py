"""The plain-text article format: parse it into fields, and write fields back out.

No models or settings, so the importer, the exporter, the admin and the tests share one
definition of the format: line 1 the question, then lead paragraphs, then sections (a short
heading line, then paragraphs or "- " questions), then the fixed disclaimer naming the topic.
answers/demo_content/*.txt are real examples.

Choices the format leaves open, decided here:

* Blank lines and spaces at either end of a line are ignored; CRLF and CR line endings are
  read as LF. The canonical form (what format_article writes, and what round-trips byte
  for byte) has none of these. Whether the file ended with a newline is kept in
  final_newline: the CAR-T sample has none, the SGLT2 sample has one.
* A heading is a line of at most 80 characters and 12 words, with a letter in it, that is
  not a "- " item and has no final full stop. So a short sentence ending in "?" or ":" in
  the middle of prose is read as a heading.
* A citation is a number (or "2, 5") after a word and right before a full stop that ends
  the line or is followed by a space. Numbers that could also be text there (after "of",
  "aged", "=", ...; 0, leading zeros, 1000 and above, "4,744") stay text with a warning.
* A heading followed right away by a level line ("See a doctor soon:", "Get help today:",
  "Call the emergency number now:") starts a "When to get help" section: level lines, each
  with "- " signs under it, up to the next other heading (answers/get_help.py).
* A number in square brackets such as "[9]" is an error in the plain text: in the stored
  Markdown that is a citation marker, so it cannot also be literal text.
"""

from ..get_help import GET_HELP
from .common import (
    MAX_ARTICLE_BYTES,
    PROSE,
    QUESTIONS,
    ArticleFormatError,
    ArticleSection,
    ArticleWarning,
    ParsedArticle,
    decode_article,
    disclaimer_for,
)
from .export import format_article
from .parse import parse_article

__all__ = [
    "GET_HELP",
    "MAX_ARTICLE_BYTES",
    "PROSE",
    "QUESTIONS",
    "ArticleFormatError",
    "ArticleSection",
    "ArticleWarning",
    "ParsedArticle",
    "decode_article",
    "disclaimer_for",
    "format_article",
    "parse_article",
]
