"""Plain-text articles and reference files into the CMS, and articles back out.

Shared by the management commands and the admin upload pages, so both report the same
way: per file, what was created, what needs attention, and what stopped it. A file with
errors creates nothing.
"""

import logging
import time
from dataclasses import asdict, dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from citations.identifiers import normalize_pmid, strip_doi
from citations.models import Citation, Reference
from citations.readers import ReadResult, ReferenceFileError, read_references

from .articles import ArticleFormatError, decode_article, format_article, parse_article
from .cite_in_answer import cite_label
from .models import Answer, ImportJob, Question, Section, Topic, WorkflowError, validate_one_line

logger = logging.getLogger(__name__)

# Records stored per transaction: short enough that the SQLite writer lock is free again
# within a fraction of a second, long enough that 20,000 records take seconds, not minutes.
BATCH_SIZE = 500
# After each batch on SQLite, a pause a little longer than the longest sleep of SQLite's
# busy wait (100 ms): without it the next batch takes the writer lock again before a
# request that waits for it wakes up, and the request waits for the whole file.
SQLITE_PAUSE = 0.12


@dataclass
class ImportReport:
    """What happened to one file, in lines a writer can act on."""

    name: str
    created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answer: Answer | None = None
    total: int = 0  # records to store (reference files)
    done: int = 0  # records stored so far, committed
    cite: dict = field(default_factory=dict)  # label -> reference id, to cite in the answer
    # What an article import creates or uses, for the preview and the report.
    sections: list[str] = field(default_factory=list)
    new_works: list[str] = field(default_factory=list)
    reused_works: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("answer")
        return data

    @classmethod
    def from_json(cls, data: dict, *, answer=None) -> "ImportReport":
        return cls(**{key: value for key, value in data.items() if key != "answer"}, answer=answer)

    def lines(self) -> list[str]:
        return (
            [f"{self.name}: created {line}" for line in self.created]
            + [f"{self.name}: warning: {line}" for line in self.warnings]
            + [f"{self.name}: error: {line}" for line in self.errors]
        )


class ImportRefused(Exception):
    """Raised inside the import transaction to roll it back with a reason."""


def find_or_create_reference(csl: dict) -> tuple[Reference, bool]:
    """The library's reference for this work (matched by DOI or PMID), or a new one.
    Raises ValidationError with the reason when the record cannot be stored."""
    doi, pmid = csl.get("DOI", ""), csl.get("PMID", "")
    matches = list(Reference.objects.matching(doi=doi, pmid=pmid)[:2])
    if len(matches) > 1:
        raise ValidationError(
            f"its DOI and PubMed ID belong to two different references already in the library "
            f"({matches[0].short_citation} and {matches[1].short_citation}): merge those first"
        )
    if matches:
        return matches[0], False
    reference = Reference.from_csl(csl)
    reference.full_clean(validate_unique=False, validate_constraints=False)
    reference.save()
    return reference, True


