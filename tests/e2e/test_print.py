"""Printing an answer: Chromium's PDF of the page (print stylesheet applied) holds the
question, the answer, every reference with its DOI in full, the review dates, the certainty
statement and the disclaimer, and none of what only works on screen."""

import io
import re

import pytest
from django.utils.dateformat import format as date_format
from pypdf import PdfReader

from tests.e2e.helpers import NOT_GRADED_REASON, make_public_pages

pytestmark = pytest.mark.e2e


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def test_printed_answer_keeps_what_a_paper_copy_needs(browse):
    pages, answer, _ = make_public_pages()
    publication = answer.publication
    watch = browse("reader printing")
    page = watch.page
    assert page.goto(pages["answer"][0]).status == 200
    text = pdf_text(page.pdf(format="A4", print_background=False))
    flat = text.replace(" ", "")  # long DOIs may wrap across lines in the PDF

    assert publication.question in text
    assert "SGLT2 inhibitors are tablets first developed to lower blood sugar" in text
    for reference in publication.data["references"]:
        assert f"doi:{reference['doi']}".replace(" ", "") in flat, reference["doi"]
    assert f"Last reviewed {date_format(publication.approved_at, 'j F Y')}" in text
    assert f"Next review due {date_format(publication.next_review_due, 'j F Y')}" in text
    assert (
        "Incomplete: not yet graded. The certainty of the evidence behind this answer has "
        f"not been graded yet. Why: {NOT_GRADED_REASON}"
    ) in text
    assert publication.data["disclaimer"] in text
    assert re.search(r"Printed from http\S+/questions/", text)
    # What only works on screen is left off the paper.
    for screen_only in (
        "Skip to main content",
        "Was this helpful?",
        "Send report",
        "Copy citation",
    ):
        assert screen_only not in text
    watch.check()
