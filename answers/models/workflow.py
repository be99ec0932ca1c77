"""What every editorial workflow (Answer, Translation, GlossaryTerm) does around a
transition, written once: refuse with the model's own `refusals`, lock the row, and save
the step with who took it and why for the audit log (django-simple-history). The rules
themselves stay with each model: they differ."""

from .errors import WorkflowError


class WorkflowMixin:
    """For a model with `refusals(action, user)` and simple-history's `history`."""

    def _refuse_unless_allowed(self, action, user):
        refusals = self.refusals(action, user)
        if refusals:
            raise WorkflowError(refusals)

    def _locked(self):
        """Re-read this row under a lock, so two people acting at once cannot both pass."""
        return type(self).objects.select_for_update().get(pk=self.pk)

    def _record(self, *, by, reason, update_fields=None):
        """Save, with `by` and `reason` on the version simple-history writes."""
        self._change_reason = reason
        self._history_user = by
        self.save(update_fields=update_fields)