def import_article(
    data: bytes,
    *,
    filename: str,
    references: ReadResult | None = None,
    references_name: str = "",
    author=None,
    topic_name: str = "",
) -> ImportReport:
    """Create one draft answer from a plain-text article, or nothing and the reasons why.
    A topic that does not exist yet is created only for an author who may add topics (or
    for the command run without --author, by whoever runs the server)."""
    report = ImportReport(name=filename)
    records = {}
    if references is not None:
        records = {record.label: record for record in references.records if record.label}
    try:
        parsed = parse_article(decode_article(data), records=frozenset(records))
    except ArticleFormatError as error:
        report.errors.append(str(error))
        return report
    report.warnings += [str(warning) for warning in parsed.warnings]

    topic_name = (topic_name or parsed.topic or "").strip()
    if not topic_name:
        report.errors.append(
            "the file has no disclaimer line naming its topic: add it, or choose a topic"
        )
        return report
    problem = _too_long("the question", parsed.question, Question, "text") or _too_long(
        "the topic name", topic_name, Topic, "name"
    )
    if problem:
        report.errors.append(problem)
        return report
    try:
        validate_one_line(parsed.question)
    except ValidationError as error:
        report.errors.append(f"the first line: {error.messages[0]}")
        return report
    if not Topic.objects.filter(name__iexact=topic_name).exists() and not (
        author is None or author.has_perm("answers.add_topic")
    ):
        report.errors.append(
            f"there is no topic “{topic_name}”, and only editors create topics: ask an editor "
            "to add it, or import into an existing topic"
        )
        return report
    existing = Question.objects.filter(text=parsed.question).first()
    if existing is not None:
        report.errors.append(
            f"an answer to this question already exists ({_public_url(existing)}): "
            "edit that one instead of importing it again"
        )
        return report

    if references is not None:
        source = references_name or "the references file"
        for rejected in references.rejected:
            where = f"line {rejected.line}" if rejected.line else "a record"
            label = f" (record {rejected.label})" if rejected.label else ""
            report.warnings.append(f"{source} {where}{label} was not imported: {rejected.reason}")
    labels = parsed.citation_labels()
    for label in sorted(set(records) - set(labels), key=_label_order):
        report.warnings.append(
            f"record {label} of the references file is not cited in this article: not imported"
        )

    try:
        with transaction.atomic(), reversion.create_revision():
            answer = _create_answer(parsed, topic_name=topic_name, author=author, report=report)
            for label in labels:
                _cite(answer, label, records.get(label), report=report, filename=filename)
            reversion.set_user(author)
            reversion.set_comment(f"Imported from {filename}")
            reversion.add_to_revision(answer)
    except ImportRefused as refused:
        report.created.clear()
        report.errors.append(str(refused))
        return report
    report.answer = answer
    report.created.insert(
        0, f"draft answer “{answer.question.text}” ({_public_url(answer.question)})"
    )
    return report


def _too_long(what: str, value: str, model, field: str) -> str | None:
    limit = model._meta.get_field(field).max_length
    if len(value) > limit:
        where = "line 1: " if field == "text" else ""
        return f"{where}{what} is {len(value):,} characters long; the limit is {limit}: shorten it"
    return None


def _public_url(question) -> str:
    """Where the question's page is, once published."""
    return reverse("question", args=[question.slug])


def _label_order(label):
    return (0, int(label)) if label.isdigit() else (1, label)


def _create_answer(parsed, *, topic_name, author, report):
    topic = Topic.objects.filter(name__iexact=topic_name).first()
    if topic is None:
        slug = slugify(topic_name)
        if not slug or Topic.objects.filter(slug=slug).exists():
            raise ImportRefused(f"cannot make a web address for the new topic “{topic_name}”")
        topic = Topic.objects.create(name=topic_name, slug=slug)
        report.created.append(f"topic “{topic.name}”")
    question = Question.objects.create(
        text=parsed.question, topic=topic, slug=Question.unique_slug_for(parsed.question)
    )
    answer = Answer(question=question, lead=parsed.lead, article_final_newline=parsed.final_newline)
    answer._history_user = author
    answer._change_reason = "Imported"
    answer.save()
    if author is not None:
        answer.writers.add(author)
    for position, section in enumerate(parsed.sections, start=1):
        report.sections.append(section.heading)
        Section.objects.create(
            answer=answer,
            position=position,
            heading=section.heading,
            kind=section.kind,
            body=section.body,
        )
    return answer


def _cite(answer, label, record, *, report, filename):
    """Cite the record's work as [label]. A citation without a record creates nothing: its
    marker stays in the text, unresolved, and the checklist blocks submission until the
    writer adds the work under References (no placeholder rows in the shared library)."""
    if record is None:
        report.unresolved.append(label)
        report.warnings.append(
            f"citation {label} has no record in the references file: [{label}] stays in the "
            "text unresolved, and blocks submission until you add the work under References"
        )
        return
    try:
        reference, created = find_or_create_reference(record.csl)
    except ValidationError as error:
        raise ImportRefused(
            f"record {label} of the references file cannot be stored: " + "; ".join(error.messages)
        ) from error
    earlier = answer.citations.filter(reference=reference).first()
    if earlier is not None:
        raise ImportRefused(
            f"citations {earlier.label} and {label} are the same work "
            f"({reference.short_citation}): cite it under one number"
        )
    (report.new_works if created else report.reused_works).append(
        f"[{label}] {reference.short_citation}"
    )
    if not created:
        report.warnings.append(
            f"citation {label} is {reference.short_citation}, already in the library: "
            "the library's work is used"
        )
    missing = ", ".join(reference.missing_fields())
    if missing:
        report.warnings.append(f"reference {label} is incomplete: {missing}")
    Citation.objects.create(answer=answer, reference=reference, label=label)


