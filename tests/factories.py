"""Keyword-only factory functions: each test states only the data it relies on."""

import time
from itertools import count

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify
from django_otp.oath import TOTP

from answers.models import Answer, Contributor, Question, Section, Topic
from answers.roles import EDITORS, MEDICAL_REVIEWERS, WRITERS
from citations.models import Citation, Reference

_n = count(1)


def make_user(
    *,
    username=None,
    group=None,
    credentials="",
    display_name=None,
    superuser=False,
    email=None,
    languages="",
):
    username = username or f"user{next(_n)}"
    email = f"{username}@example.org" if email is None else email
    if superuser:
        user = User.objects.create_superuser(username=username, password="pw", email=email)
    else:
        user = User.objects.create_user(
            username=username, password="pw", is_staff=True, email=email
        )
    if group:
        user.groups.add(Group.objects.get(name=group))
    Contributor.objects.create(
        user=user,
        display_name=display_name or username.title(),
        credentials=credentials,
        languages=languages,
    )
    return user


def make_writer(**kwargs):
    return make_user(group=WRITERS, **kwargs)


def make_clinician(**kwargs):
    kwargs.setdefault("credentials", "MD")
    return make_user(group=MEDICAL_REVIEWERS, **kwargs)


def make_editor(**kwargs):
    return make_user(group=EDITORS, **kwargs)


def make_topic(*, name=None):
    name = name or f"Topic {next(_n)}"
    return Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]


def make_reference(*, title=None, complete=True, **fields):
    """A reference with every field a complete citation needs (unless complete=False).
    Test data only: these records stand for no real work and never reach the demo."""
    n = next(_n)
    values = {"title": title or f"Test reference {n}"}
    if complete:
        values.update(
            authors=[{"family": "Tester", "given": "Ann"}],
            container_title="Journal of Tests",
            container_title_short="J Tests",
            year=2024,
            volume="1",
            page=f"{n}-{n + 5}",
            doi=f"10.5555/test.{n}",
        )
    values.update(fields)
    return Reference.objects.create(**values)


def make_answer(
    *,
    question="Does the test pass?",
    topic=None,
    lead="Yes, most of the time [1].",
    sections=(
        ("What the research says", "prose", "A study found it [1]."),
        ("What to ask your doctor", "questions", "- Will it pass?"),
    ),
    references=None,
    writers=(),
    slug=None,
    certainty="moderate",
    certainty_reason="Test: the reason for this certainty.",
):
    """An answer with sections and, by default, a complete reference for each cited label."""
    topic = topic or make_topic()
    q = Question.objects.create(
        text=question, topic=topic, slug=slug or Question.unique_slug_for(question)
    )
    answer = Answer.objects.create(
        question=q, lead=lead, certainty=certainty, certainty_reason=certainty_reason
    )
    for position, (heading, kind, body) in enumerate(sections, start=1):
        Section.objects.create(
            answer=answer, position=position, heading=heading, kind=kind, body=body
        )
    if references is None:
        from answers.rendering import number_citations

        labels = number_citations([lead] + [body for _, _, body in sections])
        references = {label: make_reference() for label in labels}
    for label, reference in references.items():
        Citation.objects.create(answer=answer, reference=reference, label=label)
    answer.writers.set(writers)
    return answer


# ---------------------------------------------------------------- driving the admin


def reference_form_data(**fields):
    """A complete journal article as the reference admin form posts it. Test data only: no real work."""
    data = {
        "type": "article-journal",
        "title": "Test reference from the form",
        "authors": "Tester, Ann\nExample, Bo B",
        "container_title": "Journal of Tests",
        "container_title_short": "J Tests",
        "year": "2024",
        "month": "",
        "day": "",
        "volume": "3",
        "issue": "",
        "page": "10-12",
        "doi": "",
        "pmid": "",
        "pmcid": "",
        "url": "",
        "publication_type": "",
        "note": "",
        "retraction_doi": "",
    }
    data.update(fields)
    return data


APPROVE = {
    "sources_checked": "on",
    "wording_safe": "on",
    "comment": "Clear and accurate.",
    "password": "pw",  # make_user's: the clinician's signature
    "change_summary": "Test: re-reviewed.",
}


