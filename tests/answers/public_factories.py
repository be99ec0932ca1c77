"""Published answers for the public-site tests, made through the real workflow."""

from tests.factories import make_answer, make_clinician, make_writer


def publish_answer(*, writer=None, clinician=None, **answer_fields):
    """An answer a writer submitted and a clinician approved, so it has a live snapshot."""
    writer = writer or make_writer()
    clinician = clinician or make_clinician()
    answer = make_answer(writers=[writer], **answer_fields)
    answer.submit(by=writer)
    answer.approve(by=clinician, password="pw", sources_checked=True, wording_safe=True)
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
