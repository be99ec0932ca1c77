"""Audit records that carry the hash of the one before them (`audit.chain`), and the head of
each chain, locked while a record is added so two records written at once cannot fork it."""

from django.db import models, router, transaction

from . import chain as hashing


class AuditChainHead(models.Model):
    """The latest link of one table's chain: locked (SELECT … FOR UPDATE) by every writer of
    that table's audit rows until its transaction ends; its count and hash also show when the
    latest records were removed."""

    chain = models.CharField(max_length=100, unique=True, help_text="The audited table's model.")
    last_hash = models.CharField(max_length=64, blank=True)
    last_id = models.BigIntegerField(null=True, blank=True)
    length = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["chain"]

    def __str__(self):
        return f"{self.chain}: {self.length} records"


def chain_name(model) -> str:
    return model._meta.label_lower


def _locked_head(model, using):
    """This table's chain head, locked until the transaction ends. The heads of one app are
    locked together, in one order, so a transaction writing a sign-off and an answer's history
    (in either order) cannot deadlock with another doing the same."""
    app = model._meta.app_label
    name = chain_name(model)
    heads = AuditChainHead.objects.using(using)
    for _ in range(2):
        locked = heads.select_for_update().filter(chain__startswith=f"{app}.").order_by("chain")
        for head in locked:
            if head.chain == name:
                return head
        # A table's first record (the migrations make the heads; a flushed test database
        # has none): make its head, then lock the app's heads again, in order.
        heads.get_or_create(chain=name)
    raise AssertionError(f"No chain head for {name}")


def _advance(head, obj_pk, chain_hash, added, using):
    head.last_hash = chain_hash
    head.last_id = obj_pk
    head.length += added
    head.save(using=using, update_fields=["last_hash", "last_id", "length", "updated_at"])


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk inserts are chained too (simple-history's bulk history, the benchmarks)."""
        objs = list(objs)
        if not objs:
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db):
            head = _locked_head(self.model, self.db)
            previous = head.last_hash
            for obj in objs:
                previous = hashing.seal(obj, previous)
            created = super().bulk_create(objs, *args, **kwargs)
            last_pk = objs[-1].pk
            if last_pk is None:
                last_pk = self.model._default_manager.using(self.db).order_by("-pk")[0].pk
            _advance(head, last_pk, previous, len(objs), self.db)
        return created


class ChainedRecord(models.Model):
    """An append-only audit record: sealed into its table's chain as it is first saved.
    Saving it again changes nothing in the chain, so `verify_audit_log` names the change."""

    chain_record = models.TextField(
        editable=False, blank=True, help_text="What the hash covers, as written."
    )
    previous_hash = models.CharField(max_length=64, editable=False, blank=True)
    chain_hash = models.CharField(max_length=64, editable=False, blank=True)

    # Which recorded fields say when, by whom and about what (for the check's messages).
    audit_when = "history_date"
    audit_who = "history_user_id"
    audit_subject = "id"

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("update_fields"):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            head = _locked_head(type(self), using)
            hashing.seal(self, head.last_hash)
            super().save(*args, **kwargs)
            _advance(head, self.pk, self.chain_hash, 1, using)
