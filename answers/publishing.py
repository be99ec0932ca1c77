"""Render an answer with its formatted references into the public snapshot.

The same `build_snapshot` serves the clinician's preview and the publication, so what a
clinician approves is, word for word, what the public reads.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from citations.formatting import format_bibliography

from .models import PublishedAnswer, display_name
from .rendering import number_citations, plain_text, render_markdown


def person(user):
    """A writer or reviewer as the byline and structured data name them."""
    contributor = getattr(user, "contributor", None)
    return {
        "name": display_name(user),
        "credentials": contributor.credentials if contributor else "",
        "role": contributor.role_title if contributor else "",
        "orcid": contributor.orcid if contributor else "",
    }


def build_snapshot(answer, *, reviewer=None, approved_at=None, next_review_due=None):
    """An unsaved PublishedAnswer for the answer's current content."""
    question = answer.question
    sections = answer.ordered_sections()
    citations = {c.label: c for c in answer.citations.select_related("reference")}
    numbers = number_citations([answer.lead] + [s.body for s in sections])
    first_cited: set[int] = set()

    lead_html = render_markdown(answer.lead, numbers=numbers, first_cited=first_cited)
    rendered_sections = []
    for index, section in enumerate(sections, start=1):
        rendered_sections.append(
            {
                "anchor": f"section-{index}",
                "heading": section.heading,
                "kind": section.kind,
                "html": render_markdown(section.body, numbers=numbers, first_cited=first_cited),
                "text": plain_text(section.body),
            }
        )

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
    writers = [person(user) for user in answer.writers.select_related("contributor")]
    data = {
        "question": question.text,
        "lead_text": plain_text(answer.lead),
        "sections": rendered_sections,
        "references": references,
        "writers": writers,
        "reviewer": person(reviewer) if reviewer else None,
        "topic": {"name": question.topic.name, "slug": question.topic.slug},
        "disclaimer": question.topic.disclaimer,
    }
    approved_at = approved_at or timezone.now()
    return PublishedAnswer(
        answer=answer,
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
        content_hash=answer.content_hash(),
        first_published_at=approved_at,
        approved_at=approved_at,
        next_review_due=next_review_due or (approved_at + settings.REVIEW_INTERVAL).date(),
    )


def publish(answer, *, signoff) -> PublishedAnswer:
    """Replace the answer's public snapshot with its signed-off content."""
    snapshot = build_snapshot(
        answer,
        reviewer=signoff.reviewer,
        approved_at=signoff.created_at,
        next_review_due=answer.next_review_due,
    )
    if snapshot.content_hash != signoff.content_hash:
        raise ValueError("The content to publish is not the content signed off.")
    previous = PublishedAnswer.objects.filter(answer=answer).first()
    if previous is not None:
        snapshot.pk = previous.pk
        snapshot.first_published_at = previous.first_published_at
        # A re-approved answer keeps its public address, even if the draft's slug changed.
        snapshot.slug = previous.slug
    snapshot.signoff = signoff
    snapshot.save()
    return snapshot
