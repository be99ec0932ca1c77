"""The editors' product: writers draft answers here, clinicians review them, editors run
the desk. One module per concern:

- `answers`: the answer list and change page (with `inlines`, `forms` and `diff`);
- `workflow`: submit, review, request changes, approve, withdraw, preview;
- `history`: versions, compare, restore;
- `desks`: topics, questions, contributors, sign-offs, publications, feedback, audit log;
- `imports`: the upload pages for articles and reference files;
- `references`: the library's ReferenceAdmin, sending answers citing a changed reference
  back to review;
- `pages`: the about pages editors publish (with their history).
"""

from . import answers, desks, pages, references  # noqa: F401  (registers the model admins)
