from django.core.management.base import BaseCommand, CommandError

from answers.cite_in_answer import cite_as, cite_references
from answers.models import Answer, WorkflowError
from citations.lookup import look_up, save_new, split_identifiers


class Command(BaseCommand):
    help = (
        "Add works to the reference library by DOI, PubMed ID or PubMed Central ID (links "
        "work too), looked up at Crossref and PubMed. Each is added, matched to a reference "
        "already held, or refused with the reason. With --answer, each is cited in that "
        "answer with the next free number (a work already cited keeps its own); with "
        "--answer and --label, the (one) reference is cited as [N]."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifiers", nargs="+", metavar="IDENTIFIER")
        parser.add_argument("--answer", metavar="SLUG")
        parser.add_argument("--label", metavar="N")

    def handle(self, identifiers, answer=None, label=None, **options):
        target = None
        if label and not answer:
            raise CommandError("--label needs --answer: the answer to cite it in.")
        if answer:
            target = Answer.objects.filter(question__slug=answer).first()
            if target is None:
                raise CommandError(f"No answer with the slug “{answer}”.")
            if not target.is_editable:
                raise CommandError(f"“{target}” is in medical review and cannot be changed.")
        if label:
            if not label.isdigit():
                raise CommandError(f"--label is the citation number, e.g. 9, not “{label}”.")
            if len(split_identifiers(" ".join(identifiers))) != 1:
                raise CommandError("--label cites one reference: give one identifier.")
        lookups = save_new([look_up(item) for item in split_identifiers(" ".join(identifiers))])
        for lookup in lookups:
            if lookup.status in ("refused", "unanswered"):
                self.stderr.write(f"{lookup.text}: not added: {lookup.message}")
                continue
            status = "added" if lookup.status == "added" else "matched"
            self.stdout.write(f"{lookup.text}: {status} {lookup.reference}")
            for note in lookup.notes:
                self.stdout.write(f"  {note}")
            if target is not None and label:
                try:
                    notes = cite_as(target, lookup.reference, label, by=None)
                except WorkflowError as error:
                    raise CommandError(f"Nothing cited in “{target}”: {error}") from error
                for line in notes:
                    self.stdout.write(f"  {line}")
        if target is not None and not label:
            self._cite(target, [lookup.reference for lookup in lookups if lookup.reference])
        refused = sum(lookup.status in ("refused", "unanswered") for lookup in lookups)
        if refused:
            raise CommandError(f"{refused} identifier{'s' if refused != 1 else ''} refused.")

    def _cite(self, answer, references):
        try:
            cited = cite_references(answer, references, by=None)
        except WorkflowError as error:
            raise CommandError(f"Nothing cited in “{answer}”: {error}") from error
        for item in cited:
            how = "cited as" if item.new else "already cited as"
            self.stdout.write(f"{item.reference.short_citation} {how} [{item.label}] in “{answer}”")