def import_reference_file(
    data: bytes,
    *,
    filename: str,
    answer: Answer | None = None,
    by=None,
    report: ImportReport | None = None,
    on_batch=None,
):
    """Add a file's records to the library: each is created, matched to a reference already
    held, or rejected with its reason. With an answer, cite them there by their label,
    replacing a placeholder of the same label. Raises ReferenceFileError for an unusable file.

    The records are stored BATCH_SIZE to a transaction, so a large file never holds the
    database's writer lock for long; `on_batch(report)` is called inside each batch's
    transaction (the task saves its progress there, so progress and records commit
    together), and a `report` from an interrupted run goes on after its `done` records."""
    result = read_references(data, filename=filename)
    if report is None:
        report = ImportReport(name=filename)
        for rejected in result.rejected:
            where = f"line {rejected.line}" if rejected.line else "record"
            report.errors.append(f"{where}: rejected: {rejected.reason}")
    report.total = len(result.records)
    if answer is not None and not answer.is_editable:
        report.errors.append(
            f"“{answer}” is in medical review and cannot be changed: nothing was imported"
        )
        return report
    records = result.records
    for start in range(report.done, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        with transaction.atomic():
            _store_batch(batch, by=by, report=report, cite=answer is not None)
            report.done = start + len(batch)
            if on_batch is not None:
                on_batch(report)
        if connection.vendor == "sqlite" and report.done < len(records):
            time.sleep(SQLITE_PAUSE)
    if answer is not None:
        _cite_in_answer(answer, report, filename=filename, by=by)
    return report


def _store_batch(records, *, by, report, cite):
    """One batch: the works already held found in one query, the new ones inserted together
    (with their history rows); a clash with a reference saved meanwhile by someone else
    falls back to one record at a time."""
    keys = [_identifiers(record.csl) for record in records]
    dois = {doi for doi, _ in keys if doi}
    pmids = {pmid for _, pmid in keys if pmid}
    by_doi, by_pmid = {}, {}
    if dois or pmids:
        for held in Reference.objects.annotate(doi_lower=Lower("doi")).filter(
            Q(doi_lower__in=dois) | Q(pmid__in=pmids)
        ):
            if held.doi:
                by_doi[held.doi.lower()] = held
            if held.pmid:
                by_pmid[held.pmid] = held
    outcomes, new = [], []
    for record, (doi, pmid) in zip(records, keys, strict=True):
        where = f"line {record.line}" if record.line else f"record {record.label}"
        matches = {m.pk: m for m in (by_doi.get(doi), by_pmid.get(pmid)) if m is not None}
        if len(matches) > 1:
            first, second = (matches[pk].short_citation for pk in sorted(matches))
            report.errors.append(
                f"{where}: rejected: its DOI and PubMed ID belong to two different references "
                f"already in the library ({first} and {second}): merge those first"
            )
            continue
        if matches:
            outcomes.append((record, where, next(iter(matches.values())), False))
            continue
        reference = Reference.from_csl(record.csl)
        try:
            reference.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            report.errors.append(f"{where}: rejected: " + "; ".join(error.messages))
            continue
        reference.derive_fields()
        new.append(reference)
        outcomes.append((record, where, reference, True))
    try:
        with transaction.atomic():
            bulk_create_with_history(new, Reference, default_user=by)
    except IntegrityError:
        # Someone saved one of these works meanwhile: the slow path matches it.
        for position, (record, where, reference, created) in enumerate(outcomes):
            if created:
                try:
                    with transaction.atomic():
                        reference, created = find_or_create_reference(record.csl)
                except ValidationError as error:
                    report.errors.append(f"{where}: rejected: " + "; ".join(error.messages))
                    outcomes[position] = None
                    continue
                outcomes[position] = (record, where, reference, created)
    for outcome in filter(None, outcomes):
        record, where, reference, created = outcome
        status = "created" if created else "matched an existing reference:"
        line = f"{where}: {status} {reference}"
        (report.created if created else report.warnings).append(line)
        if cite and record.label:
            report.cite[record.label] = reference.pk


def _identifiers(csl: dict) -> tuple[str, str]:
    """(lower-case DOI, PMID) as the library stores them; "" where the record has none."""
    doi = strip_doi(csl["DOI"]).lower() if csl.get("DOI") else ""
    pmid = normalize_pmid(csl["PMID"]) if csl.get("PMID") else ""
    return doi, pmid


def _cite_in_answer(answer, report, *, filename, by):
    """Cite the stored records in the answer, as one version of it (`Answer.editing`);
    refused when the answer went into medical review while the file was imported."""
    try:
        with answer.editing(by=by, comment=f"Imported references from {filename}") as locked:
            references = Reference.objects.in_bulk(report.cite.values())
            for label, pk in report.cite.items():
                report.warnings += cite_label(locked, label, references[pk])
    except WorkflowError as refused:
        report.errors.append(
            f"“{answer}” could not be changed, so the references are in the library but were "
            f"not cited in it: {refused}"
        )


class _DryRun(Exception):
    """Raised to roll back an import run only to see what it would create."""


def preview_article(
    data: bytes,
    *,
    filename: str,
    references_data: bytes = b"",
    references_name: str = "",
    author=None,
    topic_name: str = "",
) -> ImportReport:
    """What importing this article would create (the answer, its sections, the works new to
    the library and those reused, the citations left unresolved) and its warnings or
    errors: the import itself, run and rolled back, so the preview cannot differ from it.
    Nothing is saved."""
    records = None
    if references_name:
        try:
            records = read_references(references_data, filename=references_name)
        except ReferenceFileError as error:
            return ImportReport(name=filename, errors=[f"{references_name}: {error}"])
    try:
        with transaction.atomic():
            report = import_article(
                data,
                filename=filename,
                references=records,
                references_name=references_name,
                author=author,
                topic_name=topic_name,
            )
            raise _DryRun
    except _DryRun:
        pass
    report.answer = None
    return report


def run_import_job(job_id: int) -> str:
    """The task worker's side of an upload (answers.tasks.run_import). Safe to run again:
    a finished job is left alone, an article is created in the same transaction that marks
    its job done, and a reference file goes on after the batches already committed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return f"import {job_id} no longer exists"
        if job.finished:
            return f"import {job_id} was finished already"
        if job.status == ImportJob.Status.PREVIEW:
            return f"import {job_id} waits for its writer to confirm it"
        job.status = ImportJob.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        run = _run_article if job.kind == ImportJob.Kind.ARTICLE else _run_references
        report = run(job)
    except Exception as error:
        logger.exception("Import %s of %s failed", job.pk, job.filename)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{error.__class__.__name__}: {error}"[:2000],
        )
        raise
    return (
        f"{job.filename}: {len(report.created)} created, {len(report.warnings)} to check, "
        f"{len(report.errors)} errors"
    )


def finish_job(job, report):
    """The job done, with its report; its files are no longer kept."""
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.report = report.as_json()
    job.total, job.done = report.total or job.total, report.done or job.done
    job.created_answer = report.answer
    job.data = job.references_data = b""
    job.save()


def _run_article(job):
    records = None
    report = ImportReport(name=job.filename, total=1)
    if job.references_name:
        try:
            records = read_references(bytes(job.references_data), filename=job.references_name)
        except ReferenceFileError as error:
            report.errors.append(f"{job.references_name}: {error}")
            finish_job(job, report)
            return report
    with transaction.atomic():
        report = import_article(
            bytes(job.data),
            filename=job.filename,
            references=records,
            references_name=job.references_name,
            author=job.requested_by,
            topic_name=job.topic_name,
        )
        report.total, report.done = 1, 1
        finish_job(job, report)
    return report


def _run_references(job):
    report = ImportReport.from_json(job.report) if job.report else None

    def saved(report):
        ImportJob.objects.filter(pk=job.pk).update(
            total=report.total, done=report.done, report=report.as_json()
        )

    try:
        report = import_reference_file(
            bytes(job.data),
            filename=job.filename,
            answer=job.answer,
            by=job.requested_by,
            report=report,
            on_batch=saved,
        )
    except ReferenceFileError as error:
        report = ImportReport(name=job.filename, errors=[str(error)])
    finish_job(job, report)
    return report


def export_article(answer: Answer) -> str:
    """The answer's current content in the plain-text article format."""
    return format_article(
        question=answer.question.text,
        lead=answer.lead,
        sections=[(s.heading, s.kind, s.body) for s in answer.ordered_sections()],
        topic=answer.question.topic.name,
        final_newline=answer.article_final_newline,
    )
