"""Render an answer with its formatted references into the fields of its public snapshot.

The same rendering serves the clinician's preview and the publication
(`PublishedAnswer.build`), so what a clinician approves is, word for word, what the public
reads. It works on the objects passed in and imports no models.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from citations.formatting import format_bibliography

from .get_help import GET_HELP, NOW, HelpSectionError, parse_help
from .people import person
from .rendering import number_citations, plain_text, render_markdown


def snapshot_fields(
    answer,
    *,
    reviewer=None,
    approved_at=None,
    next_review_due=None,
    sections=None,
    citations=None,
    writers=None,
    mark_long_sentences=False,
) -> dict:
    """The fields of a PublishedAnswer for the answer's current content. The writer's live
    preview passes its unsaved `sections`, `citations` and `writers` instead of the saved
    rows; such a snapshot has no content hash, as it matches no saved content."""
    unsaved = sections is not None
    question = answer.question
    if sections is None:
        sections = answer.ordered_sections()
    if citations is None:
        citations = answer.citations.select_related("reference")
    if writers is None:
        writers = answer.writers.select_related("contributor")
    citations = {c.label: c for c in citations}
    numbers = number_citations([answer.lead] + [s.body for s in sections])
    first_cited: set[int] = set()

    # The writer's live preview marks sentences longer than the house limit.
    highlight = {"long_sentence_words": settings.LONG_SENTENCE_WORDS} if mark_long_sentences else {}
    lead_html = render_markdown(answer.lead, numbers=numbers, first_cited=first_cited, **highlight)
    rendered_sections = []
    for index, section in enumerate(sections, start=1):
        rendered = {
            "anchor": f"section-{index}",
            "heading": section.heading,
            "kind": section.kind,
            "html": render_markdown(
                section.body, numbers=numbers, first_cited=first_cited, **highlight
            ),
            "text": plain_text(section.body),
        }
        if section.kind == GET_HELP and (levels := help_levels(section.body)):
            rendered.update(levels)
            rendered["html"] = render_to_string(
                "answers/includes/get_help.html", {"section": rendered}
            )
        rendered_sections.append(rendered)

    cited = [(number, citations[label]) for label, number in numbers.items() if label in citations]
    formatted = format_bibliography(
        [c.reference.to_csl(item_id=number) for number, c in cited],
        style=settings.CITATION_STYLE,
    )
    references = [
        {
            "number": number,
            "label": citation.label,
            "html": html,
            "csl": citation.reference.to_csl(),
            "doi": citation.reference.doi or "",
            "pmid": citation.reference.pmid or "",
            "backlink": f"cite-{number}" if number in first_cited else "",
        }
        for (number, citation), html in zip(cited, formatted, strict=True)
    ]
    writers = [person(user) for user in writers]
    data = {
        "question": question.text,
        "lead_text": plain_text(answer.lead),
        "sections": rendered_sections,
        "references": references,
        "writers": writers,
        "reviewer": person(reviewer) if reviewer else None,
        "topic": {"name": question.topic.name, "slug": question.topic.slug},
        "disclaimer": question.topic.disclaimer,
        "certainty": certainty_statement(answer),
    }
    approved_at = approved_at or timezone.now()
    return dict(
        slug=question.slug,
        topic=question.topic,
        question=question.text,
        lead_html=lead_html,
        body_html=render_to_string(
            "answers/includes/answer_body.html", {"sections": rendered_sections}
        ),
        references_html=render_to_string(
            "citations/includes/reference_list.html", {"references": references}
        ),
        search_text=" ".join([data["lead_text"]] + [s["text"] for s in rendered_sections]),
        data=data,
        content_hash="" if unsaved else answer.content_hash(),
        first_published_at=approved_at,
        approved_at=approved_at,
        next_review_due=next_review_due or (approved_at + settings.REVIEW_INTERVAL).date(),
    )


def help_levels(body) -> dict:
    """A "When to get help" section's levels as the page lists them, with the emergency
    number of the site at the time of approval; a body that cannot be read (a draft the
    checklist stops) is shown as written instead."""
    try:
        levels = parse_help(body)
    except HelpSectionError:
        return {}
    number = settings.EMERGENCY_NUMBER
    return {
        "emergency_number": number,
        "levels": [
            {
                "key": level.key,
                "label": f"Call {number} now" if level.key == NOW else level.label,
                "signs": list(level.signs),
            }
            for level in levels
        ],
    }


def render_article(publication) -> str:
    """The approved content of a snapshot as the public page shows it, from the snapshot's
    own fields only: stored as its article_html when it is saved, so a page view renders
    none of it, and shown as it is in the clinicians' previews."""
    changes = [
        {**change, "date": parse_datetime(change["date"])}
        for change in (publication.data or {}).get("changes", [])
    ]
    return render_to_string(
        "answers/includes/answer_content.html", {"publication": publication, "changes": changes}
    )


def certainty_statement(answer) -> dict | None:
    """The certainty of evidence as readers see it: GRADE level (or "not yet graded", shown
    as incomplete), plain words, the reason."""
    if not answer.certainty:
        return None
    level = answer.Certainty(answer.certainty)
    return {
        "level": level.value,
        "label": level.label,
        "graded": level.is_graded,
        "plain": level.plain_words,
        "reason": answer.certainty_reason,
    }


def change_log(signoffs) -> list[dict]:
    """The approved versions, newest first, as the answer page's change log lists them."""
    return [
        {
            "date": signoff.created_at.isoformat(),
            "reviewer": person(signoff.reviewer),
            "summary": signoff.change_summary,
            "correction": signoff.is_correction,
        }
        for signoff in signoffs
    ]
