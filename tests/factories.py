"""Keyword-only factory functions: each test states only the data it relies on."""

from itertools import count

from django.contrib.auth.models import Group, User
from django.utils.text import slugify

from answers.models import Answer, Contributor, Question, Section, Topic
from answers.roles import EDITORS, MEDICAL_REVIEWERS, WRITERS
from citations.models import Citation, Reference

_n = count(1)


def make_user(*, username=None, group=None, credentials="", display_name=None, superuser=False):
    username = username or f"user{next(_n)}"
    if superuser:
        user = User.objects.create_superuser(username=username, password="pw", email="")
    else:
        user = User.objects.create_user(username=username, password="pw", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    Contributor.objects.create(
        user=user, display_name=display_name or username.title(), credentials=credentials
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
):
    """An answer with sections and, by default, a complete reference for each cited label."""
    topic = topic or make_topic()
    q = Question.objects.create(
        text=question, topic=topic, slug=slug or Question.unique_slug_for(question)
    )
    answer = Answer.objects.create(question=q, lead=lead)
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


def publish_answer(*, writer=None, clinician=None, **answer_fields):
    """An answer a writer submitted and a clinician approved, so it has a live snapshot."""
    writer = writer or make_writer()
    clinician = clinician or make_clinician()
    answer = make_answer(writers=[writer], **answer_fields)
    answer.submit(by=writer)
    answer.approve(by=clinician, sources_checked=True, wording_safe=True)
    return answer


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
