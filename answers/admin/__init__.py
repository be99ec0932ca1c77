"""The editors' product: writers draft answers here, clinicians review them, editors run
the desk. One module per concern:

- `answers`: the answer list and change form (with `inlines`, `forms`, `list_filters`,
  `loading`, `diff`); `answer_urls` registers the pages about one answer beside it, each a
  plain view given the admin site:
  - `workflow`: submit, request changes, approve, withdraw;
  - `review_page`: the clinician's review page; `previews`: the framed previews it signs;
  - `review_cycle`: confirm still accurate, schedule, preview links, section comments;
  - `assignment`: reassigning the reviewer; `history`: versions, compare, restore;
  - `cite_by_identifier`: citing by DOI/PMID; `writers_desk`: the desk's live preview,
    library search and session check;
  - shared, with public names: `answer_page` (loading with the permission check, addresses,
    rendering), `status_panel` (the panel's buttons and reasons), `form_page` (the workflow
    form page and signing), `wording` (how refusals and times are worded);
- `my_work`: the admin index's My work;
- `desk_admins`: topics, questions, contributors, sign-offs, publications, audit log;
- `imports`: the upload pages for articles and reference files;
- `references`: the library's ReferenceAdmin, sending answers citing a changed reference
  back to review;
- `pages`: the about pages editors publish (with their history);
- `glossary`: glossary terms, drafted by writers and signed off by clinicians;
- `review_buttons`: the medical-review buttons the glossary's and translations' pages share;
- `reader_reports`: the problem reports' queue and the readers' votes;
- `reader_search`: synonym sets, promoted answers and the search report;
- `releases`: releases (answers that go live together), publish and take back;
- `translations`: translations, started from a published answer, exchanged as XLIFF, signed
  off in their own language;
- `links`: the link health report (broken and redirected links, with their answers).
"""

from . import (  # noqa: F401  (registers the model admins)
    answers,
    desk_admins,
    glossary,
    links,
    pages,
    reader_reports,
    reader_search,
    references,
    releases,
    translations,
)
