"""The editors' product: writers draft answers here, clinicians review them, editors run
the desk. One module per concern:

- `answers`: the answer list and change page (with `inlines`, `forms` and `diff`);
- `writers_desk`: the change page's live preview, library search and session check;
- `workflow`: submit, review, request changes, approve, withdraw, preview;
- `review_cycle`: confirm still accurate, schedule, preview links, section comments;
- `assignment`, `cite_by_identifier`, `my_work`: who reviews, citing by DOI/PMID, My work;
- `history`: versions, compare, restore;
- `desk_admins`: topics, questions, contributors, sign-offs, publications, feedback, audit log;
- `imports`: the upload pages for articles and reference files;
- `references`: the library's ReferenceAdmin, sending answers citing a changed reference
  back to review;
- `pages`: the about pages editors publish (with their history);
- `reader_search`: synonym sets, promoted answers and the search report;
- `wording`: how refusals and times are worded in messages.
"""

from . import answers, desk_admins, pages, reader_search, references  # noqa: F401  (registers the model admins)
