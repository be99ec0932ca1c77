"""Walk every audit chain and say whether any record was changed or removed."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.chain import check_chain
from audit.models import AuditChainHead, ChainedRecord, chain_name


def chained_models():
    return sorted((m for m in apps.get_models() if issubclass(m, ChainedRecord)), key=chain_name)


class Command(BaseCommand):
    help = (
        "Check the hash chain of every audit table (answer history, sign-offs, reference and "
        "page history). Exits 1 naming the first record changed or removed in each broken "
        "chain; 0 with a one-line summary when all hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        users = dict(
            get_user_model()._default_manager.using(database).values_list("pk", "username")
        )
        heads = {h.chain: h for h in AuditChainHead.objects.using(database)}
        total, counts, breaks = 0, [], []
        for model in chained_models():
            name = chain_name(model)
            count, problem = check_chain(
                model,
                heads.get(name),
                users,
                using=database,
            )
            total += count
            counts.append(f"{name} {count:,}")
            if problem:
                breaks.append(problem)
        if breaks:
            for problem in breaks:
                self.stderr.write(f"{problem.chain}: {problem.message}")
            raise CommandError(
                f"The audit log does not verify: {len(breaks)} of {len(counts)} chains broken "
                "(first break in each above)."
            )
        self.stdout.write(
            f"Audit log intact: {total:,} records in {len(counts)} chains ({', '.join(counts)})."
        )