def approval(answer, **fields):
    """The approve form as the review page draws it for `answer` now: APPROVE, signing the
    version on screen (its content hash), with `fields` changed."""
    answer.refresh_from_db()
    return {
        **APPROVE,
        "shown_hash": answer.content_hash(),
        "shown_revision": answer.submitted_revision_id or "",
        **fields,
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def answer_url(name, answer, *args):
    return reverse(f"admin:answers_answer_{name}", args=[answer.pk, *args])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def status_of(answer):
    return Answer.objects.get(pk=answer.pk).status


def draft(*, writer=None, **kwargs):
    writer = writer or make_writer()
    return make_answer(writers=[writer], **kwargs), writer


def in_review(*, writer=None, **kwargs):
    answer, writer = draft(writer=writer, **kwargs)
    answer.submit(by=writer)
    return answer, writer


def approve(answer, clinician=None, **overrides):
    """`clinician` (a new one by default) signs off `answer` as the review page would: the
    version on screen now, both checks ticked, their password. `overrides` change any of it."""
    answer.refresh_from_db()
    signing = {
        "by": clinician or make_clinician(),
        "password": "pw",
        "shown_hash": answer.content_hash(),
        "sources_checked": True,
        "wording_safe": True,
        **overrides,
    }
    return answer.approve(**signing)


def published(*, writer=None, clinician=None, **kwargs):
    """An answer a writer submitted and a clinician approved, so it has a live snapshot:
    (answer, writer, clinician)."""
    answer, writer = in_review(writer=writer, **kwargs)
    clinician = clinician or make_clinician()
    approve(answer, clinician)
    return answer, writer, clinician


def change_form_data(answer, **overrides):
    """The POST the answer's change page sends when saved as it stands."""
    question = answer.question
    data = {
        "question_text": question.text,
        "slug": question.slug,
        "topic": question.topic_id,
        "lead": answer.lead,
        "writers": [user.pk for user in answer.writers.all()],
        "certainty": answer.certainty,
        "certainty_reason": answer.certainty_reason,
        "change_note": "",
        # As the page sends it: the version the writer opened (this one, as stored now).
        "loaded_version": Answer.objects.get(pk=answer.pk).updated_at.isoformat(),
    }
    sections = answer.ordered_sections()
    data |= {
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-answer": answer.pk,
            f"sections-{i}-position": section.position,
            f"sections-{i}-heading": section.heading,
            f"sections-{i}-kind": section.kind,
            f"sections-{i}-body": section.body,
        }
    citations = list(answer.citations.order_by("pk"))
    data |= {
        "citations-TOTAL_FORMS": len(citations),
        "citations-INITIAL_FORMS": len(citations),
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
    }
    for i, citation in enumerate(citations):
        data |= {
            f"citations-{i}-id": citation.pk,
            f"citations-{i}-answer": answer.pk,
            f"citations-{i}-label": citation.label,
            f"citations-{i}-reference": citation.reference_id,
        }
    data.update(overrides)
    return data


def save_answer(client, answer, **overrides):
    return client.post(
        answer_url("change", answer), change_form_data(answer, **overrides), follow=True
    )


def public_page(answer):
    slug = Answer.objects.get(pk=answer.pk).question.slug
    return Client().get(reverse("question", args=[slug]))


def publish_answer(*, writer=None, clinician=None, **answer_fields):
    """`published()`'s answer alone."""
    return published(writer=writer, clinician=clinician, **answer_fields)[0]


def large_sections(*, sections=30, citations=60):
    """Fake test text: `sections` sections citing `citations` references between them, the
    last being the "What to ask your doctor" list (which cites nothing)."""
    prose = sections - 1
    bodies = [[] for _ in range(prose)]
    for label in range(1, citations + 1):
        bodies[(label - 1) % prose].append(
            f"Test sentence number {label} for the budget [{label}]."
        )
    result = [
        (f"Test heading {index}", "prose", " ".join(sentences) or "Test text without citations.")
        for index, sentences in enumerate(bodies, start=1)
    ]
    result.append(
        ("What to ask your doctor", "questions", "- Test question one?\n- Test question two?")
    )
    return tuple(result)


def totp_code(device, *, steps_ahead=0):
    """The code an authenticator app shows for `device` now (or `steps_ahead` periods later:
    django-otp refuses a code twice, and accepts the next period's)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


# ---------------------------------------------------------------- translations

TEST_TEXT = "Texto de prueba"
"""Marked test text standing in for a translation: never a medical claim in any language."""


def fill_translation(translation, *, by, keep_markers=True):
    """Every part of `translation` filled with marked test text, with the source version's
    citation markers (unless `keep_markers` is False), as a translator would save it."""
    from answers.models.translations import marker_sequence

    source = translation.source()

    def text(english, n):
        markers = (
            "".join(f" [{label}]" for label in marker_sequence(english)) if keep_markers else ""
        )
        return f"{TEST_TEXT} {n}{markers}." if english.strip() else ""

    with translation.editing(by=by, comment="Translated") as locked:
        locked.question_text = f"{TEST_TEXT}: pregunta {locked.answer_id}?"
        locked.lead = text(source.lead, 0)
        for section, english in zip(locked.ordered_sections(), source.sections, strict=True):
            section.heading = f"{TEST_TEXT} {section.position}"
            section.body = (
                "- " + text(english["body"], section.position)
                if english["kind"] == "questions"
                else text(english["body"], section.position)
            )
            section.save()
    translation.refresh_from_db()
    return translation


def make_translator(**kwargs):
    return make_writer(languages="es", **kwargs)


def make_spanish_clinician(**kwargs):
    return make_clinician(languages="es", **kwargs)


def approve_translation(translation, clinician=None, **overrides):
    translation.refresh_from_db()
    return translation.approve(
        **{
            "by": clinician or make_spanish_clinician(),
            "password": "pw",
            "shown_hash": translation.content_hash(),
            "faithful": True,
            "wording_safe": True,
            **overrides,
        }
    )


# Sections whose XLIFF export holds every kind of unit: prose paragraphs with citations, list
# items, and "When to get help" (its level lines and signs). Marked test text.
XLIFF_SECTIONS = (
    ("What the research says", "prose", "A study found it [1].\n\nAnother found more [2, 3]."),
    ("What to ask your doctor", "questions", "- Will it pass?\n- Is it safe?"),
    (
        "When to get help",
        "get_help",
        "See a doctor soon:\n- Test sign one\nCall the emergency number now:\n- Test sign two",
    ),
)
XLIFF_LEAD = "Test lead one [1].\n\nTest lead two."


def publish_xliff_answer(*, sections=XLIFF_SECTIONS):
    """A published answer of two lead paragraphs and `sections`, to export as XLIFF."""
    return publish_answer(lead=XLIFF_LEAD, sections=sections)


def approve_new_english(answer, *, lead="Test: the English lead, revised [1]."):
    """The English answer edited by its writer (a new short answer), submitted and signed off
    again, so its translations are made from an older version: the new sign-off."""
    writer = answer.writers.first()
    with answer.editing(by=writer, comment="Test edit") as locked:
        locked.lead = lead
        locked.save()
    answer.submit(by=writer)
    return approve(answer, change_summary="Test: revised.")


def published_translation(answer=None, *, language="es"):
    """A published answer with a Spanish translation of marked test text, signed off:
    (answer, translation)."""
    from answers.models import Translation

    answer = answer or publish_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language=language, by=translator)
    fill_translation(translation, by=translator)
    translation.submit(by=translator)
    approve_translation(translation)
    translation.refresh_from_db()
    return answer, translation


def translate_xliff(data, *, drop_marker_in=None) -> bytes:
    """An exported XLIFF file as a translator returns it: each unit's target marked test
    text keeping the source's citation placeholders (except in unit `drop_marker_in`)."""
    import copy

    from lxml import etree

    ns = "{urn:oasis:names:tc:xliff:document:1.2}"
    root = etree.fromstring(data)
    for n, unit in enumerate(root.iter(f"{ns}trans-unit"), start=1):
        for old in unit.findall(f"{ns}target"):
            unit.remove(old)
        target = etree.SubElement(unit, f"{ns}target")
        target.text = f"{TEST_TEXT} {n} "
        if unit.get("id") != drop_marker_in:
            for placeholder in unit.find(f"{ns}source"):
                kept = copy.deepcopy(placeholder)
                kept.tail = ""
                target.append(kept)
        if len(target):
            target[-1].tail = "."
        else:
            target.text = f"{TEST_TEXT} {n}."
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
